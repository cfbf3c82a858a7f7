// SPDX-License-Identifier: MIT
/*
 * Pipes as Linux has them (issue 12): bytes in order, EOF once every
 * writer closed, EAGAIN with O_NONBLOCK, how many writes fit (16 pages,
 * small writes merged while they fit whole), F_GETPIPE_SZ/F_SETPIPE_SZ,
 * FIONREAD, O_DIRECT packets, pipe2's flags, SIGPIPE and EPIPE, a read
 * interrupted by a handler, PIPE_BUF atomicity with two writing processes,
 * and FIFOs: opens that wait for the other side, ENXIO, O_RDWR.
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "utest.h"

static char big[65536];

/* Fill a non-blocking pipe with writes of @chunk bytes; the bytes it took. */
static long fill(int fd, size_t chunk)
{
	long total = 0;
	ssize_t n;

	while ((n = write(fd, big, chunk)) > 0)
		total += n;
	return n < 0 && errno == EAGAIN ? total : -1;
}

static void basics(void)
{
	int p[2];
	char buf[16];
	struct stat st;

	tap_ok(pipe(p) == 0, "pipe");
	tap_ok(fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode), "fstat of a pipe: S_IFIFO");
	tap_ok(write(p[1], "hello", 5) == 5 && write(p[1], " world", 6) == 6, "two writes");
	tap_ok(read(p[0], buf, 3) == 3 && memcmp(buf, "hel", 3) == 0, "a short read takes 3");
	tap_ok(read(p[0], buf, sizeof(buf)) == 8 && memcmp(buf, "lo world", 8) == 0,
	       "a read takes what is there across both writes");
	tap_errno(lseek(p[0], 0, SEEK_SET), ESPIPE, "lseek on a pipe");
	tap_errno(pread(p[0], buf, 1, 0), ESPIPE, "pread on a pipe");
	tap_errno(write(p[0], "x", 1), EBADF, "write to the read end");
	close(p[1]);
	tap_ok(read(p[0], buf, sizeof(buf)) == 0, "EOF once the writer closed");
	close(p[0]);
}

static void nonblock_and_sizes(void)
{
	int p[2], n = -1;

	tap_ok(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0, "pipe2(O_NONBLOCK | O_CLOEXEC)");
	tap_ok(fcntl(p[0], F_GETFD) == FD_CLOEXEC && (fcntl(p[1], F_GETFL) & O_NONBLOCK),
	       "both flags are set");
	tap_errno(read(p[0], big, 1), EAGAIN, "read of an empty non-blocking pipe");
	tap_ok(fcntl(p[1], F_GETPIPE_SZ) == 65536, "F_GETPIPE_SZ: 65536");
	tap_ok(fill(p[1], 1) == 65536, "65536 one-byte writes fit");
	tap_ok(ioctl(p[0], FIONREAD, &n) == 0 && n == 65536, "FIONREAD: %d", n);
	tap_errno(fcntl(p[0], F_SETPIPE_SZ, 4096), EBUSY, "F_SETPIPE_SZ below the contents");
	close(p[0]);
	close(p[1]);
	tap_ok(pipe2(p, O_NONBLOCK) == 0, "pipe2(O_NONBLOCK)");
	tap_ok(fill(p[1], 1000) == 64000, "1000-byte writes: 4 a page, 64000 in all");
	close(p[0]);
	close(p[1]);
	tap_ok(pipe2(p, O_NONBLOCK) == 0 && fill(p[1], 65536) == 65536,
	       "one 64 KiB non-blocking write fills it");
	tap_ok(fcntl(p[0], F_SETPIPE_SZ, 0) == -1 && errno == EBUSY, "and cannot shrink");
	close(p[0]);
	close(p[1]);
	tap_ok(pipe2(p, O_NONBLOCK) == 0, "pipe2 again");
	tap_ok(fcntl(p[0], F_SETPIPE_SZ, 0) == 4096, "F_SETPIPE_SZ 0: one page");
	tap_ok(fcntl(p[1], F_SETPIPE_SZ, 5000) == 8192, "F_SETPIPE_SZ 5000: 8192");
	tap_ok(fill(p[1], 4096) == 8192, "which holds 8192");
	tap_errno(pipe2(p, O_TRUNC), EINVAL, "pipe2 with a flag it does not take");
	close(p[0]);
	close(p[1]);
}

static void packets(void)
{
	int p[2];
	char buf[64];

	tap_ok(pipe2(p, O_DIRECT | O_NONBLOCK) == 0, "pipe2(O_DIRECT)");
	tap_ok(write(p[1], "0123456789", 10) == 10 && write(p[1], "abc", 3) == 3,
	       "two packets written");
	tap_ok(read(p[0], buf, sizeof(buf)) == 10, "a read returns one packet");
	tap_ok(read(p[0], buf, 2) == 2 && memcmp(buf, "ab", 2) == 0, "a short read cuts one");
	tap_errno(read(p[0], buf, sizeof(buf)), EAGAIN, "and the rest of it is gone");
	close(p[0]);
	close(p[1]);
}

static int write_to_closed(void *arg)
{
	int p[2];

	if (pipe(p))
		return 2;
	close(p[0]);
	(void)!write(p[1], "x", 1);
	return 3; /* not reached: SIGPIPE kills */
}

static volatile int pipe_code, pipe_pid;

static void on_sigpipe(int sig, siginfo_t *si, void *uc)
{
	pipe_code = si->si_code;
	pipe_pid = si->si_pid;
}

static void sigpipe(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigpipe, .sa_flags = SA_SIGINFO };
	int p[2], r;

	r = ut_in_child(write_to_closed, NULL);
	tap_ok(WIFSIGNALED(r) && WTERMSIG(r) == SIGPIPE, "no reader: SIGPIPE kills (%s)",
	       ut_status(r));
	signal(SIGPIPE, SIG_IGN);
	tap_ok(pipe(p) == 0, "pipe");
	close(p[0]);
	tap_errno(write(p[1], "x", 1), EPIPE, "SIGPIPE ignored: EPIPE");
	sigaction(SIGPIPE, &sa, NULL);
	tap_errno(write(p[1], "x", 1), EPIPE, "SIGPIPE handled: EPIPE");
	tap_ok(pipe_code == SI_USER && pipe_pid == getpid(),
	       "its siginfo: SI_USER from the writer");
	close(p[1]);
	signal(SIGPIPE, SIG_DFL);
}

static void on_usr1(int sig)
{
}

/* A child that sends SIGUSR1 to its parent after @ms milliseconds. */
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

static void interrupted_read(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	int p[2];
	pid_t pid;
	char c;

	sigaction(SIGUSR1, &sa, NULL);
	tap_ok(pipe(p) == 0, "pipe");
	pid = signal_later(50);
	tap_errno(read(p[0], &c, 1), EINTR, "a handler without SA_RESTART ends a blocked read");
	ut_wait(pid);
	close(p[0]);
	close(p[1]);
	signal(SIGUSR1, SIG_DFL);
}

#define RECS 200

/* Write RECS records of PIPE_BUF bytes, each all @arg's letter. */
static int writer(void *arg)
{
	static char rec[PIPE_BUF];
	int fd = ((int *)arg)[0];

	memset(rec, ((int *)arg)[1], sizeof(rec));
	for (int i = 0; i < RECS; i++)
		if (write(fd, rec, sizeof(rec)) != (ssize_t)sizeof(rec))
			return 1;
	return 0;
}

static void atomic_writes(void)
{
	static char rec[PIPE_BUF];
	int p[2], a[2], b[2], bad = 0, recs = 0;
	pid_t pa, pb;

	tap_ok(pipe(p) == 0, "pipe");
	a[0] = b[0] = p[1];
	a[1] = 'a';
	b[1] = 'b';
	pa = fork();
	if (pa == 0)
		_exit(writer(a));
	pb = fork();
	if (pb == 0)
		_exit(writer(b));
	close(p[1]);
	for (;;) {
		size_t have = 0;
		ssize_t n = 1;

		while (have < sizeof(rec) && (n = read(p[0], rec + have, sizeof(rec) - have)) > 0)
			have += (size_t)n;
		if (have == 0)
			break;
		recs++;
		for (size_t i = 1; i < sizeof(rec); i++)
			bad += rec[i] != rec[0];
		if (n <= 0)
			break;
	}
	tap_ok(recs == 2 * RECS && bad == 0, "two writers of PIPE_BUF records never interleave");
	tap_ok(ut_wait(pa) == 0 && ut_wait(pb) == 0, "both writers wrote every record");
	close(p[0]);
}

static int fifo_writer(void *arg)
{
	int fd;

	ut_sleep_ms(50);
	fd = open(arg, O_WRONLY);
	if (fd < 0)
		return 1;
	return write(fd, "fifo", 4) == 4 ? 0 : 2;
}

/* The Linux baseline's initramfs has no /tmp: make it as Cairn's boot does (mode 1777). */
static void ensure_tmp(void)
{
	if (mkdir("/tmp", 01777) == 0)
		chmod("/tmp", 01777);
}

static void fifos(void)
{
	char path[64], buf[8];
	struct pollfd p;
	int fd, w, r;
	pid_t pid;

	ensure_tmp();
	snprintf(path, sizeof(path), "/tmp/pipe_semantics.%d", (int)getpid());
	unlink(path);
	tap_ok(mkfifo(path, 0600) == 0, "mkfifo");
	tap_errno(open(path, O_WRONLY | O_NONBLOCK), ENXIO, "O_NONBLOCK write open, no reader");
	fd = open(path, O_RDONLY | O_NONBLOCK);
	tap_ok(fd >= 0, "O_NONBLOCK read open succeeds at once");
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	tap_ok(poll(&p, 1, 0) == 0, "no writer has come yet: not hung up");
	tap_ok(read(fd, buf, sizeof(buf)) == 0, "and a read sees end of file");
	w = open(path, O_WRONLY | O_NONBLOCK);
	tap_ok(w >= 0, "now a write open finds the reader");
	tap_ok(write(w, "ab", 2) == 2 && read(fd, buf, sizeof(buf)) == 2, "bytes go through");
	close(w);
	tap_ok(poll(&p, 1, 0) == 1 && p.revents == POLLHUP, "the writer came and went: POLLHUP");
	close(fd);
	fd = open(path, O_RDWR);
	tap_ok(fd >= 0, "O_RDWR never waits");
	close(fd);
	pid = fork();
	if (pid == 0)
		_exit(fifo_writer(path));
	fd = open(path, O_RDONLY);
	tap_ok(fd >= 0, "a blocking read open waits for the writer");
	tap_ok(read(fd, buf, sizeof(buf)) == 4 && memcmp(buf, "fifo", 4) == 0, "its bytes");
	r = ut_wait(pid);
	tap_ok(r == 0, "the writer: %s", ut_status(r));
	tap_ok(read(fd, buf, sizeof(buf)) == 0, "EOF after it closed");
	close(fd);
	unlink(path);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	basics();
	nonblock_and_sizes();
	packets();
	sigpipe();
	interrupted_read();
	atomic_writes();
	fifos();
	tap_plan(tap_count);
	return tap_done(tap_count);
}
