// SPDX-License-Identifier: MIT
/*
 * Signal costs: a signal the process sends itself and runs in a handler
 * (kill, delivery with a frame of registers and FPU state, the handler,
 * rt_sigreturn with its checks), and a block/unblock pair of
 * rt_sigprocmask. docs/performance.md, "Signals".
 */
#include <signal.h>
#include <unistd.h>

#include "bench.h"

static volatile long hits;

static void on_usr1(int sig)
{
	(void)sig;
	hits++;
}

static long round_kill(void *arg, long iters)
{
	pid_t self = getpid();
	long before = hits, i;

	(void)arg;
	for (i = 0; i < iters; i++)
		kill(self, SIGUSR1);
	return hits - before;
}

static long round_mask(void *arg, long iters)
{
	sigset_t set, old;
	long i, ok = 0;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	for (i = 0; i < iters; i++)
		ok += sigprocmask(SIG_BLOCK, &set, &old) == 0 &&
		      sigprocmask(SIG_SETMASK, &old, NULL) == 0;
	return ok;
}

int main(void)
{
	struct sigaction sa = { 0 };

	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	bench_run("signal-handler", round_kill, NULL, 5000);
	bench_run("sigprocmask-pair", round_mask, NULL, 20000);
	return 0;
}
