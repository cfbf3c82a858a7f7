// SPDX-License-Identifier: MIT
/*
 * Interrupt dispatch for vectors 32-255 and the x86 side of kernel/irq/irq.h:
 * the vector table, per-CPU per-vector counters, GSI handlers over the IO
 * APIC (or the 8259 PIC when the firmware describes no IO APIC), the ISA
 * overrides from the MADT and the interrupt flag. Vector layout in
 * lapic.h and x86.h; docs/interrupts.md has the picture.
 * Locks: [B] boot CPU before other CPUs start; [L] irq_lock; [C] written
 * only by the CPU the row belongs to.
 */
#include "irq/irq.h"

#include <cairn/errno.h>

#include <arch/cpu.h>

#include "core/log.h"
#include "core/percpu.h"
#include "irq/firmware.h"
#include "lapic.h"
#include "mm/heap.h"
#include "sched/sched.h"
#include "sched/spinlock.h"
#include "x86.h"

#define ISA_IRQS    16
#define PIC_CASCADE 2

/* One handler of a GSI; GSIs may be shared. */
struct irq_action {
	void (*fn)(void *ctx);
	void *ctx;
	struct irq_action *next; /* [L] */
};

/* A GSI's electrical mode and handlers. */
struct gsi_line {
	struct irq_action *actions; /* [L] in registration order */
	bool level;                 /* [B] level triggered (else edge) */
	bool active_low;            /* [B] */
	bool routed;                /* [L] redirection entry programmed */
};

/* A handler of a whole vector (timer, IPIs, tests). */
struct vector_handler {
	void (*fn)(struct arch_regs *regs, void *ctx); /* [B] */
	void *ctx;                                     /* [B] */
};

static struct vector_handler vectors[256];              /* [B] */
static struct gsi_line gsis[X86_MAX_GSI];               /* [B]/[L] */
static uint32_t isa_gsi[ISA_IRQS];                      /* [B] ISA IRQ -> GSI */
static bool ioapic_mode;                                /* [B] */
static uint32_t bsp_apic_id;                            /* [B] where GSIs are sent */
static uint64_t counts[X86_IRQ_MAX_CPUS][256];          /* [C] */
static unsigned apic_errors;                            /* [a] */
static struct spinlock irq_lock = SPINLOCK_INIT("irq"); /* guards [L]; before ioapic */

/* Until kernel/arch/x86_64/percpu.c provides the real one, everything is CPU 0. */
__attribute__((weak)) unsigned arch_cpu_index(void)
{
	return 0;
}

/* ---- the interrupt flag ---- */

void irq_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}

void irq_disable(void)
{
	x86_cli();
}

bool irq_enabled(void)
{
	return (x86_read_rflags() & X86_RFLAGS_IF) != 0;
}

unsigned long irq_save(void)
{
	unsigned long flags = x86_read_rflags();

	x86_cli();
	return flags;
}

void irq_restore(unsigned long flags)
{
	if (flags & X86_RFLAGS_IF)
		irq_enable();
}

/* STI holds interrupts off for one more instruction, so none is lost before HLT (SDM Vol. 2B, STI). */
void irq_enable_and_wait(void)
{
	__asm__ volatile("sti; hlt" : : : "memory");
}

/* ---- dispatch ---- */

/* Handlers run under irq_lock, so irq_unregister() can free an action safely. */
static void gsi_dispatch(uint32_t gsi)
{
	struct irq_action *a;

	spin_lock(&irq_lock);
	for (a = gsis[gsi].actions; a; a = a->next)
		a->fn(a->ctx);
	spin_unlock(&irq_lock);
}

/* Legacy PIC vectors 32-47: spurious IRQ 7/15 checks, then the fallback's handlers. */
static void pic_dispatch(unsigned irq)
{
	if ((irq == 7 || irq == 15) && x86_pic_spurious(irq))
		return;
	if (!ioapic_mode)
		gsi_dispatch(irq);
	x86_pic_eoi(irq);
}

/*
 * Every vector from 32 up, interrupts off. The spurious vector gets no EOI
 * (Intel SDM Vol. 3A, 12.9), PIC vectors an EOI at the PIC; the rest one
 * at the local APIC after their handler (12.8.5).
 */
void x86_irq_dispatch(struct arch_regs *regs)
{
	unsigned v = regs->vector & 0xff, cpu = arch_cpu_index();

	if (cpu < X86_IRQ_MAX_CPUS)
		counts[cpu][v]++;
	if (v == X86_VEC_SPURIOUS)
		return;
	if (v >= X86_VEC_PIC_BASE && v < X86_VEC_PIC_BASE + ISA_IRQS) {
		pic_dispatch(v - X86_VEC_PIC_BASE);
		return;
	}
	if (v >= X86_VEC_IRQ_BASE && v < X86_VEC_IRQ_BASE + X86_MAX_GSI)
		gsi_dispatch(v - X86_VEC_IRQ_BASE);
	else if (vectors[v].fn)
		vectors[v].fn(regs, vectors[v].ctx);
	lapic_eoi();
}

/*
 * An interrupt, counted as one so the scheduler knows it is not in task
 * context; as it returns (after the EOI) the interrupted task may be
 * switched out: its registers are in @regs on its own stack.
 */
void x86_irq_enter(struct arch_regs *regs)
{
	struct percpu *c = percpu_ready() ? this_cpu() : NULL;

	if (c)
		c->irq_nest++;
	x86_irq_dispatch(regs);
	if (c) {
		c->irq_nest--;
		sched_interrupt_exit((regs->rflags & X86_RFLAGS_IF) != 0);
	}
}

int x86_vector_register(unsigned vector, void (*fn)(struct arch_regs *regs, void *ctx), void *ctx)
{
	if (vector < X86_VEC_IRQ_BASE + X86_MAX_GSI || vector >= X86_VEC_SPURIOUS || !fn)
		return -EINVAL;
	if (vectors[vector].fn)
		return -EBUSY;
	vectors[vector].ctx = ctx;
	__atomic_store_n(&vectors[vector].fn, fn, __ATOMIC_RELEASE);
	return 0;
}

void x86_vector_unregister(unsigned vector)
{
	if (vector < 256)
		__atomic_store_n(&vectors[vector].fn, NULL, __ATOMIC_RELEASE);
}

/* ---- GSIs ---- */

bool irq_ioapic_mode(void)
{
	return ioapic_mode;
}

uint32_t irq_isa_to_gsi(unsigned isa_irq)
{
	return isa_irq < ISA_IRQS ? isa_gsi[isa_irq] : isa_irq;
}

static bool gsi_valid(uint32_t gsi)
{
	if (ioapic_mode)
		return gsi < X86_MAX_GSI && x86_ioapic_has_gsi(gsi);
	return gsi < ISA_IRQS && gsi != PIC_CASCADE;
}

static int gsi_open(uint32_t gsi)
{
	struct gsi_line *l = &gsis[gsi];
	int err;

	if (!ioapic_mode) {
		x86_pic_unmask(gsi);
		return 0;
	}
	if (!l->routed) {
		err = x86_ioapic_route(gsi, (uint8_t)(X86_VEC_IRQ_BASE + gsi), bsp_apic_id,
		                       l->level, l->active_low);
		if (err)
			return err;
		l->routed = true;
	}
	x86_ioapic_mask(gsi, false);
	return 0;
}

int irq_register(uint32_t gsi, void (*handler)(void *ctx), void *ctx)
{
	struct irq_action *a, **p;
	uint64_t flags;
	bool first;
	int err;

	if (!handler || !gsi_valid(gsi))
		return -EINVAL;
	a = kmalloc_flags(sizeof(*a), KM_MAY_FAIL);
	if (!a)
		return -ENOMEM;
	a->fn = handler;
	a->ctx = ctx;
	a->next = NULL;
	flags = spin_lock_irqsave(&irq_lock);
	first = gsis[gsi].actions == NULL;
	for (p = &gsis[gsi].actions; *p; p = &(*p)->next)
		;
	*p = a;
	err = first ? gsi_open(gsi) : 0;
	if (err)
		*p = NULL;
	spin_unlock_irqrestore(&irq_lock, flags);
	if (err)
		kfree(a);
	return err;
}

int irq_unregister(uint32_t gsi, void (*handler)(void *ctx), void *ctx)
{
	struct irq_action *a = NULL, **p;
	uint64_t flags;

	if (gsi >= X86_MAX_GSI)
		return -ENOENT;
	flags = spin_lock_irqsave(&irq_lock);
	for (p = &gsis[gsi].actions; *p; p = &(*p)->next) {
		if ((*p)->fn == handler && (*p)->ctx == ctx) {
			a = *p;
			*p = a->next;
			break;
		}
	}
	if (a && !gsis[gsi].actions)
		irq_mask(gsi);
	spin_unlock_irqrestore(&irq_lock, flags);
	kfree(a);
	return a ? 0 : -ENOENT;
}

void irq_mask(uint32_t gsi)
{
	if (ioapic_mode)
		x86_ioapic_mask(gsi, true);
	else if (gsi < ISA_IRQS && gsi != PIC_CASCADE)
		x86_pic_mask(gsi);
}

void irq_unmask(uint32_t gsi)
{
	if (ioapic_mode)
		x86_ioapic_mask(gsi, false);
	else if (gsi < ISA_IRQS && gsi != PIC_CASCADE)
		x86_pic_unmask(gsi);
}

/* ---- counters ---- */

uint64_t irq_count_vector(unsigned cpu, unsigned vector)
{
	if (cpu >= X86_IRQ_MAX_CPUS || vector >= 256)
		return 0;
	return __atomic_load_n(&counts[cpu][vector], __ATOMIC_RELAXED);
}

uint64_t irq_count_gsi(unsigned cpu, uint32_t gsi)
{
	if (ioapic_mode)
		return gsi < X86_MAX_GSI ? irq_count_vector(cpu, X86_VEC_IRQ_BASE + gsi) : 0;
	return gsi < ISA_IRQS ? irq_count_vector(cpu, X86_VEC_PIC_BASE + gsi) : 0;
}

uint64_t irq_count_timer(unsigned cpu)
{
	return irq_count_vector(cpu, X86_VEC_TIMER);
}

void irq_log_counts(void)
{
	unsigned cpu, v;

	for (cpu = 0; cpu < X86_IRQ_MAX_CPUS; cpu++)
		for (v = X86_VEC_PIC_BASE; v < 256; v++)
			if (counts[cpu][v])
				pr_info("irq: cpu %u vector %#x: %llu", cpu, v,
				        (unsigned long long)counts[cpu][v]);
}

/* ---- setup from the MADT ---- */

static void apic_error(struct arch_regs *regs, void *ctx)
{
	uint32_t esr = x86_lapic_read_esr();

	if (__atomic_add_fetch(&apic_errors, 1, __ATOMIC_RELAXED) <= 4)
		pr_warn("lapic: error interrupt, ESR %#x", esr);
}

static void set_defaults(void)
{
	uint32_t g;

	for (g = 0; g < X86_MAX_GSI; g++) {
		/* ISA lines are edge/active high; PCI INTx lines level/active low. */
		gsis[g].level = g >= ISA_IRQS;
		gsis[g].active_low = g >= ISA_IRQS;
	}
	for (g = 0; g < ISA_IRQS; g++)
		isa_gsi[g] = g;
}

/* Interrupt source overrides (ACPI 6.5, 5.2.12.5): ISA IRQ -> GSI, polarity, trigger. */
static void apply_overrides(const struct acpi_madt_info *m)
{
	uint32_t i;

	for (i = 0; i < m->noverrides; i++) {
		const struct acpi_irq_override *o = &m->overrides[i];

		if (o->bus != 0 || o->irq >= ISA_IRQS || o->gsi >= X86_MAX_GSI) {
			pr_warn("irq: override bus %u IRQ %u -> GSI %u ignored", o->bus, o->irq,
			        o->gsi);
			continue;
		}
		isa_gsi[o->irq] = o->gsi;
		gsis[o->gsi].level = o->flags.level;
		gsis[o->gsi].active_low = o->flags.active_low;
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
	ioapic_mode = false;
	set_defaults();
	x86_lapic_virtual_wire();
	pr_warn("irq: %s; ISA interrupts go through the 8259 PIC", why);
}

int irq_init(void)
{
	const struct acpi_madt_info *m;

	set_defaults();
	x86_pic_init();
	lapic_init_cpu();
	if (!x86_lapic_ready()) {
		pr_err("irq: no local APIC; ISA interrupts through the 8259 PIC only");
		return -ENODEV;
	}
	bsp_apic_id = lapic_id();
	if (x86_vector_register(X86_VEC_APIC_ERROR, apic_error, NULL))
		pr_warn("irq: APIC error vector taken");
	m = fw_madt();
	if (!m) {
		pic_fallback("no MADT");
		return 0;
	}
	apply_lapic_nmis(m);
	if (add_ioapics(m) == 0) {
		pic_fallback("no usable IO APIC");
		return 0;
	}
	ioapic_mode = true;
	apply_overrides(m);
	pr_info("irq: %s local APIC id %u at %#llx, %u IO APIC(s), 8259 PICs masked%s",
	        lapic_x2apic() ? "x2APIC" : "xAPIC", bsp_apic_id,
	        (unsigned long long)x86_lapic_phys(), x86_ioapic_count(),
	        m->pcat_compat ? "" : " (MADT says none)");
	return 0;
}
