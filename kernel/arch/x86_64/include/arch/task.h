/* SPDX-License-Identifier: MIT */
/*
 * The x86_64 part of every struct task (kernel/sched/task.h): the user
 * thread-local base registers. Kernel tasks keep them zero. The context
 * switch (kernel/arch/x86_64/cpu/user.c) saves and loads them.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Locks: [T] the task itself, or the context switch while it is off CPU. */
struct arch_task {
	uint64_t fs_base; /* [T] user FS base (TLS), loaded while the task runs */
	uint64_t gs_base; /* [T] user GS base, in IA32_KERNEL_GS_BASE while in the kernel */
	bool user;        /* [T] has entered ring 3 once: its bases are saved on switch-out */
};
