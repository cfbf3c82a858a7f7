// SPDX-License-Identifier: MIT
/*
 * arch_prctl(2): the FS and GS bases of the calling thread, which libc
 * points at its thread control block (TLS). The bases live in the task
 * (user.c) and are loaded on every switch; CR4.FSGSBASE stays off, so
 * user mode can change them only through here (or a selector load).
 */
#include <cairn/errno.h>
#include <cairn/linux/prctl.h>

#include <stdint.h>

#include "arch/arch.h"
#include "arch/x86_64/x86.h"
#include "mm/uaccess.h"
#include "sched/task.h"
#include "syscall/syscall.h"

/*
 * Linux answers a base at or above the top of user space with EPERM
 * (arch/x86/kernel/process_64.c); an unknown code is EINVAL; a bad
 * pointer for the GET codes is EFAULT.
 */
long sys_arch_prctl(uint64_t code, uint64_t addr, uint64_t a2, uint64_t a3, uint64_t a4,
                    uint64_t a5)
{
	struct task *t = task_current();
	uint64_t v;

	switch (code) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if (addr >= USER_TOP)
			return -EPERM;
		if (code == ARCH_SET_FS)
			arch_task_set_tls(t, addr);
		else
			x86_task_set_user_gs(t, addr);
		return 0;
	case ARCH_GET_FS:
	case ARCH_GET_GS:
		v = code == ARCH_GET_FS ? arch_task_tls(t) : x86_task_user_gs(t);
		return copy_to_user((void *)(uintptr_t)addr, &v, sizeof(v));
	default:
		return -EINVAL;
	}
}
