// SPDX-License-Identifier: MIT
/*
 * Kernel tests of the memory calls of user address spaces, suite
 * "uspace_calls": mmap, munmap, mprotect, mremap, madvise and brk, each
 * edge case with the result Linux 6.1 gives (unaligned, zero or wrapping
 * lengths, beyond the user limit, overlaps, holes), RLIMIT_AS, data kept
 * across mremap, and the sys_* entry points on the space loaded on the CPU.
 */
#include <cairn/errno.h>
#include <cairn/linux/mman.h>
#include <cairn/linux/syscall_nr.h>

#include <arch/page.h>
#include <lib/paging/paging.h>

#include "core/kmain.h"
#include "core/ktest.h"
#include "mm/uspace.h"
#include "sched/task.h"
#include "syscall/syscall.h"

#define PRIV  (MAP_PRIVATE | MAP_ANONYMOUS)
#define FIXED (PRIV | MAP_FIXED)
#define RW    (PROT_READ | PROT_WRITE)
#define BASE  0x20000000ull
#define PG    PAGE_SIZE

static struct uspace *new_space(void)
{
	struct uspace *s = NULL;

	EXPECT_EQ(uspace_create(&s), 0);
	return s;
}

static volatile uint64_t *word_at(struct uspace *s, uint64_t va)
{
	uint64_t pa = 0;

	EXPECT_EQ(uspace_fault(s, va, UFAULT_WRITE), 0);
	EXPECT_EQ(uspace_translate(s, va, &pa, NULL), 0);
	return phys_to_virt(pa);
}

/* The word at @va, which must be mapped, read through the direct map without a fault. */
static uint64_t peek(struct uspace *s, uint64_t va)
{
	uint64_t pa = 0;

	EXPECT_EQ(uspace_translate(s, va, &pa, NULL), 0);
	return *(volatile uint64_t *)phys_to_virt(pa);
}

TEST(uspace_calls, mmap_errors_match_linux)
{
	struct uspace *s = new_space();

	EXPECT_EQ(uspace_mmap(s, 0, 0, RW, PRIV), -EINVAL);
	EXPECT_EQ(uspace_mmap(s, 0, PG, RW, MAP_ANONYMOUS), -EINVAL);
	EXPECT_EQ(uspace_mmap(s, 0, PG, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS), -EINVAL);
	EXPECT_EQ(uspace_mmap(s, 0, PG, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN), -EINVAL);
	EXPECT_EQ(uspace_mmap(s, 0, UINT64_MAX, RW, PRIV), -ENOMEM);
	EXPECT_EQ(uspace_mmap(s, 0, USER_TOP + PG, RW, PRIV), -ENOMEM);
	EXPECT_EQ(uspace_mmap(s, BASE + 1, PG, RW, FIXED), -EINVAL);
	EXPECT_EQ(uspace_mmap(s, USER_TOP - PG, 2 * PG, RW, FIXED), -ENOMEM);
	EXPECT_EQ(uspace_mmap(s, UINT64_MAX - PG + 1, PG, RW, FIXED), -ENOMEM);
	EXPECT_EQ(uspace_mmap(s, 0x1000, PG, RW, FIXED), -EPERM);
	EXPECT_EQ(uspace_mmap(s, USER_TOP - PG, PG, RW, FIXED), (long)(USER_TOP - PG));
	EXPECT_EQ(uspace_mmap(s, BASE, 2 * PG, RW, FIXED), (long)BASE);
	EXPECT_EQ(uspace_mmap(s, BASE + PG, PG, RW, PRIV | MAP_FIXED_NOREPLACE), -EEXIST);
	EXPECT_EQ(uspace_mmap(s, BASE + 2 * PG, PG, RW, PRIV | MAP_FIXED_NOREPLACE),
	          (long)(BASE + 2 * PG));
	/* A hint that is taken is used; one that is not moves the mapping, below the mmap base. */
	EXPECT_EQ(uspace_mmap(s, BASE + 8 * PG, PG, RW, PRIV), (long)(BASE + 8 * PG));
	EXPECT_TRUE(uspace_mmap(s, BASE, PG, RW, PRIV) < (long)USER_MMAP_BASE_DEFAULT);
	EXPECT_TRUE(uspace_mmap(s, 0, PG, RW, PRIV | MAP_32BIT) < (long)(2ull << 30));
	uspace_put(s);
}

TEST(uspace_calls, mmap_fixed_replaces_and_zeroes)
{
	struct uspace *s = new_space();

	EXPECT_EQ(uspace_mmap(s, BASE, 4 * PG, RW, FIXED), (long)BASE);
	word_at(s, BASE + PG)[0] = 9;
	EXPECT_EQ(uspace_resident_pages(s), 1);
	EXPECT_EQ(uspace_mmap(s, BASE + PG, PG, PROT_READ, FIXED), (long)(BASE + PG));
	EXPECT_EQ(uspace_resident_pages(s), 0);
	EXPECT_EQ(uspace_mapped_bytes(s), 4 * PG);
	EXPECT_EQ(uspace_fault(s, BASE + PG, UFAULT_WRITE), -EACCES);
	EXPECT_EQ(uspace_fault(s, BASE + PG, 0), 0);
	EXPECT_EQ(uspace_fault(s, BASE + 2 * PG, UFAULT_WRITE), 0);
	uspace_put(s);
}

TEST(uspace_calls, munmap_errors_and_holes)
{
	struct uspace *s = new_space();

	EXPECT_EQ(uspace_munmap(s, BASE + 1, PG), -EINVAL);
	EXPECT_EQ(uspace_munmap(s, BASE, 0), -EINVAL);
	EXPECT_EQ(uspace_munmap(s, USER_TOP + PG, PG), -EINVAL);
	EXPECT_EQ(uspace_munmap(s, USER_TOP - PG, 2 * PG), -EINVAL);
	EXPECT_EQ(uspace_munmap(s, BASE, UINT64_MAX), -EINVAL);
	EXPECT_EQ(uspace_munmap(s, BASE, PG), 0); /* nothing there: fine */
	EXPECT_EQ(uspace_mmap(s, BASE, 3 * PG, RW, FIXED), (long)BASE);
	word_at(s, BASE + PG)[0] = 1;
	EXPECT_EQ(uspace_munmap(s, BASE + PG, 1), 0); /* the length rounds up */
	EXPECT_EQ(uspace_fault(s, BASE + PG, 0), -EFAULT);
	EXPECT_EQ(uspace_fault(s, BASE + 2 * PG, 0), 0);
	EXPECT_EQ(uspace_resident_pages(s), 1);
	EXPECT_EQ(uspace_mapped_bytes(s), 2 * PG);
	uspace_put(s);
}

TEST(uspace_calls, mprotect_errors_and_partial_change)
{
	struct uspace *s = new_space();

	EXPECT_EQ(uspace_mprotect(s, BASE + 1, PG, PROT_READ), -EINVAL);
	EXPECT_EQ(uspace_mprotect(s, BASE, 0, 0x40), 0); /* length 0 wins over a bad prot */
	EXPECT_EQ(uspace_mprotect(s, BASE, PG, 0x40), -EINVAL);
	EXPECT_EQ(uspace_mprotect(s, BASE, PG, PROT_GROWSDOWN | PROT_GROWSUP), -EINVAL);
	EXPECT_EQ(uspace_mprotect(s, BASE, PG, PROT_READ), -ENOMEM);
	EXPECT_EQ(uspace_mprotect(s, BASE, UINT64_MAX - PG, PROT_READ), -ENOMEM);
	EXPECT_EQ(uspace_mmap(s, BASE, 2 * PG, RW, FIXED), (long)BASE);
	word_at(s, BASE)[0] = 5;
	/* The mapped part before the hole changes, then ENOMEM, as Linux does. */
	EXPECT_EQ(uspace_mprotect(s, BASE, 3 * PG, PROT_READ), -ENOMEM);
	EXPECT_EQ(uspace_fault(s, BASE + PG, UFAULT_WRITE), -EACCES);
	EXPECT_EQ(uspace_fault(s, BASE, UFAULT_WRITE), -EACCES);
	EXPECT_EQ(uspace_mprotect(s, BASE, 2 * PG, PROT_NONE), 0);
	EXPECT_EQ(uspace_fault(s, BASE, UFAULT_USER), -EACCES);
	EXPECT_EQ(uspace_mprotect(s, BASE, 2 * PG, RW | PROT_SEM), 0);
	EXPECT_EQ(word_at(s, BASE)[0], 5);
	EXPECT_EQ(uspace_mprotect(s, BASE, PG, PROT_READ | PROT_GROWSDOWN), -EINVAL);
	uspace_put(s);
}

/*
 * PROT_NONE pages leave the loaded page tables (so kernel copies fault, as
 * on Linux) but keep their data, through fork and mremap, until access is
 * allowed again.
 */
TEST(uspace_calls, prot_none_pages_are_out_of_reach_but_kept)
{
	struct uspace *s = new_space(), *c = NULL;
	long at;

	EXPECT_EQ(uspace_mmap(s, BASE, 2 * PG, RW, FIXED), (long)BASE);
	word_at(s, BASE)[0] = 0x77;
	EXPECT_EQ(uspace_mprotect(s, BASE, 2 * PG, PROT_NONE), 0);
	EXPECT_EQ(uspace_translate(s, BASE, NULL, NULL), -EFAULT);
	EXPECT_EQ(uspace_fault(s, BASE, 0), -EACCES);
	EXPECT_EQ(uspace_resident_pages(s), 1);
	/* The child of a fork gets the hidden page too, shared copy-on-write. */
	EXPECT_EQ(uspace_fork(s, &c), 0);
	EXPECT_EQ(uspace_resident_pages(c), 1);
	EXPECT_EQ(uspace_mprotect(c, BASE, PG, RW), 0);
	EXPECT_EQ(word_at(c, BASE)[0], 0x77);
	word_at(c, BASE)[0] = 0xc;
	uspace_put(c);
	/* Moved while hidden, then shown again with the data. */
	EXPECT_EQ(uspace_mmap(s, BASE + 2 * PG, PG, RW, FIXED), (long)(BASE + 2 * PG));
	at = uspace_mremap(s, BASE, 2 * PG, 4 * PG, MREMAP_MAYMOVE, 0);
	EXPECT_TRUE(at > 0 && (uint64_t)at != BASE);
	EXPECT_EQ(uspace_translate(s, at, NULL, NULL), -EFAULT);
	EXPECT_EQ(uspace_mprotect(s, at, PG, PROT_READ), 0);
	EXPECT_EQ(peek(s, at), 0x77);
	EXPECT_EQ(uspace_fault(s, at, UFAULT_WRITE), -EACCES);
	/* Unmapping a hidden page gives its frame back. */
	EXPECT_EQ(uspace_mprotect(s, at, PG, PROT_NONE), 0);
	EXPECT_EQ(uspace_munmap(s, at, PG), 0);
	EXPECT_EQ(uspace_resident_pages(s), 0);
	/* Shared PROT_NONE memory is populated hidden. */
	at = uspace_mmap(s, 0, PG, PROT_NONE, MAP_SHARED | MAP_ANONYMOUS);
	EXPECT_TRUE(at > 0);
	EXPECT_EQ(uspace_resident_pages(s), 1);
	EXPECT_EQ(uspace_translate(s, at, NULL, NULL), -EFAULT);
	EXPECT_EQ(uspace_mprotect(s, at, PG, RW), 0);
	EXPECT_EQ(uspace_translate(s, at, NULL, NULL), 0);
	uspace_put(s);
}

TEST(uspace_calls, mremap_grows_moves_and_shrinks)
{
	struct uspace *s = new_space();
	long at;

	EXPECT_EQ(uspace_mremap(s, BASE + 1, PG, 2 * PG, 0, 0), -EINVAL);
	EXPECT_EQ(uspace_mremap(s, BASE, PG, 0, 0, 0), -EINVAL);
	EXPECT_EQ(uspace_mremap(s, BASE, PG, PG, MREMAP_FIXED, BASE), -EINVAL);
	EXPECT_EQ(uspace_mremap(s, BASE, PG, PG, 8, 0), -EINVAL);
	EXPECT_EQ(uspace_mremap(s, BASE, PG, 2 * PG, 0, 0), -EFAULT);
	EXPECT_EQ(uspace_mmap(s, BASE, 2 * PG, RW, FIXED), (long)BASE);
	EXPECT_EQ(uspace_mremap(s, BASE, 0, 2 * PG, MREMAP_MAYMOVE, 0), -EINVAL);
	EXPECT_EQ(uspace_mremap(s, BASE, 3 * PG, 4 * PG, 0, 0), -EFAULT);
	word_at(s, BASE + PG)[0] = 77;
	/* Grow in place into free room. */
	EXPECT_EQ(uspace_mremap(s, BASE, 2 * PG, 4 * PG, 0, 0), (long)BASE);
	EXPECT_EQ(uspace_mapped_bytes(s), 4 * PG);
	/* Blocked: without MREMAP_MAYMOVE it fails, with it the pages move, data and all. */
	EXPECT_EQ(uspace_mmap(s, BASE + 4 * PG, PG, RW, FIXED), (long)(BASE + 4 * PG));
	EXPECT_EQ(uspace_mremap(s, BASE, 4 * PG, 8 * PG, 0, 0), -ENOMEM);
	at = uspace_mremap(s, BASE, 4 * PG, 8 * PG, MREMAP_MAYMOVE, 0);
	EXPECT_TRUE(at > 0 && (uint64_t)at != BASE);
	EXPECT_EQ(word_at(s, at + PG)[0], 77);
	EXPECT_EQ(uspace_fault(s, BASE, 0), -EFAULT);
	EXPECT_EQ(uspace_resident_pages(s), 1);
	/* MREMAP_FIXED onto an overlapping range is refused; elsewhere it replaces. */
	EXPECT_EQ(uspace_mremap(s, at, 2 * PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, at + PG),
	          -EINVAL);
	EXPECT_EQ(uspace_mremap(s, at, 2 * PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, BASE + 4 * PG),
	          (long)(BASE + 4 * PG));
	EXPECT_EQ(uspace_fault(s, at, 0), -EFAULT);
	/* Shrinking unmaps the tail, even where nothing is mapped. */
	EXPECT_EQ(uspace_mremap(s, at + 2 * PG, 6 * PG, 2 * PG, 0, 0), (long)(at + 2 * PG));
	EXPECT_EQ(uspace_mremap(s, 0x70000000, 2 * PG, PG, 0, 0), 0x70000000);
	EXPECT_EQ(uspace_mapped_bytes(s), 3 * PG);
	uspace_put(s);
}

TEST(uspace_calls, mremap_dontunmap_moves_pages_and_keeps_the_range)
{
	struct uspace *s = new_space();
	long at;

	EXPECT_EQ(uspace_mmap(s, BASE, 2 * PG, RW, FIXED), (long)BASE);
	word_at(s, BASE + PG)[0] = 0x99;
	EXPECT_EQ(uspace_mremap(s, BASE, 2 * PG, 2 * PG, MREMAP_DONTUNMAP, 0), -EINVAL);
	EXPECT_EQ(uspace_mremap(s, BASE, 2 * PG, PG, MREMAP_DONTUNMAP | MREMAP_MAYMOVE, 0),
	          -EINVAL);
	EXPECT_EQ(uspace_mremap(s, BASE, 2 * PG, 2 * PG - 1, MREMAP_DONTUNMAP | MREMAP_MAYMOVE, 0),
	          -EINVAL);
	/* The new address is checked even without MREMAP_FIXED, as Linux does. */
	EXPECT_EQ(uspace_mremap(s, BASE, 2 * PG, 2 * PG, MREMAP_DONTUNMAP | MREMAP_MAYMOVE, 0x123),
	          -EINVAL);
	at = uspace_mremap(s, BASE, 2 * PG, 2 * PG, MREMAP_DONTUNMAP | MREMAP_MAYMOVE, 0);
	EXPECT_TRUE(at > 0 && (uint64_t)at != BASE);
	EXPECT_EQ(peek(s, at + PG), 0x99);
	EXPECT_EQ(uspace_mapped_bytes(s), 4 * PG);
	EXPECT_EQ(uspace_resident_pages(s), 1);
	/* The old range is still mapped, and empty. */
	EXPECT_EQ(word_at(s, BASE + PG)[0], 0);
	uspace_put(s);
}

TEST(uspace_calls, madvise_dontneed_zeroes_private_pages)
{
	struct uspace *s = new_space();

	EXPECT_EQ(uspace_madvise(s, BASE, PG, 7), -EINVAL);
	EXPECT_EQ(uspace_madvise(s, BASE + 1, PG, MADV_NORMAL), -EINVAL);
	EXPECT_EQ(uspace_madvise(s, BASE, UINT64_MAX, MADV_NORMAL), -EINVAL);
	EXPECT_EQ(uspace_madvise(s, BASE, 0, MADV_DONTNEED), 0);
	EXPECT_EQ(uspace_madvise(s, BASE, PG, MADV_HWPOISON), -EPERM);
	EXPECT_EQ(uspace_madvise(s, BASE, PG, MADV_WILLNEED), -ENOMEM);
	EXPECT_EQ(uspace_mmap(s, BASE, 2 * PG, RW, FIXED), (long)BASE);
	word_at(s, BASE)[0] = 3;
	EXPECT_EQ(uspace_madvise(s, BASE, 2 * PG, MADV_DONTNEED), 0);
	EXPECT_EQ(uspace_resident_pages(s), 0);
	EXPECT_EQ(word_at(s, BASE)[0], 0);
	EXPECT_EQ(uspace_madvise(s, BASE, 3 * PG, MADV_NORMAL), -ENOMEM);
	EXPECT_EQ(uspace_madvise(s, BASE, 2 * PG, MADV_POPULATE_WRITE), 0);
	EXPECT_EQ(uspace_resident_pages(s), 2);
	EXPECT_EQ(uspace_madvise(s, BASE, 2 * PG, MADV_REMOVE), -EINVAL);
	uspace_put(s);
}

TEST(uspace_calls, brk_grows_shrinks_and_stops_at_mappings)
{
	struct uspace *s = new_space();
	const uint64_t start = 0x800123;

	uspace_set_brk_base(s, start);
	EXPECT_EQ(uspace_brk(s, 0), (long)start);
	EXPECT_EQ(uspace_brk(s, start - 1), (long)start);
	EXPECT_EQ(uspace_brk(s, start + 3 * PG), (long)(start + 3 * PG));
	EXPECT_EQ(uspace_fault(s, start + 2 * PG, UFAULT_WRITE), 0);
	EXPECT_EQ(uspace_fault(s, PAGE_ALIGN_UP(start + 3 * PG), 0), -EFAULT);
	EXPECT_EQ(uspace_brk(s, start + PG), (long)(start + PG));
	EXPECT_EQ(uspace_fault(s, start + 2 * PG, 0), -EFAULT);
	EXPECT_EQ(uspace_resident_pages(s), 0);
	/* A mapping above stops the heap one page short of it. */
	EXPECT_EQ(uspace_mmap(s, 0x806000, PG, RW, FIXED), 0x806000);
	EXPECT_EQ(uspace_brk(s, 0x805000), 0x805000);
	EXPECT_EQ(uspace_brk(s, 0x805001), 0x805000);
	EXPECT_EQ(uspace_brk(s, USER_TOP + PG), 0x805000);
	uspace_put(s);
}

TEST(uspace_calls, rlimit_as_limits_regions)
{
	struct uspace *s = new_space();

	uspace_set_limit(s, 4 * PG);
	EXPECT_EQ(uspace_mmap(s, BASE, 5 * PG, RW, FIXED), -ENOMEM);
	EXPECT_EQ(uspace_mmap(s, BASE, 3 * PG, RW, FIXED), (long)BASE);
	EXPECT_EQ(uspace_mmap(s, 0, 2 * PG, RW, PRIV), -ENOMEM);
	/* Replacing counts only what grows. */
	EXPECT_EQ(uspace_mmap(s, BASE, 4 * PG, RW, FIXED), (long)BASE);
	EXPECT_EQ(uspace_mremap(s, BASE, 4 * PG, 5 * PG, MREMAP_MAYMOVE, 0), -ENOMEM);
	uspace_set_brk_base(s, 0x800000);
	EXPECT_EQ(uspace_brk(s, 0x801000), 0x800000);
	uspace_set_limit(s, 0);
	EXPECT_EQ(uspace_brk(s, 0x801000), 0x801000);
	uspace_put(s);
}

/* ---- The sys_* entry points on the loaded space ---- */

/* In a spawned task a failed check cannot end the test: it returns its line instead. */
#define CHECK(c)                         \
	do {                             \
		if (!(c)) {              \
			r = __LINE__;    \
			goto out_unload; \
		}                        \
	} while (0)

static int syscalls_task(void *arg)
{
	struct uspace *s = arg;
	uint64_t a[6] = { 0, PG, RW, PRIV, (uint64_t)-1, 0 };
	long at;
	int r = 0;

	uspace_activate(s);
	at = syscall_dispatch(__NR_mmap, a);
	CHECK(at > 0);
	a[5] = 1;
	CHECK(syscall_dispatch(__NR_mmap, a) == -EINVAL);
	a[3] = MAP_PRIVATE;
	a[5] = 0;
	CHECK(syscall_dispatch(__NR_mmap, a) == -EBADF);
	a[0] = (uint64_t)at;
	a[2] = PROT_READ | (1ull << 40);
	CHECK(syscall_dispatch(__NR_mprotect, a) == -EINVAL);
	a[2] = PROT_READ;
	CHECK(syscall_dispatch(__NR_mprotect, a) == 0);
	a[2] = MADV_DONTNEED;
	CHECK(syscall_dispatch(__NR_madvise, a) == 0);
	a[2] = PG;
	a[3] = 1ull << 33;
	CHECK(syscall_dispatch(__NR_mremap, a) == -EINVAL);
	CHECK(syscall_dispatch(__NR_munmap, a) == 0);
	a[0] = 0;
	CHECK(syscall_dispatch(__NR_brk, a) == 0x400000);
out_unload:
	uspace_activate(NULL);
	if (!r && syscall_dispatch(__NR_brk, a) != 0)
		r = __LINE__;
	if (!r && syscall_dispatch(__NR_munmap, a) != -EINVAL)
		r = __LINE__;
	return r;
}

TEST(uspace_calls, syscalls_act_on_the_loaded_space)
{
	struct task_spawn_opts o = { .prio = TASK_PRIO_DEFAULT, .affinity = 1, .cpu = 0 };
	struct uspace *s = new_space();
	struct task_handle h;
	struct task_result res;

	uspace_set_brk_base(s, 0x400000);
	EXPECT_EQ(task_spawn_opts(&h, "uspace.sys", syscalls_task, s, &o), 0);
	EXPECT_EQ(task_join(h, &res), 0);
	EXPECT_EQ(res.how, TASK_END_RETURNED);
	EXPECT_EQ(res.value, 0);
	EXPECT_EQ(uspace_mapped_bytes(s), 0);
	uspace_put(s);
}
