/* SPDX-License-Identifier: MIT */
/*
 * The page size of the architecture: the smallest unit the MMU maps and
 * the physical frame allocator hands out. x86_64 has 4 KiB base pages
 * (Intel SDM Vol. 3A, 5.5). The one definition for the kernel; usable in
 * assembly and linker scripts too.
 */
#pragma once

#define PAGE_SHIFT 12
#ifdef __ASSEMBLY__
#define PAGE_SIZE (1 << PAGE_SHIFT)
#else
#define PAGE_SIZE (1ull << PAGE_SHIFT)
#endif
#define PAGE_MASK (~(PAGE_SIZE - 1))

/* @x rounded down and up to a page boundary. */
#define PAGE_ALIGN_DOWN(x) (PAGE_MASK & (x))
#define PAGE_ALIGN_UP(x)   (PAGE_MASK & ((x) + PAGE_SIZE - 1))
