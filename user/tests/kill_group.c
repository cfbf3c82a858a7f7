// SPDX-License-Identifier: MIT
/*
 * Signals to a whole process group while its members fork and exit: every
 * round, a group of four processes that fork and reap children as fast as
 * they can is ended with kill(-pgid, SIGKILL), which must reach the members
 * being created and exiting as well. Run late (tools/usertest.py): a kernel
 * that trips over such a member takes the rest of the boot with it.
 */
#include "utest.h"

#define ROUNDS 20

static void churn(void)
{
	pid_t g;

	for (;;) {
		g = fork();
		if (g == 0)
			_exit(0);
		if (g > 0)
			waitpid(g, NULL, 0);
	}
}

static pid_t start_group(void)
{
	pid_t leader = fork();
	int i;

	if (leader == 0) {
		setpgid(0, 0);
		for (i = 0; i < 3; i++)
			if (fork() == 0)
				churn();
		churn();
	}
	if (leader > 0)
		setpgid(leader, leader); /* no race with the child's own call */
	return leader;
}

int main(void)
{
	int round, good = 0, st;
	pid_t leader;

	tap_plan(3);
	for (round = 0; round < ROUNDS; round++) {
		leader = start_group();
		ut_sleep_ms(30 + round * 5);
		kill(-leader, SIGKILL);
		st = ut_wait(leader);
		good += st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
	}
	tap_ok(good == ROUNDS, "%d of %d forking groups ended by kill(-pgid, SIGKILL)", good,
	       ROUNDS);
	tap_errno(kill(-0x3ffffff, SIGTERM), ESRCH, "kill of a group that never existed");
	tap_errno(kill(0, 0), 0, "kill(0, 0) reaches our own group");
	return tap_done(3);
}
