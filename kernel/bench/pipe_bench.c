// SPDX-License-Identifier: MIT
/*
 * Pipe figures (issue 12), from inside the kernel so they show the pipe
 * and the scheduler without the system-call entry: a round trip of 1 byte
 * and of 64 KiB between this task and an echo task over two pipes (the
 * path of the user benchmark pipe_rt), the echo task on this CPU as a
 * one-CPU machine would run them (`CPUS=1 APPEND=kbench=pipe`). Cycles per round trip, and nanoseconds.
 */
#include <cairn/errno.h>

#include "arch/arch.h"
#include "core/kbench.h"
#include "core/percpu.h"
#include "fs/file.h"
#include "fs/pipe.h"
#include "sched/task.h"

#define ROUNDS_SMALL 2000
#define ROUNDS_BIG   100
#define BIG          65536

struct pipe_bench {
	struct file *down[2], *up[2]; /* [0] read end, [1] write end */
	size_t n;
	unsigned rounds;
};

static char pipe_bench_buf[2][BIG];

/* Read exactly @n bytes; false on EOF or an error. */
static bool pipe_bench_read(struct file *f, char *buf, size_t n)
{
	while (n) {
		long r = kernel_read(f, buf, n, NULL);

		if (r <= 0)
			return false;
		buf += r;
		n -= (size_t)r;
	}
	return true;
}

static int pipe_bench_echo(void *arg)
{
	struct pipe_bench *b = arg;

	for (unsigned i = 0; i < b->rounds; i++) {
		if (!pipe_bench_read(b->down[0], pipe_bench_buf[1], b->n) ||
		    kernel_write(b->up[1], pipe_bench_buf[1], b->n, NULL) != (long)b->n)
			break;
	}
	return 0;
}

/* Cycles per round trip of @n bytes; 0 on an error. */
static uint64_t pipe_bench_rt(size_t n, unsigned rounds)
{
	unsigned cpu = this_cpu()->cpu;
	struct task_spawn_opts opts = { .cpu = (int)cpu, .affinity = 1ull << cpu };
	struct pipe_bench b = { .n = n, .rounds = rounds };
	struct task_handle h;
	uint64_t t0, t = 0;
	unsigned i;

	if (pipe_create(&b.down[0], &b.down[1], 0))
		return 0;
	if (pipe_create(&b.up[0], &b.up[1], 0))
		goto out_down;
	if (task_spawn_opts(&h, "pipe.echo", pipe_bench_echo, &b, &opts))
		goto out_up;
	t0 = arch_cycles();
	for (i = 0; i < rounds; i++) {
		if (kernel_write(b.down[1], pipe_bench_buf[0], n, NULL) != (long)n ||
		    !pipe_bench_read(b.up[0], pipe_bench_buf[0], n))
			break;
	}
	if (i == rounds)
		t = (arch_cycles() - t0) / rounds;
	file_put(b.down[1]); /* EOF for the echo task if it is still reading */
	b.down[1] = NULL;
	if (task_join(h, NULL))
		t = 0;
out_up:
	file_put(b.up[0]);
	file_put(b.up[1]);
out_down:
	file_put(b.down[0]);
	if (b.down[1])
		file_put(b.down[1]);
	return t;
}

BENCH(pipe)
{
	kbench_report_cycles("pipe_roundtrip_1B", pipe_bench_rt(1, ROUNDS_SMALL));
	kbench_report_cycles("pipe_roundtrip_64KiB", pipe_bench_rt(BIG, ROUNDS_BIG));
}
