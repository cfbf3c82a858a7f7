/* SPDX-License-Identifier: MIT */
/*
 * Direct boot: the PVH note and multiboot2 header that let QEMU's -kernel
 * and GRUB start the kernel ELF, and the 32-bit stub they enter. The stub
 * builds minimal page tables (identity and direct map of the first 4 GiB,
 * the kernel at -2 GiB), enters long mode and calls directboot_relocate()
 * (KASLR) and directboot_main(), which turn the firmware's description
 * into a struct boot_info.
 */
/* enum boot_method values (include/cairn/boot.h; checked in directboot.c). */
#define BOOT_METHOD_PVH        3
#define BOOT_METHOD_MULTIBOOT2 4

#define PHYS(x) ((x) - 0xffffffff80000000)

#define MB2_MAGIC      0xe85250d6 /* Multiboot2 spec 3.1.1 */
#define MB2_LOADER_MAGIC 0x36d76289 /* Multiboot2 spec 3.3, EAX at entry */
#define MB2_ARCH_I386  0
#define PTE_P_W        0x3
#define PTE_P_W_PS     0x83 /* present, writable, 2 MiB page (Intel SDM Vol. 3A, 4.5) */

/* Multiboot2 header: 8-byte aligned in the first 32 KiB of the file. */
	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* Entry address tag (type 3): where GRUB jumps in 32-bit protected mode. */
	.balign 8
	.word 3, 0
	.long 12
	.long PHYS(boot32_mb2_entry)
	/* Framebuffer tag (type 5), optional (flags bit 0): prefer 1024x768x32. */
	.balign 8
	.word 5, 1
	.long 20
	.long 1024, 768, 32
	/* End tag. */
	.balign 8
	.word 0, 0
	.long 8
mb2_header_end:

/* PVH entry note: XEN_ELFNOTE_PHYS32_ENTRY (18), read by QEMU's -kernel. */
	.section .note.Xen, "a"
	.balign 4
	.long 4, 4, 18
	.asciz "Xen"
	.balign 4
	.long PHYS(boot32_pvh_entry)

/*
 * Fill @count 8-byte entries at @table with @first, @first + @step, ...: the
 * PDPT entries of the four low page directories, and the 2 MiB leaves of
 * those directories and of the kernel's.
 */
.macro fill_entries table, first, step, count
	movl $\table, %edi
	movl $\first, %eax
	movl $\count, %ecx
1:	movl %eax, (%edi)
	addl $\step, %eax
	addl $8, %edi
	loop 1b
.endm

	.section .text.boot32, "ax"
	.code32
/* PVH: 32-bit protected mode, paging off, EBX = physical hvm_start_info. */
	.global boot32_pvh_entry
boot32_pvh_entry:
	cli
	cld
	movl %ebx, %esi
	movl $BOOT_METHOD_PVH, %edi
	jmp boot32_common

/* Multiboot2: EAX = loader magic, EBX = physical multiboot2 information. */
	.global boot32_mb2_entry
boot32_mb2_entry:
	cli
	cld
	cmpl $MB2_LOADER_MAGIC, %eax
	jne boot32_fail
	movl %ebx, %esi
	movl $BOOT_METHOD_MULTIBOOT2, %edi

boot32_common:
	rdtsc
	movl %eax, PHYS(directboot_tsc)
	movl %edx, PHYS(directboot_tsc) + 4
	movl %esi, PHYS(directboot_info)
	movl %edi, PHYS(directboot_method)

	/* Zero the boot page tables (PVH and GRUB both zero .bss, but be sure). */
	movl $PHYS(boot_tables), %edi
	movl $(8 * 1024), %ecx /* 8 table pages */
	xorl %eax, %eax
	rep stosl

	/* PML4[0] (identity) and PML4[256] (direct map) share the low PDPT. */
	movl $(PHYS(boot_pdpt_low) + PTE_P_W), PHYS(boot_pml4)
	movl $(PHYS(boot_pdpt_low) + PTE_P_W), PHYS(boot_pml4) + 256 * 8
	movl $(PHYS(boot_pdpt_high) + PTE_P_W), PHYS(boot_pml4) + 511 * 8

	/* Four page directories cover the first 4 GiB. */
	fill_entries PHYS(boot_pdpt_low), (PHYS(boot_pd_low) + PTE_P_W), 4096, 4
	fill_entries PHYS(boot_pd_low), PTE_P_W_PS, 0x200000, 2048

	/* -2 GiB maps physical 0..1 GiB, so the image sits at its link address. */
	movl $(PHYS(boot_pd_kernel) + PTE_P_W), PHYS(boot_pdpt_high) + 510 * 8
	fill_entries PHYS(boot_pd_kernel), PTE_P_W_PS, 0x200000, 512

	/* Long mode: PAE, CR3, EFER.LME (+NXE if the CPU has NX), then paging.
	 * Intel SDM Vol. 3A, 10.8.5 "Initializing IA-32e Mode". */
	movl %cr4, %eax
	orl $0x20, %eax
	movl %eax, %cr4
	movl $PHYS(boot_pml4), %eax
	movl %eax, %cr3
	movl $0x80000001, %eax
	cpuid
	movl $0x100, %ebx
	testl $(1 << 20), %edx
	jz 4f
	orl $0x800, %ebx
4:	movl $0xc0000080, %ecx
	rdmsr
	orl %ebx, %eax
	wrmsr
	lgdt PHYS(boot32_gdtr)
	movl %cr0, %eax
	orl $0x80010001, %eax /* PG | WP | PE */
	movl %eax, %cr0
	ljmp $0x08, $PHYS(boot32_long)

boot32_fail:
	hlt
	jmp boot32_fail

	.code64
boot32_long:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movabsq $boot64_high, %rax
	jmp *%rax

	.section .rodata
	.balign 16
boot32_gdt:
	.quad 0
	.quad 0x00af9a000000ffff /* 64-bit code */
	.quad 0x00cf92000000ffff /* data */
boot32_gdtr:
	.word boot32_gdtr - boot32_gdt - 1
	.long PHYS(boot32_gdt)

	.text
/*
 * At the link address: directboot_relocate() reads the command line and,
 * with KASLR, moves the image (kaslr.c) and returns the slide. Continue
 * there on a fresh stack; a zero return address ends backtraces.
 */
boot64_high:
	leaq directboot_stack_top(%rip), %rsp
	xorl %ebp, %ebp
	call directboot_relocate
	leaq directboot_stack_top(%rip), %rsp
	addq %rax, %rsp
	leaq directboot_main(%rip), %rcx
	addq %rax, %rcx
	pushq $0
	jmp *%rcx

	.section .bss
	.balign 4096
	.global boot_pml4, boot_pdpt_low, boot_pdpt_high, boot_pd_kernel
boot_tables:
boot_pml4:
	.skip 4096
boot_pdpt_low:
	.skip 4096
boot_pdpt_high:
	.skip 4096
boot_pd_kernel:
	.skip 4096
boot_pd_low:
	.skip 4 * 4096

	/* The direct-boot stack, with a guard page the kernel unmaps early. */
	.balign 4096
	.global directboot_stack_guard, directboot_stack_top
directboot_stack_guard:
	.skip 4096
	.skip 65536
directboot_stack_top:

	.balign 8
	.global directboot_tsc, directboot_info, directboot_method
directboot_tsc:
	.quad 0
directboot_info:
	.long 0
directboot_method:
	.long 0
