/* SPDX-License-Identifier: MIT */
/* Private interface of the x86_64 architecture code. */
#pragma once

#include <stdint.h>

struct boot_info;

/* Registers saved by the exception entry stubs (isr.S), lowest address first. */
struct arch_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* Segment selectors of the kernel GDT (gdt.c). */
#define X86_SEL_KCODE 0x08
#define X86_SEL_KDATA 0x10
#define X86_SEL_UDATA 0x1b
#define X86_SEL_UCODE 0x23
#define X86_SEL_TSS   0x28

/* Interrupt stack table slots (Intel SDM Vol. 3A, 7.14.5). */
#define X86_IST_DOUBLE_FAULT 1
#define X86_IST_NMI          2
#define X86_IST_MACHINE_CHECK 3

void x86_gdt_init(void);
void x86_idt_init(void);
void x86_tsc_calibrate(void);
/* Unmap one 4 KiB kernel page early in boot, splitting a 2 MiB page if needed. */
void x86_unmap_early(const struct boot_info *bi, uintptr_t va);
/* Called by isr.S with the saved registers. */
void x86_trap(struct arch_regs *regs);
/* Describe a CPU exception in one line, e.g. for page faults with CR2 and bits. */
void x86_describe_trap(const struct arch_regs *regs, uint64_t cr2, char *buf, unsigned long size);
