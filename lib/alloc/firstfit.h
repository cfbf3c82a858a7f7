/* SPDX-License-Identifier: MIT */
/*
 * A first-fit heap in the style of the linked-list-allocator crate: free memory is an
 * address-ordered singly linked list of holes kept inside the heap, allocation takes the
 * first hole that fits and free walks the list to put the block back, merging it with
 * the holes beside it. Blocks have no header, so free needs the size and alignment.
 * O(holes) per call; here as a baseline for the default allocator (cairn.h).
 */
#pragma once

#include <lib/alloc/alloc.h>

/* A hole: the first 16 bytes of a free range. */
struct firstfit_hole {
	size_t size;                /* bytes in the hole */
	struct firstfit_hole *next; /* next hole at a higher address, or NULL */
};

/* One heap. Locks: none; the owner serialises calls. */
struct firstfit_heap {
	struct firstfit_hole head; /* dummy hole of size 0 whose next is the first hole */
	size_t heap_bytes;         /* bytes handed to init and grow */
	size_t used_bytes;         /* bytes in allocated blocks, rounding included */
	size_t live_blocks;        /* allocated blocks */
	uint64_t allocs;           /* successful allocations */
	uint64_t frees;            /* frees */
	uint64_t fails;            /* allocations that returned NULL */
	uint64_t errors;           /* frees that overlapped a hole and were ignored */
};

/* Make a heap of [@base, @base + @bytes). Returns 0, or -EINVAL if under 16 bytes. */
int __must_check firstfit_init(struct firstfit_heap *h, void *base, size_t bytes);

/*
 * Allocate @size bytes aligned to @align (a power of two up to ALLOC_MAX_ALIGN).
 * Returns NULL if @size is 0, @align is invalid or no hole fits.
 */
void *firstfit_alloc(struct firstfit_heap *h, size_t size, size_t align);

/*
 * Free @p, allocated with @size and @align; NULL is ignored. A block that overlaps a hole
 * (a double free) is counted in errors and ignored.
 */
void firstfit_free(struct firstfit_heap *h, void *p, size_t size, size_t align);

/* Add [@more, @more + @bytes) as free memory. Returns 0, or -EINVAL if under 16 bytes. */
int __must_check firstfit_grow(struct firstfit_heap *h, void *more, size_t bytes);

/* Fill @st; walks the hole list. */
void firstfit_stats(const struct firstfit_heap *h, struct alloc_stats *st);
