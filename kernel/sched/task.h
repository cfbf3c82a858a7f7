/* SPDX-License-Identifier: MIT */
/*
 * Kernel tasks and the cooperative context switch (issue 5, part 1). A task
 * is a kernel stack with a guard page, a saved stack pointer and an FXSAVE
 * area; task_yield() hands this CPU to the next runnable task of its run
 * queue, round robin. Nothing preempts a task yet. Design: docs/tasks.md.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef __must_check
#define __must_check __attribute__((warn_unused_result))
#endif

#define TASK_NAME_MAX   32
#define TASK_STACK_SIZE (16u * 1024) /* bytes, plus an unmapped guard page below */
#define TASK_FPU_SIZE   512          /* the FXSAVE image, Intel SDM Vol. 1, 10.5.1 */

enum task_state {
	TASK_RUNNABLE = 1, /* in its CPU's run queue */
	TASK_RUNNING = 2,  /* the current task of its CPU */
	TASK_EXITED = 3,   /* off its stack for good; waits for task_join() */
};

/*
 * Locks: [I] immutable after task_spawn(); [R] the run-queue lock of the
 * task's CPU; [A] the all-tasks lock (task.c); [T] the task itself while it runs.
 */
struct task {
	/* [T] FXSAVE image while off CPU; FXSAVE needs 16-byte alignment */
	uint8_t fpu[TASK_FPU_SIZE] __attribute__((aligned(16)));
	uint64_t sp;              /* [R] saved stack pointer while off CPU */
	uint64_t id;              /* [I] unique, 0 for each CPU's "main" task */
	char name[TASK_NAME_MAX]; /* [I] NUL-terminated */
	int state;                /* [R] enum task_state; EXITED is stored with release */
	bool joining;             /* [A] task_join() claimed it; a second join fails */
	unsigned cpu;             /* [I] the CPU whose run queue holds it */
	uintptr_t stack_top;      /* [I] one past the highest stack byte */
	size_t stack_size;        /* [I] bytes mapped below stack_top (0: not ours to free) */
	int (*fn)(void *arg);     /* [I] entry point */
	void *arg;                /* [I] its argument */
	int exit_value;           /* [T] what fn returned or task_exit() got */
	struct task *rq_next;     /* [R] next in the run queue */
	struct task *all_prev;    /* [A] list of spawned, not yet joined tasks */
	struct task *all_next;    /* [A] */
};

/*
 * Make the boot flow the boot CPU's first task, "main", and set up the FPU
 * on every online CPU. Call once, after smp_init().
 */
void task_init(void);

/*
 * Create a runnable task that runs @fn(@arg) on the calling CPU; its return
 * value becomes its exit value. Returns the task, or NULL when out of memory.
 * Takes the run-queue lock; may allocate; not for IRQ context.
 */
struct task *task_spawn(const char *name, int (*fn)(void *arg), void *arg);

/*
 * Switch to the next runnable task of this CPU and return when this task's
 * turn comes again; returns at once if no other task is runnable.
 * Takes the run-queue lock; not for IRQ context.
 */
void task_yield(void);

/* End the calling task with @value; panics in a CPU's "main" task. */
__attribute__((noreturn)) void task_exit(int value);

/*
 * Wait, yielding, until @t exited; store its exit value in *@value (if not
 * NULL), then free its stack and struct. Returns 0, or -EINVAL when @t is
 * NULL, the caller itself, already joined (or being joined), or not a
 * spawned task. Not for IRQ context.
 */
int __must_check task_join(struct task *t, int *value);

/* Context switches this CPU made so far (for tests and benchmarks). */
uint64_t task_switch_count(void);

/* The task running on this CPU (NULL on a CPU that never used tasks). One load. */
struct task *task_current(void);

/*
 * Architecture hooks (kernel/arch/x86_64/fpu.c and switch.S), declared here
 * because they exist only for tasks; arch_context_switch() is in arch/arch.h.
 */
void arch_fpu_init_cpu(void *unused); /* enable FXSAVE/SSE on this CPU */
void arch_fpu_init_area(void *area);  /* the FPU's reset image, for a new task */
uint64_t arch_context_init(uintptr_t stack_top, void (*entry)(void)); /* first frame */
