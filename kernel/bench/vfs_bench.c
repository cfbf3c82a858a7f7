/* SPDX-License-Identifier: MIT */
/*
 * kbench=vfs: the path walk in the kernel, without a system call around it
 * (stat-5-deep's kernel share, beside user/bench/stat_deep.c's figure):
 * a walk of a five-directory path on the root tmpfs, a walk of "/", and a
 * cached one-component lookup.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/mman.h>
#include <cairn/linux/syscall_nr.h>

#include "arch/arch.h"
#include "core/kbench.h"
#include "core/log.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/uaccess.h"
#include "mm/uspace.h"
#include "proc/proc.h"
#include "sched/sched.h"
#include "sched/task.h"
#include "syscall/syscall.h"

#define ROUNDS 20000
#define DEEP   "/kbench-vfs/s1/s2/s3/s4/f"

static int bench_tree(void)
{
	static const char *const dirs[] = { "/kbench-vfs", "/kbench-vfs/s1", "/kbench-vfs/s1/s2",
		                            "/kbench-vfs/s1/s2/s3", "/kbench-vfs/s1/s2/s3/s4" };
	struct file *f;

	for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		int err = vfs_mkdir(AT_FDCWD, dirs[i], 0755);

		if (err && err != -EEXIST)
			return err;
	}
	f = vfs_open(AT_FDCWD, DEEP, O_CREAT | O_WRONLY, 0644);
	if (IS_ERR_PTR(f))
		return (int)PTR_ERR_VAL(f);
	file_put(f);
	return 0;
}

/* Cycles per vfs_walk() of @path. */
static uint64_t walk_cycles(const char *path)
{
	uint64_t t0 = arch_cycles();
	struct path p;

	for (int i = 0; i < ROUNDS; i++) {
		if (vfs_walk(AT_FDCWD, path, LOOKUP_FOLLOW, &p))
			return 0;
		path_put(&p);
	}
	return (arch_cycles() - t0) / ROUNDS;
}

BENCH(vfs)
{
	int err = bench_tree();

	if (err) {
		pr_err("kbench vfs: cannot make %s: error %d", DEEP, err);
		return;
	}
	kbench_report_cycles("vfs_walk_5_deep", walk_cycles(DEEP));
	kbench_report_cycles("vfs_walk_root", walk_cycles("/"));
	kbench_report_cycles("vfs_walk_1", walk_cycles("/kbench-vfs"));
}

static struct spinlock probe_lock = SPINLOCK_INIT("probe");

BENCH(vfslock)
{
	uint64_t t0 = arch_cycles();

	for (int i = 0; i < ROUNDS; i++) {
		spin_lock(&probe_lock);
		spin_unlock(&probe_lock);
	}
	kbench_report_cycles("spin_lock_unlock", (arch_cycles() - t0) / ROUNDS);
	t0 = arch_cycles();
	for (int i = 0; i < ROUNDS; i++) {
		preempt_disable();
		preempt_enable();
	}
	kbench_report_cycles("preempt_off_on", (arch_cycles() - t0) / ROUNDS);
	{
		struct cred c;

		t0 = arch_cycles();
		for (int i = 0; i < ROUNDS; i++)
			c = current_cred();
		(void)c;
		kbench_report_cycles("current_cred", (arch_cycles() - t0) / ROUNDS);
	}
}

#define UBASE 0x10000000ull

/* Cycles per call @nr(@a0, @a1, @a2, @a3) through the system-call dispatcher. */
static uint64_t call_cycles(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	const uint64_t args[6] = { a0, a1, a2, a3, 0, 0 };
	uint64_t t0 = arch_cycles();

	for (int i = 0; i < ROUNDS; i++)
		if (syscall_dispatch(nr, args) < 0)
			return 0;
	return (arch_cycles() - t0) / ROUNDS;
}

static uint64_t call_cycles6(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                             uint64_t a4)
{
	const uint64_t args[6] = { a0, a1, a2, a3, a4, 0 };
	uint64_t t0 = arch_cycles();

	for (int i = 0; i < ROUNDS; i++)
		if (syscall_dispatch(nr, args) < 0)
			return 0;
	return (arch_cycles() - t0) / ROUNDS;
}

BENCH(vfssys)
{
	struct uspace *s = NULL;

	if (bench_tree() || uspace_create(&s) ||
	    uspace_mmap(s, UBASE, 4 * 4096, PROT_READ | PROT_WRITE,
	                MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED) != (long)UBASE) {
		pr_err("kbench vfssys: no user space");
		return;
	}
	preempt_disable();
	task_current()->space = s;
	uspace_activate(s);
	preempt_enable();
	if (copy_to_user((void *)UBASE, DEEP, sizeof(DEEP)) == 0) {
		kbench_report_cycles("getppid", call_cycles(__NR_getppid, 0, 0, 0, 0));
		kbench_report_cycles("newfstatat_5_deep", call_cycles(__NR_newfstatat, AT_FDCWD,
		                                                      UBASE, UBASE + 4096, 0));
		kbench_report_cycles("statx_5_deep", call_cycles6(__NR_statx, AT_FDCWD, UBASE, 0,
		                                                  0x7ff, UBASE + 4096));
	}
	preempt_disable();
	task_current()->space = NULL;
	uspace_activate(NULL);
	preempt_enable();
	uspace_put(s);
}
