/* SPDX-License-Identifier: MIT */
/*
 * Device interrupts, architecture-neutral: handlers for global system
 * interrupts (GSIs, ACPI's flat numbering of interrupt inputs), ISA IRQ
 * translation through the firmware's overrides, masking, per-CPU counters
 * and the interrupt flag. Each architecture implements this header
 * (x86_64: kernel/arch/x86_64/irq.c over the IO APIC, or the 8259 PIC when
 * the firmware describes no IO APIC). See docs/interrupts.md.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stdint.h>

/*
 * Set up the interrupt controllers on the boot CPU: everything masked, no
 * handler registered, interrupts still off. Once, after the heap.
 * Returns 0, or -ENODEV when only a degraded mode is left (logged).
 */
int irq_init(void);

/* True when GSIs go through an IO APIC; false in the legacy PIC fallback. */
bool irq_ioapic_mode(void);

/*
 * The GSI that ISA IRQ @isa_irq (0-15) is wired to: the MADT's interrupt
 * source override when there is one, else the same number.
 */
uint32_t irq_isa_to_gsi(unsigned isa_irq);

/*
 * Call @handler(@ctx) on every interrupt of @gsi, with interrupts off, on
 * the CPU that took it; unmask the line with its first handler. A GSI may
 * have several handlers (shared level-triggered lines); each is called.
 * Trigger mode and polarity come from the MADT overrides, else ISA
 * defaults (edge, active high) below 16 and PCI defaults (level, active
 * low) above. Returns 0, -EINVAL (no handler, or a GSI no controller
 * serves), -ENOMEM. Not for IRQ context.
 */
int __must_check irq_register(uint32_t gsi, void (*handler)(void *ctx), void *ctx);

/* Remove a handler; the line is masked when none is left. Returns 0 or -ENOENT. */
int irq_unregister(uint32_t gsi, void (*handler)(void *ctx), void *ctx);

/* Mask or unmask a GSI at its controller (handlers stay registered). */
void irq_mask(uint32_t gsi);
void irq_unmask(uint32_t gsi);

/* Interrupts taken on @gsi by CPU @cpu since boot. */
uint64_t irq_count_gsi(unsigned cpu, uint32_t gsi);
/* Interrupts of the local timer taken by CPU @cpu since boot. */
uint64_t irq_count_timer(unsigned cpu);
/* Interrupts on raw vector @vector by CPU @cpu (for tests and the log). */
uint64_t irq_count_vector(unsigned cpu, unsigned vector);
/* Log every nonzero counter, one line per vector. */
void irq_log_counts(void);

/* The calling CPU's index (0 = the boot CPU), as the per-CPU counters use it. */
unsigned arch_cpu_index(void);

/* The interrupt flag of the calling CPU. */
void irq_enable(void);
void irq_disable(void);
bool irq_enabled(void);
/* Disable and return the previous state, for irq_restore(). */
unsigned long irq_save(void);
void irq_restore(unsigned long flags);
/* Enable interrupts and wait for one, atomically (no wake-up lost in between). */
void irq_enable_and_wait(void);
