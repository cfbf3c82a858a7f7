// SPDX-License-Identifier: MIT
/*
 * Async executor tests, part 1: futures that are ready at once, pending
 * futures woken from IRQ context, duplicate and stale wakes, timers that
 * never fire early (and 10,000 of them at once), join-all, select, and the
 * cancellation of the losers' timers. Sources, serial input and wakes from
 * other CPUs are in test_async_io.c. Poll functions never use EXPECT_*
 * (a failure would jump out with the executor's timers still armed): they
 * record what they saw, and the test checks it once the executor is gone.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include <stdbool.h>
#include <stdint.h>

#include "core/ktest.h"
#include "core/log.h"
#include "mm/heap.h"
#include "sched/async.h"
#include "sched/task.h"
#include "time/time.h"

#define MS NSEC_PER_MSEC

/* Run @ex to the end, then destroy it; returns what executor_run() said. */
static int run_and_destroy(struct executor *ex)
{
	int err = executor_run(ex);

	executor_destroy(ex);
	return err;
}

/* ---- simple futures ---- */

/* Ready at its first poll with result 42; counts its polls. */
struct counted {
	struct future f;
	unsigned polls;
	unsigned drops;
	int value;
};

static enum async_poll ready_poll(struct future *f, const struct waker *w)
{
	struct counted *c = container_of(f, struct counted, f);

	(void)w;
	c->polls++;
	return async_ready(f, c->value);
}

static enum async_poll never_poll(struct future *f, const struct waker *w)
{
	struct counted *c = container_of(f, struct counted, f);

	(void)w;
	c->polls++;
	return ASYNC_PENDING;
}

static void counted_drop(struct future *f)
{
	container_of(f, struct counted, f)->drops++;
}

static void counted_init(struct counted *c, bool ready, int value)
{
	future_init(&c->f, ready ? ready_poll : never_poll, counted_drop);
	c->polls = c->drops = 0;
	c->value = value;
}

TEST(async, ready_future_is_polled_once)
{
	struct executor ex;
	struct counted c;
	uint64_t polls;

	counted_init(&c, true, 42);
	EXPECT_EQ(executor_init(&ex, 4, "test.async"), 0);
	EXPECT_EQ(executor_spawn(&ex, &c.f), 0);
	EXPECT_EQ(executor_spawn(&ex, &c.f), -EINVAL); /* already spawned */
	EXPECT_EQ(executor_run(&ex), 0);
	polls = ex.polls;
	executor_destroy(&ex);
	EXPECT_EQ(polls, 1);
	EXPECT_EQ(c.polls, 1);
	EXPECT_EQ(c.f.result, 42);
	EXPECT_TRUE(future_done(&c.f));
	EXPECT_EQ(c.drops, 0);

	counted_init(&c, true, -7);
	EXPECT_EQ(async_block_on(&c.f), -7);
}

TEST(async, spawn_beyond_capacity_fails)
{
	struct counted c[3];
	struct executor ex;
	unsigned i;

	EXPECT_EQ(executor_init(&ex, 0, "test.async"), -EINVAL);
	EXPECT_EQ(executor_init(&ex, 2, "test.async"), 0);
	for (i = 0; i < 3; i++)
		counted_init(&c[i], true, (int)i);
	EXPECT_EQ(executor_spawn(&ex, &c[0].f), 0);
	EXPECT_EQ(executor_spawn(&ex, &c[1].f), 0);
	EXPECT_EQ(executor_spawn(&ex, &c[2].f), -ENOSPC);
	EXPECT_EQ(run_and_destroy(&ex), 0);
	EXPECT_EQ(c[0].f.result + c[1].f.result, 1);
}

/* ---- pending, then woken ---- */

/*
 * Pending at its first poll; a kernel timer event wakes it from IRQ
 * context @delay later (or it wakes itself @self_wakes times at once).
 */
struct sleeper {
	struct future f;
	struct timer_event ev;
	struct waker w;
	uint64_t delay;
	uint64_t fired_at; /* when the IRQ woke it */
	uint64_t done_at;  /* its last poll */
	unsigned polls;
	unsigned self_wakes;
	const struct waker *stale; /* woken at the first poll: must do nothing */
};

static void sleeper_fired(struct timer_event *ev, void *ctx)
{
	struct sleeper *s = ctx;

	(void)ev;
	s->fired_at = clock_monotonic_ns();
	waker_wake(&s->w);
}

static enum async_poll sleeper_poll(struct future *f, const struct waker *w)
{
	struct sleeper *s = container_of(f, struct sleeper, f);
	unsigned i;

	s->done_at = clock_monotonic_ns();
	if (s->polls++)
		return async_ready(f, (int)s->polls);
	s->w = *w;
	if (s->stale)
		waker_wake(s->stale);
	for (i = 0; i < s->self_wakes; i++)
		waker_wake(w);
	if (s->delay && timer_event_arm(&s->ev, clock_monotonic_ns() + s->delay))
		return async_ready(f, -EBUSY);
	return ASYNC_PENDING;
}

static void sleeper_init(struct sleeper *s, uint64_t delay, unsigned self_wakes)
{
	memset(s, 0, sizeof(*s));
	future_init(&s->f, sleeper_poll, NULL);
	timer_event_init(&s->ev, sleeper_fired, s);
	s->delay = delay;
	s->self_wakes = self_wakes;
}

TEST(async, pending_future_is_woken_from_irq_context)
{
	struct executor ex;
	struct sleeper s;
	int err;

	sleeper_init(&s, 5 * MS, 0);
	EXPECT_EQ(executor_init(&ex, 1, "test.async"), 0);
	EXPECT_EQ(executor_spawn(&ex, &s.f), 0);
	err = run_and_destroy(&ex);
	EXPECT_EQ(err, 0);
	EXPECT_EQ(s.polls, 2);
	EXPECT_TRUE(s.fired_at != 0 && s.done_at >= s.fired_at);
}

TEST(async, repeated_wakes_queue_the_future_once)
{
	struct executor ex;
	struct sleeper s;
	uint64_t wakes;

	sleeper_init(&s, 0, 3);
	EXPECT_EQ(executor_init(&ex, 1, "test.async"), 0);
	EXPECT_EQ(executor_spawn(&ex, &s.f), 0);
	EXPECT_EQ(executor_run(&ex), 0);
	wakes = ex.wakes;
	executor_destroy(&ex);
	EXPECT_EQ(s.polls, 2);
	EXPECT_EQ(wakes, 1);
}

/*
 * A waker kept past its future's end, woken while a new future has the
 * same slot, must not poll the new one: its second poll comes only from
 * its own timer.
 */
TEST(async, stale_waker_is_harmless)
{
	struct executor ex;
	struct sleeper a, b;
	uint64_t wakes_before, wakes_after;

	sleeper_init(&a, 0, 1); /* polled twice, then done: its waker goes stale */
	sleeper_init(&b, 20 * MS, 0);
	EXPECT_EQ(executor_init(&ex, 1, "test.async"), 0);
	EXPECT_EQ(executor_spawn(&ex, &a.f), 0);
	EXPECT_EQ(executor_run(&ex), 0);
	b.stale = &a.w;
	EXPECT_EQ(executor_spawn(&ex, &b.f), 0); /* the same slot, the next generation */
	EXPECT_EQ(executor_run(&ex), 0);
	wakes_before = ex.wakes;
	waker_wake(&a.w);
	waker_wake(&b.w);
	wakes_after = ex.wakes;
	executor_destroy(&ex);
	EXPECT_EQ(a.w.slot, b.w.slot);
	EXPECT_TRUE(a.w.gen != b.w.gen);
	EXPECT_EQ(b.polls, 2);
	EXPECT_TRUE(b.fired_at != 0 && b.done_at >= b.fired_at);
	EXPECT_EQ(wakes_after, wakes_before);
}

/* ---- timers ---- */

/* A sleep that notes when it finished. */
struct timed {
	struct future f;
	struct async_sleep s;
	uint64_t done_at;
};

static enum async_poll timed_poll(struct future *f, const struct waker *w)
{
	struct timed *t = container_of(f, struct timed, f);

	if (future_poll(&t->s.f, w) == ASYNC_PENDING)
		return ASYNC_PENDING;
	t->done_at = clock_monotonic_ns();
	return async_ready(f, t->s.f.result);
}

static void timed_drop(struct future *f)
{
	future_drop(&container_of(f, struct timed, f)->s.f);
}

static void timed_init(struct timed *t, uint64_t deadline)
{
	future_init(&t->f, timed_poll, timed_drop);
	async_sleep_until_init(&t->s, deadline);
	t->done_at = 0;
}

/*
 * Check @n timed futures: how many finished early, not at all, or in
 * error; *@max_late is the worst lateness among deadlines from @from on.
 */
static unsigned timed_bad(const struct timed *t, unsigned n, uint64_t from, uint64_t *max_late)
{
	unsigned i, bad = 0;

	*max_late = 0;
	for (i = 0; i < n; i++) {
		if (!future_done(&t[i].f) || t[i].f.result || t[i].done_at < t[i].s.deadline) {
			bad++;
			continue;
		}
		if (t[i].s.deadline >= from && t[i].done_at - t[i].s.deadline > *max_late)
			*max_late = t[i].done_at - t[i].s.deadline;
	}
	return bad;
}

TEST(async, sleep_never_finishes_early)
{
	static struct timed t[40];
	uint64_t now = clock_monotonic_ns(), late;
	struct executor ex;
	unsigned i, bad;
	int err = 0;

	EXPECT_EQ(executor_init(&ex, 40, "test.async"), 0);
	for (i = 0; i < 40 && !err; i++) {
		/* Deadlines out of order, some equal, some already past. */
		timed_init(&t[i], now + ((i * 7) % 13) * MS + (i % 3) * 100000 - 2 * MS);
		err = executor_spawn(&ex, &t[i].f);
	}
	if (!err)
		err = executor_run(&ex);
	executor_destroy(&ex);
	EXPECT_EQ(err, 0);
	bad = timed_bad(t, 40, 0, &late);
	EXPECT_EQ(bad, 0);
	kprintf("# async: 40 sleeps, latest %llu us after its deadline\n",
	        (unsigned long long)(late / 1000));
}

#define MANY_TIMERS 10000

TEST(async, ten_thousand_timer_futures)
{
	struct timed *t = kmalloc_flags(MANY_TIMERS * sizeof(*t), KM_MAY_FAIL);
	uint64_t now, took, late, fired;
	unsigned i, bad;
	bool left_armed;
	struct executor ex;
	int err = 0;

	if (!t)
		ktest_skip("no memory for 10,000 futures");
	EXPECT_EQ(executor_init(&ex, MANY_TIMERS, "test.async"), 0);
	now = clock_monotonic_ns();
	for (i = 0; i < MANY_TIMERS && !err; i++) {
		/* 0 to 200 ms, spread by a multiplicative hash, with microsecond jitter. */
		timed_init(&t[i], now + (i * 2654435761u) % (200 * MS) + (i % 1000) * 1000);
		err = executor_spawn(&ex, &t[i].f);
	}
	if (!err)
		err = executor_run(&ex);
	took = clock_monotonic_ns() - now;
	fired = ex.timers_fired;
	executor_destroy(&ex);
	left_armed = ex.ev.armed;
	bad = timed_bad(t, MANY_TIMERS, now + 100 * MS, &late);
	kfree(t);
	EXPECT_EQ(err, 0);
	EXPECT_EQ(bad, 0);
	EXPECT_TRUE(fired <= MANY_TIMERS);
	EXPECT_TRUE(!left_armed); /* the executor's kernel event is gone too */
	EXPECT_TRUE(took < 5 * NSEC_PER_SEC);
	/* Deadlines before 100 ms may pass while the first polls still arm the others. */
	kprintf("# async: %u timer futures in %llu ms (%llu fired by the heap); past 100 ms the "
	        "latest was %llu us late\n",
	        MANY_TIMERS, (unsigned long long)(took / MS), (unsigned long long)fired,
	        (unsigned long long)(late / 1000));
}

/* ---- combinators ---- */

TEST(async, join_all_waits_for_every_child)
{
	struct async_sleep s[3];
	struct counted c;
	struct async_join j;
	struct future *kids[4] = { &s[0].f, &c.f, &s[1].f, &s[2].f };
	uint64_t t0 = clock_monotonic_ns(), took;
	int r;

	async_sleep_ns_init(&s[0], 10 * MS);
	counted_init(&c, true, 7);
	async_sleep_ns_init(&s[1], 30 * MS);
	async_sleep_ns_init(&s[2], 20 * MS);
	async_join_init(&j, kids, 4);
	r = async_block_on(&j.g.f);
	took = clock_monotonic_ns() - t0;
	EXPECT_EQ(r, 0);
	EXPECT_TRUE(took >= 30 * MS);
	EXPECT_EQ(c.f.result, 7);
	EXPECT_EQ(c.polls, 1); /* a finished child is not polled again */
	EXPECT_TRUE(future_done(&s[0].f) && future_done(&s[1].f) && future_done(&s[2].f));
}

TEST(async, join_all_reports_the_first_error)
{
	struct counted c[3];
	struct async_join j;
	struct future *kids[3] = { &c[0].f, &c[1].f, &c[2].f };

	counted_init(&c[0], true, 5);
	counted_init(&c[1], true, -EIO);
	counted_init(&c[2], true, -EPERM);
	async_join_init(&j, kids, 3);
	EXPECT_EQ(async_block_on(&j.g.f), -EIO);
	EXPECT_EQ(c[0].f.result, 5);
}

TEST(async, select_takes_the_timer_over_a_never_ready_future)
{
	struct counted never;
	struct async_sleep s;
	struct async_select sel;
	struct future *kids[2] = { &never.f, &s.f };
	uint64_t t0 = clock_monotonic_ns();
	int r;

	counted_init(&never, false, 0);
	async_sleep_ns_init(&s, 20 * MS);
	async_select_init(&sel, kids, 2);
	r = async_block_on(&sel.g.f);
	EXPECT_EQ(r, 1);
	EXPECT_TRUE(clock_monotonic_ns() - t0 >= 20 * MS);
	EXPECT_EQ(never.drops, 1);
	EXPECT_EQ(never.f.state, FUTURE_DROPPED);
	EXPECT_TRUE(future_done(&s.f));
}

/* The select and its children live on the heap, freed (and poisoned) once it finished. */
struct race {
	struct async_select sel;
	struct async_sleep fast, slow;
	struct future *kids[2];
};

/*
 * The losing sleep is taken off the executor's heap before the select
 * reports: after its memory is poisoned and freed, the executor's event
 * still fires at the loser's old deadline and must find nothing of it.
 */
TEST(async, select_cancels_the_losing_timer)
{
	struct race *r = kmalloc(sizeof(*r));
	struct executor ex;
	struct timed after;
	uint32_t heap_left;
	uint64_t fired;
	int err;

	async_sleep_ns_init(&r->fast, 10 * MS);
	async_sleep_ns_init(&r->slow, 200 * MS);
	r->kids[0] = &r->fast.f;
	r->kids[1] = &r->slow.f;
	async_select_init(&r->sel, r->kids, 2);
	EXPECT_EQ(executor_init(&ex, 2, "test.async"), 0);
	EXPECT_EQ(executor_spawn(&ex, &r->sel.g.f), 0);
	err = executor_run(&ex);
	heap_left = ex.heap_len;
	EXPECT_EQ(r->sel.g.f.result, 0);
	EXPECT_EQ(r->slow.f.state, FUTURE_DROPPED);
	memset(r, 0x5a, sizeof(*r));
	kfree(r);
	/* Keep the executor busy past the loser's deadline. */
	timed_init(&after, clock_monotonic_ns() + 300 * MS);
	if (!err)
		err = executor_spawn(&ex, &after.f);
	if (!err)
		err = executor_run(&ex);
	fired = ex.timers_fired;
	executor_destroy(&ex);
	EXPECT_EQ(err, 0);
	EXPECT_EQ(heap_left, 0);
	EXPECT_EQ(fired, 2); /* fast and after, never the loser */
	EXPECT_TRUE(after.done_at >= after.s.deadline);
}

/* A task killed while its executor waits: -EINTR, and destroy cancels every timer. */
static bool killed_left_armed;

static int killed_runner(void *arg)
{
	struct async_sleep s[4];
	struct executor ex;
	unsigned i;
	int err;

	(void)arg;
	err = executor_init(&ex, 4, "test.async");
	if (err)
		return err;
	for (i = 0; i < 4 && !err; i++) {
		async_sleep_ns_init(&s[i], (10 + i) * NSEC_PER_SEC);
		err = executor_spawn(&ex, &s[i].f);
	}
	if (!err)
		err = executor_run(&ex);
	executor_destroy(&ex);
	killed_left_armed = ex.ev.armed || ex.heap_len;
	return err;
}

TEST(async, kill_interrupts_the_executor_and_destroy_cancels_its_timers)
{
	struct task_handle h;
	struct task_result r;

	killed_left_armed = true;
	EXPECT_EQ(task_spawn(&h, "async.killed", killed_runner, NULL), 0);
	sleep_ms(20);
	EXPECT_EQ(task_kill(h), 0);
	EXPECT_EQ(task_join(h, &r), 0);
	EXPECT_EQ(r.how, TASK_END_RETURNED);
	EXPECT_EQ(r.value, -EINTR);
	EXPECT_TRUE(!killed_left_armed);
}
