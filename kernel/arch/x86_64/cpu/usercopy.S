/* SPDX-License-Identifier: MIT */
/*
 * The instructions that touch user memory (usercopy.S; uaccess.c is the C side), each listed in the exception
 * table (__ex_table: pairs of faulting address, fix-up address). A fault
 * at a listed instruction resumes at its fix-up, which returns -EFAULT
 * (trap.c, x86_extable_find()). uaccess.c checks the ranges and opens the
 * SMAP window around these calls; they assume both.
 */
#define EFAULT 14

	.macro EXTABLE insn, fixup
	.pushsection __ex_table, "a"
	.balign 8
	.quad \insn, \fixup
	.popsection
	.endm

	.text
	.code64

/*
 * long x86_user_copy(void *dst, const void *src, size_t n): 0 or -EFAULT.
 * Eight bytes a step, then the tail a byte at a time: without ERMS a
 * byte-wise REP MOVSB is slow, and under QEMU's TCG every step of a REP
 * string instruction costs about as much as a whole instruction, so a
 * 64 KiB pipe copy takes an eighth of the steps this way.
 */
	.globl x86_user_copy
	.type x86_user_copy, @function
x86_user_copy:
	movq %rdx, %rcx
	shrq $3, %rcx
1:	rep movsq
	movq %rdx, %rcx
	andq $7, %rcx
2:	rep movsb
	xorl %eax, %eax
	ret
	EXTABLE 1b, x86_user_fail
	EXTABLE 2b, x86_user_fail
	.size x86_user_copy, . - x86_user_copy

/* long x86_user_zero(void *dst, size_t n): 0 or -EFAULT. */
	.globl x86_user_zero
	.type x86_user_zero, @function
x86_user_zero:
	movq %rsi, %rcx
	xorl %eax, %eax
1:	rep stosb
	ret
	EXTABLE 1b, x86_user_fail
	.size x86_user_zero, . - x86_user_zero

/*
 * long x86_user_strncpy(char *dst, const char *src, size_t n): copy bytes
 * up to and including the first NUL, at most @n; returns the string's
 * length (the NUL's index) or @n when none came, or -EFAULT.
 */
	.globl x86_user_strncpy
	.type x86_user_strncpy, @function
x86_user_strncpy:
	xorl %eax, %eax
	testq %rdx, %rdx
	jz 3f
1:	movb (%rsi,%rax), %cl
	movb %cl, (%rdi,%rax)
	testb %cl, %cl
	jz 3f
	incq %rax
	cmpq %rdx, %rax
	jb 1b
3:	ret
	EXTABLE 1b, x86_user_fail
	.size x86_user_strncpy, . - x86_user_strncpy

/* The common fix-up: the copy stops where it faulted. */
	.type x86_user_fail, @function
x86_user_fail:
	movq $-EFAULT, %rax
	ret
	.size x86_user_fail, . - x86_user_fail

	.section .note.GNU-stack, "", @progbits
