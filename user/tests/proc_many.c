// SPDX-License-Identifier: MIT
/*
 * 1,000 processes created and reaped: one at a time, then 100 rounds of ten
 * alive at once, each exit status checked. The kernel side (no frame leaked)
 * is checked by the mm lane's suites; here the user-visible part.
 */
#include "utest.h"

#define N     1000
#define BATCH 10

static int one_at_a_time(void)
{
	int i, good = 0, st;
	pid_t pid;

	for (i = 0; i < N; i++) {
		pid = fork();
		if (pid == 0)
			_exit(i & 0x7f);
		st = pid < 0 ? -1 : ut_wait(pid);
		if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == (i & 0x7f))
			good++;
	}
	return good;
}

static int in_batches(void)
{
	pid_t pids[BATCH];
	int round, i, good = 0, st;

	for (round = 0; round < N / BATCH; round++) {
		for (i = 0; i < BATCH; i++) {
			pids[i] = fork();
			if (pids[i] == 0)
				_exit(i + 1);
		}
		/* Reap in reverse order: wait by pid, not by arrival. */
		for (i = BATCH - 1; i >= 0; i--) {
			st = pids[i] < 0 ? -1 : ut_wait(pids[i]);
			if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == i + 1)
				good++;
		}
	}
	return good;
}

int main(void)
{
	int n;

	tap_plan(3);
	n = one_at_a_time();
	tap_ok(n == N, "%d of %d processes forked, exited and reaped one at a time", n, N);
	n = in_batches();
	tap_ok(n == N, "%d of %d processes reaped in batches of %d", n, N, BATCH);
	n = waitpid(-1, NULL, WNOHANG);
	tap_errno(n, ECHILD, "no child left behind");
	return tap_done(3);
}
