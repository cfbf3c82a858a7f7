/* SPDX-License-Identifier: MIT */
/* The timespec conversions of timespec.h. */
#include "lib/timespec/timespec.h"

#define TS_NSEC_PER_SEC 1000000000ull

bool timespec_valid(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < (int64_t)TS_NSEC_PER_SEC;
}

uint64_t timespec_to_ns(const struct timespec *ts)
{
	uint64_t sec = (uint64_t)ts->tv_sec;

	if (sec > (UINT64_MAX - (uint64_t)ts->tv_nsec) / TS_NSEC_PER_SEC)
		return UINT64_MAX;
	return sec * TS_NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
}

struct timespec ns_to_timespec(uint64_t ns)
{
	struct timespec ts = { (int64_t)(ns / TS_NSEC_PER_SEC), (int64_t)(ns % TS_NSEC_PER_SEC) };

	return ts;
}

struct timeval ns_to_timeval(uint64_t ns)
{
	struct timeval tv = { (int64_t)(ns / TS_NSEC_PER_SEC),
		              (int64_t)(ns % TS_NSEC_PER_SEC / 1000) };

	return tv;
}

uint64_t ns_add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}
