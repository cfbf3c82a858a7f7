/* SPDX-License-Identifier: MIT */
/*
 * Conversions between Linux's struct timespec / timeval and unsigned
 * nanosecond counts, with the checks the time calls need: a valid timespec
 * has tv_sec >= 0 and tv_nsec in 0..999999999, and a count past
 * UINT64_MAX nanoseconds (584 years) saturates rather than wraps. Pure.
 */
#pragma once

#include <cairn/linux/time.h>

#include <stdbool.h>
#include <stdint.h>

/* Whether @ts is a valid non-negative duration or instant. */
bool timespec_valid(const struct timespec *ts);
/* @ts (valid) in nanoseconds, UINT64_MAX if it does not fit. */
uint64_t timespec_to_ns(const struct timespec *ts);
/* @ns as a timespec. */
struct timespec ns_to_timespec(uint64_t ns);
/* @ns as a timeval (microseconds, truncated). */
struct timeval ns_to_timeval(uint64_t ns);
/* @a + @b, UINT64_MAX if it overflows. */
uint64_t ns_add_sat(uint64_t a, uint64_t b);
