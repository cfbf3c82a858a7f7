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
 * 64 bytes a loop (eight 8-byte loads, eight stores), then the tail a
 * byte at a time. Without ERMS a byte-wise REP MOVSB is slow, and under
 * QEMU's TCG each step of a REP string instruction costs several plain
 * instructions; Linux copies this way too on CPUs without REP_GOOD.
 */
	.globl x86_user_copy
	.type x86_user_copy, @function
x86_user_copy:
	movq %rdx, %rcx
	shrq $6, %rcx
	jz 2f
1:
10:	movq 0(%rsi), %r8
11:	movq 8(%rsi), %r9
12:	movq 16(%rsi), %r10
13:	movq 24(%rsi), %r11
14:	movq %r8, 0(%rdi)
15:	movq %r9, 8(%rdi)
16:	movq %r10, 16(%rdi)
17:	movq %r11, 24(%rdi)
20:	movq 32(%rsi), %r8
21:	movq 40(%rsi), %r9
22:	movq 48(%rsi), %r10
23:	movq 56(%rsi), %r11
24:	movq %r8, 32(%rdi)
25:	movq %r9, 40(%rdi)
26:	movq %r10, 48(%rdi)
27:	movq %r11, 56(%rdi)
	addq $64, %rsi
	addq $64, %rdi
	decq %rcx
	jnz 1b
2:	movq %rdx, %rcx
	andq $63, %rcx
3:	rep movsb
	xorl %eax, %eax
	ret
	EXTABLE 10b, x86_user_fail
	EXTABLE 11b, x86_user_fail
	EXTABLE 12b, x86_user_fail
	EXTABLE 13b, x86_user_fail
	EXTABLE 14b, x86_user_fail
	EXTABLE 15b, x86_user_fail
	EXTABLE 16b, x86_user_fail
	EXTABLE 17b, x86_user_fail
	EXTABLE 20b, x86_user_fail
	EXTABLE 21b, x86_user_fail
	EXTABLE 22b, x86_user_fail
	EXTABLE 23b, x86_user_fail
	EXTABLE 24b, x86_user_fail
	EXTABLE 25b, x86_user_fail
	EXTABLE 26b, x86_user_fail
	EXTABLE 27b, x86_user_fail
	EXTABLE 3b, x86_user_fail
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
