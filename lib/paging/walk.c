/* SPDX-License-Identifier: MIT */
/*
 * The bookkeeping around a page-table change: argument checks, the tables
 * allocated before anything changes, and the end of a change, where the TLB
 * is invalidated and only then are unlinked tables freed, since until the
 * invalidation the paging-structure caches may still point at them
 * (Intel SDM Vol. 3A, 5.10.3 and 5.10.4).
 */
#include <cairn/errno.h>

#include <lib/paging/walk.h>

/* The chains are described with struct pt_walk in walk.h. */
void pt_chain_push(const struct pt_space *s, uint64_t *head, uint64_t pa)
{
	entry_write(table_at(s, pa), *head);
	*head = pa;
}

/* Pop a frame off a non-empty chain, zeroing the word that linked it. */
uint64_t pt_chain_pop(const struct pt_space *s, uint64_t *head)
{
	uint64_t pa = *head;
	uint64_t *t = table_at(s, pa);

	*head = entry_read(t);
	entry_write(t, 0);
	return pa;
}

/* Start a change with nothing preallocated, unlinked or pending. */
void pt_walk_init(struct pt_walk *w, const struct pt_space *s)
{
	*w = (struct pt_walk){ .s = s };
}

/*
 * Consecutive repeats collapse: the table entries above a page are widened
 * at the same address as the page itself, and one INVLPG covers them all.
 */
void pt_walk_note_inval(struct pt_walk *w, uint64_t va)
{
	if (w->ninval && w->ninval <= PT_INVAL_MAX && w->inval[w->ninval - 1] == va)
		return;
	if (w->ninval < PT_INVAL_MAX)
		w->inval[w->ninval] = va;
	if (w->ninval <= PT_INVAL_MAX)
		w->ninval++;
}

/* All @n tables or none: on failure the ones already taken go back. */
int pt_walk_prealloc(struct pt_walk *w, uint64_t n)
{
	const struct pt_ops *ops = w->s->ops;
	uint64_t pa;

	for (; n; n--) {
		pa = ops->alloc_table(ops->ctx);
		if (!pa)
			goto out_free_spare;
		pt_chain_push(w->s, &w->spare, pa);
	}
	return 0;

out_free_spare:
	while (w->spare)
		ops->free_table(ops->ctx, pt_chain_pop(w->s, &w->spare));
	return -ENOMEM;
}

/*
 * INVLPG also drops every paging-structure cache entry of the current PCID,
 * whatever its address, so any one invalidation makes the unlinked tables
 * safe to reuse (Intel SDM Vol. 3A, 5.10.4.1).
 */
void pt_walk_finish(struct pt_walk *w)
{
	const struct pt_ops *ops = w->s->ops;
	unsigned int i;

	if (w->ninval > PT_INVAL_MAX)
		ops->flush_all(ops->ctx);
	else
		for (i = 0; i < w->ninval; i++)
			ops->invalidate(ops->ctx, w->inval[i]);
	while (w->dead)
		ops->free_table(ops->ctx, pt_chain_pop(w->s, &w->dead));
	while (w->spare)
		ops->free_table(ops->ctx, pt_chain_pop(w->s, &w->spare));
}

/*
 * True if @va is canonical: bits 63 down to the top address bit (47 with
 * 4 levels, 56 with 5) are all equal (Intel SDM Vol. 1, 3.3.7.1; Vol. 3A, 5.5).
 */
bool pt_canonical(int levels, uint64_t va)
{
	unsigned int bits = levels == 5 ? 57 : 48;
	uint64_t top = va >> (bits - 1);

	if (levels != 4 && levels != 5)
		return false;
	return top == 0 || top == ~0ull >> (bits - 1);
}

/* The root must be a 4 KiB-aligned frame below 2^52. */
bool pt_space_ok(const struct pt_space *s)
{
	return s && s->ops && (s->levels == 4 || s->levels == 5) && s->root &&
	       !(s->root & ~X86_ADDR);
}

/*
 * Inclusive end: a range may end at 2^64 - 1. Both ends canonical and in the
 * same half, so the range does not cross the non-canonical hole.
 */
bool pt_range_ok(const struct pt_space *s, uint64_t va, uint64_t size, uint64_t align)
{
	uint64_t last = va + (size - 1);

	if (!size || ((va | size) & (align - 1)) || last < va)
		return false;
	return pt_canonical(s->levels, va) && pt_canonical(s->levels, last) &&
	       (va >> 63) == (last >> 63);
}
