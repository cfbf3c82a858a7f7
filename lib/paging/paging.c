/* SPDX-License-Identifier: MIT */
/*
 * x86_64 page-table walks for map, unmap, protect and translate. Each change
 * runs in two passes: a check pass that validates the range and counts the
 * page tables the change needs, then, once those are all allocated, an act
 * pass that cannot fail; walk.c holds the bookkeeping around them.
 */
#include <cairn/errno.h>

#include <lib/paging/paging.h>
#include <lib/paging/walk.h>
#include <lib/paging/x86_pte.h>

/* Level of the leaves for @page_size, or 0 if it is not one the hardware has. */
static int page_level(uint64_t page_size)
{
	switch (page_size) {
	case PT_PAGE_4K:
		return 1;
	case PT_PAGE_2M:
		return 2;
	case PT_PAGE_1G:
		return 3;
	default:
		return 0;
	}
}

/*
 * Tables of levels @target up to @level - 1 that [@cur, @end] needs when its
 * level-@level entry is empty: as many of each level as the range touches.
 */
static uint64_t tables_needed(int level, int target, uint64_t cur, uint64_t end)
{
	uint64_t n = 0;
	unsigned int shift;
	int k;

	for (k = target; k < level; k++) {
		shift = x86_level_shift(k) + 9; /* bytes one level-k table maps */
		n += (end >> shift) - (cur >> shift) + 1;
	}
	return n;
}

/* True if any page is mapped under the level-@level table at @pa. */
static bool subtree_used(const struct pt_space *s, uint64_t pa, int level)
{
	const uint64_t *t = table_at(s, pa);
	uint64_t e;
	int i;

	for (i = 0; i < X86_PT_ENTRIES; i++) {
		e = entry_read(&t[i]);
		if (!(e & X86_P))
			continue;
		if (x86_is_leaf(e, level) || subtree_used(s, e & X86_ADDR, level - 1))
			return true;
	}
	return false;
}

/*
 * Check pass of pt_map() over [@va, @last] in the level-@level table at @pa:
 * -EEXIST if any page there is mapped, else 0 with the tables to allocate
 * added to @need. A table at the leaf level with nothing mapped under it is
 * no obstacle: the act pass frees it.
 */
static int map_check(struct pt_walk *w, uint64_t pa, int level, uint64_t va, uint64_t last,
                     uint64_t *need)
{
	const uint64_t *t = table_at(w->s, pa);
	struct pt_span sp;
	uint64_t e;
	int err;

	span_start(&sp, level, va, last);
	do {
		e = entry_read(&t[x86_entry_index(sp.cur, level)]);
		if (!(e & X86_P)) {
			if (level > w->target)
				*need += tables_needed(level, w->target, sp.cur, sp.end);
			continue;
		}
		if (x86_is_leaf(e, level))
			return -EEXIST;
		if (level == w->target) {
			if (subtree_used(w->s, e & X86_ADDR, level - 1))
				return -EEXIST;
			continue;
		}
		err = map_check(w, e & X86_ADDR, level - 1, sp.cur, sp.end, need);
		if (err)
			return err;
	} while (span_next(&sp));
	return 0;
}

/* Queue the empty level-@level table at @pa and every table under it for freeing. */
static void reclaim_subtree(struct pt_walk *w, uint64_t pa, int level)
{
	const uint64_t *t = table_at(w->s, pa);
	uint64_t e;
	int i;

	for (i = 0; level > 1 && i < X86_PT_ENTRIES; i++) {
		e = entry_read(&t[i]);
		if (e & X86_P)
			reclaim_subtree(w, e & X86_ADDR, level - 1);
	}
	pt_chain_push(w->s, &w->dead, pa);
}

/*
 * The table that table entry *@ep (for @va) points to, taking a spare table
 * if it is empty and widening its rights to cover the new flags if not.
 */
static uint64_t map_descend(struct pt_walk *w, uint64_t *ep, uint64_t va)
{
	uint64_t e = entry_read(ep), wide;
	uint64_t pa;

	if (!(e & X86_P)) {
		pa = pt_chain_pop(w->s, &w->spare);
		entry_write(ep, pa | X86_P | x86_table_rights(w->flags));
		return pa;
	}
	wide = x86_table_upgrade(e, w->flags);
	if (wide != e) {
		/* Optional, but it spares the CPU a spurious fault (SDM Vol. 3A, 5.10.4.3). */
		entry_write(ep, wide);
		pt_walk_note_inval(w, va);
	}
	return e & X86_ADDR;
}

/* Act pass of pt_map() over [@va, @last] in the level-@level table at @pa. */
static void map_fill(struct pt_walk *w, uint64_t pa, int level, uint64_t va, uint64_t last)
{
	uint64_t *t = table_at(w->s, pa);
	struct pt_span sp;
	uint64_t *ep, old;

	span_start(&sp, level, va, last);
	do {
		ep = &t[x86_entry_index(sp.cur, level)];
		if (level > w->target) {
			map_fill(w, map_descend(w, ep, sp.cur), level - 1, sp.cur, sp.end);
			continue;
		}
		old = entry_read(ep);
		entry_write(ep, x86_leaf(w->pa + (sp.cur - w->va), w->flags, level));
		if (old & X86_P) {
			reclaim_subtree(w, old & X86_ADDR, level - 1);
			pt_walk_note_inval(w, sp.cur);
		}
	} while (span_next(&sp));
}

/* True if pt_map()'s arguments make sense; the physical range must fit in 52 bits. */
static bool map_args_ok(const struct pt_space *s, uint64_t va, uint64_t pa, uint64_t size,
                        uint32_t flags, uint64_t page_size)
{
	uint64_t pa_last = pa + (size - 1);

	if (!pt_space_ok(s) || !page_level(page_size) || (flags & ~PT_FLAGS_ALL))
		return false;
	if (!pt_range_ok(s, va, size, page_size) || (pa & (page_size - 1)))
		return false;
	return pa_last >= pa && !(pa_last >> 52);
}

/*
 * Check the range and count the tables it needs, allocate them all, then map:
 * a failure leaves the tables as they were. Documented in paging.h.
 */
int pt_map(struct pt_space *s, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags,
           uint64_t page_size)
{
	struct pt_walk w;
	uint64_t need = 0;
	int err;

	if (!map_args_ok(s, va, pa, size, flags, page_size))
		return -EINVAL;
	pt_walk_init(&w, s);
	w.va = va;
	w.pa = pa;
	w.flags = flags | PT_READ;
	w.target = page_level(page_size);

	err = map_check(&w, s->root, s->levels, va, va + (size - 1), &need);
	if (err)
		return err;
	err = pt_walk_prealloc(&w, need);
	if (err)
		return err;
	map_fill(&w, s->root, s->levels, va, va + (size - 1));
	pt_walk_finish(&w);
	return 0;
}

/* Leaf @e at @level with protect's new flags; frame, A, D, AVL and key bits kept. */
static uint64_t protected_leaf(const struct pt_walk *w, uint64_t e, int level)
{
	return (e & ~x86_leaf_attr_mask(level)) | x86_leaf(0, w->flags, level);
}

/* True if unmap or protect would change leaf @e at @level. */
static bool leaf_changes(const struct pt_walk *w, uint64_t e, int level)
{
	return w->unmap || protected_leaf(w, e, level) != e;
}

/*
 * Tables needed to split a level-@level leaf of which the range covers only
 * [@cur, @end]: one for its pieces, plus whatever the pieces the range still
 * covers only in part need in turn.
 */
static uint64_t split_needed(int level, uint64_t cur, uint64_t end)
{
	struct pt_span sp;
	uint64_t n = 1;

	if (level == 2)
		return n; /* its pieces are 4 KiB pages, which the range covers whole */
	span_start(&sp, level - 1, cur, end);
	do {
		if (!span_covers(sp.cur, sp.end, level - 1))
			n += split_needed(level - 1, sp.cur, sp.end);
	} while (span_next(&sp));
	return n;
}

/* Check pass of unmap and protect: add the tables their splits need to @need. */
static void change_check(struct pt_walk *w, uint64_t pa, int level, uint64_t va, uint64_t last,
                         uint64_t *need)
{
	const uint64_t *t = table_at(w->s, pa);
	struct pt_span sp;
	uint64_t e;

	span_start(&sp, level, va, last);
	do {
		e = entry_read(&t[x86_entry_index(sp.cur, level)]);
		if (!(e & X86_P))
			continue;
		if (!x86_is_leaf(e, level))
			change_check(w, e & X86_ADDR, level - 1, sp.cur, sp.end, need);
		else if (!span_covers(sp.cur, sp.end, level) && leaf_changes(w, e, level))
			*need += split_needed(level, sp.cur, sp.end);
	} while (span_next(&sp));
}

/*
 * Replace the level-@level leaf *@ep by a table of 512 leaves with the same
 * frames and attributes. Only the page size changes, so the old and the new
 * translations agree and either may be used until the pieces themselves
 * change (SDM Vol. 3A, 5.10.4.2, on changing the page size).
 */
static void split_leaf(struct pt_walk *w, uint64_t *ep, int level)
{
	uint64_t e = entry_read(ep);
	uint64_t pa = pt_chain_pop(w->s, &w->spare);
	uint64_t *t = table_at(w->s, pa);
	uint64_t frame = x86_leaf_frame(e, level);
	uint64_t step = x86_entry_size(level - 1);
	uint64_t attrs = e & ~(X86_ADDR | X86_PS);
	int i;

	if (e & X86_PAT_BIG)
		attrs |= x86_pat_bit(level - 1);
	if (level - 1 > 1)
		attrs |= X86_PS;
	for (i = 0; i < X86_PT_ENTRIES; i++)
		entry_write(&t[i], (frame + (uint64_t)i * step) | attrs);
	entry_write(ep, pa | (e & (X86_P | X86_RIGHTS)));
}

/* True if the table at @pa has no present entry left. */
static bool table_empty(const struct pt_space *s, uint64_t pa)
{
	const uint64_t *t = table_at(s, pa);
	int i;

	for (i = 0; i < X86_PT_ENTRIES; i++)
		if (entry_read(&t[i]) & X86_P)
			return false;
	return true;
}

static void change_range(struct pt_walk *w, uint64_t pa, int level, uint64_t va, uint64_t last);

/* True for a table pt_pin_upper_half() put under the root: it stays even when empty. */
static bool pinned(const struct pt_space *s, int level, uint64_t va)
{
	return s->keep_top && level == s->levels && (va >> 63);
}

/*
 * Unmap or protect [@cur, @end] under table entry *@ep at @level. Protect
 * widens the entry to the new flags; unmap frees the table if it empties.
 */
static void change_table(struct pt_walk *w, uint64_t *ep, int level, uint64_t cur, uint64_t end)
{
	uint64_t e = entry_read(ep), child = e & X86_ADDR;

	if (!w->unmap && x86_table_upgrade(e, w->flags) != e) {
		entry_write(ep, x86_table_upgrade(e, w->flags));
		pt_walk_note_inval(w, cur);
	}
	change_range(w, child, level - 1, cur, end);
	if (w->unmap && !pinned(w->s, level, cur) && table_empty(w->s, child)) {
		entry_write(ep, 0);
		pt_chain_push(w->s, &w->dead, child);
	}
}

/* Act pass of unmap and protect over [@va, @last] in the level-@level table at @pa. */
static void change_range(struct pt_walk *w, uint64_t pa, int level, uint64_t va, uint64_t last)
{
	uint64_t *t = table_at(w->s, pa);
	struct pt_span sp;
	uint64_t *ep, e;

	span_start(&sp, level, va, last);
	do {
		ep = &t[x86_entry_index(sp.cur, level)];
		e = entry_read(ep);
		if (!(e & X86_P))
			continue;
		if (x86_is_leaf(e, level)) {
			if (!leaf_changes(w, e, level))
				continue;
			if (span_covers(sp.cur, sp.end, level)) {
				entry_write(ep, w->unmap ? 0 : protected_leaf(w, e, level));
				pt_walk_note_inval(w, sp.cur);
				continue;
			}
			split_leaf(w, ep, level);
		}
		change_table(w, ep, level, sp.cur, sp.end);
	} while (span_next(&sp));
}

/* pt_unmap() when @unmap, else pt_protect() with @flags. */
static int change(struct pt_space *s, uint64_t va, uint64_t size, uint32_t flags, bool unmap)
{
	struct pt_walk w;
	uint64_t need = 0;
	int err;

	if (!pt_space_ok(s) || !pt_range_ok(s, va, size, PT_PAGE_4K) || (flags & ~PT_FLAGS_ALL))
		return -EINVAL;
	pt_walk_init(&w, s);
	w.unmap = unmap;
	w.flags = flags | PT_READ;

	change_check(&w, s->root, s->levels, va, va + (size - 1), &need);
	err = pt_walk_prealloc(&w, need);
	if (err)
		return err;
	change_range(&w, s->root, s->levels, va, va + (size - 1));
	pt_walk_finish(&w);
	return 0;
}

/* Unmap a range, splitting huge pages it covers in part (see paging.h). */
int pt_unmap(struct pt_space *s, uint64_t va, uint64_t size)
{
	return change(s, va, size, 0, true);
}

/* Change the flags of the pages mapped in a range (see paging.h). */
int pt_protect(struct pt_space *s, uint64_t va, uint64_t size, uint32_t flags)
{
	return change(s, va, size, flags, false);
}

/*
 * Walk to the leaf for @va, collecting the rights of every entry on the way:
 * the walk allows what all of its entries allow (Intel SDM Vol. 3A, 5.6).
 * Documented in paging.h.
 */
int pt_translate(const struct pt_space *s, uint64_t va, uint64_t *pa, uint32_t *flags,
                 uint64_t *page_size)
{
	uint32_t rights = PT_WRITE | PT_USER | PT_EXEC;
	uint64_t table = s ? s->root : 0, e;
	int level;

	if (!pt_space_ok(s))
		return -EINVAL;
	if (!pt_canonical(s->levels, va))
		return -ENOENT;
	for (level = s->levels;; level--) {
		e = entry_read(&table_at(s, table)[x86_entry_index(va, level)]);
		if (!(e & X86_P))
			return -ENOENT;
		if (x86_is_leaf(e, level))
			break;
		rights &= x86_entry_rights(e);
		table = e & X86_ADDR;
	}
	if (pa)
		*pa = x86_leaf_frame(e, level) | (va & (x86_entry_size(level) - 1));
	if (flags)
		*flags = x86_leaf_flags(e, level) & (rights | ~(PT_WRITE | PT_USER | PT_EXEC));
	if (page_size)
		*page_size = x86_entry_size(level);
	return 0;
}
