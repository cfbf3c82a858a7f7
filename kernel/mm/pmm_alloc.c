// SPDX-License-Identifier: MIT
/*
 * Allocating and freeing frames (pmm.h): single frames through this CPU's
 * cache (pmm_cache.c), everything else from the zones' lib/buddy allocators
 * under pmm_lock. Every allocation is tracked in the record of its first
 * frame (a reference count, its size), and a free is checked against that
 * record before any allocator sees it.
 *
 * Locks: [Z] pmm_lock; records as in pmm.h.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "core/kmain.h"
#include "core/log.h"
#include "mm/pmm.h"
#include "mm/pmm_internal.h"
#include "sched/spinlock.h"

#define PMM_FLAGS_ALL      (PMM_ZONE_DMA | PMM_ZONE_DMA32 | PMM_ZERO | PMM_NOCACHE)
/* pmm_alloc_pages_reclaim()'s retries while the reclaimers still free something. */
#define PMM_RECLAIM_ROUNDS 16

unsigned pmm_take_frames_locked(uint64_t *pfns, unsigned n)
{
	unsigned got = 0;
	int order[2], nz = pmm_zone_order(0, order);

	for (int i = 0; i < nz; i++)
		while (got < n) {
			uint64_t pfn = buddy_alloc(&pmm_zones[order[i]].buddy, 0);

			if (pfn == BUDDY_NONE)
				break;
			__atomic_store_n(&pmm_frame_of(pfn)->flags, PMM_FRAME_CACHED,
			                 __ATOMIC_RELAXED);
			pfns[got++] = pfn;
		}
	return got;
}

void pmm_give_frames_locked(const uint64_t *pfns, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct pmm_zone *z = pmm_zone_of(pfns[i]);

		__atomic_store_n(&pmm_frame_of(pfns[i])->flags, 0, __ATOMIC_RELAXED);
		/* Only a broken cache could be refused; count it rather than lose track. */
		if (!z || buddy_free(&z->buddy, pfns[i], 0))
			__atomic_fetch_add(&pmm_bad_frees, 1, __ATOMIC_RELAXED);
	}
}

bool pmm_single_allocated_locked(uint64_t pfn)
{
	struct pmm_zone *z = pmm_zone_of(pfn);

	return z && buddy_is_allocated(&z->buddy, pfn, 0);
}

/* Allocate with @fn (one frame count or order in @arg) from the zones @flags allows. */
static uint64_t alloc_from_zones(uint64_t (*fn)(struct buddy *, uint64_t), uint64_t arg,
                                 unsigned flags)
{
	uint64_t pfn = BUDDY_NONE;
	int order[2], n = pmm_zone_order(flags, order);

	spin_lock(&pmm_lock);
	for (int i = 0; i < n && pfn == BUDDY_NONE; i++)
		pfn = fn(&pmm_zones[order[i]].buddy, arg);
	spin_unlock(&pmm_lock);
	return pfn;
}

static size_t (*shrinkers[PMM_SHRINKERS])(size_t bytes); /* [a] set once each at boot */

int pmm_register_shrinker(size_t (*fn)(size_t bytes))
{
	for (unsigned i = 0; i < PMM_SHRINKERS; i++) {
		size_t (*none)(size_t) = NULL;

		if (__atomic_compare_exchange_n(&shrinkers[i], &none, fn, false, __ATOMIC_RELEASE,
		                                __ATOMIC_RELAXED))
			return 0;
	}
	return -ENOSPC;
}

/* Ask the caches to give back about @npages frames (twice that: they may be scattered). */
static bool run_shrinkers(uint64_t npages)
{
	size_t freed = 0;

	for (unsigned i = 0; i < PMM_SHRINKERS; i++) {
		size_t (*fn)(size_t) = __atomic_load_n(&shrinkers[i], __ATOMIC_ACQUIRE);

		if (fn)
			freed += fn((size_t)npages * 2 * PAGE_SIZE);
	}
	if (freed)
		pmm_drain_caches();
	return freed != 0;
}

static size_t (*reclaimers[PMM_RECLAIMERS])(size_t bytes); /* [a] set once each at boot */

int pmm_register_reclaimer(size_t (*fn)(size_t bytes))
{
	for (unsigned i = 0; i < PMM_RECLAIMERS; i++) {
		size_t (*none)(size_t) = NULL;

		if (__atomic_compare_exchange_n(&reclaimers[i], &none, fn, false, __ATOMIC_RELEASE,
		                                __ATOMIC_RELAXED))
			return 0;
	}
	return -ENOSPC;
}

/* Ask the reclaimers for @npages frames (twice that, as run_shrinkers()); bytes freed. */
static size_t run_reclaimers(uint64_t npages)
{
	size_t freed = 0;

	for (unsigned i = 0; i < PMM_RECLAIMERS; i++) {
		size_t (*fn)(size_t) = __atomic_load_n(&reclaimers[i], __ATOMIC_ACQUIRE);

		if (fn)
			freed += fn((size_t)npages * 2 * PAGE_SIZE);
	}
	if (freed)
		pmm_drain_caches();
	return freed;
}

static uint64_t by_order(struct buddy *b, uint64_t order);

/* As alloc_from_zones(), but when the zones are short, empty the caches into them and retry. */
static uint64_t alloc_or_drain(uint64_t (*fn)(struct buddy *, uint64_t), uint64_t arg,
                               unsigned flags)
{
	uint64_t pfn = alloc_from_zones(fn, arg, flags);

	if (pfn != BUDDY_NONE || (flags & PMM_ZONE_DMA))
		return pfn;
	pmm_drain_caches();
	pfn = alloc_from_zones(fn, arg, flags);
	if (pfn != BUDDY_NONE || !run_shrinkers(fn == by_order ? (1ull << arg) : arg))
		return pfn;
	return alloc_from_zones(fn, arg, flags);
}

/* The record of a new allocation of @npages at @pfn: one reference, no owner yet. */
static uint64_t hand_out(uint64_t pfn, uint64_t npages, unsigned flags)
{
	struct pmm_frame *f;

	if (pfn == BUDDY_NONE)
		return 0;
	f = pmm_frame_of(pfn);
	f->owner = NULL;
	f->npages = (uint32_t)npages;
	__atomic_store_n(&f->refs, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&f->flags,
	                 PMM_FRAME_ALLOCATED | (flags & PMM_NOCACHE ? PMM_FRAME_NOCACHE : 0),
	                 __ATOMIC_RELEASE);
	if (flags & PMM_ZERO)
		memset(phys_to_virt(pfn << PAGE_SHIFT), 0, npages << PAGE_SHIFT);
	return pfn << PAGE_SHIFT;
}

static uint64_t by_order(struct buddy *b, uint64_t order)
{
	return buddy_alloc(b, (unsigned)order);
}

uint64_t pmm_alloc_pages(unsigned order, unsigned flags)
{
	uint64_t pfn = BUDDY_NONE;

	if (!pmm_initialized() || order > PMM_MAX_ORDER || (flags & ~PMM_FLAGS_ALL))
		return 0;
	if (order == 0 && !(flags & (PMM_ZONE_DMA | PMM_ZONE_DMA32 | PMM_NOCACHE)))
		pfn = pmm_cache_alloc();
	if (pfn == BUDDY_NONE)
		pfn = alloc_or_drain(by_order, order, flags);
	return hand_out(pfn, 1ull << order, flags);
}

/*
 * The shrinkers give up when a lock they need is busy (another CPU shrinking
 * or filling the cache), so a plain allocation can fail with plenty of
 * clean cache around. A caller that can sleep gets the reclaimers, which
 * wait for those locks and for writeback; other tasks may take what they
 * freed first, hence a few rounds while they keep freeing.
 */
uint64_t pmm_alloc_pages_reclaim(unsigned order, unsigned flags)
{
	uint64_t pa = pmm_alloc_pages(order, flags);

	for (unsigned round = 0; !pa && round < PMM_RECLAIM_ROUNDS; round++) {
		if (!run_reclaimers(1ull << order))
			return pmm_alloc_pages(order, flags);
		pa = pmm_alloc_pages(order, flags);
	}
	return pa;
}

uint64_t pmm_alloc_contig(size_t npages, unsigned flags)
{
	if (!pmm_initialized() || npages == 0 || npages > (1ull << PMM_MAX_ORDER) ||
	    (flags & ~PMM_FLAGS_ALL))
		return 0;
	return hand_out(alloc_or_drain(buddy_alloc_exact, npages, flags), npages, flags);
}

static void bad_free(uint64_t pa, uint64_t npages)
{
	__atomic_fetch_add(&pmm_bad_frees, 1, __ATOMIC_RELAXED);
	pr_err("pmm: refused to free %#llx, %llu pages: not an allocation of that size with one reference",
	       (unsigned long long)pa, (unsigned long long)npages);
}

/*
 * Return the @npages frames at @pfn, whose record was just cleared, to this
 * CPU's cache (a single frame not allocated with PMM_NOCACHE, @rec_flags are
 * the record's flags before) or to their zone. A refusal by the zone means
 * the records and the zone disagree; it is counted like a bad free.
 */
static void release(uint64_t pfn, uint64_t npages, uint32_t rec_flags)
{
	struct pmm_zone *z = pmm_zone_of(pfn);
	int err = -EINVAL;

	if (npages == 1 && !(rec_flags & PMM_FRAME_NOCACHE) && pmm_cacheable(pfn)) {
		pmm_cache_free(pfn);
		return;
	}
	spin_lock(&pmm_lock);
	if (z)
		err = buddy_free_exact(&z->buddy, pfn, npages);
	spin_unlock(&pmm_lock);
	if (err)
		bad_free(pfn << PAGE_SHIFT, npages);
}

/* Forget the allocation @f headed, now that its last reference is gone; returns its flags. */
static uint32_t clear_record(struct pmm_frame *f)
{
	f->owner = NULL;
	f->npages = 0;
	return __atomic_exchange_n(&f->flags, 0, __ATOMIC_ACQ_REL);
}

/*
 * Free through the record first: @pa must head an allocation of exactly
 * @npages whose only reference the caller holds. Taking that reference with
 * a compare-and-swap makes a racing second free fail rather than free twice.
 */
static void free_checked(uint64_t pa, uint64_t npages)
{
	struct pmm_frame *f = pmm_frame(pa);
	uint32_t one = 1;

	if (!pmm_initialized())
		return;
	if (!f || (pa & (PAGE_SIZE - 1)) || npages > (1ull << PMM_MAX_ORDER) ||
	    !(__atomic_load_n(&f->flags, __ATOMIC_ACQUIRE) & PMM_FRAME_ALLOCATED) ||
	    f->npages != npages ||
	    !__atomic_compare_exchange_n(&f->refs, &one, 0, false, __ATOMIC_ACQ_REL,
	                                 __ATOMIC_RELAXED)) {
		bad_free(pa, npages);
		return;
	}
	release(pa >> PAGE_SHIFT, npages, clear_record(f));
}

void pmm_free_pages(uint64_t pa, unsigned order)
{
	free_checked(pa, order <= PMM_MAX_ORDER ? 1ull << order : 0);
}

void pmm_free_contig(uint64_t pa, size_t npages)
{
	free_checked(pa, npages);
}

uint64_t pmm_alloc_frame(void)
{
	return pmm_alloc_pages(0, 0);
}

void pmm_free_frame(uint64_t pa)
{
	pmm_free_pages(pa, 0);
}

int pmm_frame_get(struct pmm_frame *f)
{
	uint32_t r = __atomic_load_n(&f->refs, __ATOMIC_RELAXED);

	do {
		if (r == 0)
			return -EINVAL;
		if (r == UINT32_MAX)
			return -EOVERFLOW;
	} while (!__atomic_compare_exchange_n(&f->refs, &r, r + 1, true, __ATOMIC_ACQUIRE,
	                                      __ATOMIC_RELAXED));
	return 0;
}

bool pmm_frame_put(struct pmm_frame *f)
{
	uint32_t r = __atomic_load_n(&f->refs, __ATOMIC_RELAXED);
	uint64_t npages;

	do {
		if (r == 0) {
			bad_free(pmm_frame_paddr(f), f->npages);
			return false;
		}
	} while (!__atomic_compare_exchange_n(&f->refs, &r, r - 1, true, __ATOMIC_ACQ_REL,
	                                      __ATOMIC_RELAXED));
	if (r > 1)
		return false;
	npages = f->npages;
	release(pmm_frame_paddr(f) >> PAGE_SHIFT, npages, clear_record(f));
	return true;
}
