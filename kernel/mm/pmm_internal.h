/* SPDX-License-Identifier: MIT */
/*
 * What the three parts of the physical memory manager share: pmm.c (the
 * zones and the frame records, set up from the boot map), pmm_alloc.c
 * (allocation, free, references) and pmm_cache.c (the per-CPU frame
 * caches). Included only from kernel/mm/pmm*.c.
 * Lock order: a cache's lock, then pmm_lock (docs/locking.md).
 * Locks: [I] immutable after pmm_init(), [Z] pmm_lock, [a] atomic.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "mm/pmm.h"
#include "sched/spinlock.h"

/* Guards every zone's allocator. */
extern struct spinlock pmm_lock;

struct pmm_zone {
	const char *name;                           /* [I] for the log */
	uint64_t start;                             /* [I] first physical address of the zone */
	uint64_t end;                               /* [I] first address above it */
	uint64_t base_pfn;                          /* [I] first frame with a record */
	uint64_t npages;                            /* [I] frames with a record, from base_pfn */
	struct pmm_frame *frames;                   /* [I] their records */
	struct buddy buddy __guarded_by(&pmm_lock); /* [Z] its frames */
};

extern struct pmm_zone pmm_zones[PMM_NZONES];
extern uint64_t pmm_bad_frees; /* [a] refused frees */

/* The zone whose records cover frame number @pfn, or NULL. */
struct pmm_zone *pmm_zone_of(uint64_t pfn);

/* The zones to try for allocation @flags, in order, into @order; returns how many. */
int pmm_zone_order(unsigned flags, int order[2]);

/* The record of frame number @pfn, or NULL when no zone covers it. */
struct pmm_frame *pmm_frame_of(uint64_t pfn);

/* True when @pfn belongs to a zone a flagless allocation may use (normal, dma32). */
bool pmm_cacheable(uint64_t pfn);

/*
 * Take up to @n single frames from the zones a flagless allocation uses,
 * marking their records cached. Returns how many were stored in @pfns.
 */
unsigned pmm_take_frames_locked(uint64_t *pfns, unsigned n) __must_hold(&pmm_lock);

/* Give @n cached frames back to their zones, clearing their records. */
void pmm_give_frames_locked(const uint64_t *pfns, unsigned n) __must_hold(&pmm_lock);

/* True when the zones hold @pfn as an allocated single frame (as they do a cached one). */
bool pmm_single_allocated_locked(uint64_t pfn) __must_hold(&pmm_lock);

/* Set up the caches' locks; pmm_init() calls it first. */
void pmm_cache_init(void);

/* Pop a frame from this CPU's cache, refilling it from the zones when empty: a pfn or BUDDY_NONE. */
uint64_t pmm_cache_alloc(void);

/* Push the single frame @pfn (a cacheable one, already unowned) on this CPU's cache. */
void pmm_cache_free(uint64_t pfn);

/* Hold every cache's lock, in CPU order (for a consistent count or check). */
void pmm_cache_lock_all(void) __no_thread_safety_analysis;
void pmm_cache_unlock_all(void) __no_thread_safety_analysis;

/* Frames in all caches, and a check of each; with pmm_cache_lock_all() and pmm_lock held. */
uint64_t pmm_cache_count_all_locked(void) __no_thread_safety_analysis;
int pmm_cache_check_all_locked(void) __no_thread_safety_analysis;
