// SPDX-License-Identifier: MIT
/*
 * KASLR on the direct-boot paths (PVH, multiboot2; docs/kaslr.md). QEMU and
 * GRUB load the image at its physical link address and boot32.S maps it at
 * its virtual one, so the kernel moves itself: x86_kaslr_relocate() runs at
 * the link address, maps the image a second time at a random 2 MiB step
 * higher, patches it with its own .kreloc table, and boot32.S continues at
 * the new address. x86_kaslr_direct_map() then gives the direct map a
 * random root entry as well. Everything before the jump must use only what
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

/* boot32.S's tables: PML4, the top PDPT and the page directory of its entry 510. */
extern uint64_t boot_pml4[512], boot_pdpt_high[512], boot_pd_kernel[512];
/* tools/kreloc.py's table, and the image's bounds (linker.ld). */
extern const char kreloc_table[], kreloc_table_end[];
extern char _kernel_start[], _kernel_end[];

/* The page directory of PDPT entry 511 (-1 GiB .. 0), for images moved that high. */
static uint64_t kaslr_pd_top[512] __attribute__((aligned(PAGE_SIZE)));

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

void x86_kaslr_direct_map(struct boot_info *bi, uint64_t phys_limit)
{
	uint64_t base;

	if (!(bi->kaslr.flags & BOOT_KASLR_ON))
		return;
	base = kaslr_direct_map_base(bi->kaslr.seed, phys_limit, false);
	/* boot32.S's low PDPT maps the first 4 GiB; it serves any root entry. */
	boot_pml4[(base >> 39) & 511] = boot_pml4[(CAIRN_DIRECT_MAP_4LEVEL >> 39) & 511];
	x86_write_cr3(x86_read_cr3());
	bi->direct_map_base = base;
}
