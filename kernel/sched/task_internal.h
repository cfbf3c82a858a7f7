/* SPDX-License-Identifier: MIT */
/* Private to kernel/sched/task*.c: the cache of kept task stacks (task_stack.c). */
#pragma once

#include <stdint.h>

/* A kept stack of TASK_STACK_SIZE bytes, or a fresh one; returns its top or 0. */
uintptr_t task_stack_get(void);
/* Keep the stack ending at @top for the next task, or free it when enough are kept. */
void task_stack_put(uintptr_t top);
