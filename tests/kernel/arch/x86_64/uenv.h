/* SPDX-License-Identifier: MIT */
/*
 * A minimal user environment for kernel tests of ring 3 that need no
 * address space from kernel/mm: a private root table (the kernel half
 * copied from the running one), one user code page and one writable user
 * stack page at USTACK_VA. uenv_run() enters it from a task pinned to the
 * calling CPU, which must be the boot CPU's flow (pinned too), so no
 * other root is loaded there meanwhile.
 */
#pragma once

#include <lib/paging/paging.h>

#include <stdbool.h>
#include <stdint.h>

#include "sched/task.h"

#define UCODE_VA  0x400000ull
#define USTACK_VA 0x800000ull

/* Position-independent user code, kept in .rodata and copied into the code page. */
#define USER_PROG(name, body)                                                           \
	extern const char name##_start[], name##_end[];                                 \
	__asm__(".pushsection .rodata\n\t.globl " #name "_start, " #name "_end\n" #name \
	        "_start:\n\t" body "\n" #name "_end:\n\t.popsection")

struct uenv {
	struct pt_space pt;
	uint64_t code_pa, stack_pa;
	uint64_t code_va; /* where the program is mapped */
	uint64_t entry;   /* its first instruction */
};

/* Map [@start, @end) at UCODE_VA; the test fails when memory runs out. */
void uenv_setup(struct uenv *e, const char *start, const char *end);
/* The same at @va, ending at the end of its page when @at_end. */
void uenv_setup_at(struct uenv *e, const char *start, const char *end, uint64_t va, bool at_end);
/* Load @e's root on this CPU (until uenv_leave()). */
void uenv_enter(struct uenv *e);
/* Load the kernel's root again and free @e. */
void uenv_leave(struct uenv *e);
/*
 * Run @e's program in ring 3 and free @e. With @kill, the task is killed
 * after 30 ms (a program that never ends). Returns how the task ended.
 */
struct task_result uenv_run(struct uenv *e, bool kill);
