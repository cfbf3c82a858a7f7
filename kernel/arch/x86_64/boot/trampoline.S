/* SPDX-License-Identifier: MIT */
/*
 * The application-processor (AP) start-up trampoline. smp.c copies the
 * code between x86_trampoline_start and x86_trampoline_end to a page
 * below 1 MiB, fills the parameter block after it (layout in percpu.h) and
 * sends INIT-SIPI-SIPI; each AP then starts here in real mode with
 * CS:IP = page:0 (Intel SDM Vol. 3A, 10.4.4 "MP Initialization Example").
 * The code goes real mode -> protected mode (10.9.1) -> IA-32e mode
 * (10.8.5) on a bootstrap page table that maps this page at its own
 * address and the kernel half like the kernel's, takes a ticket for its
 * stack and jumps to x86_ap_entry64 in the kernel image. APs run it in
 * parallel, so it writes nothing but the ticket counter and uses no stack
 * until it has its own. EBX holds the page's physical address throughout.
 */
#include "arch/x86_64/cpu/percpu.h"

#define MSR_EFER 0xc0000080

	/* Only ever executed from its copy: it lives with the read-only data. */
	.section .rodata
	.balign 16
	.code16
	.global x86_trampoline_start
x86_trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	movzwl %ax, %ebx
	shll $4, %ebx
	lgdtl TRAMP_GDTR
	movl %cr0, %eax
	orl $1, %eax			/* CR0.PE */
	movl %eax, %cr0
	ljmpl *TRAMP_PM_JUMP		/* to x86_trampoline_prot, CS = TRAMP_SEL_CODE32 */

	.code32
	.global x86_trampoline_prot
x86_trampoline_prot:
	movw $TRAMP_SEL_DATA32, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	/* PAE (and LA57, which may change only while paging is off), then CR3, EFER, CR0. */
	movl TRAMP_CR4(%ebx), %eax
	movl %eax, %cr4
	movl TRAMP_CR3(%ebx), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl TRAMP_EFER(%ebx), %eax	/* LME, NXE */
	wrmsr
	/* The boot CPU's CR0: PG on (IA-32e mode now active), CD and NW off after INIT. */
	movl TRAMP_CR0(%ebx), %eax
	movl %eax, %cr0
	ljmpl *TRAMP_LM_JUMP(%ebx)	/* to x86_trampoline_long, CS = TRAMP_SEL_CODE64 */

	.code64
	.global x86_trampoline_long
x86_trampoline_long:
	movl %ebx, %ebx			/* upper halves are undefined after the switch */
	movl $1, %eax
	lock xaddl %eax, TRAMP_TICKET(%rbx)
	cmpl TRAMP_NSTACKS(%rbx), %eax
	jae 1f
	movq TRAMP_STACKS(%rbx, %rax, 8), %rsp
	movl %eax, %edi			/* x86_ap_main(ticket) */
	movq TRAMP_KERNEL_CR3(%rbx), %rsi
	jmpq *TRAMP_ENTRY(%rbx)
1:	cli				/* more APs than stacks: should not happen */
	hlt
	jmp 1b

	/* Flat 32-bit code and data, and 64-bit code (Intel SDM Vol. 3A, 3.4.5). */
	.balign 16
	.global x86_trampoline_gdt
x86_trampoline_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff
	.quad 0x00cf92000000ffff
	.quad 0x00af9a000000ffff
	.global x86_trampoline_gdt_end
x86_trampoline_gdt_end:
	.global x86_trampoline_end
x86_trampoline_end:

/*
 * In the kernel image, still on the bootstrap page table (which maps the
 * kernel half): switch to the kernel's own (RSI), then C, on the stack
 * the trampoline picked (16-byte aligned, as the call expects).
 */
	.text
	.global x86_ap_entry64
x86_ap_entry64:
	movq %rsi, %cr3
	xorl %ebp, %ebp
	call x86_ap_main
	ud2
