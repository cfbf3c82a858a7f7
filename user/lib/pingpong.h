// SPDX-License-Identifier: MIT
/*
 * Round-trip benchmarks between two sides (issue 15's IPC figures): a
 * client that sends N bytes and waits for N back, and a server that
 * answers, as two processes (fork) or two threads of one process, both
 * pinned to CPU 0 ("same") or the client on CPU 0 and the server on CPU 1
 * ("cross"). A transport (pipes, an AF_UNIX socket pair, a Cairn channel)
 * gives the five operations below; pp_figure() does the rest and prints
 * one line per figure in bench.h's format:
 *   bench NAME-proc-same 40000 ns/op (...)
 * Iteration counts follow the measured cost (a cross-CPU wake-up under TCG
 * can cost a thousand times a same-CPU one), so that every figure takes
 * about the same time. tools/ipcbench.py reads the lines.
 */
#pragma once

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

/* Guest time a measured round should take, and the bounds on its iterations. */
#define PP_ROUND_NS  40000000ll
#define PP_MIN_ITERS 20
#define PP_MAX_ITERS 20000
#define PP_PROBE     20

struct pp_transport {
	/* Make the endpoints of @ctx (before fork or pthread_create); 0 or -errno. */
	int (*open)(void *ctx);
	/* Close the endpoints the other side uses (@server: we are the server). */
	void (*keep)(void *ctx, int server);
	/* Do @iters round trips as the client; returns how many succeeded. */
	long (*client)(void *ctx, long iters);
	/* Answer until the client's end closes. */
	void (*serve)(void *ctx);
	/* Close this side's endpoints (@server as in keep()). */
	void (*close)(void *ctx, int server);
};

/* Pin the calling thread to @cpu and check that it runs there; 0 or -1. */
static inline int pp_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -1;
	return sched_getcpu() == cpu ? 0 : -1;
}

/* CPUs this process may use (the guest's vCPUs), read before the first pin. */
static inline int pp_cpus(void)
{
	static int n;
	cpu_set_t set;

	if (!n)
		n = sched_getaffinity(0, sizeof(set), &set) ? 1 : CPU_COUNT(&set);
	return n;
}

struct pp_server_arg {
	const struct pp_transport *t;
	void *ctx;
	int cpu;
	int pinned; /* out: 1 pinned, -1 could not pin */
};

static inline void *pp_server_thread(void *a)
{
	struct pp_server_arg *s = a;

	s->pinned = pp_pin(s->cpu) ? -1 : 1;
	s->t->serve(s->ctx);
	s->t->close(s->ctx, 1);
	return NULL;
}

/* Round trips per measured round: enough for PP_ROUND_NS after a probe. */
static inline long pp_calibrate(const struct pp_transport *t, void *ctx)
{
	long long t0 = bench_now_ns(), per;
	long iters;

	if (t->client(ctx, PP_PROBE) != PP_PROBE)
		return -1;
	per = (bench_now_ns() - t0) / PP_PROBE;
	iters = per > 0 ? (long)(PP_ROUND_NS / per) : PP_MAX_ITERS;
	if (iters < PP_MIN_ITERS)
		iters = PP_MIN_ITERS;
	return iters > PP_MAX_ITERS ? PP_MAX_ITERS : iters;
}

struct pp_client_arg {
	const struct pp_transport *t;
	void *ctx;
};

static inline long pp_client_round(void *a, long iters)
{
	struct pp_client_arg *c = a;

	return c->t->client(c->ctx, iters);
}

/* The client's part once the server runs: calibrate, then time. */
static inline void pp_measure(const char *name, const struct pp_transport *t, void *ctx)
{
	struct pp_client_arg c = { t, ctx };
	long iters = pp_calibrate(t, ctx);

	if (iters < 0) {
		printf("bench %s failed (probe)\n", name);
		return;
	}
	bench_run(name, pp_client_round, &c, iters);
}

static inline void pp_with_process(const char *name, const struct pp_transport *t, void *ctx,
                                   int server_cpu)
{
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		printf("bench %s failed (fork)\n", name);
		return;
	}
	if (pid == 0) {
		if (pp_pin(server_cpu))
			_exit(2);
		t->keep(ctx, 1);
		t->serve(ctx);
		t->close(ctx, 1);
		_exit(0);
	}
	t->keep(ctx, 0);
	pp_measure(name, t, ctx);
	t->close(ctx, 0);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		printf("bench %s: the server process did not end well (status %#x)\n", name,
		       status);
}

static inline void pp_with_thread(const char *name, const struct pp_transport *t, void *ctx,
                                  int server_cpu)
{
	struct pp_server_arg s = { t, ctx, server_cpu, 0 };
	pthread_t th;

	if (pthread_create(&th, NULL, pp_server_thread, &s)) {
		printf("bench %s failed (pthread_create)\n", name);
		return;
	}
	pp_measure(name, t, ctx);
	t->close(ctx, 0);
	pthread_join(th, NULL);
	if (s.pinned < 0)
		printf("bench %s: the server thread could not be pinned to CPU %d\n", name,
		       server_cpu);
}

/*
 * One transport in every placement: processes and threads, on CPU 0 and
 * (with two CPUs) across CPUs 0 and 1. Figures are @prefix-proc-same,
 * -thread-same, -proc-cross, -thread-cross.
 */
static inline void pp_figure(const char *prefix, const struct pp_transport *t, void *ctx)
{
	static const char *const where[2] = { "same", "cross" };
	char name[96];
	int cross, thread;

	(void)pp_cpus();
	for (cross = 0; cross < 2; cross++) {
		if (cross && pp_cpus() < 2)
			break;
		for (thread = 0; thread < 2; thread++) {
			snprintf(name, sizeof(name), "%s-%s-%s", prefix, thread ? "thread" : "proc",
			         where[cross]);
			if (pp_pin(0)) {
				printf("bench %s failed (cannot pin to CPU 0)\n", name);
				return;
			}
			if (t->open(ctx)) {
				printf("bench %s failed (open)\n", name);
				continue;
			}
			if (thread)
				pp_with_thread(name, t, ctx, cross);
			else
				pp_with_process(name, t, ctx, cross);
		}
	}
}
