/* SPDX-License-Identifier: MIT */
/*
 * What the UEFI and BIOS loaders share: loading and validating the kernel
 * ELF, reading its .cairn.config, building the kernel's page tables and the
 * boot_info, and the final jump. Each loader supplies a struct loader_env
 * with its firmware-specific services; everything here is plain C that runs
 * identity-mapped in long mode.
 */
#pragma once

#include <cairn/boot.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Kinds of physical allocation, so a loader can tag them in the memory map. */
enum loader_alloc_kind {
	LOADER_ALLOC_KERNEL = 1, /* becomes BOOT_MEM_KERNEL */
	LOADER_ALLOC_LOADER = 2, /* page tables, boot_info, stack: BOOT_MEM_LOADER */
	LOADER_ALLOC_INITRD = 3, /* BOOT_MEM_INITRD */
};

struct loader_env {
	void *ctx;
	/*
	 * Allocate @npages zeroed 4 KiB pages, physically contiguous and
	 * aligned to @align bytes (a power of two, at least 4096), reachable
	 * through an identity mapping. Returns the physical address or 0.
	 */
	uint64_t (*alloc_pages)(void *ctx, size_t npages, uint64_t align,
	                        enum loader_alloc_kind kind);
	/*
	 * Print a line fragment on serial (and screen where the loader has one).
	 * Shared code prints bare lines ("kernel.elf: bad magic\n"); puts adds
	 * the loader's own prefix ("uefi: ") at the start of each line.
	 */
	void (*puts)(void *ctx, const char *s);
};

/* printf-like output through env->puts; used for log lines and errors. */
void loader_printf(const struct loader_env *env, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The kernel as loaded by loader_load_kernel(). */
struct loaded_kernel {
	uint64_t entry;             /* virtual entry point */
	uint64_t phys_base;         /* physical address of the lowest segment page */
	uint64_t virt_base;         /* virtual address matching phys_base */
	uint64_t size;              /* bytes covered from phys_base, page-rounded */
	struct cairn_config config; /* the kernel's config, or defaults */
	/* Loaded segments, for mapping with their own permissions. */
	unsigned nsegs;
	struct {
		uint64_t vaddr; /* page-aligned start */
		uint64_t paddr;
		uint64_t memsz; /* page-rounded */
		bool write, exec;
	} segs[16];
};

/*
 * Validate the kernel ELF image (@file, @size bytes), copy its segments into
 * freshly allocated memory and read its .cairn.config.
 * Returns 0, or a negative errno with the reason already printed.
 */
int loader_load_kernel(const struct loader_env *env, const void *file, size_t size,
                       struct loaded_kernel *out);

/*
 * Build the kernel's page tables: a direct map of [0, phys_limit) (at least
 * the first 4 GiB) at bi->direct_map_base, the same memory identity-mapped
 * in the lower half for the hand-over (the kernel drops it), each kernel
 * segment at its virtual address with its own permissions (NX on non-code),
 * and the boot stack of k->config.stack_size bytes at CAIRN_KVA_BASE with an
 * unmapped guard page below it. Fills bi->stack_top/stack_size and
 * bi->direct_map_base. NX for the direct map sits in its top-level entries,
 * not its leaves, so the lower-half alias sharing the lower levels stays
 * executable for the jump.
 * Returns 0, -ENOMEM, -EINVAL (@phys_limit beyond the 64 TiB direct map) or
 * -ENOTSUP (@la57: 5-level paging is not implemented yet); *cr3 receives
 * the root table's physical address.
 */
int loader_build_page_tables(const struct loader_env *env, const struct loaded_kernel *k,
                             uint64_t phys_limit, bool la57, struct boot_info *bi, uint64_t *cr3);

/* Fill the fixed fields of @bi (magic, version, size, kernel placement). */
void loader_init_boot_info(struct boot_info *bi, const struct loaded_kernel *k, uint32_t method);

/*
 * Add a range to bi->mmap; loader_finish_mmap() sorts the ranges, merges
 * neighbours of one type and resolves overlaps (the more restrictive type
 * wins), so loaders may add firmware ranges in any order.
 */
void loader_add_mem(struct boot_info *bi, uint64_t base, uint64_t length, uint32_t type);
void loader_finish_mmap(struct boot_info *bi);

/*
 * Switch to @cr3 and jump to the kernel with RDI = @boot_info_virt and the
 * stack pointer at @stack_top. Disables interrupts, turns on EFER.NXE (when
 * the CPU has NX) and CR0.WP first. This code must be identity-mapped by
 * @cr3's lower-half alias. Never returns.
 */
__attribute__((noreturn)) void loader_enter_kernel(uint64_t cr3, uint64_t entry, uint64_t stack_top,
                                                   uint64_t boot_info_virt);
