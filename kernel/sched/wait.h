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

/* Locks: [Q] the queue's lock. */
struct waiter {
	struct task *task;     /* [I] */
	struct list_node link; /* [Q] on the queue (zeroed or poisoned when not) */
	bool woken;            /* [Q] a wake took it off the queue */
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

/* Wake the first waiter / all waiters. Return how many. Any context. */
unsigned waitq_wake_one(struct waitq *wq);
unsigned waitq_wake_all(struct waitq *wq);

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
