// SPDX-License-Identifier: MIT
/*
 * Terminals as files: the file operations every terminal shares (read,
 * write, ioctl and poll on the terminal in f->priv), the char devices
 * that name the consoles (4:0 tty0, 4:64 ttyS0, 5:0 tty, 5:1 console,
 * Linux's numbers from Documentation/admin-guide/devices.txt) with their
 * /dev nodes, and files on a terminal made without a path.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include <lib/format.h>

#include "core/log.h"
#include "fs/devfs/devfs.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include "time/time.h"
#include "tty/internal.h"
#include "tty/tty.h"

#define TTY_IO_CHUNK 256 /* bytes per copy through the kernel stack; a whole line fits */

/* The minor numbers of the devices of major 5 (5:2, /dev/ptmx, is pty.c's). */
#define TTYAUX_TTY  0 /* /dev/tty: the caller's controlling terminal */
#define TTYAUX_CONS 1 /* /dev/console */

/* The major and minor numbers of DEV_ENCODE'd @rdev (Linux's new_decode_dev). */
static unsigned dev_major(uint32_t rdev)
{
	return (rdev >> 8) & 0xfffu;
}

static unsigned dev_minor(uint32_t rdev)
{
	return (rdev & 0xffu) | ((rdev >> 12) & ~0xffu);
}

static bool nonblock(const struct file *f)
{
	return __atomic_load_n(&f->flags, __ATOMIC_RELAXED) & O_NONBLOCK;
}

/*
 * Whether @f is a file of /dev/console: reads and writes through it are
 * never stopped for job control (Linux's job_control() and n_tty_write()).
 */
static bool via_console(const struct file *f)
{
	return f->inode && f->inode->rdev == DEV_ENCODE(TTYAUX_MAJOR, TTYAUX_CONS);
}

/* A blocked read wakes for input (the readers' queue) or a signal (the task's own wake). */
static bool input_or_signal(void *ctx)
{
	return tty_input_ready(ctx) || signal_pending();
}

/*
 * Take what is queued into @u, as much as fits: bytes copied, 0 at an
 * end-of-file record, -EAGAIN for nothing queued, -EFAULT. A canonical
 * read takes one record at most.
 */
static long take_into(struct tty *t, struct uio *u, bool canonical)
{
	char kbuf[TTY_IO_CHUNK];
	size_t done = 0, k;
	long got;

	do {
		got = tty_take(t, kbuf, u->resid < sizeof(kbuf) ? u->resid : sizeof(kbuf));
		if (got <= 0)
			return done ? (long)done : got;
		k = uio_copy_out(u, kbuf, (size_t)got);
		if (!k)
			return done ? (long)done : -EFAULT;
		done += k;
	} while (!canonical && u->resid);
	return (long)done;
}

/*
 * read(2): canonical mode waits for a record and returns it; otherwise
 * VMIN and VTIME decide how long to wait (ldisc_read_done()), O_NONBLOCK
 * never waits. A signal ends the wait: -ERESTARTSYS, or what was read.
 */
static long tty_file_read(struct file *f, struct uio *u, int64_t *pos)
{
	struct tty *t = f->priv;
	struct ldisc_read_timing rt = { .want = u->resid, .start_ns = clock_monotonic_ns() };
	uint64_t deadline;
	bool canonical;
	long r = via_console(f) ? 0 : tty_job_check_read(t);

	if (r || !u->resid)
		return r;
	for (;;) {
		canonical = tty_canonical(t);
		r = take_into(t, u, canonical);
		if (r == -EAGAIN && tty_hungup(t))
			return (long)rt.got; /* end-of-file once the queue is empty */
		if (r == 0 || (r > 0 && canonical))
			return (long)rt.got + r;
		if (r > 0) {
			rt.got += (size_t)r;
			rt.last_ns = clock_monotonic_ns();
		} else if (r != -EAGAIN) {
			return rt.got ? (long)rt.got : r;
		}
		if (r == -EAGAIN && nonblock(f))
			return rt.got ? (long)rt.got : -EAGAIN;
		deadline = TIME_NEVER;
		if (!canonical && tty_read_done(t, &rt, &deadline))
			return (long)rt.got;
		if (signal_pending())
			return rt.got ? (long)rt.got : -ERESTARTSYS;
		r = waitq_wait(&t->readers, input_or_signal, t, 0,
		               deadline); /* woken, or the deadline */
	}
}

static long tty_file_write(struct file *f, struct uio *u, int64_t *pos)
{
	struct tty *t = f->priv;
	char kbuf[TTY_IO_CHUNK];
	size_t done = 0, k;
	long err = 0;

	if (tty_hungup(t))
		return -EIO;
	if (tty_tostop(t) && !via_console(f))
		err = tty_job_check_change(t);
	while (!err && u->resid) {
		/* A pty's master must have room for the chunk, doubled by ONLCR at worst. */
		if (t->pty && (err = pty_wait_room(t->pty, 2 * sizeof(kbuf), nonblock(f))))
			break;
		k = uio_copy_in(u, kbuf, u->resid < sizeof(kbuf) ? u->resid : sizeof(kbuf));
		if (!k)
			return done ? (long)done : -EFAULT;
		tty_write_user(t, kbuf, k);
		done += k;
		/* A long write stops early for a signal, having written something. */
		if (u->resid && signal_pending())
			break;
	}
	return done ? (long)done : err;
}

static unsigned tty_file_poll(struct file *f, struct poll_table *pt)
{
	struct tty *t = f->priv;
	unsigned ev = 0;

	poll_wait(pt, &t->readers);
	if (tty_hungup(t))
		return POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM | POLLHUP;
	if (tty_input_ready(t))
		ev |= POLLIN | POLLRDNORM;
	if (!t->pty || pty_has_room(t->pty, pt))
		ev |= POLLOUT | POLLWRNORM;
	return ev;
}

/* The terminal char device @rdev stands for; NULL if it has none (no screen, no terminal). */
static struct tty *tty_of_rdev(uint32_t rdev)
{
	struct process *p;
	struct tty *t;
	uint64_t flags;

	if (rdev == DEV_ENCODE(4, 0))
		return tty_get(TTY_SCREEN);
	if (rdev == DEV_ENCODE(4, 64))
		return tty_get(TTY_SERIAL);
	if (rdev == DEV_ENCODE(TTYAUX_MAJOR, TTYAUX_CONS))
		return console_tty();
	if (rdev != DEV_ENCODE(TTYAUX_MAJOR, TTYAUX_TTY) || !(p = process_current()))
		return NULL;
	flags = spin_lock_irqsave(&proc_lock);
	t = p->ctty;
	spin_unlock_irqrestore(&proc_lock, flags);
	return t;
}

/*
 * Opening a node: find its terminal. A session leader without a
 * controlling terminal that opens one without O_NOCTTY acquires it, but
 * not through /dev/tty, /dev/console or tty0 (Linux's tty_open()).
 */
static int tty_file_open(struct inode *ino, struct file *f)
{
	struct tty *t;

	int err;

	if (f->priv) /* tty_open_file(): the terminal is known */
		return 0;
	if (dev_major(ino->rdev) == PTY_MAJOR) {
		err = pty_slave_open(dev_minor(ino->rdev), f);
		if (err)
			return err;
		t = f->priv;
	} else if (!(t = tty_of_rdev(ino->rdev))) {
		return -ENXIO;
	}
	f->priv = t;
	if (!(f->flags & O_NOCTTY) && dev_major(ino->rdev) != TTYAUX_MAJOR &&
	    ino->rdev != DEV_ENCODE(4, 0))
		tty_job_open(t);
	return 0;
}

static void tty_file_release(struct file *f)
{
	struct tty *t = f->priv;

	if (t && t->pty)
		pty_slave_release(t->pty);
}

const struct file_ops tty_fops = {
	.open = tty_file_open,
	.release = tty_file_release,
	.read = tty_file_read,
	.write = tty_file_write,
	.ioctl = tty_file_ioctl,
	.poll = tty_file_poll,
};

/* The /dev node of @t, if it has one: "/dev/console" for the console. */
static bool node_path(struct tty *t, char *buf, size_t n)
{
	if (t == console_tty())
		return fmt_snprintf(buf, n, "/dev/console") > 0;
	if (!t->rdev)
		return false;
	return fmt_snprintf(buf, n, "/dev/%s", tty_name(t)) > 0;
}

struct file *tty_open_file(struct tty *t, int oflags)
{
	char path[32];
	struct file *f;

	if (node_path(t, path, sizeof(path))) {
		f = vfs_open(AT_FDCWD, path, oflags | O_NOCTTY, 0);
		if (!IS_ERR_PTR(f) && f->ops == &tty_fops && f->priv == t)
			return f;
		if (!IS_ERR_PTR(f))
			file_put(f);
	}
	/* No node (a test terminal, or before /dev is there): an anonymous char device. */
	f = file_alloc_anon(&tty_fops, t, (unsigned)oflags & ~(unsigned)O_NOCTTY, S_IFCHR | 0620,
	                    tty_name(t));
	return f;
}

/* Register the char devices and add their nodes (mode and owner as Debian's udev makes them). */
void tty_dev_register(void)
{
	int err = chrdev_register(4, 0, 1, &tty_fops);

	if (!err)
		err = chrdev_register(4, 64, 1, &tty_fops);
	if (!err)
		err = chrdev_register(TTYAUX_MAJOR, TTYAUX_TTY, 2, &tty_fops);
	if (err) {
		pr_err("tty: char devices not registered (%d)", err);
		return;
	}
	if (tty_get(TTY_SCREEN))
		err |= devfs_add_node("tty0", S_IFCHR | 0620, DEV_ENCODE(4, 0));
	if (tty_get(TTY_SERIAL))
		err |= devfs_add_node("ttyS0", S_IFCHR | 0660, DEV_ENCODE(4, 64));
	err |= devfs_add_node("tty", S_IFCHR | 0666, DEV_ENCODE(TTYAUX_MAJOR, TTYAUX_TTY));
	err |= devfs_add_node("console", S_IFCHR | 0600, DEV_ENCODE(TTYAUX_MAJOR, TTYAUX_CONS));
	if (err)
		pr_err("tty: /dev nodes not all added");
	pty_register();
}
