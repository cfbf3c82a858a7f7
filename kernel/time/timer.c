// SPDX-License-Identifier: MIT
/*
 * One-shot timer events and sleeping. Each CPU has its own list of armed
 * events sorted by deadline, and its own one-shot interrupt programmed for
 * the earliest: an event fires on the CPU that armed it (the scheduler's
 * time slices rely on that), and CPUs never contend for one timer lock.
 * The interrupt runs every event whose deadline has passed (so none fires
 * early, even if the hardware does) and reprograms for the next. A sorted
 * list is O(n) to arm; owners of many deadlines (the async executor) keep
 * their own heap and arm one event for its earliest.
 * Locks: [B] the base's lock, taken with interrupts off; callbacks run
 * without it; [a] atomic.
 */
#include <cairn/errno.h>

#include <stddef.h>

#include "core/percpu.h"
#include "irq/irq.h"
#include "sched/sched.h"
#include "sched/spinlock.h"
#include "time/internal.h"
#include "time/time.h"

/* One CPU's armed events. Locks: [B] base->lock, taken with interrupts off. */
struct timer_base {
	struct spinlock lock;
	struct timer_event *head; /* [B] earliest first */
} __attribute__((aligned(64)));

static struct timer_base bases[SMP_MAX_CPUS];
static unsigned npending; /* [a] armed on all CPUs */
static bool timer_works;  /* [B] arch_time_init() succeeded */
static bool bases_ready;  /* [B] */

static void bases_init(void)
{
	unsigned i;

	for (i = 0; i < SMP_MAX_CPUS; i++)
		spin_init(&bases[i].lock, "timer");
	bases_ready = true;
}

void time_timer_set_ready(bool ready)
{
	if (!bases_ready)
		bases_init();
	timer_works = ready;
}

void timer_event_init(struct timer_event *ev, void (*fn)(struct timer_event *ev, void *ctx),
                      void *ctx)
{
	ev->fn = fn;
	ev->ctx = ctx;
	ev->next = NULL;
	ev->armed = false;
	ev->deadline = 0;
	ev->base = NULL;
}

int timer_event_arm(struct timer_event *ev, uint64_t deadline_ns)
{
	struct timer_event **p;
	struct timer_base *b;
	uint64_t flags;

	if (!ev->fn)
		return -EINVAL;
	if (!bases_ready)
		bases_init();
	flags = irq_save();
	b = &bases[arch_cpu_index()];
	spin_lock(&b->lock);
	if (__atomic_load_n(&ev->armed, __ATOMIC_ACQUIRE)) {
		spin_unlock(&b->lock);
		irq_restore(flags);
		return -EBUSY;
	}
	ev->deadline = deadline_ns;
	for (p = &b->head; *p && (*p)->deadline <= deadline_ns; p = &(*p)->next)
		;
	ev->next = *p;
	*p = ev;
	ev->base = b;
	__atomic_store_n(&ev->armed, true, __ATOMIC_RELEASE);
	__atomic_fetch_add(&npending, 1, __ATOMIC_RELAXED);
	if (b->head == ev && timer_works)
		arch_timer_program(deadline_ns);
	spin_unlock(&b->lock);
	irq_restore(flags);
	return 0;
}

bool timer_event_cancel(struct timer_event *ev)
{
	struct timer_base *b = __atomic_load_n(&ev->base, __ATOMIC_ACQUIRE);
	struct timer_event **p;
	uint64_t flags;
	bool was = false;

	if (!b)
		return false;
	flags = spin_lock_irqsave(&b->lock);
	for (p = &b->head; *p; p = &(*p)->next) {
		if (*p == ev) {
			*p = ev->next;
			ev->next = NULL;
			__atomic_store_n(&ev->armed, false, __ATOMIC_RELEASE);
			__atomic_fetch_sub(&npending, 1, __ATOMIC_RELAXED);
			was = true;
			break;
		}
	}
	/* The hardware may still fire for it; the interrupt then finds nothing due. */
	spin_unlock_irqrestore(&b->lock, flags);
	return was;
}

unsigned timer_pending(void)
{
	return __atomic_load_n(&npending, __ATOMIC_RELAXED);
}

/* The timer interrupt, interrupts off: run what is due on this CPU, then program the next. */
void time_timer_interrupt(void)
{
	struct timer_base *b;
	struct timer_event *ev;
	uint64_t now;

	if (!bases_ready)
		return;
	b = &bases[arch_cpu_index()];
	spin_lock(&b->lock);
	now = clock_monotonic_ns();
	while (b->head && b->head->deadline <= now) {
		ev = b->head;
		b->head = ev->next;
		ev->next = NULL;
		__atomic_store_n(&ev->armed, false, __ATOMIC_RELEASE);
		__atomic_fetch_sub(&npending, 1, __ATOMIC_RELAXED);
		spin_unlock(&b->lock);
		ev->fn(ev, ev->ctx);
		spin_lock(&b->lock);
		now = clock_monotonic_ns();
	}
	arch_timer_program(b->head ? b->head->deadline : TIME_NEVER);
	spin_unlock(&b->lock);
}

static void wake(struct timer_event *ev, void *ctx)
{
	/* Nothing to do: the interrupt itself ends the sleeper's HLT. */
}

void sleep_ns(uint64_t ns)
{
	uint64_t deadline = clock_monotonic_ns() + ns;
	struct timer_event ev;
	unsigned long flags;

	if (!timer_works) {
		delay_ns(ns);
		return;
	}
	if (sched_can_block()) { /* a task: let the others run meanwhile */
		sched_sleep_until(deadline);
		return;
	}
	timer_event_init(&ev, wake, NULL);
	if (timer_event_arm(&ev, deadline)) {
		delay_ns(ns);
		return;
	}
	flags = irq_save();
	while (clock_monotonic_ns() < deadline) {
		irq_enable_and_wait();
		irq_disable();
	}
	irq_restore(flags);
	timer_event_cancel(&ev);
}

void sleep_ms(uint64_t ms)
{
	sleep_ns(ms * NSEC_PER_MSEC);
}
