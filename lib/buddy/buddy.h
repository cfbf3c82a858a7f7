/* SPDX-License-Identifier: MIT */
/*
 * A binary buddy allocator over a range of frame numbers, as pure mechanism:
 * the caller provides the state and an array of per-frame records, each
 * holding a struct buddy_node where the free lists and the block state
 * live. The allocator never reads or writes the frames themselves. The
 * kernel's physical memory manager runs one instance per zone over its
 * struct pmm_frame records; the host tests run it over a plain array. See
 * docs/memory.md, "Physical frames".
 *
 * The largest blocks of the first long run handed in stay "fresh": free but
 * on no list until they are needed, so that setting up links only the
 * ragged ends of each range, not every 4 MiB block of gigabytes of memory.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Blocks hold 2^order frames, order 0 to BUDDY_MAX_ORDER (4 MiB of 4 KiB frames). */
#define BUDDY_MAX_ORDER 10
#define BUDDY_ORDERS    (BUDDY_MAX_ORDER + 1)

/* "No frame": what the allocation functions return when they cannot allocate. */
#define BUDDY_NONE UINT64_MAX

/* Frame numbers above this are refused (a 64-bit physical address space of 4 KiB frames). */
#define BUDDY_PFN_LIMIT (1ull << 52)

/* Most frames one instance manages: links are 32-bit indices (16 TiB of 4 KiB frames). */
#define BUDDY_MAX_NPAGES 0xffffffffull

/*
 * The allocator's part of one frame's record. The caller embeds it in its
 * own per-frame record and must not write it. next and prev are meaningful
 * only while the frame heads a free block on a list.
 */
struct buddy_node {
	uint32_t next; /* next free block of the same order: index from base_pfn, or none */
	uint32_t prev; /* previous one, or none for the list head */
	uint8_t meta;  /* whether managed, head of a block, its order, free: BUDDY_M_* in buddy.c */
	uint8_t reserved[3];
};

/*
 * What buddy_init() needs. The records of frames base_pfn .. base_pfn +
 * npages - 1 lie @stride bytes apart; @nodes points at the struct buddy_node
 * inside the first one. Every node must be zeroed (a zero node is a frame
 * not handed to the allocator): the caller clears the records in one pass
 * rather than the allocator walking them again. The records stay the
 * allocator's to use until it is no longer used; it writes only their
 * struct buddy_node.
 */
struct buddy_params {
	uint64_t base_pfn; /* first frame number the allocator may manage */
	uint64_t npages;   /* frames from base_pfn it may manage, at most BUDDY_MAX_NPAGES */
	void *nodes;       /* the node of frame base_pfn's record; all nodes zeroed */
	size_t stride;     /* bytes from one record to the next, >= sizeof(struct buddy_node) */
};

/*
 * The allocator's state. Callers read it only through buddy_stats(); it does
 * no locking of its own, so every call on one instance must be serialised by
 * the caller.
 */
struct buddy {
	uint64_t base_pfn;                  /* first frame number covered */
	uint64_t npages;                    /* frames covered by the records */
	uint8_t *nodes;                     /* the first record's struct buddy_node */
	size_t stride;                      /* bytes between records */
	uint64_t free_head[BUDDY_ORDERS];   /* first free block of each order, or BUDDY_NONE */
	uint64_t free_blocks[BUDDY_ORDERS]; /* free blocks of each order, fresh ones included */
	uint64_t fresh_next;                /* first fresh block: free, largest order, unlinked */
	uint64_t fresh_end;                 /* end of the fresh run */
	uint64_t total;                     /* frames ever added with buddy_add_free_range() */
	uint64_t nfree;                     /* frames free now */
	uint64_t corruptions;               /* free lists found damaged and quarantined */
};

struct buddy_stats {
	uint64_t total;                     /* frames managed (free or allocated) */
	uint64_t free;                      /* frames free */
	uint64_t free_blocks[BUDDY_ORDERS]; /* free blocks of each order */
	uint64_t corruptions;               /* damaged free lists quarantined (leaked) */
};

/*
 * Set up @b over the frames p->base_pfn .. p->base_pfn + p->npages - 1, all
 * of them reserved (not free) until buddy_add_free_range() frees them.
 * Returns 0, or -EINVAL when a pointer is missing, the stride is too small,
 * the range wraps or reaches BUDDY_PFN_LIMIT, or it holds more than
 * BUDDY_MAX_NPAGES frames. @npages may be 0 (an empty allocator).
 */
int buddy_init(struct buddy *b, const struct buddy_params *p) __must_check;

/*
 * Hand frames @pfn .. @pfn + @count - 1 to the allocator as free memory. They
 * are split into maximal naturally aligned blocks and merged with free
 * neighbours. Returns 0, or -EINVAL (nothing changed) when the range leaves
 * the allocator's range or overlaps frames added before.
 */
int buddy_add_free_range(struct buddy *b, uint64_t pfn, uint64_t count) __must_check;

/*
 * Allocate a block of 2^@order frames, aligned to its size in frame numbers.
 * Returns its first frame number, or BUDDY_NONE when @order is above
 * BUDDY_MAX_ORDER or no block that large is free.
 */
uint64_t buddy_alloc(struct buddy *b, unsigned order);

/*
 * Free the block of 2^@order frames at @pfn that buddy_alloc() returned,
 * merging it with its free buddies. Returns 0, or -EINVAL, changing nothing,
 * when @pfn is not the start of an allocated block of exactly that order:
 * a double free, an unaligned or out-of-range frame, or the wrong order.
 */
int buddy_free(struct buddy *b, uint64_t pfn, unsigned order) __must_check;

/*
 * Allocate @count contiguous frames (1 .. 2^BUDDY_MAX_ORDER): a block of the
 * next power of two is taken and its tail beyond @count is freed at once, so
 * exactly @count frames are used. The start is aligned to that power of two.
 * Returns the first frame number or BUDDY_NONE.
 */
uint64_t buddy_alloc_exact(struct buddy *b, uint64_t count);

/*
 * Free @count frames at @pfn that buddy_alloc_exact() returned. Returns 0,
 * or -EINVAL, changing nothing, when they are not such an allocation.
 */
int buddy_free_exact(struct buddy *b, uint64_t pfn, uint64_t count) __must_check;

/* Copy the allocator's counters into @st. */
void buddy_stats(const struct buddy *b, struct buddy_stats *st);

/* True when @pfn lies in the allocator's range and is part of a free block. */
bool buddy_is_free(const struct buddy *b, uint64_t pfn);

/* True when @pfn is the first frame of an allocated block of exactly @order. */
bool buddy_is_allocated(const struct buddy *b, uint64_t pfn, unsigned order);

/*
 * Check every invariant: each free list is well linked and holds aligned
 * free blocks of its order, the metadata agrees with the lists and the
 * counters add up. O(npages + free blocks); for tests and debugging.
 * Returns 0 or -EINVAL.
 */
int buddy_check(const struct buddy *b) __must_check;
