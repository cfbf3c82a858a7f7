/* SPDX-License-Identifier: MIT */
/*
 * The last instructions of both loaders: switch to the kernel's page tables
 * and stack and jump to the kernel entry. Position-independent, so the PIC
 * UEFI loader and the non-PIC BIOS loader link the same object. This code
 * must sit in the identity-mapped range the new tables alias in the lower half.
 *
 * With 5-level paging it first copies a small mode switch into a page below
 * 4 GiB, because CR4.LA57 can only change outside IA-32e mode: long mode ->
 * compatibility mode -> paging off -> LA57 and the PML5 in CR3 -> paging on
 * -> 64-bit mode -> kernel. The firmware's tables (or stage 2's) identity-map
 * that page, and so do the new ones, through PML5[0].
 *
 * void loader_enter_kernel(const struct loader_tables *t, uint64_t entry,
 *                          uint64_t stack_top, uint64_t boot_info_virt)
 *                                             -- System V: rdi, rsi, rdx, rcx
 */

#define MSR_EFER      0xc0000080 /* Intel SDM Vol. 4, Table 2-2 */
#define EFER_NXE_BIT  11
#define CR0_WP_BIT    16         /* Intel SDM Vol. 3A, 2.5 */
#define CR0_PG        0x80000000
#define CR4_LA57_BIT  12
#define CR4_PCIDE_BIT 17

/* struct loader_tables (loader.h); paging.c asserts these offsets. */
#define LT_ROOT       0
#define LT_TRAMPOLINE 8
#define LT_LA57       16

/* Selectors of the trampoline's GDT (tramp_gdt below). */
#define T_CODE64 0x08
#define T_DATA   0x10
#define T_CODE32 0x18

/* Offset of a trampoline label inside the copied page. */
#define T(label) (label - tramp_start)

	.text
	.globl loader_enter_kernel
	.type loader_enter_kernel, @function
loader_enter_kernel:
	cli
	cld
	mov	%rdi, %r8		/* struct loader_tables * */
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

	cmpb	$0, LT_LA57(%r8)
	jne	enter_la57

	mov	LT_ROOT(%r8), %rax
	mov	%rax, %cr3
	mov	%r10, %rsp
	xor	%ebp, %ebp
	mov	%r11, %rdi
	xor	%esi, %esi
	xor	%edx, %edx
	xor	%ecx, %ecx
	jmp	*%r9

	/*
	 * 5-level: copy the trampoline to its page (RBX, below 4 GiB), fill in
	 * its parameters and its GDT pointer, and continue in the copy.
	 */
enter_la57:
	mov	LT_TRAMPOLINE(%r8), %rbx
	mov	LT_ROOT(%r8), %r12
	mov	%rbx, %rdi
	lea	tramp_start(%rip), %rsi
	mov	$T(tramp_end), %ecx
	rep movsb
	mov	%r12, T(tramp_root)(%rbx)
	mov	%r9, T(tramp_entry)(%rbx)
	mov	%r10, T(tramp_stack)(%rbx)
	mov	%r11, T(tramp_bootinfo)(%rbx)
	lea	T(tramp_gdt)(%rbx), %rax
	mov	%rax, T(tramp_gdtr) + 2(%rbx)
	lea	T(tramp_start)(%rbx), %rax
	jmp	*%rax
	.size loader_enter_kernel, . - loader_enter_kernel

/*
 * The trampoline, run from its copy at RBX (below 4 GiB, identity-mapped in
 * the current and in the new tables), with its stack at the top of that page.
 */
	.balign 16
tramp_start:
	.code64
	lgdt	T(tramp_gdtr)(%rbx)
	mov	$T_DATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs
	lea	4096(%rbx), %rsp
	/* Paging cannot be turned off while CR4.PCIDE is set (SDM Vol. 2B, MOV to CR0). */
	mov	%cr4, %rax
	btr	$CR4_PCIDE_BIT, %rax
	mov	%rax, %cr4
	/* A far return into a 32-bit code segment enters compatibility mode. */
	pushq	$T_CODE32
	lea	T(tramp_32)(%rbx), %rax
	push	%rax
	lretq

	.code32
tramp_32:
	/*
	 * Clearing CR0.PG in compatibility mode leaves IA-32e mode (LMA = 0);
	 * this page is identity-mapped, so fetching goes on at the same
	 * address (SDM Vol. 3A, 9.8.5.4). EFER.LME stays set.
	 */
	mov	%cr0, %eax
	and	$~CR0_PG, %eax
	mov	%eax, %cr0
	/* LA57 may change only outside IA-32e mode (SDM Vol. 3A, 2.5, 4.1.1). */
	mov	%cr4, %eax
	bts	$CR4_LA57_BIT, %eax
	mov	%eax, %cr4
	mov	T(tramp_root)(%ebx), %eax
	mov	%eax, %cr3
	/*
	 * With EFER.LME and CR4.PAE set, turning paging on activates IA-32e
	 * mode again, now with 5 levels; a far branch must follow to reach
	 * 64-bit code (SDM Vol. 3A, 9.8.5).
	 */
	mov	%cr0, %eax
	or	$CR0_PG, %eax
	mov	%eax, %cr0
	push	$T_CODE64
	lea	T(tramp_64)(%ebx), %eax
	push	%eax
	lret

	.code64
tramp_64:
	mov	tramp_stack(%rip), %rsp
	mov	tramp_bootinfo(%rip), %rdi
	mov	tramp_entry(%rip), %rax
	xor	%ebp, %ebp
	xor	%esi, %esi
	xor	%edx, %edx
	xor	%ecx, %ecx
	jmp	*%rax

	/* GDT (Intel SDM Vol. 3A, 3.4.5; 5.2.1 for the L bit); the kernel replaces it. */
	.balign	8
tramp_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code, L=1 */
	.quad	0x00cf92000000ffff	/* 0x10: data, flat 4 GiB */
	.quad	0x00cf9a000000ffff	/* 0x18: 32-bit code, flat 4 GiB */
tramp_gdt_end:
	.word	0, 0, 0
tramp_gdtr:
	.word	tramp_gdt_end - tramp_gdt - 1
	.quad	0			/* base: filled in with the copy's address */
tramp_root:	.quad	0		/* PML5, below 4 GiB */
tramp_entry:	.quad	0
tramp_stack:	.quad	0
tramp_bootinfo:	.quad	0
tramp_end:
	/* Code, GDT and parameters share the page with the stack at its top:
	 * the assembler refuses to move .org backwards if they outgrow 3 KiB. */
	.org	tramp_start + 3072

	.section .note.GNU-stack, "", @progbits
