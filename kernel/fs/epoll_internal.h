/* SPDX-License-Identifier: MIT */
/*
 * What the epoll system calls (epoll_sys.c) need of the epoll core
 * (epoll.c): making an epoll file, epoll_ctl's work on two files, and the
 * wait. Locks and semantics are in epoll.c's header comment.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stdint.h>

struct epoll_event;
struct eventpoll;
struct file;

/* A new epoll file (priv: its struct eventpoll), or an error pointer (-ENOMEM). */
struct file *ep_file_alloc(void);
bool file_is_epoll(const struct file *f);

/*
 * EPOLL_CTL_ADD/MOD/DEL of @f (descriptor @fd) on epoll file @epf with
 * event @ev (ignored for DEL). Returns 0, -EPERM (@f cannot be polled),
 * -EINVAL, -EEXIST, -ENOENT, -ELOOP or -ENOMEM. Task context.
 */
int __must_check ep_ctl_files(int op, struct file *epf, struct file *f, int fd,
                              const struct epoll_event *ev);

/*
 * Report up to @max ready items of @ep into user array @uev, waiting until
 * @deadline_ns (0: not at all, TIME_NEVER: no limit). Returns the count, 0
 * at the deadline, -EINTR for a signal, or -EFAULT. Task context.
 */
long ep_wait(struct eventpoll *ep, uint64_t uev, int max, uint64_t deadline_ns);
