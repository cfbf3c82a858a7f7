/* SPDX-License-Identifier: MIT */
/*
 * Inline x86_64 CPU primitives: control registers, CPUID, TSC, interrupt
 * flag and halting. Only kernel/arch/x86_64 and code that is explicitly
 * x86-only include this; generic code goes through kernel/arch/arch.h.
 */
#pragma once

#include <stdint.h>

/* Control register bits (Intel SDM Vol. 3A, 2.5). */
#define X86_CR0_PE    (1ull << 0)
#define X86_CR0_WP    (1ull << 16)
#define X86_CR0_PG    (1ull << 31)
#define X86_CR4_PAE   (1ull << 5)
#define X86_CR4_PGE   (1ull << 7)
#define X86_CR4_LA57  (1ull << 12)
#define X86_RFLAGS_IF (1ull << 9)

static inline uint64_t x86_read_cr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline uint64_t x86_read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t x86_read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void x86_write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline uint64_t x86_read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void x86_invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline void x86_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
	                 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
	                 : "a"(leaf), "c"(sub));
}

static inline uint64_t x86_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t x86_read_rflags(void)
{
	uint64_t v;

	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

static inline void x86_cli(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline void x86_hlt(void)
{
	__asm__ volatile("hlt" : : : "memory");
}

static inline void x86_pause(void)
{
	__asm__ volatile("pause");
}
