// SPDX-License-Identifier: MIT
/*
 * Per-CPU data on x86_64: one struct percpu per CPU in a static array, and
 * IA32_GS_BASE pointing at the running CPU's, so this_cpu() is `mov
 * %gs:0`. The boot CPU's is set up first thing in arch_early_init() (from
 * x86_gdt_init()); the others' by smp.c before each CPU starts.
 * Locks: [B] boot CPU before the other CPUs start; fields: core/percpu.h.
 */
#include "arch/x86_64/cpu/percpu.h"

#include <arch/cpu.h>
#include <arch/msr.h>

#include "core/percpu.h"

static struct percpu cpus[SMP_MAX_CPUS]; /* [B] then per the field tags */
static bool ready;                       /* [B] GS base of the boot CPU is set */

bool percpu_ready(void)
{
	return ready;
}

struct percpu *percpu_of(unsigned cpu)
{
	return cpu < SMP_MAX_CPUS ? &cpus[cpu] : NULL;
}

unsigned arch_cpu_index(void)
{
	return ready ? this_cpu_index() : 0;
}

/*
 * The initial APIC ID: CPUID.0BH:EDX is the full x2APIC ID where leaf 0BH
 * exists (EBX nonzero), else CPUID.01H:EBX[31:24] (Intel SDM Vol. 3A,
 * 10.4.5 and Vol. 2A, CPUID). It matches the MADT and needs no APIC access.
 */
uint32_t x86_cpuid_apic_id(void)
{
	uint32_t r[4];

	x86_cpuid(0, 0, r);
	if (r[0] >= 0xb) {
		x86_cpuid(0xb, 0, r);
		if (r[1] != 0)
			return r[3];
	}
	x86_cpuid(1, 0, r);
	return r[1] >> 24;
}

struct percpu *x86_percpu_boot_cpu(void)
{
	unsigned i;

	for (i = 0; i < SMP_MAX_CPUS; i++) {
		cpus[i].self = &cpus[i];
		cpus[i].cpu = i;
		spin_init(&cpus[i].calls_lock, "smp.calls");
	}
	cpus[0].apic_id = x86_cpuid_apic_id();
	cpus[0].online = 1;
	return &cpus[0];
}

void x86_percpu_assign(struct percpu *c, uint32_t apic_id)
{
	c->apic_id = apic_id;
}

void x86_percpu_activate(struct percpu *c)
{
	x86_wrmsr(X86_MSR_GS_BASE, (uint64_t)(uintptr_t)c);
	if (c == &cpus[0])
		ready = true;
}

struct percpu *x86_percpu_by_apic(uint32_t apic_id, unsigned n)
{
	unsigned i;

	for (i = 0; i < n && i < SMP_MAX_CPUS; i++)
		if (cpus[i].apic_id == apic_id)
			return &cpus[i];
	return NULL;
}
