// SPDX-License-Identifier: MIT
/*
 * Time on x86: the TSC as the clock, the local APIC timer as the one-shot
 * interrupt behind kernel/time's events. Their rates come from CPUID leaf
 * 0x15 when the CPU states them exactly, else from a calibration against a
 * reference whose rate is known: the HPET when the firmware has one, else
 * the 8254 PIT's channel 2 (the one whose gate software controls through
 * port 0x61). The HPET window opens in arch_time_start() and closes in
 * arch_time_init(), so the boot work between them is the wait; it closes
 * once its error bound is small enough (docs/time.md).
 * Locks: [B] boot CPU, before other CPUs start; read-only after.
 */
#include <cairn/errno.h>

#include <arch/cpu.h>
#include <arch/pio.h>
#include <lib/format.h>

#include <stdint.h>

#include "arch/arch.h"
#include "arch/x86_64/interrupts/lapic.h"
#include "arch/x86_64/x86.h"
#include "core/log.h"
#include "core/percpu.h"
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
#define PIT_CAL_MS        50
#define FALLBACK_KHZ      2000000
#define CAL_MAX_PPM       X86_CAL_MAX_PPM
#define CAL_MAX_MS        X86_CAL_MAX_MS

/* CPUID leaf 0x15: TSC = crystal * EBX / EAX; ECX the crystal in Hz (SDM Vol. 2A, CPUID). */
#define CPUID_TSC_LEAF  0x15u
#define CPUID_FREQ_LEAF 0x16u /* EAX: base frequency in MHz */
/* The LAPIC timer counts the crystal when leaf 0x15 states it (SDM Vol. 3A, 12.5.4). */
#define LAPIC_TIMER_DIV 16

/* Invariant TSC: CPUID.80000007H:EDX[8] (Intel SDM Vol. 3B, 19.17.1 "Invariant TSC"). */
#define CPUID_EXT_POWER     0x80000007u
#define CPUID_INVARIANT_TSC (1u << 8)

static uint64_t tsc_hz = FALLBACK_KHZ * 1000ull; /* [B] */
static const char *nominal_source = "assumed"; /* [B] where the rate before calibration came from */
static uint64_t crystal_hz;                    /* [B] CPUID 0x15 crystal, 0 when not stated */
static uint64_t lapic_hz;                      /* [B] timer ticks per second */
static uint64_t lapic_mult;                    /* [B] ns -> ticks, 32.32 */
static bool use_deadline;                      /* [B] TSC-deadline mode */
static bool invariant;                         /* [B] */
static const char *reference = "none";         /* [B] */

/* One reading of the reference, the TSC and the LAPIC timer's count. */
struct sample {
	uint64_t ref_ns;
	uint64_t tsc;   /* the middle of the bracket around the reference read */
	uint64_t width; /* the bracket, in TSC cycles: the read happened somewhere in it */
	uint32_t lapic;
};

/* The HPET window arch_time_start() opens. */
static struct {
	bool open;
	bool lapic;      /* the LAPIC timer counts through it */
	struct sample a; /* the opening sample */
	uint64_t ppm;    /* error bound when it closed */
	uint64_t us;     /* its length when it closed */
} window;                /* [B] */
static bool started;     /* [B] arch_time_start() ran */

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

static bool cpu_is_intel(void)
{
	uint32_t r[4];

	x86_cpuid(0, 0, r);
	/* "GenuineIntel" in EBX, EDX, ECX. */
	return r[1] == 0x756e6547u && r[3] == 0x49656e69u && r[2] == 0x6c65746eu;
}

static uint32_t cpuid_max_leaf(void)
{
	uint32_t r[4];

	x86_cpuid(0, 0, r);
	return r[0];
}

/*
 * The TSC rate as the CPU states it, before any measurement: exactly from
 * leaf 0x15 when it names the crystal (Intel), else leaf 0x16's base
 * frequency (nominal: the TSC may run at a slightly different rate), else
 * FALLBACK_KHZ. Only boot timings and waits before arch_time_init() use it.
 */
void x86_tsc_nominal_init(void)
{
	uint32_t r[4], max = cpuid_max_leaf();

	if (max >= CPUID_TSC_LEAF && cpu_is_intel()) {
		x86_cpuid(CPUID_TSC_LEAF, 0, r);
		if (r[0] && r[1] && r[2]) {
			crystal_hz = r[2];
			tsc_hz = (uint64_t)r[2] * r[1] / r[0];
			nominal_source = "CPUID leaf 0x15";
			return;
		}
	}
	if (max >= CPUID_FREQ_LEAF) {
		x86_cpuid(CPUID_FREQ_LEAF, 0, r);
		if (r[0] & 0xffff) {
			tsc_hz = (uint64_t)(r[0] & 0xffff) * 1000000;
			nominal_source = "CPUID leaf 0x16";
		}
	}
}

const char *x86_tsc_nominal_source(void)
{
	return nominal_source;
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
	uint64_t t0, t1, h;
	int i;

	s->width = UINT64_MAX;
	for (i = 0; i < 4; i++) {
		t0 = x86_rdtsc();
		h = x86_hpet_ns();
		t1 = x86_rdtsc();
		if (t1 - t0 < s->width) {
			s->width = t1 - t0;
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
	char how[64];

	if (crystal_hz)
		fmt_snprintf(how, sizeof(how), "from the %s", reference);
	else if (window.ppm)
		fmt_snprintf(how, sizeof(how), "calibrated against the %s to within %llu ppm",
		             reference, (unsigned long long)window.ppm);
	else
		fmt_snprintf(how, sizeof(how), "calibrated against the %s", reference);
	pr_info("time: TSC %llu.%03llu MHz (%s), LAPIC timer %llu.%03llu MHz in %s mode, %s",
	        (unsigned long long)(tsc_hz / 1000000), (unsigned long long)(tsc_hz / 1000 % 1000),
	        invariant ? "invariant" : "not invariant per CPUID",
	        (unsigned long long)(lapic_hz / 1000000),
	        (unsigned long long)(lapic_hz / 1000 % 1000),
	        use_deadline ? "TSC-deadline" : "one-shot", how);
}

/*
 * The window's error bound in ppm: the reference was read somewhere inside
 * each bracket, so each end may be off by half its bracket, and the HPET
 * itself by a tick at each end.
 */
static uint64_t window_ppm(const struct sample *a, const struct sample *b)
{
	uint64_t ns = b->ref_ns - a->ref_ns, cycles = b->tsc - a->tsc;
	uint64_t err_ns =
		(a->width + b->width) / 2 * ns / cycles + 2 * x86_hpet_period_fs() / 1000000;

	return err_ns * 1000000 / ns + 1;
}

/*
 * Close the HPET window: sample again, and while the bound is above
 * CAL_MAX_PPM (and the window under CAL_MAX_MS) wait as long as the bound
 * says it must be and sample again. Interrupts off.
 */
static bool close_window(struct sample *b)
{
	const struct sample *a = &window.a;
	uint64_t need;

	for (;;) {
		hpet_sample(window.lapic, b);
		if (b->ref_ns <= a->ref_ns || b->tsc <= a->tsc)
			return false;
		window.ppm = window_ppm(a, b);
		if (window.ppm <= CAL_MAX_PPM ||
		    b->ref_ns - a->ref_ns >= CAL_MAX_MS * NSEC_PER_MSEC)
			return true;
		need = (b->ref_ns - a->ref_ns) * window.ppm / CAL_MAX_PPM;
		while (x86_hpet_ns() < a->ref_ns + need)
			x86_pause();
	}
}

/* Open the window: the LAPIC timer counting down, masked, and the first sample. */
static void open_window(void)
{
	unsigned long flags = irq_save();

	lapic_init_cpu(); /* idempotent; irq_init() would do it a little later */
	window.lapic = x86_lapic_ready();
	if (window.lapic)
		x86_lapic_timer_start_masked(0xffffffffu);
	hpet_sample(window.lapic, &window.a);
	window.open = true;
	irq_restore(flags);
}

void arch_time_start(void)
{
	if (started)
		return;
	started = true;
	invariant = cpu_invariant_tsc();
	if (crystal_hz) {
		reference = "CPUID leaf 0x15 crystal";
		return;
	}
	if (x86_hpet_init() == 0) {
		reference = "HPET";
		open_window();
		return;
	}
	pr_warn("time: no HPET; falling back to the PIT as the calibration reference");
	reference = "PIT";
}

/* The rates: from the crystal, the open HPET window, or a PIT measurement now. */
static int measure_rates(uint64_t *t, uint64_t *l)
{
	struct sample b;
	unsigned long flags;
	bool ok;

	if (crystal_hz) {
		*t = tsc_hz;
		*l = x86_lapic_ready() ? crystal_hz / LAPIC_TIMER_DIV : 0;
		return 0;
	}
	if (!window.open)
		return x86_time_measure(PIT_CAL_MS, x86_lapic_ready(), t, l);
	flags = irq_save();
	ok = close_window(&b);
	if (window.lapic)
		x86_lapic_timer_oneshot(0);
	irq_restore(flags);
	window.open = false;
	if (!ok)
		return -EIO;
	window.us = (b.ref_ns - window.a.ref_ns) / 1000;
	*t = (b.tsc - window.a.tsc) * NSEC_PER_SEC / (b.ref_ns - window.a.ref_ns);
	*l = window.lapic ? (uint64_t)(window.a.lapic - b.lapic) * NSEC_PER_SEC /
	                            (b.ref_ns - window.a.ref_ns)
	                  : 0;
	return 0;
}

int arch_time_init(void)
{
	uint64_t t, l;

	arch_time_start();
	if (measure_rates(&t, &l)) {
		pr_warn("time: calibration failed; keeping the TSC rate from %s", nominal_source);
		return -ENODEV;
	}
	tsc_hz = t;
	if (!x86_lapic_ready() || l == 0 || x86_vector_register(X86_VEC_TIMER, timer_irq, NULL))
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
	struct percpu *c = this_cpu();
	uint64_t now, count;

	/* APs may have enabled their APIC before the mode was chosen (smp_start()). */
	if (!c->arch.timer_mode_set) {
		x86_lapic_timer_mode_apply();
		c->arch.timer_mode_set = true;
	}
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

bool x86_tsc_invariant(void)
{
	return invariant;
}

uint64_t x86_lapic_timer_hz(void)
{
	return lapic_hz;
}

void x86_time_cal_window(uint64_t *ppm, uint64_t *us)
{
	*ppm = window.ppm;
	*us = window.us;
}

const char *x86_time_reference(void)
{
	return reference;
}
