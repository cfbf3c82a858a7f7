// SPDX-License-Identifier: MIT
/*
 * Pages of PROT_NONE memory. x86 has no "present but no access" entry, and
 * a supervisor-only mapping would still let the kernel's user copies read
 * and write the page where Linux gives EFAULT. So when memory that has
 * pages becomes PROT_NONE, its pages move out of the space's page tables
 * into a second tree of the space, never loaded on any CPU (the hidden
 * tree), which only keeps the frames; they move back when the protection
 * allows access again. Faults, translations and user copies see nothing
 * there. Fork, munmap, mremap and teardown handle both trees.
 */
#include <cairn/errno.h>
#include <cairn/linux/mman.h>

#include <arch/page.h>

#include "core/kmain.h"
#include "core/log.h"
#include "mm/pmm.h"
#include "mm/uspace.h"
#include "mm/uspace_internal.h"

static void *hidden_phys_to_virt(void *ctx, uint64_t pa)
{
	return phys_to_virt(pa);
}

static uint64_t hidden_alloc_table(void *ctx)
{
	return pmm_alloc_pages(0, PMM_ZERO);
}

static void hidden_free_table(void *ctx, uint64_t pa)
{
	pmm_free_pages(pa, 0);
}

/* No CPU ever loads the hidden tree, so nothing is ever cached from it. */
static void hidden_invalidate(void *ctx, uint64_t va)
{
}

static void hidden_flush_all(void *ctx)
{
}

static const struct pt_ops hidden_ops = {
	NULL,
	hidden_phys_to_virt,
	hidden_alloc_table,
	hidden_free_table,
	hidden_invalidate,
	hidden_flush_all,
};

int uspace_hidden_init(struct uspace *s, int levels)
{
	if (s->hidden.root)
		return 0;
	s->hidden.root = pmm_alloc_pages(0, PMM_ZERO);
	if (!s->hidden.root)
		return -ENOMEM;
	s->hidden.levels = levels;
	s->hidden.ops = &hidden_ops;
	return 0;
}

void uspace_hidden_free(struct uspace *s, pt_leaf_fn fn)
{
	if (!s->hidden.root)
		return;
	if (pt_teardown_lower_half(&s->hidden, fn, NULL))
		pr_err("uspace: tearing down the hidden tree failed");
	pmm_free_pages(s->hidden.root, 0);
	s->hidden.root = 0;
}

/* Pages taken out a batch at a time, as uspace_zap_locked() does. */
#define HIDE_BATCH 64

struct hide_batch {
	unsigned n;
	uint64_t va[HIDE_BATCH];
	uint64_t pa[HIDE_BATCH];
};

static int collect(void *ctx, uint64_t va, uint64_t pa, uint32_t flags, uint64_t page_size)
{
	struct hide_batch *b = ctx;

	b->va[b->n] = va;
	b->pa[b->n] = pa;
	return ++b->n == HIDE_BATCH;
}

/* Move the pages of batch @b from the loaded tree to the hidden one; how many moved. */
static unsigned hide_batch_locked(struct uspace *s, const struct hide_batch *b)
	__must_hold(&s->lock)
{
	unsigned i;

	for (i = 0; i < b->n; i++)
		if (pt_map(&s->hidden, b->va[i], b->pa[i], PAGE_SIZE, 0, PT_PAGE_4K))
			break;
	if (i && pt_unmap(&s->pt, b->va[0], b->va[i - 1] + PAGE_SIZE - b->va[0]))
		pr_err("uspace: unmap of %#lx failed", (unsigned long)b->va[0]);
	uspace_tlb_sync_locked(s);
	return i;
}

/*
 * Out of memory for the hidden tree's tables, the rest of the pages stay
 * where they are, mapped for the kernel only: user code still faults on
 * them, only kernel copies would reach them.
 */
void uspace_hide_locked(struct uspace *s, uint64_t start, uint64_t end)
{
	struct hide_batch b;

	if (uspace_hidden_init(s, s->pt.levels))
		return;
	while (start < end) {
		b.n = 0;
		if (pt_for_each_leaf(&s->pt, start, end - start, collect, &b) < 0 || !b.n)
			return;
		if (hide_batch_locked(s, &b) < b.n)
			return;
		start = b.va[b.n - 1] + PAGE_SIZE;
	}
}

/* Move the pages of batch @b back with the rights of the region @v; how many moved. */
static unsigned show_batch_locked(struct uspace *s, const struct vma *v, const struct hide_batch *b)
	__must_hold(&s->lock)
{
	unsigned i;

	for (i = 0; i < b->n; i++)
		if (uspace_map_page_locked(s, b->va[i], b->pa[i], uspace_pte_flags(v, false)))
			break;
	if (i && pt_unmap(&s->hidden, b->va[0], b->va[i - 1] + PAGE_SIZE - b->va[0]))
		pr_err("uspace: hidden unmap of %#lx failed", (unsigned long)b->va[0]);
	return i;
}

int uspace_show_locked(struct uspace *s, const struct vma *v, uint64_t start, uint64_t end)
{
	struct hide_batch b;

	if (!s->hidden.root || !(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return 0;
	while (start < end) {
		b.n = 0;
		if (pt_for_each_leaf(&s->hidden, start, end - start, collect, &b) < 0 || !b.n)
			return 0;
		if (show_batch_locked(s, v, &b) < b.n)
			return -ENOMEM;
		start = b.va[b.n - 1] + PAGE_SIZE;
	}
	return 0;
}

void uspace_zap_hidden_locked(struct uspace *s, uint64_t start, uint64_t end)
{
	struct hide_batch b;
	unsigned i;

	while (s->hidden.root && start < end) {
		b.n = 0;
		if (pt_for_each_leaf(&s->hidden, start, end - start, collect, &b) < 0 || !b.n)
			return;
		if (pt_unmap(&s->hidden, b.va[0], b.va[b.n - 1] + PAGE_SIZE - b.va[0]))
			pr_err("uspace: hidden unmap of %#lx failed", (unsigned long)b.va[0]);
		for (i = 0; i < b.n; i++)
			if (pmm_frame(b.pa[i]))
				pmm_frame_put(pmm_frame(b.pa[i]));
		__atomic_fetch_sub(&s->resident, b.n, __ATOMIC_RELAXED);
		start = b.va[b.n - 1] + PAGE_SIZE;
	}
}
