// SPDX-License-Identifier: MIT
/*
 * The real-time interval timer (getitimer(2), alarm(2)): alarm returns
 * the seconds left, a one-shot setitimer delivers one SIGALRM, an
 * interval timer keeps delivering until disarmed, getitimer reads a
 * running timer back, a fork child starts without one, and bad values
 * are EINVAL, bad pointers EFAULT. busybox's ping paces itself with it.
 */
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include "utest.h"

static volatile int alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* Wait up to @ms for alarms to reach @want. */
static bool wait_alarms(int want, long ms)
{
	for (long i = 0; i < ms && alarms < want; i++)
		ut_sleep_ms(1);
	return alarms >= want;
}

static void alarm_values(void)
{
	tap_ok(alarm(0) == 0, "alarm(0) with none set returns 0");
	tap_ok(alarm(5) == 0, "alarm(5) returns 0");
	tap_ok(alarm(7) == 5, "alarm(7) returns the 5 s left");
	tap_ok(alarm(0) == 7, "alarm(0) returns 7 and disarms");
	tap_ok(alarm(0) == 0, "nothing left");
}

static void one_shot_and_interval(void)
{
	struct itimerval v = { { 0, 0 }, { 0, 30000 } }, cur;

	alarms = 0;
	tap_errno(setitimer(ITIMER_REAL, &v, NULL), 0, "setitimer 30 ms one-shot");
	tap_ok(wait_alarms(1, 2000), "one SIGALRM came");
	ut_sleep_ms(100);
	tap_ok(alarms == 1, "and only one (%d)", alarms);
	tap_ok(getitimer(ITIMER_REAL, &cur) == 0 && !cur.it_value.tv_sec && !cur.it_value.tv_usec,
	       "getitimer: not running any more");

	alarms = 0;
	v.it_interval.tv_usec = 20000;
	v.it_value.tv_usec = 20000;
	tap_errno(setitimer(ITIMER_REAL, &v, NULL), 0, "setitimer every 20 ms");
	tap_ok(getitimer(ITIMER_REAL, &cur) == 0 && cur.it_interval.tv_usec == 20000 &&
	               cur.it_value.tv_sec == 0 && cur.it_value.tv_usec <= 20000,
	       "getitimer reads it back");
	tap_ok(wait_alarms(3, 3000), "three SIGALRMs came");
	memset(&v, 0, sizeof(v));
	tap_errno(setitimer(ITIMER_REAL, &v, &cur), 0, "disarm");
	tap_ok(cur.it_interval.tv_usec == 20000, "the old interval came back");
	int seen = alarms;
	ut_sleep_ms(100);
	tap_ok(alarms == seen, "no SIGALRM after the disarm");
}

static int child_has_none(void *arg)
{
	struct itimerval cur;

	(void)arg;
	if (getitimer(ITIMER_REAL, &cur) != 0)
		return 2;
	return cur.it_value.tv_sec || cur.it_value.tv_usec ? 1 : 0;
}

static void errors_and_fork(void)
{
	struct itimerval v = { { 0, 0 }, { 0, 1000000 } };
	int st;

	tap_errno(setitimer(ITIMER_REAL, &v, NULL), EINVAL, "tv_usec 1000000: EINVAL");
	v.it_value.tv_usec = -1;
	tap_errno(setitimer(ITIMER_REAL, &v, NULL), EINVAL, "tv_usec -1: EINVAL");
	tap_errno(setitimer(ITIMER_REAL, (void *)8, NULL), EFAULT, "a bad new value: EFAULT");
	tap_errno(getitimer(ITIMER_REAL, (void *)8), EFAULT, "getitimer to a bad pointer: EFAULT");
	tap_errno(setitimer(42, NULL, NULL), EINVAL, "an unknown timer: EINVAL");
	alarm(100);
	st = ut_in_child(child_has_none, NULL);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a fork child has no timer (%s)",
	       ut_status(st));
	tap_ok(alarm(0) > 90, "the parent's is still running");
}

int main(void)
{
	signal(SIGALRM, on_alarm);
	alarm_values();
	one_shot_and_interval();
	errors_and_fork();
	tap_plan(tap_count);
	return tap_failed ? 1 : 0;
}
