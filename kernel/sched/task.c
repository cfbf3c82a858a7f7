// SPDX-License-Identifier: MIT
/*
 * Kernel tasks, switched cooperatively: each CPU has a run queue of
 * runnable tasks, and task_yield() moves the running task to its tail and
 * switches to its head. The boot flow (or a CPU's first caller) becomes that
 * CPU's "main" task. Nothing preempts a task yet (docs/tasks.md).
 */
#include "sched/task.h"

#include <cairn/errno.h>

#include <lib/string.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "core/panic.h"
#include "core/percpu.h"
#include "core/smp.h"
#include "mm/heap.h"
#include "mm/vm.h"
#include "sched/spinlock.h"

#define PAGE_SIZE 4096u

/*
 * Locks: [L] rq->lock; [C] this CPU only. The run-queue lock is held across
 * arch_context_switch() and released by the task that runs next (xv6's
 * sched()): it is the same CPU, so the owner check and interrupt nesting hold.
 */
struct task_rq {
	struct spinlock lock;
	struct task *head; /* [L] next to run */
	struct task *tail; /* [L] last to run */
	struct task *dead; /* [L] a task that switched away for the last time */
	uint64_t switches; /* [L] context switches on this CPU */
} __attribute__((aligned(64)));

static struct task_rq task_rqs[SMP_MAX_CPUS];
static struct task task_mains[SMP_MAX_CPUS]; /* [C] each CPU's "main" task */
static uint64_t task_next_id = 1;            /* [a] */

/* Spawned tasks not yet joined: join checks a pointer against it before use. */
static struct spinlock task_all_lock = SPINLOCK_INIT("task.all");
static struct task *task_all __guarded_by(&task_all_lock);

struct task *task_current(void)
{
	struct task *t;

	__asm__ volatile("movq %%gs:%c1, %0" : "=r"(t) : "i"(offsetof(struct percpu, current)));
	return t;
}

/* This CPU's task; the first call on a CPU makes the running flow its "main". */
static struct task *task_self(void)
{
	struct task *t = task_current();
	unsigned cpu;

	if (t)
		return t;
	cpu = this_cpu_index();
	t = &task_mains[cpu];
	memcpy(t->name, "main", 5);
	t->cpu = cpu;
	t->state = TASK_RUNNING;
	t->stack_top = this_cpu()->stack_top;
	spin_init(&task_rqs[cpu].lock, "task.rq");
	this_cpu()->current = t;
	return t;
}

static void rq_push_locked(struct task_rq *rq, struct task *t) __must_hold(&rq->lock)
{
	t->rq_next = NULL;
	if (rq->tail)
		rq->tail->rq_next = t;
	else
		rq->head = t;
	rq->tail = t;
}

static struct task *rq_pop_locked(struct task_rq *rq) __must_hold(&rq->lock)
{
	struct task *t = rq->head;

	if (t) {
		rq->head = t->rq_next;
		if (!rq->head)
			rq->tail = NULL;
	}
	return t;
}

/* In the task that now runs: publish the exit of the one that left for good. */
static void task_finish_switch_locked(struct task_rq *rq) __must_hold(&rq->lock)
{
	if (rq->dead) {
		__atomic_store_n(&rq->dead->state, TASK_EXITED, __ATOMIC_RELEASE);
		rq->dead = NULL;
	}
}

/* Run @next instead of @cur on this CPU; returns when @cur is switched back in. */
static void task_switch_locked(struct task_rq *rq, struct task *cur, struct task *next)
	__must_hold(&rq->lock)
{
	next->state = TASK_RUNNING;
	this_cpu()->current = next;
	rq->switches++;
	arch_context_switch(&cur->sp, next->sp, cur->fpu, next->fpu);
	task_finish_switch_locked(rq);
}

/* Where a new task starts, still holding its CPU's run-queue lock. */
static __attribute__((noreturn)) __no_lock_checks void task_entry(void)
{
	struct task *t = task_current();

	task_finish_switch_locked(&task_rqs[t->cpu]);
	spin_unlock(&task_rqs[t->cpu].lock);
	task_exit(t->fn(t->arg));
}

static struct task *task_alloc(const char *name, int (*fn)(void *), void *arg)
{
	struct task *t = kmalloc_aligned(sizeof(*t), 64, KM_ZERO | KM_MAY_FAIL);
	size_t i;

	if (!t)
		return NULL;
	t->stack_top = vm_alloc_stack(TASK_STACK_SIZE);
	if (!t->stack_top) {
		kfree(t);
		return NULL;
	}
	t->stack_size = TASK_STACK_SIZE;
	for (i = 0; name && name[i] && i < TASK_NAME_MAX - 1; i++)
		t->name[i] = name[i];
	t->id = __atomic_fetch_add(&task_next_id, 1, __ATOMIC_RELAXED);
	t->fn = fn;
	t->arg = arg;
	arch_fpu_init_area(t->fpu);
	t->sp = arch_context_init(t->stack_top, task_entry);
	return t;
}

struct task *task_spawn(const char *name, int (*fn)(void *), void *arg)
{
	struct task *self = task_self(), *t;
	struct task_rq *rq = &task_rqs[self->cpu];

	if (!fn)
		return NULL;
	t = task_alloc(name, fn, arg);
	if (!t)
		return NULL;
	t->cpu = self->cpu;
	t->state = TASK_RUNNABLE;

	spin_lock(&task_all_lock);
	t->all_next = task_all;
	if (task_all)
		task_all->all_prev = t;
	task_all = t;
	spin_unlock(&task_all_lock);

	spin_lock(&rq->lock);
	rq_push_locked(rq, t);
	spin_unlock(&rq->lock);
	return t;
}

void task_yield(void)
{
	struct task *cur = task_self(), *next;
	struct task_rq *rq = &task_rqs[cur->cpu];

	spin_lock(&rq->lock);
	next = rq_pop_locked(rq);
	if (next) {
		cur->state = TASK_RUNNABLE;
		rq_push_locked(rq, cur);
		task_switch_locked(rq, cur, next);
	}
	spin_unlock(&rq->lock);
}

__attribute__((noreturn)) __no_lock_checks void task_exit(int value)
{
	struct task *cur = task_self(), *next;
	struct task_rq *rq = &task_rqs[cur->cpu];

	if (cur == &task_mains[cur->cpu])
		panic("task: main task of CPU %u called task_exit()", cur->cpu);
	cur->exit_value = value;
	spin_lock(&rq->lock);
	next = rq_pop_locked(rq);
	if (!next) /* the CPU's main task is always running or queued */
		panic("task: CPU %u has no task left to run", cur->cpu);
	rq->dead = cur;
	task_switch_locked(rq, cur, next);
	panic("task: exited task %s ran again", cur->name);
}

/* True if @t is a spawned task nobody claimed for a join yet; then claims it. */
static bool task_claim(struct task *t)
{
	struct task *p;
	bool ok = false;

	spin_lock(&task_all_lock);
	for (p = task_all; p && p != t; p = p->all_next)
		;
	if (p && !p->joining) {
		p->joining = true;
		ok = true;
	}
	spin_unlock(&task_all_lock);
	return ok;
}

static void task_free(struct task *t)
{
	spin_lock(&task_all_lock);
	if (t->all_prev)
		t->all_prev->all_next = t->all_next;
	else
		task_all = t->all_next;
	if (t->all_next)
		t->all_next->all_prev = t->all_prev;
	spin_unlock(&task_all_lock);
	/* The guard page was never mapped; the virtual range is not reused yet. */
	vm_unmap_free(t->stack_top - t->stack_size, t->stack_size / PAGE_SIZE);
	kfree(t);
}

int task_join(struct task *t, int *value)
{
	if (!t || t == task_current() || !task_claim(t))
		return -EINVAL;
	while (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) != TASK_EXITED)
		task_yield();
	if (value)
		*value = t->exit_value;
	task_free(t);
	return 0;
}

uint64_t task_switch_count(void)
{
	struct task *self = task_self();
	uint64_t n;

	spin_lock(&task_rqs[self->cpu].lock);
	n = task_rqs[self->cpu].switches;
	spin_unlock(&task_rqs[self->cpu].lock);
	return n;
}

void task_init(void)
{
	unsigned cpu;

	arch_fpu_init_cpu(NULL);
	for (cpu = 0; cpu < SMP_MAX_CPUS; cpu++)
		if (cpu != this_cpu_index() && smp_cpu_online(cpu) &&
		    smp_call(cpu, arch_fpu_init_cpu, NULL, true))
			panic("task: cannot set up the FPU of CPU %u", cpu);
	task_self();
}
