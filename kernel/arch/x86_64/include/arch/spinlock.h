/* SPDX-License-Identifier: MIT */
/*
 * The x86_64 primitives under kernel/sched/spinlock.c and the SMP code: the
 * spin-wait hint, saving and restoring the interrupt flag, and the few
 * atomic operations locks need. Generic code includes <arch/spinlock.h>;
 * the include path picks the architecture.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define ARCH_IRQ_FLAG (1ull << 9) /* RFLAGS.IF (Intel SDM Vol. 1, 3.4.3) */

/*
 * Tell the CPU this is a spin-wait loop: PAUSE saves power and avoids the
 * memory-order violation when the loop exits (Intel SDM Vol. 2B, PAUSE).
 */
static inline void arch_cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

/* Disable interrupts on this CPU; returns the previous RFLAGS for arch_irq_restore(). */
static inline uint64_t arch_irq_save(void)
{
	uint64_t flags;

	__asm__ volatile("pushfq\n\tpopq %0\n\tcli" : "=r"(flags) : : "memory");
	return flags;
}

/* Turn interrupts back on if @flags (from arch_irq_save()) had them on. */
static inline void arch_irq_restore(uint64_t flags)
{
	if (flags & ARCH_IRQ_FLAG)
		__asm__ volatile("sti" : : : "memory");
}

static inline bool arch_irqs_enabled(void)
{
	uint64_t flags;

	__asm__ volatile("pushfq\n\tpopq %0" : "=r"(flags));
	return (flags & ARCH_IRQ_FLAG) != 0;
}

static inline void arch_irq_disable(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline void arch_irq_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}

/*
 * Atomic fetch-and-add on 16 and 32 bits: LOCK XADD, a full barrier on x86
 * (Intel SDM Vol. 3A, 10.2.2: locked instructions have a total order).
 */
static inline uint16_t arch_fetch_add16(volatile uint16_t *p, uint16_t v)
{
	return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
}

static inline uint32_t arch_fetch_add32(volatile uint32_t *p, uint32_t v)
{
	return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
}
