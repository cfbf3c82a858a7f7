/* SPDX-License-Identifier: MIT */
/*
 * The real-mode call thunk, bios_int(): it drops from long mode to real
 * mode, runs one BIOS interrupt with the caller's registers and climbs back:
 * long mode -> compatibility mode -> paging off -> 16-bit protected mode
 * -> real mode -> INT n -> protected mode -> long mode.
 * All of it lives in .text16 (below 64 KiB) so real mode can reach it.
 */
#include "layout.h"

/* struct bios_regs (realmode.h) field offsets. */
#define R_EAX    0
#define R_EBX    4
#define R_ECX    8
#define R_EDX    12
#define R_ESI    16
#define R_EDI    20
#define R_EBP    24
#define R_DS     28
#define R_ES     30
#define R_EFLAGS 32
#define R_SIZE   36

	.section .text16, "awx"

/*
 * void bios_int(uint8_t intno, struct bios_regs *r)
 * Interrupts stay off in long mode; they are on only while the BIOS runs.
 */
	.code64
	.globl	bios_int
bios_int:
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushfq
	cli
	pushq	%rsi
	movzbl	%dil, %eax
	/* Interrupt vector table entry n at linear 4n (Intel SDM Vol. 3A, 20.1.4). */
	movl	(,%rax,4), %eax
	movl	%eax, rm_vec
	leaq	rm_regs(%rip), %rdi
	movl	$R_SIZE / 4, %ecx
	rep movsl

	movq	%rsp, rm_saved_rsp(%rip)
	movq	%cr3, %rax
	movq	%rax, rm_saved_cr3(%rip)
	movq	%cr4, %rax
	movq	%rax, rm_saved_cr4(%rip)
	movl	$MSR_EFER, %ecx
	rdmsr
	movl	%eax, rm_saved_efer(%rip)
	movl	%edx, rm_saved_efer + 4(%rip)
	sidt	rm_saved_idt(%rip)

	/* Far return into the 32-bit code segment: compatibility mode. */
	pushq	$SEL_CODE32
	leaq	1f(%rip), %rax
	pushq	%rax
	lretq

	.code32
1:	/* Leaving IA-32e mode: paging off, then EFER.LME off (Intel SDM Vol. 3A, 9.8.5.4). */
	movl	%cr0, %eax
	andl	$~CR0_PG, %eax
	movl	%eax, %cr0
	movl	$MSR_EFER, %ecx
	rdmsr
	andl	$~EFER_LME, %eax
	wrmsr
	ljmp	$SEL_CODE16, $2f

	.code16
2:	/*
	 * Back to real mode (Intel SDM Vol. 3A, 9.9.2): 64 KiB segment limits
	 * from 16-bit descriptors, the real-mode IVT, then PE off and a far jump.
	 */
	movw	$SEL_DATA16, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	lidt	rm_ivt_ptr
	movl	%cr0, %eax
	andl	$~CR0_PE, %eax
	movl	%eax, %cr0
	ljmp	$0, $3f
3:	rm_flat_segments

	movw	rm_regs + R_ES, %es
	pushw	rm_regs + R_DS
	movl	rm_regs + R_EAX, %eax
	movl	rm_regs + R_EBX, %ebx
	movl	rm_regs + R_ECX, %ecx
	movl	rm_regs + R_EDX, %edx
	movl	rm_regs + R_ESI, %esi
	movl	rm_regs + R_EDI, %edi
	movl	rm_regs + R_EBP, %ebp
	popw	%ds
	/* PUSHF + far CALL through the IVT builds the frame INT n would (FLAGS, CS, IP). */
	sti
	pushfw
	lcallw	*%cs:rm_vec
	cli
	pushfl
	popl	%cs:rm_regs + R_EFLAGS
	movl	%eax, %cs:rm_regs + R_EAX
	movl	%ebx, %cs:rm_regs + R_EBX
	movl	%ecx, %cs:rm_regs + R_ECX
	movl	%edx, %cs:rm_regs + R_EDX
	movl	%esi, %cs:rm_regs + R_ESI
	movl	%edi, %cs:rm_regs + R_EDI
	movl	%ebp, %cs:rm_regs + R_EBP
	movw	%ds, %cs:rm_regs + R_DS
	movw	%es, %cs:rm_regs + R_ES
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %es

	/* Real to protected mode (Intel SDM Vol. 3A, 9.9.1). */
	lgdtl	stage2_gdt_ptr
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	$SEL_CODE32, $4f

	.code32
4:	movw	$SEL_DATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	/* Back into IA-32e mode with the saved CR4, CR3 and EFER (Intel SDM Vol. 3A, 9.8.5). */
	movl	rm_saved_cr4, %eax
	movl	%eax, %cr4
	movl	rm_saved_cr3, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	movl	rm_saved_efer, %eax
	movl	rm_saved_efer + 4, %edx
	wrmsr
	movl	%cr0, %eax
	orl	$CR0_PG, %eax
	movl	%eax, %cr0
	ljmp	$SEL_CODE64, $5f

	.code64
5:	lm_data_segments
	movq	rm_saved_rsp(%rip), %rsp
	lidt	rm_saved_idt(%rip)
	popq	%rdi
	leaq	rm_regs(%rip), %rsi
	movl	$R_SIZE / 4, %ecx
	rep movsl
	popfq
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret

	.balign	8
rm_saved_rsp:	.quad	0
rm_saved_cr3:	.quad	0
rm_saved_cr4:	.quad	0
rm_saved_efer:	.quad	0
rm_vec:		.long	0		/* IVT far pointer of the vector: offset, segment */
rm_regs:	.skip	R_SIZE
	.balign	8
	.word	0, 0, 0
rm_saved_idt:	.word	0
		.quad	0
	.word	0, 0, 0
rm_ivt_ptr:	.word	0x3ff		/* real-mode IVT: base 0, 256 vectors */
		.quad	0

	.section .note.GNU-stack, "", @progbits
