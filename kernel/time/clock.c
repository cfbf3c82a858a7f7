// SPDX-License-Identifier: MIT
/*
 * The monotonic clock: the architecture's cycle counter (the TSC on x86)
 * scaled to nanoseconds with a 32.32 fixed-point multiplier, so a reading
 * costs one counter read, one 64x64->128 multiply and a shift. When the
 * rate is refined (time_init() after the early estimate) the clock is
 * rebased at that instant, so it never steps back.
 * Locks: [B] written on the boot CPU before other CPUs start; read-only after.
 */
#include <arch/spinlock.h>

#include "arch/arch.h"
#include "time/internal.h"
#include "time/time.h"

/* The clock's state: ns = ns_base + (cycles - cyc_base) * mult >> 32. */
static struct {
	uint64_t cyc_base; /* [B] cycle count at the last rebase */
	uint64_t ns_base;  /* [B] clock reading at the last rebase */
	uint64_t mult;     /* [B] ns per cycle, 32.32 */
	uint64_t inv_mult; /* [B] cycles per ns, 32.32 */
} clk;

/* floor(@num * 2^32 / @den) by long division (no 128-bit divide in the kernel). */
static uint64_t frac32(uint64_t num, uint64_t den)
{
	unsigned __int128 n = (unsigned __int128)num << 32, q = 0, r = 0;
	int bit;

	if (den == 0)
		return 0;
	for (bit = 95; bit >= 0; bit--) {
		r = (r << 1) | ((n >> bit) & 1);
		if (r >= den) {
			r -= den;
			q |= (unsigned __int128)1 << bit;
		}
	}
	return q > UINT64_MAX ? UINT64_MAX : (uint64_t)q;
}

static uint64_t scale(uint64_t v, uint64_t mult)
{
	return (uint64_t)(((unsigned __int128)v * mult) >> 32);
}

/* Use @hz from now on, continuing from the current reading. Boot CPU. */
void clock_set_hz(uint64_t hz)
{
	uint64_t now_cyc = arch_cycles();
	uint64_t now_ns = clk.mult ? clk.ns_base + scale(now_cyc - clk.cyc_base, clk.mult) : 0;

	if (hz == 0)
		return;
	clk.mult = frac32(NSEC_PER_SEC, hz);
	clk.inv_mult = frac32(hz, NSEC_PER_SEC);
	clk.cyc_base = now_cyc;
	/* The first setting counts from cycle 0: the clock then reads as uptime. */
	clk.ns_base = now_ns ? now_ns : scale(now_cyc, clk.mult);
}

uint64_t clock_monotonic_ns(void)
{
	if (!clk.mult)
		clock_set_hz(arch_cycles_khz() * 1000);
	return clk.ns_base + scale(arch_cycles() - clk.cyc_base, clk.mult);
}

uint64_t clock_ns_to_cycles(uint64_t ns)
{
	if (!clk.mult)
		clock_set_hz(arch_cycles_khz() * 1000);
	if (ns <= clk.ns_base)
		return clk.cyc_base;
	/* Round up, so a deadline in cycles is never before the one in ns. */
	return clk.cyc_base + scale(ns - clk.ns_base, clk.inv_mult) + 1;
}

void delay_ns(uint64_t ns)
{
	uint64_t end = clock_monotonic_ns() + ns;

	while (clock_monotonic_ns() < end)
		arch_cpu_relax();
}
