/* SPDX-License-Identifier: MIT */
/*
 * Weak -ENOSYS defaults for every sys_* function of syscall.h, so the
 * kernel links while the lanes of issue 11 land one by one: the real
 * definition in its owner's file replaces the weak one at link time. Each
 * stub logs its call once, by name, like a call no lane owns. Also weak
 * defaults for the few hooks of other lanes this layer calls, with the
 * answer a kernel without user programs would give.
 */
#include <cairn/errno.h>
#include <cairn/linux/syscall_nr.h>

#include <stddef.h>

#include "syscall/internal.h"
#include "syscall/syscall.h"

#define SYSCALL_WEAK(name)                                                                        \
	__attribute__((weak)) long sys_##name(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, \
	                                      uint64_t a4, uint64_t a5)                           \
	{                                                                                         \
		return syscall_enosys(__NR_##name);                                               \
	}
#define SYSCALL_WEAK_NONE(name)
#define SYSCALL_WEAK_SYS(name)                              SYSCALL_WEAK(name)
#define SYSCALL_WEAK_MM(name)                               SYSCALL_WEAK(name)
#define SYSCALL_WEAK_ARCH(name)                             SYSCALL_WEAK(name)
#define SYSCALL_WEAK_SIG(name)                              SYSCALL_WEAK(name)
#define SYSCALL_WEAK_PROC(name)                             SYSCALL_WEAK(name)
#define SYSCALL(nr, name, n, k0, k1, k2, k3, k4, k5, owner) SYSCALL_WEAK_##owner(name)
#include "syscall/syscalls.def"
#undef SYSCALL

/*
 * The arch lane's frame accessors (kernel/arch/x86_64/cpu/user.c). Until it
 * lands nothing enters syscall_entry(), so these only make the kernel link.
 */
__attribute__((weak)) struct arch_uframe *arch_uframe(struct task *t)
{
	return NULL;
}

__attribute__((weak)) long arch_uframe_sysno(const struct arch_uframe *f)
{
	return -1;
}

__attribute__((weak)) uint64_t arch_uframe_arg(const struct arch_uframe *f, int i)
{
	return 0;
}

__attribute__((weak)) void arch_uframe_set_return(struct arch_uframe *f, long v)
{
}

/*
 * The arch lane's user-memory copies (kernel/mm/uaccess.h). A kernel
 * without user address spaces has no user memory: every range is bad
 * but an empty one.
 */
__attribute__((weak)) bool user_range_ok(uintptr_t addr, size_t n)
{
	return n == 0;
}

__attribute__((weak)) int copy_from_user(void *dst, const void *usrc, size_t n)
{
	return -EFAULT;
}

__attribute__((weak)) int copy_to_user(void *udst, const void *src, size_t n)
{
	return -EFAULT;
}

__attribute__((weak)) int clear_user(void *udst, size_t n)
{
	return -EFAULT;
}

__attribute__((weak)) long strncpy_from_user(char *dst, const char *usrc, size_t size)
{
	return -EFAULT;
}

/* The signal lane's test (kernel/proc/signal.c): no signals before it lands. */
__attribute__((weak)) bool signal_pending(void)
{
	return false;
}

/* The proc lane's current process and thread: none before it lands. */
__attribute__((weak)) struct process *process_current(void)
{
	return NULL;
}

__attribute__((weak)) struct thread *thread_current(void)
{
	return NULL;
}
