/* SPDX-License-Identifier: MIT */
/*
 * The SYSCALL entry and the returns to ring 3. SYSCALL leaves RSP as user
 * mode had it and loads neither a stack nor GS (Intel SDM Vol. 2B,
 * SYSCALL), so the entry swaps GS to this CPU's struct percpu, parks the
 * user RSP there and loads the running task's kernel stack top, which the
 * context switch keeps in the same struct. It then pushes the user
 * registers as struct arch_uframe (the layout the interrupt stubs leave)
 * and calls x86_syscall(). Interrupts stay off (FMASK clears IF) until
 * the frame is complete. docs/syscall-entry.md has the whole path.
 */
#include "arch/x86_64/frame.inc"

	.text
	.code64

	.globl x86_syscall_entry
	.type x86_syscall_entry, @function
x86_syscall_entry:
	swapgs
	movq %rsp, %gs:X86_PCPU_USER_RSP
	movq %gs:X86_PCPU_KSTACK, %rsp
	pushq $X86_SEL_UDATA		/* ss */
	pushq %gs:X86_PCPU_USER_RSP	/* rsp */
	pushq %r11			/* rflags, as SYSCALL saved them */
	pushq $X86_SEL_UCODE		/* cs */
	pushq %rcx			/* rip, as SYSCALL saved it */
	pushq %rax			/* error slot: the system-call number */
	pushq $X86_VEC_SYSCALL		/* vector slot */
	PUSH_GPRS
	movq %rsp, %rdi
	call x86_syscall
	/* Interrupts are off again; the frame is final. */
	testb %al, %al
	jz x86_iret_stack
	/*
	 * SYSRET: RCX and R11 in the frame equal RIP and RFLAGS (x86_syscall
	 * checked), so popping them loads what SYSRET needs. Between SWAPGS and
	 * SYSRET an NMI or machine check sees user GS in ring 0: isr.S handles
	 * those vectors by the GS base MSR, not by CS.
	 */
	POP_GPRS
	movq X86_UF_RSP - X86_UF_VECTOR(%rsp), %rsp
	swapgs
	sysretq
	.size x86_syscall_entry, . - x86_syscall_entry

/*
 * void x86_iret_to_user(struct arch_uframe *f): leave through IRET with the
 * frame @f, which is the calling task's own (the top of its kernel stack).
 * Interrupts off, kernel GS.
 */
	.globl x86_iret_to_user
	.type x86_iret_to_user, @function
x86_iret_to_user:
	movq %rdi, %rsp
	.globl x86_iret_stack
x86_iret_stack:
	POP_GPRS
	addq $16, %rsp			/* vector and error */
	swapgs
	iretq
	.size x86_iret_to_user, . - x86_iret_to_user

	.section .note.GNU-stack, "", @progbits
