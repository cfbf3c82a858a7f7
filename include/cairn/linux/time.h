/* SPDX-License-Identifier: MIT */
/*
 * Linux's x86_64 time ABI: struct timespec and timeval as the calls take
 * them, clock ids and the clock_nanosleep flag (facts from Linux's uapi
 * <linux/time.h> and <linux/time_types.h>).
 */
#pragma once

#include <stdint.h>

struct timespec {
	int64_t tv_sec;  /* seconds */
	int64_t tv_nsec; /* nanoseconds, 0..999999999 */
};

struct timeval {
	int64_t tv_sec;  /* seconds */
	int64_t tv_usec; /* microseconds, 0..999999 */
};

/* gettimeofday(2)'s obsolete second argument. */
struct timezone {
	int32_t tz_minuteswest;
	int32_t tz_dsttime;
};

_Static_assert(sizeof(struct timespec) == 16, "timespec is two 64-bit fields");
_Static_assert(sizeof(struct timeval) == 16, "timeval is two 64-bit fields");

#define CLOCK_REALTIME           0
#define CLOCK_MONOTONIC          1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID  3
#define CLOCK_MONOTONIC_RAW      4
#define CLOCK_REALTIME_COARSE    5
#define CLOCK_MONOTONIC_COARSE   6
#define CLOCK_BOOTTIME           7
#define CLOCK_REALTIME_ALARM     8
#define CLOCK_BOOTTIME_ALARM     9
#define CLOCK_TAI                11

#define TIMER_ABSTIME 1 /* clock_nanosleep(2): the time is a deadline */
