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
#include "tests/kernel/proc_progs.h"
#include "time/time.h"

#define LOAD_VA   0x400000ull
#define CODE_OFF  0x100u
#define IMAGE_MAX 4096u

/* An ELF file in memory: header, one program header, code at CODE_OFF. */
struct image {
	size_t size;
	union {
		uint64_t align;
		uint8_t b[IMAGE_MAX];
	};
};

static struct elf64_ehdr *ehdr(struct image *im)
{
	return (struct elf64_ehdr *)im->b;
}

static struct elf64_phdr *phdr(struct image *im)
{
	return (struct elf64_phdr *)(im->b + sizeof(struct elf64_ehdr));
}

/* Wrap @p in an ET_EXEC (or, @pie, an ET_DYN linked at 0) file of one R+X PT_LOAD. */
static void build(struct image *im, const struct proc_prog *p, bool pie)
{
	size_t len = (size_t)(p->end - p->start);
	uint64_t base = pie ? 0 : LOAD_VA;

	memset(im, 0, sizeof(*im));
	EXPECT_TRUE(CODE_OFF + len <= IMAGE_MAX);
	memcpy(ehdr(im)->e_ident, "\177ELF\2\1\1", 7);
	ehdr(im)->e_type = pie ? ELF_ET_DYN : ELF_ET_EXEC;
	ehdr(im)->e_machine = ELF_EM_X86_64;
	ehdr(im)->e_version = 1;
	ehdr(im)->e_entry = base + CODE_OFF;
	ehdr(im)->e_phoff = sizeof(struct elf64_ehdr);
	ehdr(im)->e_ehsize = sizeof(struct elf64_ehdr);
	ehdr(im)->e_phentsize = sizeof(struct elf64_phdr);
	ehdr(im)->e_phnum = 1;
	phdr(im)->p_type = ELF_PT_LOAD;
	phdr(im)->p_flags = ELF_PF_R | ELF_PF_X;
	phdr(im)->p_vaddr = phdr(im)->p_paddr = base;
	phdr(im)->p_filesz = phdr(im)->p_memsz = CODE_OFF + len;
	phdr(im)->p_align = 4096;
	memcpy(im->b + CODE_OFF, p->start, len);
	im->size = CODE_OFF + len;
}

/* Run @im to its end; returns its wait status, or a negative errno from spawn/wait. */
static int run_image(const struct image *im, char *const argv[], char *const envp[])
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
	static struct image im; /* big for a test task's stack */
	static char *argv[] = { "test", NULL };

	build(&im, p, pie);
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
	static struct image im;
	static char *argv[] = { "a", "bee", "c", NULL };
	static char *envp[] = { "X=1", NULL };

	build(&im, &proc_prog_args, false);
	EXPECT_EQ(run_image(&im, argv, envp), W_EXITCODE(0, 0));
}

TEST(proc, getpid_is_the_spawned_pid)
{
	static struct image im;
	static char *argv[] = { "pid", NULL };
	int pid, status = -1;

	build(&im, &proc_prog_getpid, false);
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

static int spawn_err(const struct image *im)
{
	static char *argv[] = { "bad", NULL };
	int pid = 0, err = proc_spawn_image("bad", im->b, im->size, argv, NULL, &pid);

	EXPECT_EQ(pid, 0);
	return err;
}

TEST(proc, corrupt_elf_truncated)
{
	static struct image im;

	build(&im, &proc_prog_exit42, false);
	im.size = 40;
	EXPECT_EQ(spawn_err(&im), -ENOEXEC);
	build(&im, &proc_prog_exit42, false);
	im.size = CODE_OFF; /* the segment runs past the end */
	EXPECT_EQ(spawn_err(&im), -ENOEXEC);
}

TEST(proc, corrupt_elf_overlapping_segments)
{
	static struct image im;
	struct elf64_phdr *ph;

	build(&im, &proc_prog_exit42, false);
	ph = phdr(&im);
	ehdr(&im)->e_phnum = 2;
	ph[1] = ph[0];         /* fits before CODE_OFF */
	ph[1].p_vaddr += 0x10; /* inside segment 0 */
	ph[1].p_offset += 0x10;
	ph[1].p_filesz = ph[1].p_memsz = 0x20;
	EXPECT_EQ(spawn_err(&im), -ENOEXEC);
}

TEST(proc, corrupt_elf_huge_memsz)
{
	static struct image im;

	build(&im, &proc_prog_exit42, false);
	phdr(&im)->p_memsz = ~0ull - 0x1000;
	EXPECT_EQ(spawn_err(&im), -EINVAL);
	phdr(&im)->p_memsz = 0x00007ffffffff000ull; /* past the user limit from LOAD_VA */
	EXPECT_EQ(spawn_err(&im), -EINVAL);
}

TEST(proc, corrupt_elf_entry_outside_segments)
{
	static struct image im;

	build(&im, &proc_prog_exit42, false);
	ehdr(&im)->e_entry = LOAD_VA + 0x100000;
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
