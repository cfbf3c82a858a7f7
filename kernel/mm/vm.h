/* SPDX-License-Identifier: MIT */
/*
 * The kernel address space (docs/memory.md): the direct map of physical
 * memory, the kernel image with W^X per section, kernel stacks with guard
 * pages and MMIO windows in the kernel virtual area.
 */
#pragma once

#include <cairn/boot.h>

#include <lib/paging/paging.h>

#include <stddef.h>
#include <stdint.h>

enum vm_cache {
	VM_CACHE_WB = 0, /* normal RAM */
	VM_CACHE_WT = 1,
	VM_CACHE_UC = 2, /* device registers */
	VM_CACHE_WC = 3, /* framebuffers */
};

/*
 * Build the kernel's own page tables from the boot information, switch to
 * them and enable the CPU's protections. Needs pmm_init() first.
 * Returns 0 or -ENOMEM.
 */
int vm_init(void);

/*
 * End of the physical range the direct map is guaranteed to cover after
 * vm_init(): all RAM the memory map lists, and at least the first 4 GiB.
 */
uint64_t vm_direct_map_end(void);

/* The kernel's page-table space (for tests and later address spaces). */
struct pt_space *vm_kernel_space(void);

/*
 * The physical address kernel virtual address @va maps to (the direct map,
 * the heap, the image), for a device to reach the memory; 0 when @va is not
 * mapped. Takes vm_lock outside the direct map; any context.
 */
uint64_t vm_kernel_phys(const void *va);

/*
 * Map @size bytes of device memory at physical @phys with cache mode @cache
 * into the kernel virtual area. Returns the virtual address of @phys, or
 * NULL when out of virtual space or page tables. Not for IRQ context.
 */
void *vm_map_mmio(uint64_t phys, size_t size, enum vm_cache cache);

/*
 * Allocate a kernel stack of @size bytes (rounded up to pages) in the
 * kernel virtual area, with an unmapped guard page below it. Returns the
 * stack's top (highest address + 1), or 0.
 */
uintptr_t vm_alloc_stack(size_t size);

/*
 * Unmap and free the stack vm_alloc_stack(@size) returned as @top. Its
 * virtual range is kept for the next stack of that size (up to a few
 * hundred ranges), so the range and its page tables are reused.
 */
void vm_free_stack(uintptr_t top, size_t size);

/* Allocate and map @npages fresh frames at the next free kernel virtual address. */
void *vm_alloc_pages(size_t npages, uint32_t pt_flags);

/*
 * Map @npages fresh zeroed frames at @va (which the caller owns). Returns 0,
 * or -ENOMEM with nothing left mapped.
 */
int vm_map_fresh(uint64_t va, size_t npages, uint32_t pt_flags);

/*
 * vm_map_fresh() without clearing the frames: they keep whatever they held.
 * Only for memory the kernel always writes before it reads, such as the
 * heap's (kmalloc() promises no contents; kzalloc() clears what it hands
 * out). Clearing the heap's first 1 MiB took 0.8 million instructions of
 * the boot (docs/performance.md).
 */
int vm_map_uncleared(uint64_t va, size_t npages, uint32_t pt_flags);
/* Unmap @npages pages at @va and free their frames; holes are skipped. */
void vm_unmap_free(uint64_t va, size_t npages);

/*
 * The heap's virtual range (kernel/mm/heap.c), outside the area that
 * stacks and MMIO windows come from: [vm_heap_base(), + VM_HEAP_MAX). With
 * KASLR both sit at random 2 MiB steps (docs/kaslr.md); valid after vm_init().
 */
#define VM_HEAP_MAX (64ull << 30)
uint64_t vm_heap_base(void);

/* Text names of the protections turned on (for the boot log and tests). */
const char *vm_protections(void);
