// SPDX-License-Identifier: MIT
/*
 * The memory calls of a user address space: mmap, munmap, mprotect,
 * mremap, madvise and brk, with the argument checks and error numbers of
 * Linux (mm/mmap.c, mm/mprotect.c, mm/mremap.c, mm/madvise.c of Linux 6.1
 * as documented in their man pages). Each validates its arguments first,
 * then changes the regions (which may fail only before anything changed),
 * then the pages.
 */
#include <cairn/errno.h>
#include <cairn/linux/mman.h>

#include <arch/page.h>

#include "core/log.h"
#include "mm/pmm.h"
#include "mm/uspace.h"
#include "mm/uspace_internal.h"

/* MAP_32BIT: x86_64 Linux places such mappings in [1 GiB, 2 GiB). */
#define MAP32_LO (1ull << 30)
#define MAP32_HI (2ull << 30)

/* The flags MAP_SHARED_VALIDATE accepts (Linux's LEGACY_MAP_MASK plus the validated ones). */
#define MAP_KNOWN                                                                                \
	(MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_32BIT | MAP_GROWSDOWN | MAP_DENYWRITE |      \
	 MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | \
	 MAP_HUGETLB | MAP_FIXED_NOREPLACE | MAP_UNINITIALIZED)

#define PROT_RWX   (PROT_READ | PROT_WRITE | PROT_EXEC)
#define PROT_KNOWN (PROT_RWX | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP)

/* @len rounded up to pages, or 0 when that wraps. */
static uint64_t page_len(uint64_t len)
{
	return len > UINT64_MAX - (PAGE_SIZE - 1) ? 0 : PAGE_ALIGN_UP(len);
}

static bool page_aligned(uint64_t v)
{
	return !(v & (PAGE_SIZE - 1));
}

/* True if [@addr, @addr + @len) lies in user space. */
static bool user_range(uint64_t addr, uint64_t len)
{
	return addr <= USER_TOP && len <= USER_TOP - addr;
}

/* True if adding @more bytes of regions (while @gone go away) stays within RLIMIT_AS. */
static bool within_limit_locked(const struct uspace *s, uint64_t more, uint64_t gone)
	__must_hold(&s->lock)
{
	return !s->limit || s->regions.bytes - gone + more <= s->limit;
}

/* A free range of @len bytes for a mapping without MAP_FIXED, honouring the hint @addr. */
static int pick_address_locked(struct uspace *s, uint64_t addr, uint64_t len, int flags,
                               uint64_t *out) __must_hold(&s->lock)
{
	addr = page_len(addr);
	if (addr >= USER_MMAP_MIN && user_range(addr, len) &&
	    !vma_overlaps(&s->regions, addr, addr + len)) {
		*out = addr;
		return 0;
	}
	if (flags & MAP_32BIT)
		return vma_find_gap(&s->regions, len, MAP32_LO, MAP32_HI, false, out);
	if (!vma_find_gap(&s->regions, len, USER_MMAP_MIN, s->mmap_base, true, out))
		return 0;
	return vma_find_gap(&s->regions, len, USER_MMAP_MIN, USER_TOP, true, out);
}

/*
 * mmap()'s checks that need no lock, in Linux's order (do_mmap(), then
 * get_unmapped_area() for a fixed address): 0 or -errno.
 */
static int mmap_check(uint64_t addr, uint64_t len, int flags)
{
	if (!len)
		return -EINVAL;
	if (!page_len(len) || page_len(len) > USER_TOP)
		return -ENOMEM;
	if (!(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)))
		return 0;
	if (!user_range(addr, page_len(len)))
		return -ENOMEM;
	if (!page_aligned(addr))
		return -EINVAL;
	return addr < USER_MMAP_MIN ? -EPERM : 0;
}

/* The region flags for mmap() @flags; anonymous memory knows only shared and private. */
static int mmap_type(int flags, uint32_t *vflags)
{
	int type = flags & MAP_TYPE;

	*vflags = flags & MAP_GROWSDOWN ? USPACE_GROWSDOWN : 0;
	if (type == MAP_PRIVATE)
		return 0;
	if (type != MAP_SHARED || (flags & MAP_GROWSDOWN))
		return -EINVAL;
	*vflags |= USPACE_SHARED;
	return 0;
}

/* Place the region [@addr, @addr + @len) of an mmap() call; 0 or -errno. */
static int mmap_place_locked(struct uspace *s, uint64_t addr, uint64_t len, const struct vma *attrs,
                             int flags) __must_hold(&s->lock)
{
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	uint64_t gone = fixed ? vma_bytes_in(&s->regions, addr, addr + len) : 0;
	int err;

	if ((flags & MAP_FIXED_NOREPLACE) && gone)
		return -EEXIST;
	if (!within_limit_locked(s, len, gone))
		return -ENOMEM;
	err = vma_set_attrs(&s->regions, addr, addr + len, attrs);
	if (!err && gone)
		uspace_zap_locked(s, addr, addr + len);
	return err;
}

/*
 * Shared pages exist from the start, so every process sharing them sees
 * one frame; MAP_POPULATE and MAP_LOCKED fault private pages in, as a hint.
 */
static int mmap_populate_locked(struct uspace *s, uint64_t at, uint64_t size, int flags)
	__must_hold(&s->lock)
{
	const struct vma *v = vma_find(&s->regions, at);
	int err;

	/* File pages come from the cache on the first touch; MAP_POPULATE maps them now (a hint). */
	if (v->file) {
		if ((flags & (MAP_POPULATE | MAP_LOCKED)) &&
		    uspace_populate_locked(s, v, at, at + size))
			pr_debug("uspace: MAP_POPULATE of a file stopped early");
		return 0;
	}
	if (!(v->flags & USPACE_SHARED) && !(flags & (MAP_POPULATE | MAP_LOCKED)))
		return 0;
	err = uspace_populate_locked(s, v, at, at + size);
	if (!err || !(v->flags & USPACE_SHARED))
		return 0;
	if (!vma_remove(&s->regions, at, at + size))
		uspace_zap_locked(s, at, at + size);
	return err;
}

/* mmap() of anonymous memory (@attrs->file NULL) or of a file. */
static long do_mmap(struct uspace *s, uintptr_t addr, size_t len, int flags, struct vma *attrs)
{
	uint64_t at = addr, size = page_len(len);
	uint32_t tracked = attrs->flags;
	int err = mmap_check(addr, len, flags);

	if (err)
		return err;
	mutex_lock(&s->lock);
	if (!(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)))
		err = pick_address_locked(s, addr, size, flags, &at);
	if (!err && (flags & MAP_FIXED_NOREPLACE) && vma_overlaps(&s->regions, at, at + size))
		err = -EEXIST;
	if (!err)
		err = mmap_type(flags, &attrs->flags);
	attrs->flags |= tracked & (USPACE_TRACKED | USPACE_NOWRITE | USPACE_NOEXEC);
	if (!(attrs->flags & USPACE_SHARED))
		attrs->flags &= ~(USPACE_TRACKED | USPACE_NOWRITE);
	if (!err)
		err = mmap_place_locked(s, at, size, attrs, flags);
	if (!err)
		err = mmap_populate_locked(s, at, size, flags);
	mutex_unlock(&s->lock);
	return err ? err : (long)at;
}

long uspace_mmap(struct uspace *s, uintptr_t addr, size_t len, int prot, int flags)
{
	struct vma attrs = { .prot = (uint32_t)prot & PROT_RWX, .kind = USPACE_ANON };

	return do_mmap(s, addr, len, flags, &attrs);
}

long uspace_mmap_file(struct uspace *s, uintptr_t addr, size_t len, int prot, int flags,
                      struct file *f, uint64_t off, bool tracked)
{
	struct uspace_file_map fm = {
		.file = f, .off = off, .tracked = tracked, .maxprot = PROT_RWX
	};

	return uspace_mmap_file_max(s, addr, len, prot, flags, &fm);
}

long uspace_mmap_file_max(struct uspace *s, uintptr_t addr, size_t len, int prot, int flags,
                          const struct uspace_file_map *fm)
{
	struct vma attrs = { .prot = (uint32_t)prot & PROT_RWX,
		             .kind = USPACE_ANON,
		             .file = fm->file,
		             .pgoff = fm->off / PAGE_SIZE,
		             .flags = fm->tracked ? USPACE_TRACKED : 0 };
	/* A private mapping writes to its own copies: the file's write access does not matter. */
	int limit = fm->maxprot | ((flags & MAP_TYPE) == MAP_PRIVATE ? PROT_WRITE : 0);

	if (fm->off % PAGE_SIZE)
		return -EINVAL;
	if ((prot & ~limit) & (PROT_WRITE | PROT_EXEC))
		return -EACCES;
	attrs.flags |= limit & PROT_WRITE ? 0 : USPACE_NOWRITE;
	attrs.flags |= limit & PROT_EXEC ? 0 : USPACE_NOEXEC;
	/* The last page offset must fit (Linux: EOVERFLOW). */
	if (page_len(len) / PAGE_SIZE > (UINT64_MAX >> PAGE_SHIFT) - attrs.pgoff)
		return -EOVERFLOW;
	return do_mmap(s, addr, len, flags, &attrs);
}

int uspace_munmap(struct uspace *s, uintptr_t addr, size_t len)
{
	uint64_t size = page_len(len);
	int err;

	if (!page_aligned(addr) || !len || !size || !user_range(addr, size))
		return -EINVAL;
	mutex_lock(&s->lock);
	err = vma_remove(&s->regions, addr, addr + size);
	if (!err)
		uspace_zap_locked(s, addr, addr + size);
	mutex_unlock(&s->lock);
	return err;
}

void uspace_reprotect_locked(struct uspace *s, uint64_t start, uint64_t end)
{
	const struct vma *v;
	uint64_t lo, hi;

	for (v = vma_find_from(&s->regions, start); v && v->start < end; v = v->next) {
		lo = v->start > start ? v->start : start;
		hi = v->end < end ? v->end : end;
		/* Private pages may be shared with a fork: writable again only by a fault. */
		if (pt_protect(&s->pt, lo, hi - lo, uspace_pte_flags(v, false)))
			pr_err("uspace: protect of %#lx failed", (unsigned long)lo);
	}
	uspace_tlb_sync_locked(s);
	/* PROT_NONE pages leave the loaded tables; others come back (a failure: at the next fault). */
	for (v = vma_find_from(&s->regions, start); v && v->start < end; v = v->next) {
		lo = v->start > start ? v->start : start;
		hi = v->end < end ? v->end : end;
		if (!(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
			uspace_hide_locked(s, lo, hi);
		else
			(void)uspace_show_locked(s, v, lo, hi);
	}
}

/* PROT_GROWSDOWN: the change reaches down to the start of a MAP_GROWSDOWN region. */
static int growsdown_start_locked(struct uspace *s, uint64_t *start) __must_hold(&s->lock)
{
	const struct vma *v = vma_find(&s->regions, *start);

	if (!v || !(v->flags & USPACE_GROWSDOWN))
		return -EINVAL;
	*start = v->start;
	return 0;
}

/* The end of the mapped stretch of [@start, @end) that begins at @start (@start if none). */
static uint64_t mapped_prefix_end(const struct vma_map *m, uint64_t start, uint64_t end)
{
	const struct vma *v;
	uint64_t at = start;

	for (v = vma_find(m, start); v && v->start <= at && at < end; v = v->next)
		at = v->end;
	return at < end ? at : end;
}

/*
 * As Linux, a hole stops the change with ENOMEM but keeps what was done
 * before it.
 */
/*
 * Whether every region of [@start, @end) may take @prot: -EACCES where it
 * would add write or execute access its mapping was made without.
 */
static int may_protect_locked(struct uspace *s, uint64_t start, uint64_t end, int prot)
	__must_hold(&s->lock)
{
	const struct vma *v;

	for (v = vma_find_from(&s->regions, start); v && v->start < end; v = v->next) {
		if ((prot & PROT_WRITE) && (v->flags & USPACE_NOWRITE))
			return -EACCES;
		if ((prot & PROT_EXEC) && (v->flags & USPACE_NOEXEC))
			return -EACCES;
	}
	return 0;
}

int uspace_mprotect(struct uspace *s, uintptr_t addr, size_t len, int prot)
{
	uint64_t size = page_len(len), start = addr, end = addr + size, done;
	int err = 0;

	if ((prot & (PROT_GROWSDOWN | PROT_GROWSUP)) == (PROT_GROWSDOWN | PROT_GROWSUP) ||
	    !page_aligned(addr))
		return -EINVAL;
	if (!len)
		return 0;
	if (!size || end <= start)
		return -ENOMEM;
	if ((unsigned)prot & ~(unsigned)PROT_KNOWN)
		return -EINVAL;
	mutex_lock(&s->lock);
	if (prot & PROT_GROWSUP)
		err = -EINVAL;
	else if (prot & PROT_GROWSDOWN)
		err = growsdown_start_locked(s, &start);
	done = err ? start : mapped_prefix_end(&s->regions, start, end);
	if (!err && done > start)
		err = may_protect_locked(s, start, done, prot);
	if (!err && done > start)
		err = vma_protect(&s->regions, start, done, (uint32_t)prot & PROT_RWX);
	if (!err && done > start)
		uspace_reprotect_locked(s, start, done);
	if (!err && done < end)
		err = -ENOMEM;
	mutex_unlock(&s->lock);
	return err;
}

/* brk(): the heap region is [page-aligned start, page-aligned break). */
long uspace_brk(struct uspace *s, uintptr_t new_brk)
{
	uint64_t old_end, new_end;
	long ret;

	mutex_lock(&s->lock);
	ret = (long)s->brk;
	if (new_brk < s->brk_start || new_brk > USER_TOP)
		goto out_unlock;
	old_end = PAGE_ALIGN_UP(s->brk);
	new_end = PAGE_ALIGN_UP(new_brk);
	if (new_end < old_end) {
		if (vma_remove(&s->regions, new_end, old_end))
			goto out_unlock;
		uspace_zap_locked(s, new_end, old_end);
	} else if (new_end > old_end) {
		/* Linux keeps a page free between the heap and the next mapping. */
		if (new_end > USER_TOP - PAGE_SIZE ||
		    vma_overlaps(&s->regions, old_end, new_end + PAGE_SIZE) ||
		    !within_limit_locked(s, new_end - old_end, 0) ||
		    vma_insert(&s->regions, old_end, new_end, PROT_READ | PROT_WRITE, 0,
		               USPACE_BRK))
			goto out_unlock;
	}
	s->brk = new_brk;
	ret = (long)new_brk;
out_unlock:
	mutex_unlock(&s->lock);
	return ret;
}

int uspace_map_frames(struct uspace *s, uintptr_t va, const uint64_t *pas, size_t n)
{
	const struct vma *v = NULL;
	size_t i, mapped = 0;
	int err = 0;

	mutex_lock(&s->lock);
	for (i = 0; i < n; i++, va += PAGE_SIZE) {
		if (!pas[i])
			continue;
		if (!err && (!v || va >= v->end))
			v = vma_find(&s->regions, va);
		if (!err && (!v || (v->flags & USPACE_SHARED) || va % PAGE_SIZE))
			err = -EFAULT;
		/* Read-only whatever the region allows: a write copies the frame first. */
		if (!err)
			err = uspace_map_page_locked(s, va, pas[i], uspace_pte_flags(v, false));
		if (err)
			pmm_frame_put(
				pmm_frame(pas[i])); /* this page's reference; the rest follow */
		else
			mapped++;
	}
	__atomic_fetch_add(&s->resident, mapped, __ATOMIC_RELAXED);
	mutex_unlock(&s->lock);
	return err == -EEXIST ? -EFAULT : err;
}
