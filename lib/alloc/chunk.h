/* SPDX-License-Identifier: MIT */
/*
 * A chunk heap in the style of the simple-chunk-allocator crate: the heap is cut into
 * 256-byte chunks, a block is a run of whole chunks, and a bitmap outside the heap (one
 * bit per chunk, memory the caller supplies) says which are in use. The search is next
 * fit: it starts after the last allocation and wraps around. Free needs the size.
 * A baseline for the default allocator (cairn.h).
 */
#pragma once

#include <lib/alloc/alloc.h>

#define CHUNK_SIZE  256
#define CHUNK_SHIFT 8

/* Heap bases must be aligned to this, so chunk alignment follows from chunk index. */
#define CHUNK_BASE_ALIGN ALLOC_MAX_ALIGN

/* One heap. Locks: none; the owner serialises calls. */
struct chunk_heap {
	uintptr_t base;     /* first byte of chunk 0, CHUNK_BASE_ALIGN-aligned */
	size_t nchunks;     /* chunks in the heap */
	uint64_t *bitmap;   /* bit per chunk, set = in use; caller memory outside the heap */
	size_t capacity;    /* chunks the bitmap can describe, for grow */
	size_t hint;        /* chunk after the last allocation, where the search starts */
	size_t used_chunks; /* chunks in use */
	size_t live_blocks; /* allocated blocks */
	uint64_t allocs;    /* successful allocations */
	uint64_t frees;     /* frees */
	uint64_t fails;     /* allocations that returned NULL */
	uint64_t errors;    /* frees outside the heap or of chunks not in use, ignored */
};

/* Bitmap bytes a heap of @heap_bytes needs (heap_bytes / 2048, rounded up to 8). */
size_t chunk_bitmap_bytes(size_t heap_bytes);

/*
 * Make a heap of the whole chunks in [@base, @base + @bytes), tracked in @bitmap of
 * @bitmap_bytes (more than chunk_bitmap_bytes(@bytes) leaves room to grow).
 * Returns 0, or -EINVAL if @base is misaligned, there is no chunk or the bitmap is short.
 */
int __must_check chunk_init(struct chunk_heap *h, void *base, size_t bytes, uint64_t *bitmap,
                            size_t bitmap_bytes);

/* Allocate @size bytes aligned to @align. Returns NULL if @size is 0 or nothing fits. */
void *chunk_alloc(struct chunk_heap *h, size_t size, size_t align);

/* Free @p, allocated with @size and @align; NULL is ignored. */
void chunk_free(struct chunk_heap *h, void *p, size_t size, size_t align);

/*
 * Extend the heap by [@more, @more + @bytes), which must start where it ends.
 * Returns 0, or -EINVAL if it does not or the bitmap has no room.
 */
int __must_check chunk_grow(struct chunk_heap *h, void *more, size_t bytes);

/* Fill @st; scans the bitmap for the longest free run. */
void chunk_stats(const struct chunk_heap *h, struct alloc_stats *st);
