/* SPDX-License-Identifier: MIT */
/*
 * Local APIC (xAPIC through MMIO, or x2APIC through MSRs when the CPU has
 * it): identity, EOI, inter-processor interrupts and the timer. Private to
 * kernel/arch/x86_64. Intel SDM Vol. 3A, chapter 12 (APIC).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Fixed vectors (the IDT layout: 0-31 exceptions, 32-47 legacy PIC, then ours). */
#define X86_VEC_IRQ_BASE    48   /* IO APIC GSIs are routed from here */
#define X86_VEC_IPI_CALL    0xf0 /* run a function on another CPU */
#define X86_VEC_IPI_TLB     0xf1 /* TLB shootdown */
#define X86_VEC_IPI_STOP    0xf2 /* panic: stop this CPU */
#define X86_VEC_IPI_RESCHED 0xf3 /* a task became runnable: run the scheduler */
#define X86_VEC_TIMER       0xef /* LAPIC timer */
#define X86_VEC_SPURIOUS    0xff

/* Enable the local APIC of the calling CPU (x2APIC mode when available). */
void lapic_init_cpu(void);
/* The calling CPU's APIC ID (x2APIC ID in x2APIC mode). */
uint32_t lapic_id(void);
bool lapic_x2apic(void);
void lapic_eoi(void);
/* Send a fixed IPI with @vector to the CPU with APIC ID @apic_id. */
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
/* Send to every CPU but the caller. */
void lapic_send_ipi_others(uint8_t vector);
/* INIT and STARTUP IPIs for bringing up an AP (@page: trampoline page number). */
void lapic_send_init(uint32_t apic_id);
void lapic_send_sipi(uint32_t apic_id, uint8_t page);
