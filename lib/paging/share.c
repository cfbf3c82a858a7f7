// SPDX-License-Identifier: MIT
/*
 * What address spaces built on one kernel need from lib/paging: the kernel
 * half pinned under fixed root entries and copied into each new root, and
 * a walk over the mapped pages of a range that skips what is not mapped
 * (for fork, teardown and moving pages). See docs/paging.md.
 */
#include <cairn/errno.h>

#include <lib/paging/walk.h>

/* The first root entry of the upper half: bit 47 (or 56) set. */
#define UPPER_FIRST (X86_PT_ENTRIES / 2)

int pt_pin_upper_half(struct pt_space *s)
{
	const uint32_t wide = PT_WRITE | PT_EXEC;
	uint64_t *root, e, pa;
	int i;

	if (!pt_space_ok(s))
		return -EINVAL;
	root = table_at(s, s->root);
	s->keep_top = true;
	for (i = UPPER_FIRST; i < X86_PT_ENTRIES; i++) {
		e = entry_read(&root[i]);
		if (e & X86_P) {
			entry_write(&root[i], x86_table_upgrade(e, wide));
			continue;
		}
		pa = s->ops->alloc_table(s->ops->ctx);
		if (!pa)
			return -ENOMEM;
		entry_write(&root[i], x86_table_upgrade(pa | X86_P | X86_NX, wide));
	}
	return 0;
}

int pt_share_upper_half(struct pt_space *dst, const struct pt_space *src)
{
	const uint64_t *from;
	uint64_t *to;
	int i;

	if (!pt_space_ok(dst) || !pt_space_ok(src) || dst->levels != src->levels || !src->keep_top)
		return -EINVAL;
	from = table_at(src, src->root);
	to = table_at(dst, dst->root);
	for (i = UPPER_FIRST; i < X86_PT_ENTRIES; i++)
		entry_write(&to[i], entry_read(&from[i]));
	return 0;
}

struct leaf_walk {
	const struct pt_space *s;
	pt_leaf_fn fn;
	void *ctx;
};

/* Visit the mapped pages of [@va, @last] in the level-@level table at @pa. */
static int leaves(const struct leaf_walk *lw, uint64_t pa, int level, uint64_t va, uint64_t last,
                  uint32_t rights)
{
	const uint64_t *t = table_at(lw->s, pa);
	struct pt_span sp;
	uint64_t e, frame;
	int err;

	span_start(&sp, level, va, last);
	do {
		e = entry_read(&t[x86_entry_index(sp.cur, level)]);
		if (!(e & X86_P))
			continue;
		if (!x86_is_leaf(e, level)) {
			err = leaves(lw, e & X86_ADDR, level - 1, sp.cur, sp.end,
			             rights & x86_entry_rights(e));
			if (err)
				return err;
			continue;
		}
		frame = x86_leaf_frame(e, level) | (sp.cur & (x86_entry_size(level) - 1));
		err = lw->fn(lw->ctx, sp.cur, frame,
		             x86_leaf_flags(e, level) & (rights | ~(PT_WRITE | PT_USER | PT_EXEC)),
		             x86_entry_size(level));
		if (err)
			return err;
	} while (span_next(&sp));
	return 0;
}

int pt_for_each_leaf(const struct pt_space *s, uint64_t va, uint64_t size, pt_leaf_fn fn, void *ctx)
{
	struct leaf_walk lw = { s, fn, ctx };

	if (!pt_space_ok(s) || !fn || !pt_range_ok(s, va, size, PT_PAGE_4K))
		return -EINVAL;
	return leaves(&lw, s->root, s->levels, va, va + (size - 1), PT_WRITE | PT_USER | PT_EXEC);
}

/*
 * The level-1 entry of @va when every table above it exists, widening them
 * for @flags on the way (a widened entry needs no invalidation: a stale
 * narrower one only faults once more, SDM Vol. 3A, 4.10.4.3); NULL if a
 * table is missing or a huge page maps @va.
 */
static uint64_t *leaf_4k_entry(const struct pt_space *s, uint64_t va, uint32_t flags)
{
	uint64_t table = s->root, *ep, e;
	int level;

	for (level = s->levels; level > 1; level--) {
		ep = &table_at(s, table)[x86_entry_index(va, level)];
		e = entry_read(ep);
		if (!(e & X86_P) || x86_is_leaf(e, level))
			return NULL;
		if (x86_table_upgrade(e, flags) != e)
			entry_write(ep, x86_table_upgrade(e, flags));
		table = e & X86_ADDR;
	}
	return &table_at(s, table)[x86_entry_index(va, 1)];
}

static bool one_page_ok(const struct pt_space *s, uint64_t va, uint64_t pa, uint32_t flags)
{
	return pt_space_ok(s) && !(flags & ~PT_FLAGS_ALL) && !(pa & ~X86_ADDR) &&
	       pt_range_ok(s, va, PT_PAGE_4K, PT_PAGE_4K);
}

int pt_replace_4k(struct pt_space *s, uint64_t va, uint64_t pa, uint32_t flags)
{
	uint64_t *ep;

	if (!one_page_ok(s, va, pa, flags))
		return -EINVAL;
	ep = leaf_4k_entry(s, va, flags);
	if (!ep || !(entry_read(ep) & X86_P))
		return -ENOENT;
	entry_write(ep, x86_leaf(pa, flags | PT_READ, 1));
	s->ops->invalidate(s->ops->ctx, va);
	return 0;
}

int pt_map_4k_fast(struct pt_space *s, uint64_t va, uint64_t pa, uint32_t flags)
{
	uint64_t *ep;

	if (!one_page_ok(s, va, pa, flags))
		return -EINVAL;
	ep = leaf_4k_entry(s, va, flags);
	if (!ep)
		return -ENOENT;
	if (entry_read(ep) & X86_P)
		return -EEXIST;
	entry_write(ep, x86_leaf(pa, flags | PT_READ, 1));
	return 0;
}
