// SPDX-License-Identifier: MIT
/*
 * arch_irq_init(): the interrupt controllers of a PC from the ACPI MADT.
 * Local APIC NMI pins, the IO APICs and the ISA interrupt source overrides
 * are read and programmed here; the generic layer (kernel/irq) then uses
 * the IO APIC chip, or the 8259 PIC chip when no IO APIC is usable.
 * Locks: [B] boot CPU, before other CPUs start, interrupts off.
 */
#include <cairn/errno.h>

#include "acpi/acpi.h"
#include "arch/x86_64/interrupts/lapic.h"
#include "arch/x86_64/x86.h"
#include "core/log.h"
#include "irq/chip.h"
#include "irq/irq.h"

#define ISA_IRQS 16

static unsigned apic_errors; /* [a] */

static void apic_error(struct arch_regs *regs, void *ctx)
{
	uint32_t esr = x86_lapic_read_esr();

	if (__atomic_add_fetch(&apic_errors, 1, __ATOMIC_RELAXED) <= 4)
		pr_warn("lapic: error interrupt, ESR %#x", esr);
}

/* Interrupt source overrides (ACPI 6.5, 5.2.12.5): ISA IRQ -> GSI, polarity, trigger. */
static void apply_overrides(const struct acpi_madt_info *m)
{
	uint32_t i;

	for (i = 0; i < m->noverrides; i++) {
		const struct acpi_irq_override *o = &m->overrides[i];

		if (o->bus != 0 || o->gsi >= X86_MAX_GSI ||
		    irq_set_isa_override(o->irq, o->gsi, o->flags.level, o->flags.active_low)) {
			pr_warn("irq: override bus %u IRQ %u -> GSI %u ignored", o->bus, o->irq,
			        o->gsi);
			continue;
		}
		pr_info("irq: ISA IRQ %u -> GSI %u, %s, active %s", o->irq, o->gsi,
		        o->flags.level ? "level" : "edge", o->flags.active_low ? "low" : "high");
	}
}

/* Local APIC NMI entries (5.2.12.7) for this CPU: which LINT pin carries NMI. */
static void apply_lapic_nmis(const struct acpi_madt_info *m)
{
	uint32_t i, uid = 0xffffffffu, id = lapic_id();

	for (i = 0; i < m->ncpus; i++)
		if (m->cpus[i].apic_id == id)
			uid = m->cpus[i].uid;
	for (i = 0; i < m->nlapic_nmis; i++) {
		const struct acpi_lapic_nmi *n = &m->lapic_nmis[i];

		if (n->all_cpus || n->uid == uid)
			x86_lapic_set_nmi(n->lint, n->flags.active_low, n->flags.level);
	}
}

static unsigned add_ioapics(const struct acpi_madt_info *m)
{
	uint32_t i;
	int err;

	for (i = 0; i < m->nioapics; i++) {
		const struct acpi_ioapic *a = &m->ioapics[i];

		err = x86_ioapic_add(a->id, a->address, a->gsi_base);
		if (err)
			pr_warn("ioapic: id %u at %#x (GSI base %u) refused (%d): %s", a->id,
			        a->address, a->gsi_base, err,
			        err == -ENODEV ? "no IO APIC answers there"
			                       : "bad address or GSIs");
	}
	return x86_ioapic_count();
}

static void pic_fallback(const char *why)
{
	x86_irq_use_pic();
	irq_reset_isa_overrides();
	x86_lapic_virtual_wire();
	pr_warn("irq: %s; ISA interrupts go through the 8259 PIC", why);
}

int arch_irq_init(void)
{
	const struct acpi_madt_info *m;

	x86_pic_init();
	x86_irq_use_pic();
	lapic_init_cpu();
	if (!x86_lapic_ready()) {
		pr_err("irq: no local APIC; ISA interrupts through the 8259 PIC only");
		return -ENODEV;
	}
	if (x86_vector_register(X86_VEC_APIC_ERROR, apic_error, NULL))
		pr_warn("irq: APIC error vector taken");
	m = acpi_madt();
	if (!m) {
		pic_fallback("no MADT");
		return 0;
	}
	apply_lapic_nmis(m);
	if (add_ioapics(m) == 0) {
		pic_fallback("no usable IO APIC");
		return 0;
	}
	x86_irq_use_ioapic();
	apply_overrides(m);
	pr_info("irq: %s local APIC id %u at %#llx, %u IO APIC(s), 8259 PICs masked%s",
	        lapic_x2apic() ? "x2APIC" : "xAPIC", lapic_id(),
	        (unsigned long long)x86_lapic_phys(), x86_ioapic_count(),
	        m->pcat_compat ? "" : " (MADT says none)");
	return 0;
}
