/* SPDX-License-Identifier: MIT */
/*
 * Private to lib/paging: the state one change carries through its walks
 * (preallocated tables, tables to free, pages to invalidate) and the helpers
 * that step a range through the entries of a table. walk.c holds the
 * out-of-line part.
 */
#pragma once

#include <lib/paging/paging.h>
#include <lib/paging/x86_pte.h>

#include <stdbool.h>
#include <stdint.h>

/*
 * State of one change. The spare and dead chains link frames through their
 * first word; that word is a 4 KiB-aligned address or 0, so its P bit is
 * clear and a stale walk that still reaches such a frame finds no present
 * entry there.
 */
struct pt_walk {
	const struct pt_space *s;
	uint64_t va;                  /* map: first virtual address */
	uint64_t pa;                  /* map: the physical address va maps to */
	uint32_t flags;               /* map, protect: the new flags, with PT_READ */
	int target;                   /* map: level of the new leaves (1, 2 or 3) */
	bool unmap;                   /* unmap rather than protect */
	uint64_t spare;               /* chain of preallocated zeroed tables, 0 at the end */
	uint64_t dead;                /* chain of unlinked tables to free after invalidating */
	unsigned int ninval;          /* pages to invalidate; PT_INVAL_MAX + 1 means all */
	uint64_t inval[PT_INVAL_MAX]; /* their addresses, while ninval <= PT_INVAL_MAX */
};

/*
 * The part of a range [va, last] that falls in each entry of a level-@level
 * table in turn: [cur, end]. Ends are inclusive, so a range that ends at
 * 2^64 - 1 needs no 65-bit arithmetic. Used as
 * span_start(); do { ... } while (span_next()), where continue is safe.
 */
struct pt_span {
	uint64_t cur;  /* first byte of the range inside this entry */
	uint64_t end;  /* last byte of the range inside this entry */
	uint64_t last; /* last byte of the whole range */
	int level;     /* level of the table being walked */
};

static inline void span_set_end(struct pt_span *sp)
{
	uint64_t entry_last = sp->cur | (x86_entry_size(sp->level) - 1);

	sp->end = entry_last < sp->last ? entry_last : sp->last;
}

static inline void span_start(struct pt_span *sp, int level, uint64_t va, uint64_t last)
{
	sp->cur = va;
	sp->last = last;
	sp->level = level;
	span_set_end(sp);
}

/* Step to the next entry; false once the range is done. */
static inline bool span_next(struct pt_span *sp)
{
	if (sp->end == sp->last)
		return false;
	sp->cur = sp->end + 1;
	span_set_end(sp);
	return true;
}

/* True if [@cur, @end] is the whole of its level-@level entry. */
static inline bool span_covers(uint64_t cur, uint64_t end, int level)
{
	uint64_t mask = x86_entry_size(level) - 1;

	return !(cur & mask) && (end & mask) == mask;
}

/* The table at physical @pa. */
static inline uint64_t *table_at(const struct pt_space *s, uint64_t pa)
{
	return s->ops->phys_to_virt(s->ops->ctx, pa);
}

/* Entries are read and written once each, whole, as the CPU may walk them meanwhile. */
static inline uint64_t entry_read(const uint64_t *ep)
{
	return *(const volatile uint64_t *)ep;
}

static inline void entry_write(uint64_t *ep, uint64_t e)
{
	*(volatile uint64_t *)ep = e;
}

/* Push the frame at @pa onto the chain at @head. */
void pt_chain_push(const struct pt_space *s, uint64_t *head, uint64_t pa);

/* Pop a frame off the non-empty chain at @head; its first word is zeroed again. */
uint64_t pt_chain_pop(const struct pt_space *s, uint64_t *head);

/* Start the change @w on @s with nothing preallocated or pending. */
void pt_walk_init(struct pt_walk *w, const struct pt_space *s);

/* Remember that the page at @va changed and must be invalidated. */
void pt_walk_note_inval(struct pt_walk *w, uint64_t va);

/* Allocate @n tables onto @w's spare chain. Returns 0, or -ENOMEM with none kept. */
int pt_walk_prealloc(struct pt_walk *w, uint64_t n);

/* Invalidate what changed, then free the unlinked tables and any unused spares. */
void pt_walk_finish(struct pt_walk *w);

/* True if @s has a sound level count, root and ops. */
bool pt_space_ok(const struct pt_space *s);

/*
 * True if [@va, @va + @size) in @s is non-empty, @align-aligned, does not
 * wrap and lies in one canonical half.
 */
bool pt_range_ok(const struct pt_space *s, uint64_t va, uint64_t size, uint64_t align);
