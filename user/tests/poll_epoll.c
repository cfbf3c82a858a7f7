// SPDX-License-Identifier: MIT
/*
 * epoll and eventfd as Linux has them (issue 12): level-triggered items
 * stay ready, EPOLLET ones fire once per change, EPOLLONESHOT ones until
 * EPOLL_CTL_MOD; maxevents, EEXIST/ENOENT/EPERM/EINVAL/ELOOP, an item that
 * goes with its file's last close (not with one of its descriptors), a
 * wait woken by another process, epoll_pwait's mask; eventfd's counter,
 * EFD_SEMAPHORE, EFD_NONBLOCK, overflow and the 8-byte rule.
 */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>

#include "utest.h"

static int ctl(int ep, int op, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(ep, op, fd, &ev);
}

static void triggers(void)
{
	struct epoll_event ev[4];
	int ep = epoll_create1(EPOLL_CLOEXEC), a[2], b[2];
	char c;

	tap_ok(ep >= 0 && fcntl(ep, F_GETFD) == FD_CLOEXEC, "epoll_create1(EPOLL_CLOEXEC)");
	tap_ok(pipe2(a, O_NONBLOCK) == 0 && pipe2(b, O_NONBLOCK) == 0, "two pipes");
	tap_ok(ctl(ep, EPOLL_CTL_ADD, a[0], EPOLLIN, 1) == 0, "add a level-triggered reader");
	tap_ok(ctl(ep, EPOLL_CTL_ADD, b[0], EPOLLIN | EPOLLET, 2) == 0,
	       "add an edge-triggered one");
	tap_errno(ctl(ep, EPOLL_CTL_ADD, a[0], EPOLLIN, 1), EEXIST, "adding it twice");
	tap_ok(epoll_wait(ep, ev, 4, 0) == 0, "nothing ready");
	tap_ok(write(a[1], "ab", 2) == 2 && write(b[1], "cd", 2) == 2, "both written");
	tap_ok(epoll_wait(ep, ev, 4, 100) == 2, "both ready");
	tap_ok(epoll_wait(ep, ev, 4, 0) == 1 && ev[0].data.u64 == 1 && ev[0].events == EPOLLIN,
	       "again: only the level-triggered one");
	tap_ok(write(b[1], "e", 1) == 1, "a new write to the edge-triggered pipe");
	tap_ok(epoll_wait(ep, ev, 1, 0) == 1, "maxevents 1 gives one");
	tap_ok(epoll_wait(ep, ev, 4, 0) == 2, "then both");
	tap_ok(read(a[0], &c, 1) == 1 && read(a[0], &c, 1) == 1, "drain the first");
	tap_ok(epoll_wait(ep, ev, 4, 0) == 0, "drained: nothing");
	tap_ok(ctl(ep, EPOLL_CTL_MOD, a[0], EPOLLIN | EPOLLONESHOT, 3) == 0, "one-shot");
	tap_ok(write(a[1], "f", 1) == 1 && epoll_wait(ep, ev, 4, 0) == 1 && ev[0].data.u64 == 3,
	       "reported once");
	tap_ok(epoll_wait(ep, ev, 4, 0) == 0, "then disarmed");
	tap_ok(ctl(ep, EPOLL_CTL_MOD, a[0], EPOLLIN, 4) == 0 && epoll_wait(ep, ev, 4, 0) == 1 &&
	               ev[0].data.u64 == 4,
	       "EPOLL_CTL_MOD arms it again");
	tap_ok(ctl(ep, EPOLL_CTL_DEL, a[0], 0, 0) == 0, "delete");
	tap_errno(ctl(ep, EPOLL_CTL_DEL, a[0], 0, 0), ENOENT, "delete again");
	tap_errno(ctl(ep, EPOLL_CTL_MOD, a[0], EPOLLIN, 0), ENOENT, "modify a deleted one");
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	close(ep);
}

/* The Linux baseline's initramfs has no /tmp: make it as Cairn's boot does (mode 1777). */
static void ensure_tmp(void)
{
	if (mkdir("/tmp", 01777) == 0)
		chmod("/tmp", 01777);
}

static void lifetimes_and_errors(void)
{
	struct epoll_event ev[2];
	int ep = epoll_create(1), ep2 = epoll_create1(0), p[2], dup_fd, file;
	char path[64];

	tap_ok(ep >= 0 && ep2 >= 0 && pipe(p) == 0, "two epolls and a pipe");
	tap_errno(syscall(SYS_epoll_create, 0), EINVAL, "epoll_create(0)");
	tap_errno(epoll_create1(1), EINVAL, "epoll_create1 with a bad flag");
	tap_errno(ctl(ep, EPOLL_CTL_ADD, ep, EPOLLIN, 0), EINVAL, "an epoll watching itself");
	tap_errno(ctl(p[0], EPOLL_CTL_ADD, ep, EPOLLIN, 0), EINVAL, "epfd not an epoll");
	tap_errno(ctl(ep, 99, p[0], EPOLLIN, 0), EINVAL, "an unknown op");
	tap_errno(ctl(ep, EPOLL_CTL_ADD, 999, EPOLLIN, 0), EBADF, "a bad fd");
	tap_errno(epoll_wait(ep, ev, 0, 0), EINVAL, "maxevents 0");
	tap_errno(epoll_wait(p[0], ev, 1, 0), EINVAL, "epoll_wait on a pipe");
	ensure_tmp();
	snprintf(path, sizeof(path), "/tmp/poll_epoll.%d", (int)getpid());
	file = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	tap_errno(ctl(ep, EPOLL_CTL_ADD, file, EPOLLIN, 0), EPERM, "a regular file");
	close(file);
	unlink(path);
	tap_ok(ctl(ep, EPOLL_CTL_ADD, ep2, EPOLLIN, 0) == 0, "an epoll inside an epoll");
	tap_errno(ctl(ep2, EPOLL_CTL_ADD, ep, EPOLLIN, 0), ELOOP, "and back: a loop");
	/* An item goes with the open file description, not with one descriptor. */
	dup_fd = dup(p[0]);
	tap_ok(ctl(ep2, EPOLL_CTL_ADD, p[0], EPOLLIN, 7) == 0, "watch the pipe's reader");
	close(p[0]);
	tap_ok(write(p[1], "x", 1) == 1, "its fd closed, a dup still open: write");
	tap_ok(epoll_wait(ep2, ev, 2, 0) == 1 && ev[0].data.u64 == 7, "the item still reports");
	tap_ok(epoll_wait(ep, ev, 2, 0) == 1 && ev[0].events == EPOLLIN, "so does the outer epoll");
	close(dup_fd);
	signal(SIGPIPE, SIG_IGN);
	tap_errno(write(p[1], "x", 1), EPIPE, "last close: no reader left (epoll held none)");
	signal(SIGPIPE, SIG_DFL);
	tap_ok(epoll_wait(ep2, ev, 2, 0) == 0, "and its item is gone");
	close(p[1]);
	close(ep2);
	close(ep);
}

static void woken(void)
{
	struct epoll_event ev;
	int ep = epoll_create1(0), efd = eventfd(0, 0);
	pid_t pid;

	tap_ok(ctl(ep, EPOLL_CTL_ADD, efd, EPOLLIN, 9) == 0, "watch an eventfd");
	pid = fork();
	if (pid == 0) {
		uint64_t one = 1;

		ut_sleep_ms(50);
		_exit(write(efd, &one, 8) == 8 ? 0 : 1);
	}
	tap_ok(epoll_wait(ep, &ev, 1, 10000) == 1 && ev.data.u64 == 9 && ev.events == EPOLLIN,
	       "a write in another process wakes epoll_wait");
	tap_ok(ut_wait(pid) == 0, "the writer exits 0");
	close(efd);
	close(ep);
}

static void nested_edge(void)
{
	int outer = epoll_create1(0), inner = epoll_create1(0), efd = eventfd(0, 0);
	struct epoll_event ev[2];
	uint64_t one = 1;

	tap_ok(ctl(inner, EPOLL_CTL_ADD, efd, EPOLLIN, 1) == 0 &&
	               ctl(outer, EPOLL_CTL_ADD, inner, EPOLLIN | EPOLLET, 2) == 0,
	       "an edge-triggered epoll watching a level-triggered one");
	tap_ok(write(efd, &one, 8) == 8 && epoll_wait(outer, ev, 2, 0) == 1 && ev[0].data.u64 == 2,
	       "a write: the outer edge fires");
	tap_ok(epoll_wait(outer, ev, 2, 0) == 0, "once");
	tap_ok(epoll_wait(inner, ev, 2, 0) == 1 && epoll_wait(outer, ev, 2, 0) == 0,
	       "the inner stays ready, the outer edge stays quiet");
	tap_ok(write(efd, &one, 8) == 8 && epoll_wait(outer, ev, 2, 0) == 1,
	       "the next write fires it again");
	close(efd);
	close(inner);
	close(outer);
}

static volatile int got_usr1;

static void on_usr1(int sig)
{
	got_usr1++;
}

static void pwait_mask(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	int ep = epoll_create1(0);
	struct epoll_event ev;
	sigset_t block, empty;

	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &block, NULL);
	kill(getpid(), SIGUSR1);
	tap_ok(got_usr1 == 0 && epoll_pwait(ep, &ev, 1, 0, &block) == 0, "blocked: no EINTR");
	tap_errno(epoll_pwait(ep, &ev, 1, -1, &empty), EINTR, "epoll_pwait unblocks it");
	tap_ok(got_usr1 == 1, "its handler ran");
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	signal(SIGUSR1, SIG_DFL);
	close(ep);
}

static void eventfds(void)
{
	int fd = eventfd(3, EFD_NONBLOCK), sem = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
	uint64_t v = 0;

	tap_ok(fd >= 0 && sem >= 0, "eventfd");
	tap_errno(read(fd, &v, 4), EINVAL, "a 4-byte read");
	tap_ok(read(fd, &v, 8) == 8 && v == 3, "read takes the count");
	tap_errno(read(fd, &v, 8), EAGAIN, "then it is 0");
	v = UINT64_MAX;
	tap_errno(write(fd, &v, 8), EINVAL, "writing 2^64-1");
	v = 0xfffffffffffffffeull;
	tap_ok(write(fd, &v, 8) == 8, "the largest count");
	v = 1;
	tap_errno(write(fd, &v, 8), EAGAIN, "one more would overflow");
	tap_ok(read(sem, &v, 8) == 8 && v == 1 && read(sem, &v, 8) == 8 && v == 1,
	       "EFD_SEMAPHORE reads one at a time");
	tap_errno(read(sem, &v, 8), EAGAIN, "until 0");
	tap_errno(syscall(SYS_eventfd2, 0, 0x80), EINVAL, "eventfd2 with a bad flag");
	close(fd);
	close(sem);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	triggers();
	lifetimes_and_errors();
	woken();
	nested_edge();
	pwait_mask();
	eventfds();
	tap_plan(tap_count);
	return tap_done(tap_count);
}
