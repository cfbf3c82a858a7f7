/* SPDX-License-Identifier: MIT */
/*
 * Entry stubs for all 256 vectors: the 32 exceptions, each pushing a dummy
 * error code where the CPU pushes none (Intel SDM Vol. 3A, 7.3, Table
 * 7-1), and the interrupt vectors 32-255, which never get one (7.12.1).
 * Each pushes its vector, saves the general registers as struct arch_regs
 * and calls x86_trap(). The table x86_isr_stubs[] lists their addresses.
 */
#include "arch/x86_64/frame.inc"

	.macro ISR_NOERR vec
	.balign 16
isr\vec:
	pushq $0
	pushq $\vec
	jmp isr_common
	.endm

	.macro ISR_ERR vec
	.balign 16
isr\vec:
	pushq $\vec
	jmp isr_common
	.endm

	.text
ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR 8
ISR_NOERR 9
ISR_ERR 10
ISR_ERR 11
ISR_ERR 12
ISR_ERR 13
ISR_ERR 14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR 17
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR 21
ISR_NOERR 22
ISR_NOERR 23
ISR_NOERR 24
ISR_NOERR 25
ISR_NOERR 26
ISR_NOERR 27
ISR_NOERR 28
ISR_ERR 29
ISR_ERR 30
ISR_NOERR 31

/* Vectors 32-255: interrupts (external, IPIs, the LAPIC timer, spurious). */
	.altmacro
	.set vec, 32
	.rept 224
	ISR_NOERR %vec
	.set vec, vec + 1
	.endr
	.noaltmacro

/*
 * From ring 3 (CS.RPL = 3) the entry swaps GS to the kernel's and the exit
 * returns through x86_exit_to_user() (signals, preemption) and
 * x86_iret_stack (SWAPGS, IRET). The NMI, double fault and machine check
 * may also arrive in ring 0 with the user's GS still loaded (the few
 * instructions around SWAPGS in syscall.S), so for them the GS base MSR
 * decides: kernel bases are negative. R12 remembers a swap for the exit.
 * SMAP: interrupt delivery leaves RFLAGS.AC alone, so the entry clears it
 * (CLAC) and IRET restores the interrupted code's own AC.
 */
isr_common:
	cld
	PUSH_GPRS
	xorl %r12d, %r12d
	testb $3, X86_UF_CS(%rsp)
	jnz 2f
	movq X86_UF_VECTOR(%rsp), %rax
	cmpq $2, %rax
	je 1f
	cmpq $8, %rax
	je 1f
	cmpq $18, %rax
	jne 3f
1:	movl $0xc0000101, %ecx		/* IA32_GS_BASE */
	rdmsr
	testl %edx, %edx
	js 3f
2:	swapgs
	movl $1, %r12d
3:	cmpb $0, x86_smap_on(%rip)
	je 4f
	clac
4:	movq %rsp, %rdi
	movq %rsp, %rbx
	andq $-16, %rsp
	call x86_trap
	movq %rbx, %rsp
	testb $3, X86_UF_CS(%rsp)
	jz 5f
	movq %rsp, %rdi
	call x86_exit_to_user
	jmp x86_iret_stack
5:	testl %r12d, %r12d
	jz 6f
	swapgs
6:	POP_GPRS
	addq $16, %rsp
	iretq

	.section .rodata
	.balign 8
	.global x86_isr_stubs
x86_isr_stubs:
	.macro STUB_ADDR n
	.quad isr\n
	.endm
	.altmacro
	.set vec, 0
	.rept 256
	STUB_ADDR %vec
	.set vec, vec + 1
	.endr
	.noaltmacro
