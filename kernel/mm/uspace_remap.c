// SPDX-License-Identifier: MIT
/*
 * mremap() and madvise() for user address spaces, with Linux's checks and
 * errors. Moving a mapping moves its page-table entries, never the data:
 * the pages are first mapped at the new place (each frame with one more
 * reference), and only when all of that worked are they taken out of the
 * old place, so running out of memory half way leaves the space as it was.
 */
#include <cairn/errno.h>
#include <cairn/linux/mman.h>

#include <arch/page.h>

#include "core/log.h"
#include "mm/pmm.h"
#include "mm/uspace.h"
#include "mm/uspace_internal.h"

static uint64_t page_len(uint64_t len)
{
	return len > UINT64_MAX - (PAGE_SIZE - 1) ? 0 : PAGE_ALIGN_UP(len);
}

struct move_walk {
	struct uspace *s;
	int64_t delta; /* new address minus old */
	bool device;   /* device memory (USPACE_UNCACHED): no frame records, no counts */
};

/* Take the new mapping's reference on the frame at @pa: 0, or -ENOMEM. */
static int move_ref(const struct move_walk *w, uint64_t pa, struct pmm_frame **f)
{
	*f = pmm_frame(pa);
	if (!*f)
		return w->device ? 0 : -ENOMEM;
	return pmm_frame_get(*f) ? -ENOMEM : 0;
}

/* A pt_for_each_leaf() callback of move_locked(), which holds the lock the analysis cannot see. */
static __no_thread_safety_analysis int map_moved(void *ctx, uint64_t va, uint64_t pa,
                                                 uint32_t flags, uint64_t page_size)
{
	struct move_walk *w = ctx;
	struct pmm_frame *f;

	if (move_ref(w, pa, &f))
		return -ENOMEM;
	if (uspace_map_page_locked(w->s, va + (uint64_t)w->delta, pa, flags & ~PT_READ)) {
		if (f)
			pmm_frame_put(f);
		return -ENOMEM;
	}
	__atomic_fetch_add(&w->s->resident, 1, __ATOMIC_RELAXED);
	return 0;
}

/* The same for a PROT_NONE page, which moves within the hidden tree (uspace_hide.c). */
static __no_thread_safety_analysis int map_moved_hidden(void *ctx, uint64_t va, uint64_t pa,
                                                        uint32_t flags, uint64_t page_size)
{
	struct move_walk *w = ctx;
	struct pmm_frame *f;

	if (move_ref(w, pa, &f))
		return -ENOMEM;
	if (pt_map(&w->s->hidden, va + (uint64_t)w->delta, pa, PAGE_SIZE, 0, PT_PAGE_4K)) {
		if (f)
			pmm_frame_put(f);
		return -ENOMEM;
	}
	__atomic_fetch_add(&w->s->resident, 1, __ATOMIC_RELAXED);
	return 0;
}

/*
 * Move the first @len bytes of [@old, @old + @old_len) (region @v) to the
 * free range at @new; the rest of the old range goes away, or with
 * @keep_old (MREMAP_DONTUNMAP) stays mapped, empty. 0 or -ENOMEM.
 */
static int move_locked(struct uspace *s, const struct vma *v, uint64_t old, uint64_t old_len,
                       uint64_t new, uint64_t new_len, bool keep_old) __must_hold(&s->lock)
{
	struct move_walk w = { s, (int64_t)(new - old), (v->flags & USPACE_UNCACHED) != 0 };
	uint64_t len = old_len < new_len ? old_len : new_len;
	struct vma attrs = *v;
	int err;

	attrs.pgoff += (old - v->start) / PAGE_SIZE;
	err = vma_set_attrs(&s->regions, new, new + new_len, &attrs);
	if (err)
		return err;
	err = pt_for_each_leaf(&s->pt, old, len, map_moved, &w);
	uspace_tlb_sync_locked(s);
	if (!err && s->hidden.root)
		err = pt_for_each_leaf(&s->hidden, old, len, map_moved_hidden, &w);
	if (!err && (attrs.flags & USPACE_SHARED) && !attrs.file && new_len > old_len)
		err = uspace_populate_locked(s, vma_find(&s->regions, new), new + len,
		                             new + new_len);
	if (!err && !keep_old)
		err = vma_remove(&s->regions, old, old + old_len);
	if (err) {
		if (!vma_remove(&s->regions, new, new + new_len))
			uspace_zap_locked(s, new, new + new_len);
		return -ENOMEM;
	}
	uspace_zap_locked(s, old, old + old_len);
	return 0;
}

/* Grow region @v in place past [@old, @old + @old_len) to @new_len, if the room is free. */
static bool grow_in_place_locked(struct uspace *s, const struct vma *v, uint64_t old,
                                 uint64_t old_len, uint64_t new_len) __must_hold(&s->lock)
{
	uint64_t end = old + old_len, more = new_len - old_len;
	struct vma attrs = *v;

	if (v->end != end || more > USER_TOP - end || vma_overlaps(&s->regions, end, end + more))
		return false;
	attrs.pgoff += (end - v->start) / PAGE_SIZE;
	if (vma_set_attrs(&s->regions, end, end + more, &attrs))
		return false;
	if ((attrs.flags & USPACE_SHARED) && !attrs.file &&
	    uspace_populate_locked(s, vma_find(&s->regions, end), end, end + more)) {
		if (!vma_remove(&s->regions, end, end + more))
			uspace_zap_locked(s, end, end + more);
		return false;
	}
	return true;
}

/* mremap()'s checks that need no lock. */
static int mremap_check(uint64_t old, uint64_t old_len, uint64_t new_len, int flags,
                        uint64_t new_addr)
{
	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if (old & (PAGE_SIZE - 1))
		return -EINVAL;
	if (!new_len)
		return -EINVAL;
	/* Linux's mremap_to() checks the new address for DONTUNMAP too, where it is a hint. */
	if (!(flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)))
		return 0;
	if ((new_addr & (PAGE_SIZE - 1)) || new_len > USER_TOP || new_addr > USER_TOP - new_len)
		return -EINVAL;
	if (new_addr < old + old_len && old < new_addr + new_len)
		return -EINVAL;
	return (flags & MREMAP_FIXED) && new_addr < USER_MMAP_MIN ? -EPERM : 0;
}

/*
 * MREMAP_FIXED and MREMAP_DONTUNMAP: the destination (given and emptied
 * first, or found) receives the old range's pages; with DONTUNMAP the old
 * range stays mapped and reads as zeros from then on.
 */
static long remap_to_locked(struct uspace *s, uint64_t old, uint64_t old_len, uint64_t new_len,
                            int flags, uint64_t new_addr) __must_hold(&s->lock)
{
	const struct vma *v = vma_find(&s->regions, old);
	bool keep = flags & MREMAP_DONTUNMAP;
	uint64_t gone = 0;
	int err;

	if (!v || !old_len || old_len > v->end - old)
		return v && !old_len ? -EINVAL : -EFAULT;
	if (flags & MREMAP_FIXED)
		gone = vma_bytes_in(&s->regions, new_addr, new_addr + new_len);
	if (s->limit && s->regions.bytes - gone - (keep ? 0 : old_len) + new_len > s->limit)
		return -ENOMEM;
	if (!(flags & MREMAP_FIXED) &&
	    (new_addr < USER_MMAP_MIN || vma_overlaps(&s->regions, new_addr, new_addr + new_len)) &&
	    vma_find_gap(&s->regions, new_len, USER_MMAP_MIN, s->mmap_base, true, &new_addr) &&
	    vma_find_gap(&s->regions, new_len, USER_MMAP_MIN, USER_TOP, true, &new_addr))
		return -ENOMEM;
	if (gone && vma_remove(&s->regions, new_addr, new_addr + new_len))
		return -ENOMEM;
	if (gone)
		uspace_zap_locked(s, new_addr, new_addr + new_len);
	v = vma_find(&s->regions, old);
	err = move_locked(s, v, old, old_len, new_addr, new_len, keep);
	return err ? err : (long)new_addr;
}

/*
 * The rest of mremap() with the lock held and the lengths rounded to pages.
 * As in Linux, shrinking unmaps the tail without looking for a region, and
 * an old length of 0 (which duplicates shared mappings) is refused for
 * private ones with EINVAL; shared ones are not supported yet either.
 */
static long remap_locked(struct uspace *s, uint64_t old, uint64_t old_len, uint64_t new_len,
                         int flags, uint64_t new_addr) __must_hold(&s->lock)
{
	const struct vma *v;
	int err;

	if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP))
		return remap_to_locked(s, old, old_len, new_len, flags, new_addr);
	if (old_len >= new_len) {
		if (old_len > new_len && vma_remove(&s->regions, old + new_len, old + old_len))
			return -ENOMEM;
		uspace_zap_locked(s, old + new_len, old + old_len);
		return (long)old;
	}
	v = vma_find(&s->regions, old);
	if (!v)
		return -EFAULT;
	if (!old_len)
		return -EINVAL;
	if (old_len > v->end - old)
		return -EFAULT;
	if (s->limit && s->regions.bytes + (new_len - old_len) > s->limit)
		return -ENOMEM;
	if (grow_in_place_locked(s, v, old, old_len, new_len))
		return (long)old;
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	if (vma_find_gap(&s->regions, new_len, USER_MMAP_MIN, s->mmap_base, true, &new_addr) &&
	    vma_find_gap(&s->regions, new_len, USER_MMAP_MIN, USER_TOP, true, &new_addr))
		return -ENOMEM;
	err = move_locked(s, v, old, old_len, new_addr, new_len, false);
	return err ? err : (long)new_addr;
}

long uspace_mremap(struct uspace *s, uintptr_t old, size_t old_len, size_t new_len, int flags,
                   uintptr_t new_addr)
{
	uint64_t olen = page_len(old_len), nlen = page_len(new_len);
	long ret;

	/* Always a move of the same size, checked on the lengths as given (Linux 6.1). */
	if ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || old_len != new_len))
		return -EINVAL;
	ret = mremap_check(old, olen, nlen, flags, new_addr);
	if (ret)
		return ret;
	mutex_lock(&s->lock);
	ret = remap_locked(s, old, olen, nlen, flags, new_addr);
	mutex_unlock(&s->lock);
	return ret;
}

/* MADV_COLLAPSE (Linux 6.1) and MADV_SOFT_OFFLINE: not in the ABI header, used only here. */
#define MADV_COLLAPSE     25
#define MADV_SOFT_OFFLINE 101

/* The advice values Linux 6.1 (with memory-failure support, as Debian's) knows. */
static bool advice_known(int advice)
{
	return (advice >= MADV_NORMAL && advice <= MADV_DONTNEED) ||
	       (advice >= MADV_FREE && advice <= MADV_POPULATE_WRITE) || advice == MADV_COLLAPSE ||
	       advice == MADV_HWPOISON || advice == MADV_SOFT_OFFLINE;
}

/* Apply @advice to the regions of [@start, @end). */
static int advise_locked(struct uspace *s, uint64_t start, uint64_t end, int advice)
	__must_hold(&s->lock)
{
	const struct vma *v;
	uint64_t lo, hi;
	int err = 0;

	for (v = vma_find_from(&s->regions, start); v && v->start < end && !err; v = v->next) {
		lo = v->start > start ? v->start : start;
		hi = v->end < end ? v->end : end;
		if (advice == MADV_REMOVE && !(v->flags & USPACE_SHARED))
			return -EINVAL;
		/* Shared pages live on in the other sharers: dropping them here would split them. */
		if ((advice == MADV_DONTNEED || advice == MADV_FREE) && !(v->flags & USPACE_SHARED))
			uspace_zap_locked(s, lo, hi);
		if (advice == MADV_POPULATE_READ || advice == MADV_POPULATE_WRITE)
			err = uspace_populate_locked(s, v, lo, hi);
	}
	return err;
}

/* Linux's order of checks (do_madvise()); poisoning pages needs CAP_SYS_ADMIN. */
int uspace_madvise(struct uspace *s, uintptr_t addr, size_t len, int advice)
{
	uint64_t size = page_len(len);
	int err;

	if (!advice_known(advice) || (addr & (PAGE_SIZE - 1)))
		return -EINVAL;
	if (len && !size)
		return -EINVAL;
	if (addr > UINT64_MAX - size)
		return -EINVAL;
	if (!size)
		return 0;
	if (advice == MADV_HWPOISON || advice == MADV_SOFT_OFFLINE)
		return -EPERM;
	if (addr + size > USER_TOP)
		return -ENOMEM;
	mutex_lock(&s->lock);
	err = advise_locked(s, addr, addr + size, advice);
	if (!err && !vma_covered(&s->regions, addr, addr + size))
		err = -ENOMEM;
	mutex_unlock(&s->lock);
	return err;
}
