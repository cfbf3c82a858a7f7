/* SPDX-License-Identifier: MIT */
/*
 * Kernel tasks: a kernel stack with a guard page, a saved stack pointer, an
 * FXSAVE area and a priority. They are scheduled preemptively on every CPU
 * (sched/sched.h) and reached through handles that only the spawner holds:
 * a handle is a task id, checked on every use, so a stale, dropped, joined
 * or foreign handle gives an error code and never a dangling pointer.
 * Design and the guarantees: docs/tasks.md.
 */
#pragma once

#include <cairn/compiler.h>

#include <arch/task.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sched/wait.h"
#include "time/time.h"

#define TASK_NAME_MAX   32
#define TASK_STACK_SIZE (16u * 1024) /* bytes, plus an unmapped guard page below */
/*
 * The FPU/SSE/AVX save area: the XSAVE image of x87, SSE and AVX state is
 * 832 bytes in the standard format (Intel SDM Vol. 1, 13.4 and 13.5), the
 * FXSAVE image 512 (10.5.1); fpu.c checks CPUID.0DH against this size.
 */
#define TASK_FPU_SIZE   1024

/* Priorities: higher runs first; equal ones share the CPU round robin. */
#define TASK_PRIO_MIN     0
#define TASK_PRIO_DEFAULT 4
#define TASK_PRIO_MAX     7
#define TASK_NPRIO        8
#define TASK_CPUS_ANY     UINT64_MAX /* affinity: any CPU */

enum task_state {
	TASK_RUNNABLE = 1, /* in a run queue */
	TASK_RUNNING = 2,  /* the current task of its CPU */
	TASK_BLOCKED = 3,  /* waiting for task_wake() */
	TASK_DEAD = 4,     /* off its stack for good; waits to be joined or reaped */
};

/* How a task ended, as task_join() reports it. */
enum task_end {
	TASK_END_NONE = 0,     /* still running */
	TASK_END_RETURNED = 1, /* its function returned */
	TASK_END_EXITED = 2,   /* it called task_exit() */
	TASK_END_PANICKED = 3, /* it panicked or faulted; the kernel went on */
	TASK_END_KILLED = 4,   /* task_kill() took effect at a safe point */
};

/* What the spawner may do with a task; only the spawner holds the handle. */
enum task_handle_state {
	TASK_HANDLE_NONE = 0,    /* no handle: a CPU's boot flow, an idle task */
	TASK_HANDLE_HELD = 1,    /* the spawner may join, kill or drop it */
	TASK_HANDLE_JOINING = 2, /* a join is in progress */
	TASK_HANDLE_DROPPED = 3, /* an orphan: reaped as soon as it ends */
};

/* A joinable handle: the task's id. 0 is never a task. */
struct uspace;

struct task_handle {
	uint64_t id;
};

struct task_result {
	enum task_end how;
	int value; /* the exit value; for PANICKED -EFAULT, for KILLED -EINTR */
};

struct task;

struct task_spawn_opts {
	int prio;          /* TASK_PRIO_MIN..TASK_PRIO_MAX (0: TASK_PRIO_DEFAULT if dflt) */
	uint64_t affinity; /* bit n: may run on CPU n; 0 or TASK_CPUS_ANY: any */
	int cpu;           /* first CPU, or -1: the least loaded allowed one */
	/*
	 * Called on the new task before it is queued, so its first run finds
	 * it complete (a user thread's frame, address space and thread object:
	 * kernel/proc/thread.c). NULL: none.
	 */
	void (*setup)(struct task *t, void *ctx);
	void *setup_ctx; /* its argument */
};

/* Introspection for `ps` (issue 6): a copy taken under the task lock. */
struct task_info {
	uint64_t id;
	char name[TASK_NAME_MAX];
	int state;         /* enum task_state */
	int prio;          /* TASK_PRIO_* or -1 for an idle task */
	unsigned cpu;      /* the CPU it runs or last ran on */
	uint64_t run_ns;   /* time on a CPU so far */
	uint64_t switches; /* times it was switched in */
	uint64_t owner;    /* id of the task holding its handle, 0: none */
};

/*
 * Locks: [I] immutable once spawned; [R] the run-queue lock of the task's
 * CPU; [H] the task table lock (task.c); [T] the task itself while it runs;
 * [a] atomic.
 */
struct task {
	/* [T] XSAVE or FXSAVE image while off CPU; XSAVE needs 64-byte alignment */
	uint8_t fpu[TASK_FPU_SIZE] __attribute__((aligned(64)));
	uint64_t sp;              /* [R] saved stack pointer while off CPU */
	uint64_t id;              /* [I] unique, never reused */
	char name[TASK_NAME_MAX]; /* [I] NUL-terminated */
	int state;                /* [R][a] enum task_state */
	int prio;                 /* [I] TASK_PRIO_*, -1: idle */
	unsigned cpu;             /* [R] the CPU whose run queue holds it */
	uint64_t affinity;        /* [R] CPUs it may run on */
	bool pinned;              /* [I] never migrates (idle, boot flows) */
	uintptr_t stack_top;      /* [I] one past the highest stack byte */
	size_t stack_size;        /* [I] bytes mapped below stack_top (0: not ours to free) */
	int (*fn)(void *arg);     /* [I] entry point */
	void *arg;                /* [I] its argument */
	struct uspace *space;     /* [T] user address space; NULL: a kernel task */
	void *proc_thread;        /* [T] the process layer's struct thread; NULL: kernel task */
	struct arch_task arch;    /* [T] the architecture's per-task state (TLS bases) */

	/* ending and ownership */
	uint64_t owner;        /* [H] id of the handle's holder, 0: none */
	int handle;            /* [H] enum task_handle_state */
	unsigned handles_held; /* [H] tasks this one spawned and still holds */
	int end;               /* [a] enum task_end, set once by the task itself */
	int exit_value;        /* [T] valid once end is set */
	bool kill_pending;     /* [a] task_kill() asked; acted on at a safe point */
	struct waitq exit_wq;  /* the holder waits here in task_join() */

	/* scheduling */
	uint64_t run_ns;             /* [R] time on a CPU so far */
	uint64_t switched_in_ns;     /* [R] when it last got its CPU */
	uint64_t switches;           /* [R] times switched in */
	struct timer_event sleep_ev; /* [T] task_sleep_ns()'s wake-up */
	struct list_node rq_link;    /* [R] on its run queue's list for its priority */
	struct task *hash_next;      /* [H] task table chain */
	struct list_node reap_link;  /* [reap_lock] on the reaper's list (or task_end()'s own) */
	/*
	 * [T] it is about to leave its CPU for good (a user thread ending):
	 * a task it wakes on its own CPU runs there next, so the wake does
	 * not pull an idle CPU (Linux's WF_SYNC idea).
	 */
	bool wake_sync;
};

/*
 * Make the boot flow the boot CPU's task "main", ask every other online CPU
 * to set up its run queue and idle task, start the reaper and turn on
 * preemption. The other CPUs take tasks once they have answered (the
 * scheduler places tasks only on ready CPUs); task_wait_cpus() waits for
 * them. Call once, after smp_init() and time_init().
 */
void task_init(void);

/*
 * Wait until every online CPU has its run queue from task_init(), so that
 * whatever runs after boot may pin tasks to any of them. Call once, on the
 * boot CPU, before "cairn: ready".
 */
void task_wait_cpus(void);

/*
 * Create a runnable task that runs @fn(@arg); its return value becomes its
 * exit value. The handle goes to *@out and only the caller may use it.
 * Returns 0, -EINVAL (no fn or out, bad opts) or -ENOMEM. @opts may be NULL.
 * May allocate; not for IRQ context.
 */
int __must_check task_spawn_opts(struct task_handle *out, const char *name, int (*fn)(void *arg),
                                 void *arg, const struct task_spawn_opts *opts);
int __must_check task_spawn(struct task_handle *out, const char *name, int (*fn)(void *arg),
                            void *arg);

/*
 * Wait until the task of @h ended, put how and its value in *@res (if not
 * NULL) and free it; @h is dead afterwards. Returns 0, or -ESRCH (no such
 * task: never spawned, already joined, dropped), -EPERM (the caller does
 * not hold the handle), -EDEADLK (joining itself), -EBUSY (a join is
 * already waiting). Never touches a freed task. Not for IRQ context.
 */
int __must_check task_join(struct task_handle h, struct task_result *res);

/*
 * Give up the handle without joining: the task becomes an orphan and is
 * freed as soon as it ends (at once if it already has). Same errors as
 * task_join(), never -EDEADLK.
 */
int task_drop(struct task_handle h);

/*
 * Ask the task of @h to end. It ends with TASK_END_KILLED at its next safe
 * point: task_yield(), task_sleep_ns(), task_check_kill(); killable waits
 * return -EINTR so it can get there. Returns 0, -ESRCH or -EPERM.
 */
int task_kill(struct task_handle h);

/* End the calling task with @value (TASK_END_EXITED). Panics in a CPU's boot flow. */
__attribute__((noreturn)) void task_exit(int value);

/* A safe point: end the calling task here if a kill is pending. */
void task_check_kill(void);
/* True when task_kill() asked the calling task to end. */
bool task_kill_pending(void);

/*
 * Let every other runnable task of this CPU with at least this task's
 * priority run first; returns at once if there is none. A safe point.
 */
void task_yield(void);

/* Block the calling task for at least @ns; a safe point. Not for IRQ context. */
void task_sleep_ns(uint64_t ns);

/*
 * Let the calling task run only on the CPUs in @mask (bit n: CPU n); it
 * moves at once if its CPU is not among them. Returns 0, or -EINVAL when
 * no CPU of @mask runs tasks or the caller is a CPU's own flow.
 */
int task_set_affinity(uint64_t mask);

/* The task running on this CPU (NULL before task_init()). One load. */
struct task *task_current(void);

/* Context switches this CPU made so far (for tests and benchmarks). */
uint64_t task_switch_count(void);

/*
 * Snapshots of up to @max tasks into @out, in id order; returns how many
 * there are in all (may exceed @max). For `ps`.
 */
size_t task_list(struct task_info *out, size_t max);
/* Tasks that exist (spawned, not yet freed) plus the boot and idle flows. */
size_t task_count(void);
/* Unmap the freed tasks' stacks kept for the next spawns (leak checks count frames). */
void task_stack_cache_drain(void);
/*
 * Wait up to @timeout_ns for the reaper to free every ended orphan handed to
 * it (a user thread's task is one: leak checks must not count it). True
 * when none is left. Task context; sleeps.
 */
bool task_reap_settle(uint64_t timeout_ns);

/*
 * Called by panic() and the fault handlers: when the calling context is a
 * spawned task that may end here (not in an interrupt, holding no spinlock,
 * preemption on), report @msg and end the task with TASK_END_PANICKED; never
 * returns then. Returns false when the whole kernel must stop instead.
 */
bool task_panic_end(const char *msg);
/* Whether task_panic_end() would end the caller (for the fault handler's report). */
bool task_can_panic_end(void);

/*
 * Architecture hooks (kernel/arch/x86_64/cpu/fpu.c and switch.S), declared here
 * because they exist only for tasks; arch_context_switch() is in arch/arch.h.
 */
void arch_fpu_init_cpu(void *unused); /* enable FXSAVE/XSAVE, SSE (and AVX) on this CPU */
void arch_fpu_init_area(void *area);  /* the FPU's reset image, for a new task */
uint64_t arch_context_init(uintptr_t stack_top, void (*entry)(void)); /* first frame */
/*
 * Prepare the architecture part of a new task @t whose stack is allocated:
 * reserve the user-register frame at its top. Returns the stack top the
 * first kernel frame (arch_context_init()) goes below.
 */
uintptr_t arch_task_setup(struct task *t);
/*
 * Called by the scheduler just before arch_context_switch(), interrupts off,
 * @next's run queue locked: point the kernel entry stacks at @next's, swap
 * the TLS bases and load @next's address space if it differs from @prev's.
 */
void arch_task_switch(struct task *prev, struct task *next);
