// SPDX-License-Identifier: MIT
/* pthread_create + pthread_join of a thread that returns at once. */
#include <pthread.h>

#include "bench.h"

static void *nothing(void *arg)
{
	return arg;
}

static long round_threads(void *arg, long iters)
{
	pthread_t t;
	void *r;
	long i, ok = 0;

	for (i = 0; i < iters; i++)
		if (pthread_create(&t, NULL, nothing, (void *)i) == 0)
			ok += pthread_join(t, &r) == 0 && r == (void *)i;
	return ok;
}

int main(void)
{
	bench_run("thread-create+join", round_threads, NULL, 500);
	return 0;
}
