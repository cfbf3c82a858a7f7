// SPDX-License-Identifier: MIT
/*
 * Weak stand-ins for what the user-mode code calls in subsystems that may
 * not be linked in yet (hooks.h and kernel/proc/signal.h): with none of
 * them there, no task ever has a process or an address space, and these
 * only keep the kernel linking. Each real definition replaces its
 * stand-in at link time; this file goes away once all of them exist.
 */
#include <cairn/errno.h>

#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "arch/x86_64/cpu/hooks.h"
#include "proc/signal.h"
#include "sched/task.h"

__attribute__((weak)) int uspace_fault(struct uspace *s, uintptr_t addr, unsigned access)
{
	return -EFAULT;
}

__attribute__((weak)) void uspace_activate(struct uspace *s)
{
}

__attribute__((weak)) struct uspace *uspace_current(void)
{
	struct task *t = task_current();

	return t ? t->space : NULL;
}

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
