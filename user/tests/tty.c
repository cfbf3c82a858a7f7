// SPDX-License-Identifier: MIT
/*
 * Descriptors 0, 1 and 2 are the console: write and writev, the terminal
 * ioctls a libc asks at start-up, and the errors for descriptors that do not
 * exist. The window size is printed masked (Linux's serial console knows no
 * size; Cairn's may).
 */
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <termios.h>

#include "utest.h"

int main(void)
{
	struct termios t;
	struct winsize ws = { 0, 0, 0, 0 };
	struct iovec iov[3] = { { "# writev ", 9 }, { "in three ", 9 }, { "pieces\n", 7 } };
	char c;
	pid_t pg;
	long r;

	tap_plan(12);
	tap_ok(isatty(0) && isatty(1) && isatty(2), "0, 1 and 2 are terminals");
	tap_errno(ioctl(1, TCGETS, &t), 0, "TCGETS");
	r = ioctl(1, TIOCGWINSZ, &ws);
	tap_masked("TIOCGWINSZ %ld rows %d cols %d", r, ws.ws_row, ws.ws_col);
	tap_errno(ioctl(1, TIOCGPGRP, &pg), ENOTTY, "TIOCGPGRP without a controlling terminal");
	r = writev(1, iov, 3);
	tap_ok(r == 25, "writev returns the whole length (%ld)", r);
	r = write(1, "# written\n", 10);
	tap_ok(r == 10, "write returns its length");
	tap_ok(write(1, "", 0) == 0, "a write of nothing");
	tap_ok(read(0, &c, 0) == 0, "a read of nothing returns at once");
	tap_errno(write(7, "x", 1), EBADF, "write to a closed descriptor");
	tap_errno(read(-1, &c, 1), EBADF, "read from descriptor -1");
	tap_errno(syscall(SYS_write, 1, 8, 4), EFAULT, "write from a bad buffer");
	tap_errno(ioctl(1, 0x12345678, &t), ENOTTY, "an unknown ioctl");
	tap_errno(ioctl(9, TCGETS, &t), EBADF, "TCGETS on a closed descriptor");
	return tap_done(12);
}
