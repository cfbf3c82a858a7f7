// SPDX-License-Identifier: MIT
/*
 * Direct boot (PVH from QEMU's -kernel, multiboot2 from GRUB): turn the
 * boot loader's description of the machine into the same struct boot_info
 * that Cairn's own loaders build, then enter kmain(). Everything the loader
 * hands over is treated as untrusted input and bounds-checked.
 */
#include <cairn/boot.h>

#include <arch/cpu.h>
#include <arch/page.h>
#include <arch/pvh.h>
#include <lib/memmap/memmap.h>
#include <lib/string.h>

#include <stdbool.h>

#include "arch/x86_64/x86.h"
#include "core/kmain.h"

/* Written by the 32-bit stub in boot32.S before paging is on. */
extern uint64_t directboot_tsc;
extern uint32_t directboot_info;
extern uint32_t directboot_method;
extern char directboot_stack_guard[], directboot_stack_top[];
extern char _kernel_start[], _kernel_end[];

/* Multiboot2 spec 3.6: information tags. */
#define MB2_TAG_END      0
#define MB2_TAG_CMDLINE  1
#define MB2_TAG_MODULE   3
#define MB2_TAG_MMAP     6
#define MB2_TAG_FB       8
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15

struct mb2_tag {
	uint32_t type;
	uint32_t size;
};

/* The direct-boot paths map only the first 4 GiB before kmain. */
#define DIRECT_LIMIT (4ull << 30)

_Static_assert(BOOT_METHOD_PVH == 3 && BOOT_METHOD_MULTIBOOT2 == 4, "boot32.S method numbers");

static struct boot_info direct_bi;

static const void *phys_ptr(uint64_t pa)
{
	return (const void *)(uintptr_t)(CAIRN_DIRECT_MAP_4LEVEL + pa);
}

static bool phys_ok(uint64_t pa, uint64_t len)
{
	return pa != 0 && len <= DIRECT_LIMIT && pa <= DIRECT_LIMIT - len;
}

static void copy_name(char *dst, const char *src, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i]; i++)
		dst[i] = src[i];
	dst[i] = 0;
}

static void copy_cmdline(struct boot_info *bi, uint64_t pa)
{
	if (phys_ok(pa, BOOT_CMDLINE_MAX))
		copy_name(bi->cmdline, phys_ptr(pa), BOOT_CMDLINE_MAX);
}

/* E820 types 1-5 match enum boot_mem_type; anything else is reserved. */
static uint32_t e820_type(uint32_t t)
{
	return t >= 1 && t <= 5 ? t : BOOT_MEM_RESERVED;
}

static void parse_pvh(struct boot_info *bi, uint64_t info_pa)
{
	const struct pvh_start_info *si;
	const struct pvh_memmap_entry *mm;
	const struct pvh_module *mod;
	uint32_t i;

	if (!phys_ok(info_pa, sizeof(*si)))
		return;
	si = phys_ptr(info_pa);
	if (si->magic != PVH_START_MAGIC)
		return;
	memmap_boot_add(bi, info_pa, sizeof(*si), BOOT_MEM_LOADER);
	copy_cmdline(bi, si->cmdline_paddr);
	bi->rsdp_phys = si->rsdp_paddr;
	if (si->version >= 1 && si->memmap_entries < 1024 &&
	    phys_ok(si->memmap_paddr, (uint64_t)si->memmap_entries * sizeof(*mm))) {
		mm = phys_ptr(si->memmap_paddr);
		for (i = 0; i < si->memmap_entries; i++)
			memmap_boot_add(bi, mm[i].addr, mm[i].size, e820_type(mm[i].type));
	}
	if (si->nr_modules >= 1 && phys_ok(si->modlist_paddr, sizeof(*mod))) {
		mod = phys_ptr(si->modlist_paddr);
		if (phys_ok(mod->paddr, mod->size)) {
			bi->initrd_phys = mod->paddr;
			bi->initrd_size = mod->size;
		}
	}
}

static void mb2_framebuffer(struct boot_info *bi, const uint8_t *t, uint32_t size)
{
	/*
	 * Colour info follows the common fields. The Multiboot2 spec (3.6.12)
	 * draws "reserved" as one byte, which would put it at 31, but GRUB's
	 * multiboot2.h declares it 16-bit and GRUB writes the colour info at 32;
	 * GRUB is what boots us.
	 */
	const uint8_t *c = t + 32;

	/* type 1 = direct RGB colour; indexed and EGA text are not framebuffers for us. */
	if (size < 38 || t[29] != 1)
		return;
	memcpy(&bi->fb.phys_base, t + 8, 8);
	memcpy(&bi->fb.pitch, t + 16, 4);
	memcpy(&bi->fb.width, t + 20, 4);
	memcpy(&bi->fb.height, t + 24, 4);
	bi->fb.bpp = t[28];
	bi->fb.red_shift = c[0];
	bi->fb.red_bits = c[1];
	bi->fb.green_shift = c[2];
	bi->fb.green_bits = c[3];
	bi->fb.blue_shift = c[4];
	bi->fb.blue_bits = c[5];
	bi->fb.size = (uint64_t)bi->fb.pitch * bi->fb.height;
}

static void mb2_mmap(struct boot_info *bi, const uint8_t *t, uint32_t size)
{
	uint32_t esize, off;
	struct pvh_memmap_entry e; /* the same layout as multiboot2's entries */

	if (size < 16)
		return;
	memcpy(&esize, t + 8, 4);
	if (esize < sizeof(e))
		return;
	for (off = 16; off + esize <= size; off += esize) {
		memcpy(&e, t + off, sizeof(e));
		memmap_boot_add(bi, e.addr, e.size, e820_type(e.type));
	}
}

static void mb2_tag(struct boot_info *bi, const uint8_t *t, uint32_t type, uint32_t size)
{
	uint32_t start, end;

	switch (type) {
	case MB2_TAG_CMDLINE:
		copy_cmdline(bi, (uint64_t)(uintptr_t)(t + 8) - CAIRN_DIRECT_MAP_4LEVEL);
		break;
	case MB2_TAG_MODULE:
		memcpy(&start, t + 8, 4);
		memcpy(&end, t + 12, 4);
		if (end > start && !bi->initrd_phys) {
			bi->initrd_phys = start;
			bi->initrd_size = end - start;
		}
		break;
	case MB2_TAG_MMAP:
		mb2_mmap(bi, t, size);
		break;
	case MB2_TAG_FB:
		mb2_framebuffer(bi, t, size);
		break;
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		/* The tag holds a copy of the RSDP; prefer the 2.0 copy. */
		if (size >= 8 + 20 && (type == MB2_TAG_ACPI_NEW || !bi->rsdp_phys))
			bi->rsdp_phys = (uint64_t)(uintptr_t)(t + 8) - CAIRN_DIRECT_MAP_4LEVEL;
		break;
	}
}

static void parse_mb2(struct boot_info *bi, uint64_t info_pa)
{
	const uint8_t *p;
	uint32_t total, off, type, size;

	if (!phys_ok(info_pa, 8))
		return;
	p = phys_ptr(info_pa);
	memcpy(&total, p, 4);
	if (total < 16 || !phys_ok(info_pa, total))
		return;
	memmap_boot_add(bi, info_pa, total, BOOT_MEM_LOADER);
	for (off = 8; off + 8 <= total; off = (off + size + 7) & ~7u) {
		memcpy(&type, p + off, 4);
		memcpy(&size, p + off + 4, 4);
		if (type == MB2_TAG_END || size < 8 || size > total - off)
			break;
		mb2_tag(bi, p + off, type, size);
	}
}

/*
 * Entered from boot32.S on the direct-boot stack with the stub's page
 * tables, still at the link address: read the firmware's description
 * (which stores no pointer into the image) and move the image unless the
 * command line says nokaslr. Returns the slide boot32.S continues at.
 */
uint64_t directboot_relocate(void);
uint64_t directboot_relocate(void)
{
	struct boot_info *bi = &direct_bi;

	bi->magic = CAIRN_BOOT_MAGIC;
	bi->version = CAIRN_BOOT_VERSION;
	bi->size = sizeof(*bi);
	bi->method = directboot_method;
	bi->tsc_at_loader_entry = directboot_tsc;
	if (bi->method == BOOT_METHOD_PVH) {
		copy_name(bi->loader_name, "pvh", sizeof(bi->loader_name));
		parse_pvh(bi, directboot_info);
	} else {
		copy_name(bi->loader_name, "multiboot2", sizeof(bi->loader_name));
		parse_mb2(bi, directboot_info);
	}
	return x86_kaslr_relocate(bi);
}

/* The end of the physical memory the kernel's direct map will cover (vm_direct_map_end()). */
static uint64_t phys_limit(const struct boot_info *bi)
{
	uint64_t top = DIRECT_LIMIT;

	for (uint32_t i = 0; i < bi->mmap_count; i++) {
		const struct boot_mem_range *r = &bi->mmap[i];

		if (r->type != BOOT_MEM_RESERVED && r->base + r->length > top)
			top = r->base + r->length;
	}
	return top;
}

/*
 * Entered from boot32.S at the image's final address (moved or not), on
 * the same stack there. Completes the boot_info, drops the guard page
 * under the stack and hands over to kmain().
 */
void directboot_main(void);
void directboot_main(void)
{
	struct boot_info *bi = &direct_bi;

	bi->direct_map_base = CAIRN_DIRECT_MAP_4LEVEL;
	bi->kernel_virt_base = (uint64_t)(uintptr_t)_kernel_start;
	/* QEMU and GRUB load the image at its physical link address. */
	bi->kernel_phys_base = CAIRN_KERNEL_LINK_BASE - CAIRN_KERNEL_VMA_BASE;
	bi->kernel_phys_size = (uint64_t)(_kernel_end - _kernel_start);
	bi->stack_top = (uint64_t)(uintptr_t)directboot_stack_top;
	bi->stack_size = (uint64_t)(directboot_stack_top - directboot_stack_guard) - PAGE_SIZE;
	memmap_boot_add(bi, bi->kernel_phys_base, bi->kernel_phys_size, BOOT_MEM_KERNEL);
	if (bi->initrd_phys)
		memmap_boot_add(bi, bi->initrd_phys, bi->initrd_size, BOOT_MEM_INITRD);
	memmap_boot_finish(bi);
	x86_kaslr_direct_map(bi, phys_limit(bi));
	x86_unmap_early(bi, (uintptr_t)directboot_stack_guard);
	kmain(bi);
}
