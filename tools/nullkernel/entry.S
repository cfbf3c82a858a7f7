/* SPDX-License-Identifier: MIT */
/*
 * The null kernel's entry: the PVH note QEMU's -kernel looks for and the
 * 32-bit code it jumps to. PVH enters in 32-bit protected mode with paging
 * off, flat segments and EBX holding the physical address of the
 * hvm_start_info (Xen public/arch-x86/hvm/start_info.h); there is no stack,
 * so the stub sets one up and calls null_main(start_info).
 */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

	.section .note.Xen, "a"
	.balign 4
	.long 4, 4, XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.balign 4
	.long null_entry

	.text
	.code32
	.global null_entry
null_entry:
	cli
	cld
	movl $null_stack_top, %esp
	pushl %ebx
	call null_main
1:	hlt
	jmp 1b

	.bss
	.balign 16
null_stack:
	.skip 8192
null_stack_top:
