// SPDX-License-Identifier: MIT
/*
 * Sleeping locks and the task lifecycle under load: mutex and condition
 * variable stress across CPUs, semaphores with timeouts, the rwlock's
 * exclusion, wake-ups racing sleeps on other CPUs, orphans reaped with no
 * leak, and the task list `ps` reads.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include <stdbool.h>
#include <stdint.h>

#include "core/ktest.h"
#include "core/log.h"
#include "core/percpu.h"
#include "mm/pmm.h"
#include "sched/sched.h"
#include "sched/sync.h"
#include "sched/task.h"
#include "time/time.h"

#define WORKERS 8
#define ROUNDS  2000
#define MS      NSEC_PER_MSEC

static struct mutex mtx = MUTEX_INIT(mtx, "test.mutex");
static uint64_t counter; /* [mtx] */
static volatile unsigned in_section;

static int mutex_worker(void *arg)
{
	unsigned i, bad = 0;

	(void)arg;
	for (i = 0; i < ROUNDS; i++) {
		mutex_lock(&mtx);
		if (__atomic_fetch_add(&in_section, 1, __ATOMIC_RELAXED) != 0)
			bad++;
		counter++; /* not atomic: only the mutex makes this exact */
		if ((i & 63) == 0)
			task_yield(); /* hold it across a switch now and then */
		__atomic_fetch_sub(&in_section, 1, __ATOMIC_RELAXED);
		mutex_unlock(&mtx);
	}
	return (int)bad;
}

TEST(sync, mutex_excludes_across_cpus)
{
	struct task_handle h[WORKERS];
	struct task_result r;
	unsigned i;

	counter = 0;
	for (i = 0; i < WORKERS; i++)
		EXPECT_EQ(task_spawn(&h[i], "mutex", mutex_worker, NULL), 0);
	for (i = 0; i < WORKERS; i++) {
		EXPECT_EQ(task_join(h[i], &r), 0);
		EXPECT_EQ(r.how, TASK_END_RETURNED);
		EXPECT_EQ(r.value, 0);
	}
	EXPECT_EQ(counter, (uint64_t)WORKERS * ROUNDS);
	EXPECT_TRUE(!mutex_held(&mtx));
}

static struct mutex held = MUTEX_INIT(held, "test.held");

static int lock_killable(void *arg)
{
	(void)arg;
	return mutex_lock_killable(&held);
}

TEST(sync, killable_mutex_wait_returns_eintr)
{
	struct task_handle h;
	struct task_result r;

	mutex_lock(&held);
	EXPECT_EQ(task_spawn(&h, "waits", lock_killable, NULL), 0);
	task_sleep_ns(5 * MS); /* it blocks on the mutex main holds */
	EXPECT_EQ(task_kill(h), 0);
	EXPECT_EQ(task_join(h, &r), 0);
	EXPECT_EQ(r.how, TASK_END_RETURNED);
	EXPECT_EQ(r.value, -EINTR);
	EXPECT_TRUE(mutex_held(&held));
	mutex_unlock(&held);
}

/* Misuse on purpose, so the lock checker is told to look away. */
TEST_MUST_PANIC(sync, mutex_taken_twice_panics) __no_thread_safety_analysis
{
	static struct mutex m = MUTEX_INIT(m, "test.twice");

	mutex_lock(&m);
	mutex_lock(&m);
}

/* A bounded queue: producers and consumers on every CPU, one mutex, two condvars. */
#define QSIZE 16
static struct {
	struct mutex m;
	struct condvar not_full, not_empty;
	unsigned buf[QSIZE];
	unsigned head, len;
	uint64_t sum_in, sum_out;
} q;

static int producer(void *arg)
{
	unsigned i, base = (unsigned)(uintptr_t)arg * ROUNDS;

	for (i = 0; i < ROUNDS; i++) {
		mutex_lock(&q.m);
		while (q.len == QSIZE)
			cond_wait(&q.not_full, &q.m);
		q.buf[(q.head + q.len++) % QSIZE] = base + i;
		q.sum_in += base + i;
		cond_signal(&q.not_empty);
		mutex_unlock(&q.m);
	}
	return 0;
}

static int consumer(void *arg)
{
	unsigned i;

	(void)arg;
	for (i = 0; i < ROUNDS; i++) {
		mutex_lock(&q.m);
		while (q.len == 0)
			cond_wait(&q.not_empty, &q.m);
		q.sum_out += q.buf[q.head];
		q.head = (q.head + 1) % QSIZE;
		q.len--;
		cond_signal(&q.not_full);
		mutex_unlock(&q.m);
	}
	return 0;
}

TEST(sync, condvar_queue_loses_no_wakeup)
{
	struct task_handle p[4], c[4];
	unsigned i;

	memset(&q, 0, sizeof(q));
	mutex_init(&q.m, "test.q");
	cond_init(&q.not_full, "test.q.full");
	cond_init(&q.not_empty, "test.q.empty");
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(task_spawn(&p[i], "producer", producer, (void *)(uintptr_t)i), 0);
		EXPECT_EQ(task_spawn(&c[i], "consumer", consumer, NULL), 0);
	}
	/* A lost wake-up would leave a task blocked: join would never return. */
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(task_join(p[i], NULL), 0);
		EXPECT_EQ(task_join(c[i], NULL), 0);
	}
	EXPECT_EQ(q.len, 0);
	EXPECT_EQ(q.sum_in, q.sum_out);
}

TEST(sync, cond_wait_times_out)
{
	struct mutex m;
	struct condvar c;
	uint64_t t0 = clock_monotonic_ns();

	mutex_init(&m, "test.cm");
	cond_init(&c, "test.cv");
	mutex_lock(&m);
	EXPECT_EQ(cond_wait_until(&c, &m, t0 + 10 * MS), -ETIMEDOUT);
	EXPECT_TRUE(mutex_held(&m));
	mutex_unlock(&m);
	EXPECT_TRUE(clock_monotonic_ns() - t0 >= 10 * MS);
}

static struct semaphore sem;

static int sem_giver(void *arg)
{
	unsigned i, n = (unsigned)(uintptr_t)arg;

	for (i = 0; i < n; i++) {
		if (i % 8 == 0)
			task_sleep_ns(100 * 1000);
		sem_up(&sem);
	}
	return 0;
}

TEST(sync, semaphore_counts_and_times_out)
{
	struct task_handle h;
	uint64_t t0;
	unsigned i;

	sem_init(&sem, 0, "test.sem");
	EXPECT_TRUE(!sem_trydown(&sem));
	t0 = clock_monotonic_ns();
	EXPECT_EQ(sem_down_until(&sem, t0 + 5 * MS), -ETIMEDOUT);
	EXPECT_TRUE(clock_monotonic_ns() - t0 >= 5 * MS);
	EXPECT_EQ(task_spawn(&h, "giver", sem_giver, (void *)(uintptr_t)500), 0);
	for (i = 0; i < 500; i++)
		sem_down(&sem);
	EXPECT_EQ(task_join(h, NULL), 0);
	EXPECT_TRUE(!sem_trydown(&sem));
}

static struct rwlock rw;
static volatile int readers_in, writers_in;
static unsigned rw_bad;

static int rw_worker(void *arg)
{
	unsigned i, writer = (unsigned)(uintptr_t)arg;

	for (i = 0; i < 300; i++) {
		if (writer) {
			rwlock_write_lock(&rw);
			if (__atomic_fetch_add(&writers_in, 1, __ATOMIC_RELAXED) || readers_in)
				__atomic_fetch_add(&rw_bad, 1, __ATOMIC_RELAXED);
			task_yield();
			__atomic_fetch_sub(&writers_in, 1, __ATOMIC_RELAXED);
			rwlock_write_unlock(&rw);
		} else {
			rwlock_read_lock(&rw);
			__atomic_fetch_add(&readers_in, 1, __ATOMIC_RELAXED);
			if (writers_in)
				__atomic_fetch_add(&rw_bad, 1, __ATOMIC_RELAXED);
			task_yield();
			__atomic_fetch_sub(&readers_in, 1, __ATOMIC_RELAXED);
			rwlock_read_unlock(&rw);
		}
	}
	return 0;
}

TEST(sync, rwlock_excludes_writers)
{
	struct task_handle h[6];
	unsigned i;

	rwlock_init(&rw, "test.rw");
	rw_bad = 0;
	for (i = 0; i < 6; i++)
		EXPECT_EQ(task_spawn(&h[i], "rw", rw_worker, (void *)(uintptr_t)(i < 2)), 0);
	for (i = 0; i < 6; i++)
		EXPECT_EQ(task_join(h[i], NULL), 0);
	EXPECT_EQ(rw_bad, 0);
}

/* Orphans: handles dropped before and after the task ended are reaped. */
static int short_sleep(void *arg)
{
	task_sleep_ns((uint64_t)(uintptr_t)arg * 1000);
	return 0;
}

static bool settle(size_t tasks)
{
	uint64_t until = clock_monotonic_ns() + 2000 * MS;

	while (task_count() != tasks && clock_monotonic_ns() < until)
		task_sleep_ns(1 * MS);
	return task_count() == tasks;
}

static void orphan_round(unsigned n)
{
	struct task_handle h;
	unsigned i;

	for (i = 0; i < n; i++) {
		if (task_spawn(&h, "orphan", short_sleep, (void *)(uintptr_t)(i % 3 ? 500 : 0)))
			return;
		if (i % 2)
			task_sleep_ns(100 * 1000); /* some end before the drop */
		(void)task_drop(h);
	}
}

TEST(sync, orphans_are_reaped_without_leaks)
{
	size_t tasks = task_count();
	struct pmm_stats before, after;
	struct task_handle h;

	orphan_round(50); /* warm up: the heap grows once */
	EXPECT_TRUE(settle(tasks));
	task_stack_cache_drain(); /* the stacks kept for the next tasks are not a leak */
	pmm_stats(&before);
	orphan_round(300);
	EXPECT_TRUE(settle(tasks));
	task_stack_cache_drain();
	pmm_stats(&after);
	EXPECT_EQ(after.free, before.free);
	EXPECT_EQ(task_spawn(&h, "dropped", short_sleep, NULL), 0);
	EXPECT_EQ(task_drop(h), 0);
	EXPECT_EQ(task_drop(h), -ESRCH);
	EXPECT_EQ(task_join(h, NULL), -ESRCH);
}

static int blocks_a_while(void *arg)
{
	volatile int *started = arg;

	*started = 1;
	task_sleep_ns(200 * MS);
	return 0;
}

TEST(sync, task_list_shows_every_task)
{
	static struct task_info info[256];
	struct task_handle h;
	size_t n, i, idle = 0;
	bool main = false, reaper = false, mine = false;
	volatile int started = 0;

	EXPECT_EQ(task_spawn(&h, "listed", blocks_a_while, (void *)&started), 0);
	while (!started)
		task_sleep_ns(1 * MS);
	task_sleep_ns(5 * MS); /* it is asleep now, for 200 ms */
	n = task_list(info, 256);
	EXPECT_TRUE(n <= 256);
	for (i = 0; i < n; i++) {
		if (i > 0)
			EXPECT_TRUE(info[i - 1].id < info[i].id);
		idle += strcmp(info[i].name, "idle") == 0;
		main |= strcmp(info[i].name, "main") == 0 && info[i].state == TASK_RUNNING;
		reaper |= strcmp(info[i].name, "reaper") == 0;
		if (info[i].id == h.id) {
			mine = strcmp(info[i].name, "listed") == 0 &&
			       info[i].state == TASK_BLOCKED && info[i].switches >= 1 &&
			       info[i].owner == task_current()->id;
		}
	}
	EXPECT_EQ(idle, sched_cpu_count());
	EXPECT_TRUE(main && reaper && mine);
	EXPECT_EQ(task_join(h, NULL), 0);
}
