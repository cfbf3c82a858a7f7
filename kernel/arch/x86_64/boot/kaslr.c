// SPDX-License-Identifier: MIT
/*
 * KASLR on the direct-boot paths (PVH, multiboot2; docs/kaslr.md). QEMU and
 * GRUB load the image at its physical link address and boot32.S maps it at
 * its virtual one, so the kernel moves itself: x86_kaslr_relocate() runs at
 * the link address, maps the image a second time at a random 2 MiB step
 * higher, patches it with its own .kreloc table, and boot32.S continues at
 * the new address. x86_kaslr_direct_map() then moves the direct map to a
 * random 1 GiB step as well. Everything before the jump must use only what
 * holds at both addresses: both mappings reach the same frames.
 */
#include <cairn/boot.h>

#include <arch/cpu.h>
#include <arch/page.h>
#include <lib/kaslr/kaslr.h>

#include "arch/x86_64/x86.h"
#include "boot/common/entropy.h"

/* Page-directory entry bits (Intel SDM Vol. 3A, 4.5, Table 4-17). */
#define PDE_P_W_PS 0x83ull /* present, writable, 2 MiB page */
#define PTE_P_W    0x3ull
#define SIZE_2M    (2ull << 20)

/*
 * boot32.S's tables: the PML4, the PDPT of the first 4 GiB (four page
 * directories), the top PDPT and the page directory of its entry 510.
 */
extern uint64_t boot_pml4[512], boot_pdpt_low[512], boot_pdpt_high[512], boot_pd_kernel[512];
/* tools/kreloc.py's table, and the image's bounds (linker.ld). */
extern const char kreloc_table[], kreloc_table_end[];
extern char _kernel_start[], _kernel_end[];

/* The page directory of PDPT entry 511 (-1 GiB .. 0), for images moved that high. */
static uint64_t kaslr_pd_top[512] __attribute__((aligned(PAGE_SIZE)));
/* PDPTs for the moved direct map: its 4 GiB may straddle two PML4 entries. */
static uint64_t kaslr_pdpt_direct[2][512] __attribute__((aligned(PAGE_SIZE)));

/*
 * The physical address of a table in the image. Valid only before the
 * move, where boot32.S maps -2 GiB onto physical 0. The empty asm keeps the
 * compiler from folding it into one constant derived from a symbol, which
 * the move would wrongly patch (tools/kreloc.py refuses such fields).
 */
static uint64_t link_phys(const void *p)
{
	uintptr_t va = (uintptr_t)p;

	__asm__("" : "+r"(va));
	return va - CAIRN_KERNEL_VMA_BASE;
}

/* The page directory that maps @va (in the top 2 GiB), created for PDPT entry 511. */
static uint64_t *pd_for(uint64_t va)
{
	unsigned i = (va >> 30) & 511;

	if (i == 510)
		return boot_pd_kernel;
	if (!(boot_pdpt_high[511] & 1))
		boot_pdpt_high[511] = link_phys(kaslr_pd_top) | PTE_P_W;
	return kaslr_pd_top;
}

/*
 * Map the image a second time, @slide bytes higher, in 2 MiB pages onto
 * the frames it was loaded in. The slide keeps the two ranges apart, so no
 * entry of the linked mapping changes.
 */
static void map_moved(uint64_t slide, uint64_t size)
{
	uint64_t phys = CAIRN_KERNEL_LINK_BASE - CAIRN_KERNEL_VMA_BASE;

	for (uint64_t off = 0; off < size; off += SIZE_2M) {
		uint64_t va = CAIRN_KERNEL_LINK_BASE + slide + off;

		pd_for(va)[(va >> 21) & 511] = (phys + off) | PDE_P_W_PS;
	}
	x86_write_cr3(x86_read_cr3());
}

uint64_t x86_kaslr_relocate(struct boot_info *bi)
{
	uint64_t size = (uint64_t)(_kernel_end - _kernel_start), seed, slide;
	uint32_t flags = kaslr_cmdline_flags(bi->cmdline), source;
	struct kaslr_entropy_ops ops;
	const char *why;

	if (!(flags & BOOT_KASLR_ON))
		return 0;
	if (kreloc_check(kreloc_table, (size_t)(kreloc_table_end - kreloc_table), _kernel_start,
	                 size, &why))
		return 0; /* cannot happen with a table from the same link; boot unmoved */
	boot_entropy_cpu_ops(&ops);
	source = kaslr_gather(&ops, &seed);
	slide = kaslr_image_slide(seed, size, true, NULL);
	if (slide == 0)
		return 0;
	map_moved(slide, size);
	kreloc_apply(kreloc_table, _kernel_start, slide);
	bi->kaslr = (struct boot_kaslr){
		.seed = seed, .image_slide = slide, .source = source, .flags = flags
	};
	return slide;
}

/* The physical address of a table in the image once it runs where kmain will. */
static uint64_t image_phys(const struct boot_info *bi, const void *p)
{
	return (uint64_t)(uintptr_t)p - bi->kernel_virt_base + bi->kernel_phys_base;
}

void x86_kaslr_direct_map(struct boot_info *bi, uint64_t phys_limit)
{
	uint64_t base;

	if (!(bi->kaslr.flags & BOOT_KASLR_ON))
		return;
	base = kaslr_direct_map_base(bi->kaslr.seed, phys_limit, false);
	/* Hang boot32.S's four page directories of the first 4 GiB at the new base. */
	for (uint64_t gib = 0; gib < 4; gib++) {
		uint64_t va = base + (gib << 30);
		uint64_t *pdpt = kaslr_pdpt_direct[(va >> 39) != (base >> 39)];

		pdpt[(va >> 30) & 511] = boot_pdpt_low[gib];
		boot_pml4[(va >> 39) & 511] = image_phys(bi, pdpt) | PTE_P_W;
	}
	x86_write_cr3(x86_read_cr3());
	bi->direct_map_base = base;
}
