// SPDX-License-Identifier: MIT
/*
 * Fork of a user address space: the child gets the parent's regions and
 * maps the same frames, each with one more reference. Private pages are
 * then read-only on both sides, and the first write on either side copies
 * the page, or takes it back as its own when the other side has let go
 * (uspace.c, cow()). Shared pages stay writable and shared.
 */
#include <cairn/errno.h>
#include <cairn/linux/mman.h>

#include <arch/page.h>

#include "core/log.h"
#include "mm/pmm.h"
#include "mm/uspace.h"
#include "mm/uspace_internal.h"

struct fork_walk {
	struct uspace *child;
	const struct vma *v; /* the parent's region holding the last page seen */
	const struct vma_map *regions;
};

/* Map the parent's page at @va into the child, sharing its frame. */
static int share_page(void *ctx, uint64_t va, uint64_t pa, uint32_t flags, uint64_t page_size)
{
	struct fork_walk *w = ctx;
	struct pmm_frame *f = pmm_frame(pa);

	if (!w->v || va >= w->v->end)
		w->v = vma_find(w->regions, va);
	if (!w->v || !f) {
		pr_err("uspace: fork found page %#lx outside any region", (unsigned long)va);
		return 0;
	}
	if (pmm_frame_get(f))
		return -ENOMEM;
	if (pt_map(&w->child->pt, va, pa, PAGE_SIZE, uspace_pte_flags(w->v, false), PT_PAGE_4K)) {
		pmm_frame_put(f);
		return -ENOMEM;
	}
	__atomic_fetch_add(&w->child->resident, 1, __ATOMIC_RELAXED);
	return 0;
}

/* The child is new and private to this call: its lock is not needed yet. */
static __no_thread_safety_analysis int copy_regions(struct uspace *child,
                                                    const struct uspace *parent)
	__must_hold(&parent->lock)
{
	const struct vma *v;

	for (v = parent->regions.head; v; v = v->next)
		if (vma_insert(&child->regions, v->start, v->end, v->prot, v->flags, v->kind))
			return -ENOMEM;
	child->limit = parent->limit;
	child->mmap_base = parent->mmap_base;
	child->brk_start = parent->brk_start;
	child->brk = parent->brk;
	return 0;
}

/* Make the parent's private writable pages read-only: its next write copies. */
static void protect_private(struct uspace *parent) __must_hold(&parent->lock)
{
	const struct vma *v;

	for (v = parent->regions.head; v; v = v->next) {
		if ((v->flags & USPACE_SHARED) || !(v->prot & PROT_WRITE))
			continue;
		/* 4 KiB pages only: no split, so no allocation that could fail. */
		if (pt_protect(&parent->pt, v->start, v->end - v->start,
		               uspace_pte_flags(v, false)))
			pr_err("uspace: fork could not write-protect %#lx",
			       (unsigned long)v->start);
	}
	uspace_tlb_sync(parent);
}

static __no_thread_safety_analysis void child_sync(struct uspace *child)
{
	uspace_tlb_sync(child);
}

int uspace_fork(struct uspace *parent, struct uspace **out)
{
	struct fork_walk w = { 0 };
	struct uspace *child;
	int err;

	err = uspace_create(&child);
	if (err)
		return err;
	mutex_lock(&parent->lock);
	w.child = child;
	w.regions = &parent->regions;
	err = copy_regions(child, parent);
	if (!err)
		err = pt_for_each_leaf(&parent->pt, 0, USER_TOP, share_page, &w);
	child_sync(child);
	if (!err)
		protect_private(parent);
	mutex_unlock(&parent->lock);
	if (err) {
		uspace_put(child);
		return err;
	}
	*out = child;
	return 0;
}
