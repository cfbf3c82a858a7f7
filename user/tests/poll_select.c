// SPDX-License-Identifier: MIT
/*
 * poll, ppoll, select and pselect6 as Linux has them (issue 12): revents
 * on pipes (POLLHUP when the writer closed, with POLLIN only while data
 * is left; POLLERR on a writer without reader), POLLNVAL, a poller woken
 * by another process, timeouts that pass, select's result sets, EBADF and
 * the time it writes back, and the signal masks of ppoll and pselect6: a
 * signal blocked outside the call ends it with EINTR after its handler.
 */
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/select.h>

#include "utest.h"

static long ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

static void poll_pipes(void)
{
	struct pollfd p[4];
	struct timespec t0;
	int fds[2];

	tap_ok(pipe(fds) == 0, "pipe");
	p[0] = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	p[1] = (struct pollfd){ .fd = fds[1], .events = POLLOUT };
	p[2] = (struct pollfd){ .fd = 999, .events = POLLIN };
	p[3] = (struct pollfd){ .fd = -1, .events = POLLIN, .revents = 7 };
	tap_ok(poll(p, 4, 0) == 2, "empty pipe: the writer and the bad fd count");
	tap_ok(p[0].revents == 0 && p[1].revents == POLLOUT, "POLLOUT on the writer only");
	tap_ok(p[2].revents == POLLNVAL && p[3].revents == 0, "POLLNVAL; a negative fd is skipped");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	tap_ok(poll(p, 1, 50) == 0 && ms_since(&t0) >= 50, "a 50 ms timeout passes");
	tap_ok(write(fds[1], "x", 1) == 1, "one byte written");
	tap_ok(poll(p, 1, -1) == 1 && p[0].revents == POLLIN, "POLLIN");
	close(fds[1]);
	tap_ok(poll(p, 1, -1) == 1 && p[0].revents == (POLLIN | POLLHUP),
	       "writer closed, data left: POLLIN | POLLHUP");
	tap_ok(read(fds[0], (char[1]){ 0 }, 1) == 1, "drained");
	tap_ok(poll(p, 1, -1) == 1 && p[0].revents == POLLHUP, "writer closed, empty: POLLHUP");
	close(fds[0]);
	tap_ok(pipe(fds) == 0, "pipe");
	close(fds[0]);
	p[0] = (struct pollfd){ .fd = fds[1], .events = POLLOUT };
	tap_ok(poll(p, 1, 0) == 1 && p[0].revents == (POLLOUT | POLLERR),
	       "reader closed: POLLOUT | POLLERR on the writer");
	close(fds[1]);
	tap_errno(syscall(SYS_poll, NULL, 1u << 30, 0), EINVAL, "nfds over RLIMIT_NOFILE");
}

static void poll_woken(void)
{
	struct pollfd p;
	int fds[2];
	pid_t pid;

	tap_ok(pipe(fds) == 0, "pipe");
	pid = fork();
	if (pid == 0) {
		ut_sleep_ms(50);
		_exit(write(fds[1], "y", 1) == 1 ? 0 : 1);
	}
	p = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	tap_ok(poll(&p, 1, 10000) == 1 && p.revents == POLLIN,
	       "a writer in another process wakes it");
	tap_ok(ut_wait(pid) == 0, "the writer exits 0");
	close(fds[0]);
	close(fds[1]);
}

static void selects(void)
{
	struct timeval tv = { 0, 50000 };
	fd_set rd, wr, ex;
	struct timespec t0;
	int fds[2];

	tap_ok(pipe(fds) == 0, "pipe");
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_ZERO(&ex);
	FD_SET(fds[0], &rd);
	FD_SET(fds[0], &wr);
	FD_SET(fds[1], &wr);
	FD_SET(fds[0], &ex);
	/* The raw call: musl's select() passes a copy of the timeout, glibc's the caller's. */
	tap_ok(syscall(SYS_select, fds[1] + 1, &rd, &wr, &ex, &tv) == 1, "select: one ready");
	tap_ok(!FD_ISSET(fds[0], &rd) && FD_ISSET(fds[1], &wr) && !FD_ISSET(fds[0], &wr) &&
	               !FD_ISSET(fds[0], &ex),
	       "only the writer in the write set");
	tap_ok(tv.tv_sec == 0 && tv.tv_usec > 0 && tv.tv_usec <= 50000, "the time left comes back");
	FD_ZERO(&rd);
	FD_SET(fds[0], &rd);
	tv = (struct timeval){ 0, 50000 };
	clock_gettime(CLOCK_MONOTONIC, &t0);
	tap_ok(syscall(SYS_select, fds[0] + 1, &rd, NULL, NULL, &tv) == 0 && ms_since(&t0) >= 50,
	       "nothing readable: the timeout passes");
	tap_ok(tv.tv_sec == 0 && tv.tv_usec == 0 && !FD_ISSET(fds[0], &rd), "0 left, empty set");
	close(fds[1]);
	FD_SET(fds[0], &rd);
	tap_ok(select(fds[0] + 1, &rd, NULL, NULL, NULL) == 1 && FD_ISSET(fds[0], &rd),
	       "writer closed: readable (EOF)");
	close(fds[0]);
	FD_ZERO(&rd);
	FD_SET(fds[0], &rd);
	tap_errno(select(fds[0] + 1, &rd, NULL, NULL, NULL), EBADF, "a closed fd in a set");
	tap_errno(select(-1, NULL, NULL, NULL, NULL), EINVAL, "negative nfds");
	tv = (struct timeval){ 0, -1 };
	tap_errno(select(0, NULL, NULL, NULL, &tv), EINVAL, "negative timeout");
}

static volatile int got_usr1;

static void on_usr1(int sig)
{
	got_usr1++;
}

static pid_t signal_later(long ms)
{
	pid_t pid = fork();

	if (pid == 0) {
		ut_sleep_ms(ms);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	return pid;
}

static void masks(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t block, empty, now;
	struct pollfd p;
	int fds[2];
	pid_t pid;

	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &block, NULL);
	tap_ok(pipe(fds) == 0, "pipe");
	p = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	pid = signal_later(50);
	got_usr1 = 0;
	tap_errno(ppoll(&p, 1, NULL, &empty), EINTR, "ppoll unblocks SIGUSR1 for the wait");
	tap_ok(got_usr1 == 1, "its handler ran");
	sigprocmask(SIG_BLOCK, NULL, &now);
	tap_ok(sigismember(&now, SIGUSR1), "the mask is back after the call");
	ut_wait(pid);
	pid = signal_later(50);
	ut_wait(pid);
	got_usr1 = 0;
	tap_ok(ppoll(&p, 1, &(struct timespec){ 0, 0 }, &block) == 0 && got_usr1 == 0,
	       "pending but blocked by ppoll's mask: no EINTR");
	{
		fd_set rd;

		FD_ZERO(&rd);
		FD_SET(fds[0], &rd);
		tap_errno(pselect(fds[0] + 1, &rd, NULL, NULL, NULL, &empty), EINTR,
		          "pselect with the pending signal unblocked: EINTR");
		tap_ok(got_usr1 == 1, "after its handler");
	}
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	signal(SIGUSR1, SIG_DFL);
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	poll_pipes();
	poll_woken();
	selects();
	masks();
	tap_plan(tap_count);
	return tap_done(tap_count);
}
