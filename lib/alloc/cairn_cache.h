/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU magazines in front of the cairn heap for its small size classes, after Bonwick
 * and Adams ("Magazines and Vmem", USENIX 2001). Each CPU keeps, per class, a loaded and
 * a previous magazine (a small stack of free blocks of that class), so most allocations
 * and frees touch only that CPU's arrays; a depot of full and empty magazines, under one
 * lock, balances them between CPUs; only a depot miss reaches the heap and its lock.
 * Cached blocks stay allocated in the heap's eyes and go back to it when the depot has
 * enough of a class or when memory runs short (cairn_cache_reclaim()).
 * This file is mechanism only: the caller supplies the heap calls and the depot lock
 * (struct cairn_cache_ops) and keeps one struct cairn_mag_cpu per CPU, used only with
 * that CPU's interrupts and preemption off (docs/alloc.md, kernel/mm/heap.c).
 */
#pragma once

#include <lib/alloc/cairn.h>

/*
 * Requests of up to CAIRN_CACHE_MAX bytes, aligned to at most 16, are cached, in classes
 * 8 bytes apart (the heap's own granularity, so a class wastes nothing the heap would
 * not) and, for each size, one class of 8-aligned and one of 16-aligned blocks: 256.
 */
#define CAIRN_CACHE_STEP    8
#define CAIRN_CACHE_MAX     1024
#define CAIRN_CACHE_ALIGN   16
#define CAIRN_CACHE_CLASSES (2 * CAIRN_CACHE_MAX / CAIRN_CACHE_STEP)

/* Blocks per magazine (a magazine is then 128 bytes), and full ones the depot keeps. */
#define CAIRN_MAG_ROUNDS 14
#define CAIRN_DEPOT_FULL 4
/* Operations of a CPU after which a class it has not used gives its magazines back. */
#ifndef CAIRN_CACHE_IDLE
#define CAIRN_CACHE_IDLE 8192
#endif
#define CAIRN_DEPOT_EMPTY CAIRN_CACHE_CLASSES

/* A stack of free blocks of one class. Locks: [O] its owner (a CPU or the depot). */
struct cairn_mag {
	struct cairn_mag *next;        /* [O] next on a depot list */
	uint32_t n;                    /* [O] blocks held */
	uint32_t cls;                  /* [O] class of the blocks (while n > 0) */
	void *round[CAIRN_MAG_ROUNDS]; /* [O] the blocks, round[n - 1] on top */
};

/* One CPU's magazines. Locks: [C] that CPU, with interrupts off. NULL is an empty one. */
struct cairn_mag_cpu {
	struct cairn_mag *loaded[CAIRN_CACHE_CLASSES]; /* [C] allocations pop, frees push */
	struct cairn_mag *prev[CAIRN_CACHE_CLASSES];   /* [C] the one loaded before */
	size_t blocks;                                 /* [C] blocks held in both */
	size_t bytes;                                  /* [C] their class sizes, summed */
	uint32_t tick;                                 /* [C] operations so far */
	uint32_t sweep;                                /* [C] next class trim_idle() looks at */
	uint32_t last[CAIRN_CACHE_CLASSES];            /* [C] tick of each class's last use */
};

/*
 * What the cache calls. alloc and free reach the heap (taking its lock if it has one);
 * free gets @n blocks at once so that a whole magazine goes back under one lock hold.
 * free_sized, if set, frees one uncached block given its allocation's size and alignment
 * (the heap's cairn_heap_free_sized(), which uses them to load the next header early).
 * error reports a bad free found without the heap (the owner counts it as the heap's).
 * lock and unlock guard the depot; either may be NULL where nothing runs concurrently.
 */
struct cairn_cache_ops {
	void *(*alloc)(void *ctx, size_t size, size_t align);
	void (*free)(void *ctx, void *const *blocks, size_t n);
	void (*free_sized)(void *ctx, void *p, size_t size, size_t align);
	void (*error)(void *ctx, const char *what, void *ptr);
	void (*lock)(void *ctx);
	void (*unlock)(void *ctx);
};

/*
 * The depot and what the cache needs. Locks: [I] set by init; [D] the depot lock
 * (ops->lock).
 */
struct cairn_cache {
	struct cairn_heap *heap;                     /* [I] the heap blocks belong to */
	const struct cairn_cache_ops *ops;           /* [I] */
	void *ctx;                                   /* [I] first argument of every op */
	struct cairn_mag *full[CAIRN_CACHE_CLASSES]; /* [D] full magazines per class */
	uint32_t nfull[CAIRN_CACHE_CLASSES];         /* [D] how many */
	struct cairn_mag *empty;                     /* [D] empty magazines, of any class */
	uint32_t nempty;                             /* [D] how many */
	size_t blocks;                               /* [D] blocks in the full magazines */
	size_t bytes;                                /* [D] their class sizes, summed */
	size_t mags;                                 /* [D] magazines in existence */
};

/* Set up an empty depot in front of @heap. Nothing is allocated until the first free. */
void cairn_cache_init(struct cairn_cache *c, struct cairn_heap *heap,
                      const struct cairn_cache_ops *ops, void *ctx);

/* The class of a request of @size bytes at @align, or -1 if it is not cached. */
static inline int cairn_cache_class(size_t size, size_t align)
{
	if (!size || size > CAIRN_CACHE_MAX || align > CAIRN_CACHE_ALIGN || !alloc_align_ok(align))
		return -1;
	return (int)((size - 1) / CAIRN_CACHE_STEP * 2 + (align > CAIRN_CACHE_ALIGN / 2));
}

/* Bytes every block of class @cls holds. */
static inline size_t cairn_cache_class_size(unsigned int cls)
{
	return (size_t)(cls / 2 + 1) * CAIRN_CACHE_STEP;
}

/* The alignment of every block of class @cls: 8 or 16. */
static inline size_t cairn_cache_class_align(unsigned int cls)
{
	return cls & 1 ? CAIRN_CACHE_ALIGN : CAIRN_CACHE_ALIGN / 2;
}

/*
 * Allocate @size bytes at @align through @cpu's magazines (the caller's CPU, interrupts
 * off): a cached block of the request's class, else a full magazine from the depot, else
 * a new block from the heap (ops->alloc). Requests that are not cached go to the heap as
 * they are. Returns the block or NULL (the heap's own failure; see cairn_cache_reclaim()).
 */
void *cairn_cache_alloc(struct cairn_cache *c, struct cairn_mag_cpu *cpu, size_t size,
                        size_t align);

/*
 * Free @p (NULL is ignored) into @cpu's magazines when its block belongs to a class, else
 * to the heap. The class comes from the block's header, read without the heap's lock.
 * Checked builds mark cached blocks, so a second free of one is reported through
 * ops->error and ignored; a pointer whose header does not check goes to ops->free, where
 * the heap reports it with the full checks.
 */
void cairn_cache_free(struct cairn_cache *c, struct cairn_mag_cpu *cpu, void *p);

/*
 * The two halves of cairn_cache_free(), for a caller that wants the CPU's magazines only
 * when the block has a class: the class @p's block belongs to, from its header, read
 * without any lock (-1: not cached, or the header does not check; give it to the heap),
 * and putting @p in class @k of @cpu's magazines (the caller's CPU, interrupts off).
 */
int cairn_cache_class_of(const struct cairn_cache *c, void *p);
void cairn_cache_put(struct cairn_cache *c, struct cairn_mag_cpu *cpu, unsigned int k, void *p);

/*
 * Free @p given the @size and @align it was allocated with (the KHB-1 form): the class
 * comes from them, so the block's memory is not touched. Wrong values are the caller's
 * bug (the block may be handed out for a larger class than it holds).
 */
void cairn_cache_free_sized(struct cairn_cache *c, struct cairn_mag_cpu *cpu, void *p, size_t size,
                            size_t align);

/*
 * Give every block held by @cpu's magazines and the depot back to the heap, and the
 * magazines themselves: what an allocator does before it reports running out of memory.
 * Other CPUs' magazines are theirs; they hold at most 2 * CAIRN_MAG_ROUNDS blocks a class.
 */
void cairn_cache_reclaim(struct cairn_cache *c, struct cairn_mag_cpu *cpu);
