/* SPDX-License-Identifier: MIT */
/*
 * The x86_64 side of per-CPU data: what each CPU owns in its struct percpu
 * (its GDT and TSS), and this_cpu() as one GS-relative load. IA32_GS_BASE
 * (MSR 0xC0000101) holds the address of the CPU's struct percpu, whose
 * first field points to itself, so `mov %gs:0, %reg` yields it (Intel SDM
 * Vol. 3A, 3.4.4.1: FS and GS bases in 64-bit mode).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* 64-bit TSS (Intel SDM Vol. 3A, 9.7, Figure 9-11). */
struct x86_tss {
	uint32_t reserved0;
	uint64_t rsp[3]; /* stacks for entering rings 0-2 (user mode, later) */
	uint64_t reserved1;
	uint64_t ist[7]; /* interrupt stack table, IST1..IST7 */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct x86_tss) == 104, "TSS layout");

#define X86_GDT_ENTRIES 7 /* null, kcode, kdata, udata, ucode, TSS (two slots) */

/* Locks: [C] written only by the owning CPU (or by the boot CPU before it starts). */
struct arch_percpu {
	uint64_t gdt[X86_GDT_ENTRIES] __attribute__((aligned(16))); /* [C] this CPU's GDT */
	struct x86_tss tss __attribute__((aligned(16)));            /* [C] this CPU's TSS */
	bool timer_mode_set; /* [C] its LAPIC timer LVT has the mode time_init() chose */
	/* Read by syscall.S through X86_PCPU_* offsets (user.c defines them). */
	uint64_t kstack_top;  /* [C] the running task's kernel stack top (SYSCALL's stack) */
	uint64_t user_rsp;    /* [C] scratch: the user RSP during the SYSCALL entry */
	uint64_t fs_loaded;   /* [C] the FS base now in IA32_FS_BASE */
	uint64_t kgs_loaded;  /* [C] the user GS base now in IA32_KERNEL_GS_BASE */
	uint64_t bad_user_ip; /* [C] returns to ring 3 refused for an IP outside user space */
};

struct percpu;

/* This CPU's struct percpu: one load through GS (valid once percpu_ready()). */
static inline struct percpu *arch_this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

/* A 32-bit field of this CPU's struct percpu at constant byte @offset, also one load. */
#define ARCH_THIS_CPU_READ32(offset)                                            \
	({                                                                      \
		uint32_t v_;                                                    \
		__asm__ volatile("movl %%gs:%c1, %0" : "=r"(v_) : "i"(offset)); \
		v_;                                                             \
	})

/* A pointer field of this CPU's struct percpu at constant byte @offset, also one load. */
#define ARCH_THIS_CPU_READ_PTR(offset)                                          \
	({                                                                      \
		void *p_;                                                       \
		__asm__ volatile("movq %%gs:%c1, %0" : "=r"(p_) : "i"(offset)); \
		p_;                                                             \
	})
