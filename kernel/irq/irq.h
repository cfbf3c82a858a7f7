/* SPDX-License-Identifier: MIT */
/*
 * Device interrupts, architecture-neutral: handlers for global system
 * interrupts (GSIs, ACPI's flat numbering of interrupt inputs), ISA IRQ
 * translation through the firmware's overrides, masking, per-CPU counters
 * and the interrupt flag. kernel/irq/irq.c keeps the handler lists and
 * counters; the interrupt controller is reached through struct irq_chip
 * (kernel/irq/chip.h), which each architecture implements (x86_64: the
 * IO APIC, or the 8259 PIC when the firmware describes no IO APIC, in
 * kernel/arch/x86_64/interrupts/). See docs/interrupts.md.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stdint.h>

/* GSIs the handler table covers (0..IRQ_MAX_GSI-1). */
#define IRQ_MAX_GSI  128
/* Interrupt numbers the per-CPU counters cover (x86: the 256 IDT vectors). */
#define IRQ_NR       256
/* Per-CPU counters cover CPU indexes below this. */
#define IRQ_MAX_CPUS 64

/*
 * Set up the interrupt controllers on the boot CPU: everything masked, no
 * handler registered, interrupts still off. Once, after the heap.
 * Returns 0, or -ENODEV when only a degraded mode is left (logged).
 */
int irq_init(void);

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
 * serves), -EBUSY (an exclusive handler holds it), -ENOMEM. Not for IRQ
 * context.
 */
int __must_check irq_register(uint32_t gsi, void (*handler)(void *ctx), void *ctx);

/*
 * irq_register() for a handler that must be the line's only one (an
 * interrupt object that masks the line, kernel/ipc/irq_obj.c): -EBUSY
 * when the GSI has a handler already, and later irq_register() calls on
 * it get -EBUSY until this handler is unregistered.
 */
int __must_check irq_register_exclusive(uint32_t gsi, void (*handler)(void *ctx), void *ctx);

/* Whether @gsi is level-triggered (else edge), as the MADT or the ISA/PCI defaults say. */
bool irq_gsi_level(uint32_t gsi);

/* Remove a handler; the line is masked when none is left. Returns 0 or -ENOENT. */
int irq_unregister(uint32_t gsi, void (*handler)(void *ctx), void *ctx);

/* Mask or unmask a GSI at its controller (handlers stay registered). */
void irq_mask(uint32_t gsi);
void irq_unmask(uint32_t gsi);

/* Interrupts taken on @gsi by CPU @cpu since boot. */
uint64_t irq_count_gsi(unsigned cpu, uint32_t gsi);
/* Interrupts of the local timer taken by CPU @cpu since boot. */
uint64_t irq_count_timer(unsigned cpu);
/* Interrupts on interrupt number @vector (x86: IDT vector) by CPU @cpu. */
uint64_t irq_count_vector(unsigned cpu, unsigned vector);
/* Log every nonzero counter, one line per vector. */
void irq_log_counts(void);

/*
 * A self-interrupt for tests and benchmarks: irq_test_raise() makes the
 * calling CPU take an interrupt that runs @fn(@ctx) (x86: a self-IPI on
 * the test vector). irq_test_register() returns 0 or -EBUSY (taken) or
 * -EINVAL (no @fn); boot CPU, no other user at the time.
 */
int __must_check irq_test_register(void (*fn)(void *ctx), void *ctx);
void irq_test_unregister(void);
void irq_test_raise(void);
/* The interrupt number irq_test_raise() uses, for irq_count_vector(). */
unsigned irq_test_vector(void);

/* ---- message-signalled interrupts (MSI, MSI-X) ---- */

/* Message vectors per CPU the pools can hold (the architecture may offer fewer). */
#define IRQ_MSI_MAX 64

/* The memory write a device makes to raise an interrupt (PCI 3.0, 6.8). */
struct irq_msg {
	uint64_t addr; /* message address */
	uint32_t data; /* message data */
};

/*
 * Take a free interrupt vector on CPU @cpu for a device that signals with
 * messages: @fn(@ctx) runs on that CPU, interrupts off, for each one (@fn
 * may be NULL until irq_msi_set_handler(); such interrupts are counted and
 * dropped). *@msg gets the address and data that raise it, composed by the
 * architecture. Returns a handle >= 0, -EINVAL (no such CPU, or one
 * messages cannot reach), -ENOSPC (the CPU's vectors are all taken) or
 * -ENODEV (no controller takes messages). Any context but IRQ.
 */
int __must_check irq_msi_alloc(unsigned cpu, void (*fn)(void *ctx), void *ctx, struct irq_msg *msg);
/*
 * Replace the handler of @handle; returns once no CPU runs the old one.
 * Returns 0 or -EINVAL (not an allocated handle). Not from the handler itself.
 */
int __must_check irq_msi_set_handler(int handle, void (*fn)(void *ctx), void *ctx);
/* Free @handle after waiting for a running handler; the device must no longer send it. */
void irq_msi_free(int handle);
/* The CPU and the interrupt number (for irq_count_vector()) of @handle. */
unsigned irq_msi_cpu(int handle);
unsigned irq_msi_vector(int handle);
/*
 * Make @handle's CPU take its interrupt as if its device had sent the
 * message (tests; x86: a fixed IPI with the vector). 0 or -EINVAL.
 */
int __must_check irq_msi_raise(int handle);
/* Vectors taken for messages on @cpu, for /proc/interrupts and tests. */
unsigned irq_msi_used(unsigned cpu);

/* The interrupt flag of the calling CPU. */
void irq_enable(void);
void irq_disable(void);
bool irq_enabled(void);
/* Disable and return the previous state, for irq_restore(). */
unsigned long irq_save(void);
void irq_restore(unsigned long flags);
/* Enable interrupts and wait for one, atomically (no wake-up lost in between). */
void irq_enable_and_wait(void);
