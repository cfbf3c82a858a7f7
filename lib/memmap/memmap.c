// SPDX-License-Identifier: MIT
/*
 * Memory-map normalization by a sweep over every range boundary in address
 * order: between two boundaries the memory has one winning type. O(n^2) in
 * the number of ranges, which firmware keeps in the tens or hundreds.
 */
#include "lib/memmap/memmap.h"

#include <lib/string.h>

#include <stdbool.h>

static uint64_t page_down(uint64_t x)
{
	return x & ~(BOOT_PAGE_SIZE - 1);
}

static uint64_t page_up(uint64_t x)
{
	return page_down(x + BOOT_PAGE_SIZE - 1);
}

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

	if (r->type < BOOT_MEM_USABLE || r->type > BOOT_MEM_FIRMWARE)
		r->type = BOOT_MEM_RESERVED;
	if (end < r->base)
		end = UINT64_MAX;
	if (r->type == BOOT_MEM_USABLE && r->base > page_down(UINT64_MAX))
		return false;
	if (r->type == BOOT_MEM_USABLE) {
		r->base = page_up(r->base);
		end = page_down(end);
	} else {
		r->base = page_down(r->base);
		end = end > UINT64_MAX - BOOT_PAGE_SIZE ? page_down(UINT64_MAX) : page_up(end);
	}
	if (end <= r->base)
		return false;
	r->length = end - r->base;
	return true;
}

/* The smallest range start or end above @p, or UINT64_MAX when none is. */
static uint64_t next_boundary(const struct memmap *m, uint64_t p)
{
	uint64_t best = UINT64_MAX;

	for (uint32_t i = 0; i < *m->count; i++) {
		uint64_t b = m->ranges[i].base, e = b + m->ranges[i].length;

		if (b > p && b < best)
			best = b;
		if (e > p && e < best)
			best = e;
	}
	return best;
}

/* The winning type at address @p, or 0 when no range covers it. */
static uint32_t type_at(const struct memmap *m, uint64_t p)
{
	uint32_t type = 0;

	for (uint32_t i = 0; i < *m->count; i++) {
		const struct boot_mem_range *r = &m->ranges[i];

		if (p < r->base || p - r->base >= r->length)
			continue;
		if (type == 0 || mem_rank(r->type) > mem_rank(type))
			type = r->type;
	}
	return type;
}

/* Append [base, end) of @type to m->scratch, extending the last range if it touches. */
static void emit(struct memmap *m, uint32_t *n, uint64_t base, uint64_t end, uint32_t type)
{
	struct boot_mem_range *last = *n ? &m->scratch[*n - 1] : NULL;

	if (last && last->type == type && last->base + last->length == base) {
		last->length += end - base;
		return;
	}
	if (*n == m->capacity)
		return; /* cannot happen with sane firmware; the tail is dropped */
	m->scratch[*n] =
		(struct boot_mem_range){ .base = base, .length = end - base, .type = type };
	(*n)++;
}

/* Align every range and drop the ones that vanish. */
static void align_all(struct memmap *m)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < *m->count; i++) {
		struct boot_mem_range r = m->ranges[i];

		if (align_range(&r))
			m->ranges[n++] = r;
	}
	*m->count = n;
}

/*
 * Sweep over every range boundary in address order; between two boundaries
 * the memory has one winning type. O(n^2) for n <= BOOT_MMAP_MAX is cheap.
 */
void memmap_normalize(struct memmap *m)
{
	uint32_t n = 0;
	uint64_t p = 0;

	align_all(m);
	if (*m->count == 0)
		return;
	if (type_at(m, 0) == 0)
		p = next_boundary(m, 0);
	while (p != UINT64_MAX) {
		uint64_t next = next_boundary(m, p);
		uint32_t type = type_at(m, p);

		if (type != 0)
			emit(m, &n, p, next, type);
		p = next;
	}
	memcpy(m->ranges, m->scratch, n * sizeof(m->scratch[0]));
	*m->count = n;
}

void memmap_add(struct memmap *m, uint64_t base, uint64_t length, uint32_t type)
{
	if (length == 0)
		return;
	if (*m->count >= m->capacity)
		memmap_normalize(m);
	if (*m->count >= m->capacity)
		return;
	m->ranges[(*m->count)++] =
		(struct boot_mem_range){ .base = base, .length = length, .type = type };
}
