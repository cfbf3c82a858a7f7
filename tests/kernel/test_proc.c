// SPDX-License-Identifier: MIT
/*
 * Process tests: small user programs (proc_progs.h) wrapped in ELF files
 * built here, started with proc_spawn_image() and waited for with
 * proc_wait(): exec to ring 3, the stack exec lays out, fork and wait4,
 * a tree of children, orphans reaping themselves, a CLONE_THREAD thread
 * clearing its CHILD_CLEARTID word, a thousand processes leaking no frame
 * and no heap block, and corrupt files refused with ENOEXEC or EINVAL.
 */
#include <cairn/errno.h>
#include <cairn/linux/wait.h>

#include <arch/page.h>
#include <lib/elf/elf.h>
#include <lib/string.h>

#include "core/ktest.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "proc/proc.h"
#include "sched/task.h"
#include "tests/kernel/proc_image.h"
#include "tests/kernel/proc_progs.h"
#include "time/time.h"

/* Run @im to its end; returns its wait status, or a negative errno from spawn/wait. */
static int run_image(const struct proc_image *im, char *const argv[], char *const envp[])
{
	int pid, status = -1, err;

	err = proc_spawn_image("test", im->b, im->size, argv, envp, &pid);
	if (err)
		return err;
	err = proc_wait(pid, &status);
	return err ? err : status;
}

static int run_prog(const struct proc_prog *p, bool pie)
{
	static struct proc_image im; /* big for a test task's stack */
	static char *argv[] = { "test", NULL };

	proc_image_build(&im, p, pie);
	return run_image(&im, argv, NULL);
}

TEST(proc, exec_reaches_ring3_and_exits)
{
	EXPECT_EQ(run_prog(&proc_prog_exit42, false), W_EXITCODE(42, 0));
}

TEST(proc, static_pie_runs)
{
	EXPECT_EQ(run_prog(&proc_prog_exit42, true), W_EXITCODE(42, 0));
}

TEST(proc, stack_has_argv_envp_auxv)
{
	static struct proc_image im;
	static char *argv[] = { "a", "bee", "c", NULL };
	static char *envp[] = { "X=1", NULL };

	proc_image_build(&im, &proc_prog_args, false);
	EXPECT_EQ(run_image(&im, argv, envp), W_EXITCODE(0, 0));
}

TEST(proc, getpid_is_the_spawned_pid)
{
	static struct proc_image im;
	static char *argv[] = { "pid", NULL };
	int pid, status = -1;

	proc_image_build(&im, &proc_prog_getpid, false);
	EXPECT_EQ(proc_spawn_image("pid", im.b, im.size, argv, NULL, &pid), 0);
	EXPECT_EQ(proc_wait(pid, &status), 0);
	EXPECT_EQ(status, W_EXITCODE(pid & 0xff, 0));
	EXPECT_EQ(proc_wait(pid, &status), -ECHILD); /* reaped */
}

TEST(proc, fork_and_wait4)
{
	EXPECT_EQ(run_prog(&proc_prog_fork_wait, false), W_EXITCODE(13, 0));
}

TEST(proc, fork_tree_wait_any_until_echild)
{
	EXPECT_EQ(run_prog(&proc_prog_fork_tree, false), W_EXITCODE(36, 0));
}

TEST(proc, thread_exit_clears_child_tid)
{
	EXPECT_EQ(run_prog(&proc_prog_thread, false), W_EXITCODE(77, 0));
}

/* Wait (up to 2 s) until the process and task counts are back to @procs and @tasks. */
static void settle(unsigned procs, size_t tasks)
{
	uint64_t end = clock_monotonic_ns() + 2000ull * NSEC_PER_MSEC;

	while ((proc_count() != procs || task_count() != tasks) && clock_monotonic_ns() < end)
		task_sleep_ns(NSEC_PER_MSEC);
	EXPECT_EQ(proc_count(), procs);
	EXPECT_EQ(task_count(), tasks);
}

/* The task count once earlier tests' tasks have been reaped: steady for 20 ms. */
static size_t quiet_task_count(void)
{
	size_t n = task_count();
	unsigned steady = 0;

	while (steady < 20) {
		task_sleep_ns(NSEC_PER_MSEC);
		steady = task_count() == n ? steady + 1 : 0;
		n = task_count();
	}
	return n;
}

TEST(proc, orphan_reaps_itself)
{
	unsigned procs = proc_count();
	size_t tasks = quiet_task_count();

	EXPECT_EQ(run_prog(&proc_prog_orphan, false), W_EXITCODE(0, 0));
	settle(procs, tasks);
}

/* Free frame bytes once the stacks kept for the next tasks and the CPUs' frame caches are given back. */
static uint64_t free_bytes(void)
{
	struct pmm_stats st;

	task_stack_cache_drain();
	pmm_drain_caches();
	pmm_stats(&st);
	return st.free;
}

/*
 * Heap blocks in use. heap_stats() sums the CPUs' magazines without their
 * locks, so a block moving on another CPU can skew one reading: take the
 * count once two readings 1 ms apart agree (a real leak stays put).
 */
static size_t heap_blocks(void)
{
	struct alloc_stats a, b;
	int i;

	for (i = 0; i < 100; i++) {
		heap_stats(&a);
		task_sleep_ns(NSEC_PER_MSEC);
		heap_stats(&b);
		if (a.live_blocks == b.live_blocks)
			break;
	}
	return b.live_blocks;
}

/* Bytes the heap has mapped: it never gives them back, so they are its own, not a leak. */
static uint64_t heap_mapped_bytes(void)
{
	struct alloc_stats st;

	heap_stats(&st);
	return st.heap_bytes;
}

/*
 * How many ended processes wait for the reaper and how full each CPU's magazines
 * are vary from run to run, so the thousand may need more heap than the warm-up
 * did: the heap then grows by a step (1 MiB) and keeps it. Those frames are the
 * heap's; the frames counted against the processes are the rest, give or take
 * the page tables under the new heap pages (one per 2 MiB, and one more when the
 * growth crosses a 2 MiB boundary).
 */
TEST(proc, thousand_processes_leak_nothing)
{
	unsigned procs = proc_count();
	size_t tasks = quiet_task_count(), blocks;
	uint64_t before, heap_before, grown;
	int64_t lost, slack;

	/* Warm up the heap's magazines and region records: they keep what they took. */
	EXPECT_EQ(run_prog(&proc_prog_fork_tree, false), W_EXITCODE(36, 0));
	EXPECT_EQ(run_prog(&proc_prog_fork_wait, false), W_EXITCODE(13, 0));
	settle(procs, tasks);
	before = free_bytes();
	heap_before = heap_mapped_bytes();
	blocks = heap_blocks();
	EXPECT_EQ(run_prog(&proc_prog_fork_many, false), W_EXITCODE(0, 0));
	settle(procs, tasks);
	EXPECT_EQ(heap_blocks(), blocks);
	grown = heap_mapped_bytes() - heap_before;
	lost = (int64_t)(before - free_bytes() - grown);
	slack = grown ? (int64_t)(((grown >> 21) + 1) * PAGE_SIZE) : 0;
	if (lost < 0 || lost > slack)
		ktest_fail(__FILE__, __LINE__, "%lld bytes of frames lost (the heap grew %llu)",
		           (long long)lost, (unsigned long long)grown);
}

/* ---- corrupt files: refused before anything runs ---- */

static int spawn_err(const struct proc_image *im)
{
	static char *argv[] = { "bad", NULL };
	int pid = 0, err = proc_spawn_image("bad", im->b, im->size, argv, NULL, &pid);

	EXPECT_EQ(pid, 0);
	return err;
}

TEST(proc, corrupt_elf_truncated)
{
	static struct proc_image im;

	proc_image_build(&im, &proc_prog_exit42, false);
	im.size = 40;
	EXPECT_EQ(spawn_err(&im), -ENOEXEC);
	proc_image_build(&im, &proc_prog_exit42, false);
	im.size = PROC_IMAGE_CODE; /* the segment runs past the end */
	EXPECT_EQ(spawn_err(&im), -ENOEXEC);
}

TEST(proc, corrupt_elf_overlapping_segments)
{
	static struct proc_image im;
	struct elf64_phdr *ph;

	proc_image_build(&im, &proc_prog_exit42, false);
	ph = proc_image_phdr(&im);
	proc_image_ehdr(&im)->e_phnum = 2;
	ph[1] = ph[0];         /* fits before PROC_IMAGE_CODE */
	ph[1].p_vaddr += 0x10; /* inside segment 0 */
	ph[1].p_offset += 0x10;
	ph[1].p_filesz = ph[1].p_memsz = 0x20;
	EXPECT_EQ(spawn_err(&im), -ENOEXEC);
}

TEST(proc, corrupt_elf_huge_memsz)
{
	static struct proc_image im;

	proc_image_build(&im, &proc_prog_exit42, false);
	proc_image_phdr(&im)->p_memsz = ~0ull - 0x1000;
	EXPECT_EQ(spawn_err(&im), -EINVAL);
	proc_image_phdr(&im)->p_memsz =
		0x00007ffffffff000ull; /* past the user limit from PROC_IMAGE_VA */
	EXPECT_EQ(spawn_err(&im), -EINVAL);
}

TEST(proc, corrupt_elf_entry_outside_segments)
{
	static struct proc_image im;

	proc_image_build(&im, &proc_prog_exit42, false);
	proc_image_ehdr(&im)->e_entry = PROC_IMAGE_VA + 0x100000;
	EXPECT_EQ(spawn_err(&im), -ENOEXEC);
}

TEST(proc, missing_program_is_enoent)
{
	static char *argv[] = { "nope", NULL };
	int pid = 0;

	EXPECT_EQ(proc_spawn("/no/such/program", argv, NULL, &pid), -ENOENT);
}

TEST(proc, robust_futex_owner_died_at_exit)
{
	EXPECT_EQ(run_prog(&proc_prog_robust, false), W_EXITCODE(0, 0));
}
