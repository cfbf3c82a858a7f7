/* SPDX-License-Identifier: MIT */
/*
 * Wait queues: tasks waiting for a condition another task or an interrupt
 * makes true. A waiter lives on the waiting task's stack. The waker makes
 * the condition true first, then wakes; the waiter registers and marks
 * itself blocked before it tests the condition, so no wake-up is lost.
 */
#pragma once

#include <cairn/compiler.h>

#include <lib/list/list.h>

#include <stdbool.h>
#include <stdint.h>

#include "sched/spinlock.h"

struct task;

struct waiter;

/*
 * A callback waiter's function (poll and epoll, fs/poll.c): called by every
 * wake of the queue with its lock held and interrupts off, in any context
 * (an interrupt handler may be the waker), with @key the POLL* events the
 * waker says changed (0: unknown). It must not sleep or take locks that
 * are held while waking; it stays on the queue until waitq_remove().
 */
typedef void (*waiter_fn)(struct waiter *w, unsigned key);

/* Locks: [Q] the queue's lock. */
struct waiter {
	struct task *task;     /* [I] the task to wake (task waiters) */
	struct list_node link; /* [Q] on the queue (zeroed or poisoned when not) */
	bool woken;            /* [Q] a wake took it off the queue */
	waiter_fn fn;          /* [I] NULL: a task waiter; else a callback waiter */
};

struct waitq {
	struct spinlock lock;
	struct list_node waiters; /* [Q] struct waiter by link, first to wake first */
};

/* A static initialiser: @self is the waitq being initialised, @n its lock's name. */
#define WAITQ_INIT(self, n)                                                    \
	{                                                                      \
		.lock = SPINLOCK_INIT(n), .waiters = LIST_INIT((self).waiters) \
	}

void waitq_init(struct waitq *wq, const char *name);

/* Register @w (if it is not queued yet) and mark the calling task blocked. */
void waitq_prepare(struct waitq *wq, struct waiter *w);
/* Take @w off @wq and mark the task running. Returns true if a wake picked it. */
bool waitq_finish(struct waitq *wq, struct waiter *w);

/*
 * Wake the first task waiter / all task waiters. Return how many tasks.
 * Callback waiters are called by every wake (with key 0) and not counted.
 * Any context.
 */
unsigned waitq_wake_one(struct waitq *wq);
unsigned waitq_wake_all(struct waitq *wq);
/* waitq_wake_all() telling callback waiters that the events @key changed. */
unsigned waitq_wake_key(struct waitq *wq, unsigned key);

/*
 * Put callback waiter @w (w->fn set) on @wq until waitq_remove(). Any
 * context. @w must not be on a queue.
 */
void waitq_add_callback(struct waitq *wq, struct waiter *w);
/* Take callback waiter @w off @wq; once it returns, @w->fn runs no more. */
void waitq_remove(struct waitq *wq, struct waiter *w);

/*
 * Whether a wake of @wq would reach anyone: a full barrier, then a look at
 * the list. A waker that changed the state its waiters test calls it
 * before waking, to skip the wake when nobody waits; the waiter registers
 * before it tests the state (waitq_prepare(), or a barrier after
 * waitq_add_callback() as poll_wait() has), so one of the two sees the
 * other's write.
 */
bool waitq_active(struct waitq *wq);

#define WAIT_KILLABLE 1u /* end early with -EINTR when task_kill() asked */

/*
 * Block until @cond(@ctx) is true, or @deadline_ns (monotonic; TIME_NEVER:
 * none) passes, or, with WAIT_KILLABLE, a kill is pending. Returns 0,
 * -ETIMEDOUT or -EINTR. @cond runs with no lock held; it may take what it
 * tests for (a lock, a unit) when it returns true, and nothing otherwise.
 * A wake that picked this waiter but was not used (timeout, kill) is
 * passed on to the next waiter. Task context only.
 */
int __must_check waitq_wait(struct waitq *wq, bool (*cond)(void *ctx), void *ctx, unsigned flags,
                            uint64_t deadline_ns);
