/* SPDX-License-Identifier: MIT */
/*
 * What the files of kernel/syscall share: the hooks of other lanes they
 * call (user-memory copies from the arch lane, signal_pending() from the
 * signal lane, the calling process from the proc lane), each with a weak
 * default in sys_weak.c until its owner lands, and the helpers for calls
 * that block until something happens or a signal comes.
 */
#pragma once

#include <cairn/compiler.h>
#include <cairn/errno.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sched/wait.h"
#include "syscall/syscall.h"

/* Kernel-internal: a blocking call was interrupted by a signal (the signal lane restarts it). */
#ifndef ERESTARTSYS
#define ERESTARTSYS 512
#endif

/* kernel/mm/uaccess.h (arch lane): the same declarations, repeated until it lands. */
int copy_from_user(void *dst, const void *usrc, size_t n);
int copy_to_user(void *udst, const void *src, size_t n);
int clear_user(void *udst, size_t n);
long strncpy_from_user(char *dst, const char *usrc, size_t size);
bool user_range_ok(uintptr_t addr, size_t n);

/* kernel/proc/signal.h (signal lane): a deliverable signal waits for the calling thread. */
bool signal_pending(void);

/* kernel/proc/proc.h (proc lane). */
struct process;
struct thread;
struct process *process_current(void);
struct thread *thread_current(void);
/* CPU time of the calling process in ns (weak default in sys_time.c: the calling thread's). */
uint64_t proc_cputime_ns(void);

/*
 * Block until @cond(@ctx) holds, @deadline_ns (monotonic, TIME_NEVER: none)
 * passes, or a signal is pending for the caller (or a kill for its task).
 * Returns 0, -ETIMEDOUT or -ERESTARTSYS. A signal wakes the sleeping task
 * (signal_send_*), and the condition checked after every wake includes
 * signal_pending(), so no wake-up is lost. Task context.
 */
int __must_check sys_wait(struct waitq *wq, bool (*cond)(void *ctx), void *ctx,
                          uint64_t deadline_ns);

/* Console descriptors: sys_fd.c and sys_tty.c. */
/* The descriptor in syscall argument @a if it is open, else -EBADF. */
long console_fd(uint64_t a);
struct tty;
/* The terminal fds 0, 1 and 2 stand for (the serial console unless a test set one). */
struct tty *console_tty(void);
/* Make @t the console of the descriptors (NULL: back to the default). For tests. */
void console_set_tty(struct tty *t);
