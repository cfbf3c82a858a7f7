/* SPDX-License-Identifier: MIT */
/*
 * The physical memory manager: 4 KiB frames from the boot memory map, in
 * three zones (DMA below 1 MiB, DMA32 below 4 GiB, normal above), each a
 * lib/buddy allocator, with one struct pmm_frame record per frame and a
 * small per-CPU cache of single frames in front. Addresses are physical;
 * reach the memory through phys_to_virt(). See docs/memory.md, "Physical
 * frames".
 */
#pragma once

#include <cairn/boot.h>
#include <cairn/compiler.h>

#include <arch/page.h>
#include <lib/buddy/buddy.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A frame is one page (PAGE_SIZE, <arch/page.h>). */
#define PMM_MAX_ORDER BUDDY_MAX_ORDER /* largest block: 2^10 frames, 4 MiB */

/* Flags of pmm_alloc_pages(). Without a zone flag: normal, then DMA32. */
#define PMM_ZONE_DMA   (1u << 0) /* below 1 MiB only (real-mode trampolines, ISA DMA) */
#define PMM_ZONE_DMA32 (1u << 1) /* below 4 GiB only (32-bit DMA, 32-bit code) */
#define PMM_ZERO       (1u << 2) /* fill the block with zeros */
#define PMM_NOCACHE    (1u << 3) /* a single frame from the zones, and back to them when freed */

/*
 * One record per frame of each zone's span, in an array set up by
 * pmm_init(); pmm_frame() finds it. 32 bytes, so 0.8% of memory.
 * Locks: [Z] the pmm lock, [a] atomic, [U] the frame's user while it is
 * allocated (the allocator's while it is free).
 */
struct pmm_frame {
	struct buddy_node buddy; /* [Z] lib/buddy's: free-list links, block head, order */
	uint32_t refs;           /* [a] references while allocated; 0 while free */
	uint32_t flags;          /* [a] PMM_FRAME_* */
	uint32_t npages;         /* [U] frames in the allocation this frame heads, else 0 */
	void *owner;             /* [U] what the frame belongs to (a mapping, a cache) or NULL */
};

_Static_assert(sizeof(struct pmm_frame) == 32, "a frame's record stays small");

/* pmm_frame.flags: on the first frame of an allocation, or a cached frame. */
#define PMM_FRAME_ALLOCATED (1u << 0) /* heads an allocation handed out */
#define PMM_FRAME_CACHED    (1u << 1) /* free, held in a CPU's frame cache */
#define PMM_FRAME_NOCACHE   (1u << 2) /* allocated with PMM_NOCACHE: freed to its zone */

/* Single frames each CPU keeps in front of the pmm lock, and how many move at a time. */
#define PMM_CACHE_SIZE  64
#define PMM_CACHE_BATCH 16

enum pmm_zone_id {
	PMM_DMA = 0,    /* [0, 1 MiB) */
	PMM_DMA32 = 1,  /* [1 MiB, 4 GiB) */
	PMM_NORMAL = 2, /* [4 GiB, ...) */
	PMM_NZONES = 3,
};

struct pmm_zone_stats {
	uint64_t total;                     /* bytes the zone manages (free or allocated) */
	uint64_t free;                      /* bytes free in the zone's allocator */
	uint64_t free_blocks[BUDDY_ORDERS]; /* free blocks of each order */
};

struct pmm_stats {
	uint64_t total;       /* bytes managed by all zones */
	uint64_t free;        /* bytes free: in all zones, plus in the CPUs' caches */
	uint64_t cached;      /* bytes free in the CPUs' frame caches (not in zone[].free) */
	uint64_t reserved;    /* bytes of RAM never handed out: see docs/memory.md */
	uint64_t unused;      /* usable bytes left out because the direct map may not reach them */
	uint64_t meta_base;   /* physical address of the frame records */
	uint64_t meta_size;   /* their size in bytes (whole frames) */
	uint64_t bad_frees;   /* pmm_free_*() calls refused (double free, wrong order...) */
	uint64_t corruptions; /* free lists found damaged and taken out of use */
	struct pmm_zone_stats zone[PMM_NZONES];
};

/*
 * Build the allocator from @bi's memory map: only BOOT_MEM_USABLE frames
 * become free, never frame 0, and below 4 GiB only unless a loader that maps
 * all RAM (UEFI, BIOS) booted us. Logs one summary line. Call once, early,
 * on the boot CPU. Returns 0, -EBUSY when already initialised, or -ENOMEM
 * when there is no usable memory or no room for the metadata.
 */
int pmm_init(const struct boot_info *bi) __must_check;

/* True once pmm_init() has succeeded. */
bool pmm_initialized(void);

/*
 * Allocate 2^@order contiguous frames aligned to their size, with PMM_* @flags.
 * Returns the physical address, or 0 when none are free, @order is above
 * PMM_MAX_ORDER or @flags holds an unknown bit (frame 0 is never handed out).
 * The first frame's record gets one reference. Single frames without a zone
 * flag come from this CPU's cache; the rest takes the pmm lock. Interrupts
 * are off under either lock; safe in IRQ context; never sleeps.
 */
uint64_t pmm_alloc_pages(unsigned order, unsigned flags);

/*
 * Free a block pmm_alloc_pages() returned with the same @order, holding its
 * only reference. A bad free (double free, wrong order, an address never
 * allocated, a frame others still reference) changes nothing; it is logged
 * and counted in pmm_stats.bad_frees. Same locking as above.
 */
void pmm_free_pages(uint64_t pa, unsigned order);

/* One frame, with no flags: pmm_alloc_pages(0, 0) and pmm_free_pages(pa, 0). */
uint64_t pmm_alloc_frame(void);
void pmm_free_frame(uint64_t pa);

/*
 * Allocate exactly @npages (1 .. 2^PMM_MAX_ORDER) contiguous frames, aligned
 * to the next power of two; the rest of that block stays free. Returns the
 * physical address or 0. Free with pmm_free_contig() and the same @npages.
 */
uint64_t pmm_alloc_contig(size_t npages, unsigned flags);
void pmm_free_contig(uint64_t pa, size_t npages);

/*
 * The record of the frame at @pa, or NULL when no zone covers it (frame 0
 * has none either). Records of reserved frames exist but never change.
 */
struct pmm_frame *pmm_frame(uint64_t pa);

/* The physical address of the frame @f is the record of. */
uint64_t pmm_frame_paddr(const struct pmm_frame *f);

/*
 * Take one more reference to the allocation @f heads (for sharing, such as
 * copy-on-write). Returns 0, -EINVAL when @f heads no allocation (its
 * count is 0) or -EOVERFLOW at 2^32 - 1 references. Atomic; any context.
 */
int pmm_frame_get(struct pmm_frame *f) __must_check;

/*
 * Drop a reference to the allocation @f heads; the last one frees it, as
 * pmm_free_contig() would. Returns true when that freed it. Dropping a
 * reference nobody holds is a bad free (logged, counted, nothing changes).
 * Any context; never sleeps.
 */
bool pmm_frame_put(struct pmm_frame *f);

/*
 * Give every frame in every CPU's cache back to the zones, so the zones'
 * free counts and blocks are whole again. Allocation does this by itself
 * before it gives up. Takes each cache lock in turn, then the pmm lock.
 */
void pmm_drain_caches(void);

/*
 * Register @fn to free memory when an allocation is about to fail: it is
 * asked for about @bytes, returns what it freed, and runs in whatever
 * context the allocation does (maybe under the heap lock, maybe with
 * interrupts off), so it must not sleep, must take its locks by trylock
 * and must not free heap memory. Returns 0, or -ENOSPC when the table
 * (PMM_SHRINKERS) is full. Boot, task context.
 */
#define PMM_SHRINKERS 4
int __must_check pmm_register_shrinker(size_t (*fn)(size_t bytes));

/*
 * Register @fn to reclaim memory for pmm_alloc_pages_reclaim(): it is asked
 * for about @bytes and returns what it freed, in task context with no
 * spinlock held, so unlike a shrinker it may wait for its locks and for
 * writeback. Returns 0, or -ENOSPC when the table (PMM_RECLAIMERS) is full.
 */
#define PMM_RECLAIMERS 4
int __must_check pmm_register_reclaimer(size_t (*fn)(size_t bytes));

/*
 * As pmm_alloc_pages(), for callers that can sleep (task context,
 * interrupts on, no spinlock held): where pmm_alloc_pages() would fail,
 * the reclaimers run and the allocation is retried, waiting a little while
 * dirty data is written back. Fails (0) only when nothing more can be freed.
 */
uint64_t __must_check pmm_alloc_pages_reclaim(unsigned order, unsigned flags);

/* Fill @st with the current counters (all zero before pmm_init()). */
void pmm_stats(struct pmm_stats *st);

/*
 * Check every zone's allocator invariants (lib/buddy buddy_check()) and
 * that each cached frame is one the zones hold as allocated and its record
 * says cached. Returns 0 or -EINVAL. O(frames) with the locks held: for
 * tests only.
 */
int pmm_check(void) __must_check;
