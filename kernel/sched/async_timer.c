// SPDX-License-Identifier: MIT
/*
 * Async timers. The kernel's timer list is sorted, O(n) to arm, so an
 * executor does not arm one kernel event per sleeping future: it keeps its
 * own binary min-heap of deadlines (O(log n) to arm or cancel) and one
 * kernel timer_event armed for the earliest. That event's callback runs in
 * IRQ context on the CPU that armed it; it takes only the executor's lock,
 * wakes every timer that is due and re-arms itself for the next one.
 * Locks: [L] ex->lock (async.h); the callback takes it, never the reverse
 * (the timer base lock is dropped around callbacks), so arming the kernel
 * event under [L] is in order.
 */
#include <cairn/errno.h>

#include <arch/spinlock.h>
#include <lib/string.h>

#include <stddef.h>

#include "mm/heap.h"
#include "sched/async.h"
#include "sched/async_internal.h"

#define HEAP_FIRST_CAP 64

/* ---- the heap ---- */

static void heap_put_locked(struct executor *ex, uint32_t i, struct async_timer *t)
	__must_hold(&ex->lock)
{
	ex->heap[i] = t;
	t->idx = i;
}

static void sift_up_locked(struct executor *ex, uint32_t i) __must_hold(&ex->lock)
{
	struct async_timer *t = ex->heap[i];
	uint32_t parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (ex->heap[parent]->deadline <= t->deadline)
			break;
		heap_put_locked(ex, i, ex->heap[parent]);
		i = parent;
	}
	heap_put_locked(ex, i, t);
}

static void sift_down_locked(struct executor *ex, uint32_t i) __must_hold(&ex->lock)
{
	struct async_timer *t = ex->heap[i];
	uint32_t child;

	for (;;) {
		child = 2 * i + 1;
		if (child >= ex->heap_len)
			break;
		if (child + 1 < ex->heap_len &&
		    ex->heap[child + 1]->deadline < ex->heap[child]->deadline)
			child++;
		if (t->deadline <= ex->heap[child]->deadline)
			break;
		heap_put_locked(ex, i, ex->heap[child]);
		i = child;
	}
	heap_put_locked(ex, i, t);
}

static void heap_insert_locked(struct executor *ex, struct async_timer *t) __must_hold(&ex->lock)
{
	heap_put_locked(ex, ex->heap_len++, t);
	sift_up_locked(ex, t->idx);
}

/* Take @t out of the heap it is in and mark it not armed. */
static void heap_remove_locked(struct executor *ex, struct async_timer *t) __must_hold(&ex->lock)
{
	uint32_t i = t->idx;
	struct async_timer *last = ex->heap[--ex->heap_len];

	t->idx = ASYNC_NONE;
	t->ex = NULL;
	if (last == t)
		return;
	heap_put_locked(ex, i, last);
	sift_down_locked(ex, i);
	sift_up_locked(ex, last->idx);
}

/*
 * Make room for one more timer. Only the owner inserts and the callback
 * only removes, so the room found here is still there under the lock.
 */
static int heap_reserve(struct executor *ex)
{
	struct async_timer **bigger, **old;
	uint32_t cap = ex->heap_cap ? ex->heap_cap * 2 : HEAP_FIRST_CAP;
	uint64_t flags;

	if (__atomic_load_n(&ex->heap_len, __ATOMIC_RELAXED) < ex->heap_cap)
		return 0;
	bigger = kmalloc_flags(cap * sizeof(*bigger), KM_MAY_FAIL);
	if (!bigger)
		return -ENOMEM;
	flags = spin_lock_irqsave(&ex->lock);
	if (ex->heap_len)
		memcpy(bigger, ex->heap, ex->heap_len * sizeof(*bigger));
	old = ex->heap;
	ex->heap = bigger;
	ex->heap_cap = cap;
	spin_unlock_irqrestore(&ex->lock, flags);
	kfree(old);
	return 0;
}

/* ---- the one kernel event ---- */

/*
 * Have the kernel event fire no later than the earliest deadline. If it is
 * armed for later and cannot be cancelled, its callback is already due: it
 * takes the lock after us and re-arms for whatever is earliest then.
 */
static void arm_earliest_locked(struct executor *ex) __must_hold(&ex->lock)
{
	uint64_t d;

	if (!ex->heap_len)
		return;
	d = ex->heap[0]->deadline;
	if (ex->ev_armed) {
		if (ex->ev_deadline <= d || !timer_event_cancel(&ex->ev))
			return;
		ex->ev_armed = false;
	}
	if (timer_event_arm(&ex->ev, d) == 0) {
		ex->ev_armed = true;
		ex->ev_deadline = d;
	}
}

void async_timer_event_fired(struct timer_event *ev, void *ctx)
{
	struct executor *ex = ctx;
	struct async_timer *t;
	uint64_t now = clock_monotonic_ns();

	(void)ev;
	spin_lock(&ex->lock);
	ex->ev_armed = false;
	while (ex->heap_len && ex->heap[0]->deadline <= now) {
		t = ex->heap[0];
		heap_remove_locked(ex, t);
		ex->timers_fired++;
		async_wake_locked(ex, &t->waker);
	}
	arm_earliest_locked(ex);
	spin_unlock(&ex->lock);
}

void async_timers_shutdown(struct executor *ex)
{
	uint64_t flags = spin_lock_irqsave(&ex->lock);
	bool armed;

	while (ex->heap_len)
		heap_remove_locked(ex, ex->heap[0]);
	if (ex->ev_armed && timer_event_cancel(&ex->ev))
		ex->ev_armed = false;
	armed = ex->ev_armed;
	spin_unlock_irqrestore(&ex->lock, flags);
	/* A callback is due on another CPU: it clears ev_armed, and re-arms nothing. */
	while (armed) {
		arch_cpu_relax();
		flags = spin_lock_irqsave(&ex->lock);
		armed = ex->ev_armed;
		spin_unlock_irqrestore(&ex->lock, flags);
	}
	kfree(ex->heap);
	ex->heap = NULL;
	ex->heap_cap = 0;
}

/* ---- timers ---- */

void async_timer_init(struct async_timer *t)
{
	t->deadline = 0;
	t->waker = (struct waker){ .ex = NULL, .slot = ASYNC_NONE, .gen = 0 };
	t->ex = NULL;
	t->idx = ASYNC_NONE;
}

int async_timer_arm(struct async_timer *t, const struct waker *w, uint64_t deadline_ns)
{
	struct executor *ex = w->ex, *old = __atomic_load_n(&t->ex, __ATOMIC_ACQUIRE);
	uint64_t flags;
	int err;

	if (!ex)
		return -EINVAL;
	if (old && old != ex) /* moving to another executor (rare): leave the old heap */
		async_timer_cancel(t);
	err = heap_reserve(ex);
	if (err)
		return err;
	flags = spin_lock_irqsave(&ex->lock);
	t->waker = *w;
	if (t->ex == ex && t->deadline != deadline_ns)
		heap_remove_locked(ex, t);
	if (t->ex != ex) {
		t->deadline = deadline_ns;
		t->ex = ex;
		heap_insert_locked(ex, t);
		if (t->idx == 0)
			arm_earliest_locked(ex);
	}
	spin_unlock_irqrestore(&ex->lock, flags);
	return 0;
}

void async_timer_cancel(struct async_timer *t)
{
	/* Only the owner arms; the callback only clears t->ex (under the lock). */
	struct executor *ex = __atomic_load_n(&t->ex, __ATOMIC_ACQUIRE);
	uint64_t flags;

	if (!ex)
		return;
	flags = spin_lock_irqsave(&ex->lock);
	if (t->ex == ex)
		heap_remove_locked(ex, t);
	spin_unlock_irqrestore(&ex->lock, flags);
}

/* ---- the sleep future ---- */

static enum async_poll sleep_poll(struct future *f, const struct waker *w)
{
	struct async_sleep *s = container_of(f, struct async_sleep, f);
	int err;

	if (clock_monotonic_ns() >= s->deadline) {
		async_timer_cancel(&s->t); /* polled for another reason before it fired */
		return async_ready(f, 0);
	}
	err = async_timer_arm(&s->t, w, s->deadline);
	if (err)
		return async_ready(f, err);
	return ASYNC_PENDING;
}

static void sleep_drop(struct future *f)
{
	struct async_sleep *s = container_of(f, struct async_sleep, f);

	async_timer_cancel(&s->t);
}

void async_sleep_until_init(struct async_sleep *s, uint64_t deadline_ns)
{
	future_init(&s->f, sleep_poll, sleep_drop);
	async_timer_init(&s->t);
	s->deadline = deadline_ns;
}

void async_sleep_ns_init(struct async_sleep *s, uint64_t ns)
{
	uint64_t now = clock_monotonic_ns();

	async_sleep_until_init(s, ns > TIME_NEVER - now ? TIME_NEVER : now + ns);
}
