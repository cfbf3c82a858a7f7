/* SPDX-License-Identifier: MIT */
/* Model-specific register access and the MSR numbers Cairn uses. */
#pragma once

#include <stdint.h>

/* Intel SDM Vol. 4, Table 2-2 (architectural MSRs). */
#define X86_MSR_EFER      0xc0000080u
#define X86_MSR_FS_BASE   0xc0000100u
#define X86_MSR_GS_BASE   0xc0000101u
#define X86_MSR_KERNEL_GS 0xc0000102u
#define X86_MSR_STAR      0xc0000081u /* SYSCALL/SYSRET selectors */
#define X86_MSR_LSTAR     0xc0000082u /* 64-bit SYSCALL entry point */
#define X86_MSR_FMASK     0xc0000084u /* RFLAGS bits SYSCALL clears */
#define X86_EFER_SCE      (1ull << 0) /* SYSCALL/SYSRET enabled */
#define X86_EFER_NXE      (1ull << 11)

static inline uint64_t x86_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void x86_wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
	                 :
	                 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
	                 : "memory");
}
