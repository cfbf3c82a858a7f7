// SPDX-License-Identifier: MIT
/*
 * One GDT and TSS per CPU, kept in its struct percpu, with interrupt-stack-
 * table stacks for the double fault, NMI and machine check, so those run on
 * a known-good stack even when the kernel stack is gone. The boot CPU's IST
 * stacks are static (there is no allocator yet when it loads its GDT);
 * smp.c gives every other CPU stacks with guard pages. The layout follows
 * SYSCALL/SYSRET's selector order.
 */
#include <lib/string.h>

#include <stdint.h>

#include "arch/x86_64/cpu/percpu.h"
#include "arch/x86_64/x86.h"
#include "core/percpu.h"

#define IST_STACK_SIZE 16384

/* Code/data descriptors (Intel SDM Vol. 3A, 3.4.5): flat, L=1 for 64-bit code. */
#define GDT_KCODE 0x00af9a000000ffffull
#define GDT_KDATA 0x00cf92000000ffffull
#define GDT_UDATA 0x00cff2000000ffffull
#define GDT_UCODE 0x00affa000000ffffull

_Static_assert(X86_SEL_TSS / 8 + 2 <= X86_GDT_ENTRIES, "TSS descriptor fits the GDT");

/* The boot CPU's IST stacks. [B] */
static uint8_t boot_ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));

struct x86_dtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* A 16-byte available 64-bit TSS descriptor (Intel SDM Vol. 3A, 9.2.3). */
static void set_tss_descriptor(uint64_t *slot, uint64_t base, uint32_t limit)
{
	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
	          ((uint64_t)(limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
	slot[1] = base >> 32;
}

void x86_gdt_setup_cpu(struct percpu *c, const uintptr_t ist[3])
{
	struct arch_percpu *a = &c->arch;
	int i;

	a->gdt[0] = 0;
	a->gdt[1] = GDT_KCODE;
	a->gdt[2] = GDT_KDATA;
	a->gdt[3] = GDT_UDATA;
	a->gdt[4] = GDT_UCODE;
	memset(&a->tss, 0, sizeof(a->tss));
	for (i = 0; i < 3; i++)
		a->tss.ist[i] = ist[i];
	a->tss.iomap_base = sizeof(a->tss); /* no I/O permission bitmap */
	set_tss_descriptor(&a->gdt[X86_SEL_TSS / 8], (uint64_t)(uintptr_t)&a->tss,
	                   sizeof(a->tss) - 1);
}

/*
 * Loading a segment register in 64-bit mode may clear the hidden GS base
 * (a null selector does on Intel CPUs), so GS base is written afterwards.
 */
void x86_gdt_load_cpu(struct percpu *c)
{
	struct x86_dtr gdtr = { sizeof(c->arch.gdt) - 1, (uint64_t)(uintptr_t)c->arch.gdt };

	__asm__ volatile("lgdt %0\n\t"
	                 "pushq %1\n\t"
	                 "leaq 1f(%%rip), %%rax\n\t"
	                 "pushq %%rax\n\t"
	                 "lretq\n"
	                 "1:\n\t"
	                 "movw %w2, %%ax\n\t"
	                 "movw %%ax, %%ds\n\t"
	                 "movw %%ax, %%es\n\t"
	                 "movw %%ax, %%ss\n\t"
	                 "xorl %%eax, %%eax\n\t"
	                 "movw %%ax, %%fs\n\t"
	                 "movw %%ax, %%gs\n\t"
	                 "ltr %w3"
	                 :
	                 : "m"(gdtr), "i"(X86_SEL_KCODE), "i"(X86_SEL_KDATA), "r"(X86_SEL_TSS)
	                 : "rax", "memory");
	x86_percpu_activate(c);
	x86_syscall_init_cpu();
}

/* The boot CPU: its per-CPU data, GDT and TSS, first thing in arch_early_init(). */
void x86_gdt_init(void)
{
	struct percpu *c = x86_percpu_boot_cpu();
	uintptr_t ist[3];
	int i;

	for (i = 0; i < 3; i++)
		ist[i] = (uintptr_t)(boot_ist_stacks[i] + IST_STACK_SIZE);
	x86_gdt_setup_cpu(c, ist);
	x86_gdt_load_cpu(c);
}
