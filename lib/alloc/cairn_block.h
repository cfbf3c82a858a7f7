/* SPDX-License-Identifier: MIT */
/*
 * Private to the cairn heap (cairn*.c: the heap, its checks, realloc, cache and adapters):
 * the block layout,
 * the size classes and the free-list primitives, as inline functions so that the fast
 * paths compile to straight-line code. docs/alloc.md draws the layout.
 */
#pragma once

#include <lib/alloc/cairn.h>

#ifndef CAIRN_ALLOC_CHECKED
#define CAIRN_ALLOC_CHECKED 1
#endif

/* Size classes: 32 linear classes per power of two; below 256 bytes, 32 classes of 8. */
#define GRAN_SHIFT  3
#define GRAN        ((size_t)1 << GRAN_SHIFT)
#define SL_SHIFT    5
#define SL_COUNT    (1u << SL_SHIFT)
#define FL_SHIFT    (SL_SHIFT + GRAN_SHIFT)
#define SMALL_LIMIT ((size_t)1 << FL_SHIFT)
#define MAX_SHIFT   32
#define FL_COUNT    (MAX_SHIFT - FL_SHIFT + 1)

/* Every block starts with a header; a free one also holds two links and a footer. */
#define HDR_BYTES 8
#define MIN_BLOCK 32
#define MAX_BLOCK ((size_t)UINT32_MAX & ~(GRAN - 1))

/*
 * Bytes of the next block's header that an allocated block's payload may run into: the
 * check word, which unchecked builds do not keep. Their blocks thus cost 4 bytes of
 * header, not 8, and every header write there stores the info word alone.
 */
#define TAIL_BYTES (CAIRN_ALLOC_CHECKED ? 0 : 4)

/*
 * The info word: bit 0 free, bit 1 previous block free, bit 2 pad word, bits 3-31 block
 * size in bytes. An allocated block whose payload had to start up to 24 bytes after its
 * header keeps its header at its start and a pad word (bit 2 set, the distance from the
 * header in the size bits) just before the payload. The check word (checked builds):
 * bits 0-1 the block's leading pad / 8, bits 2-31 a hash of both words and the address.
 */
#define B_FREE      ((uint32_t)1)
#define B_PREV_FREE ((uint32_t)2)
#define B_PADWORD   ((uint32_t)4)
#define B_FLAGS     ((uint32_t)7)
#define B_SIZE_MASK (~B_FLAGS)
#define C_PAD_MASK  ((uint32_t)3)
#define CHECK_MUL   0x9E3779B97F4A7C15ull

/* Heap words are read and written through this type: they overlay caller data. */
typedef uint64_t __attribute__((may_alias)) cairn_word_t;

struct __attribute__((may_alias)) cairn_block {
	uint32_t check;                /* check value and pad; unchecked: unused (see above) */
	uint32_t info;                 /* size and flags */
	struct cairn_block *next_free; /* free blocks only: next on its class list */
	struct cairn_block *prev_free; /* free blocks only: previous, or NULL at the head */
};

/* The free-list tables, at the start of the heap's first region. */
struct cairn_ctl {
	uint64_t fl_map;                               /* bit per first level with a block */
	uint32_t sl_map[FL_COUNT];                     /* bit per non-empty class */
	struct cairn_block *heads[FL_COUNT][SL_COUNT]; /* class list heads */
};

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "hdr_set_pad() puts check first");
_Static_assert(sizeof(struct cairn_ctl) <= CAIRN_CTL_BYTES, "CAIRN_CTL_BYTES too small");
_Static_assert(CAIRN_CTL_BYTES % GRAN == 0, "the first block must be aligned");
_Static_assert(CAIRN_MAX_REGION <= MAX_BLOCK + GRAN, "size field too narrow");
_Static_assert(CAIRN_MAX_ALLOC + ALLOC_MAX_ALIGN + HDR_BYTES <= MAX_BLOCK, "size too narrow");

static inline uintptr_t addr(const void *p)
{
	return (uintptr_t)p;
}

static inline struct cairn_block *block_at(uintptr_t a)
{
	return (struct cairn_block *)a;
}

/* The check word of a header at @a with info word @info and leading pad @pad bytes. */
static inline uint32_t check_word(uintptr_t a, uint32_t info, size_t pad)
{
	uint64_t x = ((uint64_t)info | (uint64_t)pad << 32) ^ a;

	return ((uint32_t)((x * CHECK_MUL) >> 32) & ~C_PAD_MASK) | (uint32_t)(pad >> GRAN_SHIFT);
}

/* Set the header of @b to @info, recording a leading pad of @pad bytes (checked builds). */
/*
 * Checked builds write both words in one 64-bit store, so that a reader without the heap's
 * lock (the per-CPU cache looking up a block being freed, cairn_cache.c) never sees one
 * word new and the other old while a neighbour's free updates the previous-free bit.
 */
static inline void hdr_set_pad(struct cairn_block *b, uint32_t info, size_t pad)
{
	uint64_t w;

	if (!CAIRN_ALLOC_CHECKED) {
		b->info = info;
		return;
	}
	w = (uint64_t)info << 32 | check_word(addr(b), info, pad);
	__atomic_store_n((cairn_word_t *)b, w, __ATOMIC_RELAXED);
}

static inline void hdr_set(struct cairn_block *b, uint32_t info)
{
	hdr_set_pad(b, info, 0);
}

/* The leading pad recorded in @b's header (checked builds; 0 otherwise). */
static inline size_t block_pad(const struct cairn_block *b)
{
	if (!CAIRN_ALLOC_CHECKED)
		return 0;
	return (size_t)(b->check & C_PAD_MASK) << GRAN_SHIFT;
}

static inline bool hdr_ok(const struct cairn_block *b)
{
	if (!CAIRN_ALLOC_CHECKED)
		return true;
	return b->check == check_word(addr(b), b->info, block_pad(b));
}

static inline size_t block_size(const struct cairn_block *b)
{
	return b->info & B_SIZE_MASK;
}

/* Record in the last word of free block @b, @size bytes long, where it starts. */
static inline void footer_set(struct cairn_block *b, size_t size)
{
	*(cairn_word_t *)(addr(b) + size - sizeof(cairn_word_t)) = addr(b);
}

/* The free block before @b, through its footer; only meaningful with B_PREV_FREE. */
static inline struct cairn_block *prev_block(const struct cairn_block *b)
{
	return block_at(*(const cairn_word_t *)(addr(b) - sizeof(cairn_word_t)));
}

static inline void set_prev_free(struct cairn_block *b, bool free)
{
	uint32_t w = b->info & ~B_PREV_FREE;

	hdr_set_pad(b, free ? w | B_PREV_FREE : w, block_pad(b));
}

/* True if @a is a word-aligned address inside the span of the heap's regions. */
static inline bool in_heap(const struct cairn_heap *h, uintptr_t a)
{
	return a >= h->lo && a < h->hi && !(a & (GRAN - 1));
}

/* The class of a free block of @size bytes. */
static inline void class_of(size_t size, unsigned int *fl, unsigned int *sl)
{
	unsigned int t;

	if (size < SMALL_LIMIT) {
		*fl = 0;
		*sl = (unsigned int)(size >> GRAN_SHIFT);
		return;
	}
	t = 63 - (unsigned int)__builtin_clzll(size);
	*sl = (unsigned int)(size >> (t - SL_SHIFT)) - SL_COUNT;
	*fl = t - FL_SHIFT + 1;
}

/* @size rounded up so that every block of its class is at least @size. */
static inline size_t class_round_up(size_t size)
{
	unsigned int t;

	if (size < SMALL_LIMIT)
		return size;
	t = 63 - (unsigned int)__builtin_clzll(size);
	return size + ((size_t)1 << (t - SL_SHIFT)) - 1;
}

/* Put free block @b of @size bytes at the head of its class list. */
static inline void list_insert(struct cairn_heap *h, struct cairn_block *b, size_t size)
{
	struct cairn_ctl *c = h->ctl;
	struct cairn_block *head;
	unsigned int fl, sl;

	class_of(size, &fl, &sl);
	head = c->heads[fl][sl];
	b->next_free = head;
	b->prev_free = NULL;
	if (head) {
		head->prev_free = b;
	} else {
		c->sl_map[fl] |= 1u << sl;
		c->fl_map |= (uint64_t)1 << fl;
	}
	c->heads[fl][sl] = b;
	h->free_blocks++;
}

/* Take free block @b off the list of class (@fl, @sl). */
static inline void list_remove_class(struct cairn_heap *h, struct cairn_block *b, unsigned int fl,
                                     unsigned int sl)
{
	struct cairn_ctl *c = h->ctl;
	struct cairn_block *next = b->next_free, *prev = b->prev_free;

	if (next)
		next->prev_free = prev;
	if (prev) {
		prev->next_free = next;
	} else {
		c->heads[fl][sl] = next;
		if (!next) {
			c->sl_map[fl] &= ~(1u << sl);
			if (!c->sl_map[fl])
				c->fl_map &= ~((uint64_t)1 << fl);
		}
	}
	h->free_blocks--;
}

/* Put free block @b in place of free block @old, on the same class list, (@fl, @sl). */
static inline void list_replace(struct cairn_heap *h, struct cairn_block *old,
                                struct cairn_block *b, unsigned int fl, unsigned int sl)
{
	struct cairn_block *next = old->next_free, *prev = old->prev_free;

	b->next_free = next;
	b->prev_free = prev;
	if (next)
		next->prev_free = b;
	if (prev)
		prev->next_free = b;
	else
		h->ctl->heads[fl][sl] = b;
}

static inline void list_remove(struct cairn_heap *h, struct cairn_block *b, size_t size)
{
	unsigned int fl, sl;

	class_of(size, &fl, &sl);
	list_remove_class(h, b, fl, sl);
}

/* Make [@b, @b + @size) a free block whose previous block is in use, and list it. */
static inline void make_free(struct cairn_heap *h, struct cairn_block *b, size_t size)
{
	hdr_set(b, (uint32_t)size | B_FREE);
	footer_set(b, size);
	list_insert(h, b, size);
}

/*
 * Split the tail [@from, @end) off an allocated block as a free block when it is big
 * enough to be one; @next_free says whether the block at @end is free (it is merged).
 * Returns the new end of the allocated block. The caller moves the bytes between the
 * used and free counters.
 */
static inline uintptr_t trim_tail(struct cairn_heap *h, uintptr_t from, uintptr_t end,
                                  bool next_free)
{
	struct cairn_block *next = block_at(end);
	size_t size = end - from;

	if (size < MIN_BLOCK)
		return end;
	if (next_free) {
		size += block_size(next);
		list_remove(h, next, block_size(next));
	} else {
		set_prev_free(next, true);
	}
	make_free(h, block_at(from), size);
	return from;
}

/* The block of payload @p, trusting the heap. */
static inline struct cairn_block *block_of(void *p)
{
	const struct cairn_block *w = block_at(addr(p) - HDR_BYTES);

	if (w->info & B_PADWORD)
		return block_at(addr(w) - block_size(w));
	return (struct cairn_block *)w;
}

/* The bytes a payload needs after its start inside its block, for a request of @size. */
static inline size_t payload_span(size_t size)
{
	size_t span = size > TAIL_BYTES ? (size - TAIL_BYTES + GRAN - 1) & ~(GRAN - 1) : 0;

	return span < MIN_BLOCK - HDR_BYTES ? MIN_BLOCK - HDR_BYTES : span;
}

/* Errors found in a pointer handed back, worded for the operation (free, realloc...). */
struct cairn_errors {
	const char *outside;   /* not in the heap, or misaligned */
	const char *free;      /* the block is already free */
	const char *bad;       /* no block starts there, or its header is damaged */
	const char *neighbour; /* a block next to it is damaged */
};

/* Implemented in cairn_check.c; see there. */
void cairn_report(struct cairn_heap *h, const char *what, void *ptr);
bool cairn_links_ok(const struct cairn_heap *h, const struct cairn_block *b);
struct cairn_block *cairn_lookup_checked(struct cairn_heap *h, void *p,
                                         const struct cairn_errors *e);

/* Implemented in cairn.c: return allocated block @b to the free lists. */
void cairn_release(struct cairn_heap *h, struct cairn_block *b);

/*
 * The allocated block whose payload is @p. Checked builds verify everything a free
 * relies on and return NULL, after reporting @e's matching error, if @p is not one.
 */
static inline struct cairn_block *cairn_lookup(struct cairn_heap *h, void *p,
                                               const struct cairn_errors *e)
{
	if (!CAIRN_ALLOC_CHECKED)
		return block_of(p);
	return cairn_lookup_checked(h, p, e);
}
