// SPDX-License-Identifier: MIT
/*
 * Framebuffer fill bandwidth through a write-combining mapping against an
 * uncached one of the same memory (issue 3, PAT). On hardware WC merges
 * stores into bursts; QEMU's TCG does not model memory types, so there the
 * two come out alike (docs/performance.md).
 */
#include <stdint.h>

#include "arch/arch.h"
#include "core/kbench.h"
#include "dev/fb.h"
#include "mm/vm.h"

#define FILLS 8

static uint64_t fill_cycles(volatile uint64_t *p, uint64_t words)
{
	uint64_t t0 = arch_cycles(), i, f;

	for (f = 0; f < FILLS; f++)
		for (i = 0; i < words; i++)
			p[i] = 0x0010182000101820ull + f;
	return (arch_cycles() - t0) / FILLS;
}

static void run(const char *name, uint64_t phys, uint64_t bytes, enum vm_cache cache)
{
	volatile uint64_t *p = vm_map_mmio(phys, bytes, cache);
	uint64_t cycles;

	if (!p)
		return;
	cycles = fill_cycles(p, bytes / 8);
	kbench_report(name, cycles, "cycles/frame");
	/* bytes per cycle * kHz = bytes per ms; / 1000 = MB/s */
	kbench_report(name, bytes * arch_cycles_khz() / (cycles ? cycles : 1) / 1000, "MB/s");
}

BENCH(fb_fill)
{
	const struct boot_framebuffer *fb = fb_info();
	uint64_t bytes;

	if (!fb) {
		kbench_report("fb_fill_skipped_no_framebuffer", 0, "-");
		return;
	}
	bytes = (uint64_t)fb->pitch * fb->height;
	run("fb_fill_wc", fb->phys_base, bytes, VM_CACHE_WC);
	run("fb_fill_uc", fb->phys_base, bytes, VM_CACHE_UC);
	fb_banner("Cairn 0.1");
}
