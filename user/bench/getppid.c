// SPDX-License-Identifier: MIT
/* The null system call: getppid through syscall(2), the libc's cache bypassed. */
#include <sys/syscall.h>

#include "bench.h"

static long round_getppid(void *arg, long iters)
{
	long i, ok = 0;

	for (i = 0; i < iters; i++)
		ok += syscall(SYS_getppid) > 0;
	return ok;
}

int main(void)
{
	bench_run("getppid", round_getppid, NULL, 100000);
	return 0;
}
