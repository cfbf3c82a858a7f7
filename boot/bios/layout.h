/* SPDX-License-Identifier: MIT */
/*
 * Fixed addresses and selectors of the BIOS stage 2, shared by its
 * assembly and C. The memory below 1 MiB is laid out in docs/bios-boot.md;
 * the linker script (stage2.ld) places everything else.
 */
#pragma once

/* Stage 2 is loaded by the MBR at 0000:8000 and entered there in real mode. */
#define STAGE2_BASE      0x8000
/* "CRN2", at stage 2 offset 4: the MBR checks it before jumping. */
#define STAGE2_MAGIC     0x324e5243
/* Largest stage 2 file the MBR loads: 240 sectors (120 KiB). */
#define STAGE2_MAX_BYTES (240 * 512)
/* Top of the real-mode stack (0000:1000..0000:7FF0), used on entry and by bios_int(). */
#define RM_STACK_TOP     0x7ff0

/* GDT selectors (Intel SDM Vol. 3A, 3.4.5 segment descriptors). */
#define SEL_CODE64 0x08
#define SEL_DATA   0x10
#define SEL_CODE32 0x18
#define SEL_CODE16 0x20
#define SEL_DATA16 0x28

/* Control register and MSR bits (Intel SDM Vol. 3A, 2.5 and 2.2.1). */
#define CR0_PE   (1 << 0)
#define CR0_PG   0x80000000
#define CR4_PAE  (1 << 5)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

#ifdef __ASSEMBLY__
/* GNU as macros, which clang-format would take for C. */
// clang-format off
/*
 * Real mode with every data segment at 0 and the stack at RM_STACK_TOP: how
 * stage 2 starts, and how bios_int() calls the BIOS after leaving protected
 * mode. Clobbers %ax.
 */
.macro rm_flat_segments
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	movw	$RM_STACK_TOP, %sp
.endm

/*
 * Long mode with the flat data selector in %ds, %es and %ss and null %fs and
 * %gs: stage 2's first entry to long mode, and bios_int()'s return to it.
 * Clobbers %eax.
 */
.macro lm_data_segments
	movw	$SEL_DATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	xorl	%eax, %eax
	movw	%ax, %fs
	movw	%ax, %gs
.endm
// clang-format on
#endif
