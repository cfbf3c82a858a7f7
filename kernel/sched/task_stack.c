// SPDX-License-Identifier: MIT
/*
 * Kernel stacks of ended tasks, kept mapped for the next task (split out
 * of task.c). vm_free_stack() keeps the virtual range of a stack this
 * cache lets go of, so neither layer leaves page tables behind.
 */
#include <arch/page.h>

#include <stdbool.h>
#include <stdint.h>

#include "mm/vm.h"
#include "sched/spinlock.h"
#include "sched/task.h"
#include "sched/task_internal.h"

/*
 * Stacks of freed tasks, kept mapped for the next spawn. Unmapping a stack
 * shoots its pages down on every CPU with vm_lock held, and a spawn on
 * another CPU waits for that lock: 50-80 ms a fork on 4 vCPUs of a loaded
 * host, against 0.2 ms with a kept stack (docs/processes.md). 64 stacks
 * (1 MiB) cover a program that keeps dozens of children alive at once.
 */
#define STACK_CACHE 64u
static struct spinlock stack_lock = SPINLOCK_INIT("task.stacks");
static uintptr_t stack_cache[STACK_CACHE] __guarded_by(&stack_lock);
static unsigned nstacks __guarded_by(&stack_lock);

/* A kept stack of TASK_STACK_SIZE bytes, or a fresh one; returns its top or 0. */
uintptr_t task_stack_get(void)
{
	uint64_t flags = spin_lock_irqsave(&stack_lock);
	uintptr_t top = nstacks ? stack_cache[--nstacks] : 0;

	spin_unlock_irqrestore(&stack_lock, flags);
	return top ? top : vm_alloc_stack(TASK_STACK_SIZE);
}

/* Keep the stack ending at @top for the next task, or unmap it when enough are kept. */
void task_stack_put(uintptr_t top)
{
	uint64_t flags = spin_lock_irqsave(&stack_lock);
	bool kept = nstacks < STACK_CACHE;

	if (kept)
		stack_cache[nstacks++] = top;
	spin_unlock_irqrestore(&stack_lock, flags);
	if (!kept)
		vm_free_stack(top, TASK_STACK_SIZE);
}

void task_stack_cache_drain(void)
{
	uint64_t flags = spin_lock_irqsave(&stack_lock);
	uintptr_t top;

	while (nstacks) {
		top = stack_cache[--nstacks];
		spin_unlock_irqrestore(&stack_lock, flags);
		vm_free_stack(top, TASK_STACK_SIZE);
		flags = spin_lock_irqsave(&stack_lock);
	}
	spin_unlock_irqrestore(&stack_lock, flags);
}
