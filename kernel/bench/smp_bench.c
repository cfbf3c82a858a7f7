// SPDX-License-Identifier: MIT
/*
 * SMP figures (issue 4): how long starting the other CPUs took at boot, the
 * round trip of a call to another CPU and back, a TLB shootdown to every
 * CPU, and the cost of an uncontended spinlock. Run with more than one CPU
 * (CPUS=4); under TCG every figure depends on how the host schedules the
 * vCPU threads (docs/smp.md).
 */
#include <stdint.h>

#include "arch/arch.h"
#include "core/kbench.h"
#include "core/percpu.h"
#include "core/smp.h"
#include "sched/spinlock.h"

#define ROUNDS 1000

static void nothing(void *arg)
{
}

BENCH(smp_bringup)
{
	struct smp_stats st;

	smp_get_stats(&st);
	kbench_report("smp_cpus_online", st.online, "cpus");
	kbench_report("smp_bringup", st.bringup_us, "us");
	kbench_report("smp_bringup_cycles", st.bringup_cycles, "cycles");
}

/* A call with wait to the first other CPU: queue, IPI, run, acknowledge. */
BENCH(smp_ipi_roundtrip)
{
	uint64_t t0, t, best = UINT64_MAX, total = 0;
	unsigned cpu, i;

	for (cpu = 1; cpu < SMP_MAX_CPUS && !smp_cpu_online(cpu); cpu++)
		;
	if (cpu == SMP_MAX_CPUS) {
		kbench_report("smp_ipi_roundtrip_skipped_one_cpu", 0, "-");
		return;
	}
	for (i = 0; i < ROUNDS; i++) {
		t0 = arch_cycles();
		if (smp_call(cpu, nothing, NULL, true))
			return;
		t = arch_cycles() - t0;
		total += t;
		if (t < best)
			best = t;
	}
	kbench_report_cycles("smp_ipi_roundtrip_mean", total / ROUNDS);
	kbench_report("smp_ipi_roundtrip_best", best, "cycles");
}

/* One page shot down on every CPU, waiting for all of them. */
BENCH(smp_tlb_shootdown)
{
	uint64_t t0, total = 0;
	unsigned i;

	for (i = 0; i < ROUNDS; i++) {
		t0 = arch_cycles();
		smp_tlb_shootdown(0, 1); /* page 0 is never mapped: nothing to lose */
		total += arch_cycles() - t0;
	}
	kbench_report("smp_tlb_shootdown_cpus", smp_cpu_count(), "cpus");
	kbench_report_cycles("smp_tlb_shootdown_mean", total / ROUNDS);
}

BENCH(smp_spinlock_uncontended)
{
	struct spinlock l = SPINLOCK_INIT("bench.lock");
	uint64_t t0, flags;
	unsigned i;

	t0 = arch_cycles();
	for (i = 0; i < ROUNDS * 100; i++) {
		spin_lock(&l);
		spin_unlock(&l);
	}
	kbench_report("spin_lock_unlock", (arch_cycles() - t0) / (ROUNDS * 100), "cycles");
	t0 = arch_cycles();
	for (i = 0; i < ROUNDS * 100; i++) {
		flags = spin_lock_irqsave(&l);
		spin_unlock_irqrestore(&l, flags);
	}
	kbench_report("spin_lock_irqsave_restore", (arch_cycles() - t0) / (ROUNDS * 100), "cycles");
}
