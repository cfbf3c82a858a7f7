// SPDX-License-Identifier: MIT
/*
 * The async executor: a slot table of spawned futures, a ready queue of
 * the slots whose waker fired, and the task that polls them. Wakers come
 * from any CPU and from IRQ context (timer callbacks, device interrupts),
 * so the ready queue is under a spinlock taken with interrupts off; the
 * task blocks with the sched_prepare_block() pattern, so a wake between
 * its test of the queue and its sleep is never lost. Timers are in
 * async_timer.c, sources in async_source.c, combinators in async_combine.c.
 * Locks: [L] ex->lock, [X] the owning task (async.h). Lock order:
 * async.source -> async.executor -> sched.rq -> timer.
 */
#include "sched/async.h"

#include <cairn/errno.h>

#include <stddef.h>

#include "core/panic.h"
#include "mm/heap.h"
#include "sched/async_internal.h"
#include "sched/sched.h"
#include "sched/task.h"

#define ASYNC_MAX_CAPACITY (1u << 24)

/* ---- futures ---- */

void future_init(struct future *f, enum async_poll (*poll)(struct future *f, const struct waker *w),
                 void (*drop)(struct future *f))
{
	f->poll = poll;
	f->drop = drop;
	f->result = 0;
	f->state = FUTURE_IDLE;
}

enum async_poll future_poll(struct future *f, const struct waker *w)
{
	if (f->state == FUTURE_DONE || f->state == FUTURE_DROPPED)
		return ASYNC_READY;
	if (f->poll(f, w) == ASYNC_PENDING) {
		f->state = FUTURE_PENDING;
		return ASYNC_PENDING;
	}
	f->state = FUTURE_DONE;
	return ASYNC_READY;
}

void future_drop(struct future *f)
{
	if (f->state == FUTURE_DONE || f->state == FUTURE_DROPPED)
		return;
	if (f->drop)
		f->drop(f);
	f->state = FUTURE_DROPPED;
}

/* ---- the ready queue and wakers ---- */

static void ready_push_locked(struct executor *ex, uint32_t i) __must_hold(&ex->lock)
{
	ex->slots[i].next_ready = ASYNC_NONE;
	ex->slots[i].queued = true;
	if (ex->ready_tail == ASYNC_NONE)
		ex->ready_head = i;
	else
		ex->slots[ex->ready_tail].next_ready = i;
	ex->ready_tail = i;
}

bool async_wake_locked(struct executor *ex, const struct waker *w) __must_hold(&ex->lock)
{
	struct async_slot *s;
	struct task *t;

	spin_assert_held(&ex->lock);
	if (w->slot >= ex->cap)
		return false;
	s = &ex->slots[w->slot];
	if (!s->f || s->gen != w->gen || s->queued)
		return false;
	ready_push_locked(ex, w->slot);
	ex->wakes++;
	/*
	 * Under the lock: executor_run() clears task under it before the task
	 * may end. A future waking itself (the task is current and running)
	 * needs no task_wake(): only the task itself can make itself BLOCKED,
	 * and it tests the queue after that.
	 */
	t = ex->task;
	if (t &&
	    (t != task_current() || __atomic_load_n(&t->state, __ATOMIC_SEQ_CST) != TASK_RUNNING))
		task_wake(t);
	return true;
}

void waker_wake(const struct waker *w)
{
	struct executor *ex = w->ex;
	uint64_t flags;

	if (!ex)
		return;
	flags = spin_lock_irqsave(&ex->lock);
	async_wake_locked(ex, w);
	spin_unlock_irqrestore(&ex->lock, flags);
}

/*
 * Take the first queued slot that still holds a future: its future goes
 * to *@f and its waker to *@w. Returns false when the queue is empty.
 */
static bool ready_pop(struct executor *ex, struct future **f, struct waker *w)
{
	uint64_t flags = spin_lock_irqsave(&ex->lock);
	struct async_slot *s;
	uint32_t i;
	bool found = false;

	while (!found && (i = ex->ready_head) != ASYNC_NONE) {
		s = &ex->slots[i];
		ex->ready_head = s->next_ready;
		if (ex->ready_head == ASYNC_NONE)
			ex->ready_tail = ASYNC_NONE;
		/* Cleared before the poll: a wake during the poll queues it again. */
		s->queued = false;
		if (!s->f)
			continue; /* finished after it was queued */
		*f = s->f;
		*w = (struct waker){ .ex = ex, .slot = i, .gen = s->gen };
		found = true;
	}
	spin_unlock_irqrestore(&ex->lock, flags);
	return found;
}

/* ---- the slot table ---- */

int executor_init(struct executor *ex, uint32_t capacity, const char *name)
{
	uint32_t i;

	if (!capacity || capacity > ASYNC_MAX_CAPACITY)
		return -EINVAL;
	ex->slots = kmalloc_flags(capacity * sizeof(*ex->slots), KM_MAY_FAIL);
	if (!ex->slots)
		return -ENOMEM;
	spin_init(&ex->lock, name);
	for (i = 0; i < capacity; i++) {
		ex->slots[i] = (struct async_slot){ .next_ready = ASYNC_NONE, .next_free = i + 1 };
	}
	ex->slots[capacity - 1].next_free = ASYNC_NONE;
	ex->cap = capacity;
	ex->live = 0;
	ex->free_head = 0;
	ex->ready_head = ex->ready_tail = ASYNC_NONE;
	ex->task = NULL;
	ex->heap = NULL;
	ex->heap_len = ex->heap_cap = 0;
	timer_event_init(&ex->ev, async_timer_event_fired, ex);
	ex->ev_deadline = 0;
	ex->ev_armed = false;
	ex->polls = ex->wakes = ex->timers_fired = 0;
	return 0;
}

int executor_spawn(struct executor *ex, struct future *f)
{
	uint64_t flags;
	uint32_t i;

	if (!f->poll || f->state != FUTURE_IDLE)
		return -EINVAL;
	i = ex->free_head;
	if (i == ASYNC_NONE)
		return -ENOSPC;
	ex->free_head = ex->slots[i].next_free;
	ex->live++;
	f->state = FUTURE_PENDING; /* spawned: not again, not into another executor */
	flags = spin_lock_irqsave(&ex->lock);
	ex->slots[i].f = f;
	if (!ex->slots[i].queued) /* it may still be queued from its previous future */
		ready_push_locked(ex, i);
	spin_unlock_irqrestore(&ex->lock, flags);
	return 0;
}

/* The future in slot @i finished or was dropped: stale its wakers, free the slot. */
static void slot_release(struct executor *ex, uint32_t i)
{
	uint64_t flags = spin_lock_irqsave(&ex->lock);

	ex->slots[i].f = NULL;
	ex->slots[i].gen++;
	spin_unlock_irqrestore(&ex->lock, flags);
	ex->slots[i].next_free = ex->free_head;
	ex->free_head = i;
	ex->live--;
}

void executor_destroy(struct executor *ex)
{
	struct future *f;
	uint32_t i;

	ASSERT(!ex->task);
	for (i = 0; i < ex->cap; i++) {
		f = ex->slots[i].f;
		if (!f)
			continue;
		future_drop(f);
		slot_release(ex, i);
	}
	async_timers_shutdown(ex);
	kfree(ex->slots);
	ex->slots = NULL;
	ex->cap = 0;
	ex->free_head = ASYNC_NONE;
}

/* ---- running ---- */

/* Claim @ex for the calling task (NULL: give it back). Returns false if another has it. */
static bool set_runner(struct executor *ex, struct task *t)
{
	uint64_t flags = spin_lock_irqsave(&ex->lock);
	bool ok = !t || !ex->task;

	if (ok)
		ex->task = t;
	spin_unlock_irqrestore(&ex->lock, flags);
	return ok;
}

/*
 * Sleep until the ready queue is not empty or a kill is pending. The state is BLOCKED before
 * the test under the lock, so a waker that queues after the test finds the
 * task BLOCKED and its task_wake() makes sched_block() return.
 */
static void wait_ready(struct executor *ex)
{
	uint64_t flags;
	bool empty;

	sched_prepare_block();
	flags = spin_lock_irqsave(&ex->lock);
	empty = ex->ready_head == ASYNC_NONE;
	spin_unlock_irqrestore(&ex->lock, flags);
	/* task_kill() sets its flag, then wakes: tested after the state, it is not lost. */
	if (empty && !task_kill_pending())
		sched_block();
	else
		sched_cancel_block();
}

/* Poll the future of slot w->slot once; free the slot when it finished. */
static void poll_one(struct executor *ex, struct future *f, const struct waker *w)
{
	ex->polls++;
	if (future_poll(f, w) == ASYNC_READY)
		slot_release(ex, w->slot);
}

int executor_run(struct executor *ex)
{
	struct task *self = task_current();
	struct future *f;
	struct waker w;
	int err = 0;

	if (!sched_can_block() || !self)
		return -EINVAL;
	if (!set_runner(ex, self))
		return -EBUSY;
	while (ex->live) {
		if (task_kill_pending()) {
			err = -EINTR;
			break;
		}
		if (ready_pop(ex, &f, &w))
			poll_one(ex, f, &w);
		else
			wait_ready(ex);
	}
	set_runner(ex, NULL);
	return err;
}

int async_block_on(struct future *f)
{
	struct executor ex;
	int err;

	err = executor_init(&ex, 1, "async.block_on");
	if (err)
		return err;
	err = executor_spawn(&ex, f);
	if (!err)
		err = executor_run(&ex);
	executor_destroy(&ex);
	return err ? err : f->result;
}
