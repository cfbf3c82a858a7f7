// SPDX-License-Identifier: MIT
/*
 * Weak stand-ins for what the user-mode code calls in the signal and
 * process layers (kernel/proc/signal.h, hooks.h), which may not be linked
 * in yet: without them no task has a process, and these only keep the
 * kernel linking. Each real definition replaces its
 * stand-in at link time; this file goes away once all of them exist.
 */
#include <cairn/errno.h>

#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "arch/x86_64/cpu/hooks.h"
#include "proc/signal.h"
#include "sched/task.h"

__attribute__((weak)) void signal_deliver(struct arch_uframe *f)
{
}

/* Without signals, a fault ends the process as its default action would. */
__attribute__((weak)) void signal_fault(int sig, int code, uintptr_t addr)
{
	proc_exit_group(sig);
}

__attribute__((weak)) void proc_kill_oom(void)
{
	proc_exit_group(SIGKILL);
}

__attribute__((weak)) void proc_exit_group(int status)
{
	task_exit(128 + (status & 0x7f));
}
