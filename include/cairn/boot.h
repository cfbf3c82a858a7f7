/* SPDX-License-Identifier: MIT */
/*
 * The Cairn boot protocol: what every boot path (UEFI loader, BIOS loader,
 * PVH and multiboot2 direct boot) hands to the kernel, and what the kernel
 * asks of its loader through the .cairn.config ELF section.
 * docs/boot-protocol.md documents every field and the CPU state at entry.
 */
#pragma once

#include <stdint.h>

#define CAIRN_BOOT_MAGIC   0x4f464e4942524143ull /* "CAIRBINFO" as little-endian bytes */
#define CAIRN_BOOT_VERSION 2

/* Where the kernel image lives in virtual memory (-2 GiB, -mcmodel=kernel). */
#define CAIRN_KERNEL_VMA_BASE     0xffffffff80000000ull
/*
 * The image's link address (kernel/arch/x86_64/linker.ld checks it): with
 * KASLR the loaders move the whole image up by boot_info.kaslr.image_slide.
 */
#define CAIRN_KERNEL_LINK_BASE    0xffffffff80200000ull
/* Direct map of all physical memory with 4-level and with 5-level paging. */
#define CAIRN_DIRECT_MAP_4LEVEL   0xffff800000000000ull
#define CAIRN_DIRECT_MAP_5LEVEL   0xff00000000000000ull
/* Kernel virtual area: boot stack, MMIO, vmalloc. */
#define CAIRN_KVA_BASE            0xffffc00000000000ull
/* The first GiB of it holds the loaders' boot stack (at a random page with KASLR). */
#define CAIRN_KVA_BOOT_STACK_SPAN (1ull << 30)

enum boot_method {
	BOOT_METHOD_UEFI = 1,
	BOOT_METHOD_BIOS = 2,
	BOOT_METHOD_PVH = 3,
	BOOT_METHOD_MULTIBOOT2 = 4,
};

/*
 * The page size the protocol counts in: memory map ranges, the kernel's
 * segments and the loaders' allocations are multiples of it. The x86_64
 * base page (Intel SDM Vol. 3A, 5.5); the kernel's own PAGE_SIZE in
 * <arch/page.h> is checked against it.
 */
#define BOOT_PAGE_SIZE 4096ull

/* Normalized memory types; ranges are sorted, page-aligned and never overlap. */
enum boot_mem_type {
	BOOT_MEM_USABLE = 1,           /* free RAM */
	BOOT_MEM_RESERVED = 2,         /* firmware or hardware reserved: never touch */
	BOOT_MEM_ACPI_RECLAIMABLE = 3, /* ACPI tables: usable once they are parsed */
	BOOT_MEM_ACPI_NVS = 4,         /* ACPI non-volatile storage: never touch */
	BOOT_MEM_BAD = 5,              /* defective RAM */
	BOOT_MEM_LOADER = 6,           /* boot info, loader page tables, boot stack */
	BOOT_MEM_KERNEL = 7,           /* the loaded kernel image */
	BOOT_MEM_INITRD = 8,           /* the initrd, if any */
	BOOT_MEM_FIRMWARE = 9,         /* UEFI runtime services code and data */
};

struct boot_mem_range {
	uint64_t base;   /* physical address, 4 KiB aligned */
	uint64_t length; /* bytes, a multiple of 4 KiB */
	uint32_t type;   /* enum boot_mem_type */
	uint32_t reserved;
};
_Static_assert(sizeof(struct boot_mem_range) == 24, "boot_mem_range layout");

struct boot_framebuffer {
	uint64_t phys_base; /* physical address of pixel (0,0); 0 when there is none */
	uint64_t size;      /* bytes: pitch * height */
	uint32_t width;     /* pixels */
	uint32_t height;    /* pixels */
	uint32_t pitch;     /* bytes per scan line */
	uint16_t bpp;       /* bits per pixel: 32 (or 24, 16 from VBE) */
	uint8_t red_shift, red_bits;
	uint8_t green_shift, green_bits;
	uint8_t blue_shift, blue_bits;
};
_Static_assert(sizeof(struct boot_framebuffer) == 40, "boot_framebuffer layout");

#define BOOT_MMAP_MAX    256
#define BOOT_CMDLINE_MAX 256
#define BOOT_LOADER_NAME 32

/* boot_info.flags */
#define BOOT_FLAG_LA57 (1u << 0) /* 5-level paging is active */

/* Where the loader's random bits came from (docs/kaslr.md). */
enum boot_entropy {
	BOOT_ENTROPY_NONE = 0,    /* KASLR off (nokaslr): nothing was drawn */
	BOOT_ENTROPY_RDSEED = 1,  /* the CPU's RDSEED */
	BOOT_ENTROPY_RDRAND = 2,  /* the CPU's RDRAND */
	BOOT_ENTROPY_EFI_RNG = 3, /* the UEFI EFI_RNG_PROTOCOL */
	BOOT_ENTROPY_TSC = 4,     /* jitter of the time-stamp counter */
};

/* boot_kaslr.flags */
#define BOOT_KASLR_ON      (1u << 0) /* the layout below is randomised */
#define BOOT_KASLR_VERBOSE (1u << 1) /* kaslr=verbose: the kernel logs the addresses */

/* Kernel address-space layout randomisation, as the loader applied it. */
struct boot_kaslr {
	uint64_t seed;        /* random bits for the kernel's own choices; 0 when off */
	uint64_t image_slide; /* bytes the image was moved above CAIRN_KERNEL_LINK_BASE */
	uint32_t source;      /* enum boot_entropy */
	uint32_t flags;       /* BOOT_KASLR_* */
};
_Static_assert(sizeof(struct boot_kaslr) == 24, "boot_kaslr layout");

struct boot_info {
	uint64_t magic;               /* CAIRN_BOOT_MAGIC */
	uint32_t version;             /* CAIRN_BOOT_VERSION */
	uint32_t size;                /* sizeof(struct boot_info) */
	uint32_t method;              /* enum boot_method */
	uint32_t flags;               /* BOOT_FLAG_* */
	uint64_t direct_map_base;     /* virtual address of physical 0 */
	uint64_t kernel_phys_base;    /* physical address of the lowest loaded segment */
	uint64_t kernel_phys_size;    /* bytes from kernel_phys_base to the end of the image */
	uint64_t kernel_virt_base;    /* virtual address that kernel_phys_base is mapped at */
	uint64_t rsdp_phys;           /* ACPI RSDP (2.0 preferred); 0 when not found */
	uint64_t initrd_phys;         /* 0 when there is no initrd */
	uint64_t initrd_size;         /* bytes */
	uint64_t tsc_at_loader_entry; /* TSC read as the first thing the loader did */
	uint64_t stack_top;           /* virtual top of the boot stack (guard page below) */
	uint64_t stack_size;          /* bytes */
	struct boot_framebuffer fb;
	char loader_name[BOOT_LOADER_NAME]; /* NUL-terminated, e.g. "cairn-uefi 0.1" */
	char cmdline[BOOT_CMDLINE_MAX];     /* NUL-terminated kernel command line */
	uint32_t mmap_count;                /* valid entries in mmap[] */
	uint32_t reserved;
	struct boot_mem_range mmap[BOOT_MMAP_MAX];
	struct boot_kaslr kaslr; /* version 2 on */
};
_Static_assert(sizeof(struct boot_info) == 104 + 40 + 32 + 256 + 8 + 24 * BOOT_MMAP_MAX + 24,
               "boot_info layout");

/*
 * .cairn.config: what the kernel asks of its loader. The kernel places one
 * struct cairn_config in an ELF section of that name; loaders look it up by
 * section name and fall back to the defaults below when it is absent.
 */
#define CAIRN_CONFIG_MAGIC   0x4746434e52494143ull /* "CAIRNCFG" */
#define CAIRN_CONFIG_VERSION 1
#define CAIRN_CONFIG_SECTION ".cairn.config"

#define CAIRN_CONFIG_LA57_OK (1u << 0) /* the kernel runs under 5-level paging */

#define CAIRN_CONFIG_DEFAULT_STACK (64u * 1024)

struct cairn_config {
	uint64_t magic;      /* CAIRN_CONFIG_MAGIC */
	uint32_t version;    /* CAIRN_CONFIG_VERSION */
	uint32_t size;       /* sizeof(struct cairn_config) */
	uint64_t stack_size; /* boot stack bytes, a multiple of 4 KiB, 16 KiB..1 MiB */
	uint32_t fb_width;   /* preferred framebuffer width; 0 keeps the firmware's mode */
	uint32_t fb_height;  /* preferred framebuffer height; 0 keeps the firmware's mode */
	uint32_t flags;      /* CAIRN_CONFIG_* */
	uint32_t reserved;
};
_Static_assert(sizeof(struct cairn_config) == 40, "cairn_config layout");

/*
 * .kreloc: where the image holds absolute addresses of itself, so a loader
 * can move it (docs/kaslr.md). tools/kreloc.py writes one header followed by
 * count64 offsets of 64-bit fields, then count32 offsets of sign-extended
 * 32-bit fields, each a uint32_t counted from CAIRN_KERNEL_LINK_BASE and
 * sorted ascending. Moving the image by s adds s to every such field.
 */
#define CAIRN_KRELOC_MAGIC   0x434c524bu /* "KRLC" */
#define CAIRN_KRELOC_SECTION ".kreloc"

struct cairn_kreloc_header {
	uint32_t magic;     /* CAIRN_KRELOC_MAGIC */
	uint32_t count64;   /* offsets of 64-bit fields (R_X86_64_64) */
	uint32_t count32;   /* offsets of sign-extended 32-bit fields (R_X86_64_32S) */
	uint32_t reserved;  /* 0 */
	uint64_t link_base; /* CAIRN_KERNEL_LINK_BASE: the offsets count from here */
};
_Static_assert(sizeof(struct cairn_kreloc_header) == 24, "cairn_kreloc_header layout");
