// SPDX-License-Identifier: MIT
/*
 * The GDT and TSS of the boot CPU, with interrupt-stack-table stacks for
 * the double fault, NMI and machine check, so those run on a known-good
 * stack even when the kernel stack is gone. The SMP work makes one of each
 * per CPU; the layout already follows SYSCALL/SYSRET's selector order.
 */
#include <lib/string.h>
#include <stdint.h>

#include "x86.h"

/* 64-bit TSS (Intel SDM Vol. 3A, 9.7, Figure 9-11). */
struct x86_tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct x86_tss) == 104, "TSS layout");

#define IST_STACK_SIZE 16384

/* Code/data descriptors (Intel SDM Vol. 3A, 3.4.5): flat, L=1 for 64-bit code. */
#define GDT_KCODE 0x00af9a000000ffffull
#define GDT_KDATA 0x00cf92000000ffffull
#define GDT_UDATA 0x00cff2000000ffffull
#define GDT_UCODE 0x00affa000000ffffull

static uint64_t gdt[7] __attribute__((aligned(16)));
static struct x86_tss tss __attribute__((aligned(16)));
static uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));

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

void x86_gdt_init(void)
{
	struct x86_dtr gdtr = { sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt };
	int i;

	gdt[0] = 0;
	gdt[1] = GDT_KCODE;
	gdt[2] = GDT_KDATA;
	gdt[3] = GDT_UDATA;
	gdt[4] = GDT_UCODE;
	memset(&tss, 0, sizeof(tss));
	for (i = 0; i < 3; i++)
		tss.ist[i] = (uint64_t)(uintptr_t)(ist_stacks[i] + IST_STACK_SIZE);
	tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */
	set_tss_descriptor(&gdt[5], (uint64_t)(uintptr_t)&tss, sizeof(tss) - 1);

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
}
