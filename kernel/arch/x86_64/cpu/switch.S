/* SPDX-License-Identifier: MIT */
/*
 * The context switch between kernel tasks (kernel/sched/task.c). Only the
 * callee-saved registers of the SysV ABI need saving: the caller of
 * arch_context_switch() already assumes the others are clobbered. The FPU
 * and SSE state is switched eagerly, every time (docs/tasks.md).
 */

	.text
	.code64

/*
 * void arch_context_switch(uint64_t *save_sp, uint64_t new_sp,
 *                          void *save_fpu, const void *load_fpu)
 * The FPU image goes through x86_fpu_mode (fpu.c): 0 FXSAVE64/FXRSTOR64,
 * 1 XSAVE64/XRSTOR64, 2 XSAVEOPT64/XRSTOR64, with EDX:EAX all ones so the
 * requested-feature bitmap is XCR0 (Intel SDM Vol. 1, 13.7 and 13.8). The
 * 64-bit forms keep the 64-bit FPU instruction and data pointers (Vol. 2A,
 * FXSAVE; Vol. 1, 10.5.1, Table 10-2).
 */
	.globl arch_context_switch
	.type arch_context_switch, @function
arch_context_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rdx, %r8
	movl x86_fpu_mode(%rip), %r10d
	movl $-1, %eax
	movl $-1, %edx
	cmpl $2, %r10d
	je 2f
	cmpl $1, %r10d
	je 1f
	fxsave64 (%r8)
	jmp 3f
1:	xsave64 (%r8)
	jmp 3f
2:	xsaveopt64 (%r8)
3:	movq %rsp, (%rdi)
	movq %rsi, %rsp
	testl %r10d, %r10d
	jnz 4f
	fxrstor64 (%rcx)
	jmp 5f
4:	xrstor64 (%rcx)
5:	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size arch_context_switch, . - arch_context_switch

/*
 * uint64_t arch_context_init(uintptr_t stack_top, void (*entry)(void))
 * Build the frame arch_context_switch() pops for a task that never ran:
 * six zero registers (RBP = 0 ends backtraces), then @entry as the return
 * address, then a zero "return address" of @entry itself, so @entry starts
 * with RSP = 8 mod 16 like any called function. @stack_top is 16-aligned.
 */
	.globl arch_context_init
	.type arch_context_init, @function
arch_context_init:
	leaq -64(%rdi), %rax
	movq $0, 56(%rax)
	movq %rsi, 48(%rax)
	movq $0, 40(%rax)
	movq $0, 32(%rax)
	movq $0, 24(%rax)
	movq $0, 16(%rax)
	movq $0, 8(%rax)
	movq $0, (%rax)
	ret
	.size arch_context_init, . - arch_context_init

	.section .note.GNU-stack, "", @progbits
