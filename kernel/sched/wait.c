// SPDX-License-Identifier: MIT
/*
 * Wait queues and timed blocking. A waiter is registered and its task
 * marked BLOCKED before the condition is tested (sched.h explains why no
 * wake-up is lost); a wake takes the first waiter off the queue and makes
 * its task runnable. Timeouts use the task's own timer event, which fires
 * on the CPU that armed it and wakes the task from IRQ context.
 * Locks: [Q] wq->lock, taken with interrupts off, before any run-queue lock.
 */
#include "sched/wait.h"

#include <cairn/errno.h>

#include <stddef.h>

#include "irq/irq.h"
#include "sched/sched.h"
#include "sched/task.h"
#include "time/time.h"

void waitq_init(struct waitq *wq, const char *name)
{
	spin_init(&wq->lock, name);
	list_init(&wq->waiters);
}

void waitq_prepare(struct waitq *wq, struct waiter *w)
{
	uint64_t flags = spin_lock_irqsave(&wq->lock);

	w->task = task_current();
	if (!list_linked(&w->link)) {
		w->woken = false;
		list_add_tail(&wq->waiters, &w->link);
	}
	sched_prepare_block();
	spin_unlock_irqrestore(&wq->lock, flags);
}

bool waitq_finish(struct waitq *wq, struct waiter *w)
{
	uint64_t flags = spin_lock_irqsave(&wq->lock);
	bool woken = w->woken;

	if (list_linked(&w->link))
		list_del(&w->link);
	spin_unlock_irqrestore(&wq->lock, flags);
	sched_cancel_block();
	return woken;
}

static unsigned wake(struct waitq *wq, unsigned max, unsigned key)
{
	uint64_t flags = spin_lock_irqsave(&wq->lock);
	struct waiter *w, *tmp;
	struct task *t;
	unsigned n = 0;

	list_for_each_entry_safe(w, tmp, &wq->waiters, link) {
		if (w->fn) {
			w->fn(w, key); /* stays queued: poll and epoll waiters */
			continue;
		}
		if (n == max)
			continue; /* later callback waiters still hear of it */
		list_del(&w->link);
		w->woken = true;
		t = w->task; /* @w may be gone once its task runs */
		task_wake(t);
		n++;
	}
	spin_unlock_irqrestore(&wq->lock, flags);
	if (n)
		sched_maybe_preempt(); /* does nothing in an interrupt or under a lock */
	return n;
}

unsigned waitq_wake_one(struct waitq *wq)
{
	return wake(wq, 1, 0);
}

unsigned waitq_wake_all(struct waitq *wq)
{
	return wake(wq, UINT32_MAX, 0);
}

unsigned waitq_wake_key(struct waitq *wq, unsigned key)
{
	return wake(wq, UINT32_MAX, key);
}

void waitq_add_callback(struct waitq *wq, struct waiter *w)
{
	uint64_t flags = spin_lock_irqsave(&wq->lock);

	w->woken = false;
	list_add_tail(&wq->waiters, &w->link);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void waitq_remove(struct waitq *wq, struct waiter *w)
{
	uint64_t flags = spin_lock_irqsave(&wq->lock);

	if (list_linked(&w->link))
		list_del(&w->link);
	spin_unlock_irqrestore(&wq->lock, flags);
}

bool waitq_active(struct waitq *wq)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&wq->waiters.next, __ATOMIC_RELAXED) != &wq->waiters;
}

/* ---- timed blocking ---- */

static void timeout_fired(struct timer_event *ev, void *ctx)
{
	(void)ev;
	task_wake(ctx);
}

void sched_block_until(uint64_t deadline_ns)
{
	struct task *cur = task_current();

	if (deadline_ns == TIME_NEVER) {
		sched_block();
		return;
	}
	timer_event_init(&cur->sleep_ev, timeout_fired, cur);
	if (timer_event_arm(&cur->sleep_ev, deadline_ns)) {
		sched_cancel_block(); /* cannot happen: only this task arms it */
		return;
	}
	sched_block();
	timer_event_cancel(&cur->sleep_ev);
}

int waitq_wait(struct waitq *wq, bool (*cond)(void *ctx), void *ctx, unsigned flags,
               uint64_t deadline_ns)
{
	struct waiter w = { 0 };
	int err = 0;

	for (;;) {
		waitq_prepare(wq, &w);
		if (cond(ctx))
			break;
		if ((flags & WAIT_KILLABLE) && task_kill_pending()) {
			err = -EINTR;
			break;
		}
		if (deadline_ns != TIME_NEVER && clock_monotonic_ns() >= deadline_ns) {
			err = -ETIMEDOUT;
			break;
		}
		sched_block_until(deadline_ns);
	}
	/* A wake meant for a waiter that leaves without using it goes to the next one. */
	if (waitq_finish(wq, &w) && err)
		waitq_wake_one(wq);
	return err;
}

static void sleep_until(uint64_t deadline, bool killable)
{
	while (clock_monotonic_ns() < deadline) {
		if (killable && task_kill_pending())
			return;
		sched_prepare_block();
		sched_block_until(deadline);
	}
}

void sched_sleep_until(uint64_t deadline_ns)
{
	sleep_until(deadline_ns, false);
}

void sched_sleep_until_killable(uint64_t deadline_ns)
{
	sleep_until(deadline_ns, true);
}

/* ---- the task-facing calls: safe points ---- */

void task_yield(void)
{
	if (!sched_running())
		return;
	task_check_kill();
	sched_yield();
	task_check_kill();
}

void task_sleep_ns(uint64_t ns)
{
	task_check_kill();
	sched_sleep_until_killable(clock_monotonic_ns() + ns);
	task_check_kill();
}
