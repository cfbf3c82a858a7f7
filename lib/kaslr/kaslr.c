// SPDX-License-Identifier: MIT
/*
 * KASLR choices (lib/kaslr/kaslr.h): which entropy source answers first,
 * and how a 64-bit seed becomes the image slide, the direct-map base, the
 * boot stack's page and the kernel's own areas. Every choice draws its own
 * value from the seed, so knowing one address says nothing of the others.
 */
#include "lib/kaslr/kaslr.h"

#include <lib/cmdline/cmdline.h>
#include <lib/string.h>

#define PAGE          BOOT_PAGE_SIZE
#define GIB           (1ull << 30)
#define GOLDEN        0x9e3779b97f4a7c15ull /* 2^64 / golden ratio, SplitMix64's increment */
#define SPAN_4L       (1ull << 39)          /* what one PML4 entry maps */
#define SPAN_5L       (1ull << 48)          /* what one PML5 entry maps */
/* The direct map's region: up to the kernel virtual area, or to PML5 entry 511. */
#define DIRECT_END_4L CAIRN_KVA_BASE
#define DIRECT_END_5L 0xffff000000000000ull

/* Which value of the seed each choice uses. */
enum { DRAW_IMAGE, DRAW_DIRECT, DRAW_STACK, DRAW_AREA, DRAW_HEAP };

uint32_t kaslr_cmdline_flags(const char *cmdline)
{
	const char *v = cmdline_find(cmdline, "kaslr");

	if (cmdline_find(cmdline, "nokaslr"))
		return 0;
	if (v && strcmp(v, "verbose") == 0)
		return BOOT_KASLR_ON | BOOT_KASLR_VERBOSE;
	return BOOT_KASLR_ON;
}

/* SplitMix64's output function (Steele, Lea, Flood 2014): every input bit reaches every output bit. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t kaslr_derive(uint64_t seed, unsigned n)
{
	return mix64(seed + (uint64_t)(n + 1) * GOLDEN);
}

static bool try_source(bool (*fn)(void *, uint64_t *), void *ctx, unsigned tries, uint64_t *out)
{
	for (unsigned i = 0; fn && i < tries; i++) {
		if (fn(ctx, out))
			return true;
	}
	return false;
}

/*
 * Fold the differences between time-stamp readings around a little work
 * whose length depends on what came before: interrupts, cache misses and,
 * under emulation, the host's scheduling make them vary from boot to boot.
 * The weakest source, used only when nothing else answers.
 */
static uint64_t tsc_jitter(const struct kaslr_entropy_ops *ops)
{
	uint64_t h = mix64(ops->cycles(ops->ctx));

	for (unsigned i = 0; i < KASLR_TSC_SAMPLES; i++) {
		uint64_t t0 = ops->cycles(ops->ctx);
		volatile uint64_t sink = 0;

		for (uint64_t j = 0; j < 16 + (h & 63); j++)
			sink += j;
		h = mix64(h ^ (ops->cycles(ops->ctx) - t0) ^ (t0 << 32) ^ sink);
	}
	return h;
}

uint32_t kaslr_gather(const struct kaslr_entropy_ops *ops, uint64_t *seed)
{
	uint64_t v;

	if (try_source(ops->rdseed, ops->ctx, KASLR_RDSEED_TRIES, &v)) {
		*seed = mix64(v);
		return BOOT_ENTROPY_RDSEED;
	}
	if (try_source(ops->rdrand, ops->ctx, KASLR_RDRAND_TRIES, &v)) {
		*seed = mix64(v);
		return BOOT_ENTROPY_RDRAND;
	}
	if (try_source(ops->firmware, ops->ctx, 1, &v)) {
		*seed = mix64(v);
		return BOOT_ENTROPY_EFI_RNG;
	}
	*seed = tsc_jitter(ops);
	return BOOT_ENTROPY_TSC;
}

const char *kaslr_source_name(uint32_t source)
{
	switch (source) {
	case BOOT_ENTROPY_RDSEED:
		return "rdseed";
	case BOOT_ENTROPY_RDRAND:
		return "rdrand";
	case BOOT_ENTROPY_EFI_RNG:
		return "efi-rng";
	case BOOT_ENTROPY_TSC:
		return "tsc-jitter";
	default:
		return "none";
	}
}

/* One of @slots choices (slots > 0); the modulo bias is below 2^-40 for every use here. */
static uint64_t pick(uint64_t seed, unsigned draw, uint64_t slots)
{
	return kaslr_derive(seed, draw) % slots;
}

uint64_t kaslr_image_slide(uint64_t seed, uint64_t size, bool disjoint, uint64_t *slots)
{
	/* Slot k puts the image at CAIRN_KERNEL_VMA_BASE + k * 2 MiB; the link address is slot 1. */
	uint64_t n = (size + KASLR_IMAGE_ALIGN - 1) / KASLR_IMAGE_ALIGN;
	uint64_t top = (KASLR_IMAGE_TOP - CAIRN_KERNEL_VMA_BASE) / KASLR_IMAGE_ALIGN;
	uint64_t first = disjoint ? 1 + n : 2, count = 0;

	if (size > 0 && n <= top && top - n >= first)
		count = top - n - first + 1;
	if (slots)
		*slots = count;
	if (count == 0)
		return 0;
	return (first + pick(seed, DRAW_IMAGE, count) - 1) * KASLR_IMAGE_ALIGN;
}

uint64_t kaslr_direct_map_base(uint64_t seed, uint64_t phys_limit, bool la57)
{
	uint64_t base = la57 ? CAIRN_DIRECT_MAP_5LEVEL : CAIRN_DIRECT_MAP_4LEVEL;
	uint64_t room = (la57 ? DIRECT_END_5L : DIRECT_END_4L) - base;
	uint64_t need = phys_limit < KASLR_DIRECT_ALIGN
	                        ? KASLR_DIRECT_ALIGN
	                        : (phys_limit + KASLR_DIRECT_ALIGN - 1) & ~(KASLR_DIRECT_ALIGN - 1);

	if (need >= room)
		return base;
	return base +
	       pick(seed, DRAW_DIRECT, (room - need) / KASLR_DIRECT_ALIGN + 1) * KASLR_DIRECT_ALIGN;
}

uint64_t kaslr_boot_stack_offset(uint64_t seed, uint64_t stack_size)
{
	uint64_t used = stack_size + PAGE; /* the guard page below the stack */

	if (used >= CAIRN_KVA_BOOT_STACK_SPAN)
		return 0;
	return pick(seed, DRAW_STACK, (CAIRN_KVA_BOOT_STACK_SPAN - used) / PAGE + 1) * PAGE;
}

/* A random @size-byte range at a KASLR_AREA_ALIGN boundary inside [@lo, @hi). */
static uint64_t place(uint64_t seed, unsigned draw, uint64_t lo, uint64_t hi, uint64_t size)
{
	return lo + pick(seed, draw, (hi - lo - size) / KASLR_AREA_ALIGN + 1) * KASLR_AREA_ALIGN;
}

void kaslr_kva_layout(uint64_t seed, uint64_t area_size, uint64_t heap_max, struct kaslr_kva *out)
{
	uint64_t mid = CAIRN_KVA_BASE + KASLR_KVA_SPAN / 2;

	out->area_start =
		place(seed, DRAW_AREA, CAIRN_KVA_BASE + CAIRN_KVA_BOOT_STACK_SPAN, mid, area_size);
	out->area_end = out->area_start + area_size;
	out->heap_base = place(seed, DRAW_HEAP, mid, CAIRN_KVA_BASE + KASLR_KVA_SPAN, heap_max);
}
