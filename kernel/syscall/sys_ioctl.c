/* SPDX-License-Identifier: MIT */
/*
 * ioctl(2) on the console descriptors: FIONBIO here (the descriptors'
 * shared status flags), every terminal request in kernel/tty (termios,
 * window size, job control: tty_ioctl_tty()). Anything else is ENOTTY.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/termios.h>

#include "syscall/console.h"
#include "syscall/internal.h"
#include "tty/tty.h"

static long tty_fionbio(uint64_t arg)
{
	struct console_fds *f = console_fds_current();
	int on;

	if (copy_from_user(&on, (const void *)arg, sizeof(on)))
		return -EFAULT;
	if (on)
		__atomic_or_fetch(&f->status, O_NONBLOCK, __ATOMIC_RELAXED);
	else
		__atomic_and_fetch(&f->status, ~(uint32_t)O_NONBLOCK, __ATOMIC_RELAXED);
	return 0;
}

long sys_ioctl(uint64_t fd, uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct tty *t = console_tty();
	long err = console_fd(fd);

	if (err < 0)
		return err;
	if (!t)
		return -ENOTTY;
	/* Linux takes the request as unsigned int. */
	if ((unsigned)cmd == FIONBIO)
		return tty_fionbio(arg);
	return tty_ioctl_tty(t, (unsigned)cmd, arg, true);
}
