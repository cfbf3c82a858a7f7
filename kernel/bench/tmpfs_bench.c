// SPDX-License-Identifier: MIT
/*
 * tmpfs figures (issue 12), from inside the kernel so they show the file
 * system and the VFS without the system-call entry: a file created,
 * written with 4 KiB, closed and unlinked (the path of the user benchmark
 * of the same name), and a 4 KiB read from the start of a file. Cycles
 * per round, and nanoseconds.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>

#include "arch/arch.h"
#include "core/kbench.h"
#include "fs/file.h"
#include "fs/vfs.h"

#define ROUNDS 2000

static char tmpfs_bench_buf[4096];

/* Cycles per create + write 4 KiB + close + unlink of /tmp/kbench-f; 0 on an error. */
static uint64_t tmpfs_bench_cycle(void)
{
	uint64_t t0 = arch_cycles();

	for (unsigned i = 0; i < ROUNDS; i++) {
		struct file *f =
			vfs_open(AT_FDCWD, "/tmp/kbench-f", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int64_t pos = 0;
		long n;

		if (IS_ERR_PTR(f))
			return 0;
		n = kernel_write(f, tmpfs_bench_buf, sizeof(tmpfs_bench_buf), &pos);
		file_put(f);
		if (n != sizeof(tmpfs_bench_buf) || vfs_unlink(AT_FDCWD, "/tmp/kbench-f"))
			return 0;
	}
	return (arch_cycles() - t0) / ROUNDS;
}

/* Cycles per 4 KiB read at offset 0 of an open file; 0 on an error. */
static uint64_t tmpfs_bench_read(void)
{
	struct file *f = vfs_open(AT_FDCWD, "/tmp/kbench-r", O_RDWR | O_CREAT | O_TRUNC, 0644);
	uint64_t t0, t = 0;
	int64_t pos = 0;

	if (IS_ERR_PTR(f))
		return 0;
	if (kernel_write(f, tmpfs_bench_buf, sizeof(tmpfs_bench_buf), &pos) != 4096)
		goto out;
	t0 = arch_cycles();
	for (unsigned i = 0; i < ROUNDS; i++) {
		pos = 0;
		if (kernel_read(f, tmpfs_bench_buf, sizeof(tmpfs_bench_buf), &pos) != 4096)
			goto out;
	}
	t = (arch_cycles() - t0) / ROUNDS;
out:
	file_put(f);
	if (vfs_unlink(AT_FDCWD, "/tmp/kbench-r"))
		t = 0;
	return t;
}

BENCH(tmpfs)
{
	kbench_report_cycles("tmpfs_create_write4k_close_unlink", tmpfs_bench_cycle());
	kbench_report_cycles("tmpfs_read4k", tmpfs_bench_read());
}
