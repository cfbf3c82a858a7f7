/* SPDX-License-Identifier: MIT */
/*
 * The kernel ELF entry used by Cairn's own loaders: long mode, the loader's
 * page tables, RDI = boot_info (direct-map address), RSP = the boot stack
 * (guard page below). See docs/boot-protocol.md.
 */
	.text
	.global _start
_start:
	cli
	xorl %ebp, %ebp
	andq $-16, %rsp
	call kmain
	ud2

/*
 * int arch_setjmp(struct arch_jmp_buf *jb): rbx rbp r12-r15 rsp rip rflags.
 * RFLAGS is kept so that a jump back out of a fault handler (which runs with
 * interrupts off) restores the interrupt flag the caller had.
 */
	.global arch_setjmp
arch_setjmp:
	movq %rbx, 0(%rdi)
	movq %rbp, 8(%rdi)
	movq %r12, 16(%rdi)
	movq %r13, 24(%rdi)
	movq %r14, 32(%rdi)
	movq %r15, 40(%rdi)
	leaq 8(%rsp), %rax
	movq %rax, 48(%rdi)
	movq (%rsp), %rax
	movq %rax, 56(%rdi)
	pushfq
	popq 64(%rdi)
	xorl %eax, %eax
	ret

/* void arch_longjmp(struct arch_jmp_buf *jb, int value): value 0 becomes 1. */
	.global arch_longjmp
arch_longjmp:
	movl %esi, %eax
	testl %eax, %eax
	jnz 1f
	incl %eax
1:	movq 0(%rdi), %rbx
	movq 8(%rdi), %rbp
	movq 16(%rdi), %r12
	movq 24(%rdi), %r13
	movq 32(%rdi), %r14
	movq 40(%rdi), %r15
	movq 48(%rdi), %rsp
	pushq 64(%rdi)
	popfq
	jmp *56(%rdi)
