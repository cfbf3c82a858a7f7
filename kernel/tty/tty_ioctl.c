// SPDX-License-Identifier: MIT
/*
 * The terminal ioctls (Linux's tty_ioctl(4) numbers): termios (TCGETS,
 * TCSETS, TCSETSW, TCSETSF), flushing and flow control (TCFLSH, TCXONC),
 * queue sizes (FIONREAD, TIOCOUTQ), the window size (TIOCGWINSZ,
 * TIOCSWINSZ: SIGWINCH to the foreground group on a change), typing a
 * byte (TIOCSTI), and the job-control requests tty_job.c answers.
 * FIONBIO, like FIOCLEX, is every file's: sys_ioctl() answers it. The
 * settings live in the terminal; its line discipline acts on them.
 */
#include <cairn/errno.h>
#include <cairn/linux/signal.h>
#include <cairn/linux/termios.h>

#include <lib/string.h>

#include "fs/file.h"
#include "mm/uaccess.h"
#include "tty/internal.h"
#include "tty/tty.h"

static long tcgets(struct tty *t, uintptr_t arg)
{
	struct termios tio;

	tty_get_termios(t, &tio);
	return copy_to_user((void *)arg, &tio, sizeof(tio));
}

/* TCSETS, TCSETSW, TCSETSF: output is never queued, so "after draining" is at once. */
static long tcsets(struct tty *t, unsigned cmd, uintptr_t arg)
{
	struct termios tio;
	long err;

	if (copy_from_user(&tio, (const void *)arg, sizeof(tio)))
		return -EFAULT;
	err = tty_job_check_change(t);
	if (err)
		return err;
	tty_set_termios(t, &tio, cmd == TCSETSF);
	return 0;
}

static long tcflsh(struct tty *t, uintptr_t arg)
{
	long err;

	if (arg > TCIOFLUSH)
		return -EINVAL;
	err = tty_job_check_change(t);
	if (err)
		return err;
	/* Output is never held back, so only the input side has anything to drop. */
	if (arg != TCOFLUSH)
		tty_flush_input(t);
	return 0;
}

static long tcxonc(struct tty *t, uintptr_t arg)
{
	if (arg > TCION)
		return -EINVAL;
	/* Output is never suspended (written synchronously), so there is nothing to stop or start. */
	return tty_job_check_change(t);
}

static long get_winsize(struct tty *t, uintptr_t arg)
{
	struct winsize ws;
	uint64_t flags = spin_lock_irqsave(&t->in_lock);

	ws = t->ws;
	spin_unlock_irqrestore(&t->in_lock, flags);
	return copy_to_user((void *)arg, &ws, sizeof(ws));
}

static long set_winsize(struct tty *t, uintptr_t arg)
{
	struct winsize ws;
	uint64_t flags;
	bool changed;

	if (copy_from_user(&ws, (const void *)arg, sizeof(ws)))
		return -EFAULT;
	flags = spin_lock_irqsave(&t->in_lock);
	changed = memcmp(&ws, &t->ws, sizeof(ws)) != 0;
	__atomic_store_n(&t->ws.ws_row, ws.ws_row, __ATOMIC_RELAXED);
	__atomic_store_n(&t->ws.ws_col, ws.ws_col, __ATOMIC_RELAXED);
	t->ws.ws_xpixel = ws.ws_xpixel;
	t->ws.ws_ypixel = ws.ws_ypixel;
	spin_unlock_irqrestore(&t->in_lock, flags);
	if (changed)
		tty_job_signal(t, SIGWINCH);
	return 0;
}

static long put_int(uintptr_t arg, int v)
{
	return copy_to_user((void *)arg, &v, sizeof(v));
}

/*
 * TIOCSTI: @arg's byte goes through the input path as if typed. Only on
 * the caller's controlling terminal, or for root (Linux: CAP_SYS_ADMIN).
 */
static long tiocsti(struct tty *t, uintptr_t arg)
{
	uint8_t c;

	if (!tty_job_may_simulate(t))
		return -EPERM;
	if (copy_from_user(&c, (const void *)arg, 1))
		return -EFAULT;
	tty_inject(t, &c, 1);
	return 0;
}

long tty_ioctl_tty(struct tty *t, unsigned cmd, uintptr_t arg, bool readable)
{
	switch (cmd) {
	case TCGETS:
		return tcgets(t, arg);
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return tcsets(t, cmd, arg);
	case TCFLSH:
		return tcflsh(t, arg);
	case TCXONC:
		return tcxonc(t, arg);
	case FIONREAD:
		return put_int(arg, (int)tty_input_queued(t));
	case TIOCOUTQ:
		return put_int(arg, 0);
	case TIOCGWINSZ:
		return get_winsize(t, arg);
	case TIOCSWINSZ:
		return set_winsize(t, arg);
	case TIOCSTI:
		return tiocsti(t, arg);
	default:
		return tty_job_ioctl(t, cmd, arg, readable);
	}
}

long tty_file_ioctl(struct file *f, unsigned cmd, uintptr_t arg)
{
	return tty_ioctl_tty(f->priv, cmd, arg, f->fmode & FMODE_READ);
}
