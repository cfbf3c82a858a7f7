// SPDX-License-Identifier: MIT
/*
 * Time tests: the monotonic clock, one-shot timer events (never early, in
 * deadline order, cancelled, re-armed from their own callback), sleeps,
 * the wall clock and the civil-date arithmetic. Measurements against the
 * HPET and the RTC's register decoding are x86's:
 * tests/kernel/arch/x86_64/test_time_x86.c. The drift over 10 s against
 * the host's clock is an end-to-end test (tools/cairntest.py, "clock-test").
 */
#include <cairn/errno.h>

#include <stdbool.h>
#include <stdint.h>

#include "core/ktest.h"
#include "irq/irq.h"
#include "time/time.h"

#define MS NSEC_PER_MSEC

/* A test event's record of when it ran. */
struct fired {
	volatile unsigned count;
	volatile uint64_t at;       /* clock reading in the callback */
	volatile unsigned order[4]; /* which events ran, in order */
	unsigned id;
	unsigned rearm;    /* re-arm this many more times */
	struct fired *log; /* shared log for the ordering test */
};

static void on_fire(struct timer_event *ev, void *ctx)
{
	struct fired *f = ctx;

	f->at = clock_monotonic_ns();
	if (f->log && f->log->count < 4)
		f->log->order[f->log->count++] = f->id;
	f->count++;
	if (f->rearm) {
		f->rearm--;
		if (timer_event_arm(ev, clock_monotonic_ns() + 1 * MS))
			f->rearm = 0;
	}
}

/*
 * Wait up to a second for @f to have counted @n firings (a busy host can run
 * TCG's timer late), then cancel @ev, so an event never outlives the test's
 * stack frame even when a check after this fails. Returns whether @ev was
 * still armed.
 */
static bool settle(struct timer_event *ev, const struct fired *f, unsigned n)
{
	uint64_t end = clock_monotonic_ns() + 1000 * MS;

	while (f->count < n && clock_monotonic_ns() < end)
		sleep_ms(1);
	return timer_event_cancel(ev);
}

TEST(time, clock_is_monotonic)
{
	uint64_t prev = clock_monotonic_ns(), now;
	unsigned i;

	for (i = 0; i < 100000; i++) {
		now = clock_monotonic_ns();
		EXPECT_TRUE(now >= prev);
		prev = now;
	}
	delay_ns(1 * MS);
	EXPECT_TRUE(clock_monotonic_ns() - prev >= 1 * MS);
}

TEST(time, event_fires_after_its_deadline)
{
	struct fired f = { 0 };
	struct timer_event ev;
	uint64_t deadline = clock_monotonic_ns() + 5 * MS;

	timer_event_init(&ev, on_fire, &f);
	EXPECT_EQ(timer_event_arm(&ev, deadline), 0);
	EXPECT_TRUE(!settle(&ev, &f, 1));
	EXPECT_EQ(f.count, 1);
	EXPECT_TRUE(f.at >= deadline);
}

TEST(time, event_does_not_fire_early)
{
	struct fired f = { 0 };
	struct timer_event ev;
	uint64_t deadline = clock_monotonic_ns() + 30 * MS;

	irq_enable();
	timer_event_init(&ev, on_fire, &f);
	EXPECT_EQ(timer_event_arm(&ev, deadline), 0);
	delay_ns(10 * MS);
	/* A host that stops the vCPU past the deadline may let it fire: never before it. */
	EXPECT_TRUE(f.count == 0 || f.at >= deadline);
	/* Check with interrupts off, then wait atomically, so the wake-up is not lost. */
	irq_disable();
	while (clock_monotonic_ns() < deadline + 20 * MS && f.count == 0) {
		irq_enable_and_wait();
		irq_disable();
	}
	irq_enable();
	EXPECT_TRUE(!settle(&ev, &f, 1));
	EXPECT_EQ(f.count, 1);
	EXPECT_TRUE(f.at >= deadline);
}

TEST(time, events_fire_in_deadline_order)
{
	struct fired log = { 0 }, f[3] = { { .id = 1 }, { .id = 2 }, { .id = 3 } };
	struct timer_event ev[3];
	uint64_t now = clock_monotonic_ns();
	unsigned i;

	for (i = 0; i < 3; i++) {
		f[i].log = &log;
		timer_event_init(&ev[i], on_fire, &f[i]);
	}
	/* Armed latest first: the list must sort them. */
	EXPECT_EQ(timer_event_arm(&ev[2], now + 9 * MS), 0);
	EXPECT_EQ(timer_event_arm(&ev[0], now + 3 * MS), 0);
	EXPECT_EQ(timer_event_arm(&ev[1], now + 6 * MS), 0);
	for (i = 0; i < 3; i++)
		EXPECT_TRUE(!settle(&ev[i], &log, 3));
	EXPECT_EQ(log.count, 3);
	EXPECT_EQ(log.order[0], 1);
	EXPECT_EQ(log.order[1], 2);
	EXPECT_EQ(log.order[2], 3);
	EXPECT_TRUE(f[0].at <= f[1].at && f[1].at <= f[2].at);
}

TEST(time, cancelled_event_never_fires)
{
	struct fired f = { 0 };
	struct timer_event ev;

	/*
	 * An event fires from the timer interrupt of the CPU that armed it: with
	 * interrupts off here it cannot fire before the cancel, however long the
	 * emulator keeps this CPU from running. Waiting past the deadline first
	 * leaves the hardware interrupt pending, and it must then find nothing
	 * due.
	 */
	timer_event_init(&ev, on_fire, &f);
	irq_disable();
	EXPECT_EQ(timer_event_arm(&ev, clock_monotonic_ns() + 3 * MS), 0);
	EXPECT_TRUE(__atomic_load_n(&ev.armed, __ATOMIC_ACQUIRE));
	delay_ns(5 * MS);
	EXPECT_TRUE(timer_event_cancel(&ev));
	EXPECT_TRUE(!__atomic_load_n(&ev.armed, __ATOMIC_ACQUIRE));
	irq_enable();
	sleep_ms(10);
	EXPECT_EQ(f.count, 0);
	EXPECT_TRUE(!timer_event_cancel(&ev));
}

TEST(time, event_rearms_from_its_callback)
{
	struct fired f = { .rearm = 4 };
	struct timer_event ev;

	timer_event_init(&ev, on_fire, &f);
	EXPECT_EQ(timer_event_arm(&ev, clock_monotonic_ns() + 1 * MS), 0);
	EXPECT_TRUE(!settle(&ev, &f, 5));
	EXPECT_EQ(f.count, 5);
}

TEST(time, arm_refuses_bad_input)
{
	struct timer_event ev;
	struct fired f = { 0 };

	timer_event_init(&ev, NULL, NULL);
	EXPECT_EQ(timer_event_arm(&ev, clock_monotonic_ns()), -EINVAL);
	timer_event_init(&ev, on_fire, &f);
	EXPECT_EQ(timer_event_arm(&ev, clock_monotonic_ns() + 50 * MS), 0);
	EXPECT_EQ(timer_event_arm(&ev, clock_monotonic_ns() + 50 * MS), -EBUSY);
	EXPECT_TRUE(timer_event_cancel(&ev));
}

TEST(time, past_deadline_fires_at_once)
{
	struct fired f = { 0 };
	struct timer_event ev;

	timer_event_init(&ev, on_fire, &f);
	EXPECT_EQ(timer_event_arm(&ev, clock_monotonic_ns() - 1 * MS), 0);
	EXPECT_TRUE(!settle(&ev, &f, 1));
	EXPECT_EQ(f.count, 1);
}

TEST(time, sleep_zero_returns)
{
	uint64_t t0 = clock_monotonic_ns();

	sleep_ns(0);
	EXPECT_TRUE(clock_monotonic_ns() - t0 < 50 * MS);
}

TEST(time, rtc_date_is_sane)
{
	struct rtc_time t;

	if (clock_boot_date(&t) != 0)
		ktest_skip("no RTC date");
	EXPECT_TRUE(t.year >= 2020 && t.year < 2200);
	EXPECT_TRUE(t.mon >= 1 && t.mon <= 12 && t.mday >= 1 && t.mday <= 31);
	/* 2020-01-01 is 18262 days after the epoch. */
	EXPECT_TRUE(clock_realtime_ns() / NSEC_PER_SEC > 18262ull * 86400);
}

TEST(time, civil_dates)
{
	EXPECT_EQ(time_days_from_civil(1970, 1, 1), 0);
	EXPECT_EQ(time_days_from_civil(1969, 12, 31), -1);
	EXPECT_EQ(time_days_from_civil(2000, 3, 1), 11017);
	EXPECT_EQ(time_days_from_civil(2024, 2, 29), 19782);
	EXPECT_EQ(time_days_from_civil(2100, 3, 1), 47541);
}
