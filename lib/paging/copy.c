// SPDX-License-Identifier: MIT
/*
 * Whole-space operations for fork and exit, a table at a time: copying the
 * mappings of a range to another space (the caller decides, page by page,
 * the flags of the copy and of the original, as copy-on-write makes both
 * read-only), and tearing a range down. One pass over the tables, no walk
 * from the root per page. See paging.h.
 */
#include <cairn/errno.h>

#include <lib/paging/walk.h>

struct copy_walk {
	struct pt_space *dst;
	struct pt_space *src;
	pt_copy_fn fn;
	void *ctx;
};

/* The child table under @dst_ep for a source table entry @src_e, made if absent. */
static uint64_t dst_table(const struct copy_walk *w, uint64_t *dst_ep, uint64_t src_e)
{
	uint64_t e = entry_read(dst_ep), pa;

	if (e & X86_P)
		return e & X86_ADDR;
	pa = w->dst->ops->alloc_table(w->dst->ops->ctx);
	if (!pa)
		return 0;
	/* The same rights as the source's entry: the union of what its pages need. */
	entry_write(dst_ep, pa | (src_e & (X86_P | X86_RIGHTS)));
	return pa;
}

/* Copy the pages of level-1 table @src_pa into @dst_pa over [@cur, @end]. */
static int copy_leaves(const struct copy_walk *w, uint64_t src_pa, uint64_t dst_pa, uint64_t cur,
                       uint64_t end)
{
	uint64_t *s = table_at(w->src, src_pa), *d = table_at(w->dst, dst_pa), e;
	uint32_t src_flags, dst_flags;
	struct pt_span sp;
	unsigned i;
	int err;

	span_start(&sp, 1, cur, end);
	do {
		i = x86_entry_index(sp.cur, 1);
		e = entry_read(&s[i]);
		if (!(e & X86_P))
			continue;
		src_flags = dst_flags = x86_leaf_flags(e, 1);
		err = w->fn(w->ctx, sp.cur, e & X86_ADDR, &src_flags, &dst_flags);
		if (err)
			return err;
		entry_write(&d[i], x86_leaf(e & X86_ADDR, dst_flags | PT_READ, 1));
		if (src_flags != x86_leaf_flags(e, 1)) {
			entry_write(&s[i], x86_leaf(e & X86_ADDR, src_flags | PT_READ, 1));
			w->src->ops->invalidate(w->src->ops->ctx, sp.cur);
		}
	} while (span_next(&sp));
	return 0;
}

/* Copy [@cur, @end] under the level-@level tables @src_pa and @dst_pa. */
static int copy_tables(const struct copy_walk *w, uint64_t src_pa, uint64_t dst_pa, int level,
                       uint64_t cur, uint64_t end)
{
	uint64_t *s = table_at(w->src, src_pa), *d = table_at(w->dst, dst_pa), e, child;
	struct pt_span sp;
	unsigned i;
	int err;

	if (level == 1)
		return copy_leaves(w, src_pa, dst_pa, cur, end);
	span_start(&sp, level, cur, end);
	do {
		i = x86_entry_index(sp.cur, level);
		e = entry_read(&s[i]);
		if (!(e & X86_P))
			continue;
		if (x86_is_leaf(e, level))
			return -EINVAL;
		child = dst_table(w, &d[i], e);
		if (!child)
			return -ENOMEM;
		err = copy_tables(w, e & X86_ADDR, child, level - 1, sp.cur, sp.end);
		if (err)
			return err;
	} while (span_next(&sp));
	return 0;
}

int pt_copy_range(struct pt_space *dst, struct pt_space *src, uint64_t va, uint64_t size,
                  pt_copy_fn fn, void *ctx)
{
	struct copy_walk w = { dst, src, fn, ctx };

	if (!pt_space_ok(dst) || !pt_space_ok(src) || dst->levels != src->levels || !fn ||
	    !pt_range_ok(src, va, size, PT_PAGE_4K))
		return -EINVAL;
	return copy_tables(&w, src->root, dst->root, src->levels, va, va + (size - 1));
}

/* Hand every page under the level-@level table @pa to @fn, then free the tables below it. */
static void teardown(const struct pt_space *s, uint64_t pa, int level, uint64_t va, pt_leaf_fn fn,
                     void *ctx)
{
	uint64_t *t = table_at(s, pa), e;
	uint64_t step = x86_entry_size(level);
	int i;

	for (i = 0; i < X86_PT_ENTRIES; i++) {
		e = entry_read(&t[i]);
		if (!(e & X86_P))
			continue;
		if (x86_is_leaf(e, level)) {
			fn(ctx, va + (uint64_t)i * step, x86_leaf_frame(e, level),
			   x86_leaf_flags(e, level), step);
			continue;
		}
		teardown(s, e & X86_ADDR, level - 1, va + (uint64_t)i * step, fn, ctx);
		entry_write(&t[i], 0);
		s->ops->free_table(s->ops->ctx, e & X86_ADDR);
	}
}

int pt_teardown_lower_half(struct pt_space *s, pt_leaf_fn fn, void *ctx)
{
	uint64_t *root, e;
	uint64_t step;
	int i;

	if (!pt_space_ok(s) || !fn)
		return -EINVAL;
	root = table_at(s, s->root);
	step = x86_entry_size(s->levels);
	for (i = 0; i < X86_PT_ENTRIES / 2; i++) {
		e = entry_read(&root[i]);
		if (!(e & X86_P))
			continue;
		if (x86_is_leaf(e, s->levels))
			return -EINVAL;
		teardown(s, e & X86_ADDR, s->levels - 1, (uint64_t)i * step, fn, ctx);
		entry_write(&root[i], 0);
		s->ops->free_table(s->ops->ctx, e & X86_ADDR);
	}
	return 0;
}
