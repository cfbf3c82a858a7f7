/* SPDX-License-Identifier: MIT */
/*
 * The scheduler: one run queue per CPU with TASK_NPRIO priority lists,
 * round robin within a priority, preemption by a one-shot time-slice timer
 * on each CPU, an idle task per CPU that halts and steals work from busy
 * CPUs, and block/wake with no lost wake-ups. The task lifecycle (spawn,
 * join, kill) is in task.c; wait queues and locks that sleep are built on
 * sched_block() and task_wake(). Design: docs/tasks.md.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stdint.h>

struct task;

#define SCHED_SLICE_NS (10ull * 1000 * 1000) /* a task's turn before preemption */

/*
 * Blocking, the pattern every sleeping primitive follows:
 *
 *	sched_prepare_block();      // state = BLOCKED, before testing
 *	if (!condition)
 *		sched_block();      // returns at once if a wake came in between
 *	else
 *		sched_cancel_block();
 *
 * A waker makes the condition true, then calls task_wake(). Because the
 * state is BLOCKED before the test, a wake between the test and the switch
 * turns it back to RUNNING and sched_block() does not sleep: no lost wake-up,
 * on one CPU or across CPUs. Spurious returns are allowed; test again.
 */
void sched_prepare_block(void);
void sched_cancel_block(void);
void sched_block(void);
/* sched_block(), woken at @deadline_ns at the latest (TIME_NEVER: no limit). */
void sched_block_until(uint64_t deadline_ns);

/*
 * Make @t runnable if it is blocked. Returns true if it was. Any context,
 * any CPU; takes the run-queue lock of @t's CPU (interrupts off).
 */
bool task_wake(struct task *t);

/* Block the calling task until monotonic time @deadline_ns. Not a kill safe point. */
void sched_sleep_until(uint64_t deadline_ns);
/* The same, but return early when a kill is pending (task_sleep_ns()). */
void sched_sleep_until_killable(uint64_t deadline_ns);

/* True when the caller is a task that may block: scheduler on, not in an
 * interrupt, no spinlock held, preemption on, interrupts on. */
bool sched_can_block(void);

/* Keep the calling flow on this CPU, not preempted, until the matching enable. */
void preempt_disable(void);
void preempt_enable(void);

/* Switch now if a higher-priority task became runnable here and we may. */
void sched_maybe_preempt(void);

/*
 * Called by the architecture as an interrupt returns, interrupts off:
 * switch tasks if the time slice ran out or a wake asked for it and the
 * interrupted flow had interrupts on (and so held no spinlock).
 */
void sched_interrupt_exit(bool interrupted_flow_had_irqs_on);

/*
 * The idle loop's step, interrupts off: if this CPU has queued tasks or
 * can steal one, run them and return true; false means halt.
 */
bool sched_idle_work(void);

/*
 * The idle loop's next step when sched_idle_work() found nothing, interrupts
 * off: watch for a kick, interrupts on, for a bounded time (idle_poll.c).
 * Returns true if work was queued for this CPU meanwhile (look again), false
 * when the time ran out or polling is off (halt).
 */
bool sched_idle_poll(void);
/* The idle loop's halt has ended (interrupts off): adapt this CPU's poll window. */
void sched_idle_woke(void);
/*
 * Tell @cpu, which may be polling, that work was queued for it. Returns true
 * if it polls and will see the work without an IPI; false: send one. Any
 * context; the work must be queued before the call.
 */
bool sched_idle_poll_kick(unsigned cpu);
/*
 * sched_idle_poll() for @ns, whatever idle_poll_us= says (tests), interrupts
 * off. Returns 0 (the time ran out) or what ended it: SCHED_POLL_KICKED (a
 * kick), SCHED_POLL_RESCHED (an interrupt asked for a switch here), or both.
 */
#define SCHED_POLL_KICKED  1u
#define SCHED_POLL_RESCHED 2u
unsigned sched_idle_poll_for(uint64_t ns);
/* Whether @cpu polls now, unkicked (racy: for tests and statistics). */
bool sched_idle_polling(unsigned cpu);

/* Per-CPU scheduler set-up (task.c calls it on each CPU), then turn it on. */
void sched_init_cpu(struct task *boot_flow, struct task *idle);
void sched_start(void);
/* A new task's first code: finish the switch that started it, interrupts on. */
void sched_task_entry_finish(void);
/* Queue a new task on CPU @cpu (-1: pick one by load and affinity). */
void sched_enqueue_new(struct task *t, int cpu);
/* Leave the CPU for good: the next task publishes TASK_DEAD for the caller. */
__attribute__((noreturn)) void sched_exit_current(void);
/* Switch to another runnable task of at least the same priority (task_yield()). */
void sched_yield(void);
/* Task time accounting for `ps`: run time including the current turn. */
uint64_t sched_task_run_ns(const struct task *t);
/* Bit n set: CPU n has a run queue and takes tasks. */
uint64_t sched_cpu_mask(void);
/* The number of CPUs with a run queue. */
unsigned sched_cpu_count(void);
/* True once task_init() turned the scheduler on. */
bool sched_running(void);

/* How CPU @cpu spent its time so far (/proc/stat, /proc/uptime). */
struct sched_cpu_time {
	uint64_t user_ns;   /* running threads of processes (their system calls included) */
	uint64_t system_ns; /* running kernel tasks */
	uint64_t idle_ns;   /* running its idle task (halted, mostly) */
	uint64_t switches;  /* context switches it made */
};

/*
 * Fill @out for CPU @cpu: 0, or -EINVAL when it has no run queue. The
 * turn in progress is not counted yet (at most one time slice). Takes
 * that CPU's run-queue lock; any context but IRQ.
 */
int __must_check sched_cpu_time(unsigned cpu, struct sched_cpu_time *out);
/* Tasks running or waiting for a CPU now, idle tasks not counted (racy: a hint). */
unsigned sched_nr_running(void);

/*
 * Load averages (kernel/sched/loadavg.c): Linux's three decaying means of
 * sched_nr_running(), sampled every 5 s, fixed point with 11 fraction bits
 * (lib/procfs/loadavg.h). sched_start() starts the sampling.
 */
void sched_loadavg_start(void);
void sched_loadavg(unsigned long avg[3]);
