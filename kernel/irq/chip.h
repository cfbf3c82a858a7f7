/* SPDX-License-Identifier: MIT */
/*
 * The interface between the generic interrupt layer (kernel/irq/irq.c) and
 * an architecture's interrupt controller. The architecture installs one
 * struct irq_chip from arch_irq_init(), tells the generic layer the ISA
 * overrides it found, and calls irq_handle_gsi() and irq_account() from its
 * interrupt entry. Only kernel/irq and kernel/arch include this header.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "irq/irq.h"

/*
 * Operations on one interrupt controller. Each GSI is one of its inputs.
 * route() and mask()/unmask() are called under the generic layer's
 * irq_lock, eoi() in interrupt context after the GSI's handlers.
 */
struct irq_chip {
	const char *name;
	/* True when the controller serves @gsi. */
	bool (*has_gsi)(uint32_t gsi);
	/* Deliver @gsi, still masked, to CPU index @cpu. Returns 0 or -errno. */
	int (*route)(uint32_t gsi, unsigned cpu, bool level, bool active_low);
	void (*mask)(uint32_t gsi);
	void (*unmask)(uint32_t gsi);
	/* End of the interrupt @gsi: the controller may deliver the next one. */
	void (*eoi)(uint32_t gsi);
	/* The interrupt number (x86: vector) @gsi arrives on, for the counters. */
	unsigned (*vector)(uint32_t gsi);
};

/*
 * The architecture's part of irq_init(): find and program the controllers,
 * install the chip with irq_chip_set() and report ISA overrides with
 * irq_set_isa_override(). Returns 0, or -ENODEV when only a degraded mode
 * is left (logged). Boot CPU, interrupts off.
 */
int arch_irq_init(void);

/* Enable interrupts and halt until one comes, with no window in between. */
void arch_irq_enable_and_wait(void);

/* Install @chip (boot CPU, before any irq_register()). */
void irq_chip_set(const struct irq_chip *chip);

/*
 * ISA IRQ @isa_irq is wired to @gsi with the given trigger mode and
 * polarity (an ACPI interrupt source override). Boot CPU, from
 * arch_irq_init(). Returns 0 or -EINVAL (IRQ or GSI out of range).
 */
int irq_set_isa_override(unsigned isa_irq, uint32_t gsi, bool level, bool active_low);

/* Forget every override: ISA defaults again (a fallback after a failed set-up). */
void irq_reset_isa_overrides(void);

/* Run the handlers of @gsi, then the chip's EOI. Interrupt context. */
void irq_handle_gsi(uint32_t gsi);

/* Count one interrupt on @vector for CPU @cpu. Interrupt context. */
void irq_account(unsigned cpu, unsigned vector);

/*
 * Message-signalled interrupts. The architecture names the interrupt
 * numbers it leaves free for them on every CPU ([first, first + count),
 * count at most IRQ_MSI_MAX) and composes the message that raises one on
 * a CPU; its entry code hands such interrupts to irq_handle_msi().
 */
unsigned arch_msi_vectors(unsigned *first);
/* Returns 0, or -EINVAL when @cpu cannot be reached by a message. */
int arch_msi_compose(unsigned cpu, unsigned vector, struct irq_msg *msg);
/* Interrupt CPU @cpu on @vector from software (irq_msi_raise()). 0 or -EINVAL. */
int arch_msi_raise(unsigned cpu, unsigned vector);
/* Run the handler of message vector @vector on CPU @cpu. Interrupt context. */
void irq_handle_msi(unsigned cpu, unsigned vector);
