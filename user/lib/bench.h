// SPDX-License-Identifier: MIT
/*
 * Timing for the user benchmarks of user/bench/: each figure is measured in
 * several rounds of many iterations and reported as the median round's cost
 * per iteration, one line per figure:
 *   bench NAME NS ns/op (ITERS iterations x ROUNDS rounds, min MIN, max MAX)
 * tools/userbench.py reads the NAME and NS fields from both kernels' runs.
 */
#pragma once

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BENCH_ROUNDS 5

static inline long long bench_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ll + t.tv_nsec;
}

/* Sort @n values in place (n is tiny: BENCH_ROUNDS). */
static inline void bench_sort(double *v, int n)
{
	int i, j;
	double t;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

/*
 * Run @round(@arg, @iters) BENCH_ROUNDS times after one warm-up round, and
 * print the figure @name. @round returns the number of operations it did
 * (normally @iters; fewer means it failed, and the figure says so).
 */
static inline void bench_run(const char *name, long (*round)(void *arg, long iters), void *arg,
                             long iters)
{
	double ns[BENCH_ROUNDS];
	char line[200];
	long long t0;
	long done;
	int i, n;

	round(arg, iters / 10 + 1);
	for (i = 0; i < BENCH_ROUNDS; i++) {
		t0 = bench_now_ns();
		done = round(arg, iters);
		ns[i] = (double)(bench_now_ns() - t0) / (double)iters;
		if (done != iters) {
			n = snprintf(line, sizeof(line), "bench %s failed (%ld of %ld)\n", name,
			             done, iters);
			write(1, line, n);
			return;
		}
	}
	bench_sort(ns, BENCH_ROUNDS);
	n = snprintf(line, sizeof(line),
	             "bench %s %.0f ns/op (%ld iterations x %d rounds, min %.0f, max %.0f)\n", name,
	             ns[BENCH_ROUNDS / 2], iters, BENCH_ROUNDS, ns[0], ns[BENCH_ROUNDS - 1]);
	write(1, line, n);
}
