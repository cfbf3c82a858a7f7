// SPDX-License-Identifier: MIT
/*
 * Fork of a user address space: the child gets the parent's regions and
 * maps the same frames, each with one more reference. Private pages are
 * then read-only on both sides, and the first write on either side copies
 * the page, or takes it back as its own when the other side has let go
 * (uspace.c, cow_locked()). Shared pages stay writable and shared.
 */
#include <cairn/errno.h>
#include <cairn/linux/mman.h>

#include <arch/page.h>

#include "core/log.h"
#include "mm/pmm.h"
#include "mm/uspace.h"
#include "mm/uspace_internal.h"

struct fork_walk {
	const struct vma *v; /* the parent's region holding the last page seen */
	const struct vma_map *regions;
	size_t pages; /* pages the child maps */
};

/*
 * pt_copy_range() callback: the child maps the parent's frame with one more
 * reference; a private page becomes read-only on both sides (copy on the
 * next write), a shared one keeps its rights.
 */
static int share_page(void *ctx, uint64_t va, uint64_t pa, uint32_t *src_flags, uint32_t *dst_flags)
{
	struct fork_walk *w = ctx;
	struct pmm_frame *f = pmm_frame(pa);

	if (!w->v || va < w->v->start || va >= w->v->end)
		w->v = vma_find(w->regions, va);
	if (!w->v)
		return -ENOMEM;
	/* Device memory has no frame record: it is shared as it is, with no count. */
	if (f ? pmm_frame_get(f) != 0 : !(w->v->flags & USPACE_UNCACHED))
		return -ENOMEM;
	if (!(w->v->flags & USPACE_SHARED))
		*src_flags = *dst_flags = uspace_pte_flags(w->v, false);
	w->pages++;
	return 0;
}

/* The child is new and private to this call: its lock is not needed yet. */
static __no_thread_safety_analysis int copy_regions_locked(struct uspace *child,
                                                           const struct uspace *parent)
	__must_hold(&parent->lock)
{
	const struct vma *v;

	for (v = parent->regions.head; v; v = v->next)
		if (vma_insert_attrs(&child->regions, v->start, v->end, v))
			return -ENOMEM;
	child->limit = parent->limit;
	child->mmap_base = parent->mmap_base;
	child->brk_start = parent->brk_start;
	child->brk = parent->brk;
	/* The copy holds the same argv and envp strings: /proc/PID/cmdline of a child shows them. */
	child->arg_start = parent->arg_start;
	child->arg_end = parent->arg_end;
	child->env_end = parent->env_end;
	child->start_stack = parent->start_stack;
	return 0;
}

/* The child is still private to uspace_fork(): no lock needed to copy into it. */
static __no_thread_safety_analysis int copy_pages_locked(struct uspace *child,
                                                         struct uspace *parent, struct fork_walk *w)
	__must_hold(&parent->lock)
{
	int err = pt_copy_range(&child->pt, &parent->pt, 0, USER_TOP, share_page, w);

	/* PROT_NONE pages: the child keeps them hidden too. */
	if (!err && parent->hidden.root) {
		w->v = NULL;
		err = uspace_hidden_init(child, parent->pt.levels);
		if (!err)
			err = pt_copy_range(&child->hidden, &parent->hidden, 0, USER_TOP,
			                    share_page, w);
	}

	__atomic_fetch_add(&child->resident, w->pages, __ATOMIC_RELAXED);
	uspace_tlb_sync_locked(child);
	uspace_tlb_sync_locked(parent); /* the parent's pages that became read-only */
	return err;
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
	w.regions = &parent->regions;
	err = copy_regions_locked(child, parent);
	if (!err)
		err = copy_pages_locked(child, parent, &w);
	mutex_unlock(&parent->lock);
	if (err) {
		uspace_put(child);
		return err;
	}
	*out = child;
	return 0;
}
