/* SPDX-License-Identifier: MIT */
/*
 * Building the boot_info memory map: loaders add firmware ranges in any
 * order and with any alignment; loader_finish_mmap() turns them into the
 * sorted, page-aligned, non-overlapping list the boot protocol promises.
 */
#include <lib/string.h>

#include "boot/common/internal.h"
#include "boot/common/loader.h"

/* Scratch for loader_finish_mmap(); the loaders are single-threaded. */
static struct boot_mem_range mmap_out[BOOT_MMAP_MAX];

/*
 * How careful the kernel must be with a type: where ranges overlap the
 * higher rank wins, so usable RAM never hides anything else.
 */
static unsigned mem_rank(uint32_t type)
{
	switch (type) {
	case BOOT_MEM_USABLE:
		return 0;
	case BOOT_MEM_LOADER:
		return 1;
	case BOOT_MEM_INITRD:
		return 2;
	case BOOT_MEM_KERNEL:
		return 3;
	case BOOT_MEM_ACPI_RECLAIMABLE:
		return 4;
	case BOOT_MEM_FIRMWARE:
		return 5;
	case BOOT_MEM_ACPI_NVS:
		return 6;
	case BOOT_MEM_BAD:
		return 7;
	default:
		return 8; /* BOOT_MEM_RESERVED and anything unknown */
	}
}

/* Page-align a range: usable RAM shrinks inward, everything else grows outward. */
static bool align_range(struct boot_mem_range *r)
{
	uint64_t end = r->base + r->length;

	if (end < r->base)
		end = UINT64_MAX;
	if (r->type == BOOT_MEM_USABLE) {
		r->base = ldr_page_up(r->base);
		end = ldr_page_down(end);
	} else {
		r->base = ldr_page_down(r->base);
		end = end > UINT64_MAX - LDR_PAGE_SIZE ? ldr_page_down(UINT64_MAX)
		                                       : ldr_page_up(end);
	}
	if (end <= r->base)
		return false;
	r->length = end - r->base;
	return true;
}

/* The smallest range start or end above @p, or UINT64_MAX when none is. */
static uint64_t next_boundary(const struct boot_info *bi, uint64_t p)
{
	uint64_t best = UINT64_MAX;

	for (uint32_t i = 0; i < bi->mmap_count; i++) {
		uint64_t b = bi->mmap[i].base, e = b + bi->mmap[i].length;

		if (b > p && b < best)
			best = b;
		if (e > p && e < best)
			best = e;
	}
	return best;
}

/* The winning type at address @p, or 0 when no range covers it. */
static uint32_t type_at(const struct boot_info *bi, uint64_t p)
{
	uint32_t type = 0;

	for (uint32_t i = 0; i < bi->mmap_count; i++) {
		const struct boot_mem_range *r = &bi->mmap[i];

		if (p < r->base || p - r->base >= r->length)
			continue;
		if (type == 0 || mem_rank(r->type) > mem_rank(type))
			type = r->type;
	}
	return type;
}

/* Append [base, end) of @type to mmap_out, extending the last range if it touches. */
static void emit(uint32_t *n, uint64_t base, uint64_t end, uint32_t type)
{
	struct boot_mem_range *last = *n ? &mmap_out[*n - 1] : NULL;

	if (last && last->type == type && last->base + last->length == base) {
		last->length += end - base;
		return;
	}
	if (*n == BOOT_MMAP_MAX)
		return; /* cannot happen with sane firmware; the tail is dropped */
	mmap_out[*n] = (struct boot_mem_range){ .base = base, .length = end - base, .type = type };
	(*n)++;
}

/* Align every range and drop the ones that vanish. */
static void align_all(struct boot_info *bi)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < bi->mmap_count; i++) {
		struct boot_mem_range r = bi->mmap[i];

		if (align_range(&r))
			bi->mmap[n++] = r;
	}
	bi->mmap_count = n;
}

/*
 * Sweep over every range boundary in address order; between two boundaries
 * the memory has one winning type. O(n^2) for n <= BOOT_MMAP_MAX is cheap.
 */
void loader_finish_mmap(struct boot_info *bi)
{
	uint32_t n = 0;
	uint64_t p = 0;

	align_all(bi);
	if (bi->mmap_count == 0)
		return;
	if (type_at(bi, 0) == 0)
		p = next_boundary(bi, 0);
	while (p != UINT64_MAX) {
		uint64_t next = next_boundary(bi, p);
		uint32_t type = type_at(bi, p);

		if (type != 0)
			emit(&n, p, next, type);
		p = next;
	}
	memcpy(bi->mmap, mmap_out, n * sizeof(mmap_out[0]));
	bi->mmap_count = n;
}

/*
 * Record [base, base + length) as @type. When the table is full, compact it
 * first; if it is still full the range is dropped rather than overflowing
 * (256 entries after merging is far beyond any real firmware map).
 */
void loader_add_mem(struct boot_info *bi, uint64_t base, uint64_t length, uint32_t type)
{
	if (length == 0)
		return;
	if (bi->mmap_count == BOOT_MMAP_MAX)
		loader_finish_mmap(bi);
	if (bi->mmap_count == BOOT_MMAP_MAX)
		return;
	bi->mmap[bi->mmap_count++] =
		(struct boot_mem_range){ .base = base, .length = length, .type = type };
}
