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

#include <lib/kaslr/kaslr.h>
#include <lib/memmap/memmap.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Kinds of physical allocation, so a loader can tag them in the memory map. */
enum loader_alloc_kind {
	LOADER_ALLOC_KERNEL = 1, /* becomes BOOT_MEM_KERNEL */
	LOADER_ALLOC_LOADER = 2, /* page tables, boot_info, stack: BOOT_MEM_LOADER */
	LOADER_ALLOC_INITRD = 3, /* BOOT_MEM_INITRD */
	LOADER_ALLOC_LOW = 4,    /* BOOT_MEM_LOADER below 4 GiB: the 5-level root and mode switch */
};

struct loader_env {
	void *ctx;
	/*
	 * Allocate @npages zeroed 4 KiB pages, physically contiguous and
	 * aligned to @align bytes (a power of two, at least 4096), reachable
	 * through an identity mapping; below 4 GiB for LOADER_ALLOC_LOW.
	 * Returns the physical address or 0.
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

/* COM1 at 115200 8N1, polled (boot/common/serial.c); putc turns \n into \r\n. */
void loader_serial_init(void);
void loader_serial_putc(char c);

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
	const void *kreloc;         /* the .kreloc table in the file, or NULL */
	size_t kreloc_size;         /* its bytes */
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

/* What loader_build_page_tables() built, for loader_enter_kernel(). */
struct loader_tables {
	uint64_t root;       /* physical address of the PML4 or PML5: the kernel's CR3 */
	uint64_t trampoline; /* 5-level: a free page below 4 GiB for the mode switch; else 0 */
	bool la57;           /* 5-level paging (root is a PML5, below 4 GiB) */
};

/*
 * True when the kernel welcomes 5-level paging (CAIRN_CONFIG_LA57_OK) and
 * the CPU has it (CPUID.(EAX=7,ECX=0):ECX[16]).
 */
bool loader_want_la57(const struct loaded_kernel *k);

/*
 * Build the kernel's page tables: a direct map of [0, phys_limit) (at least
 * the first 4 GiB) at bi->direct_map_base, the same memory identity-mapped
 * in the lower half for the hand-over (the kernel drops it), each kernel
 * segment at its virtual address with its own permissions (NX on non-code),
 * and the boot stack of k->config.stack_size bytes in the kernel virtual
 * area's first GiB with an unmapped guard page below it. Fills
 * bi->stack_top/stack_size, bi->direct_map_base (CAIRN_DIRECT_MAP_4LEVEL,
 * or CAIRN_DIRECT_MAP_5LEVEL with @la57; with KASLR on, a random 1 GiB
 * step of that region, and the stack at a random page: lib/kaslr) and
 * BOOT_FLAG_LA57 in bi->flags. NX for the direct map sits in its
 * top-level entries, not its leaves, so the lower-half alias sharing its
 * 1 GiB pages or page directories stays executable for the jump.
 * With @la57 the tables have five levels; the caller checked
 * loader_want_la57().
 * Returns 0, -ENOMEM or -EINVAL (@phys_limit beyond what the direct map
 * holds: 64 TiB with 4 levels, 4 PiB with 5); fills *@t.
 */
int loader_build_page_tables(const struct loader_env *env, const struct loaded_kernel *k,
                             uint64_t phys_limit, bool la57, struct boot_info *bi,
                             struct loader_tables *t);

/* Fill the fixed fields of @bi (magic, version, size, kernel placement). */
void loader_init_boot_info(struct boot_info *bi, const struct loaded_kernel *k, uint32_t method);

/*
 * KASLR (docs/kaslr.md), once bi->cmdline is known and before the page
 * tables are built: unless the command line says nokaslr, draw a seed from
 * @ops (boot/common/entropy.h, plus the firmware's source), move the loaded
 * image by a random slide with its .kreloc table and record the choice in
 * bi->kaslr and bi->kernel_virt_base; loader_build_page_tables() then
 * places the direct map and the boot stack from the same seed. A kernel
 * without .kreloc is loaded at its link address with a warning.
 * Returns 0, or -ENOEXEC (reason printed) for a table that does not match
 * the image; nothing has moved then.
 */
__must_check int loader_kaslr(const struct loader_env *env, struct loaded_kernel *k,
                              struct boot_info *bi, const struct kaslr_entropy_ops *ops);

/*
 * Loaders build bi->mmap with memmap_boot_add() and memmap_boot_finish()
 * (lib/memmap/memmap.h): the finish sorts the ranges, merges neighbours of
 * one type and resolves overlaps (the more restrictive type wins), so
 * firmware ranges may be added in any order.
 */

/*
 * Switch to the tables in @t and jump to the kernel with RDI =
 * @boot_info_virt and the stack pointer at @stack_top. Disables interrupts,
 * turns on EFER.NXE (when the CPU has NX) and CR0.WP first. This code must
 * be identity-mapped by the new tables' lower-half alias, and, with
 * @t->la57, run with the first 4 GiB identity-mapped: it copies a small
 * mode switch into @t->trampoline, which leaves long mode, turns on
 * CR4.LA57 and comes back with the 5-level root (docs/boot-protocol.md).
 * Call it last: firmware services must be gone. Never returns.
 */
__attribute__((noreturn)) void loader_enter_kernel(const struct loader_tables *t, uint64_t entry,
                                                   uint64_t stack_top, uint64_t boot_info_virt);
