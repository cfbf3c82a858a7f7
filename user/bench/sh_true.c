// SPDX-License-Identifier: MIT
/*
 * `busybox sh -c true` from start to exit (issue 12): fork + execve of
 * Debian's static busybox (glibc) as sh + waitpid, the way a shell starts
 * a command. Busybox is /bin/busybox in the bench initramfs.
 */
#include <sys/wait.h>

#include "bench.h"

static long round_sh(void *arg, long iters)
{
	char *argv[] = { "sh", "-c", "true", NULL };
	char *envp[] = { "PATH=/bin", NULL };
	long i, ok = 0;
	int st;
	pid_t p;

	for (i = 0; i < iters; i++) {
		p = fork();
		if (p == 0) {
			execve("/bin/busybox", argv, envp);
			_exit(127);
		}
		ok += p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	return ok;
}

int main(void)
{
	bench_run("busybox-sh-c-true", round_sh, NULL, 50);
	return 0;
}
