// SPDX-License-Identifier: MIT
/*
 * Kernel virtual memory: builds the kernel's own page tables with
 * lib/paging (direct map, W^X kernel image, the boot stack), switches to
 * them, and hands out kernel-virtual-area ranges for stacks and MMIO.
 * Locks: [B] boot CPU only, during vm_init; [V] vm_lock.
 */
#include "mm/vm.h"

#include <cairn/boot.h>
#include <cairn/errno.h>

#include <arch/page.h>
#include <lib/kaslr/kaslr.h>

#include "arch/arch.h"
#include "core/cmdline.h"
#include "core/kmain.h"
#include "core/log.h"
#include "core/smp.h"
#include "mm/pmm.h"
#include "sched/spinlock.h"

/*
 * The loaders put the boot stack in the area's first GiB; keep clear of it.
 * Without KASLR the stacks-and-MMIO area follows it and the heap starts at
 * 128 GiB; with it, lib/kaslr places both from the loader's seed.
 */
#define KVA_FIXED_START (CAIRN_KVA_BASE + CAIRN_KVA_BOOT_STACK_SPAN)
#define KVA_AREA_SIZE   (63ull << 30)
#define KVA_FIXED_HEAP  (CAIRN_KVA_BASE + (128ull << 30))

/* The loaders' memory map and the frames built on it count in the kernel's pages. */
_Static_assert(PAGE_SIZE == BOOT_PAGE_SIZE, "boot protocol page size");

extern char _kernel_start[], _text_end[], _rodata_start[], _rodata_end[];
extern char _data_start[], _data_end[], _ksyms_start[], _kernel_end[];
extern char directboot_stack_guard[];

static struct spinlock vm_lock = SPINLOCK_INIT("vm");
static struct pt_space kernel_space __guarded_by(&vm_lock); /* [V] after vm_init */
static uint64_t kva_next __guarded_by(&vm_lock);            /* [V] next free address */
static uint64_t kva_end;                                    /* [B] end of the area */
static uint64_t heap_base;                                  /* [B] start of the heap's range */
static char protections[64];                                /* [B] */

static void *ops_phys_to_virt(void *ctx, uint64_t pa)
{
	return phys_to_virt(pa);
}

static uint64_t ops_alloc_table(void *ctx)
{
	return pmm_alloc_pages(0, PMM_ZERO);
}

static void ops_free_table(void *ctx, uint64_t pa)
{
	pmm_free_pages(pa, 0);
}

/* Every CPU may hold the kernel's translations: shoot them down everywhere (docs/smp.md). */
static void ops_invalidate(void *ctx, uint64_t va)
{
	smp_tlb_shootdown(va, 1);
}

static void ops_flush(void *ctx)
{
	smp_tlb_shootdown(0, SMP_TLB_ALL);
}

static const struct pt_ops kernel_pt_ops = {
	.phys_to_virt = ops_phys_to_virt,
	.alloc_table = ops_alloc_table,
	.free_table = ops_free_table,
	.invalidate = ops_invalidate,
	.flush_all = ops_flush,
};

struct pt_space *vm_kernel_space(void)
{
	return &kernel_space;
}

const char *vm_protections(void)
{
	return protections;
}

static uint64_t kernel_phys(const void *va)
{
	return (uint64_t)(uintptr_t)va - boot_info.kernel_virt_base + boot_info.kernel_phys_base;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* All RAM and the first 4 GiB (MMIO below it), with the largest pages the CPU has. */
uint64_t vm_direct_map_end(void)
{
	uint64_t top = 4ull << 30;
	uint32_t i;

	for (i = 0; i < boot_info.mmap_count; i++) {
		const struct boot_mem_range *r = &boot_info.mmap[i];

		if (r->type != BOOT_MEM_RESERVED && r->base + r->length > top)
			top = r->base + r->length;
	}
	return top;
}

static int map_direct(void)
{
	uint64_t page = arch_mmu_has_1g_pages() ? PT_PAGE_1G : PT_PAGE_2M;
	uint64_t top = align_up(vm_direct_map_end(), page);

	return pt_map(&kernel_space, boot_info.direct_map_base, 0, top, PT_WRITE | PT_GLOBAL, page);
}

static int map_image_range(const void *start, const void *end, uint32_t flags)
{
	uint64_t va = PAGE_ALIGN_DOWN((uint64_t)(uintptr_t)start);
	uint64_t size = PAGE_ALIGN_UP((uint64_t)(uintptr_t)end) - va;

	if (size == 0)
		return 0;
	return pt_map(&kernel_space, va, kernel_phys((void *)(uintptr_t)va), size,
	              flags | PT_GLOBAL, PT_PAGE_4K);
}

/* Text RX, rodata R, data and bss RW, symbols R: W^X per section. */
static int map_image(void)
{
	uintptr_t guard = (uintptr_t)directboot_stack_guard;
	int err;

	err = map_image_range(_kernel_start, _text_end, PT_EXEC);
	if (!err)
		err = map_image_range(_rodata_start, _rodata_end, 0);
	/* The direct-boot stack's guard page, inside .bss, stays unmapped. */
	if (!err)
		err = map_image_range(_data_start, (void *)guard, PT_WRITE);
	if (!err)
		err = map_image_range((void *)(guard + PAGE_SIZE), _data_end, PT_WRITE);
	if (!err)
		err = map_image_range(_ksyms_start, _kernel_end, 0);
	return err;
}

/* A boot stack in the kernel virtual area (our loaders) keeps its frames. */
static int map_boot_stack(void)
{
	struct pt_space old = { arch_mmu_root(), arch_mmu_levels(), &kernel_pt_ops, false };
	uint64_t va, pa;
	int err;

	if (boot_info.stack_top < CAIRN_KVA_BASE || boot_info.stack_top >= KVA_FIXED_START)
		return 0; /* in the kernel image: mapped with .bss */
	for (va = boot_info.stack_top - boot_info.stack_size; va < boot_info.stack_top;
	     va += PAGE_SIZE) {
		err = pt_translate(&old, va, &pa, NULL, NULL);
		if (!err)
			err = pt_map(&kernel_space, va, pa, PAGE_SIZE, PT_WRITE, PT_PAGE_4K);
		if (err)
			return err;
	}
	return 0;
}

uint64_t vm_heap_base(void)
{
	return heap_base;
}

/* The stacks-and-MMIO area and the heap: fixed, or placed from the KASLR seed. */
__no_thread_safety_analysis static void place_areas(void)
{
	struct kaslr_kva kva = { KVA_FIXED_START, KVA_FIXED_START + KVA_AREA_SIZE, KVA_FIXED_HEAP };

	if (boot_info.kaslr.flags & BOOT_KASLR_ON)
		kaslr_kva_layout(boot_info.kaslr.seed, KVA_AREA_SIZE, VM_HEAP_MAX, &kva);
	kva_next = kva.area_start;
	kva_end = kva.area_end;
	heap_base = kva.heap_base;
}

/*
 * The boot log says whether KASLR is on and where its bits came from; the
 * addresses themselves only under kaslr=verbose (or with nokaslr plus
 * kaslr=verbose) or in a test kernel, for the tests and the developer.
 */
__no_thread_safety_analysis static void log_kaslr(void)
{
	const struct boot_kaslr *k = &boot_info.kaslr;

	if (k->flags & BOOT_KASLR_ON)
		pr_info("kaslr: on, entropy from %s; image at a 2 MiB step of 2 GiB, direct map at "
		        "a 1 GiB step, heap and stacks at 2 MiB steps of 8 TiB",
		        kaslr_source_name(k->source));
	else
		pr_info("kaslr: off; kernel at its link address");
	if (!cmdline_has("kaslr") && !cmdline_has("ktest"))
		return;
	pr_info("kaslr: image %#llx (slide %#llx), direct map %#llx, heap %#llx, stacks %#llx",
	        (unsigned long long)boot_info.kernel_virt_base, (unsigned long long)k->image_slide,
	        (unsigned long long)boot_info.direct_map_base, (unsigned long long)heap_base,
	        (unsigned long long)kva_next);
}

/* Once, on the boot CPU, before the other CPUs start: no lock needed yet. */
__no_thread_safety_analysis int vm_init(void)
{
	int err;

	place_areas();
	log_kaslr();
	kernel_space.levels = arch_mmu_levels();
	kernel_space.ops = &kernel_pt_ops;
	kernel_space.root = pmm_alloc_pages(0, PMM_ZERO);
	if (!kernel_space.root)
		return -ENOMEM;
	err = map_direct();
	if (!err)
		err = map_image();
	if (!err)
		err = map_boot_stack();
	/* User address spaces copy the kernel half's root entries: they must never change. */
	if (!err)
		err = pt_pin_upper_half(&kernel_space);
	if (err) {
		pr_err("vm: building the kernel page tables failed (%d)", err);
		return err;
	}
	arch_mmu_enable_protections(protections, sizeof(protections));
	arch_mmu_activate(kernel_space.root);
	pr_info("vm: kernel page tables active (%d-level, W^X image); %s", kernel_space.levels,
	        protections);
	return 0;
}

/*
 * After boot, every change to the kernel space goes through these, under
 * vm_lock (lock order: heap_lock, then vm_lock, then the pmm lock;
 * docs/locking.md). A TLB shootdown may run with it held: CPUs spinning on
 * a lock still answer shootdowns.
 */
static uint64_t kva_take(uint64_t size)
{
	uint64_t flags = spin_lock_irqsave(&vm_lock), va = 0;

	if (size <= kva_end - kva_next) {
		va = kva_next;
		kva_next += size;
	}
	spin_unlock_irqrestore(&vm_lock, flags);
	return va;
}

static int space_map(uint64_t va, uint64_t pa, uint64_t size, uint32_t pt_flags)
{
	uint64_t flags = spin_lock_irqsave(&vm_lock);
	int err = pt_map(&kernel_space, va, pa, size, pt_flags, PT_PAGE_4K);

	spin_unlock_irqrestore(&vm_lock, flags);
	return err;
}

/* Unmap one page; returns the frame it mapped, or 0 if it was not mapped. */
static uint64_t space_unmap_page(uint64_t va)
{
	uint64_t flags = spin_lock_irqsave(&vm_lock), pa = 0;

	/* A 4 KiB unmap never splits, so it cannot fail on a mapped page. */
	if (pt_translate(&kernel_space, va, &pa, NULL, NULL) != 0 ||
	    pt_unmap(&kernel_space, va, PAGE_SIZE) != 0)
		pa = 0;
	spin_unlock_irqrestore(&vm_lock, flags);
	return pa;
}

uint64_t vm_kernel_phys(const void *va)
{
	uint64_t v = (uint64_t)(uintptr_t)va, base = boot_info.direct_map_base, flags, pa;

	if (v >= base && v - base < vm_direct_map_end())
		return v - base;
	flags = spin_lock_irqsave(&vm_lock);
	if (pt_translate(&kernel_space, v, &pa, NULL, NULL) != 0)
		pa = 0;
	spin_unlock_irqrestore(&vm_lock, flags);
	return pa;
}

void *vm_map_mmio(uint64_t phys, size_t size, enum vm_cache cache)
{
	uint64_t base = PAGE_ALIGN_DOWN(phys);
	uint64_t len = PAGE_ALIGN_UP(phys + size) - base;
	uint64_t va;

	if (size == 0 || phys + size < phys)
		return NULL;
	va = kva_take(len + PAGE_SIZE); /* a hole after each window */
	if (!va || space_map(va, base, len, PT_WRITE | ((uint32_t)cache << PT_CACHE_SHIFT)))
		return NULL;
	return (void *)(uintptr_t)(va + (phys - base));
}

/* Map @npages frames from the allocator at @va, allocated with @pmm_flags. */
static int map_fresh(uint64_t va, size_t npages, uint32_t pt_flags, unsigned pmm_flags)
{
	uint64_t i, pa;

	for (i = 0; i < npages; i++) {
		pa = pmm_alloc_pages(0, pmm_flags);
		if (!pa || space_map(va + i * PAGE_SIZE, pa, PAGE_SIZE, pt_flags)) {
			if (pa)
				pmm_free_pages(pa, 0);
			vm_unmap_free(va, i);
			return -ENOMEM;
		}
	}
	return 0;
}

int vm_map_fresh(uint64_t va, size_t npages, uint32_t pt_flags)
{
	return map_fresh(va, npages, pt_flags, PMM_ZERO);
}

int vm_map_uncleared(uint64_t va, size_t npages, uint32_t pt_flags)
{
	return map_fresh(va, npages, pt_flags, 0);
}

void vm_unmap_free(uint64_t va, size_t npages)
{
	uint64_t i, pa;

	for (i = 0; i < npages; i++) {
		pa = space_unmap_page(va + i * PAGE_SIZE);
		if (pa)
			pmm_free_pages(pa, 0);
	}
}

void *vm_alloc_pages(size_t npages, uint32_t pt_flags)
{
	uint64_t va = kva_take((npages + 1) * PAGE_SIZE); /* a hole after each allocation */

	if (!va || vm_map_fresh(va, npages, pt_flags))
		return NULL;
	return (void *)(uintptr_t)va;
}

/*
 * Virtual ranges of freed stacks, kept for the next stack of the same size,
 * so that spawning and reaping tasks for ever (a process per task) neither
 * uses up the kernel virtual area nor leaves page tables behind for ranges
 * no stack will use again. [vm_lock]
 */
#define VM_STACK_SLOTS 256
static struct {
	uint64_t top;
	size_t npages;
} free_stacks[VM_STACK_SLOTS] __guarded_by(&vm_lock);
static unsigned nfree_stacks __guarded_by(&vm_lock);

/* The top of a freed stack range of @npages pages, or 0 when none is kept. */
static uint64_t stack_range_reuse(size_t npages)
{
	uint64_t flags = spin_lock_irqsave(&vm_lock), top = 0;
	unsigned i;

	for (i = nfree_stacks; i-- > 0;) {
		if (free_stacks[i].npages == npages) {
			top = free_stacks[i].top;
			free_stacks[i] = free_stacks[--nfree_stacks];
			break;
		}
	}
	spin_unlock_irqrestore(&vm_lock, flags);
	return top;
}

uintptr_t vm_alloc_stack(size_t size)
{
	size_t npages = PAGE_ALIGN_UP(size) / PAGE_SIZE;
	uint64_t top = stack_range_reuse(npages), guard;

	if (top) {
		if (vm_map_fresh(top - npages * PAGE_SIZE, npages, PT_WRITE)) {
			vm_free_stack(top, size);
			return 0;
		}
		return (uintptr_t)top;
	}
	/* One reservation: guard page, stack, and a hole above it. */
	guard = kva_take((npages + 2) * PAGE_SIZE);
	if (!guard || vm_map_fresh(guard + PAGE_SIZE, npages, PT_WRITE))
		return 0;
	return (uintptr_t)(guard + PAGE_SIZE + npages * PAGE_SIZE);
}

void vm_free_stack(uintptr_t top, size_t size)
{
	size_t npages = PAGE_ALIGN_UP(size) / PAGE_SIZE;
	uint64_t flags;

	vm_unmap_free(top - npages * PAGE_SIZE, npages);
	flags = spin_lock_irqsave(&vm_lock);
	if (nfree_stacks < VM_STACK_SLOTS) {
		free_stacks[nfree_stacks].top = top;
		free_stacks[nfree_stacks].npages = npages;
		nfree_stacks++;
	}
	spin_unlock_irqrestore(&vm_lock, flags);
}
