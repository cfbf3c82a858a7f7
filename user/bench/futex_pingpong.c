// SPDX-License-Identifier: MIT
/*
 * A futex wake round trip between two threads: each waits on its own word
 * until the other sets it and wakes it; one op is one full round (two waits,
 * two wakes).
 */
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "bench.h"

#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

static volatile int ping, pong;
static volatile long rounds_left;

static void wait_for(volatile int *w)
{
	while (__atomic_exchange_n(w, 0, __ATOMIC_ACQ_REL) == 0)
		syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
}

static void post(volatile int *w)
{
	__atomic_store_n(w, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *ponger(void *arg)
{
	for (;;) {
		wait_for(&ping);
		if (__atomic_load_n(&rounds_left, __ATOMIC_ACQUIRE) < 0)
			return NULL;
		post(&pong);
	}
}

static long round_pingpong(void *arg, long iters)
{
	long i;

	for (i = 0; i < iters; i++) {
		post(&ping);
		wait_for(&pong);
	}
	return iters;
}

int main(void)
{
	pthread_t t;

	pthread_create(&t, NULL, ponger, NULL);
	bench_run("futex-roundtrip", round_pingpong, NULL, 5000);
	__atomic_store_n(&rounds_left, -1, __ATOMIC_RELEASE);
	post(&ping);
	pthread_join(t, NULL);
	return 0;
}
