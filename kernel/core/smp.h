/* SPDX-License-Identifier: MIT */
/*
 * Symmetric multiprocessing: starting every CPU the firmware lists,
 * running a function on another CPU, TLB shootdown and stopping the other
 * CPUs when one panics. The generic half is kernel/core/smp.c; each
 * architecture supplies the arch_smp_*() hooks below (x86_64:
 * kernel/arch/x86_64/boot/smp.c). See docs/smp.md.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct percpu;

/*
 * Begin starting every other CPU the firmware describes (x86: the ACPI
 * MADT) and return without waiting, so the boot CPU's next steps overlap
 * their start-up. Once, on the boot CPU, after heap_init() and the
 * interrupt controllers; optional (smp_init() begins it when it has not).
 */
void smp_start(void);
/*
 * Finish starting the other CPUs and wait until each runs the kernel; a
 * CPU that does not answer in time is logged and left out. Once, on the
 * boot CPU, after time_init(). Logs one line ("smp: 4 of 4 CPUs online in ...").
 */
void smp_init(void);

/* CPUs running the kernel: 1 until smp_init(), then every CPU that came up. */
unsigned smp_cpu_count(void);

/* True if CPU @cpu runs the kernel and takes calls. */
bool smp_cpu_online(unsigned cpu);

/*
 * Run @fn(@arg) on CPU @cpu, in interrupt context there (interrupts off).
 * With @wait, return once @fn has returned, and while waiting run the calls
 * queued for this CPU, as an interrupt would; without, return once the call
 * is queued (@arg must stay valid until it runs). On the calling CPU itself
 * @fn runs at once with interrupts off. Returns 0 or -EINVAL (@cpu not
 * online). Must not be called with a spinlock held when @wait is set.
 */
int __must_check smp_call(unsigned cpu, void (*fn)(void *arg), void *arg, bool wait);

/* smp_tlb_shootdown() with this many pages drops every TLB entry, global ones too. */
#define SMP_TLB_ALL ((size_t)-1)

/*
 * Drop the TLB entries of @npages pages from @va on every CPU, this one
 * included, and return once every online CPU has done it. Past 32 pages
 * (or SMP_TLB_ALL) each CPU flushes its whole TLB. Takes the shootdown
 * lock; any context, interrupts on or off (a CPU waiting for a lock keeps
 * answering shootdowns).
 */
void smp_tlb_shootdown(uint64_t va, size_t npages);

/*
 * smp_tlb_shootdown() on the CPUs in @cpus only (bit n: CPU n), this one
 * included if its bit is set: for an address space loaded on a few CPUs.
 * Same locking and context as smp_tlb_shootdown().
 */
void smp_tlb_shootdown_cpus(uint64_t cpus, uint64_t va, size_t npages);

/*
 * Called in every spin-wait loop with interrupts off: answer a pending TLB
 * shootdown, and stop for good if another CPU panicked. Cheap when idle.
 */
void smp_spin_poll(void);

/*
 * Panic support, for kernel/core/panic.c. smp_panic_enter() makes this CPU
 * the one that reports the panic: it returns the previous holder (-1 when
 * this is the first panic, this CPU's index for a nested one); a CPU that
 * loses the race to another CPU's panic stops in it and never returns.
 * smp_stop_others() then halts every other CPU, waiting a bounded time,
 * and returns how many did not confirm (one spinning with interrupts off
 * outside a lock, say).
 */
int smp_panic_enter(void);
unsigned smp_stop_others(void);
/* The CPU that is reporting a panic, or -1. Console locks give way once it is set. */
int smp_panic_cpu(void);

struct spinlock;

/*
 * Take console output lock @l with interrupts off, except when this CPU
 * already holds it (a fault while printing) or is reporting a panic (the
 * other CPUs are stopped, one maybe holding it): the log, the tty and the
 * framebuffer console all print through such a lock. Returns whether it was
 * taken; pass that to smp_output_unlock(). The analysis of -Wthread-safety
 * cannot follow a conditional lock, so callers opt out of it.
 */
bool smp_output_lock(struct spinlock *l, uint64_t *flags);
void smp_output_unlock(struct spinlock *l, bool taken, uint64_t flags);

struct smp_stats {
	unsigned described;      /* usable CPUs the firmware lists (enabled, this one included) */
	unsigned online;         /* CPUs running the kernel */
	unsigned failed;         /* listed CPUs that did not answer */
	uint64_t bringup_cycles; /* first INIT to the last CPU online, in arch_cycles() */
	uint64_t bringup_us;     /* the same in microseconds */
};

void smp_get_stats(struct smp_stats *st);

/* ---- What the architecture provides ---- */

enum smp_ipi {
	SMP_IPI_CALL = 0,    /* run the queued calls */
	SMP_IPI_TLB = 1,     /* answer a TLB shootdown */
	SMP_IPI_STOP = 2,    /* stop: another CPU panicked */
	SMP_IPI_RESCHED = 3, /* run the scheduler: a task became runnable here */
};

/*
 * Find the CPUs, set up each one's struct percpu and begin starting them,
 * without waiting for them. Boot CPU only, at most once; optional
 * (arch_smp_boot() calls it when it has not run).
 */
void arch_smp_start(struct smp_stats *st);
/*
 * Finish starting the CPUs and wait for them; each calls
 * smp_cpu_started() when it runs. Fills @st (described, failed, bring-up
 * time). Boot CPU only.
 */
void arch_smp_boot(struct smp_stats *st);

/* Interrupt @target with @ipi. Returns false when IPIs are not available (the target polls). */
bool arch_smp_send_ipi(struct percpu *target, enum smp_ipi ipi);

/* Wait for an interrupt with interrupts on, or spin a little when IPIs are not available. */
void arch_smp_idle(void);

/* ---- What the generic part provides to the architecture ---- */

/* A started CPU reports in and becomes the idle loop; never returns. Interrupts off. */
__attribute__((noreturn)) void smp_cpu_started(struct percpu *c);
/*
 * A CPU's idle loop, interrupts off: run queued calls, run tasks when
 * there are any (sched_idle_work()), else halt until an interrupt.
 */
__attribute__((noreturn)) void smp_idle_loop(void);

/* IPI handlers, in interrupt context on the receiving CPU. */
void smp_handle_ipi(enum smp_ipi ipi);
