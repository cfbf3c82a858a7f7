// SPDX-License-Identifier: MIT
/*
 * Task figures (issue 5): a context switch between two tasks on one CPU
 * (yield ping-pong, FXSAVE/FXRSTOR included), spawning a task and joining
 * it (stack with guard page, struct, one run), and the cross-CPU wake-up
 * latency (a blocked task on another CPU, woken through a wait queue, until
 * it runs: half a ping-pong round trip).
 */
#include <stdint.h>

#include "arch/arch.h"
#include "core/kbench.h"
#include "core/log.h"
#include "core/percpu.h"
#include "sched/sched.h"
#include "sched/task.h"
#include "sched/wait.h"

#define SWITCH_ROUNDS 10000
#define SPAWN_ROUNDS  200
#define PINGS         2000

/* Keep the caller on its CPU (a CPU's boot flow already is) and return options for it. */
static struct task_spawn_opts here(void)
{
	struct task_spawn_opts o = { .prio = TASK_PRIO_DEFAULT, .cpu = -1 };

	o.affinity = 1ull << this_cpu_index();
	(void)task_set_affinity(o.affinity);
	o.affinity = 1ull << this_cpu_index();
	return o;
}

static int yielder(void *arg)
{
	volatile int *done = arg;
	unsigned i;

	for (i = 0; i < SWITCH_ROUNDS; i++)
		task_yield();
	*done = 1;
	return 0;
}

static int nothing(void *arg)
{
	(void)arg;
	return 0;
}

/* Main and one task on the same CPU yield to each other: every yield is one switch. */
BENCH(task_switch)
{
	struct task_spawn_opts o;
	struct task_handle h;
	uint64_t s0, t0, cycles, switches;
	volatile int done = 0;

	o = here();
	if (task_spawn_opts(&h, "pingpong", yielder, (void *)&done, &o))
		return;
	s0 = task_switch_count();
	t0 = arch_cycles();
	while (!done)
		task_yield();
	cycles = arch_cycles() - t0;
	switches = task_switch_count() - s0;
	(void)task_set_affinity(TASK_CPUS_ANY);
	if (task_join(h, NULL) || !switches)
		return;
	kbench_report_cycles("task_switch", cycles / switches);
}

BENCH(task_spawn_join)
{
	struct task_spawn_opts o = here();
	struct task_handle h;
	uint64_t t0, cycles;
	unsigned i;

	t0 = arch_cycles();
	for (i = 0; i < SPAWN_ROUNDS; i++)
		if (task_spawn_opts(&h, "nothing", nothing, NULL, &o) || task_join(h, NULL))
			return;
	cycles = arch_cycles() - t0;
	kbench_report_cycles("task_spawn_join", cycles / SPAWN_ROUNDS);
}

/* Two tasks on two CPUs take turns through a counter and two wait queues. */
struct pingpong {
	struct waitq q[2];
	volatile unsigned turn; /* even: side 0 runs, odd: side 1 */
};

static bool my_turn(struct pingpong *p, unsigned side)
{
	return (__atomic_load_n(&p->turn, __ATOMIC_ACQUIRE) & 1) == side;
}

static bool side1_turn(void *ctx)
{
	return my_turn(ctx, 1);
}

static int ponger(void *arg)
{
	struct pingpong *p = arg;
	unsigned i;

	for (i = 0; i < PINGS; i++) {
		while (waitq_wait(&p->q[1], side1_turn, p, 0, TIME_NEVER))
			;
		__atomic_fetch_add(&p->turn, 1, __ATOMIC_RELEASE);
		waitq_wake_one(&p->q[0]);
	}
	return 0;
}

static bool side0_turn(void *ctx)
{
	return my_turn(ctx, 0);
}

BENCH(task_wake_cross_cpu)
{
	static struct pingpong p;
	struct task_spawn_opts o = { .prio = TASK_PRIO_DEFAULT, .cpu = 1, .affinity = 2 };
	struct task_spawn_opts me = here();
	struct task_handle h;
	uint64_t t0, cycles;
	unsigned i;

	if (sched_cpu_count() < 2 || me.affinity != 1) {
		kprintf("kbench: task_wake_cross_cpu needs CPUs 0 and 1\n");
		return;
	}
	waitq_init(&p.q[0], "bench.ping");
	waitq_init(&p.q[1], "bench.pong");
	p.turn = 0;
	if (task_spawn_opts(&h, "ponger", ponger, &p, &o))
		return;
	t0 = arch_cycles();
	for (i = 0; i < PINGS; i++) {
		__atomic_fetch_add(&p.turn, 1, __ATOMIC_RELEASE);
		waitq_wake_one(&p.q[1]);
		while (waitq_wait(&p.q[0], side0_turn, &p, 0, TIME_NEVER))
			;
	}
	cycles = arch_cycles() - t0;
	(void)task_set_affinity(TASK_CPUS_ANY);
	if (task_join(h, NULL))
		return;
	kbench_report_cycles("task_wake_cross_cpu", cycles / (2 * PINGS));
}
