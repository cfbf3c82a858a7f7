// SPDX-License-Identifier: MIT
/*
 * One-shot timer events and sleeping. Armed events sit on one list sorted
 * by deadline; the architecture's one-shot interrupt is programmed for the
 * earliest. The interrupt runs every event whose deadline has passed (so
 * none fires early, even if the hardware does) and reprograms for the
 * next. Each CPU programs its own timer when it arms the earliest event;
 * whichever CPU's interrupt comes first runs the expired events. A sorted
 * list is O(n) to arm; it becomes a heap when there are many events.
 * Locks: [T] timer_lock, taken with interrupts off; callbacks run without it.
 */
#include <cairn/errno.h>

#include <stddef.h>

#include "irq/irq.h"
#include "sched/spinlock.h"
#include "time/internal.h"
#include "time/time.h"

static struct timer_event *head;                            /* [T] earliest first */
static unsigned npending;                                   /* [T] */
static bool timer_works;                                    /* [B] arch_time_init() succeeded */
static struct spinlock timer_lock = SPINLOCK_INIT("timer"); /* guards [T] */

void time_timer_set_ready(bool ready)
{
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
}

int timer_event_arm(struct timer_event *ev, uint64_t deadline_ns)
{
	struct timer_event **p;
	uint64_t flags;

	if (!ev->fn)
		return -EINVAL;
	flags = spin_lock_irqsave(&timer_lock);
	if (ev->armed) {
		spin_unlock_irqrestore(&timer_lock, flags);
		return -EBUSY;
	}
	ev->deadline = deadline_ns;
	for (p = &head; *p && (*p)->deadline <= deadline_ns; p = &(*p)->next)
		;
	ev->next = *p;
	*p = ev;
	ev->armed = true;
	npending++;
	if (head == ev && timer_works)
		arch_timer_program(deadline_ns);
	spin_unlock_irqrestore(&timer_lock, flags);
	return 0;
}

bool timer_event_cancel(struct timer_event *ev)
{
	struct timer_event **p;
	uint64_t flags = spin_lock_irqsave(&timer_lock);
	bool was = false;

	for (p = &head; *p; p = &(*p)->next) {
		if (*p == ev) {
			*p = ev->next;
			ev->next = NULL;
			ev->armed = false;
			npending--;
			was = true;
			break;
		}
	}
	/* The hardware may still fire for it; the interrupt then finds nothing due. */
	spin_unlock_irqrestore(&timer_lock, flags);
	return was;
}

unsigned timer_pending(void)
{
	return __atomic_load_n(&npending, __ATOMIC_RELAXED);
}

/* The timer interrupt, interrupts off: run what is due, then program the next. */
void time_timer_interrupt(void)
{
	struct timer_event *ev;
	uint64_t now;

	spin_lock(&timer_lock);
	now = clock_monotonic_ns();
	while (head && head->deadline <= now) {
		ev = head;
		head = ev->next;
		ev->next = NULL;
		ev->armed = false;
		npending--;
		spin_unlock(&timer_lock);
		ev->fn(ev, ev->ctx);
		spin_lock(&timer_lock);
		now = clock_monotonic_ns();
	}
	arch_timer_program(head ? head->deadline : TIME_NEVER);
	spin_unlock(&timer_lock);
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
