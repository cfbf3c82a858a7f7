/* SPDX-License-Identifier: MIT */
/*
 * Cairn MBR boot code: the first 440 bytes of the GPT protective MBR.
 * The BIOS loads this sector at 0000:7C00 and jumps to it with DL = boot
 * drive. It reads stage 2 from the BIOS boot partition with INT 13h
 * extended reads to 0000:8000 and jumps there with DL unchanged.
 *
 * Patch area (tools/mkimage.sh writes it; see docs/bios-boot.md):
 *   byte 0x1A8 (424): uint64 little-endian, first LBA of stage 2
 *   byte 0x1B0 (432): uint16 little-endian, stage 2 length in 512-byte sectors
 *   byte 0x1B2 (434): 6 bytes reserved (zero)
 * The defaults built in are LBA 34 and the size of build/boot/stage2.bin.
 * Bytes 0x1B8..0x1FF (disk signature, partition table, 0x55AA) belong to
 * the image builder, who keeps its own.
 */

#define STAGE2_SEG      0x0800  /* stage 2 at 0000:8000 = 0800:0000 */
#define STAGE2_MAX      240     /* sectors: 120 KiB, see docs/bios-boot.md */
#define CHUNK           64      /* sectors per read: 32 KiB, never crosses 64 KiB */
#define STAGE2_MAGIC    0x324e5243 /* "CRN2" at stage 2 offset 4 */

#ifndef STAGE2_SECTORS
#define STAGE2_SECTORS  STAGE2_MAX
#endif

	.code16
	.section .text
	.globl _start
_start:
	/* Normalise CS:IP to 0000:7C00; some BIOSes enter at 07C0:0000. */
	ljmp	$0, $start2
start2:
	cli
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	$0x7c00, %sp
	sti
	cld
	movb	%dl, boot_drive

	/*
	 * Ralf Brown INT 13h AH=41h BX=55AAh: installation check for the
	 * extensions; CF clear, BX=AA55h and CX bit 0 (fixed disk access
	 * subset: AH=42h..44h,47h,48h) mean AH=42h is available.
	 */
	movb	$0x41, %ah
	movw	$0x55aa, %bx
	int	$0x13
	jc	no_ext
	cmpw	$0xaa55, %bx
	jne	no_ext
	testb	$1, %cl
	jz	no_ext

	movw	stage2_count, %cx
	testw	%cx, %cx
	jz	bad_size
	cmpw	$STAGE2_MAX, %cx
	ja	bad_size
	movw	$STAGE2_SEG, dap_seg
	movl	stage2_lba, %eax
	movl	%eax, dap_lba
	movl	stage2_lba + 4, %eax
	movl	%eax, dap_lba + 4

read_loop:
	movw	%cx, %bx
	cmpw	$CHUNK, %bx
	jbe	1f
	movw	$CHUNK, %bx
1:
	/* Ralf Brown INT 13h AH=42h: DS:SI = disk address packet. */
	movw	%bx, dap_count
	pushw	%cx
	pushw	%bx
	movb	$0x42, %ah
	movb	boot_drive, %dl
	movw	$dap, %si
	int	$0x13
	popw	%bx
	popw	%cx
	jc	read_error
	/* Advance: LBA += n, segment += n * 512 / 16. */
	movzwl	%bx, %eax
	addl	%eax, dap_lba
	adcl	$0, dap_lba + 4
	shlw	$5, %ax
	addw	%ax, dap_seg
	subw	%bx, %cx
	jnz	read_loop

	/* Check the image really is our stage 2 before running it. */
	cmpl	$STAGE2_MAGIC, (STAGE2_SEG * 16 + 4)
	jne	bad_stage2
	movb	boot_drive, %dl
	ljmp	$0, $(STAGE2_SEG * 16)

no_ext:
	movw	$msg_no_ext, %si
	jmp	fail
bad_size:
	movw	$msg_size, %si
	jmp	fail
bad_stage2:
	movw	$msg_magic, %si
	jmp	fail
read_error:
	movw	$msg_read, %si
fail:
	/* Ralf Brown INT 10h AH=0Eh: teletype output, BH = page, BL = colour. */
	lodsb
	testb	%al, %al
	jz	halt
	movb	$0x0e, %ah
	movw	$0x0007, %bx
	int	$0x10
	jmp	fail
halt:
	cli
	hlt
	jmp	halt

msg_no_ext:	.asciz	"cairn mbr: no INT 13h extensions\r\n"
msg_size:	.asciz	"cairn mbr: bad stage2 size\r\n"
msg_magic:	.asciz	"cairn mbr: stage2 not found\r\n"
msg_read:	.asciz	"cairn mbr: disk read error\r\n"

	/* Disk address packet (Ralf Brown INT 13h AH=42h, table 00272). */
	.balign	4
dap:		.byte	0x10, 0		/* packet size, reserved */
dap_count:	.word	0		/* sectors to transfer */
dap_off:	.word	0		/* buffer offset */
dap_seg:	.word	0		/* buffer segment */
dap_lba:	.quad	0		/* starting LBA */
boot_drive:	.byte	0

	/* Patch area; the offsets are part of the image format. */
	.org	0x1a8
stage2_lba:	.quad	34
stage2_count:	.word	STAGE2_SECTORS
		.byte	0, 0, 0, 0, 0, 0
	.org	0x1b8
	/* Disk signature and partition table: zero here, the image's own on disk. */
	.org	0x1fe
	.word	0xaa55

	.section .note.GNU-stack, "", @progbits
