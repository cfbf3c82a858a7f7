// SPDX-License-Identifier: MIT
/*
 * Identities: pid, ppid and tid; process groups and sessions; user and group
 * ids with the rules for root and for an ordinary user. Values that differ
 * run to run are printed only as "ok".
 */
#include <grp.h>
#include <sys/resource.h>

#include "utest.h"

static int pgrp_child(void *arg)
{
	if (setpgid(0, 0) != 0 || getpgrp() != getpid())
		return 1;
	/* A group leader may not start a session. */
	if (setsid() != -1 || errno != EPERM)
		return 2;
	return 0;
}

static int session_child(void *arg)
{
	pid_t sid = setsid();

	if (sid != getpid() || getsid(0) != getpid() || getpgrp() != getpid())
		return 1;
	/* A session leader cannot move to another group. */
	if (setpgid(0, getppid()) != -1 || errno != EPERM)
		return 2;
	return 0;
}

static int drop_child(void *arg)
{
	gid_t groups[4];

	if (setgroups(0, NULL) != 0 || getgroups(4, groups) != 0)
		return 1;
	if (setresgid(100, 100, 100) != 0 || getgid() != 100 || getegid() != 100)
		return 2;
	if (setresuid(1000, 1000, 1000) != 0 || getuid() != 1000 || geteuid() != 1000)
		return 3;
	/* An ordinary user cannot go back to root, nor take another's uid. */
	if (setuid(0) != -1 || errno != EPERM)
		return 4;
	if (setreuid(-1, 2000) != -1 || errno != EPERM)
		return 5;
	if (setgroups(0, NULL) != -1 || errno != EPERM)
		return 6;
	if (kill(1, 0) != -1 || errno != EPERM)
		return 7;
	return 0;
}

static int euid_child(void *arg)
{
	uid_t r, e, s;

	/* Root may set the effective id alone, keeping the saved root id. */
	if (seteuid(500) != 0 || getuid() != 0 || geteuid() != 500)
		return 1;
	getresuid(&r, &e, &s);
	if (r != 0 || e != 500 || s != 0)
		return 2;
	if (seteuid(0) != 0 || geteuid() != 0)
		return 3;
	return 0;
}

int main(void)
{
	pid_t pid = getpid(), pgid;
	int st;

	tap_plan(10);
	tap_masked("pid %d ppid %d", (int)pid, (int)getppid());
	tap_ok(pid > 1 && getppid() >= 1, "pid and ppid");
	tap_ok(syscall(SYS_gettid) == pid, "the main thread's tid is the pid");
	pgid = getpgrp();
	tap_ok(getpgid(0) == pgid && getpgid(pid) == pgid && getsid(0) > 0, "pgid and sid");
	tap_ok(getuid() == 0 && geteuid() == 0 && getgid() == 0 && getegid() == 0,
	       "init's children run as root");
	tap_errno(getpgid(0x3ffffff), ESRCH, "getpgid of no process");
	tap_errno(setpgid(0, 0x3ffffff), EPERM, "setpgid to a group that does not exist");
	st = ut_in_child(pgrp_child, NULL);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "setpgid makes a new group: %s",
	       ut_status(st));
	st = ut_in_child(session_child, NULL);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "setsid makes a new session: %s",
	       ut_status(st));
	st = ut_in_child(drop_child, NULL);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "dropping to uid 1000 is for good: %s",
	       ut_status(st));
	st = ut_in_child(euid_child, NULL);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "seteuid keeps the saved id: %s",
	       ut_status(st));
	return tap_done(10);
}
