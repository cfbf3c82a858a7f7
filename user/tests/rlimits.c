// SPDX-License-Identifier: MIT
/*
 * Resource limits: get, set and prlimit64; a soft limit above the hard one is
 * refused; RLIMIT_AS stops mmap and brk; RLIMIT_NPROC stops fork for an
 * ordinary user (root is exempt on Linux).
 */
#include <sys/resource.h>

#include "utest.h"

static int as_child(void *arg)
{
	struct rlimit r = { 64ul << 20, 64ul << 20 };
	void *p;

	if (setrlimit(RLIMIT_AS, &r) != 0)
		return 1;
	p = mmap(NULL, 128ul << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED || errno != ENOMEM)
		return 2;
	p = mmap(NULL, 1ul << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 3;
	/* brk is counted too: growing the break by 128 MiB must fail. */
	if (sbrk(128l << 20) != (void *)-1)
		return 4;
	return 0;
}

static int nproc_child(void *arg)
{
	struct rlimit r = { 3, 3 };
	int made = 0, i;
	pid_t kids[8];

	if (setresuid(1234, 1234, 1234) != 0 || setrlimit(RLIMIT_NPROC, &r) != 0)
		return 100;
	/* This process is one of uid 1234's three: two more may start. */
	for (i = 0; i < 8; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			ut_sleep_ms(300);
			_exit(0);
		}
		if (kids[i] < 0 && errno != EAGAIN)
			return 101;
		made += kids[i] > 0;
	}
	for (i = 0; i < 8; i++)
		if (kids[i] > 0)
			ut_wait(kids[i]);
	return made;
}

int main(void)
{
	struct rlimit r, old;
	int st;

	tap_plan(9);
	tap_errno(getrlimit(RLIMIT_NOFILE, &r), 0, "getrlimit(RLIMIT_NOFILE)");
	tap_ok(r.rlim_cur > 2 && r.rlim_cur <= r.rlim_max, "soft %s hard", "<=");
	tap_errno(getrlimit(RLIMIT_STACK, &r), 0, "getrlimit(RLIMIT_STACK)");
	old = r;
	r.rlim_cur = r.rlim_max == RLIM_INFINITY ? 1ul << 40 : r.rlim_max;
	r.rlim_max = r.rlim_cur - 4096;
	tap_errno(setrlimit(RLIMIT_STACK, &r), EINVAL, "setrlimit with soft above hard");
	tap_errno(syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &r), 0, "prlimit64 reads");
	tap_ok(r.rlim_cur == old.rlim_cur && r.rlim_max == old.rlim_max,
	       "and agrees with getrlimit");
	tap_errno(getrlimit(99, &r), EINVAL, "getrlimit of an unknown resource");
	st = ut_in_child(as_child, NULL);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "RLIMIT_AS of 64 MiB stops a 128 MiB mmap: %s", ut_status(st));
	st = ut_in_child(nproc_child, NULL);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 2, "RLIMIT_NPROC 3 lets a user start 2 more: %s",
	       ut_status(st));
	return tap_done(9);
}
