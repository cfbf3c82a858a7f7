/* SPDX-License-Identifier: MIT */
/*
 * Futexes: user-space words a thread can sleep on until another wakes it,
 * the base of every pthread mutex, condition variable and join. Waiters
 * are found by a key: (address space, user address) for private futexes
 * and for private memory, (physical address) for memory shared between
 * processes. futex(2) itself is sys_futex() (kernel/syscall/syscall.h).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/*
 * Wake up to @n waiters of the futex at user address @uaddr of the calling
 * thread's space, as FUTEX_WAKE without the private flag would: for
 * CLONE_CHILD_CLEARTID when a thread exits (call it before the thread
 * drops its address space). Returns how many woke, or -EINVAL/-EFAULT.
 * Task context; may sleep.
 */
int futex_wake_addr(uintptr_t uaddr, int n);

/* Waiters queued now on every futex (for tests: 0 when nothing sleeps). */
unsigned futex_waiters(void);
