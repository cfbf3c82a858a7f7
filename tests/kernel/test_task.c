// SPDX-License-Identifier: MIT
/*
 * Task tests: thousands of short tasks across the CPUs, FPU/SSE state kept
 * across switches, the guard page, handle rules (join twice, foreign,
 * dropped, self), orphans reaped with no leak, panics and faults reported
 * to the joiner, kill at safe points, preemption of a task that never
 * yields, priorities, affinity, sleep accuracy and introspection. Tasks
 * never use EXPECT_*: a failure there would jump into the test from another
 * stack, so they record what they saw and the test checks it after the join.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include <stdbool.h>
#include <stdint.h>

#include "core/ktest.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/percpu.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "sched/sched.h"
#include "sched/task.h"
#include "time/time.h"

#define MANY_BATCH  250
#define MANY_ROUNDS 12 /* 3,000 tasks */
#define MS          NSEC_PER_MSEC

static struct task_spawn_opts on_cpu(unsigned cpu)
{
	struct task_spawn_opts o = { .prio = TASK_PRIO_DEFAULT,
		                     .affinity = 1ull << cpu,
		                     .cpu = -1 };

	return o;
}

static uint64_t cpus_seen;                           /* bit n: a task ran on CPU n */
static uint8_t spawned_on[MANY_BATCH * MANY_ROUNDS]; /* the spawner's CPU, by task */
static unsigned ran_elsewhere; /* tasks seen on a CPU other than their spawner's */

static int short_task(void *arg)
{
	int i = (int)(intptr_t)arg;

	unsigned before = this_cpu_index(), after;

	task_yield();
	after = this_cpu_index();
	__atomic_fetch_or(&cpus_seen, 1ull << before | 1ull << after, __ATOMIC_RELAXED);
	if (before != spawned_on[i] || after != spawned_on[i])
		__atomic_fetch_add(&ran_elsewhere, 1, __ATOMIC_RELAXED);
	return 3 * i + 1;
}

TEST(task, thousands_of_short_tasks_across_cpus)
{
	static struct task_handle h[MANY_BATCH];
	struct task_result r;
	unsigned round, i, bad = 0;

	cpus_seen = 0;
	ran_elsewhere = 0;
	for (round = 0; round < MANY_ROUNDS; round++) {
		for (i = 0; i < MANY_BATCH; i++) {
			spawned_on[round * MANY_BATCH + i] = (uint8_t)this_cpu_index();
			EXPECT_EQ(task_spawn(&h[i], "short", short_task,
			                     (void *)(intptr_t)(round * MANY_BATCH + i)),
			          0);
		}
		for (i = 0; i < MANY_BATCH; i++) {
			EXPECT_EQ(task_join(h[i], &r), 0);
			if (r.how != TASK_END_RETURNED ||
			    r.value != 3 * (int)(round * MANY_BATCH + i) + 1)
				bad++;
		}
	}
	EXPECT_EQ(bad, 0);
	/*
	 * New tasks go to the least loaded CPU, and an idle CPU steals: with more
	 * than one CPU some must run away from their spawner. Not all need to:
	 * an idle CPU that finishes each task before the next is spawned may run
	 * every one, so which CPUs ran them is reported, not checked.
	 */
	if (sched_cpu_count() > 1)
		EXPECT_TRUE(ran_elsewhere > 0);
	kprintf("# task: %u tasks ran on CPUs %#llx, %u away from their spawner's\n",
	        MANY_ROUNDS * MANY_BATCH, (unsigned long long)cpus_seen, ran_elsewhere);
}

/* Put @v into %xmm0..%xmm3 (v, v+1, v+2, v+3). */
static void xmm_put(uint64_t v)
{
	uint64_t a = v + 1, b = v + 2, c = v + 3;

	__asm__ volatile("movq %0, %%xmm0\n\tmovq %1, %%xmm1\n\tmovq %2, %%xmm2\n\tmovq %3, %%xmm3"
	                 :
	                 : "r"(v), "r"(a), "r"(b), "r"(c)
	                 : "memory");
}

/* True if %xmm0..%xmm3 still hold what xmm_put(@v) left there. */
static bool xmm_check(uint64_t v)
{
	uint64_t r0, r1, r2, r3;

	__asm__ volatile("movq %%xmm0, %0\n\tmovq %%xmm1, %1\n\tmovq %%xmm2, %2\n\tmovq %%xmm3, %3"
	                 : "=r"(r0), "=r"(r1), "=r"(r2), "=r"(r3)
	                 :
	                 : "memory");
	return r0 == v && r1 == v + 1 && r2 == v + 2 && r3 == v + 3;
}

static int sse_keeper(void *arg)
{
	uint64_t v = 0x5eed000000000000ull | ((uintptr_t)arg << 8);
	int k, bad = 0;

	for (k = 0; k < 5; k++) {
		xmm_put(v + (uint64_t)k * 16);
		task_yield();
		if (!xmm_check(v + (uint64_t)k * 16))
			bad++;
	}
	return bad;
}

TEST(task, sse_state_kept_across_switches)
{
	struct task_spawn_opts o = on_cpu(this_cpu_index());
	struct task_handle h[8];
	struct task_result r;
	int i;

	xmm_put(0x1234);
	for (i = 0; i < 8; i++)
		EXPECT_EQ(task_spawn_opts(&h[i], "sse", sse_keeper, (void *)(intptr_t)(i + 1), &o),
		          0);
	task_yield();
	EXPECT_TRUE(xmm_check(0x1234));
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(task_join(h[i], &r), 0);
		EXPECT_EQ(r.value, 0);
	}
	EXPECT_TRUE(xmm_check(0x1234));
}

static int nop_task(void *arg)
{
	(void)arg;
	return 7;
}

static int report_current(void *arg)
{
	struct task **seen = arg;

	seen[0] = task_current();
	task_yield();
	seen[1] = task_current();
	return 0;
}

TEST(task, current_is_one_load_and_changes_across_switches)
{
	struct task *main_task = task_current(), *seen[2] = { NULL, NULL };
	struct task_handle h;

	EXPECT_TRUE(main_task != NULL);
	EXPECT_STREQ(main_task->name, "main");
	EXPECT_EQ(task_spawn(&h, "current", report_current, seen), 0);
	EXPECT_TRUE(h.id != 0);
	EXPECT_EQ(task_join(h, NULL), 0);
	EXPECT_TRUE(seen[0] != NULL && seen[0] == seen[1] && seen[0] != main_task);
	EXPECT_TRUE(task_current() == main_task);
}

TEST(task, join_twice_and_bad_handles_fail)
{
	struct task_handle h, none = { 0 }, self = { task_current()->id };
	struct task_result r;

	EXPECT_EQ(task_spawn(&h, "twice", nop_task, NULL), 0);
	EXPECT_EQ(task_join(none, &r), -ESRCH);
	EXPECT_EQ(task_join(self, &r), -EDEADLK);
	EXPECT_EQ(task_join(h, &r), 0);
	EXPECT_EQ(r.how, TASK_END_RETURNED);
	EXPECT_EQ(r.value, 7);
	EXPECT_EQ(task_join(h, &r), -ESRCH);
	EXPECT_EQ(task_kill(h), -ESRCH);
	EXPECT_EQ(task_drop(h), -ESRCH);
	EXPECT_EQ(task_spawn(NULL, "x", nop_task, NULL), -EINVAL);
	EXPECT_EQ(task_spawn(&h, "x", NULL, NULL), -EINVAL);
}

/* A task trying to use a handle it does not hold: its spawner's sibling. */
static int join_foreign(void *arg)
{
	struct task_handle *h = arg;

	return task_join(*h, NULL) * 1000 + task_kill(*h) * 10 + task_drop(*h);
}

static int wait_for_flag(void *arg)
{
	volatile int *flag = arg;

	while (!*flag)
		task_sleep_ns(1 * MS);
	return 5;
}

TEST(task, only_the_spawner_may_join_kill_or_drop)
{
	struct task_handle victim, thief;
	struct task_result r;
	volatile int flag = 0;

	EXPECT_EQ(task_spawn(&victim, "victim", wait_for_flag, (void *)&flag), 0);
	EXPECT_EQ(task_spawn(&thief, "thief", join_foreign, &victim), 0);
	EXPECT_EQ(task_join(thief, &r), 0);
	EXPECT_EQ(r.value, -EPERM * 1000 + -EPERM * 10 + -EPERM);
	flag = 1;
	EXPECT_EQ(task_join(victim, &r), 0);
	EXPECT_EQ(r.value, 5);
}

static int join_self(void *arg)
{
	struct task_handle me = { task_current()->id };

	(void)arg;
	return task_join(me, NULL);
}

TEST(task, joining_itself_fails)
{
	struct task_handle h;
	struct task_result r;

	EXPECT_EQ(task_spawn(&h, "self", join_self, NULL), 0);
	EXPECT_EQ(task_join(h, &r), 0);
	EXPECT_EQ(r.value, -EDEADLK);
}

static int exit_early(void *arg)
{
	task_exit((int)(intptr_t)arg);
}

TEST(task, exit_value_and_how_from_task_exit)
{
	struct task_handle h;
	struct task_result r;

	EXPECT_EQ(task_spawn(&h, "exit", exit_early, (void *)(intptr_t)-42), 0);
	EXPECT_EQ(task_join(h, &r), 0);
	EXPECT_EQ(r.how, TASK_END_EXITED);
	EXPECT_EQ(r.value, -42);
}

static int panics(void *arg)
{
	(void)arg;
	panic("task test: deliberate panic");
}

static int faults(void *arg)
{
	/* Read through a volatile, so the compiler cannot see the address is bad. */
	volatile uintptr_t addr = 8;
	volatile uint64_t *p = (volatile uint64_t *)addr;

	(void)arg;
	return (int)*p;
}

TEST(task, panic_and_fault_are_reported_to_the_joiner)
{
	struct task_handle h;
	struct task_result r;

	EXPECT_EQ(task_spawn(&h, "panics", panics, NULL), 0);
	EXPECT_EQ(task_join(h, &r), 0);
	EXPECT_EQ(r.how, TASK_END_PANICKED);
	EXPECT_EQ(r.value, -EFAULT);
	EXPECT_EQ(task_spawn(&h, "faults", faults, NULL), 0);
	EXPECT_EQ(task_join(h, &r), 0);
	EXPECT_EQ(r.how, TASK_END_PANICKED);
	/* The kernel goes on: tasks still run. */
	EXPECT_EQ(task_spawn(&h, "after", nop_task, NULL), 0);
	EXPECT_EQ(task_join(h, &r), 0);
	EXPECT_EQ(r.value, 7);
}

static volatile int forever = 1;

static int sleeps_forever(void *arg)
{
	(void)arg;
	while (forever)
		task_sleep_ns(1000 * MS);
	return 0;
}

static int yields_forever(void *arg)
{
	(void)arg;
	while (forever)
		task_yield();
	return 0;
}

TEST(task, kill_takes_effect_at_safe_points)
{
	struct task_handle a, b;
	struct task_result r;
	uint64_t t0 = clock_monotonic_ns();

	EXPECT_EQ(task_spawn(&a, "sleeper", sleeps_forever, NULL), 0);
	EXPECT_EQ(task_spawn(&b, "yielder", yields_forever, NULL), 0);
	task_sleep_ns(5 * MS);
	EXPECT_EQ(task_kill(a), 0);
	EXPECT_EQ(task_kill(b), 0);
	EXPECT_EQ(task_join(a, &r), 0);
	EXPECT_EQ(r.how, TASK_END_KILLED);
	EXPECT_EQ(r.value, -EINTR);
	EXPECT_EQ(task_join(b, &r), 0);
	EXPECT_EQ(r.how, TASK_END_KILLED);
	/* The sleeper was woken for the kill, not at the end of its second. */
	EXPECT_TRUE(clock_monotonic_ns() - t0 < 500 * MS);
}

static int spin_until_flag(void *arg)
{
	volatile int *flag = arg;
	uint64_t spins = 0;

	while (!*flag)
		spins++;
	return spins > 0;
}

TEST(task, a_task_that_never_yields_is_preempted)
{
	struct task_spawn_opts o = on_cpu(this_cpu_index());
	struct task_handle h;
	struct task_result r;
	volatile int flag = 0;

	/* Same CPU, same priority: main only runs again if the spinner is preempted. */
	EXPECT_EQ(task_spawn_opts(&h, "spinner", spin_until_flag, (void *)&flag, &o), 0);
	task_yield();
	delay_ns(30 * MS); /* main itself spinning: the spinner gets slices too */
	flag = 1;
	EXPECT_EQ(task_join(h, &r), 0);
	EXPECT_EQ(r.value, 1);
}

static char order[8];
static unsigned order_n;

static int record(void *arg)
{
	order[__atomic_fetch_add(&order_n, 1, __ATOMIC_RELAXED)] = (char)(uintptr_t)arg;
	return 0;
}

TEST(task, higher_priority_runs_first)
{
	struct task_spawn_opts lo = on_cpu(this_cpu_index()), hi = lo;
	struct task_handle a, b, c;

	order_n = 0;
	lo.prio = TASK_PRIO_MIN;
	hi.prio = TASK_PRIO_MAX;
	preempt_disable(); /* queue all three before any runs */
	EXPECT_EQ(task_spawn_opts(&a, "lo", record, (void *)'l', &lo), 0);
	EXPECT_EQ(task_spawn_opts(&b, "hi", record, (void *)'h', &hi), 0);
	lo.prio = TASK_PRIO_DEFAULT;
	EXPECT_EQ(task_spawn_opts(&c, "mid", record, (void *)'m', &lo), 0);
	preempt_enable();
	EXPECT_EQ(task_join(a, NULL), 0);
	EXPECT_EQ(task_join(b, NULL), 0);
	EXPECT_EQ(task_join(c, NULL), 0);
	order[order_n] = '\0';
	EXPECT_STREQ(order, "hml");
}

static int cpus_visited(void *arg)
{
	uint64_t seen = 0;
	int k;

	(void)arg;
	for (k = 0; k < 50; k++) {
		seen |= 1ull << this_cpu_index();
		task_yield();
	}
	return (int)seen;
}

TEST(task, affinity_keeps_a_task_on_its_cpu)
{
	unsigned cpu = sched_cpu_count() - 1;
	struct task_spawn_opts o = on_cpu(cpu), bad = on_cpu(63);
	struct task_handle h;
	struct task_result r;

	EXPECT_EQ(task_spawn_opts(&h, "pinned", cpus_visited, NULL, &o), 0);
	EXPECT_EQ(task_join(h, &r), 0);
	EXPECT_EQ(r.value, (int)(1u << cpu));
	bad.affinity = 1ull << 63;
	EXPECT_EQ(task_spawn_opts(&h, "nowhere", nop_task, NULL, &bad), -EINVAL);
	bad.affinity = 0;
	bad.prio = TASK_PRIO_MAX + 1;
	EXPECT_EQ(task_spawn_opts(&h, "badprio", nop_task, NULL, &bad), -EINVAL);
}

TEST(task, sleep_is_accurate)
{
	uint64_t t0, took;
	unsigned k;

	for (k = 0; k < 3; k++) {
		t0 = clock_monotonic_ns();
		task_sleep_ns(20 * MS);
		took = clock_monotonic_ns() - t0;
		EXPECT_TRUE(took >= 20 * MS);
		EXPECT_TRUE(took < 40 * MS);
	}
}
