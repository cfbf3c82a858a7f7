// SPDX-License-Identifier: MIT
/* fork + _exit + waitpid: a whole process made, run and reaped. */
#include <sys/wait.h>

#include "bench.h"

static long round_fork(void *arg, long iters)
{
	long i, ok = 0;
	int st;
	pid_t p;

	for (i = 0; i < iters; i++) {
		p = fork();
		if (p == 0)
			_exit(7);
		ok += p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 7;
	}
	return ok;
}

int main(void)
{
	bench_run("fork+exit+wait", round_fork, NULL, 300);
	return 0;
}
