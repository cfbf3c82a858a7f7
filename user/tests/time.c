// SPDX-License-Identifier: MIT
/*
 * Time calls: the clocks move forward and agree with each other, sleeps last
 * at least as long as asked, and bad arguments get Linux's errnos.
 */
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>

#include "utest.h"

static long long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000ll + t->tv_nsec;
}

static long long now(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return ns(&t);
}

int main(void)
{
	struct timespec a, b, res, req = { 0, 20 * 1000000 }, bad = { 0, 1000000000 };
	struct timeval tv;
	struct rusage ru;
	struct tms tms;
	long long t0, t1, i, back = 0;
	time_t tt;

	tap_plan(13);
	for (i = 0, t0 = now(CLOCK_MONOTONIC); i < 1000; i++, t0 = t1) {
		t1 = now(CLOCK_MONOTONIC);
		back += t1 < t0;
	}
	tap_ok(back == 0, "CLOCK_MONOTONIC never goes back over 1000 reads");
	clock_gettime(CLOCK_REALTIME, &a);
	tap_ok(a.tv_sec > 1600000000, "CLOCK_REALTIME is after 2020");
	gettimeofday(&tv, NULL);
	tt = time(NULL);
	tap_ok(tv.tv_sec - a.tv_sec < 5 && tt - a.tv_sec < 5 && tt >= a.tv_sec,
	       "gettimeofday and time agree with it");
	clock_gettime(CLOCK_MONOTONIC, &a);
	nanosleep(&req, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	tap_ok(ns(&b) - ns(&a) >= 20000000, "nanosleep(20 ms) sleeps at least 20 ms");
	t0 = now(CLOCK_MONOTONIC);
	clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
	tap_ok(now(CLOCK_MONOTONIC) - t0 >= 20000000, "clock_nanosleep, relative");
	t0 = now(CLOCK_MONOTONIC);
	a.tv_sec = (t0 + 20000000) / 1000000000;
	a.tv_nsec = (t0 + 20000000) % 1000000000;
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &a, NULL);
	tap_ok(now(CLOCK_MONOTONIC) >= t0 + 20000000, "clock_nanosleep, absolute");
	tap_ok(clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0 &&
	               res.tv_nsec <= 1000000,
	       "clock_getres: at most 1 ms");
	tap_errno(nanosleep(&bad, NULL), EINVAL, "nanosleep with tv_nsec of a second");
	tap_errno(syscall(SYS_clock_gettime, 12345, &a), EINVAL, "clock_gettime of no clock");
	tap_errno(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)8), EFAULT,
	          "clock_gettime to a bad pointer");
	tap_ok(now(CLOCK_BOOTTIME) > 0 && now(CLOCK_PROCESS_CPUTIME_ID) >= 0 &&
	               now(CLOCK_MONOTONIC_RAW) > 0,
	       "boot time, CPU time and raw monotonic clocks answer");
	tap_ok(getrusage(RUSAGE_SELF, &ru) == 0, "getrusage");
	tap_ok(times(&tms) != (clock_t)-1, "times");
	return tap_done(13);
}
