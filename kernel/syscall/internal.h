/* SPDX-License-Identifier: MIT */
/*
 * What the files of kernel/syscall share: the helpers for calls that
 * block until something happens or a signal comes, for copies that stop
 * at page boundaries.
 */
#pragma once

#include <cairn/compiler.h>
#include <cairn/errno.h>

#include <arch/page.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/uaccess.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include "sched/wait.h"
#include "syscall/syscall.h"

/* Kernel-internal: a blocking call was interrupted by a signal (the signal lane restarts it). */
#ifndef ERESTARTSYS
#define ERESTARTSYS 512
#endif

/* CPU time of the calling process in ns, all its threads (sys_time.c). */
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

/*
 * How many of @n bytes at user address @uaddr to copy in one piece of at
 * most @chunk bytes: never across a page boundary, so that when a copy
 * faults, the bytes before it are exactly the ones that were copied.
 */
static inline size_t user_piece(uint64_t uaddr, size_t n, size_t chunk)
{
	size_t to_page = PAGE_SIZE - (uaddr & (PAGE_SIZE - 1));

	if (n > chunk)
		n = chunk;
	return n < to_page ? n : to_page;
}
