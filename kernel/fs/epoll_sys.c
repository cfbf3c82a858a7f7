// SPDX-License-Identifier: MIT
/*
 * The epoll system calls: epoll_create, epoll_create1, epoll_ctl,
 * epoll_wait, epoll_pwait and epoll_pwait2. Each checks and copies its
 * arguments, then calls the epoll core (epoll.c, epoll_internal.h).
 * Semantics and errnos: docs/pipes-poll.md.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/poll.h>

#include "fs/epoll_internal.h"
#include "fs/file.h"
#include "fs/poll_internal.h"
#include "mm/uaccess.h"
#include "syscall/syscall.h"
#include "time/time.h"

#define EP_MAX_EVENTS (0x7fffffff / (int)sizeof(struct epoll_event))

long sys_epoll_ctl(uint64_t epfd, uint64_t op_, uint64_t fd, uint64_t uev, uint64_t a4, uint64_t a5)
{
	struct epoll_event ev = { 0, 0 };
	int op = (int)op_;
	struct file *epf, *f;
	long err;

	if (op != EPOLL_CTL_DEL && copy_from_user(&ev, (const void *)uev, sizeof(ev)))
		return -EFAULT;
	epf = fd_get((int)epfd);
	if (!epf)
		return -EBADF;
	f = fd_get((int)fd);
	if (!f) {
		file_put(epf);
		return -EBADF;
	}
	err = ep_ctl_files(op, epf, f, (int)fd, &ev);
	file_put(f);
	file_put(epf);
	return err;
}

/* ---- epoll_create, epoll_wait ---- */

long sys_epoll_create1(uint64_t flags, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                       uint64_t a5)
{
	struct file *f;
	int fd;

	if ((int)flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	f = ep_file_alloc();
	if (IS_ERR_PTR(f))
		return PTR_ERR_VAL(f);
	fd = fd_install(fdtable_current(), f, 0, (int)flags & EPOLL_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_epoll_create(uint64_t size, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                      uint64_t a5)
{
	if ((int)size <= 0)
		return -EINVAL;
	return sys_epoll_create1(0, 0, 0, 0, 0, 0);
}

/* The checks and the wait shared by epoll_wait, epoll_pwait and epoll_pwait2. */
static long ep_wait_common(uint64_t epfd, uint64_t uev, int max, uint64_t deadline)
{
	struct file *f;
	long n;

	if (max <= 0 || max > EP_MAX_EVENTS)
		return -EINVAL;
	if (!user_range_ok(uev, (size_t)max * sizeof(struct epoll_event)))
		return -EFAULT;
	f = fd_get((int)epfd);
	if (!f)
		return -EBADF;
	n = file_is_epoll(f) ? ep_wait(f->priv, uev, max, deadline) : -EINVAL;
	file_put(f);
	return n;
}

static uint64_t ep_ms_deadline(int ms)
{
	if (ms < 0)
		return TIME_NEVER;
	return ms ? poll_deadline((uint64_t)ms * 1000000ull) : 0;
}

long sys_epoll_wait(uint64_t epfd, uint64_t uev, uint64_t max, uint64_t ms, uint64_t a4,
                    uint64_t a5)
{
	return ep_wait_common(epfd, uev, (int)max, ep_ms_deadline((int)ms));
}

long sys_epoll_pwait(uint64_t epfd, uint64_t uev, uint64_t max, uint64_t ms, uint64_t umask,
                     uint64_t size)
{
	long ret = poll_sigmask_set(umask, size);

	if (ret)
		return ret;
	ret = ep_wait_common(epfd, uev, (int)max, ep_ms_deadline((int)ms));
	poll_sigmask_restore(umask, ret);
	return ret;
}

long sys_epoll_pwait2(uint64_t epfd, uint64_t uev, uint64_t max, uint64_t uts, uint64_t umask,
                      uint64_t size)
{
	uint64_t deadline;
	long ret = poll_timespec_deadline(uts, &deadline);

	if (ret)
		return ret;
	ret = poll_sigmask_set(umask, size);
	if (ret)
		return ret;
	ret = ep_wait_common(epfd, uev, (int)max, deadline);
	poll_sigmask_restore(umask, ret);
	return ret;
}
