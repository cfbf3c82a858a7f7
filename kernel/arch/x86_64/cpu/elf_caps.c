// SPDX-License-Identifier: MIT
/*
 * What exec tells a new program about the CPU in its auxiliary vector:
 * AT_HWCAP (x86_64 Linux gives CPUID leaf 1's EDX feature bits, Intel SDM
 * Vol. 2A, CPUID, Table 3-11), AT_HWCAP2 (Linux's own bits: 0 here, no
 * ring-3 MONITOR or FSGSBASE offered), AT_PLATFORM and AT_MINSIGSTKSZ.
 */
#include <arch/cpu.h>

#include <stdint.h>

#include "proc/exec.h"

uint64_t arch_elf_hwcap(void)
{
	uint32_t r[4];

	x86_cpuid(1, 0, r);
	return r[3]; /* EDX */
}

uint64_t arch_elf_hwcap2(void)
{
	return 0;
}

const char *arch_elf_platform(void)
{
	return "x86_64";
}

/*
 * The smallest signal stack a handler can use: Linux reports the signal
 * frame with the XSAVE area (x86 get_sigframe_size()); 2048 bytes covers
 * the frame with the x87/SSE/AVX state Cairn saves (TASK_FPU_SIZE 1024).
 */
uint64_t __attribute__((weak)) arch_min_sigstack(void)
{
	return 2048;
}
