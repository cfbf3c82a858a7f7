// SPDX-License-Identifier: MIT
/*
 * fork + execve + waitpid: the child execs this same static binary with the
 * argument "exit", which returns at once from main, so the figure is the
 * kernel's exec of a small static ELF plus the libc's start-up.
 */
#include <sys/wait.h>

#include "bench.h"

static long round_exec(void *arg, long iters)
{
	char *argv[] = { (char *)arg, "exit", NULL };
	char *envp[] = { NULL };
	long i, ok = 0;
	int st;
	pid_t p;

	for (i = 0; i < iters; i++) {
		p = fork();
		if (p == 0) {
			execve(argv[0], argv, envp);
			_exit(127);
		}
		ok += p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	return ok;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "exit") == 0)
		return 0;
	bench_run("fork+execve+wait", round_exec, argv[0], 200);
	return 0;
}
