// SPDX-License-Identifier: MIT
/*
 * Task figures (issue 5): a cooperative context switch between two tasks on
 * one CPU (yield ping-pong, FXSAVE/FXRSTOR included), and the cost of
 * spawning a task and joining it (stack with guard page, struct, one run).
 */
#include <stdint.h>

#include "arch/arch.h"
#include "core/kbench.h"
#include "sched/task.h"

#define SWITCH_ROUNDS 10000
#define SPAWN_ROUNDS  200

static uint64_t ns(uint64_t cycles)
{
	return cycles * 1000000 / arch_cycles_khz();
}

static int yielder(void *arg)
{
	unsigned i, n = (unsigned)(uintptr_t)arg;

	for (i = 0; i < n; i++)
		task_yield();
	return 0;
}

static int nothing(void *arg)
{
	(void)arg;
	return 0;
}

/* Main and one task yield to each other: every yield is one switch. */
BENCH(task_switch)
{
	struct task *t = task_spawn("pingpong", yielder, (void *)(uintptr_t)SWITCH_ROUNDS);
	uint64_t s0, t0, cycles, switches;
	int v;

	if (!t)
		return;
	s0 = task_switch_count();
	t0 = arch_cycles();
	while (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) != TASK_EXITED)
		task_yield();
	cycles = arch_cycles() - t0;
	switches = task_switch_count() - s0;
	if (task_join(t, &v))
		return;
	kbench_report("task_switch", cycles / switches, "cycles");
	kbench_report("task_switch", ns(cycles / switches), "ns");
}

BENCH(task_spawn_join)
{
	uint64_t t0, cycles;
	struct task *t;
	unsigned i;
	int v;

	t0 = arch_cycles();
	for (i = 0; i < SPAWN_ROUNDS; i++) {
		t = task_spawn("nothing", nothing, NULL);
		if (!t || task_join(t, &v))
			return;
	}
	cycles = arch_cycles() - t0;
	kbench_report("task_spawn_join", cycles / SPAWN_ROUNDS, "cycles");
	kbench_report("task_spawn_join", ns(cycles / SPAWN_ROUNDS), "ns");
}
