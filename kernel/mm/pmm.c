// SPDX-License-Identifier: MIT
/*
 * The physical memory manager (pmm.h): turns the boot memory map into three
 * lib/buddy allocators, one per zone, over one array of struct pmm_frame
 * records (carved out of the first usable range large enough) that holds
 * their free lists, so the free frames themselves are never written. Single
 * frames go through the per-CPU caches of pmm_cache.c first.
 * docs/memory.md, "Physical frames", has the rules on what is never freed.
 *
 * Locks: [I] immutable after pmm_init(), [Z] pmm_lock, [a] atomic.
 */
#include "mm/pmm.h"

#include <cairn/errno.h>

#include <lib/memmap/memmap.h>
#include <lib/string.h>

#include "core/kmain.h"
#include "core/log.h"
#include "mm/pmm_internal.h"
#include "sched/spinlock.h"

#define DMA_LIMIT   (1ull << 20)
#define DMA32_LIMIT (1ull << 32)
/* The widest physical address x86_64 defines (Intel SDM Vol. 3A, 4.1.4: MAXPHYADDR <= 52). */
#define PHYS_LIMIT  (1ull << 52)

struct pmm_zone pmm_zones[PMM_NZONES] = {
	[PMM_DMA] = { .name = "dma", .start = 0, .end = DMA_LIMIT },
	[PMM_DMA32] = { .name = "dma32", .start = DMA_LIMIT, .end = DMA32_LIMIT },
	[PMM_NORMAL] = { .name = "normal", .start = DMA32_LIMIT, .end = PHYS_LIMIT },
};

static bool pmm_ready;     /* [I] set last by pmm_init(); read with __atomic */
static uint64_t meta_base; /* [I] physical address of the frame records */
static uint64_t meta_size; /* [I] bytes, whole frames */
static uint64_t ram_bytes; /* [I] RAM in the memory map, of any type */
static uint64_t unused;    /* [I] usable bytes beyond the direct-map limit */
uint64_t pmm_bad_frees;    /* [a] refused frees */

/* pmm_init()'s normalised copy of the memory map (too big for the stack). */
static struct boot_info map;

/* Interrupts stay off while it is held, so allocation is safe in IRQ context. */
struct spinlock pmm_lock = SPINLOCK_INIT("pmm");

/*
 * How far the direct map is known to reach: the UEFI and BIOS loaders map
 * all RAM, the direct-boot stub (boot32.S) only the first 4 GiB. The
 * allocator itself never touches a frame, but its callers reach what they
 * get through phys_to_virt(). The VM work will lift this once the kernel
 * builds its own direct map.
 */
static uint64_t direct_map_limit(const struct boot_info *bi)
{
	if (bi->method == BOOT_METHOD_UEFI || bi->method == BOOT_METHOD_BIOS)
		return PHYS_LIMIT;
	return DMA32_LIMIT;
}

/* The end of @r, saturating instead of wrapping. */
static uint64_t range_end(const struct boot_mem_range *r)
{
	return r->base + r->length < r->base ? UINT64_MAX : r->base + r->length;
}

/*
 * Clip usable range @r to whole frames inside [PAGE, @limit), never trusting
 * that base + length does not wrap. Returns false when nothing is left.
 */
static bool clip(const struct boot_mem_range *r, uint64_t limit, uint64_t *start, uint64_t *end)
{
	uint64_t s = r->base, e = range_end(r);

	if (r->length == 0 || r->type != BOOT_MEM_USABLE)
		return false;
	if (e > limit)
		e = limit;
	s = (s + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	e &= ~(PAGE_SIZE - 1);
	if (s < PAGE_SIZE)
		s = PAGE_SIZE; /* frame 0 stays reserved: 0 means "no frame" */
	if (s >= limit || e <= s)
		return false;
	*start = s;
	*end = e;
	return true;
}

static bool is_ram(uint32_t type)
{
	return type != BOOT_MEM_RESERVED && type != BOOT_MEM_BAD;
}

/*
 * Copy @bi's map and normalise it again (sorted, page-aligned, overlaps
 * resolved so that usable never hides another type): loaders already do,
 * but the map came from firmware and pmm must not trust it.
 */
static void load_map(const struct boot_info *bi, uint64_t limit)
{
	uint32_t n = bi->mmap_count < BOOT_MMAP_MAX ? bi->mmap_count : BOOT_MMAP_MAX;

	memcpy(map.mmap, bi->mmap, n * sizeof(map.mmap[0]));
	map.mmap_count = n;
	memmap_boot_finish(&map);
	ram_bytes = unused = 0;
	for (uint32_t i = 0; i < map.mmap_count; i++) {
		const struct boot_mem_range *r = &map.mmap[i];
		uint64_t end = range_end(r);

		if (is_ram(r->type))
			ram_bytes += end - r->base;
		if (r->type == BOOT_MEM_USABLE && end > limit)
			unused += end - (r->base > limit ? r->base : limit);
	}
}

/* The lowest and highest usable frame of zone @z, as its allocator's span. */
static void zone_span(const struct pmm_zone *z, uint64_t limit, uint64_t *lo, uint64_t *hi)
{
	uint64_t s, e;

	*lo = UINT64_MAX;
	*hi = 0;
	for (uint32_t i = 0; i < map.mmap_count; i++) {
		if (!clip(&map.mmap[i], limit, &s, &e) || e <= z->start || s >= z->end)
			continue;
		s = s > z->start ? s : z->start;
		e = e < z->end ? e : z->end;
		*lo = s < *lo ? s : *lo;
		*hi = e > *hi ? e : *hi;
	}
	if (*lo >= *hi)
		*lo = *hi = 0;
}

/*
 * Find @size bytes for the metadata: the start of the first usable range
 * that holds them, above 1 MiB if possible so the DMA zone stays whole.
 */
static uint64_t find_meta(uint64_t size, uint64_t limit)
{
	static const uint64_t floors[] = { DMA_LIMIT, PAGE_SIZE };
	uint64_t s, e;

	for (unsigned f = 0; f < 2; f++)
		for (uint32_t i = 0; i < map.mmap_count; i++) {
			if (!clip(&map.mmap[i], limit, &s, &e))
				continue;
			s = s > floors[f] ? s : floors[f];
			if (e > s && e - s >= size)
				return s;
		}
	return 0;
}

/*
 * Set up each zone's allocator over its span, with the records of all zones
 * in one block. The records start zeroed: no flags, no references, no owner.
 */
static int init_zones(uint64_t limit)
{
	uint64_t lo[PMM_NZONES], hi[PMM_NZONES], nframes = 0;
	struct pmm_frame *rec;

	for (int z = 0; z < PMM_NZONES; z++) {
		zone_span(&pmm_zones[z], limit, &lo[z], &hi[z]);
		nframes += (hi[z] - lo[z]) >> PAGE_SHIFT;
	}
	if (nframes == 0)
		return -ENOMEM;
	meta_size = (nframes * sizeof(struct pmm_frame) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	meta_base = find_meta(meta_size, limit);
	if (!meta_base)
		return -ENOMEM;
	rec = phys_to_virt(meta_base);
	memset(rec, 0, meta_size);
	for (int z = 0; z < PMM_NZONES; z++) {
		struct pmm_zone *zn = &pmm_zones[z];
		struct buddy_params p = {
			.base_pfn = lo[z] >> PAGE_SHIFT,
			.npages = (hi[z] - lo[z]) >> PAGE_SHIFT,
			.nodes = &rec->buddy,
			.stride = sizeof(struct pmm_frame),
		};

		if (buddy_init(&zn->buddy, &p))
			return -ENOMEM;
		zn->base_pfn = p.base_pfn;
		zn->npages = p.npages;
		zn->frames = rec;
		rec += p.npages;
	}
	return 0;
}

/* Give [@s, @e) to the zones it overlaps. */
static void add_free(uint64_t s, uint64_t e)
{
	for (int z = 0; z < PMM_NZONES; z++) {
		uint64_t zs = s > pmm_zones[z].start ? s : pmm_zones[z].start;
		uint64_t ze = e < pmm_zones[z].end ? e : pmm_zones[z].end;

		if (ze <= zs)
			continue;
		if (buddy_add_free_range(&pmm_zones[z].buddy, zs >> PAGE_SHIFT,
		                         (ze - zs) >> PAGE_SHIFT))
			pr_warn("pmm: cannot add %#llx-%#llx to zone %s", (unsigned long long)zs,
			        (unsigned long long)ze - 1, pmm_zones[z].name);
	}
}

/* Free every usable frame except the metadata's. */
static void add_usable(uint64_t limit)
{
	uint64_t s, e, ms = meta_base, me = meta_base + meta_size;

	for (uint32_t i = 0; i < map.mmap_count; i++) {
		if (!clip(&map.mmap[i], limit, &s, &e))
			continue;
		if (e <= ms || s >= me) {
			add_free(s, e);
			continue;
		}
		if (s < ms)
			add_free(s, ms);
		if (e > me)
			add_free(me, e);
	}
}

/* Tenths of a MiB, for the log (the kernel prints no floating point). */
static unsigned long long mib10(uint64_t bytes)
{
	return (unsigned long long)((bytes * 10) >> 20);
}

static void log_summary(uint64_t limit)
{
	struct pmm_stats st;

	pmm_stats(&st);
	pr_info("pmm: %llu.%llu MiB free in %d zones (dma %llu.%llu MiB, dma32 %llu.%llu MiB, normal %llu.%llu MiB), %llu KiB of frame records",
	        mib10(st.free) / 10, mib10(st.free) % 10, PMM_NZONES,
	        mib10(st.zone[PMM_DMA].free) / 10, mib10(st.zone[PMM_DMA].free) % 10,
	        mib10(st.zone[PMM_DMA32].free) / 10, mib10(st.zone[PMM_DMA32].free) % 10,
	        mib10(st.zone[PMM_NORMAL].free) / 10, mib10(st.zone[PMM_NORMAL].free) % 10,
	        (unsigned long long)st.meta_size >> 10);
	if (st.unused)
		pr_info("pmm: %llu MiB above %llu GiB left unused: this boot path maps only that much",
		        (unsigned long long)st.unused >> 20, (unsigned long long)limit >> 30);
}

int pmm_init(const struct boot_info *bi)
{
	uint64_t limit = direct_map_limit(bi);
	int err;

	if (pmm_initialized())
		return -EBUSY;
	pmm_cache_init();
	load_map(bi, limit);
	err = init_zones(limit);
	if (err) {
		pr_err("pmm: no usable memory for the frame allocator");
		return err;
	}
	add_usable(limit);
	__atomic_store_n(&pmm_ready, true, __ATOMIC_RELEASE);
	log_summary(limit);
	return 0;
}

bool pmm_initialized(void)
{
	return __atomic_load_n(&pmm_ready, __ATOMIC_ACQUIRE);
}

int pmm_zone_order(unsigned flags, int order[2])
{
	if (flags & PMM_ZONE_DMA) {
		order[0] = PMM_DMA;
		return 1;
	}
	order[0] = PMM_DMA32;
	if (flags & PMM_ZONE_DMA32)
		return 1;
	/* Normal memory first, so DMA32 lasts for the devices that need it. */
	order[0] = PMM_NORMAL;
	order[1] = PMM_DMA32;
	return 2;
}

struct pmm_zone *pmm_zone_of(uint64_t pfn)
{
	for (int z = 0; z < PMM_NZONES; z++)
		if (pfn - pmm_zones[z].base_pfn < pmm_zones[z].npages)
			return &pmm_zones[z];
	return NULL;
}

struct pmm_frame *pmm_frame_of(uint64_t pfn)
{
	struct pmm_zone *z = pmm_zone_of(pfn);

	return z ? &z->frames[pfn - z->base_pfn] : NULL;
}

struct pmm_frame *pmm_frame(uint64_t pa)
{
	if (!pmm_initialized() || (pa >> PAGE_SHIFT) >= BUDDY_PFN_LIMIT)
		return NULL;
	return pmm_frame_of(pa >> PAGE_SHIFT);
}

uint64_t pmm_frame_paddr(const struct pmm_frame *f)
{
	for (int z = 0; z < PMM_NZONES; z++)
		if (f >= pmm_zones[z].frames && f < pmm_zones[z].frames + pmm_zones[z].npages)
			return (pmm_zones[z].base_pfn + (uint64_t)(f - pmm_zones[z].frames))
			       << PAGE_SHIFT;
	return 0;
}

bool pmm_cacheable(uint64_t pfn)
{
	struct pmm_zone *z = pmm_zone_of(pfn);

	return z == &pmm_zones[PMM_NORMAL] || z == &pmm_zones[PMM_DMA32];
}

/* The zones' counters into @st; pmm_lock held. */
static void zone_stats_locked(struct pmm_stats *st) __must_hold(&pmm_lock);

static void zone_stats_locked(struct pmm_stats *st)
{
	for (int z = 0; z < PMM_NZONES; z++) {
		struct buddy_stats bs;

		buddy_stats(&pmm_zones[z].buddy, &bs);
		st->zone[z].total = bs.total << PAGE_SHIFT;
		st->zone[z].free = bs.free << PAGE_SHIFT;
		for (int k = 0; k < BUDDY_ORDERS; k++)
			st->zone[z].free_blocks[k] = bs.free_blocks[k];
		st->total += st->zone[z].total;
		st->free += st->zone[z].free;
		st->corruptions += bs.corruptions;
	}
}

void pmm_stats(struct pmm_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!pmm_initialized())
		return;
	/* Every cache and the zones at once, so no frame is counted twice or missed. */
	pmm_cache_lock_all();
	spin_lock(&pmm_lock);
	zone_stats_locked(st);
	st->cached = pmm_cache_count_all_locked() << PAGE_SHIFT;
	spin_unlock(&pmm_lock);
	pmm_cache_unlock_all();
	st->free += st->cached;
	st->bad_frees = __atomic_load_n(&pmm_bad_frees, __ATOMIC_RELAXED);
	st->reserved = ram_bytes > st->total ? ram_bytes - st->total : 0;
	st->unused = unused;
	st->meta_base = meta_base;
	st->meta_size = meta_size;
}

/* Records marked cached, in every zone: they must be exactly the frames in the caches. */
static uint64_t count_cached_records(void)
{
	uint64_t n = 0;

	for (int z = 0; z < PMM_NZONES; z++)
		for (uint64_t i = 0; i < pmm_zones[z].npages; i++)
			if (__atomic_load_n(&pmm_zones[z].frames[i].flags, __ATOMIC_RELAXED) &
			    PMM_FRAME_CACHED)
				n++;
	return n;
}

int pmm_check(void)
{
	int err = 0;

	if (!pmm_initialized())
		return -EINVAL;
	pmm_cache_lock_all();
	spin_lock(&pmm_lock);
	for (int z = 0; z < PMM_NZONES && !err; z++)
		err = buddy_check(&pmm_zones[z].buddy);
	if (!err)
		err = pmm_cache_check_all_locked();
	if (!err && count_cached_records() != pmm_cache_count_all_locked())
		err = -EINVAL;
	spin_unlock(&pmm_lock);
	pmm_cache_unlock_all();
	return err;
}
