// SPDX-License-Identifier: MIT
/*
 * The physical memory manager (pmm.h): turns the boot memory map into three
 * lib/buddy allocators, one per zone, whose free lists live in the free
 * frames themselves (reached through the direct map) and whose one byte of
 * metadata per frame is carved out of the first usable range large enough.
 * docs/memory.md, "Physical frames", has the rules on what is never freed.
 *
 * Locks: [I] immutable after pmm_init(), [L] pmm_lock.
 */
#include "mm/pmm.h"

#include <cairn/errno.h>

#include <arch/cpu.h>
#include <lib/memmap/memmap.h>
#include <lib/string.h>

#include "core/kmain.h"
#include "core/log.h"

#define DMA_LIMIT   (1ull << 20)
#define DMA32_LIMIT (1ull << 32)
/* The widest physical address x86_64 defines (Intel SDM Vol. 3A, 4.1.4: MAXPHYADDR <= 52). */
#define PHYS_LIMIT  (1ull << 52)

#define PMM_FLAGS_ALL (PMM_ZONE_DMA | PMM_ZONE_DMA32 | PMM_ZERO)

struct pmm_zone {
	const char *name;   /* [I] for the log */
	uint64_t start;     /* [I] first physical address of the zone */
	uint64_t end;       /* [I] first address above it */
	struct buddy buddy; /* [L] its frames */
};

static struct pmm_zone zones[PMM_NZONES] = {
	[PMM_DMA] = { .name = "dma", .start = 0, .end = DMA_LIMIT },
	[PMM_DMA32] = { .name = "dma32", .start = DMA_LIMIT, .end = DMA32_LIMIT },
	[PMM_NORMAL] = { .name = "normal", .start = DMA32_LIMIT, .end = PHYS_LIMIT },
};

static bool pmm_ready;     /* [I] set last by pmm_init(); read with __atomic */
static uint64_t meta_base; /* [I] physical address of the metadata */
static uint64_t meta_size; /* [I] bytes, whole frames */
static uint64_t ram_bytes; /* [I] RAM in the memory map, of any type */
static uint64_t unused;    /* [I] usable bytes beyond the direct-map limit */
static uint64_t bad_frees; /* [L] refused frees */

/* pmm_init()'s normalised copy of the memory map (too big for the stack). */
static struct boot_info map;

/*
 * The lock. There is no kernel spinlock yet (it comes with SMP, in
 * kernel/sched); until then a test-and-set lock that keeps interrupts off
 * on this CPU while it is held. TODO(sched): replace with struct spinlock.
 */
static uint8_t pmm_lock_word; /* [a] 1 while held */

static uint64_t pmm_lock(void)
{
	uint64_t flags = x86_read_rflags();

	x86_cli();
	while (__atomic_test_and_set(&pmm_lock_word, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&pmm_lock_word, __ATOMIC_RELAXED))
			x86_pause();
	return flags;
}

static void pmm_unlock(uint64_t flags)
{
	__atomic_clear(&pmm_lock_word, __ATOMIC_RELEASE);
	/* Interrupts back on only if they were on: restore the saved RFLAGS.IF. */
	if (flags & X86_RFLAGS_IF)
		__builtin_ia32_writeeflags_u64(x86_read_rflags() | X86_RFLAGS_IF);
}

static void *frame_ptr(void *ctx, uint64_t pfn)
{
	return phys_to_virt(pfn << PMM_PAGE_SHIFT);
}

/*
 * How far the direct map is known to reach: the UEFI and BIOS loaders map
 * all RAM, the direct-boot stub (boot32.S) only the first 4 GiB. The VM
 * work will lift this once the kernel builds its own direct map.
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
	s = (s + PMM_PAGE_SIZE - 1) & ~(PMM_PAGE_SIZE - 1);
	e &= ~(PMM_PAGE_SIZE - 1);
	if (s < PMM_PAGE_SIZE)
		s = PMM_PAGE_SIZE; /* frame 0 stays reserved: 0 means "no frame" */
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
	static const uint64_t floors[] = { DMA_LIMIT, PMM_PAGE_SIZE };
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

/* Set up each zone's allocator over its span, with metadata in one block. */
static int init_zones(uint64_t limit)
{
	uint64_t lo[PMM_NZONES], hi[PMM_NZONES], off = 0;

	meta_size = 0;
	for (int z = 0; z < PMM_NZONES; z++) {
		zone_span(&zones[z], limit, &lo[z], &hi[z]);
		meta_size += buddy_meta_size((hi[z] - lo[z]) >> PMM_PAGE_SHIFT);
	}
	if (meta_size == 0)
		return -ENOMEM;
	meta_size = (meta_size + PMM_PAGE_SIZE - 1) & ~(PMM_PAGE_SIZE - 1);
	meta_base = find_meta(meta_size, limit);
	if (!meta_base)
		return -ENOMEM;
	for (int z = 0; z < PMM_NZONES; z++) {
		struct buddy_params p = {
			.base_pfn = lo[z] >> PMM_PAGE_SHIFT,
			.npages = (hi[z] - lo[z]) >> PMM_PAGE_SHIFT,
			.meta = (uint8_t *)phys_to_virt(meta_base) + off,
			.frame_ptr = frame_ptr,
		};

		if (buddy_init(&zones[z].buddy, &p))
			return -ENOMEM;
		off += buddy_meta_size(p.npages);
	}
	return 0;
}

/* Give [@s, @e) to the zones it overlaps. */
static void add_free(uint64_t s, uint64_t e)
{
	for (int z = 0; z < PMM_NZONES; z++) {
		uint64_t zs = s > zones[z].start ? s : zones[z].start;
		uint64_t ze = e < zones[z].end ? e : zones[z].end;

		if (ze <= zs)
			continue;
		if (buddy_add_free_range(&zones[z].buddy, zs >> PMM_PAGE_SHIFT,
		                         (ze - zs) >> PMM_PAGE_SHIFT))
			pr_warn("pmm: cannot add %#llx-%#llx to zone %s", (unsigned long long)zs,
			        (unsigned long long)ze - 1, zones[z].name);
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
	pr_info("pmm: %llu.%llu MiB free in %d zones (dma %llu.%llu MiB, dma32 %llu.%llu MiB, normal %llu.%llu MiB), %llu KiB metadata",
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

/* The zones to try for @flags, in order; returns how many. */
static int zone_order(unsigned flags, int order[2])
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

/* Allocate with @fn (one frame count or order in @arg) from the zones @flags allows. */
static uint64_t alloc_from_zones(uint64_t (*fn)(struct buddy *, uint64_t), uint64_t arg,
                                 unsigned flags)
{
	uint64_t pfn = BUDDY_NONE, lock;
	int order[2], n;

	if (!pmm_initialized() || (flags & ~PMM_FLAGS_ALL))
		return 0;
	n = zone_order(flags, order);
	lock = pmm_lock();
	for (int i = 0; i < n && pfn == BUDDY_NONE; i++)
		pfn = fn(&zones[order[i]].buddy, arg);
	pmm_unlock(lock);
	return pfn == BUDDY_NONE ? 0 : pfn << PMM_PAGE_SHIFT;
}

static uint64_t by_order(struct buddy *b, uint64_t order)
{
	return buddy_alloc(b, (unsigned)order);
}

uint64_t pmm_alloc_pages(unsigned order, unsigned flags)
{
	uint64_t pa;

	if (order > PMM_MAX_ORDER)
		return 0;
	pa = alloc_from_zones(by_order, order, flags);
	if (pa && (flags & PMM_ZERO))
		memset(phys_to_virt(pa), 0, PMM_PAGE_SIZE << order);
	return pa;
}

uint64_t pmm_alloc_contig(size_t npages, unsigned flags)
{
	uint64_t pa;

	if (npages == 0 || npages > (1ull << PMM_MAX_ORDER))
		return 0;
	pa = alloc_from_zones(buddy_alloc_exact, npages, flags);
	if (pa && (flags & PMM_ZERO))
		memset(phys_to_virt(pa), 0, npages << PMM_PAGE_SHIFT);
	return pa;
}

static struct pmm_zone *zone_of(uint64_t pa)
{
	for (int z = 0; z < PMM_NZONES; z++)
		if (pa >= zones[z].start && pa < zones[z].end)
			return &zones[z];
	return NULL;
}

/*
 * Free through lib/buddy, which refuses anything that is not exactly an
 * allocated block (or run) and then changes nothing.
 */
static void free_checked(uint64_t pa, uint64_t n, bool exact)
{
	struct pmm_zone *z = zone_of(pa);
	int err = -EINVAL;
	uint64_t lock;

	if (!pmm_initialized())
		return;
	lock = pmm_lock();
	if (z && (pa & (PMM_PAGE_SIZE - 1)) == 0)
		err = exact ? buddy_free_exact(&z->buddy, pa >> PMM_PAGE_SHIFT, n)
		            : buddy_free(&z->buddy, pa >> PMM_PAGE_SHIFT, (unsigned)n);
	if (err)
		bad_frees++;
	pmm_unlock(lock);
	if (err)
		pr_err("pmm: refused to free %#llx %s %llu: not an allocated block of that size",
		       (unsigned long long)pa, exact ? "pages" : "order", (unsigned long long)n);
}

void pmm_free_pages(uint64_t pa, unsigned order)
{
	free_checked(pa, order, false);
}

void pmm_free_contig(uint64_t pa, size_t npages)
{
	free_checked(pa, npages, true);
}

uint64_t pmm_alloc_frame(void)
{
	return pmm_alloc_pages(0, 0);
}

void pmm_free_frame(uint64_t pa)
{
	pmm_free_pages(pa, 0);
}

void pmm_stats(struct pmm_stats *st)
{
	uint64_t lock;

	memset(st, 0, sizeof(*st));
	if (!pmm_initialized())
		return;
	lock = pmm_lock();
	for (int z = 0; z < PMM_NZONES; z++) {
		struct buddy_stats bs;

		buddy_stats(&zones[z].buddy, &bs);
		st->zone[z].total = bs.total << PMM_PAGE_SHIFT;
		st->zone[z].free = bs.free << PMM_PAGE_SHIFT;
		for (int k = 0; k < BUDDY_ORDERS; k++)
			st->zone[z].free_blocks[k] = bs.free_blocks[k];
		st->total += st->zone[z].total;
		st->free += st->zone[z].free;
		st->corruptions += bs.corruptions;
	}
	st->bad_frees = bad_frees;
	pmm_unlock(lock);
	st->reserved = ram_bytes > st->total ? ram_bytes - st->total : 0;
	st->unused = unused;
	st->meta_base = meta_base;
	st->meta_size = meta_size;
}

int pmm_check(void)
{
	uint64_t lock;
	int err = 0;

	if (!pmm_initialized())
		return -EINVAL;
	lock = pmm_lock();
	for (int z = 0; z < PMM_NZONES && !err; z++)
		err = buddy_check(&zones[z].buddy);
	pmm_unlock(lock);
	return err;
}
