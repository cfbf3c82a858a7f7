/* SPDX-License-Identifier: MIT */
/*
 * What the files of the async executor share and nobody else needs: the
 * slot table entry, the locked wake and the timer heap's hooks for
 * executor_init() and executor_destroy(). Included only from kernel/sched/.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "sched/async.h"

/*
 * One spawned future. Locks: [L] ex->lock; [X] the executor's owner. The
 * owner changes f and gen under [L] too, so a waker reads them consistently.
 */
struct async_slot {
	struct future *f;    /* [L] the future, NULL when the slot is free */
	uint32_t gen;        /* [L] bumped each time the slot is freed */
	uint32_t next_ready; /* [L] ready-queue link */
	uint32_t next_free;  /* [X] free-list link */
	bool queued;         /* [L] on the ready queue */
};

/* Queue the future of @w unless stale or queued, and wake the executor's task. */
bool async_wake_locked(struct executor *ex, const struct waker *w) __must_hold(&ex->lock);

/* The executor's kernel timer event fired (IRQ context). */
void async_timer_event_fired(struct timer_event *ev, void *ctx);

/*
 * For executor_destroy(), once every future was dropped: forget timers
 * still in the heap, stop the kernel event and wait until a callback that
 * may be running on another CPU has left. Takes ex->lock; task context.
 */
void async_timers_shutdown(struct executor *ex);
