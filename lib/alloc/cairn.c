/* SPDX-License-Identifier: MIT */
/*
 * Cairn's default heap: two-level segregated fit (M. Masmano et al., "TLSF: a new dynamic
 * memory allocator for real-time systems", ECRTS 2004). Free blocks sit on one of 25 x 32
 * size-class lists found through two bitmaps, so alloc and free are O(1). Blocks carry an
 * 8-byte header, whose first half unchecked builds let the block before use; a free block
 * also ends with a pointer to its start, which lets the block after it coalesce backwards.
 * See docs/alloc.md for the layout and the choices.
 */
#include <cairn/errno.h>

#include <lib/alloc/cairn_block.h>

/*
 * Good fit: when the rounded-up class is empty, look at this many blocks of the exact
 * class before splitting a larger block. Bounded, so a search stays O(1).
 */
#ifndef GOODFIT_SCAN
#define GOODFIT_SCAN 4
#endif

/* True if free block @b can hold @usable bytes at an @align boundary, carved from its end. */
static inline bool block_fits(const struct cairn_block *b, size_t usable, size_t align)
{
	size_t size = block_size(b);
	uintptr_t end = addr(b) + size;

	if (size < usable + HDR_BYTES)
		return false;
	return ((end - usable) & ~(uintptr_t)(align - 1)) - HDR_BYTES >= addr(b);
}

/* A free block found for a request, with the class list it is on. */
struct cairn_fit {
	struct cairn_block *b;
	unsigned int fl;
	unsigned int sl;
};

/*
 * Find a free block of at least @need bytes that fits @usable at @align: the head of the
 * first non-empty class at or above @need rounded up, except that when the rounded class
 * itself is empty a few blocks of @need's own class are tried first (good fit).
 * Returns false if there is none; O(1) either way.
 */
static inline bool find_block(struct cairn_heap *h, size_t need, size_t usable, size_t align,
                              struct cairn_fit *f)
{
	struct cairn_ctl *c = h->ctl;
	unsigned int efl, esl, n;
	struct cairn_block *b;
	uint32_t sm;
	uint64_t fm;

	class_of(class_round_up(need), &f->fl, &f->sl);
	sm = f->fl < FL_COUNT ? c->sl_map[f->fl] & (~0u << f->sl) : 0;
	if (sm & (1u << f->sl)) {
		f->b = c->heads[f->fl][f->sl];
		return true;
	}
	if (sm) {
		f->sl = (unsigned int)__builtin_ctz(sm);
	} else {
		fm = f->fl + 1 < FL_COUNT ? c->fl_map & (~(uint64_t)0 << (f->fl + 1)) : 0;
		f->fl = fm ? (unsigned int)__builtin_ctzll(fm) : FL_COUNT;
		f->sl = fm ? (unsigned int)__builtin_ctz(c->sl_map[f->fl]) : 0;
	}
	/* The rounded class is empty: a block of the exact class may still fit. */
	class_of(need, &efl, &esl);
	b = c->heads[efl][esl];
	for (n = 0; b && n < GOODFIT_SCAN; n++, b = b->next_free) {
		if (block_fits(b, usable, align)) {
			f->b = b;
			f->fl = efl;
			f->sl = esl;
			return true;
		}
	}
	if (f->fl >= FL_COUNT)
		return false;
	f->b = c->heads[f->fl][f->sl];
	return true;
}

/*
 * Allocate the payload at @p (aligned, with @usable bytes) inside the free block @f found.
 * What is left before it becomes a free block if it is big enough to be one (it keeps
 * the block's start, so usually its class and list place too), else padding before the
 * payload; what is left after it likewise becomes a free block or usable space.
 */
static inline void place(struct cairn_heap *h, const struct cairn_fit *f, uintptr_t p,
                         size_t usable)
{
	struct cairn_block *b = f->b, *blk = b;
	size_t size = block_size(b), lead = p - HDR_BYTES - addr(b);
	uintptr_t end = addr(b) + size;
	unsigned int fl, sl;

	if (lead >= MIN_BLOCK) {
		class_of(lead, &fl, &sl);
		if (fl != f->fl || sl != f->sl) {
			list_remove_class(h, b, f->fl, f->sl);
			list_insert(h, b, lead);
		}
		hdr_set(b, (uint32_t)lead | B_FREE);
		footer_set(b, lead);
		blk = block_at(p - HDR_BYTES);
		lead = 0;
	} else {
		list_remove_class(h, b, f->fl, f->sl);
	}
	end = trim_tail(h, p + usable, end, false);
	if (end == addr(b) + size)
		set_prev_free(block_at(end), false);
	hdr_set_pad(blk, (uint32_t)(end - addr(blk)) | (blk != b ? B_PREV_FREE : 0), lead);
	if (lead)
		hdr_set(block_at(p - HDR_BYTES), B_PADWORD | (uint32_t)lead);
	h->free_bytes -= end - addr(blk);
	h->used_bytes += end - addr(blk);
}

/*
 * Allocate @size bytes at @align (see cairn.h); NULL on failure. O(1); no lock, no sleep.
 * The payload goes at the end of the block found, so that what is left keeps its start
 * and usually its class (and stays put on its list), and stays next to whatever was
 * freed before it: with FIFO-like lifetimes, the next blocks to be freed, so it keeps
 * merging. Alignment slack thus falls after the payload.
 */
void *cairn_heap_alloc(struct cairn_heap *h, size_t size, size_t align)
{
	struct cairn_fit f;
	size_t usable;
	uintptr_t p;

	if (!size || size > CAIRN_MAX_ALLOC || !alloc_align_ok(align))
		goto fail;
	if (align < CAIRN_MIN_ALIGN)
		align = CAIRN_MIN_ALIGN;
	usable = payload_span(size);
	if (!find_block(h, usable + HDR_BYTES + align - CAIRN_MIN_ALIGN, usable, align, &f))
		goto fail;
	if (CAIRN_ALLOC_CHECKED && !cairn_links_ok(h, f.b)) {
		cairn_report(h, "heap: corrupted free block", (void *)(f.b + 1));
		goto fail;
	}
	p = (addr(f.b) + block_size(f.b) - usable) & ~(uintptr_t)(align - 1);
	place(h, &f, p, usable);
	h->allocs++;
	h->live_blocks++;
	return (void *)p;
fail:
	h->fails++;
	return NULL;
}

/*
 * Make [@b, @b + @size) a free block that replaces free block @old, of @old_size bytes,
 * which it contains: in @old's place on its list when the class is the same (no bitmap
 * or list head to touch), otherwise off that list and onto the right one.
 */
static inline void free_over(struct cairn_heap *h, struct cairn_block *b, size_t size,
                             struct cairn_block *old, size_t old_size)
{
	unsigned int fl, sl, ofl, osl;

	class_of(old_size, &ofl, &osl);
	class_of(size, &fl, &sl);
	if (fl == ofl && sl == osl) {
		if (b != old)
			list_replace(h, old, b, fl, sl);
		hdr_set(b, (uint32_t)size | B_FREE);
		footer_set(b, size);
		return;
	}
	list_remove_class(h, old, ofl, osl);
	make_free(h, b, size);
}

/*
 * Return allocated block @b to the free lists, merging it with free neighbours.
 * The caller has checked it and adjusts the live-block and free counters.
 */
void cairn_release(struct cairn_heap *h, struct cairn_block *b)
{
	size_t size = block_size(b), nsize = 0, psize;
	struct cairn_block *next = block_at(addr(b) + size), *prev;
	bool next_free = next->info & B_FREE;

	h->used_bytes -= size;
	h->free_bytes += size;
	if (CAIRN_ALLOC_CHECKED)
		hdr_set_pad(b, b->info | B_FREE, block_pad(b));
	if (next_free)
		nsize = block_size(next);
	else
		set_prev_free(next, true);
	if (b->info & B_PREV_FREE) {
		prev = prev_block(b);
		psize = block_size(prev);
		if (next_free)
			list_remove(h, next, nsize);
		free_over(h, prev, psize + size + nsize, prev, psize);
	} else if (next_free) {
		free_over(h, b, size + nsize, next, nsize);
	} else {
		make_free(h, b, size);
	}
}

static const struct cairn_errors free_errors = {
	.outside = "heap: free of a pointer outside the heap or misaligned",
	.free = "heap: double free",
	.bad = "heap: free of a pointer the heap never gave out, or its header is corrupted",
	.neighbour = "heap: free found a corrupted neighbouring block",
};

/* Free @p (NULL is ignored); a bad pointer is reported, never acted on. O(1); no lock. */
void cairn_heap_free(struct cairn_heap *h, void *p)
{
	struct cairn_block *b;

	if (!p)
		return;
	b = cairn_lookup(h, p, &free_errors);
	if (!b)
		return;
	h->frees++;
	h->live_blocks--;
	cairn_release(h, b);
}

/* Free @p with its allocation's @size and @align as a prefetch hint. O(1); no lock. */
void cairn_heap_free_sized(struct cairn_heap *h, void *p, size_t size, size_t align)
{
	uintptr_t end = addr(p) + payload_span(size);

	/*
	 * The next block's header is at most an alignment past the end of the payload.
	 * Start loading it now, not once this block's header (another miss) says where.
	 */
	if (p && size <= CAIRN_MAX_ALLOC && align <= ALLOC_MAX_ALIGN) {
		__builtin_prefetch((void *)end, 1);
		if (align > 2 * CAIRN_MIN_ALIGN)
			__builtin_prefetch((void *)(end + align - CAIRN_MIN_ALIGN), 1);
	}
	cairn_heap_free(h, p);
}

/*
 * Hand [@start, @end) to the heap: an allocated block up to an 8-byte end marker (an
 * allocated block of size 0) in its last word, then free the block into the lists.
 */
static void add_block(struct cairn_heap *h, uintptr_t start, uintptr_t end, bool prev_free)
{
	struct cairn_block *b = block_at(start);

	hdr_set(block_at(end - HDR_BYTES), 0);
	hdr_set(b, (uint32_t)(end - HDR_BYTES - start) | (prev_free ? B_PREV_FREE : 0));
	h->used_bytes += end - HDR_BYTES - start;
	cairn_release(h, b);
}

/* Make a heap of [@base, @base + @bytes). Returns 0 or -EINVAL (see cairn.h). */
int cairn_heap_init(struct cairn_heap *h, void *base, size_t bytes)
{
	uintptr_t start = (addr(base) + 63) & ~(uintptr_t)63;
	uintptr_t end = (addr(base) + bytes) & ~(uintptr_t)(GRAN - 1);
	uint64_t *w;
	size_t i;

	if (bytes > CAIRN_MAX_REGION || addr(base) + bytes < addr(base) || end < start ||
	    end - start < 16384)
		return -EINVAL;
	*h = (struct cairn_heap){ 0 };
	h->ctl = (struct cairn_ctl *)start;
	w = (uint64_t *)start;
	for (i = 0; i < sizeof(struct cairn_ctl) / sizeof(*w); i++)
		w[i] = 0;
	h->lo = start;
	start += CAIRN_CTL_BYTES;
	h->hi = end;
	h->last_end = end;
	h->heap_bytes = bytes;
	add_block(h, start, end, false);
	return 0;
}

/* Add [@more, @more + @bytes) to the heap. Returns 0 or -EINVAL (see cairn.h). */
int cairn_heap_grow(struct cairn_heap *h, void *more, size_t bytes)
{
	uintptr_t start = (addr(more) + GRAN - 1) & ~(GRAN - 1);
	uintptr_t end = (addr(more) + bytes) & ~(uintptr_t)(GRAN - 1);
	bool prev_free, extend;

	if (bytes > CAIRN_MAX_REGION || addr(more) + bytes < addr(more) || end < start ||
	    end - start < MIN_BLOCK + HDR_BYTES)
		return -EINVAL;
	extend = addr(more) == h->last_end && end - h->lo <= MAX_BLOCK;
	if (!extend && start < h->hi && end > h->lo)
		return -EINVAL;
	if (extend) {
		/* The old end marker becomes the header of the new block. */
		start -= HDR_BYTES;
		prev_free = block_at(start)->info & B_PREV_FREE;
	} else {
		prev_free = false;
	}
	if (start < h->lo)
		h->lo = start;
	if (end > h->hi)
		h->hi = end;
	h->last_end = end;
	h->heap_bytes += bytes;
	add_block(h, start, end, prev_free);
	return 0;
}

/* Fill @st from the counters, walking the top class list for the largest free block. */
void cairn_heap_stats(const struct cairn_heap *h, struct alloc_stats *st)
{
	const struct cairn_ctl *c = h->ctl;
	const struct cairn_block *b;
	unsigned int fl;
	size_t largest = 0;

	if (c->fl_map) {
		fl = 63 - (unsigned int)__builtin_clzll(c->fl_map);
		b = c->heads[fl][31 - __builtin_clz(c->sl_map[fl])];
		for (; b; b = b->next_free)
			if (block_size(b) > largest)
				largest = block_size(b);
	}
	*st = (struct alloc_stats){
		.heap_bytes = h->heap_bytes,
		.used_bytes = h->used_bytes,
		.free_bytes = h->free_bytes,
		.largest_free = largest,
		.live_blocks = h->live_blocks,
		.free_blocks = h->free_blocks,
		.allocs = h->allocs,
		.frees = h->frees,
		.fails = h->fails,
		.errors = h->errors,
	};
}
