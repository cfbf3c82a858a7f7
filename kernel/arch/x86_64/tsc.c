// SPDX-License-Identifier: MIT
/*
 * TSC frequency, measured against the 8254 PIT's channel 2 (the one whose
 * gate software controls through port 0x61). Good to well under 1% for
 * boot-time figures; the timer work refines it against the HPET.
 */
#include <stdint.h>

#include <arch/cpu.h>
#include <arch/pio.h>

#include "arch/arch.h"
#include "core/log.h"
#include "x86.h"

#define PIT_HZ        1193182 /* Intel 8254 input clock on the PC */
#define PIT_CH2       0x42
#define PIT_CMD       0x43
#define PIT_CH2_GATE  0x61    /* bit 0 gate, bit 1 speaker, bit 5 OUT2 */
#define PIT_CMD_CH2_MODE0 0xb0 /* channel 2, lobyte/hibyte, mode 0, binary */
#define CALIBRATE_MS  10
#define FALLBACK_KHZ  2000000

static uint64_t tsc_khz = FALLBACK_KHZ;

void x86_tsc_calibrate(void)
{
	uint16_t count = PIT_HZ / (1000 / CALIBRATE_MS);
	uint64_t t0, t1;
	uint32_t spin;

	outb(PIT_CH2_GATE, (inb(PIT_CH2_GATE) & ~0x02) | 0x01);
	outb(PIT_CMD, PIT_CMD_CH2_MODE0);
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	t0 = x86_rdtsc();
	for (spin = 0; spin < 100000000 && !(inb(PIT_CH2_GATE) & 0x20); spin++)
		;
	t1 = x86_rdtsc();
	if (!(inb(PIT_CH2_GATE) & 0x20) || t1 <= t0) {
		pr_warn("tsc: PIT did not count down; assuming %u kHz", FALLBACK_KHZ);
		return;
	}
	tsc_khz = (t1 - t0) / CALIBRATE_MS;
}

uint64_t arch_cycles_khz(void)
{
	return tsc_khz;
}
