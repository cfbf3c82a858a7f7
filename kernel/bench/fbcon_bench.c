// SPDX-License-Identifier: MIT
/*
 * Framebuffer console throughput (issue 6): lines per second of 80
 * characters, every one scrolling the screen, through the write-combining
 * mapping and an uncached one of the same framebuffer, each with the RAM
 * shadow (scrolling turns a ring; the changed area is copied out once per
 * write) and drawing directly (scrolling moves the scan lines, reading the
 * framebuffer). Written one line per fbcon_write() call, as a log does, and
 * BATCH lines per call, as a program's output arrives. TCG does not model
 * memory types, so WC and UC come out alike there (docs/performance.md).
 */
#include <lib/format.h>
#include <lib/string.h>

#include <stdint.h>

#include "arch/arch.h"
#include "core/kbench.h"
#include "dev/fb.h"
#include "dev/fbcon.h"
#include "mm/vm.h"

#define LINE_LEN 81 /* 80 characters and LF */
#define BATCH    48 /* lines per write; 48 * 81 bytes stay under one lock hold */
#define LINES    480

static char batch[BATCH * LINE_LEN];

static void fill_batch(void)
{
	unsigned i, j;

	for (i = 0; i < BATCH; i++) {
		for (j = 0; j < LINE_LEN - 1; j++)
			batch[i * LINE_LEN + j] = (char)(' ' + 1 + (i + j) % 94);
		batch[i * LINE_LEN + LINE_LEN - 1] = '\n';
	}
}

/* Write LINES lines, @per_write at a time, from the bottom row; returns lines per second. */
static uint64_t lines_per_sec(unsigned per_write)
{
	char cup[16];
	uint64_t t0, cycles;
	unsigned i;

	fbcon_clear(fbcon_screen());
	fmt_snprintf(cup, sizeof(cup), "\x1b[%u;1H", fbcon_rows(fbcon_screen()));
	fbcon_write(fbcon_screen(), cup, strlen(cup));
	t0 = arch_cycles();
	for (i = 0; i < LINES; i += per_write)
		fbcon_write(fbcon_screen(), batch, (size_t)per_write * LINE_LEN);
	cycles = arch_cycles() - t0;
	return (uint64_t)LINES * arch_cycles_khz() * 1000 / (cycles ? cycles : 1);
}

static void run(const char *name, void *fb, bool shadow)
{
	struct fbcon_mode mode = { fb, shadow };
	char what[48];

	if (!fb || fbcon_set_mode(fbcon_screen(), &mode, NULL)) {
		fmt_snprintf(what, sizeof(what), "%s_skipped", name);
		kbench_report(what, 0, "-");
		return;
	}
	fmt_snprintf(what, sizeof(what), "%s_1line", name);
	kbench_report(what, lines_per_sec(1), "lines/s");
	fmt_snprintf(what, sizeof(what), "%s_batch%u", name, BATCH);
	kbench_report(what, lines_per_sec(BATCH), "lines/s");
}

BENCH(fbcon)
{
	const struct boot_framebuffer *fb = fb_info();
	struct fbcon_mode wc;
	void *uc;

	if (!fb || !fbcon_init()) {
		kbench_report("fbcon_skipped_no_framebuffer", 0, "-");
		return;
	}
	fill_batch();
	fbcon_get_mode(fbcon_screen(), &wc);
	lines_per_sec(1); /* warm up: the first run also pays for translating the code (TCG) */
	uc = vm_map_mmio(fb->phys_base, (size_t)fb->pitch * fb->height, VM_CACHE_UC);
	run("fbcon_wc_shadow", wc.fb, true);
	run("fbcon_wc_direct", wc.fb, false);
	run("fbcon_uc_shadow", uc, true);
	run("fbcon_uc_direct", uc, false);
	if (fbcon_set_mode(fbcon_screen(), &wc, NULL) == 0)
		fbcon_clear(fbcon_screen());
}
