// SPDX-License-Identifier: MIT
/*
 * Kernel task tests: spawn, yield and join many tasks, FPU/SSE state kept
 * across switches, the guard page below a task's stack, task_current() and
 * the errors of task_join(). Tasks never use EXPECT_*: a failure there would
 * jump into the test from another stack, so they record what they saw and
 * the test checks it after the join.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include <stdbool.h>
#include <stdint.h>

#include "core/ktest.h"
#include "sched/task.h"

#define MANY_TASKS 200
#define YIELDS     3

static int square_after_yields(void *arg)
{
	int i = (int)(intptr_t)arg, k;

	for (k = 0; k < YIELDS; k++)
		task_yield();
	return i * i;
}

TEST(task, spawn_yield_join_many)
{
	static struct task *tasks[MANY_TASKS];
	uint64_t before = task_switch_count();
	int i, v;

	for (i = 0; i < MANY_TASKS; i++) {
		tasks[i] = task_spawn("square", square_after_yields, (void *)(intptr_t)i);
		EXPECT_TRUE(tasks[i] != NULL);
	}
	for (i = 0; i < MANY_TASKS; i++) {
		v = -1;
		EXPECT_EQ(task_join(tasks[i], &v), 0);
		EXPECT_EQ(v, i * i);
	}
	/* Each task ran YIELDS + 1 times; main in between. */
	EXPECT_TRUE(task_switch_count() - before >= (uint64_t)MANY_TASKS * (YIELDS + 1));
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
	struct task *t[8];
	int i, v;

	xmm_put(0x1234);
	for (i = 0; i < 8; i++) {
		t[i] = task_spawn("sse", sse_keeper, (void *)(intptr_t)(i + 1));
		EXPECT_TRUE(t[i] != NULL);
	}
	task_yield();
	EXPECT_TRUE(xmm_check(0x1234));
	for (i = 0; i < 8; i++) {
		v = -1;
		EXPECT_EQ(task_join(t[i], &v), 0);
		EXPECT_EQ(v, 0);
	}
	EXPECT_TRUE(xmm_check(0x1234));
}

static int nop_task(void *arg)
{
	(void)arg;
	return 7;
}

static void touch(void *arg)
{
	volatile uint8_t *p = arg;

	*p = 1;
}

TEST(task, stack_has_guard_page)
{
	struct task *t = task_spawn("guard", nop_task, NULL);
	uintptr_t low;
	struct ktest_fault f;
	int v;

	EXPECT_TRUE(t != NULL);
	EXPECT_EQ(t->stack_top % 16, 0);
	low = t->stack_top - TASK_STACK_SIZE;
	/* The lowest stack byte is mapped; the byte below it is the guard page. */
	EXPECT_EQ(ktest_catch(touch, (void *)low, &f), 0);
	EXPECT_EQ(ktest_catch(touch, (void *)(low - 1), &f), 1);
	EXPECT_EQ(f.vector, 14);
	EXPECT_EQ(f.addr, low - 1);
	EXPECT_EQ(task_join(t, &v), 0);
	EXPECT_EQ(v, 7);
}

static int report_current(void *arg)
{
	struct task **seen = arg;

	seen[0] = task_current();
	task_yield();
	seen[1] = task_current();
	return 0;
}

TEST(task, current_changes_across_switches)
{
	struct task *main_task = task_current(), *seen[2] = { NULL, NULL }, *t;
	int v;

	EXPECT_TRUE(main_task != NULL);
	EXPECT_STREQ(main_task->name, "main");
	t = task_spawn("current", report_current, seen);
	EXPECT_TRUE(t != NULL);
	EXPECT_TRUE(t->id != 0);
	EXPECT_STREQ(t->name, "current");
	EXPECT_EQ(t->state, TASK_RUNNABLE);
	task_yield();
	EXPECT_TRUE(task_current() == main_task);
	EXPECT_TRUE(seen[0] == t);
	EXPECT_EQ(task_join(t, &v), 0);
	EXPECT_TRUE(seen[1] == t);
	EXPECT_TRUE(task_current() == main_task);
}

TEST(task, join_errors)
{
	struct task *t = task_spawn("twice", nop_task, NULL);
	int v = 0;

	EXPECT_TRUE(t != NULL);
	EXPECT_EQ(task_join(NULL, &v), -EINVAL);
	EXPECT_EQ(task_join(task_current(), &v), -EINVAL);
	EXPECT_EQ(task_join(t, &v), 0);
	EXPECT_EQ(v, 7);
	/* t is freed: join only compares the pointer with the live tasks. */
	EXPECT_EQ(task_join(t, &v), -EINVAL);
}

static int join_self(void *arg)
{
	(void)arg;
	return task_join(task_current(), NULL);
}

TEST(task, join_self_fails)
{
	struct task *t = task_spawn("self", join_self, NULL);
	int v = 0;

	EXPECT_TRUE(t != NULL);
	EXPECT_EQ(task_join(t, &v), 0);
	EXPECT_EQ(v, -EINVAL);
}

static int exit_early(void *arg)
{
	task_exit((int)(intptr_t)arg);
}

TEST(task, exit_value_from_task_exit)
{
	struct task *t = task_spawn("exit", exit_early, (void *)(intptr_t)-42);
	int v = 0;

	EXPECT_TRUE(t != NULL);
	EXPECT_EQ(task_join(t, &v), 0);
	EXPECT_EQ(v, -42);
}

TEST(task, yield_alone_returns)
{
	uint64_t before = task_switch_count();

	task_yield();
	EXPECT_EQ(task_switch_count(), before);
}
