// SPDX-License-Identifier: MIT
/*
 * /proc figures (issue 12), from inside the kernel: what one `cat` of a
 * file costs without the system-call entry (open, which generates the
 * text, reads of 4 KiB until the end, close) for the files top and free
 * read each refresh, and one listing of /proc's root. Cycles per round,
 * and nanoseconds. proc is mounted on /tmp/kbench-proc for the run.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>

#include <lib/procfs/procfmt.h>

#include "arch/arch.h"
#include "core/kbench.h"
#include "fs/file.h"
#include "fs/vfs.h"

#define ROUNDS 500
#define MNT    "/tmp/kbench-proc"

static char procfs_bench_buf[4096];

/* Cycles per open + read to the end + close of @path; 0 on an error. */
static uint64_t procfs_bench_cat(const char *path)
{
	uint64_t t0 = arch_cycles();

	for (unsigned i = 0; i < ROUNDS; i++) {
		struct file *f = vfs_open(AT_FDCWD, path, O_RDONLY, 0);
		int64_t pos = 0;
		long n;

		if (IS_ERR_PTR(f))
			return 0;
		while ((n = kernel_read(f, procfs_bench_buf, sizeof(procfs_bench_buf), &pos)) > 0)
			;
		file_put(f);
		if (n < 0)
			return 0;
	}
	return (arch_cycles() - t0) / ROUNDS;
}

static bool count_entry(struct dir_ctx *ctx, const char *name, size_t len, uint64_t ino,
                        unsigned dtype)
{
	return true;
}

/* Cycles per open + one full listing + close of /proc; 0 on an error. */
static uint64_t procfs_bench_list(void)
{
	struct dir_ctx ctx = { count_entry };
	uint64_t t0 = arch_cycles();

	for (unsigned i = 0; i < ROUNDS; i++) {
		struct file *f = vfs_open(AT_FDCWD, MNT, O_RDONLY | O_DIRECTORY, 0);
		int err;

		if (IS_ERR_PTR(f))
			return 0;
		err = f->ops->iterate(f, &ctx);
		file_put(f);
		if (err)
			return 0;
	}
	return (arch_cycles() - t0) / ROUNDS;
}

/* Cycles to print meminfo's text alone (lib/procfs, no data gathered). */
static uint64_t procfs_bench_fmt(void)
{
	static char text[4096];
	struct procfmt_mem m = { 0 };
	struct seqbuf s;
	uint64_t t0 = arch_cycles();

	for (unsigned i = 0; i < ROUNDS; i++) {
		seq_init(&s, text, sizeof(text));
		procfmt_meminfo(&s, &m);
	}
	return (arch_cycles() - t0) / ROUNDS;
}

/* Mount proc for the run: 0, or -errno (the figures then read 0). */
static int procfs_bench_mount(struct path *mp)
{
	int err = vfs_mkdir(AT_FDCWD, MNT, 0555);

	if (err && err != -EEXIST)
		return err;
	err = vfs_walk(AT_FDCWD, MNT, LOOKUP_FOLLOW, mp);
	if (err)
		return err;
	err = vfs_mount("proc", mp, "proc", 0, NULL);
	if (err)
		path_put(mp);
	return err;
}

BENCH(procfs)
{
	struct path mp, root;
	bool mounted = !procfs_bench_mount(&mp);

	kbench_report_cycles("procfs_cat_meminfo", mounted ? procfs_bench_cat(MNT "/meminfo") : 0);
	kbench_report_cycles("procfs_cat_stat", mounted ? procfs_bench_cat(MNT "/stat") : 0);
	kbench_report_cycles("procfs_cat_loadavg", mounted ? procfs_bench_cat(MNT "/loadavg") : 0);
	kbench_report_cycles("procfs_list_root", mounted ? procfs_bench_list() : 0);
	kbench_report_cycles("procfs_format_meminfo", procfs_bench_fmt());
	if (!mounted)
		return;
	path_put(&mp);
	if (!vfs_walk(AT_FDCWD, MNT, LOOKUP_FOLLOW, &root)) {
		if (vfs_umount(&root, 0))
			kbench_report("procfs_umount_failed", 1, "");
		path_put(&root);
	}
	if (vfs_rmdir(AT_FDCWD, MNT))
		kbench_report("procfs_rmdir_failed", 1, "");
}
