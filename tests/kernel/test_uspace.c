// SPDX-License-Identifier: MIT
/*
 * Kernel tests of user address spaces (kernel/mm/uspace*.c), suite
 * "uspace": creating and loading a space (the kernel half stays reachable),
 * demand-zero pages, the errors of faults, copy-on-write after fork,
 * shared memory across fork, no frame leaked by a thousand spaces, and a
 * TLB shootdown reaching another CPU that has the space loaded. Pages are
 * faulted in with uspace_fault() and read through the direct map, or
 * through the space itself with user access opened (SMAP).
 */
#include <cairn/errno.h>
#include <cairn/linux/mman.h>

#include <arch/page.h>
#include <arch/spinlock.h>
#include <lib/paging/paging.h>

#include "arch/arch.h"
#include "core/kmain.h"
#include "core/ktest.h"
#include "core/percpu.h"
#include "core/smp.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "mm/uspace.h"
#include "mm/vm.h"
#include "sched/sched.h"
#include "sched/task.h"

#define ANON_RW (MAP_PRIVATE | MAP_ANONYMOUS)
#define PROT_RW (PROT_READ | PROT_WRITE)
#define BASE    0x10000000ull
#define PG      PAGE_SIZE

static struct uspace *new_space(void)
{
	struct uspace *s = NULL;

	EXPECT_EQ(uspace_create(&s), 0);
	return s;
}

/* The frame behind @va in @s (which must be mapped), through the direct map. */
static volatile uint64_t *frame_of(struct uspace *s, uint64_t va)
{
	uint64_t pa = 0;

	EXPECT_EQ(uspace_translate(s, va, &pa, NULL), 0);
	return phys_to_virt(pa);
}

static uint64_t pa_of(struct uspace *s, uint64_t va)
{
	uint64_t pa = 0;

	EXPECT_EQ(uspace_translate(s, va, &pa, NULL), 0);
	return pa;
}

static uint32_t flags_of(struct uspace *s, uint64_t va)
{
	uint32_t f = 0;

	EXPECT_EQ(uspace_translate(s, va, NULL, &f), 0);
	return f;
}

/* Free bytes of the pmm with every CPU's frame cache drained. */
static uint64_t free_bytes(void)
{
	struct pmm_stats st;

	pmm_drain_caches();
	pmm_stats(&st);
	return st.free;
}

TEST(uspace, demand_zero_on_first_touch)
{
	struct uspace *s = new_space();

	EXPECT_EQ(uspace_mmap(s, BASE, 4 * PG, PROT_RW, ANON_RW | MAP_FIXED), (long)BASE);
	EXPECT_EQ(uspace_resident_pages(s), 0);
	EXPECT_EQ(uspace_translate(s, BASE, NULL, NULL), -EFAULT);
	EXPECT_EQ(uspace_fault(s, BASE + 2 * PG + 123, UFAULT_USER), 0);
	EXPECT_EQ(uspace_resident_pages(s), 1);
	for (unsigned i = 0; i < PG / 8; i++)
		EXPECT_EQ(frame_of(s, BASE + 2 * PG)[i], 0);
	/* Written through a fresh fault: the page is writable at once (no second fault). */
	EXPECT_EQ(uspace_fault(s, BASE, UFAULT_USER | UFAULT_WRITE), 0);
	EXPECT_EQ(flags_of(s, BASE) & (PT_USER | PT_WRITE | PT_EXEC), PT_USER | PT_WRITE);
	EXPECT_EQ(uspace_resident_pages(s), 2);
	uspace_put(s);
}

TEST(uspace, fault_errors_follow_the_regions)
{
	struct uspace *s = new_space();

	EXPECT_EQ(uspace_mmap(s, BASE, PG, PROT_READ, ANON_RW | MAP_FIXED), (long)BASE);
	EXPECT_EQ(uspace_mmap(s, BASE + PG, PG, PROT_NONE, ANON_RW | MAP_FIXED), (long)(BASE + PG));
	EXPECT_EQ(uspace_fault(s, BASE - 1, UFAULT_USER), -EFAULT);
	EXPECT_EQ(uspace_fault(s, BASE + 2 * PG, UFAULT_USER), -EFAULT);
	EXPECT_EQ(uspace_fault(s, BASE, UFAULT_USER | UFAULT_WRITE), -EACCES);
	EXPECT_EQ(uspace_fault(s, BASE, UFAULT_USER | UFAULT_EXEC), -EACCES);
	EXPECT_EQ(uspace_fault(s, BASE + PG, UFAULT_USER), -EACCES);
	EXPECT_EQ(uspace_fault(s, USER_TOP, UFAULT_USER), -EFAULT);
	EXPECT_EQ(uspace_fault(s, 0xffff800000000000ull, 0), -EFAULT);
	EXPECT_EQ(uspace_fault(NULL, BASE, UFAULT_USER), -EFAULT);
	EXPECT_EQ(uspace_fault(s, BASE, UFAULT_USER), 0);
	EXPECT_EQ(flags_of(s, BASE) & (PT_USER | PT_WRITE), PT_USER);
	uspace_put(s);
}

/* Read @va of @s with @s loaded on this CPU, as user code would. */
static uint64_t read_through_space(struct uspace *s, uint64_t va)
{
	uint64_t v;

	preempt_disable();
	uspace_activate(s);
	arch_user_access_begin();
	v = *(volatile uint64_t *)(uintptr_t)va;
	arch_user_access_end();
	uspace_activate(NULL);
	preempt_enable();
	return v;
}

TEST(uspace, activated_space_reaches_user_and_later_kernel_mappings)
{
	struct uspace *s = new_space();
	volatile uint64_t *k;

	EXPECT_EQ(uspace_mmap(s, BASE, PG, PROT_RW, ANON_RW | MAP_FIXED), (long)BASE);
	EXPECT_EQ(uspace_fault(s, BASE, UFAULT_WRITE), 0);
	frame_of(s, BASE)[1] = 0x5eed;
	EXPECT_EQ(read_through_space(s, BASE + 8), 0x5eed);
	/* A kernel mapping made after the space: its root shares the kernel's tables. */
	k = vm_alloc_pages(1, PT_WRITE);
	EXPECT_TRUE(k != NULL);
	preempt_disable();
	uspace_activate(s);
	EXPECT_EQ(uspace_current(), s);
	EXPECT_EQ(uspace_loaded_cpus(s), 1ull << this_cpu_index());
	k[0] = 77;
	EXPECT_EQ(k[0], 77);
	uspace_activate(NULL);
	EXPECT_EQ(uspace_current(), NULL);
	EXPECT_EQ(uspace_loaded_cpus(s), 0);
	preempt_enable();
	uspace_put(s);
}

TEST(uspace, fork_copies_on_write_both_ways)
{
	struct uspace *p = new_space(), *c = NULL;
	uint64_t orig;

	EXPECT_EQ(uspace_mmap(p, BASE, 2 * PG, PROT_RW, ANON_RW | MAP_FIXED), (long)BASE);
	EXPECT_EQ(uspace_fault(p, BASE, UFAULT_WRITE), 0);
	frame_of(p, BASE)[0] = 0xaaaa;
	orig = pa_of(p, BASE);
	EXPECT_EQ(uspace_fork(p, &c), 0);
	/* Both map the same frame, read-only now; the untouched page exists in neither. */
	EXPECT_EQ(pa_of(c, BASE), orig);
	EXPECT_EQ(flags_of(p, BASE) & PT_WRITE, 0);
	EXPECT_EQ(flags_of(c, BASE) & PT_WRITE, 0);
	EXPECT_EQ(uspace_translate(c, BASE + PG, NULL, NULL), -EFAULT);
	EXPECT_EQ(uspace_resident_pages(c), 1);
	EXPECT_TRUE(!uspace_shared_at(c, BASE));
	/* The parent writes: it gets a copy, and the child keeps the original. */
	EXPECT_EQ(uspace_fault(p, BASE, UFAULT_USER | UFAULT_WRITE), 0);
	EXPECT_TRUE(pa_of(p, BASE) != orig);
	EXPECT_EQ(frame_of(p, BASE)[0], 0xaaaa);
	frame_of(p, BASE)[0] = 0xbbbb;
	EXPECT_EQ(frame_of(c, BASE)[0], 0xaaaa);
	/* The child is the last user of the original: its write takes it back, no copy. */
	EXPECT_EQ(uspace_fault(c, BASE, UFAULT_USER | UFAULT_WRITE), 0);
	EXPECT_EQ(pa_of(c, BASE), orig);
	EXPECT_TRUE(flags_of(c, BASE) & PT_WRITE);
	frame_of(c, BASE)[0] = 0xcccc;
	EXPECT_EQ(frame_of(p, BASE)[0], 0xbbbb);
	uspace_put(c);
	uspace_put(p);
}

TEST(uspace, shared_anonymous_memory_stays_shared_after_fork)
{
	struct uspace *p = new_space(), *c = NULL;
	long at = uspace_mmap(p, 0, 3 * PG, PROT_RW, MAP_SHARED | MAP_ANONYMOUS);

	EXPECT_TRUE(at > 0);
	EXPECT_TRUE(uspace_shared_at(p, at + PG));
	EXPECT_TRUE(!uspace_shared_at(p, at + 3 * PG));
	/* Shared pages exist from the start, so a page first touched after fork is shared too. */
	EXPECT_EQ(uspace_resident_pages(p), 3);
	EXPECT_EQ(uspace_fork(p, &c), 0);
	EXPECT_EQ(pa_of(p, at + 2 * PG), pa_of(c, at + 2 * PG));
	EXPECT_TRUE(flags_of(c, at + 2 * PG) & PT_WRITE);
	EXPECT_EQ(uspace_fault(c, at + 2 * PG, UFAULT_USER | UFAULT_WRITE), 0);
	frame_of(c, at + 2 * PG)[3] = 42;
	EXPECT_EQ(frame_of(p, at + 2 * PG)[3], 42);
	uspace_put(p);
	/* The child still holds the frames. */
	EXPECT_EQ(frame_of(c, at + 2 * PG)[3], 42);
	uspace_put(c);
}

/* One space's whole life: regions, faults, a fork and copies, then both gone. */
static void space_life(void)
{
	struct uspace *p = new_space(), *c = NULL;
	long at = uspace_mmap(p, 0, 8 * PG, PROT_RW, ANON_RW);

	EXPECT_TRUE(at > 0);
	EXPECT_TRUE(uspace_mmap(p, 0, 2 * PG, PROT_RW, MAP_SHARED | MAP_ANONYMOUS) > 0);
	uspace_set_brk_base(p, 0x600000);
	EXPECT_EQ(uspace_brk(p, 0x603000), 0x603000);
	EXPECT_EQ(uspace_fault(p, 0x601000, UFAULT_WRITE), 0);
	EXPECT_EQ(uspace_fault(p, at, UFAULT_WRITE), 0);
	EXPECT_EQ(uspace_fault(p, at + 5 * PG, 0), 0);
	EXPECT_EQ(uspace_fault(p, at + 7 * PG, UFAULT_WRITE), 0);
	EXPECT_EQ(uspace_mprotect(p, at + 7 * PG, PG, PROT_NONE), 0); /* a hidden page */
	EXPECT_EQ(uspace_fork(p, &c), 0);
	EXPECT_EQ(uspace_fault(c, at, UFAULT_WRITE), 0);
	EXPECT_EQ(uspace_fault(c, 0x602000, UFAULT_WRITE), 0);
	EXPECT_EQ(uspace_munmap(p, at + 4 * PG, 2 * PG), 0);
	uspace_put(p);
	uspace_put(c);
}

/* Heap blocks allocated and not freed (the magazines' blocks are not counted). */
static size_t live_blocks(void)
{
	struct alloc_stats st;

	heap_stats(&st);
	return st.live_blocks;
}

TEST(uspace, thousand_spaces_leak_no_frame_or_heap_block)
{
	uint64_t before;
	size_t blocks;
	int i;

	/* Warm up the heap's magazines and region records first: they keep their frames. */
	for (i = 0; i < 8; i++)
		space_life();
	before = free_bytes();
	blocks = live_blocks();
	for (i = 0; i < 1000; i++)
		space_life();
	EXPECT_EQ(free_bytes(), before);
	EXPECT_EQ(live_blocks(), blocks);
}

/* ---- A shootdown reaching another CPU ---- */

struct remote {
	struct uspace *s;
	uint64_t va;
	volatile uint64_t seen;  /* last value the remote CPU read */
	volatile int phase;      /* 1: loaded and reading; 4: pause; 2: read again; 3: stop */
	volatile int paused;     /* the remote CPU stopped reading for phase 4 */
	volatile uint64_t reads; /* reads done in phase 2 */
};

static int remote_reader(void *arg)
{
	struct remote *r = arg;

	preempt_disable();
	uspace_activate(r->s);
	r->phase = 1;
	while (r->phase != 3) {
		if (r->phase == 4) {
			r->paused = 1;
			arch_cpu_relax();
			continue;
		}
		arch_user_access_begin();
		r->seen = *(volatile uint64_t *)(uintptr_t)r->va;
		arch_user_access_end();
		if (r->phase == 2)
			r->reads++;
		arch_cpu_relax();
	}
	uspace_activate(NULL);
	preempt_enable();
	return 0;
}

static void wait_for(volatile int *v, int want)
{
	while (*v != want)
		task_yield();
}

TEST(uspace, shootdown_reaches_cpus_with_the_space_loaded)
{
	struct task_spawn_opts o = { .prio = TASK_PRIO_DEFAULT, .affinity = 2, .cpu = 1 };
	struct remote r = { .va = BASE };
	struct task_handle h;
	struct task_result res;
	struct pmm_frame *old;
	uint64_t reads;

	if (!smp_cpu_online(1))
		ktest_skip("one CPU only (run with CPUS=2)");
	r.s = new_space();
	EXPECT_EQ(uspace_mmap(r.s, BASE, PG, PROT_RW, ANON_RW | MAP_FIXED), (long)BASE);
	EXPECT_EQ(uspace_fault(r.s, BASE, UFAULT_WRITE), 0);
	frame_of(r.s, BASE)[0] = 1;
	EXPECT_EQ(task_spawn_opts(&h, "uspace.reader", remote_reader, &r, &o), 0);
	wait_for(&r.phase, 1);
	while (r.seen != 1)
		task_yield();
	EXPECT_EQ(uspace_loaded_cpus(r.s), 2);
	/*
	 * Replace the page while the remote CPU pauses with its translation
	 * cached. The old frame is held, so it cannot come back as the new one:
	 * a missed shootdown would show the old value.
	 */
	r.phase = 4;
	while (!r.paused)
		task_yield();
	old = pmm_frame(pa_of(r.s, BASE));
	EXPECT_EQ(pmm_frame_get(old), 0);
	EXPECT_EQ(uspace_mmap(r.s, BASE, PG, PROT_RW, ANON_RW | MAP_FIXED), (long)BASE);
	EXPECT_EQ(uspace_fault(r.s, BASE, UFAULT_WRITE), 0);
	frame_of(r.s, BASE)[0] = 2;
	r.phase = 2;
	while (r.reads < 1000)
		task_yield();
	reads = r.reads;
	r.phase = 3;
	EXPECT_TRUE(pmm_frame_put(old));
	EXPECT_EQ(r.seen, 2);
	EXPECT_EQ(task_join(h, &res), 0);
	EXPECT_TRUE(reads >= 1000);
	EXPECT_EQ(uspace_loaded_cpus(r.s), 0);
	uspace_put(r.s);
}

/*
 * Running out of frames ends in -ENOMEM from the fault, never a panic, and
 * destroying the space gives every frame back. Skipped with much memory,
 * where touching all of it would take too long under TCG.
 */
TEST(uspace, out_of_frames_is_enomem_and_recoverable)
{
	const uint64_t span = 2ull << 30;
	uint64_t before, va;
	struct uspace *s;
	int err = 0;

	space_life(); /* the heap's records and magazines first, as the leak test does */
	before = free_bytes();
	if (before > (1200ull << 20))
		ktest_skip("more than 1.2 GiB free: too slow to exhaust");
	s = new_space();
	EXPECT_EQ(uspace_mmap(s, BASE, span, PROT_RW, ANON_RW | MAP_FIXED | MAP_NORESERVE),
	          (long)BASE);
	for (va = BASE; va < BASE + span && !err; va += PG)
		err = uspace_fault(s, va, UFAULT_USER | UFAULT_WRITE);
	EXPECT_EQ(err, -ENOMEM);
	EXPECT_TRUE(uspace_resident_pages(s) * PG > before / 2);
	uspace_put(s);
	EXPECT_EQ(free_bytes(), before);
}
