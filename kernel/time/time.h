/* SPDX-License-Identifier: MIT */
/*
 * Time, architecture-neutral: a monotonic clock in nanoseconds from the
 * CPU's cycle counter, one-shot timer events whose callbacks run in IRQ
 * context, sleeps that halt until their deadline, and the wall-clock date
 * read at boot. The architecture supplies the calibrated counter, a
 * one-shot interrupt and the RTC (the arch_* functions below; x86_64:
 * kernel/arch/x86_64/platform/tsc.c and rtc.c). See docs/time.md.
 */
#pragma once

#include <cairn/compiler.h>

#include <lib/list/list.h>

#include <stdbool.h>
#include <stdint.h>

#define NSEC_PER_SEC  1000000000ull
#define NSEC_PER_MSEC 1000000ull
#define NSEC_PER_USEC 1000ull
#define TIME_NEVER    UINT64_MAX

/* A calendar date and time of day, UTC. */
struct rtc_time {
	uint16_t year; /* e.g. 2026 */
	uint8_t mon;   /* 1-12 */
	uint8_t mday;  /* 1-31 */
	uint8_t hour;  /* 0-23 */
	uint8_t min;   /* 0-59 */
	uint8_t sec;   /* 0-59 */
};

/*
 * A one-shot timer event. Locks: [T] the lock of the CPU's list it is on; [I] set by
 * timer_event_init() while the event is not armed.
 */
struct timer_base;
struct timer_event {
	uint64_t deadline;                             /* [T] monotonic ns */
	void (*fn)(struct timer_event *ev, void *ctx); /* [I] runs in IRQ context */
	void *ctx;                                     /* [I] */
	struct list_node link;                         /* [T] on its base's list */
	struct timer_base *base;                       /* [T] the CPU list it was armed on */
	bool armed;                                    /* [T] on the list */
};

/*
 * Start calibrating the clock: find the reference and take its first
 * reading, so that the boot work until time_init() is the measuring
 * window instead of a wait. Once, on the boot CPU, after the memory
 * manager and before time_init(); optional (time_init() starts it too).
 */
void time_start(void);
/*
 * Finish calibrating the clock, set up the timer interrupt, read the RTC.
 * Once, on the boot CPU, after irq_init() and before interrupts are enabled.
 * Returns 0, or -ENODEV when there is no timer interrupt (sleeps then
 * busy-wait and events never fire; logged).
 */
int time_init(void);

/* Nanoseconds since the machine started counting; never goes back. Any context. */
uint64_t clock_monotonic_ns(void);
/* Wall-clock time in ns since 1970-01-01 UTC (0 when the RTC was unreadable). */
uint64_t clock_realtime_ns(void);
/* The RTC date read at boot; -ENODEV when there was none. */
int clock_boot_date(struct rtc_time *out);

/* The cycle-counter value at monotonic time @ns (for the architecture's timer). */
uint64_t clock_ns_to_cycles(uint64_t ns);
/* Days since 1970-01-01 of a proleptic Gregorian date (the civil calendar). */
int64_t time_days_from_civil(int64_t year, unsigned mon, unsigned mday);

/* Prepare @ev to call @fn(@ev, @ctx) when it fires. */
void timer_event_init(struct timer_event *ev, void (*fn)(struct timer_event *ev, void *ctx),
                      void *ctx);
/*
 * Fire @ev once at monotonic time @deadline_ns (at once if it is past),
 * never before, on the calling CPU. The callback runs in IRQ context with
 * interrupts off and may re-arm its event. Returns 0, -EINVAL (no callback) or -EBUSY
 * (already armed). Any context.
 */
int __must_check timer_event_arm(struct timer_event *ev, uint64_t deadline_ns);
/*
 * Take @ev off the list. Returns true when it was armed and now will not
 * fire; false when it was not armed (never, or already fired or firing).
 */
bool timer_event_cancel(struct timer_event *ev);

/* Wait until @ns (@ms) have passed: a task blocks and lets others run; other
 * flows halt with interrupts on; busy-waits when there is no timer
 * interrupt. Not for IRQ context. Not a kill safe point (task_sleep_ns() is). */
void sleep_ns(uint64_t ns);
void sleep_ms(uint64_t ms);
/* Spin for @ns without halting or touching the interrupt flag. Any context. */
void delay_ns(uint64_t ns);

/* The "clock-test" boot mode: two clock readings 10 s apart (tools/cairntest.py). */
void time_clock_test(void);

/* ---- implemented by the architecture ---- */

/* Find the calibration reference and open the measuring window (see time_start()). */
void arch_time_start(void);
/* Calibrate the cycle counter and the timer, route the timer interrupt. Returns 0 or -ENODEV. */
int arch_time_init(void);
/* The cycle counter's calibrated rate in Hz. */
uint64_t arch_clock_hz(void);
/* Interrupt this CPU at monotonic time @deadline_ns (TIME_NEVER: stop). IRQs off. */
void arch_timer_program(uint64_t deadline_ns);
/* Read the battery-backed clock. Returns 0, -ENODEV or -EIO. */
int arch_rtc_read(struct rtc_time *out);
/* Called by the architecture's timer interrupt, interrupts off. */
void time_timer_interrupt(void);
