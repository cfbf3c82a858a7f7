/* SPDX-License-Identifier: MIT */
/*
 * Cairn's default heap allocator: a two-level segregated fit (TLSF) allocator with O(1)
 * alloc and free, an 8-byte header per block (4 bytes in unchecked builds, whose payloads
 * may run into the next header's unused half), boundary tags for immediate coalescing and
 * all free-list bookkeeping at the start of the heap. Blocks know their own size, so
 * free needs only the pointer. With CAIRN_ALLOC_CHECKED (on unless built with
 * -DCAIRN_ALLOC_CHECKED=0) every header carries a check value, and double frees,
 * foreign pointers and corrupted headers are reported through on_error instead of
 * corrupting the heap. Nothing here locks, sleeps or touches hardware: the caller
 * serialises calls on one heap (the kernel holds its heap lock), from any context.
 */
#pragma once

#include <lib/alloc/alloc.h>

/* Every block is at least this aligned; requests for less get this much. */
#define CAIRN_MIN_ALIGN 8

/* Largest request served; anything larger fails at once. */
#define CAIRN_MAX_ALLOC ((size_t)1 << 31)

/* Largest region init or grow accepts (block sizes are 32-bit). */
#define CAIRN_MAX_REGION ((size_t)1 << 32)

/* Bytes init takes from the start of the first region for the free-list tables. */
#define CAIRN_CTL_BYTES 6528

struct cairn_ctl;

/*
 * One heap. The caller owns this struct; the free lists live in the heap itself.
 * Locks: none; the owner serialises calls. [I] set by init, [H] updated by every call.
 */
struct cairn_heap {
	struct cairn_ctl *ctl; /* [I] free-list heads and bitmaps, at the start of the heap */
	uintptr_t lo;          /* [H] lowest address of any region (the tables included) */
	uintptr_t hi;          /* [H] end of the highest region */
	uintptr_t last_end;    /* [H] end of the last region added, where grow can extend */
	size_t heap_bytes;     /* [H] bytes handed to init and grow */
	size_t used_bytes;     /* [H] bytes in allocated blocks, headers included */
	size_t free_bytes;     /* [H] bytes in free blocks */
	size_t live_blocks;    /* [H] allocated blocks */
	size_t free_blocks;    /* [H] blocks on the free lists */
	uint64_t allocs;       /* [H] successful allocations */
	uint64_t frees;        /* [H] successful frees */
	uint64_t fails;        /* [H] allocations that returned NULL */
	uint64_t errors;       /* [H] bad frees and corruption found */
	/* Called with on_error_ctx for each error found; may be NULL. Set after init. */
	void (*on_error)(void *ctx, const char *what, void *ptr);
	void *on_error_ctx; /* [I] first argument of on_error */
};

/*
 * Make a heap of [@base, @base + @bytes). The first CAIRN_CTL_BYTES or so hold the
 * free-list tables. Returns 0, or -EINVAL if the region is too small (under 16 KiB)
 * or larger than CAIRN_MAX_REGION. Clears on_error; set it afterwards.
 */
int __must_check cairn_heap_init(struct cairn_heap *h, void *base, size_t bytes);

/*
 * Allocate @size bytes aligned to @align (a power of two up to ALLOC_MAX_ALIGN; less
 * than CAIRN_MIN_ALIGN is rounded up to it). Returns the block, or NULL if @size is 0,
 * too large, @align is invalid or no free block fits. O(1).
 */
void *cairn_heap_alloc(struct cairn_heap *h, size_t size, size_t align);

/*
 * Free a block from cairn_heap_alloc or cairn_heap_realloc; NULL is ignored. O(1).
 * A pointer the heap does not own, a block already free or a damaged header is reported
 * through on_error (when checked) and the block is left alone.
 */
void cairn_heap_free(struct cairn_heap *h, void *p);

/*
 * Free with the size and alignment given to alloc (the KHB-1 form). They are only a hint
 * (where the next block's header is, to load it early): wrong values cost time, never
 * correctness.
 */
void cairn_heap_free_sized(struct cairn_heap *h, void *p, size_t size, size_t align);

/*
 * Resize @p to @size bytes, in place when the block or its free neighbour allows,
 * otherwise by moving it to a new CAIRN_MIN_ALIGN-aligned block. realloc(NULL, n) is
 * alloc; realloc(p, 0) frees and returns NULL. Returns NULL on failure with @p intact.
 */
void *cairn_heap_realloc(struct cairn_heap *h, void *p, size_t size);

/* Bytes usable at @p (at least what was asked for), or 0 for a bad pointer. */
size_t cairn_heap_usable_size(struct cairn_heap *h, void *p);

/*
 * Add [@more, @more + @bytes) to the heap. Memory that starts where the last region ended
 * extends it (and merges with a free block at its end); other memory becomes a region of
 * its own, which must lie wholly below or above the existing ones. Returns 0, or -EINVAL
 * if the range is too small, too big or overlaps the heap.
 */
int __must_check cairn_heap_grow(struct cairn_heap *h, void *more, size_t bytes);

/*
 * Check every free block and the tables that index them (headers, links, footers,
 * classes, bitmaps, counters). Returns 0, or -EIO after reporting through on_error.
 * O(free blocks); for tests and debugging.
 */
int __must_check cairn_heap_check(struct cairn_heap *h);

/* Fill @st. Walks one free list to find the largest block; otherwise O(1). */
void cairn_heap_stats(const struct cairn_heap *h, struct alloc_stats *st);
