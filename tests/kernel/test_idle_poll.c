// SPDX-License-Identifier: MIT
/*
 * Idle polling (kernel/sched/idle_poll.c): a CPU that polls instead of
 * halting is woken by a flag, not an IPI, so a lost flag would leave a
 * task queued on a halted CPU. These tests ping-pong between two CPUs many
 * times with a deadline on every wait (a lost wake-up shows as a timeout
 * with the other side's turn not taken), and check that a CPU running a
 * task is never claimed as polling. Tasks record what they saw; the test
 * checks after the join (ktest rules: no EXPECT_* off the test's stack).
 */
#include <stdbool.h>
#include <stdint.h>

#include "core/ktest.h"
#include "core/percpu.h"
#include "irq/irq.h"
#include "sched/sched.h"
#include "sched/task.h"
#include "sched/wait.h"
#include "time/time.h"

#define ROUNDS   3000
#define PATIENCE (5ull * NSEC_PER_SEC) /* far above any wake-up, even on a loaded host */
#define SPIN_NS  (20ull * NSEC_PER_MSEC)
#define PROBES   20
#define PROBE_NS (200ull * NSEC_PER_MSEC) /* a poll long enough to be seen from CPU 0 */

struct pp {
	struct waitq q[2];
	unsigned turn;     /* [a] even: side 0's turn, odd: side 1's */
	unsigned timeouts; /* [a] waits that ended with the other side's turn not taken */
};

static bool turn_of(struct pp *p, unsigned side)
{
	return (__atomic_load_n(&p->turn, __ATOMIC_ACQUIRE) & 1) == side;
}

static bool side0(void *ctx)
{
	return turn_of(ctx, 0);
}

static bool side1(void *ctx)
{
	return turn_of(ctx, 1);
}

/* Wait for @side's turn; false (and counted) if the deadline passed first. */
static bool wait_turn(struct pp *p, unsigned side)
{
	uint64_t deadline = clock_monotonic_ns() + PATIENCE;
	int err = waitq_wait(&p->q[side], side ? side1 : side0, p, 0, deadline);

	if (err)
		__atomic_fetch_add(&p->timeouts, 1, __ATOMIC_RELAXED);
	return !err;
}

static void pass_turn(struct pp *p, unsigned to)
{
	__atomic_fetch_add(&p->turn, 1, __ATOMIC_RELEASE);
	waitq_wake_one(&p->q[to]);
}

/* Side @side of the ping-pong; side 0 serves first. Returns the rounds it completed. */
static int side_task(struct pp *p, unsigned side)
{
	unsigned i;

	for (i = 0; i < ROUNDS; i++) {
		if (side == 0)
			pass_turn(p, 1);
		if (!wait_turn(p, side))
			return (int)i;
		if (side == 1)
			pass_turn(p, 0);
	}
	return ROUNDS;
}

static int side0_task(void *arg)
{
	return side_task(arg, 0);
}

static int side1_task(void *arg)
{
	return side_task(arg, 1);
}

static struct task_spawn_opts on_cpu(unsigned cpu)
{
	return (struct task_spawn_opts){ .prio = TASK_PRIO_DEFAULT,
		                         .affinity = 1ull << cpu,
		                         .cpu = (int)cpu };
}

TEST(sched_poll, cross_cpu_ping_pong_never_loses_a_wake)
{
	static struct pp p;
	struct task_spawn_opts o0 = on_cpu(0), o1 = on_cpu(1);
	struct task_handle h0, h1;
	struct task_result r0, r1;

	if (sched_cpu_count() < 2)
		ktest_skip("needs two CPUs");
	waitq_init(&p.q[0], "test.poll0");
	waitq_init(&p.q[1], "test.poll1");
	p.turn = 0;
	p.timeouts = 0;
	EXPECT_EQ(task_spawn_opts(&h1, "poll.side1", side1_task, &p, &o1), 0);
	EXPECT_EQ(task_spawn_opts(&h0, "poll.side0", side0_task, &p, &o0), 0);
	EXPECT_EQ(task_join(h0, &r0), 0);
	EXPECT_EQ(task_join(h1, &r1), 0);
	EXPECT_EQ(p.timeouts, 0u);
	EXPECT_EQ(r0.value, ROUNDS);
	EXPECT_EQ(r1.value, ROUNDS);
}

static int spin_task(void *arg)
{
	unsigned *running = arg;
	uint64_t end = clock_monotonic_ns() + SPIN_NS;

	__atomic_store_n(running, 1, __ATOMIC_RELEASE);
	while (clock_monotonic_ns() < end)
		;
	return 0;
}

TEST(sched_poll, a_busy_cpu_is_never_taken_for_a_polling_one)
{
	struct task_spawn_opts o1 = on_cpu(1);
	struct task_handle h;
	unsigned running = 0;
	bool claimed = false;

	if (sched_cpu_count() < 2)
		ktest_skip("needs two CPUs");
	EXPECT_EQ(task_spawn_opts(&h, "poll.spin", spin_task, &running, &o1), 0);
	while (!__atomic_load_n(&running, __ATOMIC_ACQUIRE))
		task_yield();
	/* CPU 1 runs the spinner: it is not in its idle loop, so no flag may stand for an IPI. */
	claimed = sched_idle_poll_kick(1);
	EXPECT_EQ(task_join(h, NULL), 0);
	EXPECT_TRUE(!claimed);
	EXPECT_TRUE(!sched_idle_poll_kick(SMP_MAX_CPUS));
}

/* The poller (CPU 1) and the kicker (CPU 0) of one probe each, in lockstep. */
struct probe {
	unsigned go;             /* [a] probes the kicker has started */
	unsigned done;           /* [a] probes the poller has finished */
	unsigned polled[PROBES]; /* the poller's sched_idle_poll_for() results */
	bool kicked[PROBES];     /* the kicker's sched_idle_poll_kick() results */
	uint64_t took[PROBES];   /* ns the poll lasted */
};

static int poller_task(void *arg)
{
	struct probe *p = arg;
	unsigned long flags;
	uint64_t t0;
	unsigned i;

	for (i = 0; i < PROBES; i++) {
		while (__atomic_load_n(&p->go, __ATOMIC_ACQUIRE) <= i)
			task_yield();
		flags = irq_save();
		t0 = clock_monotonic_ns();
		p->polled[i] = sched_idle_poll_for(PROBE_NS);
		p->took[i] = clock_monotonic_ns() - t0;
		irq_restore(flags);
		__atomic_store_n(&p->done, i + 1, __ATOMIC_RELEASE);
	}
	return 0;
}

static int kicker_task(void *arg)
{
	struct probe *p = arg;
	unsigned i;

	for (i = 0; i < PROBES; i++) {
		__atomic_store_n(&p->go, i + 1, __ATOMIC_RELEASE);
		while (!sched_idle_polling(1) && __atomic_load_n(&p->done, __ATOMIC_ACQUIRE) <= i)
			;
		p->kicked[i] = sched_idle_poll_kick(1);
		while (__atomic_load_n(&p->done, __ATOMIC_ACQUIRE) <= i)
			task_yield();
	}
	return 0;
}

/*
 * The protocol itself: a kick that answers "no IPI needed" must end the
 * poll early and be seen by it, or the work it announced would wait on a
 * halted CPU. (The poller is a task here: its time slice may end the poll
 * too, which SCHED_POLL_RESCHED tells apart.)
 */
TEST(sched_poll, a_kick_that_spares_the_ipi_ends_the_poll)
{
	static struct probe p;
	struct task_spawn_opts o0 = on_cpu(0), o1 = on_cpu(1);
	struct task_handle h0, h1;
	unsigned i, kicked = 0;

	if (sched_cpu_count() < 2)
		ktest_skip("needs two CPUs");
	p = (struct probe){ 0 };
	EXPECT_EQ(task_spawn_opts(&h1, "poll.poller", poller_task, &p, &o1), 0);
	EXPECT_EQ(task_spawn_opts(&h0, "poll.kicker", kicker_task, &p, &o0), 0);
	EXPECT_EQ(task_join(h0, NULL), 0);
	EXPECT_EQ(task_join(h1, NULL), 0);
	for (i = 0; i < PROBES; i++) {
		if (!p.kicked[i])
			continue;
		kicked++;
		EXPECT_TRUE(p.polled[i] & SCHED_POLL_KICKED);
		EXPECT_TRUE(p.took[i] < PROBE_NS);
	}
	/* 200 ms polls seen from another CPU: only a frozen host could miss most of them. */
	EXPECT_TRUE(kicked >= PROBES / 2);
}
