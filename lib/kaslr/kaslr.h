/* SPDX-License-Identifier: MIT */
/*
 * Kernel address-space layout randomisation, the pure part (docs/kaslr.md):
 * reading nokaslr and kaslr=verbose, the order in which entropy sources are
 * tried, turning a seed into the image slide, the direct-map base, the boot
 * stack and the kernel's own areas, and moving an image by its .kreloc
 * table. The loaders, the direct-boot path and the kernel link the same
 * code; the instructions that draw entropy are theirs (handed in as ops).
 */
#pragma once

#include <cairn/boot.h>
#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The image moves in steps of 2 MiB, the large-page size. */
#define KASLR_IMAGE_ALIGN (2ull << 20)
/*
 * The image stays inside [CAIRN_KERNEL_VMA_BASE, KASLR_IMAGE_TOP): the top
 * 2 GiB that -mcmodel=kernel can address, less the last 2 MiB so that an
 * end address computed from the image never wraps to 0.
 */
#define KASLR_IMAGE_TOP   0xffffffffffe00000ull
/* The kernel's own areas (kernel/mm/vm.c) move in steps of 2 MiB too. */
#define KASLR_AREA_ALIGN  (2ull << 20)

/* BOOT_KASLR_ON and BOOT_KASLR_VERBOSE from a command line: on unless it says nokaslr. */
uint32_t kaslr_cmdline_flags(const char *cmdline);

/*
 * Where a loader draws its random bits. Each hook makes one attempt and
 * returns false when it got nothing (RDRAND/RDSEED carry clear); a hook is
 * NULL when the source is absent (no CPUID bit, no firmware protocol). The
 * RDSEED hook should execute PAUSE before it reports a failure, as Intel's
 * DRNG guide (5.3.1) asks between retries.
 */
struct kaslr_entropy_ops {
	void *ctx;
	bool (*rdseed)(void *ctx, uint64_t *out);
	bool (*rdrand)(void *ctx, uint64_t *out);
	bool (*firmware)(void *ctx, uint64_t *out); /* the UEFI RNG protocol */
	uint64_t (*cycles)(void *ctx);              /* the time-stamp counter; required */
};

/* Attempts per value: RDRAND fails only on exhaustion, 10 tries suffice (DRNG guide 5.2.1). */
#define KASLR_RDRAND_TRIES 10
/* RDSEED may fail often while its conditioner refills; give it more tries. */
#define KASLR_RDSEED_TRIES 100
/* Time-stamp samples folded into the seed when no other source answers. */
#define KASLR_TSC_SAMPLES  64

/*
 * Fill *@seed from the first source that answers, in the order RDSEED,
 * RDRAND, firmware, TSC jitter (which always answers). Returns the
 * enum boot_entropy of the source used.
 */
uint32_t kaslr_gather(const struct kaslr_entropy_ops *ops, uint64_t *seed);

/* The name of an enum boot_entropy value for logs ("rdseed", "tsc-jitter", ...). */
const char *kaslr_source_name(uint32_t source);

/* The @n-th independent 64-bit value derived from @seed (a SplitMix64 step). */
uint64_t kaslr_derive(uint64_t seed, unsigned n);

/*
 * The slide of an image of @size bytes linked at CAIRN_KERNEL_LINK_BASE: a
 * non-zero multiple of KASLR_IMAGE_ALIGN that keeps it below
 * KASLR_IMAGE_TOP. With @disjoint the moved image shares no 2 MiB page with
 * the linked one (the direct-boot path maps both at once). Returns 0 when
 * no such place exists. *@slots (if not NULL) receives how many there were.
 */
uint64_t kaslr_image_slide(uint64_t seed, uint64_t size, bool disjoint, uint64_t *slots);

/* The direct map moves in steps of 1 GiB, the largest page size. */
#define KASLR_DIRECT_ALIGN (1ull << 30)

/*
 * The direct map's base for @phys_limit bytes of physical memory: a random
 * KASLR_DIRECT_ALIGN boundary that keeps it inside the region the boot
 * protocol gives the direct map (up to CAIRN_KVA_BASE with 4 levels, up to
 * 0xffff000000000000 with 5). Returns the fixed CAIRN_DIRECT_MAP_4LEVEL or
 * 5LEVEL when the memory fills the region.
 */
uint64_t kaslr_direct_map_base(uint64_t seed, uint64_t phys_limit, bool la57);

/*
 * The byte offset, from CAIRN_KVA_BASE, of the boot stack's guard page: a
 * page boundary that keeps the guard and @stack_size bytes of stack inside
 * CAIRN_KVA_BOOT_STACK_SPAN.
 */
uint64_t kaslr_boot_stack_offset(uint64_t seed, uint64_t stack_size);

/* The kernel's own virtual areas (kernel/mm/vm.c), all inside the kernel virtual area. */
struct kaslr_kva {
	uint64_t area_start; /* stacks, vm_alloc_pages, MMIO windows: [start, end) */
	uint64_t area_end;
	uint64_t heap_base; /* the heap grows up from here, at most heap_max bytes */
};

/*
 * How much of the kernel virtual area the stack area and the heap range
 * over: 16 TiB, 32 root entries of 4-level paging. User address spaces
 * share the kernel's root entries, all of which exist from boot on
 * (pt_pin_upper_half), so any of them may hold these areas.
 */
#define KASLR_KVA_SPAN (16ull << 40)

/*
 * Place an area of @area_size bytes and a heap of @heap_max bytes at random
 * 2 MiB boundaries inside KASLR_KVA_SPAN: the area in its first half (past
 * the boot-stack GiB), the heap in its second half, so they never meet.
 * Both sizes must be multiples of KASLR_AREA_ALIGN of at most 64 GiB.
 */
void kaslr_kva_layout(uint64_t seed, uint64_t area_size, uint64_t heap_max, struct kaslr_kva *out);

/*
 * Check a .kreloc table of @size bytes against the image it describes,
 * @image_size bytes starting at CAIRN_KERNEL_LINK_BASE and readable at
 * @image: the header, that the counts fit @size, that every field lies
 * inside the image and that each still holds an address inside it (an
 * image and a table from different links disagree here). Returns 0, or
 * -ENOEXEC with the reason in *@why. Reads only.
 */
__must_check int kreloc_check(const void *table, size_t size, const void *image,
                              uint64_t image_size, const char **why);

/*
 * Move the image at @image (linked at CAIRN_KERNEL_LINK_BASE) by @slide:
 * add it to every field kreloc_check() accepted. The caller keeps the moved
 * image inside the top 2 GiB so the 32-bit fields stay sign-extended.
 */
void kreloc_apply(const void *table, void *image, uint64_t slide);
