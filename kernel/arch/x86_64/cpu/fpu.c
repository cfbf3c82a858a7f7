// SPDX-License-Identifier: MIT
/*
 * The FPU and SSE units for kernel tasks. Each CPU enables FXSAVE/FXRSTOR
 * and SSE once; the context switch (switch.S) then saves and restores the
 * 512-byte FXSAVE image of every task on every switch ("eager", docs/tasks.md),
 * so no #NM trap and no lazy owner tracking are needed. The kernel itself
 * is built with -mno-sse; only explicit asm touches these registers.
 */
#include <arch/cpu.h>
#include <lib/string.h>

#include <stdint.h>

#include "sched/task.h"

/* Intel SDM Vol. 3A, 2.5 (Control Registers). */
#define X86_CR0_MP         (1ull << 1)  /* WAIT/FWAIT honour TS */
#define X86_CR0_EM         (1ull << 2)  /* set: x87/SSE instructions raise #NM/#UD */
#define X86_CR0_TS         (1ull << 3)  /* set: the next FPU/SSE instruction raises #NM */
#define X86_CR0_NE         (1ull << 5)  /* native x87 error reporting (#MF) */
#define X86_CR4_OSFXSR     (1ull << 9)  /* OS uses FXSAVE/FXRSTOR; SSE allowed */
#define X86_CR4_OSXMMEXCPT (1ull << 10) /* OS handles #XM (SIMD FP exceptions) */

/* The reset values FNINIT and the power-up state give (Intel SDM Vol. 1, 8.1.5, 10.2.3.1). */
#define FPU_FCW_INIT   0x037fu
#define FPU_MXCSR_INIT 0x1f80u
/* Offsets in the FXSAVE image (Intel SDM Vol. 1, 10.5.1, Table 10-2). */
#define FXSAVE_FCW     0
#define FXSAVE_MXCSR   24

static inline void fpu_write_cr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline void fpu_write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

/*
 * Turn on the FPU and SSE on this CPU as Intel SDM Vol. 3A, 10.6
 * ("Initializing SSE/SSE2/SSE3/SSSE3 Extensions") asks: CR0.EM clear, CR0.MP
 * set, CR4.OSFXSR and CR4.OSXMMEXCPT set; CR0.TS stays clear because the
 * state is switched eagerly. Then reset the x87 and MXCSR to their defaults.
 * Runs on each CPU once, from task_init() (also through smp_call()).
 */
void arch_fpu_init_cpu(void *unused)
{
	uint32_t mxcsr = FPU_MXCSR_INIT;
	uint64_t cr0 = x86_read_cr0();

	(void)unused;
	cr0 = (cr0 & ~(X86_CR0_EM | X86_CR0_TS)) | X86_CR0_MP | X86_CR0_NE;
	fpu_write_cr0(cr0);
	fpu_write_cr4(x86_read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
	__asm__ volatile("fninit\n\tldmxcsr %0" : : "m"(mxcsr) : "memory");
}

/*
 * Fill @area (512 bytes, 16-aligned) with the image FXRSTOR needs to give a
 * new task a freshly reset FPU: default control word and MXCSR, all
 * exceptions masked, registers zero. Reserved MXCSR bits must stay zero or
 * FXRSTOR raises #GP (Intel SDM Vol. 1, 10.5.1.2).
 */
void arch_fpu_init_area(void *area)
{
	uint8_t *p = area;
	uint16_t fcw = FPU_FCW_INIT;
	uint32_t mxcsr = FPU_MXCSR_INIT;

	memset(p, 0, TASK_FPU_SIZE);
	memcpy(p + FXSAVE_FCW, &fcw, sizeof(fcw));
	memcpy(p + FXSAVE_MXCSR, &mxcsr, sizeof(mxcsr));
}
