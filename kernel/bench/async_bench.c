// SPDX-License-Identifier: MIT
/*
 * Async executor figures: what one poll of a trivially ready future costs
 * (spawn, queue, poll, free the slot), a wake + poll round trip of a future
 * that wakes itself, arming and cancelling a timer on a heap of 10,000,
 * and the latency of a wake sent from a task on another CPU until the
 * future is polled (half a ping-pong round trip, to compare with
 * task_wake_cross_cpu). `kbench=async`.
 */
#include <stdint.h>

#include "arch/arch.h"
#include "core/kbench.h"
#include "core/log.h"
#include "core/percpu.h"
#include "mm/heap.h"
#include "sched/async.h"
#include "sched/sched.h"
#include "sched/task.h"
#include "sched/wait.h"

#define READY_FUTURES 10000
#define SELF_WAKES    100000
#define HEAP_TIMERS   10000
#define PINGS         2000

static enum async_poll ready_poll(struct future *f, const struct waker *w)
{
	(void)w;
	return async_ready(f, 1);
}

/* Spawn and run READY_FUTURES futures that are ready at their first poll. */
BENCH(async_poll_ready)
{
	struct future *fs = kmalloc_flags(READY_FUTURES * sizeof(*fs), KM_MAY_FAIL);
	uint64_t t0, cycles;
	struct executor ex;
	unsigned i;
	int err = 0;

	if (!fs || executor_init(&ex, READY_FUTURES, "bench.async")) {
		kfree(fs);
		return;
	}
	for (i = 0; i < READY_FUTURES; i++)
		future_init(&fs[i], ready_poll, NULL);
	t0 = arch_cycles();
	for (i = 0; i < READY_FUTURES && !err; i++)
		err = executor_spawn(&ex, &fs[i]);
	if (!err)
		err = executor_run(&ex);
	cycles = arch_cycles() - t0;
	executor_destroy(&ex);
	kfree(fs);
	if (!err)
		kbench_report_cycles("async_spawn_poll_ready", cycles / READY_FUTURES);
}

/* Wakes itself and stays pending SELF_WAKES times. */
struct self_waker {
	struct future f;
	unsigned left;
};

static enum async_poll self_poll(struct future *f, const struct waker *w)
{
	struct self_waker *s = container_of(f, struct self_waker, f);

	if (!s->left)
		return async_ready(f, 0);
	s->left--;
	waker_wake(w);
	return ASYNC_PENDING;
}

BENCH(async_wake_poll)
{
	struct self_waker s = { .left = SELF_WAKES };
	uint64_t t0, cycles;
	int r;

	future_init(&s.f, self_poll, NULL);
	t0 = arch_cycles();
	r = async_block_on(&s.f);
	cycles = arch_cycles() - t0;
	if (!r)
		kbench_report_cycles("async_wake_poll", cycles / SELF_WAKES);
}

/* ---- timers ---- */

struct arm_probe {
	struct future f;
	struct async_timer *t;
	uint64_t arm_cycles, cancel_cycles;
	int err;
};

/* In one poll (it needs a waker): arm HEAP_TIMERS far-off timers, then cancel them. */
static enum async_poll arm_poll(struct future *f, const struct waker *w)
{
	struct arm_probe *p = container_of(f, struct arm_probe, f);
	uint64_t base = clock_monotonic_ns() + 60 * NSEC_PER_SEC, t0;
	unsigned i;

	for (i = 0; i < HEAP_TIMERS; i++)
		async_timer_init(&p->t[i]);
	t0 = arch_cycles();
	for (i = 0; i < HEAP_TIMERS && !p->err; i++)
		p->err = async_timer_arm(&p->t[i], w, base + (i * 2654435761u) % NSEC_PER_SEC);
	p->arm_cycles = arch_cycles() - t0;
	t0 = arch_cycles();
	for (i = 0; i < HEAP_TIMERS; i++)
		async_timer_cancel(&p->t[(i * 7919) % HEAP_TIMERS]);
	p->cancel_cycles = arch_cycles() - t0;
	return async_ready(f, p->err);
}

BENCH(async_timer_heap)
{
	struct arm_probe p = { .err = 0 };

	p.t = kmalloc_flags(HEAP_TIMERS * sizeof(*p.t), KM_MAY_FAIL);
	if (!p.t)
		return;
	future_init(&p.f, arm_poll, NULL);
	if (async_block_on(&p.f) == 0) {
		kbench_report_cycles("async_timer_arm", p.arm_cycles / HEAP_TIMERS);
		kbench_report_cycles("async_timer_cancel", p.cancel_cycles / HEAP_TIMERS);
	}
	kfree(p.t);
}

/* ---- a wake from another CPU ---- */

/* The executor (CPU 0) and a task (CPU 1) take turns through a counter. */
struct pingpong {
	struct future f;
	struct waker w;
	struct waitq q;         /* the task waits here for an odd turn */
	volatile uint32_t turn; /* even: the future's turn, odd: the task's */
	uint32_t published;     /* [a] w is set */
	unsigned rounds;
};

static bool task_turn(void *ctx)
{
	struct pingpong *p = ctx;

	return __atomic_load_n(&p->turn, __ATOMIC_ACQUIRE) & 1;
}

static int pong_task(void *arg)
{
	struct pingpong *p = arg;
	unsigned i;

	while (!__atomic_load_n(&p->published, __ATOMIC_ACQUIRE))
		task_yield();
	for (i = 0; i < PINGS; i++) {
		while (waitq_wait(&p->q, task_turn, p, 0, TIME_NEVER))
			;
		__atomic_fetch_add(&p->turn, 1, __ATOMIC_RELEASE);
		waker_wake(&p->w);
	}
	return 0;
}

static enum async_poll ping_poll(struct future *f, const struct waker *w)
{
	struct pingpong *p = container_of(f, struct pingpong, f);

	if (!p->published) {
		p->w = *w;
		__atomic_store_n(&p->published, 1, __ATOMIC_RELEASE);
	}
	if (__atomic_load_n(&p->turn, __ATOMIC_ACQUIRE) & 1)
		return ASYNC_PENDING; /* a spurious poll: still the task's turn */
	if (p->rounds++ == PINGS)
		return async_ready(f, 0);
	__atomic_fetch_add(&p->turn, 1, __ATOMIC_RELEASE);
	waitq_wake_one(&p->q);
	return ASYNC_PENDING;
}

BENCH(async_wake_cross_cpu)
{
	static struct pingpong p;
	struct task_spawn_opts o = { .prio = TASK_PRIO_DEFAULT, .cpu = 1, .affinity = 2 };
	struct task_handle h;
	uint64_t t0, cycles;
	int r;

	if (sched_cpu_count() < 2 || this_cpu_index() != 0) {
		kprintf("kbench: async_wake_cross_cpu needs CPUs 0 and 1\n");
		return;
	}
	p = (struct pingpong){ .turn = 0 };
	waitq_init(&p.q, "bench.async");
	future_init(&p.f, ping_poll, NULL);
	if (task_spawn_opts(&h, "async.pong", pong_task, &p, &o))
		return;
	t0 = arch_cycles();
	r = async_block_on(&p.f);
	cycles = arch_cycles() - t0;
	if (task_join(h, NULL) || r)
		return;
	kbench_report_cycles("async_wake_cross_cpu", cycles / (2 * PINGS));
}
