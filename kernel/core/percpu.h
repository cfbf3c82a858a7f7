/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU data. Every CPU has one struct percpu; the architecture points a
 * register at it (GS base on x86_64), so this_cpu() is a single load with
 * no lock and no CPU lookup. Index 0 is the boot CPU; the others are
 * numbered in the order the firmware lists them (docs/smp.md).
 */
#pragma once

#include <arch/percpu.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sched/spinlock.h"

#define SMP_MAX_CPUS   64
#define SMP_CALL_SLOTS 16 /* queued smp_call() requests per CPU */

/* One queued function call (kernel/core/smp.c). */
struct smp_call_slot {
	void (*fn)(void *arg);
	void *arg;
	uint32_t *pending; /* decremented once fn returned, or NULL (fire and forget) */
};

struct smp_tlb_req;

/*
 * Locks: [I] set before the CPU starts, then immutable; [C] this CPU only;
 * [Q] calls_lock; [a] atomic.
 */
struct percpu {
	struct percpu *self;     /* [I] must stay at offset 0: this_cpu() reads it */
	uint32_t cpu;            /* [I] index, 0 = boot CPU */
	uint32_t apic_id;        /* [I] interrupt controller ID (local APIC ID on x86) */
	void *current;           /* [C] the running task (for the scheduler) */
	uint32_t irq_depth;      /* [C] spin_lock() nesting: interrupts off while > 0 */
	uint32_t irq_were_on;    /* [C] interrupts were on at the outermost spin_lock() */
	uint32_t irq_nest;       /* [C] interrupt handlers running (0: task context) */
	uint32_t preempt_off;    /* [C] preempt_disable() nesting */
	uint32_t need_resched;   /* [C] switch tasks at the next chance */
	uint32_t online;         /* [a] 1 once the CPU runs the kernel and takes calls */
	uint32_t stopped;        /* [a] 1 once it stopped for a panic */
	struct smp_tlb_req *tlb; /* [a] pending TLB shootdown for this CPU, or NULL */
	struct spinlock calls_lock;
	uint32_t calls_head;                        /* [Q] next slot to run */
	uint32_t calls_tail;                        /* [Q] next free slot */
	struct smp_call_slot calls[SMP_CALL_SLOTS]; /* [Q] */
	uint64_t ipis;                              /* [C] call and shootdown interrupts taken */
	uintptr_t stack_top;     /* [I] top of the kernel stack the CPU started on */
	struct arch_percpu arch; /* [C] the architecture's own per-CPU state */
} __attribute__((aligned(64)));

_Static_assert(offsetof(struct percpu, self) == 0, "this_cpu() reads offset 0");

/* This CPU's struct percpu. Valid once percpu_ready(); one instruction. */
static inline struct percpu *this_cpu(void)
{
	return arch_this_cpu();
}

/* This CPU's index, one instruction (valid once percpu_ready()). */
#define this_cpu_index() ARCH_THIS_CPU_READ32(offsetof(struct percpu, cpu))

/* This CPU's running task (struct task *), one instruction (valid once percpu_ready()). */
static inline void *percpu_read_current(void)
{
	return ARCH_THIS_CPU_READ_PTR(offsetof(struct percpu, current));
}

/* True once the boot CPU's per-CPU pointer is set (very early in arch_early_init()). */
bool percpu_ready(void);

/* The struct percpu of CPU @cpu, online or not; NULL past SMP_MAX_CPUS. */
struct percpu *percpu_of(unsigned cpu);

/*
 * This CPU's index, also before percpu_ready() (0 then). For paths that
 * may run that early: locks, the log, panic.
 */
unsigned arch_cpu_index(void);
