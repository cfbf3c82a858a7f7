/* SPDX-License-Identifier: MIT */
/*
 * The last instructions of both loaders: switch to the kernel's page tables
 * and stack and jump to the kernel entry. Position-independent, so the PIC
 * UEFI loader and the non-PIC BIOS loader link the same object. This code
 * must sit in the identity-mapped range the new tables alias in the lower half.
 *
 * void loader_enter_kernel(uint64_t cr3, uint64_t entry, uint64_t stack_top,
 *                          uint64_t boot_info_virt)  -- System V: rdi, rsi, rdx, rcx
 */

#define MSR_EFER     0xc0000080 /* Intel SDM Vol. 4, Table 2-2 */
#define EFER_NXE_BIT 11
#define CR0_WP_BIT   16         /* Intel SDM Vol. 3A, 2.5 */

	.text
	.globl loader_enter_kernel
	.type loader_enter_kernel, @function
loader_enter_kernel:
	cli
	mov	%rdi, %r8		/* cr3 */
	mov	%rsi, %r9		/* entry */
	mov	%rdx, %r10		/* stack top */
	mov	%rcx, %r11		/* boot_info */

	/* Execute-disable: CPUID 0x80000001 EDX bit 20 (SDM Vol. 2A, CPUID). */
	mov	$0x80000000, %eax
	cpuid
	cmp	$0x80000001, %eax
	jb	1f
	mov	$0x80000001, %eax
	cpuid
	bt	$20, %edx
	jnc	1f
	/* The new tables use XD bits, so EFER.NXE must be on first (SDM Vol. 3A, 4.1.1). */
	mov	$MSR_EFER, %ecx
	rdmsr
	bts	$EFER_NXE_BIT, %eax
	wrmsr
1:
	/* Supervisor writes honour read-only pages. */
	mov	%cr0, %rax
	bts	$CR0_WP_BIT, %rax
	mov	%rax, %cr0

	mov	%r8, %cr3
	mov	%r10, %rsp
	xor	%ebp, %ebp
	mov	%r11, %rdi
	xor	%esi, %esi
	xor	%edx, %edx
	xor	%ecx, %ecx
	jmp	*%r9
	.size loader_enter_kernel, . - loader_enter_kernel

	.section .note.GNU-stack, "", @progbits
