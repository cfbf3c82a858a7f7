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
 * without it; [a] atomic; [I] set during boot, before other CPUs arm events.
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
	struct list_node events; /* [B] armed timer_events by link, earliest first */
} __attribute__((aligned(64)));

static struct timer_base bases[SMP_MAX_CPUS];
static bool timer_works; /* [I] arch_time_init() succeeded (time_init(), boot CPU) */
static bool bases_ready; /* [I] the bases are set up (first use, on the boot CPU) */

static void bases_init(void)
{
	unsigned i;

	for (i = 0; i < SMP_MAX_CPUS; i++) {
		spin_init(&bases[i].lock, "timer");
		list_init(&bases[i].events);
	}
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
	list_node_init(&ev->link);
	ev->armed = false;
	ev->deadline = 0;
	ev->base = NULL;
}

/* Put @ev on @b's list after every event due no later than it. */
static void insert_sorted_locked(struct timer_base *b, struct timer_event *ev) __must_hold(&b->lock)
{
	struct timer_event *pos;

	spin_assert_held(&b->lock);
	list_for_each_entry(pos, &b->events, link)
		if (pos->deadline > ev->deadline)
			break;
	list_insert_before(&pos->link, &ev->link); /* at the end: before the head */
}

/* The earliest armed event on @b, or NULL. */
static struct timer_event *first_locked(struct timer_base *b) __must_hold(&b->lock)
{
	return list_first_entry_or_null(&b->events, struct timer_event, link);
}

int timer_event_arm(struct timer_event *ev, uint64_t deadline_ns)
{
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
	insert_sorted_locked(b, ev);
	__atomic_store_n(&ev->base, b, __ATOMIC_RELAXED);
	__atomic_store_n(&ev->armed, true, __ATOMIC_RELEASE);
	if (first_locked(b) == ev && timer_works)
		arch_timer_program(deadline_ns);
	spin_unlock(&b->lock);
	irq_restore(flags);
	return 0;
}

bool timer_event_cancel(struct timer_event *ev)
{
	struct timer_base *b = __atomic_load_n(&ev->base, __ATOMIC_ACQUIRE);
	uint64_t flags;
	bool was = false;

	if (!b)
		return false;
	flags = spin_lock_irqsave(&b->lock);
	/*
	 * It may have fired here and been armed again on another CPU meanwhile:
	 * it is on this list only if it is armed and this is still its base
	 * (arm stores the base before it sets armed; re-arming here needs our lock).
	 */
	if (__atomic_load_n(&ev->armed, __ATOMIC_ACQUIRE) &&
	    __atomic_load_n(&ev->base, __ATOMIC_RELAXED) == b) {
		list_del(&ev->link);
		__atomic_store_n(&ev->armed, false, __ATOMIC_RELEASE);
		was = true;
	}
	/* The hardware may still fire for it; the interrupt then finds nothing due. */
	spin_unlock_irqrestore(&b->lock, flags);
	return was;
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
	while ((ev = first_locked(b)) && ev->deadline <= now) {
		list_del(&ev->link);
		__atomic_store_n(&ev->armed, false, __ATOMIC_RELEASE);
		spin_unlock(&b->lock);
		ev->fn(ev, ev->ctx);
		spin_lock(&b->lock);
		now = clock_monotonic_ns();
	}
	ev = first_locked(b);
	arch_timer_program(ev ? ev->deadline : TIME_NEVER);
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
