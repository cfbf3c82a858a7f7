/* SPDX-License-Identifier: MIT */
/*
 * The memory map inside a struct boot_info: the loaders and the kernel's
 * direct-boot path add firmware ranges in any order and with any
 * alignment; memmap_boot_finish() turns them into the sorted, page-aligned,
 * non-overlapping list the boot protocol promises. The kernel runs it
 * again over what it was handed, as it trusts no loader.
 */
#include <lib/memmap/memmap.h>

/* Scratch for normalizing: boot is single-threaded wherever this runs. */
static struct boot_mem_range mmap_scratch[BOOT_MMAP_MAX];

static struct memmap boot_map(struct boot_info *bi)
{
	return (struct memmap){ bi->mmap, &bi->mmap_count, BOOT_MMAP_MAX, mmap_scratch };
}

void memmap_boot_finish(struct boot_info *bi)
{
	struct memmap m = boot_map(bi);

	memmap_normalize(&m);
}

void memmap_boot_add(struct boot_info *bi, uint64_t base, uint64_t length, uint32_t type)
{
	struct memmap m = boot_map(bi);

	memmap_add(&m, base, length, type);
}
