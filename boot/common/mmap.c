/* SPDX-License-Identifier: MIT */
/*
 * Building the boot_info memory map: loaders add firmware ranges in any
 * order and with any alignment; loader_finish_mmap() turns them into the
 * sorted, page-aligned, non-overlapping list the boot protocol promises.
 * The mechanism is lib/memmap, shared with the kernel and host-tested.
 */
#include <lib/memmap/memmap.h>

#include "boot/common/loader.h"

/* Scratch for normalizing; the loaders are single-threaded. */
static struct boot_mem_range mmap_scratch[BOOT_MMAP_MAX];

static struct memmap boot_map(struct boot_info *bi)
{
	return (struct memmap){ bi->mmap, &bi->mmap_count, BOOT_MMAP_MAX, mmap_scratch };
}

void loader_finish_mmap(struct boot_info *bi)
{
	struct memmap m = boot_map(bi);

	memmap_normalize(&m);
}

void loader_add_mem(struct boot_info *bi, uint64_t base, uint64_t length, uint32_t type)
{
	struct memmap m = boot_map(bi);

	memmap_add(&m, base, length, type);
}
