// SPDX-License-Identifier: MIT
/*
 * The HPET, used as a reference clock: its main counter runs at a rate the
 * hardware states exactly, so the TSC and the local APIC timer are
 * calibrated against it, and tests measure sleeps with it. Found through
 * its ACPI table; a missing or broken HPET leaves the PIT as reference.
 * Registers: IA-PC HPET Specification 1.0a, 2.3 ("Register Descriptions").
 * Locks: [B] set up on the boot CPU before other CPUs start; [L] ext_lock.
 */
#include <cairn/errno.h>

#include <arch/cpu.h>
#include <arch/mmio.h>

#include "acpi/acpi.h"
#include "arch/x86_64/x86.h"
#include "core/log.h"
#include "mm/vm.h"
#include "sched/spinlock.h"

/* Register offsets and bits (2.3.1, Table 2). */
#define HPET_GCAP_ID        0x000
#define HPET_GEN_CONF       0x010
#define HPET_MAIN_CNT       0x0f0
#define HPET_REGS_LEN       1024
#define GCAP_COUNT_SIZE_CAP (1ull << 13) /* 64-bit main counter (2.3.4) */
#define GCAP_NUM_TIM(x)     ((((x) >> 8) & 0x1f) + 1)
#define GCAP_PERIOD(x)      ((x) >> 32)  /* femtoseconds per tick (2.3.4) */
#define PERIOD_MAX_FS       100000000ull /* at most 100 ns per tick (2.3.4) */
#define CONF_ENABLE         (1ull << 0)  /* ENABLE_CNF (2.3.5) */
#define CONF_LEGACY         (1ull << 1)  /* LEG_RT_CNF (2.3.5) */

static volatile uint8_t *regs;                           /* [B] register block, NULL when absent */
static uint64_t period_fs;                               /* [B] */
static uint64_t ns_mult;                                 /* [B] ticks -> ns, 32.32 fixed point */
static bool wide;                                        /* [B] 64-bit main counter */
static struct spinlock ext_lock = SPINLOCK_INIT("hpet"); /* guards [L] */
static uint32_t ext_last __guarded_by(&ext_lock);        /* [L] last 32-bit reading */
static uint64_t ext_high __guarded_by(&ext_lock);        /* [L] wraps seen, << 32 */

/* period_fs * 2^32 / 10^6, exactly, without 128-bit division. */
static uint64_t make_mult(uint64_t fs)
{
	const uint64_t fs_per_ns = 1000000;

	return ((fs / fs_per_ns) << 32) + (((fs % fs_per_ns) << 32) / fs_per_ns);
}

/* The counter must move: a disabled or absent device reads as a constant. */
static bool counter_runs(void)
{
	uint64_t c0 = mmio_read32(regs + HPET_MAIN_CNT);
	unsigned spin;

	for (spin = 0; spin < 1000000; spin++) {
		if (mmio_read32(regs + HPET_MAIN_CNT) != c0)
			return true;
		x86_pause();
	}
	return false;
}

/* Check the block's capabilities, then start the main counter (2.3.5). */
static int start(uint64_t phys)
{
	uint64_t cap, conf;

	if (phys == 0 || (phys & (HPET_REGS_LEN - 1)) || acpi_phys_is_ram(phys, HPET_REGS_LEN))
		return -EINVAL;
	regs = vm_map_mmio(phys, HPET_REGS_LEN, VM_CACHE_UC);
	if (!regs)
		return -ENOMEM;
	cap = mmio_read64(regs + HPET_GCAP_ID);
	period_fs = GCAP_PERIOD(cap);
	if (cap == ~0ull || period_fs == 0 || period_fs > PERIOD_MAX_FS)
		goto out_absent;
	wide = (cap & GCAP_COUNT_SIZE_CAP) != 0;
	conf = mmio_read64(regs + HPET_GEN_CONF);
	/* Interrupts stay with the LAPIC timer: no legacy replacement routing. */
	mmio_write64(regs + HPET_GEN_CONF, (conf & ~CONF_LEGACY) | CONF_ENABLE);
	if (!counter_runs())
		goto out_absent;
	ns_mult = make_mult(period_fs);
	pr_info("hpet: at %#llx, %llu.%06llu MHz, %s-bit counter, %u comparators",
	        (unsigned long long)phys, (unsigned long long)(1000000000ull / period_fs),
	        (unsigned long long)(1000000000000000ull / period_fs % 1000000), wide ? "64" : "32",
	        (unsigned)GCAP_NUM_TIM(cap));
	return 0;
out_absent:
	regs = NULL;
	period_fs = 0;
	return -ENODEV;
}

int x86_hpet_init(void)
{
	const struct acpi_hpet_info *h = acpi_hpet();
	int err;

	if (!h)
		return -ENOENT;
	err = start(h->base.address);
	if (err)
		pr_warn("hpet: table names %#llx, but no working HPET is there (%d)",
		        (unsigned long long)h->base.address, err);
	return err;
}

bool x86_hpet_present(void)
{
	return regs != NULL;
}

uint64_t x86_hpet_period_fs(void)
{
	return period_fs;
}

/* A 32-bit counter (COUNT_SIZE_CAP clear, 2.3.4) is widened in software; it wraps in ~43 s at 100 MHz. */
static uint64_t read_ticks(void)
{
	uint64_t flags;
	uint32_t low;
	uint64_t v;

	if (wide)
		return mmio_read64(regs + HPET_MAIN_CNT);
	flags = spin_lock_irqsave(&ext_lock);
	low = mmio_read32(regs + HPET_MAIN_CNT);
	if (low < ext_last)
		ext_high += 1ull << 32;
	ext_last = low;
	v = ext_high | low;
	spin_unlock_irqrestore(&ext_lock, flags);
	return v;
}

/* Any context. */
uint64_t x86_hpet_ns(void)
{
	if (!regs)
		return 0;
	return (uint64_t)(((unsigned __int128)read_ticks() * ns_mult) >> 32);
}
