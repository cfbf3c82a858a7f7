/* SPDX-License-Identifier: MIT */
/*
 * Readiness: how poll, select, epoll and blocking reads learn that a file
 * changed. A file's poll operation returns the POLL* events true now and
 * calls poll_wait() on every wait queue whose wake-up may change them; a
 * poller registers there, tests every file, and sleeps until one of those
 * queues is woken or its deadline passes. A file wakes its queues with
 * waitq_wake_all() (or poll_wake(), which also says what changed) whenever
 * it becomes readable, writable, or hung up.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct file;
struct waitq;
struct poll_table;

/* Linux's poll bits (include/uapi, generic poll bits); epoll's EPOLLIN etc. are the same values. */
#define POLLIN     0x0001u
#define POLLPRI    0x0002u
#define POLLOUT    0x0004u
#define POLLERR    0x0008u
#define POLLHUP    0x0010u
#define POLLNVAL   0x0020u
#define POLLRDNORM 0x0040u
#define POLLRDBAND 0x0080u
#define POLLWRNORM 0x0100u
#define POLLWRBAND 0x0200u
#define POLLMSG    0x0400u
#define POLLRDHUP  0x2000u

/*
 * Register the polling task on @wq (no-op when @pt is NULL: a plain
 * "what is ready" query). Called from a file's poll operation.
 */
void poll_wait(struct poll_table *pt, struct waitq *wq);

/*
 * The events of @f now, registering on its queues through @pt (NULL: no
 * registration). A file without a poll op is readable and writable.
 */
unsigned vfs_poll(struct file *f, struct poll_table *pt);

/*
 * Wake every waiter of @wq (tasks, pollers, epoll items), telling epoll
 * which events changed (@events, POLL* bits; 0: unknown, every item
 * looks). Any context.
 */
void poll_wake(struct waitq *wq, unsigned events);
