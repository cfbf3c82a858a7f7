/* SPDX-License-Identifier: MIT */
/*
 * Memory-mapped device registers. Each accessor is exactly one access of
 * its width, written in asm so the compiler can neither merge, split nor
 * reorder it; the "memory" clobber also orders it against ordinary memory.
 * Drivers use these and never dereference an MMIO pointer (STYLE.md,
 * "Hardware access"). On x86 an aligned access of up to 8 bytes to
 * uncached memory is a single bus transaction (Intel SDM Vol. 3A, 10.1.1).
 */
#pragma once

#include <stdint.h>

static inline uint8_t mmio_read8(const volatile void *p)
{
	uint8_t v;

	__asm__ volatile("movb %1, %0" : "=q"(v) : "m"(*(const volatile uint8_t *)p) : "memory");
	return v;
}

static inline uint16_t mmio_read16(const volatile void *p)
{
	uint16_t v;

	__asm__ volatile("movw %1, %0" : "=r"(v) : "m"(*(const volatile uint16_t *)p) : "memory");
	return v;
}

static inline uint32_t mmio_read32(const volatile void *p)
{
	uint32_t v;

	__asm__ volatile("movl %1, %0" : "=r"(v) : "m"(*(const volatile uint32_t *)p) : "memory");
	return v;
}

static inline uint64_t mmio_read64(const volatile void *p)
{
	uint64_t v;

	__asm__ volatile("movq %1, %0" : "=r"(v) : "m"(*(const volatile uint64_t *)p) : "memory");
	return v;
}

static inline void mmio_write8(volatile void *p, uint8_t v)
{
	__asm__ volatile("movb %1, %0" : "=m"(*(volatile uint8_t *)p) : "q"(v) : "memory");
}

static inline void mmio_write16(volatile void *p, uint16_t v)
{
	__asm__ volatile("movw %1, %0" : "=m"(*(volatile uint16_t *)p) : "r"(v) : "memory");
}

static inline void mmio_write32(volatile void *p, uint32_t v)
{
	__asm__ volatile("movl %1, %0" : "=m"(*(volatile uint32_t *)p) : "r"(v) : "memory");
}

static inline void mmio_write64(volatile void *p, uint64_t v)
{
	__asm__ volatile("movq %1, %0" : "=m"(*(volatile uint64_t *)p) : "r"(v) : "memory");
}
