/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of readiness (kernel/fs/poll.c, select.c, epoll.c,
 * eventfd.c), suite "poll": poll's revents, POLLNVAL and timeouts, a
 * poller woken by a writer on another task, select's sets, EBADF and the
 * time it writes back, eventfd's counter and semaphore, and epoll's
 * level-triggered, edge-triggered and one-shot items, its errors, and an
 * item that goes with its file's last close. Through syscall_dispatch()
 * with arguments in a user region, as a program's calls arrive.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/poll.h>
#include <cairn/linux/syscall_nr.h>
#include <cairn/linux/time.h>

#include <lib/string.h>

#include "core/ktest.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "mm/uaccess.h"
#include "sched/task.h"
#include "sys_user.h"
#include "syscall/syscall.h"
#include "time/time.h"

#define U_FDS  UPTR(0)    /* int[2] / struct pollfd[] */
#define U_SETS UPTR(1024) /* three fd_sets of 128 bytes */
#define U_TIME UPTR(2048) /* a timeval / timespec */
#define U_EV   UPTR(3072) /* struct epoll_event[] */

static long sc(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	const uint64_t args[6] = { a0, a1, a2, a3, a4, 0 };

	return syscall_dispatch(nr, args);
}

static void put(uint64_t at, const void *v, size_t n)
{
	EXPECT_EQ(copy_to_user((void *)at, v, n), 0);
}

static void get(uint64_t at, void *v, size_t n)
{
	EXPECT_EQ(copy_from_user(v, (const void *)at, n), 0);
}

static void make_pipe(int fds[2], int flags)
{
	EXPECT_EQ(sc(__NR_pipe2, U_FDS, (uint64_t)flags, 0, 0, 0), 0);
	get(U_FDS, (void *)fds, 2 * sizeof(int));
}

static long fd_write(int fd, const void *buf, size_t n)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = kernel_write(f, buf, n, NULL);
	file_put(f);
	return r;
}

static long fd_read(int fd, void *buf, size_t n)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = kernel_read(f, buf, n, NULL);
	file_put(f);
	return r;
}

static void fd_drop(int fd)
{
	EXPECT_EQ(fd_close(fdtable_current(), fd), 0);
}

static long do_poll(struct pollfd *p, unsigned n, int ms)
{
	long r;

	put(U_FDS, p, n * sizeof(*p));
	r = sc(__NR_poll, U_FDS, n, (uint64_t)(int64_t)ms, 0, 0);
	get(U_FDS, p, n * sizeof(*p));
	return r;
}

TEST(poll, poll_revents_nval_timeout)
{
	struct uspace *s = sys_user_begin();
	struct pollfd p[4];
	int fds[2];
	uint64_t t0;

	make_pipe(fds, 0);
	p[0] = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	p[1] = (struct pollfd){ .fd = fds[1], .events = POLLOUT };
	p[2] = (struct pollfd){ .fd = 1000, .events = POLLIN };
	p[3] = (struct pollfd){ .fd = -1, .events = POLLIN, .revents = 7 };
	EXPECT_EQ(do_poll(p, 4, 0), 2);
	EXPECT_EQ(p[0].revents, 0);
	EXPECT_EQ(p[1].revents, POLLOUT);
	EXPECT_EQ(p[2].revents, POLLNVAL);
	EXPECT_EQ(p[3].revents, 0);
	t0 = clock_monotonic_ns();
	EXPECT_EQ(do_poll(p, 1, 30), 0);
	EXPECT_TRUE(clock_monotonic_ns() - t0 >= 30 * NSEC_PER_MSEC);
	/* The writer closed with no data: POLLHUP even though only POLLIN was asked. */
	fd_drop(fds[1]);
	EXPECT_EQ(do_poll(p, 1, -1), 1);
	EXPECT_EQ(p[0].revents, POLLHUP);
	fd_drop(fds[0]);
	EXPECT_EQ(sc(__NR_poll, U_FDS, 1u << 20, 0, 0, 0), -EINVAL);
	EXPECT_EQ(sc(__NR_poll, 0xffffffff80000000ull, 1, 0, 0, 0), -EFAULT);
	sys_user_end(s);
}

struct late_arg {
	int fd;
	uint64_t delay_ns;
	struct uspace *space;
};

static int late_writer(void *p)
{
	struct late_arg *l = p;
	uint64_t one = 1;

	task_sleep_ns(l->delay_ns);
	(void)!fd_write(l->fd, &one, sizeof(one));
	return 0;
}

TEST(poll, poller_woken_by_writer)
{
	struct uspace *s = sys_user_begin();
	struct late_arg l = { .delay_ns = 20 * NSEC_PER_MSEC };
	struct task_handle h;
	struct pollfd p[2];
	int fds[2];

	make_pipe(fds, 0);
	l.fd = fds[1];
	p[0] = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	p[1] = (struct pollfd){ .fd = fds[0], .events = POLLPRI };
	EXPECT_EQ(task_spawn(&h, "poll.late", late_writer, &l), 0);
	EXPECT_EQ(do_poll(p, 2, 5000), 1);
	EXPECT_EQ(p[0].revents, POLLIN);
	EXPECT_EQ(task_join(h, NULL), 0);
	fd_drop(fds[0]);
	fd_drop(fds[1]);
	sys_user_end(s);
}

TEST(poll, select_sets_and_time_left)
{
	struct uspace *s = sys_user_begin();
	uint64_t sets[3][2] = { { 0 } };
	struct timeval tv = { 0, 50000 };
	int fds[2];

	make_pipe(fds, 0);
	sets[0][0] = 1ull << fds[0];
	sets[1][0] = (1ull << fds[1]) | (1ull << fds[0]);
	put(U_SETS, sets, sizeof(sets));
	put(U_TIME, &tv, sizeof(tv));
	EXPECT_EQ(sc(__NR_select, 64, U_SETS, U_SETS + 16, U_SETS + 32, U_TIME), 1);
	get(U_SETS, sets, sizeof(sets));
	EXPECT_EQ(sets[0][0], 0u);
	EXPECT_EQ(sets[1][0], 1ull << fds[1]);
	EXPECT_EQ(sets[2][0], 0u);
	get(U_TIME, &tv, sizeof(tv));
	EXPECT_TRUE(tv.tv_sec == 0 && tv.tv_usec > 0 && tv.tv_usec <= 50000);
	/* Nothing readable: the whole timeout passes and 0 is left. */
	sets[0][0] = 1ull << fds[0];
	put(U_SETS, sets, 8);
	tv = (struct timeval){ 0, 20000 };
	put(U_TIME, &tv, sizeof(tv));
	EXPECT_EQ(sc(__NR_select, 64, U_SETS, 0, 0, U_TIME), 0);
	get(U_TIME, &tv, sizeof(tv));
	EXPECT_TRUE(tv.tv_sec == 0 && tv.tv_usec == 0);
	/* A descriptor that is not open: EBADF; negative nfds: EINVAL. */
	sets[0][0] = 1ull << 40;
	put(U_SETS, sets, 8);
	EXPECT_EQ(sc(__NR_select, 64, U_SETS, 0, 0, 0), -EBADF);
	EXPECT_EQ(sc(__NR_select, (uint64_t)-1, U_SETS, 0, 0, 0), -EINVAL);
	tv = (struct timeval){ 0, -1 };
	put(U_TIME, &tv, sizeof(tv));
	EXPECT_EQ(sc(__NR_select, 1, 0, 0, 0, U_TIME), -EINVAL);
	fd_drop(fds[0]);
	fd_drop(fds[1]);
	sys_user_end(s);
}

TEST(poll, eventfd_counter)
{
	struct uspace *s = sys_user_begin();
	uint64_t v = 0;
	int fd, sem;

	fd = (int)sc(__NR_eventfd2, 3, EFD_NONBLOCK, 0, 0, 0);
	EXPECT_TRUE(fd >= 0);
	EXPECT_EQ(fd_read(fd, &v, 4), -EINVAL);
	EXPECT_EQ(fd_read(fd, &v, 8), 8);
	EXPECT_EQ(v, 3u);
	EXPECT_EQ(fd_read(fd, &v, 8), -EAGAIN);
	v = UINT64_MAX;
	EXPECT_EQ(fd_write(fd, &v, 8), -EINVAL);
	v = 0xfffffffffffffffeull;
	EXPECT_EQ(fd_write(fd, &v, 8), 8);
	v = 1;
	EXPECT_EQ(fd_write(fd, &v, 8), -EAGAIN);
	sem = (int)sc(__NR_eventfd2, 2, EFD_NONBLOCK | EFD_SEMAPHORE, 0, 0, 0);
	EXPECT_EQ(fd_read(sem, &v, 8), 8);
	EXPECT_EQ(v, 1u);
	EXPECT_EQ(fd_read(sem, &v, 8), 8);
	EXPECT_EQ(fd_read(sem, &v, 8), -EAGAIN);
	EXPECT_EQ(sc(__NR_eventfd2, 0, 0x80, 0, 0, 0), -EINVAL);
	fd_drop(fd);
	fd_drop(sem);
	sys_user_end(s);
}

static long ep_ctl(int ep, int op, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data = data };

	put(U_EV, &ev, sizeof(ev));
	return sc(__NR_epoll_ctl, (uint64_t)ep, (uint64_t)op, (uint64_t)fd, U_EV, 0);
}

static long ep_wait(int ep, struct epoll_event *out, int max, int ms)
{
	long n = sc(__NR_epoll_wait, (uint64_t)ep, U_EV, (uint64_t)max, (uint64_t)(int64_t)ms, 0);

	if (n > 0)
		get(U_EV, out, (size_t)n * sizeof(*out));
	return n;
}

TEST(poll, epoll_level_edge_oneshot)
{
	struct uspace *s = sys_user_begin();
	struct epoll_event ev[4];
	int ep, p1[2], p2[2];
	char c;

	ep = (int)sc(__NR_epoll_create1, 0, 0, 0, 0, 0);
	EXPECT_TRUE(ep >= 0);
	make_pipe(p1, O_NONBLOCK);
	make_pipe(p2, O_NONBLOCK);
	EXPECT_EQ(ep_ctl(ep, EPOLL_CTL_ADD, p1[0], POLLIN, 11), 0);
	EXPECT_EQ(ep_ctl(ep, EPOLL_CTL_ADD, p2[0], POLLIN | EPOLLET, 22), 0);
	EXPECT_EQ(ep_ctl(ep, EPOLL_CTL_ADD, p1[0], POLLIN, 11), -EEXIST);
	EXPECT_EQ(ep_wait(ep, ev, 4, 0), 0);
	EXPECT_EQ(fd_write(p1[1], "ab", 2), 2);
	EXPECT_EQ(fd_write(p2[1], "cd", 2), 2);
	EXPECT_EQ(ep_wait(ep, ev, 4, 100), 2);
	/* Level-triggered stays ready; edge-triggered waits for the next write. */
	EXPECT_EQ(ep_wait(ep, ev, 4, 0), 1);
	EXPECT_EQ(ev[0].data, 11u);
	EXPECT_EQ(ev[0].events, POLLIN);
	EXPECT_EQ(fd_write(p2[1], "e", 1), 1);
	EXPECT_EQ(ep_wait(ep, ev, 1, 0), 1); /* maxevents 1: the rest waits its turn */
	EXPECT_EQ(ep_wait(ep, ev, 4, 0), 2);
	/* Drained: the level-triggered item leaves the list. */
	EXPECT_EQ(fd_read(p1[0], &c, 1), 1);
	EXPECT_EQ(fd_read(p1[0], &c, 1), 1);
	EXPECT_EQ(ep_wait(ep, ev, 4, 0), 0);
	/* One-shot: reported once, then silent until EPOLL_CTL_MOD. */
	EXPECT_EQ(ep_ctl(ep, EPOLL_CTL_MOD, p1[0], POLLIN | EPOLLONESHOT, 33), 0);
	EXPECT_EQ(fd_write(p1[1], "f", 1), 1);
	EXPECT_EQ(ep_wait(ep, ev, 4, 0), 1);
	EXPECT_EQ(ev[0].data, 33u);
	EXPECT_EQ(ep_wait(ep, ev, 4, 0), 0);
	EXPECT_EQ(ep_ctl(ep, EPOLL_CTL_MOD, p1[0], POLLIN, 44), 0);
	EXPECT_EQ(ep_wait(ep, ev, 4, 0), 1);
	EXPECT_EQ(ev[0].data, 44u);
	EXPECT_EQ(ep_ctl(ep, EPOLL_CTL_DEL, p1[0], 0, 0), 0);
	EXPECT_EQ(ep_ctl(ep, EPOLL_CTL_DEL, p1[0], 0, 0), -ENOENT);
	EXPECT_EQ(ep_wait(ep, ev, 4, 0), 0);
	fd_drop(p1[0]);
	fd_drop(p1[1]);
	/* The last close of a watched file takes its item away: the pipe's reader is gone. */
	fd_drop(p2[0]);
	EXPECT_EQ(fd_write(p2[1], "g", 1), -EPIPE);
	EXPECT_EQ(ep_wait(ep, ev, 4, 0), 0);
	fd_drop(p2[1]);
	fd_drop(ep);
	sys_user_end(s);
}

TEST(poll, epoll_errors_and_wakeup)
{
	struct uspace *s = sys_user_begin();
	struct late_arg l = { .delay_ns = 20 * NSEC_PER_MSEC };
	struct epoll_event ev[2];
	struct task_handle h;
	int ep, ep2, efd;

	ep = (int)sc(__NR_epoll_create1, 0, 0, 0, 0, 0);
	ep2 = (int)sc(__NR_epoll_create1, 0, 0, 0, 0, 0);
	efd = (int)sc(__NR_eventfd2, 0, 0, 0, 0, 0);
	EXPECT_EQ(sc(__NR_epoll_create, 0, 0, 0, 0, 0), -EINVAL);
	EXPECT_EQ(sc(__NR_epoll_create1, 1, 0, 0, 0, 0), -EINVAL);
	EXPECT_EQ(ep_ctl(ep, EPOLL_CTL_ADD, ep, POLLIN, 0), -EINVAL);
	EXPECT_EQ(ep_ctl(efd, EPOLL_CTL_ADD, ep, POLLIN, 0), -EINVAL);
	EXPECT_EQ(ep_ctl(ep, 99, efd, POLLIN, 0), -EINVAL);
	EXPECT_EQ(ep_ctl(ep, EPOLL_CTL_ADD, 1000, POLLIN, 0), -EBADF);
	EXPECT_EQ(ep_ctl(ep, EPOLL_CTL_MOD, efd, POLLIN, 0), -ENOENT);
	/* Nesting: ep2 inside ep is fine, ep inside ep2 would be a loop. */
	EXPECT_EQ(ep_ctl(ep, EPOLL_CTL_ADD, ep2, POLLIN, 0), 0);
	EXPECT_EQ(ep_ctl(ep2, EPOLL_CTL_ADD, ep, POLLIN, 0), -ELOOP);
	EXPECT_EQ(ep_ctl(ep2, EPOLL_CTL_ADD, efd, POLLIN, 5), 0);
	EXPECT_EQ(sc(__NR_epoll_wait, (uint64_t)ep, U_EV, 0, 0, 0), -EINVAL);
	EXPECT_EQ(sc(__NR_epoll_wait, (uint64_t)efd, U_EV, 1, 0, 0), -EINVAL);
	/* A write from another task wakes a wait on the outer epoll through the inner one. */
	l.fd = efd;
	EXPECT_EQ(task_spawn(&h, "epoll.late", late_writer, &l), 0);
	EXPECT_EQ(ep_wait(ep, ev, 2, 5000), 1);
	EXPECT_EQ(ev[0].events, POLLIN);
	EXPECT_EQ(task_join(h, NULL), 0);
	EXPECT_EQ(ep_wait(ep2, ev, 2, 0), 1);
	EXPECT_EQ(ev[0].data, 5u);
	EXPECT_EQ(ev[0].events, POLLIN);
	fd_drop(ep2); /* still watched by ep: the item goes with the last reference */
	fd_drop(efd);
	EXPECT_EQ(ep_wait(ep, ev, 2, 0), 0);
	fd_drop(ep);
	sys_user_end(s);
}

TEST(poll, epoll_nested_edge)
{
	struct uspace *s = sys_user_begin();
	struct epoll_event ev[2];
	int outer, inner, efd;
	uint64_t one = 1;

	outer = (int)sc(__NR_epoll_create1, 0, 0, 0, 0, 0);
	inner = (int)sc(__NR_epoll_create1, 0, 0, 0, 0, 0);
	efd = (int)sc(__NR_eventfd2, 0, 0, 0, 0, 0);
	EXPECT_EQ(ep_ctl(inner, EPOLL_CTL_ADD, efd, POLLIN, 1), 0);
	EXPECT_EQ(ep_ctl(outer, EPOLL_CTL_ADD, inner, POLLIN | EPOLLET, 2), 0);
	EXPECT_EQ(ep_wait(outer, ev, 2, 0), 0);
	EXPECT_EQ(fd_write(efd, &one, sizeof(one)), 8);
	EXPECT_EQ(ep_wait(outer, ev, 2, 0), 1);
	EXPECT_EQ(ev[0].data, 2u);
	/* The inner item stays ready (level), but the outer edge saw no new change. */
	EXPECT_EQ(ep_wait(outer, ev, 2, 0), 0);
	EXPECT_EQ(ep_wait(inner, ev, 2, 0), 1);
	EXPECT_EQ(ep_wait(outer, ev, 2, 0), 0);
	EXPECT_EQ(fd_write(efd, &one, sizeof(one)), 8);
	EXPECT_EQ(ep_wait(outer, ev, 2, 0), 1);
	fd_drop(efd);
	fd_drop(inner);
	fd_drop(outer);
	sys_user_end(s);
}
