// SPDX-License-Identifier: MIT
/*
 * Pseudo-terminals: posix_openpt, grantpt, unlockpt and ptsname; the slave
 * refused while locked; bytes written to the master typed on the slave
 * (canonical line, echo back to the master), the slave's output processed
 * for the master (ONLCR), raw mode, the window size shared, ^C from the
 * master ending the slave's foreground group, EIO on the master once the
 * slave is closed, and SIGHUP to the slave's session when the master goes.
 * Linux's initramfs has no devpts: it is mounted here first (Cairn keeps
 * the slaves in /dev/pts of its devfs, so the mount may fail there).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

#include "utest.h"

#define PLAN 14

/* Read once from @fd; true if it returned exactly @want. */
static bool reads(int fd, const char *want)
{
	char buf[128];
	ssize_t got = read(fd, buf, sizeof(buf));

	return got == (ssize_t)strlen(want) && memcmp(buf, want, (size_t)got) == 0;
}

/* A new master, unlocked; its slave's name in @name. */
static int open_master(char *name, size_t n)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);

	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, name, n) != 0)
		return -1;
	return m;
}

/* A child that starts a session on slave @name (its controlling terminal) and waits. */
static pid_t session_on(int m, const char *name)
{
	pid_t pid = fork();
	int s;

	if (pid == 0) {
		close(m); /* the master must go when the parent closes it */
		setsid();
		s = open(name, O_RDWR);
		if (s < 0)
			_exit(1);
		write(s, "r", 1); /* ready: the parent reads it from the master */
		for (;;)
			pause();
	}
	return pid;
}

static void basics(void)
{
	char name[64];
	struct winsize ws = { .ws_row = 33, .ws_col = 99 }, got = { 0 };
	struct termios t;
	int m, s, fd;

	m = posix_openpt(O_RDWR | O_NOCTTY);
	tap_ok(m >= 0, "posix_openpt");
	tap_ok(grantpt(m) == 0 && ptsname_r(m, name, sizeof(name)) == 0 &&
	               strncmp(name, "/dev/pts/", 9) == 0,
	       "grantpt and ptsname");
	fd = open(name, O_RDWR | O_NOCTTY);
	tap_errno(fd, EIO, "the slave while locked");
	if (fd >= 0)
		close(fd);
	tap_errno(unlockpt(m), 0, "unlockpt");
	s = open(name, O_RDWR | O_NOCTTY);
	tap_ok(s >= 0 && isatty(s), "the slave opens and is a terminal");
	write(m, "hello\r", 6);
	tap_ok(reads(s, "hello\n"), "the master types a line on the slave");
	tap_ok(reads(m, "hello\r\n"), "and reads its echo");
	write(s, "out\n", 4);
	tap_ok(reads(m, "out\r\n"), "the slave's output, ONLCR processed");
	tcgetattr(s, &t);
	cfmakeraw(&t);
	tcsetattr(s, TCSANOW, &t);
	write(m, "\003x", 2);
	tap_ok(reads(s, "\003x"), "raw mode: ^C is a byte");
	ioctl(m, TIOCSWINSZ, &ws);
	ioctl(s, TIOCGWINSZ, &got);
	tap_ok(got.ws_row == 33 && got.ws_col == 99, "the window size is shared");
	close(s);
	tap_errno(read(m, name, sizeof(name)), EIO,
	          "the master reads EIO once the slave is closed");
	close(m);
}

static void signals(void)
{
	char name[64], c;
	int m = open_master(name, sizeof(name)), st;
	pid_t pid;

	pid = session_on(m, name);
	tap_ok(read(m, &c, 1) == 1 && c == 'r', "a session on the slave");
	write(m, "\003", 1);
	st = ut_wait(pid);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT, "^C from the master: %s", ut_status(st));
	close(m);
	m = open_master(name, sizeof(name));
	pid = session_on(m, name);
	read(m, &c, 1);
	close(m);
	st = ut_wait(pid);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGHUP, "the master closes: %s", ut_status(st));
}

int main(void)
{
	tap_plan(PLAN);
	mkdir("/dev/pts", 0755);
	mount("devpts", "/dev/pts", "devpts", 0, "ptmxmode=0666");
	if (access("/dev/ptmx", F_OK) != 0)
		mknod("/dev/ptmx", S_IFCHR | 0666, makedev(5, 2));
	basics();
	signals();
	return tap_done(PLAN);
}
