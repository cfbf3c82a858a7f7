/* SPDX-License-Identifier: MIT */
/*
 * The system-call layer: Linux's x86_64 calls dispatched by number from
 * the table kernel/syscall/syscalls.def. The architecture's entry code
 * saves the user registers in a struct arch_uframe and calls
 * syscall_entry(); the dispatcher reads the number and the six arguments,
 * calls sys_<name>() and stores its result. Every sys_* function has the
 * syscall_fn shape and returns a value or -errno. A call no part of the
 * kernel implements answers -ENOSYS and is logged once, by name.
 * docs/syscalls.md lists every call with its status.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stdint.h>

typedef long (*syscall_fn)(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                           uint64_t a5);

struct arch_uframe;

/*
 * Dispatch the call saved in @f and store its result in @f: the number
 * and arguments come from the registers the architecture saved. A call
 * that rewrites the whole frame (rt_sigreturn, execve) returns the value
 * the return register must then hold. Called by the architecture's
 * syscall entry with interrupts on, in the calling thread's task.
 */
void syscall_entry(struct arch_uframe *f);

/*
 * Run call @nr with arguments @args: what syscall_entry() does once the
 * registers are read (also for kernel tests). Returns the call's result,
 * -ENOSYS for a number out of range, never assigned or not implemented.
 */
long syscall_dispatch(long nr, const uint64_t args[6]);

/*
 * Log "syscall: NAME (NR) not implemented, returning ENOSYS" the first
 * time call @nr is asked for, and return -ENOSYS. The stubs of sys_weak.c
 * and the dispatcher use it. Any context where logging is allowed.
 */
long syscall_enosys(long nr);

/* Whether call @nr has been logged as not implemented (for tests). */
bool syscall_enosys_logged(long nr);

/*
 * One declaration per implemented call, from syscalls.def: sys_read(),
 * sys_mmap(), sys_getppid()... The lane named in the table's owner column
 * defines it; sys_weak.c holds a weak -ENOSYS default for each so the
 * kernel links before every lane has landed.
 */
#define SYSCALL_DECLARE(name)                                                            \
	long sys_##name(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, \
	                uint64_t a5)
#define SYSCALL_DECL_NONE(name)
#define SYSCALL_DECL_SYS(name)                              SYSCALL_DECLARE(name);
#define SYSCALL_DECL_MM(name)                               SYSCALL_DECLARE(name);
#define SYSCALL_DECL_ARCH(name)                             SYSCALL_DECLARE(name);
#define SYSCALL_DECL_SIG(name)                              SYSCALL_DECLARE(name);
#define SYSCALL_DECL_PROC(name)                             SYSCALL_DECLARE(name);
#define SYSCALL(nr, name, n, k0, k1, k2, k3, k4, k5, owner) SYSCALL_DECL_##owner(name)
#include "syscall/syscalls.def"
#undef SYSCALL

/*
 * Cairn's own calls (include/cairn/cairn_sys.h, include/cairn/ipc.h),
 * outside Linux's table: sys_cairn_memstat(), sys_cairn_channel_write()...
 * from kernel/syscall/cairn_calls.def.
 */
#define CAIRN_CALL(nr, name, n) SYSCALL_DECLARE(cairn_##name);
#include "syscall/cairn_calls.def"
#undef CAIRN_CALL
