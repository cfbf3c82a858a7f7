/* SPDX-License-Identifier: MIT */
/*
 * Private to kernel/arch/x86_64: setting up per-CPU data, descriptor tables
 * for each CPU, and the layout of the AP start-up trampoline that
 * trampoline.S and smp.c share. Included from assembly too.
 */
#pragma once

/*
 * The trampoline page (below 1 MiB; an AP starts there in real mode at
 * CS:IP = page:0). The code is copied to its start; the boot CPU fills the
 * parameter block before sending the STARTUP IPIs.
 */
#define TRAMP_PARAMS     0x800                 /* parameter block, after the code */
#define TRAMP_GDTR       (TRAMP_PARAMS + 0x00) /* 2-byte limit, 4-byte base (lgdtl) */
#define TRAMP_PM_JUMP    (TRAMP_PARAMS + 0x08) /* far pointer m16:32 to the 32-bit code */
#define TRAMP_LM_JUMP    (TRAMP_PARAMS + 0x10) /* far pointer m16:32 to the 64-bit code */
#define TRAMP_CR0        (TRAMP_PARAMS + 0x18) /* CR0 to load: the boot CPU's (PE, PG, WP...) */
#define TRAMP_CR4        (TRAMP_PARAMS + 0x1c) /* CR4 before paging: PAE, and LA57 if in use */
#define TRAMP_CR3        (TRAMP_PARAMS + 0x20) /* bootstrap root table, below 4 GiB */
#define TRAMP_EFER       (TRAMP_PARAMS + 0x24) /* EFER bits to set: LME, NXE */
#define TRAMP_ENTRY      (TRAMP_PARAMS + 0x28) /* x86_ap_entry64, in the kernel image */
#define TRAMP_KERNEL_CR3 (TRAMP_PARAMS + 0x30) /* the kernel's root table */
#define TRAMP_TICKET     (TRAMP_PARAMS + 0x38) /* APs take tickets here (LOCK XADD) */
#define TRAMP_NSTACKS    (TRAMP_PARAMS + 0x3c) /* number of stacks below */
#define TRAMP_STACKS     (TRAMP_PARAMS + 0x40) /* stack top for each ticket, 8 bytes each */
#define TRAMP_MAX_STACKS 64
#define TRAMP_SIZE       (TRAMP_STACKS + 8 * TRAMP_MAX_STACKS)

/* Selectors of the trampoline's own GDT. */
#define TRAMP_SEL_CODE32 0x08
#define TRAMP_SEL_DATA32 0x10
#define TRAMP_SEL_CODE64 0x18

#ifndef __ASSEMBLY__

#include <arch/page.h>

#include <stdint.h>

struct percpu;

_Static_assert(TRAMP_SIZE <= PAGE_SIZE, "trampoline page");

/* trampoline.S: the code copied below 1 MiB, and labels inside it. */
extern const char x86_trampoline_start[], x86_trampoline_end[];
extern const char x86_trampoline_prot[], x86_trampoline_long[];
extern const char x86_trampoline_gdt[], x86_trampoline_gdt_end[];
/* The 64-bit entry in the kernel image the trampoline jumps to. */
extern const char x86_ap_entry64[];

/*
 * Set up the boot CPU's struct percpu (index 0) and every other slot's
 * empty state. Returns the boot CPU's; GS is not loaded yet.
 */
struct percpu *x86_percpu_boot_cpu(void);
/* Name a slot: @cpu index and @apic_id. Boot CPU, before the CPU starts. */
void x86_percpu_assign(struct percpu *c, uint32_t apic_id);
/* Point this CPU's GS base at @c (after the segment registers are loaded). */
void x86_percpu_activate(struct percpu *c);
/* The slot with APIC ID @apic_id among the first @n, or NULL. */
struct percpu *x86_percpu_by_apic(uint32_t apic_id, unsigned n);
/* This CPU's initial APIC ID from CPUID (leaf 0BH when it has it, else 01H). */
uint32_t x86_cpuid_apic_id(void);

/* Fill @c's GDT and TSS, with interrupt stacks @ist[0..2] (IST1..IST3). */
void x86_gdt_setup_cpu(struct percpu *c, const uintptr_t ist[3]);
/* Load @c's GDT and TSS on this CPU, reload the segments, then activate @c's GS base. */
void x86_gdt_load_cpu(struct percpu *c);

/* C entry of a started AP (smp.c), on its own stack, after the kernel CR3 is loaded. */
__attribute__((noreturn)) void x86_ap_main(uint32_t ticket);

#endif
