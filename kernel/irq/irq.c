// SPDX-License-Identifier: MIT
/*
 * The generic interrupt layer: each GSI's handler list, its trigger mode
 * and polarity, the ISA-to-GSI overrides, the per-CPU counters and the
 * interrupt flag. The controller behind the GSIs is the architecture's
 * struct irq_chip (kernel/irq/chip.h); its entry code calls
 * irq_handle_gsi() and irq_account(). See docs/interrupts.md.
 * Locks: [B] boot CPU before other CPUs start; [L] irq_lock; [C] written
 * only by the CPU the row belongs to.
 */
#include "irq/irq.h"

#include <cairn/errno.h>

#include <arch/spinlock.h>

#include "core/log.h"
#include "irq/chip.h"
#include "mm/heap.h"
#include "sched/spinlock.h"

#define ISA_IRQS 16

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
	bool routed;                /* [L] the controller delivers it */
	bool exclusive; /* [L] its one handler refuses company (irq_register_exclusive) */
};

static const struct irq_chip *chip;                     /* [B] */
static struct gsi_line gsis[IRQ_MAX_GSI];               /* [B]/[L] */
static uint32_t isa_gsi[ISA_IRQS];                      /* [B] ISA IRQ -> GSI */
static uint64_t counts[IRQ_MAX_CPUS][IRQ_NR];           /* [C] */
static struct spinlock irq_lock = SPINLOCK_INIT("irq"); /* guards [L]; before the chip's */

/* ---- the interrupt flag ---- */

void irq_enable(void)
{
	arch_irq_enable();
}

void irq_disable(void)
{
	arch_irq_disable();
}

bool irq_enabled(void)
{
	return arch_irqs_enabled();
}

unsigned long irq_save(void)
{
	return arch_irq_save();
}

void irq_restore(unsigned long flags)
{
	arch_irq_restore(flags);
}

void irq_enable_and_wait(void)
{
	arch_irq_enable_and_wait();
}

/* ---- set-up ---- */

void irq_chip_set(const struct irq_chip *c)
{
	chip = c;
}

void irq_reset_isa_overrides(void)
{
	uint32_t g;

	for (g = 0; g < IRQ_MAX_GSI; g++) {
		/* ISA lines are edge/active high; PCI INTx lines level/active low. */
		gsis[g].level = g >= ISA_IRQS;
		gsis[g].active_low = g >= ISA_IRQS;
	}
	for (g = 0; g < ISA_IRQS; g++)
		isa_gsi[g] = g;
}

int irq_set_isa_override(unsigned isa_irq, uint32_t gsi, bool level, bool active_low)
{
	if (isa_irq >= ISA_IRQS || gsi >= IRQ_MAX_GSI)
		return -EINVAL;
	isa_gsi[isa_irq] = gsi;
	gsis[gsi].level = level;
	gsis[gsi].active_low = active_low;
	return 0;
}

int irq_init(void)
{
	irq_reset_isa_overrides();
	return arch_irq_init();
}

uint32_t irq_isa_to_gsi(unsigned isa_irq)
{
	return isa_irq < ISA_IRQS ? isa_gsi[isa_irq] : isa_irq;
}

/* ---- dispatch ---- */

/* Handlers run under irq_lock, so irq_unregister() can free an action safely. */
void irq_handle_gsi(uint32_t gsi)
{
	struct irq_action *a;

	if (gsi < IRQ_MAX_GSI) {
		spin_lock(&irq_lock);
		for (a = gsis[gsi].actions; a; a = a->next)
			a->fn(a->ctx);
		spin_unlock(&irq_lock);
	}
	if (chip)
		chip->eoi(gsi);
}

/* ---- handlers ---- */

static bool gsi_valid(uint32_t gsi)
{
	return chip && gsi < IRQ_MAX_GSI && chip->has_gsi(gsi);
}

/* The first handler of @gsi: route the line to the boot CPU once, then unmask it. */
static int gsi_open_locked(uint32_t gsi) __must_hold(&irq_lock)
{
	struct gsi_line *l = &gsis[gsi];
	int err;

	if (!l->routed) {
		err = chip->route(gsi, 0, l->level, l->active_low);
		if (err)
			return err;
		l->routed = true;
	}
	chip->unmask(gsi);
	return 0;
}

/* Add @a to @gsi's handlers: -EBUSY when either side wants the line alone. */
static int gsi_add_locked(uint32_t gsi, struct irq_action *a, bool exclusive) __must_hold(&irq_lock)
{
	struct gsi_line *l = &gsis[gsi];
	struct irq_action **p;
	bool first = l->actions == NULL;
	int err;

	if (!first && (exclusive || l->exclusive))
		return -EBUSY;
	for (p = &l->actions; *p; p = &(*p)->next)
		;
	*p = a;
	err = first ? gsi_open_locked(gsi) : 0;
	if (err)
		*p = NULL;
	else if (first)
		l->exclusive = exclusive;
	return err;
}

static int gsi_register(uint32_t gsi, void (*handler)(void *ctx), void *ctx, bool exclusive)
{
	struct irq_action *a;
	uint64_t flags;
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
	err = gsi_add_locked(gsi, a, exclusive);
	spin_unlock_irqrestore(&irq_lock, flags);
	if (err)
		kfree(a);
	return err;
}

int irq_register(uint32_t gsi, void (*handler)(void *ctx), void *ctx)
{
	return gsi_register(gsi, handler, ctx, false);
}

int irq_register_exclusive(uint32_t gsi, void (*handler)(void *ctx), void *ctx)
{
	return gsi_register(gsi, handler, ctx, true);
}

bool irq_gsi_level(uint32_t gsi)
{
	return gsi < IRQ_MAX_GSI && gsis[gsi].level;
}

int irq_unregister(uint32_t gsi, void (*handler)(void *ctx), void *ctx)
{
	struct irq_action *a = NULL, **p;
	uint64_t flags;

	if (gsi >= IRQ_MAX_GSI)
		return -ENOENT;
	flags = spin_lock_irqsave(&irq_lock);
	for (p = &gsis[gsi].actions; *p; p = &(*p)->next) {
		if ((*p)->fn == handler && (*p)->ctx == ctx) {
			a = *p;
			*p = a->next;
			break;
		}
	}
	if (a && !gsis[gsi].actions) {
		gsis[gsi].exclusive = false;
		irq_mask(gsi);
	}
	spin_unlock_irqrestore(&irq_lock, flags);
	kfree(a);
	return a ? 0 : -ENOENT;
}

void irq_mask(uint32_t gsi)
{
	if (gsi_valid(gsi))
		chip->mask(gsi);
}

void irq_unmask(uint32_t gsi)
{
	if (gsi_valid(gsi))
		chip->unmask(gsi);
}

/* ---- counters ---- */

void irq_account(unsigned cpu, unsigned vector)
{
	if (cpu < IRQ_MAX_CPUS && vector < IRQ_NR)
		counts[cpu][vector]++;
}

uint64_t irq_count_vector(unsigned cpu, unsigned vector)
{
	if (cpu >= IRQ_MAX_CPUS || vector >= IRQ_NR)
		return 0;
	return __atomic_load_n(&counts[cpu][vector], __ATOMIC_RELAXED);
}

uint64_t irq_count_gsi(unsigned cpu, uint32_t gsi)
{
	return gsi_valid(gsi) ? irq_count_vector(cpu, chip->vector(gsi)) : 0;
}

void irq_log_counts(void)
{
	unsigned cpu, v;

	for (cpu = 0; cpu < IRQ_MAX_CPUS; cpu++)
		for (v = 0; v < IRQ_NR; v++)
			if (counts[cpu][v])
				pr_info("irq: cpu %u vector %#x: %llu", cpu, v,
				        (unsigned long long)counts[cpu][v]);
}
