/* SPDX-License-Identifier: MIT */
/*
 * Locks that sleep: mutex, counting semaphore, condition variable and
 * read-write lock, all built on wait queues (sched/wait.h). A waiter
 * blocks its task and lets the CPU run others, so these are for task
 * context only; interrupt handlers use spinlocks. Misuse that would
 * deadlock or corrupt state (taking a mutex you hold, unlocking one you
 * do not, blocking in an interrupt) panics with the lock's name.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stdint.h>

#include "sched/spinlock.h"
#include "sched/wait.h"

struct task;

/* Locks: [a] atomic; [Q] wq.lock. A capability for -Wthread-safety, as spinlocks are. */
struct mutex {
	struct task *owner; /* [a] NULL when free */
	struct waitq wq;
	const char *name;
} __capability("mutex");

#define MUTEX_INIT(self, n)                                             \
	{                                                               \
		.owner = 0, .wq = WAITQ_INIT((self).wq, n), .name = (n) \
	}

void mutex_init(struct mutex *m, const char *name);
void mutex_lock(struct mutex *m) __acquires(m);
/* Returns -EINTR if a kill is pending for the caller (it then does not hold @m). */
int __must_check mutex_lock_killable(struct mutex *m) __try_acquires(0, m);
bool mutex_trylock(struct mutex *m) __try_acquires(true, m);
void mutex_unlock(struct mutex *m) __releases(m);
bool mutex_held(const struct mutex *m); /* by the caller */

struct semaphore {
	struct spinlock lock;
	int64_t count; /* [lock] */
	struct waitq wq;
};

void sem_init(struct semaphore *s, int64_t count, const char *name);
/* Take one unit, waiting until @deadline_ns (TIME_NEVER: forever). 0 or -ETIMEDOUT. */
int __must_check sem_down_until(struct semaphore *s, uint64_t deadline_ns);
void sem_down(struct semaphore *s);
bool sem_trydown(struct semaphore *s);
/* Give one unit back; any context, interrupts included. */
void sem_up(struct semaphore *s);

struct condvar {
	struct waitq wq;
};

void cond_init(struct condvar *c, const char *name);
/*
 * Release @m, wait for a signal, take @m again. The caller holds @m and
 * must test its predicate in a loop: wake-ups may be spurious.
 */
void cond_wait(struct condvar *c, struct mutex *m) __must_hold(m);
/* As cond_wait(), giving up at @deadline_ns: 0 or -ETIMEDOUT (@m held either way). */
int cond_wait_until(struct condvar *c, struct mutex *m, uint64_t deadline_ns) __must_hold(m);
void cond_signal(struct condvar *c);
void cond_broadcast(struct condvar *c);

/* Many readers or one writer; a waiting writer stops new readers (no writer starvation). */
struct rwlock {
	struct spinlock lock;
	int readers;              /* [lock] holders reading */
	bool writer;              /* [lock] a writer holds it */
	unsigned writers_waiting; /* [lock] */
	struct waitq wq;
} __capability("rwlock");

void rwlock_init(struct rwlock *rw, const char *name);
void rwlock_read_lock(struct rwlock *rw) __acquires_shared(rw);
void rwlock_read_unlock(struct rwlock *rw) __releases_shared(rw);
void rwlock_write_lock(struct rwlock *rw) __acquires(rw);
void rwlock_write_unlock(struct rwlock *rw) __releases(rw);
