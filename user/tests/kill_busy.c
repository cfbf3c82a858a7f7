// SPDX-License-Identifier: MIT
/*
 * SIGKILL ends a process in the middle of a long system call: a child that
 * keeps making one call that moves up to 2 GiB (a readv naming one buffer
 * 1024 times, a sendfile of a file onto itself) must be gone soon after
 * the kill, not when the call is done. The syscall fuzzer's children lived
 * on after their SIGKILL in such calls (a read of /dev/urandom into its
 * buffer, its watchdog's kills piling up): Cairn's /dev/urandom made all
 * 2 GiB first, for minutes under emulation, before the kernel looked for
 * the kill between the steps of these copies.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include "utest.h"

#define BUF_BYTES (2u << 20) /* one buffer, named by every iovec */
#define NIOV      1024       /* Linux's IOV_MAX: 2 GiB in all (the kernel caps it there) */
#define LIMIT_MS  2000       /* how long the child may outlive its SIGKILL */

static struct iovec iov[NIOV];

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* /dev/NAME, or a node of its own in /tmp (the Linux baseline's initramfs has no /dev). */
static int open_dev(const char *name, unsigned minor)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/%s", name);
	fd = open(path, O_RDONLY);
	if (fd >= 0)
		return fd;
	snprintf(path, sizeof(path), "/tmp/kill_busy.%s", name);
	mknod(path, S_IFCHR | 0600, makedev(1, minor));
	fd = open(path, O_RDONLY);
	unlink(path);
	return fd;
}

static void spin_readv(const char *name, unsigned minor)
{
	int fd = open_dev(name, minor);

	if (fd < 0)
		_exit(2);
	for (;;)
		readv(fd, iov, NIOV);
}

/* A file copied onto its own end: it grows by up to 2 GiB per call. */
static void spin_sendfile(const char *path)
{
	int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600), in = open(path, O_RDONLY);

	if (out < 0 || in < 0 || write(out, iov[0].iov_base, 65536) != 65536)
		_exit(2);
	for (;;) {
		lseek(in, 0, SEEK_SET);
		sendfile(out, in, NULL, 0x7ffff000);
	}
}

/* Start @what in a child, kill it while it is busy, and check how soon it ends. */
static void busy_case(const char *arg, unsigned minor, const char *name)
{
	pid_t pid = fork();
	long t0, ms;
	int st;

	if (pid == 0) {
		if (minor)
			spin_readv(arg, minor);
		spin_sendfile(arg);
	}
	ut_sleep_ms(150);
	t0 = now_ms();
	kill(pid, SIGKILL);
	st = ut_wait(pid);
	ms = now_ms() - t0;
	tap_ok(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && ms <= LIMIT_MS,
	       "a child busy in %s ends within %d ms of SIGKILL", name, LIMIT_MS);
	if (ms > LIMIT_MS || st == -1 || !WIFSIGNALED(st))
		tap_diag("it took %ld ms and ended with %s", ms, ut_status(st));
}

int main(void)
{
	char *buf = malloc(BUF_BYTES), file[64];

	tap_plan(3);
	if (!buf)
		return 1;
	for (unsigned i = 0; i < BUF_BYTES; i += 4096)
		buf[i] = 1; /* in memory before the children share it copy-on-write */
	for (int i = 0; i < NIOV; i++)
		iov[i] = (struct iovec){ buf, BUF_BYTES };
	mkdir("/tmp", 01777);
	snprintf(file, sizeof(file), "/tmp/kill_busy.%d", (int)getpid());
	/* Minors of Linux's memory devices (Documentation/admin-guide/devices.txt). */
	busy_case("urandom", 9, "readv of /dev/urandom (2 GiB)");
	busy_case("zero", 5, "readv of /dev/zero (2 GiB)");
	busy_case(file, 0, "sendfile of a file onto itself (2 GiB)");
	unlink(file);
	return tap_done(3);
}
