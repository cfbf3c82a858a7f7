/* SPDX-License-Identifier: MIT */
/*
 * The common face of Cairn's three heap allocators (firstfit, chunk and cairn, the
 * default): their statistics and a small vtable through which the host tests and the
 * KHB-1 benchmark drive all three alike. Each allocator keeps its state in a struct the
 * caller provides and in the heap itself; nothing here is global or touches hardware.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest alignment any allocator accepts; alignments are powers of two. */
#define ALLOC_MAX_ALIGN 4096

/* A snapshot of one heap, filled by each allocator's stats function. */
struct alloc_stats {
	size_t heap_bytes;     /* bytes handed over by init and grow */
	size_t used_bytes;     /* bytes in allocated blocks, their headers and padding included */
	size_t free_bytes;     /* bytes in free blocks */
	size_t largest_free;   /* bytes in the largest free block */
	size_t external_bytes; /* bookkeeping the allocator keeps outside the heap */
	size_t live_blocks;    /* blocks allocated and not yet freed */
	size_t free_blocks;    /* free blocks (holes, free chunk runs, free-list entries) */
	size_t cached_blocks;  /* blocks held free in caches in front of the heap, and the
	                          caches' own blocks (the kernel's magazines); in used_bytes */
	uint64_t allocs;       /* successful allocations */
	uint64_t frees;        /* successful frees */
	uint64_t fails;        /* allocations that returned NULL */
	uint64_t errors;       /* bad frees detected (double, foreign, corrupted) */
};

/*
 * One allocator behind a uniform interface. @heap points to @heap_struct_bytes of
 * caller memory (aligned for any type). @ext is memory outside the heap for allocators
 * that keep bookkeeping there (chunk's bitmap): @external_bytes(heap bytes) tells how
 * much a heap of that size needs; others ignore it. The functions mean the same as the
 * allocator's own: init returns 0 or -EINVAL, alloc returns NULL on failure, free takes
 * the size and alignment that were passed to alloc, grow returns 0, -EINVAL or -ENOMEM.
 * stats first gives back whatever the allocator caches (cairn's magazines), so that it
 * describes the heap itself; that is why it takes the heap writable.
 */
struct alloc_ops {
	const char *name;
	size_t heap_struct_bytes;
	size_t (*external_bytes)(size_t heap_bytes);
	int (*init)(void *heap, void *base, size_t bytes, void *ext, size_t ext_bytes);
	void *(*alloc)(void *heap, size_t size, size_t align);
	void (*free)(void *heap, void *p, size_t size, size_t align);
	int (*grow)(void *heap, void *more, size_t bytes);
	void (*stats)(void *heap, struct alloc_stats *st);
};

extern const struct alloc_ops alloc_firstfit_ops;
extern const struct alloc_ops alloc_chunk_ops;
extern const struct alloc_ops alloc_cairn_ops;
extern const struct alloc_ops alloc_cairn_tlsf_ops;

/* All allocators, the default (cairn) last, ending with NULL. */
extern const struct alloc_ops *const alloc_all_ops[];

/* True if @align is a power of two no larger than ALLOC_MAX_ALIGN. */
static inline bool alloc_align_ok(size_t align)
{
	return align && align <= ALLOC_MAX_ALIGN && !(align & (align - 1));
}
