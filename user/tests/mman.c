// SPDX-License-Identifier: MIT
/*
 * mmap, munmap, mprotect, mremap and madvise at their edges: unaligned,
 * overlapping, zero-length and beyond-the-user-limit arguments, each printed
 * with its errno name so that the comparison with Linux checks the errno;
 * and the effect of each call on what the pages hold and allow.
 */
#include <setjmp.h>

#include "utest.h"

#define PG         4096ul
#define USER_LIMIT 0x800000000000ul /* 2^47: the end of the 4-level user half */

static sigjmp_buf env;

static void on_segv(int sig)
{
	siglongjmp(env, 1);
}

/* Does a read (or a write, @write) of @p fault? */
static bool touch_faults(volatile char *p, bool write)
{
	signal(SIGSEGV, on_segv);
	if (sigsetjmp(env, 1) == 0) {
		if (write)
			*p = 1;
		else
			(void)*p;
		return false;
	}
	return true;
}

/*
 * The calls go through syscall(2), not the libc wrappers: musl rounds
 * mprotect's address and checks mmap's length itself, and it is the kernel's
 * answer that must match Linux.
 */
static long map_off(void *addr, size_t len, int prot, int flags, long off)
{
	return syscall(SYS_mmap, addr, len, prot, flags, -1, off);
}

static long map(void *addr, size_t len, int prot, int flags)
{
	return map_off(addr, len, prot, flags, 0);
}

#define munmap(a, l)       syscall(SYS_munmap, a, l)
#define mprotect(a, l, p)  syscall(SYS_mprotect, a, l, p)
#define madvise(a, l, adv) syscall(SYS_madvise, a, l, adv)
#define mremap(a, o, n, f) ((void *)syscall(SYS_mremap, a, o, n, f, 0))

#define RW   (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static void test_mmap_errors(void)
{
	char *base = (char *)map(NULL, 4 * PG, RW, ANON);

	tap_errno(map(NULL, 0, RW, ANON), EINVAL, "mmap of length 0");
	tap_errno(map(base + 1, PG, RW, ANON | MAP_FIXED), EINVAL, "mmap MAP_FIXED unaligned");
	tap_ok(map(base + 1, PG, RW, ANON) > 0, "mmap with an unaligned hint picks an address");
	tap_errno(map_off(NULL, PG, RW, ANON, 1), EINVAL, "mmap with an unaligned offset");
	tap_errno(map(NULL, PG, RW, MAP_ANONYMOUS), EINVAL, "mmap without PRIVATE or SHARED");
	tap_errno(map(NULL, PG, RW, MAP_PRIVATE | MAP_SHARED | MAP_ANONYMOUS), EINVAL,
	          "mmap with both PRIVATE and SHARED");
	tap_errno(map((void *)USER_LIMIT, PG, RW, ANON | MAP_FIXED), ENOMEM,
	          "mmap MAP_FIXED at the user limit");
	tap_errno(map((void *)(USER_LIMIT - PG), 2 * PG, RW, ANON | MAP_FIXED), ENOMEM,
	          "mmap MAP_FIXED across the user limit");
	tap_errno(map((void *)0xffff800000000000ul, PG, RW, ANON | MAP_FIXED), ENOMEM,
	          "mmap MAP_FIXED at a kernel address");
	tap_errno(map(NULL, USER_LIMIT, RW, ANON), ENOMEM, "mmap of 128 TiB");
	tap_errno(map(NULL, (size_t)-PG, RW, ANON), ENOMEM, "mmap of a length that wraps");
	tap_errno(map(base, PG, RW, ANON | MAP_FIXED_NOREPLACE), EEXIST,
	          "MAP_FIXED_NOREPLACE over a mapping");
	munmap(base, 4 * PG);
}

static void test_overlap(void)
{
	char *a = (char *)map(NULL, 4 * PG, RW, ANON);
	char *b;

	memset(a, 'x', 4 * PG);
	b = (char *)map(a + PG, 2 * PG, RW, ANON | MAP_FIXED);
	tap_ok(b == a + PG, "MAP_FIXED over the middle of a mapping lands there");
	tap_ok(a[0] == 'x' && b[0] == 0 && b[PG] == 0 && a[3 * PG] == 'x',
	       "the replaced pages read as zero, the others keep their bytes");
	tap_errno(munmap(a + PG, PG), 0, "munmap of one page in the middle");
	tap_ok(touch_faults(a + PG, false) && !touch_faults(a, false) &&
	               !touch_faults(a + 2 * PG, false),
	       "only the unmapped page faults");
	tap_errno(munmap(a, 4 * PG), 0, "munmap across a hole");
	tap_errno(munmap(a, 4 * PG), 0, "munmap of nothing mapped");
	tap_ok(touch_faults(a, false), "the whole range is gone");
}

static void test_munmap_errors(void)
{
	char *a = (char *)map(NULL, PG, RW, ANON);

	tap_errno(munmap(a + 1, PG), EINVAL, "munmap unaligned");
	tap_errno(munmap(a, 0), EINVAL, "munmap of length 0");
	tap_errno(munmap((void *)USER_LIMIT, PG), EINVAL, "munmap at the user limit");
	tap_errno(munmap((void *)(USER_LIMIT - PG), 2 * PG), EINVAL,
	          "munmap across the user limit");
	tap_errno(munmap(a, (size_t)-PG), EINVAL, "munmap of a length that wraps");
	munmap(a, PG);
}

static void test_mprotect(void)
{
	char *a = (char *)map(NULL, 3 * PG, RW, ANON);

	a[0] = 'y';
	tap_errno(mprotect(a, PG, PROT_READ), 0, "mprotect to read-only");
	tap_ok(touch_faults(a, true) && !touch_faults(a, false) && a[0] == 'y',
	       "a write faults, a read sees the byte");
	tap_ok(!touch_faults(a + PG, true), "the next page is still writable");
	tap_errno(mprotect(a, PG, PROT_NONE), 0, "mprotect to PROT_NONE");
	tap_ok(touch_faults(a, false), "a read faults");
	tap_errno(mprotect(a, PG, RW), 0, "mprotect back to read-write");
	tap_ok(!touch_faults(a, true) && a[0] == 1, "the page kept its contents");
	tap_errno(mprotect(a + 1, PG, RW), EINVAL, "mprotect unaligned");
	tap_errno(mprotect(a, 0, RW), 0, "mprotect of length 0");
	tap_errno(mprotect(a, PG, 0x100), EINVAL, "mprotect with an unknown bit");
	munmap(a + PG, PG);
	tap_errno(mprotect(a, 3 * PG, PROT_READ), ENOMEM, "mprotect over a hole");
	tap_errno(mprotect(a + PG, PG, PROT_READ), ENOMEM, "mprotect of an unmapped page");
	tap_errno(mprotect((void *)(USER_LIMIT - PG), 2 * PG, PROT_READ), ENOMEM,
	          "mprotect across the user limit");
	munmap(a, 3 * PG);
}

static void test_mremap_madvise(void)
{
	char *a = (char *)map(NULL, 2 * PG, RW, ANON), *b;

	memset(a, 'z', 2 * PG);
	b = mremap(a, 2 * PG, 8 * PG, MREMAP_MAYMOVE);
	tap_ok(b != MAP_FAILED && b[0] == 'z' && b[2 * PG - 1] == 'z' && b[7 * PG] == 0,
	       "mremap grows a mapping and keeps its bytes");
	b = mremap(b, 8 * PG, PG, 0);
	tap_ok(b != MAP_FAILED && b[0] == 'z' && touch_faults(b + PG, false),
	       "mremap shrinks it in place");
	tap_errno((long)mremap(b + 1, PG, 2 * PG, MREMAP_MAYMOVE) == -1 ? -1 : 0, EINVAL,
	          "mremap unaligned");
	tap_errno((long)mremap(b, PG, 0, MREMAP_MAYMOVE) == -1 ? -1 : 0, EINVAL,
	          "mremap to length 0");
	b[0] = 'q';
	tap_errno(madvise(b, PG, MADV_DONTNEED), 0, "madvise MADV_DONTNEED");
	tap_ok(b[0] == 0, "a private anonymous page reads as zero after MADV_DONTNEED");
	tap_errno(madvise(b + 1, PG, MADV_DONTNEED), EINVAL, "madvise unaligned");
	tap_errno(madvise(b, PG, 12345), EINVAL, "madvise with an unknown advice");
	munmap(b, PG);
}

int main(void)
{
	tap_plan(45);
	test_mmap_errors();
	test_overlap();
	test_munmap_errors();
	test_mprotect();
	test_mremap_madvise();
	return tap_done(45);
}
