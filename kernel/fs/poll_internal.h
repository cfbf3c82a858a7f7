/* SPDX-License-Identifier: MIT */
/*
 * The poll table of fs/poll.c, shared by poll/ppoll (poll.c), select and
 * pselect6 (select.c) and epoll (epoll.c). A table belongs to one
 * polling task; each poll_wait() puts one entry, a callback waiter, on a
 * file's wait queue, and the entry stays there until the call ends, so a
 * wake between two scans is never lost (the callback sets `triggered`).
 *
 * Locks: [O] only the polling task touches it; [a] atomic.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stdint.h>

#include "fs/poll.h"
#include "sched/wait.h"

struct file;
struct task;

/* How a table registers on a queue: poll's entries, or epoll's items. */
typedef void (*poll_queue_fn)(struct poll_table *pt, struct waitq *wq);

struct poll_entry {
	struct waiter w;       /* [I] a callback waiter on wq */
	struct waitq *wq;      /* [I] */
	struct poll_table *pt; /* [I] */
	struct file *file;     /* [I] holds a reference: the queue lives as long as it */
};

#define POLL_INLINE_ENTRIES 8 /* entries in the table itself, on the poller's stack */

struct poll_chunk;

struct poll_table {
	poll_queue_fn queue; /* [O] NULL: poll_wait() registers nothing */
	struct file *file;   /* [O] the file being polled (vfs_poll() sets it) */
	struct task *task;   /* [I] the poller */
	int triggered;       /* [a] a queue was woken since the last scan began */
	int error;           /* [O] -ENOMEM when an entry could not be made */
	unsigned n_inline;   /* [O] inline entries in use */
	struct poll_entry inline_e[POLL_INLINE_ENTRIES];
	struct poll_chunk *chunks; /* [O] more entries, on the heap */
};

/* A table of the calling task that registers (@wait) or only asks (!@wait). */
void poll_table_init(struct poll_table *pt, bool wait);
/* Take every entry off its queue and drop its file reference. */
void poll_table_free(struct poll_table *pt);

/*
 * Call @scan(@ctx, pt) until it returns non-zero (ready count, or -errno),
 * registering on the first pass only; sleep between passes until a
 * registered queue is woken, @deadline_ns (monotonic; 0: do not wait,
 * TIME_NEVER: none) passes, or a signal comes. Returns @scan's result, 0
 * at the deadline, -ERESTARTNOHAND for a signal, or -ENOMEM. Task context.
 */
long poll_run(long (*scan)(void *ctx, struct poll_table *pt), void *ctx, uint64_t deadline_ns);

/* A relative timeout of @ns from now as a deadline (saturating). */
uint64_t poll_deadline(uint64_t ns);
/* The time left until @deadline_ns (0 once passed). */
uint64_t poll_time_left(uint64_t deadline_ns);

/* A user timespec (@uts, 0: none) as a deadline: 0, -EFAULT or -EINVAL. */
int __must_check poll_timespec_deadline(uint64_t uts, uint64_t *deadline);
/* Write the time left until @deadline back to user timespec @uts (ppoll and pselect6 do). */
void poll_timespec_update(uint64_t uts, uint64_t deadline);

/*
 * For ppoll/pselect6/epoll_pwait: set the calling thread's mask to the
 * user sigset at @umask (@size must be 8) for the call, remembering the
 * old one. 0, -EINVAL or -EFAULT. @umask 0: no change.
 */
int __must_check poll_sigmask_set(uint64_t umask, uint64_t size);
/*
 * After the call: restore the mask now, or, when it ends with -EINTR /
 * -ERESTARTNOHAND, after the handler runs (as sigsuspend does). @umask as
 * given to poll_sigmask_set().
 */
void poll_sigmask_restore(uint64_t umask, long ret);
