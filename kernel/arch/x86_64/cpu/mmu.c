// SPDX-License-Identifier: MIT
/*
 * x86_64 side of the kernel's virtual memory: CR3, INVLPG, the PAT, and the
 * CR0/CR4/EFER protection bits. kernel/mm/vm.c does the rest through
 * lib/paging.
 */
#include <arch/cpu.h>
#include <arch/msr.h>
#include <lib/format.h>
#include <lib/paging/paging.h>

#include <stdint.h>

#include "arch/arch.h"
#include "arch/x86_64/x86.h"

#define X86_MSR_PAT    0x277u
#define X86_CR4_UMIP   (1ull << 11)
#define X86_CR4_SMEP   (1ull << 20)
#define X86_CR4_SMAP   (1ull << 21)
#define X86_CR0_WP_BIT (1ull << 16)

/*
 * SMAP is on (every CPU sets the same CR4 bits). Read by the entry stubs,
 * which must CLAC, and the user-access window, which must STAC.
 */
bool x86_smap_on;

static inline void write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline void write_cr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

int arch_mmu_levels(void)
{
	return (x86_read_cr4() & X86_CR4_LA57) ? 5 : 4;
}

uint64_t arch_mmu_root(void)
{
	return x86_read_cr3() & 0x000ffffffffff000ull;
}

void arch_mmu_activate(uint64_t root)
{
	x86_write_cr3(root);
}

void arch_mmu_invalidate(uint64_t va)
{
	x86_invlpg(va);
}

/* Toggling CR4.PGE drops global entries too (Intel SDM Vol. 3A, 5.10.4.1). */
void arch_mmu_flush(void)
{
	uint64_t cr4 = x86_read_cr4();

	if (cr4 & X86_CR4_PGE) {
		write_cr4(cr4 & ~X86_CR4_PGE);
		write_cr4(cr4);
	} else {
		x86_write_cr3(x86_read_cr3());
	}
}

/* CPUID.80000001H:EDX[26] Page1GB (Intel SDM Vol. 2A, CPUID). */
int arch_mmu_has_1g_pages(void)
{
	uint32_t r[4];

	x86_cpuid(0x80000000u, 0, r);
	if (r[0] < 0x80000001u)
		return 0;
	x86_cpuid(0x80000001u, 0, r);
	return (r[3] >> 26) & 1;
}

static int append(char *names, unsigned long size, int n, const char *what)
{
	return n + fmt_snprintf(names + n, n < (int)size ? size - (unsigned long)n : 0, "%s%s",
	                        n ? " " : "", what);
}

/*
 * The PAT layout lib/paging assumes (PT_X86_PAT_VALUE), then WP, NXE, PGE and,
 * where CPUID.(EAX=7,ECX=0) lists them, SMEP (EBX[7]), SMAP (EBX[20]) and
 * UMIP (ECX[2]) (Intel SDM Vol. 3A, 2.5 and 5.6).
 */
void arch_mmu_enable_protections(char *names, unsigned long size)
{
	uint64_t cr4 = x86_read_cr4();
	uint32_t r[4] = { 0 };
	int n = 0;

	names[0] = 0;
	x86_wrmsr(X86_MSR_PAT, PT_X86_PAT_VALUE);
	arch_mmu_flush();
	write_cr0(x86_read_cr0() | X86_CR0_WP_BIT);
	x86_wrmsr(X86_MSR_EFER, x86_rdmsr(X86_MSR_EFER) | X86_EFER_NXE);
	n = append(names, size, n, "PAT WP NX");
	cr4 |= X86_CR4_PGE;
	x86_cpuid(0, 0, r);
	if (r[0] >= 7) {
		x86_cpuid(7, 0, r);
		if (r[1] & (1u << 7)) {
			cr4 |= X86_CR4_SMEP;
			n = append(names, size, n, "SMEP");
		}
		if (r[1] & (1u << 20)) {
			cr4 |= X86_CR4_SMAP;
			n = append(names, size, n, "SMAP");
		}
		if (r[2] & (1u << 2)) {
			cr4 |= X86_CR4_UMIP;
			n = append(names, size, n, "UMIP");
		}
	}
	write_cr4(cr4);
	if (cr4 & X86_CR4_SMAP)
		__atomic_store_n(&x86_smap_on, true, __ATOMIC_RELAXED);
}

/* STAC/CLAC toggle RFLAGS.AC, which SMAP honours (Intel SDM Vol. 3A, 5.6.1). */
void arch_user_access_begin(void)
{
	if (x86_smap_on)
		__asm__ volatile("stac" : : : "memory");
}

void arch_user_access_end(void)
{
	if (x86_smap_on)
		__asm__ volatile("clac" : : : "memory");
}
