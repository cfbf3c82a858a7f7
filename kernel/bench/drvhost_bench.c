// SPDX-License-Identifier: MIT
/*
 * The driver host's figure (issue 15, docs/drvhost.md): how long a
 * user-space driver is gone after a kill -9, from the SIGKILL to its next
 * life published by the host (the old process reaped, a new one spawned
 * and past exec, its handles installed). The driver is the test programs'
 * idle one (tests/kernel/drv_progs.h: pause for ever), started from an
 * ELF image in memory with no handles, so the figure is the host's and
 * the process layer's, not a file system's.
 */
#include <cairn/linux/signal.h>

#include <stdint.h>

#include "core/kbench.h"
#include "ipc/devobj.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include "sched/task.h"
#include "tests/kernel/drv_progs.h"
#include "tests/kernel/proc_image.h"
#include "time/time.h"

#define KILLS 30

static struct proc_image bench_image;
static uint64_t samples[KILLS];

/* Insertion sort: small arrays, run once. */
static uint64_t median(uint64_t *v, unsigned n)
{
	unsigned i, j;
	uint64_t x;

	for (i = 1; i < n; i++) {
		x = v[i];
		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	return v[n / 2];
}

/* The driver's pid once it differs from @old and is running, or 0 after 2 s. */
static int next_life(struct drvhost *h, int old)
{
	uint64_t end = clock_monotonic_ns() + 2000 * NSEC_PER_MSEC;
	struct drvhost_stats st;

	do {
		drvhost_get_stats(h, &st);
		if (st.pid > 0 && st.pid != old)
			return st.pid;
		task_yield();
	} while (clock_monotonic_ns() < end);
	return 0;
}

static void kill_pid(int pid)
{
	struct process *p = process_find(pid);

	if (p) {
		(void)signal_send_process(p, SIGKILL, NULL);
		process_put(p);
	}
}

BENCH(drvhost)
{
	struct drvhost_spec spec = { .name = "benchdrv", .path = "benchdrv" };
	struct drvhost *h;
	unsigned i, n = 0;
	uint64_t t0;
	int pid;

	proc_image_build(&bench_image, &drv_prog_idle, false);
	spec.image = bench_image.b;
	spec.image_size = bench_image.size;
	if (drvhost_start(&spec, &h))
		return;
	pid = next_life(h, 0);
	for (i = 0; i < KILLS && pid > 0; i++) {
		sleep_ms(25); /* past the host's 20 ms spacing of lives */
		t0 = clock_monotonic_ns();
		kill_pid(pid);
		pid = next_life(h, pid);
		if (pid > 0)
			samples[n++] = clock_monotonic_ns() - t0;
	}
	drvhost_stop(h);
	if (n)
		kbench_report("drvhost_restart_after_kill", median(samples, n) / 1000,
		              "us (median of SIGKILL to the next life running)");
}
