// SPDX-License-Identifier: MIT
/*
 * The IDT: interrupt gates for all 256 vectors, so every handler starts
 * with interrupts off. The double fault, NMI and machine check run on
 * their own IST stacks. Vectors 32-255 go to x86_irq_dispatch() (irq.c).
 */
#include <stdint.h>

#include "arch/x86_64/x86.h"

/* 64-bit interrupt gate (Intel SDM Vol. 3A, 7.14.1, Figure 7-8). */
struct x86_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr; /* P=1, DPL=0, type 0xe (interrupt gate) */
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct x86_gate) == 16, "gate layout");

#define GATE_INTERRUPT      0x8e
/* The same with DPL 3: INT3 in ring 3 reaches #BP instead of #GP (Intel SDM Vol. 3A, 7.12.1.1). */
#define GATE_INTERRUPT_USER 0xee
#define X86_VEC_BP          3

extern const uint64_t x86_isr_stubs[256];

static struct x86_gate idt[256] __attribute__((aligned(16)));

static void set_gate(unsigned vec, uint64_t handler, unsigned ist)
{
	idt[vec].offset_low = handler & 0xffff;
	idt[vec].selector = X86_SEL_KCODE;
	idt[vec].ist = ist;
	idt[vec].type_attr = GATE_INTERRUPT;
	idt[vec].offset_mid = (handler >> 16) & 0xffff;
	idt[vec].offset_high = handler >> 32;
	idt[vec].reserved = 0;
}

void x86_idt_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
	unsigned v;

	for (v = 0; v < 256; v++)
		set_gate(v, x86_isr_stubs[v], 0);
	idt[X86_VEC_BP].type_attr = GATE_INTERRUPT_USER;
	idt[X86_VEC_DF].ist = X86_IST_DOUBLE_FAULT;
	idt[X86_VEC_NMI].ist = X86_IST_NMI;
	idt[X86_VEC_MC].ist = X86_IST_MACHINE_CHECK;
	__asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}
