/* SPDX-License-Identifier: MIT */
/*
 * Entry stubs for all 256 vectors: the 32 exceptions, each pushing a dummy
 * error code where the CPU pushes none (Intel SDM Vol. 3A, 7.3, Table
 * 7-1), and the interrupt vectors 32-255, which never get one (7.12.1).
 * Each pushes its vector, saves the general registers as struct arch_regs
 * and calls x86_trap(). The table x86_isr_stubs[] lists their addresses.
 */
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

isr_common:
	cld
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rbx
	pushq %rbp
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	movq %rsp, %rbx
	andq $-16, %rsp
	call x86_trap
	movq %rbx, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rbp
	popq %rbx
	popq %rdx
	popq %rcx
	popq %rax
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
