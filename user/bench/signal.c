// SPDX-License-Identifier: MIT
/*
 * Signal costs, in ns per operation: a signal sent to the process itself
 * and run by a handler (kill, delivery, the handler, rt_sigreturn), and a
 * block/unblock pair of rt_sigprocmask. One number per line, the same
 * program on Cairn and on the Linux baseline (docs/performance.md).
 */
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 20000

static volatile unsigned long hits;

static void on_usr1(int sig)
{
	(void)sig;
	hits++;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

int main(void)
{
	struct sigaction sa = { 0 };
	sigset_t set, old;
	unsigned long long t0, t1;
	pid_t self = getpid();

	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	t0 = now_ns();
	for (int i = 0; i < ROUNDS; i++)
		kill(self, SIGUSR1);
	t1 = now_ns();
	printf("signal: kill + handler + sigreturn: %llu ns (%lu handled)\n", (t1 - t0) / ROUNDS,
	       hits);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	t0 = now_ns();
	for (int i = 0; i < ROUNDS; i++) {
		sigprocmask(SIG_BLOCK, &set, &old);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	t1 = now_ns();
	printf("signal: sigprocmask block + unblock: %llu ns\n", (t1 - t0) / ROUNDS);
	return hits == ROUNDS ? 0 : 1;
}
