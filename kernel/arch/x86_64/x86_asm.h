/* SPDX-License-Identifier: MIT */
/*
 * Constants of kernel/arch/x86_64 that assembly needs too (isr.S,
 * syscall.S): the GDT selectors and the layout of struct arch_regs (which
 * x86.h checks with _Static_asserts). The macros that push and pop it are
 * in frame.inc, for assembly only.
 */
#pragma once

/* Segment selectors of the kernel GDT (gdt.c). */
#define X86_SEL_KCODE 0x08
#define X86_SEL_KDATA 0x10
#define X86_SEL_UDATA 0x1b
#define X86_SEL_UCODE 0x23
#define X86_SEL_TSS   0x28

/* The vector slot of a frame saved by SYSCALL (no real vector is this high). */
#define X86_VEC_SYSCALL 0x100

/* Byte offsets in struct arch_regs (x86.h): 15 registers, vector, error, the CPU's frame. */
#define X86_UF_VECTOR 120
#define X86_UF_CS     144
#define X86_UF_RSP    160
#define X86_UF_SIZE   176
