/* SPDX-License-Identifier: MIT */
/*
 * Physical memory maps as firmware gives them (any order, any alignment,
 * overlapping) turned into the form the boot protocol promises: sorted,
 * page-aligned, non-overlapping, neighbours of one type merged. Used by
 * both loaders and again by the kernel, which does not trust its input.
 */
#pragma once

#include <cairn/boot.h>

#include <stdint.h>

/* A map being built; the caller owns all storage. */
struct memmap {
	struct boot_mem_range *ranges;  /* the map itself */
	uint32_t *count;                /* valid entries in ranges[] */
	uint32_t capacity;              /* entries ranges[] and scratch[] can hold */
	struct boot_mem_range *scratch; /* capacity entries of working space */
};

/*
 * Record [@base, @base + @length) as @type. A full map is normalized first
 * to make room; if it is still full the range is dropped (far past any real
 * firmware map). Zero-length ranges are ignored.
 */
void memmap_add(struct memmap *m, uint64_t base, uint64_t length, uint32_t type);

/*
 * Normalize in place: usable RAM shrinks to whole pages, everything else
 * grows to whole pages; where ranges overlap the more restrictive type wins
 * (reserved > NVS > firmware > ACPI > kernel > initrd > loader > usable);
 * the result is sorted with touching ranges of one type merged. A range
 * running past the top of the address space is clipped there.
 */
void memmap_normalize(struct memmap *m);

/*
 * The same on the map of a struct boot_info (lib/memmap/bootmap.c): add a
 * range to bi->mmap, then normalize it once every range is in. Uses one
 * static scratch map, so boot-time and single-threaded only.
 */
void memmap_boot_add(struct boot_info *bi, uint64_t base, uint64_t length, uint32_t type);
void memmap_boot_finish(struct boot_info *bi);
