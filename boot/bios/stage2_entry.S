/* SPDX-License-Identifier: MIT */
/*
 * Stage 2 entry: the MBR jumps here (0000:8000, real mode, DL = boot
 * drive). We read the TSC first, enable A20, check for long mode, then go
 * through 32-bit protected mode into long mode with the first 4 GiB
 * identity-mapped and call stage2_main() in C. This file and realmode.S
 * are the only 16/32-bit code; they sit in .text16 below 64 KiB.
 */
#include "layout.h"

#define COM1 0x3f8

	.section .text16, "awx"
	.code16
	.globl stage2_start
stage2_start:
	.byte	0xeb, entry16 - stage2_start - 2  /* jmp short entry16 */
	.word	0
	.long	STAGE2_MAGIC   /* offset 4: checked by the MBR */

entry16:
	/* Timestamp first, so boot_info.tsc_at_loader_entry covers all of stage 2. */
	movb	%dl, %bl		/* RDTSC overwrites EDX, which holds the drive */
	rdtsc
	movl	%eax, %cs:stage2_tsc
	movl	%edx, %cs:stage2_tsc + 4
	cli
	rm_flat_segments
	sti
	cld
	movb	%bl, stage2_boot_drive
	call	serial_init16

	call	enable_a20
	testw	%ax, %ax
	jz	no_a20
	call	check_cpu
	testw	%ax, %ax
	jz	no_long_mode

	/* Real to protected mode (Intel SDM Vol. 3A, 9.9.1). */
	cli
	lgdtl	stage2_gdt_ptr
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	$SEL_CODE32, $pm32

no_a20:
	movw	$msg_a20, %si
	jmp	fail16
no_long_mode:
	movw	$msg_lm, %si
fail16:
	call	puts16
	movw	$msg_failed, %si
	call	puts16
1:	cli
	hlt
	jmp	1b

/*
 * Return AX = 1 when the A20 line is on: with it off, FFFF:0510 wraps to
 * 0000:0500, so a byte written through one alias shows through the other.
 */
a20_on:
	pushw	%ds
	pushw	%es
	pushw	%bx
	xorw	%ax, %ax
	movw	%ax, %ds
	decw	%ax
	movw	%ax, %es
	movb	%ds:0x500, %bl
	movb	%es:0x510, %bh
	movb	$0x00, %ds:0x500
	movb	$0xff, %es:0x510
	xorw	%ax, %ax
	cmpb	$0xff, %ds:0x500
	je	1f
	incw	%ax
1:	movb	%bh, %es:0x510
	movb	%bl, %ds:0x500
	popw	%bx
	popw	%es
	popw	%ds
	ret

/* Turn A20 on: BIOS first, then the fast A20 gate. Returns AX = 1 on success. */
enable_a20:
	call	a20_on
	testw	%ax, %ax
	jnz	2f
	/* Ralf Brown INT 15h AX=2401h: enable A20 gate. */
	movw	$0x2401, %ax
	int	$0x15
	call	a20_on
	testw	%ax, %ax
	jnz	2f
	/*
	 * System control port A (port 92h), bit 1 = A20; bit 0 is a fast
	 * reset, so it is written as 0 (Ralf Brown PORTS.A, port 0092h).
	 */
	inb	$0x92, %al
	orb	$0x02, %al
	andb	$0xfe, %al
	outb	%al, $0x92
	movw	$0x1000, %cx
1:	call	a20_on
	testw	%ax, %ax
	jnz	2f
	loop	1b
2:	ret

/*
 * Check CPUID 80000001h EDX bit 29 (long mode) and remember bit 20 (NX)
 * (Intel SDM Vol. 2A, CPUID). Returns AX = 1 when long mode is there.
 */
check_cpu:
	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	1f
	movl	$0x80000001, %eax
	cpuid
	btl	$20, %edx
	setc	stage2_cpu_nx
	btl	$29, %edx
	jnc	1f
	movw	$1, %ax
	ret
1:	xorw	%ax, %ax
	ret

/* COM1 at 115200 8N1, polled (PC16550D datasheet: LCR, DLL/DLM, FCR, MCR). */
serial_init16:
	movw	$COM1 + 1, %dx
	xorb	%al, %al
	outb	%al, %dx		/* IER: no interrupts */
	movw	$COM1 + 3, %dx
	movb	$0x80, %al
	outb	%al, %dx		/* LCR: DLAB */
	movw	$COM1, %dx
	movb	$1, %al
	outb	%al, %dx		/* DLL: 115200 / 1 */
	incw	%dx
	xorb	%al, %al
	outb	%al, %dx		/* DLM */
	movw	$COM1 + 3, %dx
	movb	$0x03, %al
	outb	%al, %dx		/* LCR: 8N1 */
	ret

/* Print the NUL-terminated string at DS:SI on screen (INT 10h AH=0Eh) and COM1. */
puts16:
	lodsb
	testb	%al, %al
	jz	3f
	pushw	%ax
	movb	$0x0e, %ah
	movw	$0x0007, %bx
	int	$0x10
	popw	%ax
	movb	%al, %bl
	movw	$COM1 + 5, %dx
	movw	$0x4000, %cx
1:	inb	%dx, %al		/* LSR bit 5: transmitter holding register empty */
	testb	$0x20, %al
	jnz	2f
	loop	1b
2:	movb	%bl, %al
	movw	$COM1, %dx
	outb	%al, %dx
	jmp	puts16
3:	ret

	.code32
pm32:
	movw	$SEL_DATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	movl	$RM_STACK_TOP, %esp
	cld

	/* Zero .bss (page tables, C stack, buffers). */
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	rep stosb

	/*
	 * Identity-map 0..4 GiB with 2 MiB pages: PML4[0] -> PDPT, PDPT[0..3]
	 * -> four page directories (Intel SDM Vol. 3A, 4.5, tables 4-15..4-18).
	 * Entry bits: P (0), R/W (1), PS (7) for 2 MiB pages.
	 */
	movl	$stage2_pdpt + 0x3, stage2_pml4
	movl	$stage2_pdpt, %edi
	movl	$stage2_pd + 0x3, %eax
	movl	$4, %ecx
1:	movl	%eax, (%edi)
	addl	$0x1000, %eax
	addl	$8, %edi
	loop	1b
	movl	$stage2_pd, %edi
	movl	$0x83, %eax
	movl	$2048, %ecx
2:	movl	%eax, (%edi)
	addl	$0x200000, %eax
	addl	$8, %edi
	loop	2b

	/* Protected mode to IA-32e mode (Intel SDM Vol. 3A, 9.8.5). */
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$stage2_pml4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	testb	$1, stage2_cpu_nx
	jz	3f
	orl	$EFER_NXE, %eax
3:	wrmsr
	movl	%cr0, %eax
	orl	$CR0_PG, %eax
	movl	%eax, %cr0
	ljmp	$SEL_CODE64, $lm64

	.code64
lm64:
	lm_data_segments
	movq	$stage2_stack_top, %rsp
	xorl	%ebp, %ebp
	movzbl	stage2_boot_drive, %edi
	call	stage2_main
4:	cli
	hlt
	jmp	4b

msg_a20:	.asciz	"bios: cannot enable the A20 line\r\n"
msg_lm:		.asciz	"bios: this CPU has no long mode (x86_64)\r\n"
msg_failed:	.asciz	"cairn: boot failed\r\n"

	.balign	8
	.globl	stage2_tsc, stage2_boot_drive, stage2_cpu_nx
stage2_tsc:		.quad	0	/* TSC at entry */
stage2_boot_drive:	.byte	0	/* BIOS drive number from the MBR */
stage2_cpu_nx:		.byte	0	/* 1 when EFER.NXE is available */

	/* GDT (Intel SDM Vol. 3A, 3.4.5; 5.2.1 for the L bit). */
	.balign	16
	.globl	stage2_gdt, stage2_gdt_ptr
stage2_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code, L=1 */
	.quad	0x00cf92000000ffff	/* 0x10: data, flat 4 GiB */
	.quad	0x00cf9a000000ffff	/* 0x18: 32-bit code, flat 4 GiB */
	.quad	0x00009a000000ffff	/* 0x20: 16-bit code, base 0, 64 KiB */
	.quad	0x000092000000ffff	/* 0x28: 16-bit data, base 0, 64 KiB */
stage2_gdt_end:
	.balign	8
	.word	0, 0, 0
stage2_gdt_ptr:
	.word	stage2_gdt_end - stage2_gdt - 1
	.quad	stage2_gdt

	/* Long-mode page tables and the C stack, zeroed above. */
	.section .bss
	.balign	4096
stage2_pml4:	.skip	4096
stage2_pdpt:	.skip	4096
stage2_pd:	.skip	4 * 4096
	.globl	stage2_pml4
	.balign	16
	.skip	32768
stage2_stack_top:

	.section .note.GNU-stack, "", @progbits
