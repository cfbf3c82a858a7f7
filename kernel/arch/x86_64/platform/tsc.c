// SPDX-License-Identifier: MIT
/*
 * Time on x86: the TSC as the clock, the local APIC timer as the one-shot
 * interrupt behind kernel/time's events, both calibrated at boot against a
 * reference whose rate is known: the HPET when the firmware has one, else
 * the 8254 PIT's channel 2 (the one whose gate software controls through
 * port 0x61). An early PIT estimate comes first, for boot-time figures.
 * Locks: [B] boot CPU, before other CPUs start; read-only after.
 */
#include <cairn/errno.h>

#include <arch/cpu.h>
#include <arch/pio.h>

#include <stdint.h>

#include "arch/arch.h"
#include "arch/x86_64/interrupts/lapic.h"
#include "arch/x86_64/x86.h"
#include "core/log.h"
#include "irq/irq.h"
#include "time/time.h"

/* Intel 8254 datasheet (order 231164): control word, mode 0; 1.193182 MHz on the PC. */
#define PIT_HZ            1193182
#define PIT_CH2           0x42
#define PIT_CMD           0x43
#define PIT_CH2_GATE      0x61 /* bit 0 gate, bit 1 speaker, bit 5 OUT2 */
#define PIT_GATE_ON       0x01
#define PIT_SPEAKER       0x02
#define PIT_OUT2          0x20
#define PIT_CMD_CH2_MODE0 0xb0 /* channel 2, lobyte/hibyte, mode 0, binary */
#define PIT_MAX_MS        54   /* 65535 counts */
#define EARLY_MS          10
#define HPET_CAL_MS       10
#define PIT_CAL_MS        50
#define FALLBACK_KHZ      2000000

/* Invariant TSC: CPUID.80000007H:EDX[8] (Intel SDM Vol. 3B, 19.17.1 "Invariant TSC"). */
#define CPUID_EXT_POWER     0x80000007u
#define CPUID_INVARIANT_TSC (1u << 8)

static uint64_t tsc_hz = FALLBACK_KHZ * 1000ull; /* [B] */
static uint64_t tsc_hz_early;                    /* [B] from the early PIT estimate */
static uint64_t lapic_hz;                        /* [B] timer ticks per second */
static uint64_t lapic_mult;                      /* [B] ns -> ticks, 32.32 */
static bool use_deadline;                        /* [B] TSC-deadline mode */
static bool invariant;                           /* [B] */
static const char *reference = "none";           /* [B] */

/* One reading of the reference, the TSC and the LAPIC timer's count. */
struct sample {
	uint64_t ref_ns;
	uint64_t tsc;
	uint32_t lapic;
};

/*
 * Count PIT channel 2 down from @count in mode 0 and sample the TSC and
 * the LAPIC timer when it starts and when OUT2 rises, N + 1 clocks after
 * the count is written (8254 datasheet, "Mode 0"). Each port access is
 * slow and may be delayed (under emulation the vCPU can be descheduled),
 * so the start is bracketed by TSC reads around the last count write and
 * the end by the reads around the polls that saw OUT2 low, then high.
 * Returns the width of both brackets in cycles, or 0 if OUT2 never rises.
 */
static uint64_t pit_window_once(uint16_t count, bool lapic, struct sample *a, struct sample *b)
{
	uint64_t t0, t_low, t;
	uint32_t spin;

	outb(PIT_CH2_GATE, (inb(PIT_CH2_GATE) & ~PIT_SPEAKER) | PIT_GATE_ON);
	outb(PIT_CMD, PIT_CMD_CH2_MODE0);
	outb(PIT_CH2, count & 0xff);
	t0 = x86_rdtsc();
	outb(PIT_CH2, count >> 8);
	a->tsc = x86_rdtsc();
	a->lapic = lapic ? x86_lapic_timer_current() : 0;
	t_low = t = a->tsc;
	for (spin = 0; spin < 100000000; spin++) {
		t = x86_rdtsc();
		if (inb(PIT_CH2_GATE) & PIT_OUT2)
			break;
		t_low = t;
	}
	b->tsc = t;
	b->lapic = lapic ? x86_lapic_timer_current() : 0;
	a->ref_ns = 0;
	b->ref_ns = (uint64_t)(count + 1) * NSEC_PER_SEC / PIT_HZ;
	if (!(inb(PIT_CH2_GATE) & PIT_OUT2) || b->tsc <= a->tsc)
		return 0;
	return (a->tsc - t0) + (x86_rdtsc() - t_low) + 1;
}

/* Up to three windows; keep the one measured most tightly (one within 0.1% ends it). */
static bool pit_window(uint16_t count, bool lapic, struct sample *a, struct sample *b)
{
	struct sample ta, tb;
	uint64_t width, best = 0;
	int i;

	for (i = 0; i < 3; i++) {
		width = pit_window_once(count, lapic, &ta, &tb);
		if (width && (!best || width < best)) {
			best = width;
			*a = ta;
			*b = tb;
		}
		if (best && best < (b->tsc - a->tsc) / 1000)
			break;
	}
	return best != 0;
}

void x86_tsc_calibrate(void)
{
	struct sample a, b;

	/* One window: a rough figure for boot timings until arch_time_init() refines it. */
	if (!pit_window_once(PIT_HZ / (1000 / EARLY_MS), false, &a, &b)) {
		pr_warn("tsc: PIT did not count down; assuming %u kHz", FALLBACK_KHZ);
		return;
	}
	tsc_hz = (b.tsc - a.tsc) * NSEC_PER_SEC / b.ref_ns;
	tsc_hz_early = tsc_hz;
}

uint64_t arch_cycles_khz(void)
{
	return tsc_hz / 1000;
}

/*
 * Read the HPET bracketed by two TSC reads, a few times, and keep the
 * tightest bracket: the HPET read is slow (an uncached device access; a
 * trip to the device model under emulation) and its cost must not count.
 */
static void hpet_sample(bool lapic, struct sample *s)
{
	uint64_t t0, t1, h, best = UINT64_MAX;
	int i;

	for (i = 0; i < 4; i++) {
		t0 = x86_rdtsc();
		h = x86_hpet_ns();
		t1 = x86_rdtsc();
		if (t1 - t0 < best) {
			best = t1 - t0;
			s->ref_ns = h;
			s->tsc = t0 + (t1 - t0) / 2;
			s->lapic = lapic ? x86_lapic_timer_current() : 0;
		}
	}
}

static bool hpet_window(unsigned ms, bool lapic, struct sample *a, struct sample *b)
{
	uint64_t end;

	hpet_sample(lapic, a);
	end = a->ref_ns + ms * NSEC_PER_MSEC;
	while (x86_hpet_ns() < end)
		x86_pause();
	hpet_sample(lapic, b);
	return b->ref_ns > a->ref_ns && b->tsc > a->tsc;
}

int x86_time_measure(unsigned ms, bool lapic, uint64_t *tsc_out, uint64_t *lapic_out)
{
	struct sample a, b;
	unsigned long flags;
	bool ok;

	/* The LAPIC timer can be measured only before it carries timer events. */
	if (lapic && lapic_hz)
		return -EBUSY;
	flags = irq_save();
	if (lapic)
		x86_lapic_timer_start_masked(0xffffffffu);
	if (x86_hpet_present()) {
		ok = hpet_window(ms, lapic, &a, &b);
	} else {
		ms = ms > PIT_MAX_MS ? PIT_MAX_MS : ms;
		ok = pit_window((uint16_t)(PIT_HZ * ms / 1000), lapic, &a, &b);
	}
	if (lapic)
		x86_lapic_timer_oneshot(0);
	irq_restore(flags);
	if (!ok)
		return -EIO;
	*tsc_out = (b.tsc - a.tsc) * NSEC_PER_SEC / (b.ref_ns - a.ref_ns);
	*lapic_out =
		lapic ? (uint64_t)(a.lapic - b.lapic) * NSEC_PER_SEC / (b.ref_ns - a.ref_ns) : 0;
	return 0;
}

static bool cpu_invariant_tsc(void)
{
	uint32_t r[4];

	x86_cpuid(0x80000000u, 0, r);
	if (r[0] < CPUID_EXT_POWER)
		return false;
	x86_cpuid(CPUID_EXT_POWER, 0, r);
	return (r[3] & CPUID_INVARIANT_TSC) != 0;
}

static void timer_irq(struct arch_regs *regs, void *ctx)
{
	time_timer_interrupt();
}

/* @hz * 2^32 / 10^9 without a 128-bit division (@hz % 10^9 < 2^30). */
static uint64_t per_ns_mult(uint64_t hz)
{
	return ((hz / NSEC_PER_SEC) << 32) + (((hz % NSEC_PER_SEC) << 32) / NSEC_PER_SEC);
}

static void log_time(void)
{
	pr_info("time: TSC %llu.%03llu MHz (%s), LAPIC timer %llu.%03llu MHz in %s mode, "
	        "calibrated against the %s",
	        (unsigned long long)(tsc_hz / 1000000), (unsigned long long)(tsc_hz / 1000 % 1000),
	        invariant ? "invariant" : "not invariant per CPUID",
	        (unsigned long long)(lapic_hz / 1000000),
	        (unsigned long long)(lapic_hz / 1000 % 1000),
	        use_deadline ? "TSC-deadline" : "one-shot", reference);
}

int arch_time_init(void)
{
	uint64_t t, l;
	bool have_lapic = x86_lapic_ready();

	if (x86_hpet_init() == 0)
		reference = "HPET";
	else
		pr_warn("time: no HPET; falling back to the PIT as the calibration reference");
	if (!x86_hpet_present())
		reference = "PIT";
	invariant = cpu_invariant_tsc();
	if (x86_time_measure(x86_hpet_present() ? HPET_CAL_MS : PIT_CAL_MS, have_lapic, &t, &l)) {
		pr_warn("time: calibration failed; keeping the early TSC estimate");
		return -ENODEV;
	}
	tsc_hz = t;
	if (!have_lapic || l == 0 || x86_vector_register(X86_VEC_TIMER, timer_irq, NULL))
		return -ENODEV;
	lapic_hz = l;
	lapic_mult = per_ns_mult(lapic_hz);
	use_deadline = x86_lapic_has_tsc_deadline();
	x86_lapic_timer_setup(use_deadline);
	log_time();
	return 0;
}

uint64_t arch_clock_hz(void)
{
	return tsc_hz;
}

/* Interrupts off. A one-shot count is rounded up: early is impossible, late by < 1 tick. */
void arch_timer_program(uint64_t deadline_ns)
{
	uint64_t now, count;

	if (use_deadline) {
		x86_lapic_timer_deadline(
			deadline_ns == TIME_NEVER ? 0 : clock_ns_to_cycles(deadline_ns));
		return;
	}
	if (deadline_ns == TIME_NEVER) {
		x86_lapic_timer_oneshot(0);
		return;
	}
	now = clock_monotonic_ns();
	count = deadline_ns > now
	                ? (uint64_t)(((unsigned __int128)(deadline_ns - now) * lapic_mult) >> 32) +
	                          1
	                : 1;
	x86_lapic_timer_oneshot(count > 0xffffffffu ? 0xffffffffu : (uint32_t)count);
}

uint64_t x86_tsc_hz(void)
{
	return tsc_hz;
}

uint64_t x86_tsc_early_hz(void)
{
	return tsc_hz_early;
}

bool x86_tsc_invariant(void)
{
	return invariant;
}

uint64_t x86_lapic_timer_hz(void)
{
	return lapic_hz;
}

const char *x86_time_reference(void)
{
	return reference;
}
