// SPDX-License-Identifier: MIT
/*
 * time_init() and the wall clock: the architecture calibrates its clock
 * and timer, then the RTC is read once for the date, which with the
 * monotonic clock gives real time from then on (no NTP, no drift
 * correction). Also the "clock-test" boot mode the host's drift test uses.
 * Locks: [B] written on the boot CPU in time_init(), read-only after.
 */
#include <cairn/errno.h>

#include "arch/arch.h"
#include "core/log.h"
#include "time/internal.h"
#include "time/time.h"

static struct rtc_time boot_date; /* [B] */
static bool have_date;            /* [B] */
static uint64_t epoch_offset_ns;  /* [B] realtime - monotonic */

/*
 * Days from 1970-01-01 to @year-@mon-@mday in the proleptic Gregorian
 * calendar, by counting 400-year eras that start on March 1st, so the leap
 * day is the last day of a year (H. Hinnant, "chrono-compatible low-level
 * date algorithms", days_from_civil).
 */
int64_t time_days_from_civil(int64_t year, unsigned mon, unsigned mday)
{
	int64_t y = year - (mon <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (mon > 2 ? mon - 3 : mon + 9) + 2) / 5 + mday - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static void read_date(void)
{
	struct rtc_time t;
	uint64_t secs;
	int err = arch_rtc_read(&t);

	if (err) {
		pr_warn("rtc: no usable date (%d); wall-clock time unknown", err);
		return;
	}
	boot_date = t;
	have_date = true;
	secs = (uint64_t)time_days_from_civil(t.year, t.mon, t.mday) * 86400 + t.hour * 3600u +
	       t.min * 60u + t.sec;
	epoch_offset_ns = secs * NSEC_PER_SEC - clock_monotonic_ns();
	pr_info("rtc: %04u-%02u-%02u %02u:%02u:%02u UTC", t.year, t.mon, t.mday, t.hour, t.min,
	        t.sec);
}

void time_start(void)
{
	arch_time_start();
}

int time_init(void)
{
	uint64_t c0 = arch_cycles();
	int err = arch_time_init();

	clock_set_hz(arch_clock_hz());
	time_timer_set_ready(err == 0);
	if (err)
		pr_warn("time: no timer interrupt (%d): sleeps busy-wait, timer events never fire",
		        err);
	read_date();
	pr_debug("time: set up in %llu us",
	         (unsigned long long)((arch_cycles() - c0) * 1000 / arch_cycles_khz()));
	return err;
}

uint64_t clock_realtime_ns(void)
{
	return have_date ? clock_monotonic_ns() + epoch_offset_ns : 0;
}

int clock_boot_date(struct rtc_time *out)
{
	if (!have_date)
		return -ENODEV;
	*out = boot_date;
	return 0;
}

/*
 * Print the clock, sleep 10 s, print it again: the host compares the
 * difference with its own clock between the two lines (docs/time.md).
 */
void time_clock_test(void)
{
	kprintf("clock: mark 1 %llu\n", (unsigned long long)clock_monotonic_ns());
	sleep_ms(10000);
	kprintf("clock: mark 2 %llu\n", (unsigned long long)clock_monotonic_ns());
}
