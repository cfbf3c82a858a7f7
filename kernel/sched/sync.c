// SPDX-License-Identifier: MIT
/*
 * Mutex, semaphore, condition variable and read-write lock over wait
 * queues. Each waits with waitq_wait(), which registers the waiter before
 * testing the condition, so an unlock racing a lock on another CPU cannot
 * be lost; a wake handed to a waiter that then gives up (timeout, kill) is
 * passed on by waitq_wait(). The mutex is not fair: a running task may take
 * it before a woken waiter gets there, which keeps the lock busy instead of
 * idle while the waiter is scheduled.
 */
#include "sched/sync.h"

#include <cairn/errno.h>

#include <stddef.h>

#include "core/panic.h"
#include "sched/sched.h"
#include "sched/task.h"
#include "time/time.h"

/* ---- mutex ---- */

/*
 * The lock and unlock calls below are where a mutex or rwlock is taken and
 * given back, which the analysis cannot see through (an atomic owner word,
 * a wait): their prototypes in sync.h say what they do, and callers are
 * checked against those.
 */

void mutex_init(struct mutex *m, const char *name)
{
	m->owner = NULL;
	waitq_init(&m->wq, name);
	m->name = name;
}

__no_thread_safety_analysis bool mutex_trylock(struct mutex *m)
{
	struct task *expected = NULL, *self = task_current();

	return __atomic_compare_exchange_n(&m->owner, &expected, self, false, __ATOMIC_ACQUIRE,
	                                   __ATOMIC_RELAXED);
}

static bool mutex_taken(void *ctx)
{
	/* Registered, then a barrier, then the owner: pairs with mutex_unlock()'s waitq_active(). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return mutex_trylock(ctx);
}

__no_thread_safety_analysis static int mutex_lock_flags(struct mutex *m, unsigned flags)
{
	if (__atomic_load_n(&m->owner, __ATOMIC_RELAXED) == task_current())
		panic("mutex %s: taken twice by %s", m->name, task_current()->name);
	if (mutex_trylock(m))
		return 0;
	if (!sched_can_block())
		panic("mutex %s: would sleep in an interrupt or under a spinlock", m->name);
	return waitq_wait(&m->wq, mutex_taken, m, flags, TIME_NEVER);
}

__no_thread_safety_analysis void mutex_lock(struct mutex *m)
{
	while (mutex_lock_flags(m, 0))
		;
}

__no_thread_safety_analysis int mutex_lock_killable(struct mutex *m)
{
	return mutex_lock_flags(m, WAIT_KILLABLE);
}

__no_thread_safety_analysis void mutex_unlock(struct mutex *m)
{
	if (__atomic_load_n(&m->owner, __ATOMIC_RELAXED) != task_current())
		panic("mutex %s: unlocked by %s, which does not hold it", m->name,
		      task_current() ? task_current()->name : "?");
	__atomic_store_n(&m->owner, NULL, __ATOMIC_RELEASE);
	/* Nobody queued: no lock to take (the common, uncontended case). */
	if (waitq_active(&m->wq))
		waitq_wake_one(&m->wq);
}

bool mutex_held(const struct mutex *m)
{
	return __atomic_load_n(&m->owner, __ATOMIC_RELAXED) == task_current();
}

/* ---- semaphore ---- */

void sem_init(struct semaphore *s, int64_t count, const char *name)
{
	spin_init(&s->lock, name);
	s->count = count;
	waitq_init(&s->wq, name);
}

bool sem_trydown(struct semaphore *s)
{
	uint64_t flags = spin_lock_irqsave(&s->lock);
	bool ok = s->count > 0;

	if (ok)
		s->count--;
	spin_unlock_irqrestore(&s->lock, flags);
	return ok;
}

static bool sem_taken(void *ctx)
{
	return sem_trydown(ctx);
}

int sem_down_until(struct semaphore *s, uint64_t deadline_ns)
{
	if (sem_trydown(s))
		return 0;
	return waitq_wait(&s->wq, sem_taken, s, 0, deadline_ns);
}

void sem_down(struct semaphore *s)
{
	while (sem_down_until(s, TIME_NEVER))
		;
}

void sem_up(struct semaphore *s)
{
	uint64_t flags = spin_lock_irqsave(&s->lock);

	s->count++;
	spin_unlock_irqrestore(&s->lock, flags);
	waitq_wake_one(&s->wq);
}

/* ---- condition variable ---- */

void cond_init(struct condvar *c, const char *name)
{
	waitq_init(&c->wq, name);
}

int cond_wait_until(struct condvar *c, struct mutex *m, uint64_t deadline_ns)
{
	struct waiter w = { 0 };
	int err = 0;

	if (!mutex_held(m))
		panic("condvar: waiting without holding mutex %s", m->name);
	/* Registered before the mutex is released: a signal after the unlock finds us. */
	waitq_prepare(&c->wq, &w);
	mutex_unlock(m);
	if (deadline_ns != TIME_NEVER && clock_monotonic_ns() >= deadline_ns)
		err = -ETIMEDOUT;
	else
		sched_block_until(deadline_ns);
	if (waitq_finish(&c->wq, &w)) {
		if (err) /* a signal we will not act on: pass it on */
			waitq_wake_one(&c->wq);
	} else if (deadline_ns != TIME_NEVER && clock_monotonic_ns() >= deadline_ns) {
		err = -ETIMEDOUT;
	}
	mutex_lock(m);
	return err;
}

void cond_wait(struct condvar *c, struct mutex *m)
{
	(void)cond_wait_until(c, m, TIME_NEVER);
}

void cond_signal(struct condvar *c)
{
	waitq_wake_one(&c->wq);
}

void cond_broadcast(struct condvar *c)
{
	waitq_wake_all(&c->wq);
}

/* ---- read-write lock ---- */

void rwlock_init(struct rwlock *rw, const char *name)
{
	spin_init(&rw->lock, name);
	rw->readers = 0;
	rw->writer = false;
	rw->writers_waiting = 0;
	waitq_init(&rw->wq, name);
}

static bool try_read(void *ctx)
{
	struct rwlock *rw = ctx;
	uint64_t flags = spin_lock_irqsave(&rw->lock);
	bool ok = !rw->writer && !rw->writers_waiting;

	if (ok)
		rw->readers++;
	spin_unlock_irqrestore(&rw->lock, flags);
	return ok;
}

static bool try_write(void *ctx)
{
	struct rwlock *rw = ctx;
	uint64_t flags = spin_lock_irqsave(&rw->lock);
	bool ok = !rw->writer && rw->readers == 0;

	if (ok) {
		rw->writer = true;
		rw->writers_waiting--;
	}
	spin_unlock_irqrestore(&rw->lock, flags);
	return ok;
}

__no_thread_safety_analysis void rwlock_read_lock(struct rwlock *rw)
{
	while (waitq_wait(&rw->wq, try_read, rw, 0, TIME_NEVER))
		;
}

__no_thread_safety_analysis void rwlock_read_unlock(struct rwlock *rw)
{
	uint64_t flags = spin_lock_irqsave(&rw->lock);
	bool last;

	if (rw->readers <= 0)
		panic("rwlock: read unlock of an rwlock with no readers");
	last = --rw->readers == 0;
	spin_unlock_irqrestore(&rw->lock, flags);
	if (last)
		waitq_wake_all(&rw->wq);
}

__no_thread_safety_analysis void rwlock_write_lock(struct rwlock *rw)
{
	uint64_t flags = spin_lock_irqsave(&rw->lock);

	rw->writers_waiting++;
	spin_unlock_irqrestore(&rw->lock, flags);
	while (waitq_wait(&rw->wq, try_write, rw, 0, TIME_NEVER))
		;
}

__no_thread_safety_analysis void rwlock_write_unlock(struct rwlock *rw)
{
	uint64_t flags = spin_lock_irqsave(&rw->lock);

	if (!rw->writer)
		panic("rwlock: write unlock of an rwlock no writer holds");
	rw->writer = false;
	spin_unlock_irqrestore(&rw->lock, flags);
	waitq_wake_all(&rw->wq);
}
