/* SPDX-License-Identifier: MIT */
/*
 * The PVH boot ABI: what a loader such as QEMU's -kernel hands a kernel that
 * carries the XEN_ELFNOTE_PHYS32_ENTRY note, in EBX at the 32-bit entry
 * (Xen public/arch-x86/hvm/start_info.h, the hvm_start_info structures).
 * Shared by the kernel's direct boot and the null kernel in tools/; the
 * layout is the same for 32- and 64-bit code (every 64-bit field sits at a
 * multiple of 8).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define PVH_START_MAGIC 0x336ec578

struct pvh_start_info {
	uint32_t magic; /* PVH_START_MAGIC */
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr; /* version >= 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct pvh_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* E820 types */
	uint32_t reserved;
};

struct pvh_module {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

_Static_assert(offsetof(struct pvh_start_info, rsdp_paddr) == 32, "hvm_start_info layout");
_Static_assert(sizeof(struct pvh_start_info) == 56, "hvm_start_info size");
_Static_assert(sizeof(struct pvh_memmap_entry) == 24, "hvm_memmap_table_entry size");
_Static_assert(sizeof(struct pvh_module) == 32, "hvm_modlist_entry size");
