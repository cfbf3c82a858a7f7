/* SPDX-License-Identifier: MIT */
/*
 * The async executor: futures in C. A future is a poll function over a
 * state struct the caller owns; polling either finishes it (ASYNC_READY,
 * with an int result) or leaves it pending after it handed its waker to
 * whatever will make progress possible (a timer, an input source, another
 * CPU). An executor polls the futures spawned on it from one task and puts
 * that task to sleep while none can progress; a waker makes its future
 * ready again and wakes the task, from any context on any CPU. Timers,
 * readiness sources (serial input; the keyboard and the network later) and
 * the join-all and select combinators are built on that. Design and a
 * worked example: docs/async.md.
 */
#pragma once

#include <cairn/compiler.h>

#include <lib/list/list.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sched/spinlock.h"
#include "time/time.h"

#define ASYNC_NONE UINT32_MAX /* no slot, no heap position, end of a list */

struct executor;
struct task;

enum async_poll {
	ASYNC_PENDING = 0, /* not finished; the waker will be called when it may progress */
	ASYNC_READY = 1,   /* finished; the result is in future->result */
};

enum future_state {
	FUTURE_IDLE = 0,    /* never polled */
	FUTURE_PENDING = 1, /* polled, not finished */
	FUTURE_DONE = 2,    /* returned ASYNC_READY; never polled again */
	FUTURE_DROPPED = 3, /* abandoned before it finished; its drop function ran */
};

/*
 * Who to tell that a pending future may progress: its executor and the
 * slot it was spawned in, with the slot's generation so that a waker kept
 * past its future's end does nothing. A small value, copied freely; it must
 * not outlive its executor.
 */
struct waker {
	struct executor *ex; /* NULL: a waker that does nothing */
	uint32_t slot;       /* index in ex's slot table */
	uint32_t gen;        /* the slot's generation when the waker was made */
};

/*
 * A future, embedded in the state of whoever implements it (container_of).
 * @poll runs in the executor's task, never concurrently with itself; it
 * must not block. @drop undoes every registration a pending future made
 * (timers, sources) so its memory may be freed; NULL when there are none.
 * Locks: [X] the task running the executor (or the owner before spawning).
 */
struct future {
	enum async_poll (*poll)(struct future *f, const struct waker *w); /* [I] */
	void (*drop)(struct future *f);                                   /* [I] or NULL */
	int result;    /* [X] the output, valid once state is FUTURE_DONE */
	uint8_t state; /* [X] enum future_state */
};

/* Prepare @f (state FUTURE_IDLE). */
void future_init(struct future *f, enum async_poll (*poll)(struct future *f, const struct waker *w),
                 void (*drop)(struct future *f));

/*
 * Poll @f once with waker @w unless it already finished. Returns
 * ASYNC_READY when it is done (now or before; result in f->result).
 * The executor's task only; combinators poll their children with this.
 */
enum async_poll future_poll(struct future *f, const struct waker *w);

/* Abandon @f if it has not finished: run its drop function. Task context. */
void future_drop(struct future *f);

static inline bool future_done(const struct future *f)
{
	return f->state == FUTURE_DONE;
}

/* In a poll function: finish with @result. `return async_ready(f, n);` */
static inline enum async_poll async_ready(struct future *f, int result)
{
	f->result = result;
	return ASYNC_READY;
}

/*
 * Make the future of @w ready to be polled again and wake its executor's
 * task. Does nothing if it is already queued, or if the waker is stale
 * (its future finished or was dropped, even if the slot was reused).
 * Any context, any CPU; takes the executor's lock with interrupts off.
 */
void waker_wake(const struct waker *w);

/* True if @a and @b wake the same future. */
static inline bool waker_same(const struct waker *a, const struct waker *b)
{
	return a->ex == b->ex && a->slot == b->slot && a->gen == b->gen;
}

/* ---- the executor ---- */

struct async_slot;
struct async_timer;

/*
 * Locks: [L] ex->lock (interrupts off; wakers take it from IRQ context);
 * [X] the owning task: the one in executor_run(), or the one that set the
 * executor up while none runs it; [I] set by executor_init().
 */
struct executor {
	struct spinlock lock;
	struct async_slot *slots;  /* [I] cap entries (fields tagged in async_internal.h) */
	uint32_t cap;              /* [I] futures that may be spawned at once */
	uint32_t live;             /* [X] spawned and not finished */
	uint32_t free_head;        /* [X] first free slot */
	uint32_t ready_head;       /* [L] first slot to poll, or ASYNC_NONE */
	uint32_t ready_tail;       /* [L] */
	struct task *task;         /* [L] the task in executor_run(), or NULL */
	struct async_timer **heap; /* [L] armed timers, a binary min-heap by deadline */
	uint32_t heap_len;         /* [L] entries in heap[] */
	uint32_t heap_cap;         /* [L] room in heap[] (grown by the owner only) */
	struct timer_event ev;     /* fires for heap[0]; its callback takes [L] */
	uint64_t ev_deadline;      /* [L] what ev was armed for */
	bool ev_armed;             /* [L] ev is armed, or fired and its callback is due */
	uint64_t polls;            /* [X] polls made so far */
	uint64_t wakes;            /* [L] wakes that queued a future */
	uint64_t timers_fired;     /* [L] timers that expired and woke their future */
};

/*
 * Set up @ex for up to @capacity futures at once. Returns 0, -EINVAL
 * (capacity 0 or above 2^24) or -ENOMEM. May allocate; task context.
 */
int __must_check executor_init(struct executor *ex, uint32_t capacity, const char *name);

/*
 * Drop every future still spawned (their drop functions unregister them),
 * wait for a timer callback that may be running on another CPU, free the
 * tables. The owner only, not while executor_run() runs; task context.
 */
void executor_destroy(struct executor *ex);

/*
 * Hand @f (state FUTURE_IDLE) to @ex; it is polled first in the next
 * executor_run(), or in the running one if called from a poll function.
 * Returns 0, -EINVAL (no poll function, already polled) or -ENOSPC (full).
 * The owner only.
 */
int __must_check executor_spawn(struct executor *ex, struct future *f);

/*
 * Poll the spawned futures as they become ready, blocking the calling
 * task while none is, until every one finished (results in each future's
 * result field). Returns 0, -EINTR (task_kill() asked; the futures stay
 * spawned), -EINVAL (not a task that may block) or -EBUSY (another task
 * runs @ex). Task context; it may sleep.
 */
int __must_check executor_run(struct executor *ex);

/*
 * Run @f to its end on a one-future executor of its own, in the calling
 * task. Returns f's result, or -ENOMEM, -EINVAL or -EINTR as executor_init()
 * and executor_run() do (@f is dropped then).
 */
int async_block_on(struct future *f);

/* ---- timers: one heap per executor, one kernel timer event for its earliest ---- */

/* Locks: [L] the lock of the executor whose heap holds it; [X] its owner. */
struct async_timer {
	uint64_t deadline;   /* [L] monotonic ns */
	struct waker waker;  /* [L] woken when the deadline passed */
	struct executor *ex; /* [L] the executor whose heap holds it, NULL when not armed */
	uint32_t idx;        /* [L] position in ex->heap, ASYNC_NONE when not armed */
};

void async_timer_init(struct async_timer *t);
/*
 * Wake @w once monotonic time @deadline_ns passed, never before; re-arming
 * an armed timer moves it. Returns 0, -EINVAL (a waker with no executor) or
 * -ENOMEM. O(log n) in the executor's timers. A poll function only.
 */
int __must_check async_timer_arm(struct async_timer *t, const struct waker *w,
                                 uint64_t deadline_ns);
/* Disarm @t; after it returns @t is not referenced any more. Task context. */
void async_timer_cancel(struct async_timer *t);

/* A future that finishes (result 0) once monotonic time reaches a deadline. */
struct async_sleep {
	struct future f;
	struct async_timer t;
	uint64_t deadline; /* [X] monotonic ns */
};

void async_sleep_until_init(struct async_sleep *s, uint64_t deadline_ns);
/* The deadline is @ns from now (from the call, not from the first poll). */
void async_sleep_ns_init(struct async_sleep *s, uint64_t ns);

/* ---- readiness sources: serial input now, the keyboard and the network later ---- */

struct async_source;

/* A future's registration on a source. Locks: [S] the source's lock; [X] the owner. */
struct async_wait {
	struct waker waker;       /* [S] */
	struct async_source *src; /* [X] the source it was last registered on */
	struct list_node link;    /* [S] on src's list; zeroed or poisoned when not registered */
};

/*
 * Something that becomes ready from an interrupt or another task: it keeps
 * the wakers of the futures waiting for it and wakes them all when its
 * owner calls async_source_notify(). Locks: [S] src->lock, interrupts off.
 */
struct async_source {
	struct spinlock lock;
	struct list_node waits; /* [S] registered struct async_wait by link */
	uint64_t notifies;      /* [S] notifications so far */
};

void async_source_init(struct async_source *src, const char *name);
/* Prepare @wt: not registered anywhere. */
void async_wait_init(struct async_wait *wt);

/*
 * Register @wt so that the next notification of @src wakes @w (a wait
 * already registered there only gets the new waker). A poll function calls
 * it before it tests for data: data that arrives after the test notifies,
 * so no wake-up is lost. Any context.
 */
void async_source_wait(struct async_source *src, struct async_wait *wt, const struct waker *w);
/* Unregister @wt if it is registered; afterwards @src does not reference it. Any context. */
void async_source_cancel(struct async_wait *wt);
/* True if @wt is registered (a hint when not called under the source). */
bool async_source_waiting(const struct async_wait *wt);

/*
 * Data arrived: wake every registered future and unregister it. Any
 * context, any CPU. _ctx is the same for a void (*)(void *) hook such as
 * input_set_notify(async_source_notify_ctx, &src).
 */
void async_source_notify(struct async_source *src);
void async_source_notify_ctx(void *src);

/* ---- combinators ---- */

/*
 * A future that finishes when all @n children finished; its result is 0,
 * or the first negative child result in child order. Each child's own
 * result stays in its result field. Children are polled with the join's
 * waker: a wake polls every unfinished child again (O(n) per wake).
 * Dropping the join drops the unfinished children.
 */
struct async_join {
	struct future f;
	struct future **children; /* [X] n futures, owned by the caller */
	unsigned n;               /* [X] */
	unsigned left;            /* [X] children not finished */
};

void async_join_init(struct async_join *j, struct future **children, unsigned n);

/*
 * A future that finishes when the first of its @n children finishes (the
 * lowest index if several are ready in one poll); its result is that
 * child's index, the child's own result is in its result field, and every
 * other child is dropped (its timers and source waits cancelled) before the
 * select reports ready. With no children it finishes at once with -EINVAL.
 */
struct async_select {
	struct future f;
	struct future **children; /* [X] n futures, owned by the caller */
	unsigned n;               /* [X] */
};

void async_select_init(struct async_select *s, struct future **children, unsigned n);
