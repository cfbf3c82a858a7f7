// SPDX-License-Identifier: MIT
/*
 * The x86 half of the task tests: the SSE registers a task leaves behind
 * are still there after other tasks ran on the same CPU (the FXSAVE image
 * arch_context_switch() keeps, kernel/arch/x86_64/cpu/fpu.c). Tasks record
 * what they saw; the test checks it after the join.
 */
#include <stdbool.h>
#include <stdint.h>

#include "core/ktest.h"
#include "core/percpu.h"
#include "sched/task.h"

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
	/* Every task on this CPU, so they share its registers. */
	struct task_spawn_opts o = { .prio = TASK_PRIO_DEFAULT,
		                     .affinity = 1ull << this_cpu_index(),
		                     .cpu = -1 };
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
