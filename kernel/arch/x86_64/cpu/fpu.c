// SPDX-License-Identifier: MIT
/*
 * The FPU, SSE and AVX units of every task. Each CPU enables FXSAVE/FXRSTOR
 * and SSE once, and XSAVE with x87, SSE and AVX state in XCR0 when CPUID
 * lists them; the context switch (switch.S) then saves and restores each
 * task's image on every switch ("eager", docs/tasks.md), so no #NM trap and
 * no lazy owner tracking are needed. The kernel itself is built with
 * -mno-sse; only explicit asm touches these registers, so between entering
 * the kernel and the next switch the registers still hold user state.
 */
#include <arch/cpu.h>
#include <lib/string.h>

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/x86.h"
#include "core/log.h"
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
#define FXSAVE_SIZE    512

#define X86_CR4_OSXSAVE  (1ull << 18) /* XSAVE, XGETBV/XSETBV enabled */
/* XCR0 state components (Intel SDM Vol. 1, 13.1): x87 must always be set. */
#define XFEATURE_X87     (1ull << 0)
#define XFEATURE_SSE     (1ull << 1)
#define XFEATURE_AVX     (1ull << 2)
/* CPUID.01H:ECX XSAVE (26) and AVX (28); CPUID.(0DH,1):EAX[0] XSAVEOPT. */
#define CPUID1_ECX_XSAVE (1u << 26)
#define CPUID1_ECX_AVX   (1u << 28)

enum fpu_mode { FPU_FXSAVE = 0, FPU_XSAVE = 1, FPU_XSAVEOPT = 2 };

/* Read by switch.S. [B] chosen by the boot CPU's first arch_fpu_init_cpu(). */
uint32_t x86_fpu_mode;
static uint64_t xcr0;                     /* [B] the state components every CPU enables */
static unsigned image_size = FXSAVE_SIZE; /* [B] bytes of the image in use */
static bool chosen;                       /* [B] */
/* The image of a reset FPU, for x86_fpu_reset_current(). [B] */
static uint8_t init_image[TASK_FPU_SIZE] __attribute__((aligned(64)));

static inline void fpu_write_cr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline void fpu_write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline void xsetbv(uint32_t reg, uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(reg), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/*
 * Pick the save instruction and XCR0 once: x87 and SSE, plus AVX when the
 * CPU has it (glibc uses AVX2 only when CPUID.01H:ECX.OSXSAVE and XCR0
 * both say the YMM state is enabled), as long as the image XSAVE then needs
 * (CPUID.(0DH,0):EBX, valid for the XCR0 just set) fits TASK_FPU_SIZE.
 * Components beyond AVX (AVX-512, AMX) stay off: they would need a larger
 * per-task area.
 */
static void choose_mode(void)
{
	uint32_t r[4];
	uint64_t want = XFEATURE_X87 | XFEATURE_SSE;

	chosen = true;
	x86_cpuid(0, 0, r);
	if (r[0] < 0xd)
		return;
	x86_cpuid(1, 0, r);
	if (!(r[2] & CPUID1_ECX_XSAVE))
		return;
	if (r[2] & CPUID1_ECX_AVX)
		want |= XFEATURE_AVX;
	x86_cpuid(0xd, 0, r);
	want &= ((uint64_t)r[3] << 32) | r[0];
	fpu_write_cr4(x86_read_cr4() | X86_CR4_OSXSAVE);
	for (;;) {
		xsetbv(0, want);
		x86_cpuid(0xd, 0, r);
		if (r[1] <= TASK_FPU_SIZE || want == (XFEATURE_X87 | XFEATURE_SSE))
			break;
		want &= ~XFEATURE_AVX;
	}
	if (r[1] > TASK_FPU_SIZE)
		return;
	xcr0 = want;
	image_size = r[1];
	x86_cpuid(0xd, 1, r);
	x86_fpu_mode = (r[0] & 1) ? FPU_XSAVEOPT : FPU_XSAVE;
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
	if (!chosen) {
		choose_mode();
		arch_fpu_init_area(init_image);
		pr_info("fpu: %s, XCR0 %#llx, %u-byte image",
		        x86_fpu_mode == FPU_XSAVEOPT ? "XSAVEOPT"
		        : x86_fpu_mode == FPU_XSAVE  ? "XSAVE"
		                                     : "FXSAVE",
		        (unsigned long long)xcr0, image_size);
	} else if (xcr0) {
		fpu_write_cr4(x86_read_cr4() | X86_CR4_OSXSAVE);
		xsetbv(0, xcr0);
	}
	__asm__ volatile("fninit\n\tldmxcsr %0" : : "m"(mxcsr) : "memory");
}

/*
 * Fill @area (512 bytes, 16-aligned) with the image FXRSTOR needs to give a
 * new task a freshly reset FPU: default control word and MXCSR, all
 * exceptions masked, registers zero. Reserved MXCSR bits must stay zero or
 * FXRSTOR raises #GP (Intel SDM Vol. 1, 10.5.1.2). The XSAVE header after
 * the legacy area stays zero: XSTATE_BV 0 makes XRSTOR put every component
 * in its initial state, and XCOMP_BV 0 selects the standard format (Intel
 * SDM Vol. 1, 13.4.2 and 13.8.1), while MXCSR still comes from the image.
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

/* FXRSTOR64 or XRSTOR64 of @area with every enabled component requested. */
static void fpu_restore(const void *area)
{
	if (x86_fpu_mode == FPU_FXSAVE)
		__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
	else
		__asm__ volatile("xrstor64 (%0)" : : "r"(area), "a"(-1), "d"(-1) : "memory");
}

void x86_fpu_reset_current(void)
{
	fpu_restore(init_image);
}

/*
 * Plain XSAVE, not XSAVEOPT: @area is not the image this CPU last
 * restored, and XSAVEOPT's "modified" optimisation assumes it is.
 */
void x86_fpu_save_current(void *area)
{
	if (x86_fpu_mode == FPU_FXSAVE)
		__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
	else
		__asm__ volatile("xsave64 (%0)" : : "r"(area), "a"(-1), "d"(-1) : "memory");
}

unsigned x86_fpu_image_size(void)
{
	return image_size;
}

bool x86_fpu_uses_xsave(void)
{
	return x86_fpu_mode != FPU_FXSAVE;
}
