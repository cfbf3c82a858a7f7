/* SPDX-License-Identifier: MIT */
/*
 * Weak -ENOSYS defaults for every sys_* function of syscall.h, so the
 * kernel links while the lanes of issue 11 land one by one: the real
 * definition in its owner's file replaces the weak one at link time. Each
 * stub logs its call once, by name, like a call no lane owns.
 */
#include <cairn/errno.h>
#include <cairn/linux/syscall_nr.h>

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

/* Cairn's own calls: -ENOSYS until their owner (kernel/ipc) defines them. */
#define CAIRN_CALL(nr, name, n)                                                            \
	__attribute__((weak)) long sys_cairn_##name(uint64_t a0, uint64_t a1, uint64_t a2, \
	                                            uint64_t a3, uint64_t a4, uint64_t a5) \
	{                                                                                  \
		return -ENOSYS;                                                            \
	}
#include "syscall/cairn_calls.def"
#undef CAIRN_CALL
