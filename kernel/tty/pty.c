// SPDX-License-Identifier: MIT
/*
 * Pseudo-terminals, Unix 98 style: each open of /dev/ptmx (5:2) makes a
 * pair, a master file and a slave terminal /dev/pts/N (136:N). The slave
 * is a full struct tty (termios, job control) whose backend is a byte
 * queue the master reads; what the master writes is typed on the slave.
 * The slave starts locked until TIOCSPTLCK 0 (unlockpt()); TIOCGPTN tells
 * N (ptsname()). When the master closes, the slave is hung up (its session
 * gets SIGHUP; reads see end-of-file, writes EIO); when all slave files
 * are closed, master reads see EIO. The pair goes with the last of them.
 * The nodes stay in /dev/pts and are reused with their numbers.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/signal.h>
#include <cairn/linux/stat.h>
#include <cairn/linux/termios.h>

#include <lib/format.h>
#include <lib/string.h>

#include "core/log.h"
#include "fs/devfs/devfs.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "mm/heap.h"
#include "mm/uaccess.h"
#include "proc/signal.h"
#include "time/time.h"
#include "tty/internal.h"
#include "tty/tty.h"

#define PTY_MAX       64   /* pairs at once */
#define PTY_BUF       4096 /* bytes of slave output waiting for the master; a power of 2 */
#define PTY_CHUNK     256  /* bytes per copy through the kernel stack */
#define PTMX_MINOR    2    /* 5:2 */
#define PTY_NAME_SIZE 12

/*
 * Locks: [I] set when made; [K] the pair's lock (IRQ-safe: the slave's
 * backend runs with interrupts off); [T] pty_table_lock.
 */
struct pty {
	struct tty slave;         /* the slave terminal; slave.pty points back */
	int index;                /* [I] N of /dev/pts/N */
	char name[PTY_NAME_SIZE]; /* [I] "pts/N" */
	struct spinlock lock;     /* the [K] lock */
	char buf[PTY_BUF];        /* [K] slave output for the master, a ring */
	uint32_t rd, wr;          /* [K] free-running counters into buf */
	bool locked;              /* [K] TIOCSPTLCK: the slave may not be opened */
	bool master_open;         /* [K] the master file exists */
	bool slave_seen;          /* [K] the slave was opened once */
	int slave_files;          /* [K] open files of the slave */
	struct waitq master_wq;   /* master readers and pollers */
	struct waitq room_wq;     /* slave writers waiting for room in buf */
};

static struct spinlock pty_table_lock = SPINLOCK_INIT("pty.table");
static struct pty *pty_table[PTY_MAX] __guarded_by(&pty_table_lock);

/* Bytes queued; atomic loads, so the wait conditions may ask without the lock. */
static uint32_t ring_count(const struct pty *p)
{
	return __atomic_load_n(&p->wr, __ATOMIC_ACQUIRE) -
	       __atomic_load_n(&p->rd, __ATOMIC_ACQUIRE);
}

/* The slave's backend: its processed output queues for the master; what does not fit is lost. */
static void slave_output(void *ctx, const char *s, size_t n)
{
	struct pty *p = ctx;
	uint64_t flags = spin_lock_irqsave(&p->lock);

	while (n-- && ring_count(p) < PTY_BUF)
		p->buf[p->wr++ % PTY_BUF] = *s++;
	spin_unlock_irqrestore(&p->lock, flags);
	waitq_wake_all(&p->master_wq);
}

/* Free @p once neither side has a file; the caller saw that under the lock. */
static void pty_free(struct pty *p)
{
	uint64_t flags = spin_lock_irqsave(&pty_table_lock);

	pty_table[p->index] = NULL;
	spin_unlock_irqrestore(&pty_table_lock, flags);
	tty_destroy_embedded(&p->slave);
	kfree(p);
}

static struct pty *pty_alloc(void)
{
	const struct tty_backend be = { slave_output, NULL, 80, 24 };
	struct pty *p = kmalloc_flags(sizeof(*p), KM_ZERO | KM_MAY_FAIL);
	uint64_t flags;
	int i;

	if (!p)
		return NULL;
	flags = spin_lock_irqsave(&pty_table_lock);
	for (i = 0; i < PTY_MAX && pty_table[i]; i++)
		;
	if (i < PTY_MAX)
		pty_table[i] = p;
	spin_unlock_irqrestore(&pty_table_lock, flags);
	if (i == PTY_MAX) {
		kfree(p);
		return NULL;
	}
	p->index = i;
	fmt_snprintf(p->name, sizeof(p->name), "pts/%d", i);
	spin_init(&p->lock, "pty");
	waitq_init(&p->master_wq, "pty.master");
	waitq_init(&p->room_wq, "pty.room");
	p->locked = p->master_open = true;
	tty_setup(&p->slave, p->name, &be);
	p->slave.be.ctx = p;
	p->slave.rdev = DEV_ENCODE(PTY_MAJOR, i);
	p->slave.pty = p;
	return p;
}

/* ---- the master ---- */

static int ptmx_open(struct inode *ino, struct file *f)
{
	struct pty *p = pty_alloc();
	int err;

	if (!p)
		return -ENOSPC;
	/* The node may be there from an earlier pair with this number. */
	err = devfs_add_node(p->name, S_IFCHR | 0620, p->slave.rdev);
	if (err && err != -EEXIST) {
		p->master_open = false;
		pty_free(p);
		return err;
	}
	f->priv = p;
	return 0;
}

static void ptmx_release(struct file *f)
{
	struct pty *p = f->priv;
	uint64_t flags = spin_lock_irqsave(&p->lock);
	bool last;

	p->master_open = false;
	last = p->slave_files == 0;
	spin_unlock_irqrestore(&p->lock, flags);
	if (last) {
		pty_free(p);
		return;
	}
	tty_hangup(&p->slave);
	waitq_wake_all(&p->room_wq);
}

/* What a master read can do now: bytes there, end (slave gone), or wait. */
static bool master_ready(void *ctx)
{
	struct pty *p = ctx;

	return ring_count(p) || (p->slave_seen && !p->slave_files) || signal_pending();
}

/* Take up to @n bytes of slave output into @kbuf: count, 0 if none. */
static size_t master_take(struct pty *p, char *kbuf, size_t n, bool *slave_gone)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);
	size_t k = 0;

	while (k < n && ring_count(p))
		kbuf[k++] = p->buf[p->rd++ % PTY_BUF];
	*slave_gone = p->slave_seen && !p->slave_files;
	spin_unlock_irqrestore(&p->lock, flags);
	if (k)
		waitq_wake_all(&p->room_wq);
	return k;
}

static long ptmx_read(struct file *f, struct uio *u, int64_t *pos)
{
	struct pty *p = f->priv;
	char kbuf[PTY_CHUNK];
	bool gone;
	size_t k;

	for (;;) {
		k = master_take(p, kbuf, u->resid < sizeof(kbuf) ? u->resid : sizeof(kbuf), &gone);
		if (k) {
			k = uio_copy_out(u, kbuf, k);
			return k ? (long)k : -EFAULT;
		}
		if (!u->resid)
			return 0;
		if (gone)
			return -EIO; /* Linux: the slave side is closed */
		if (__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & O_NONBLOCK)
			return -EAGAIN;
		if (signal_pending())
			return -ERESTARTSYS;
		if (waitq_wait(&p->master_wq, master_ready, p, 0, TIME_NEVER) < 0)
			return -ERESTARTSYS;
	}
}

/* What the master writes is typed on the slave. */
static long ptmx_write(struct file *f, struct uio *u, int64_t *pos)
{
	struct pty *p = f->priv;
	char kbuf[PTY_CHUNK];
	size_t done = 0, k;

	while (u->resid) {
		k = uio_copy_in(u, kbuf, u->resid < sizeof(kbuf) ? u->resid : sizeof(kbuf));
		if (!k)
			return done ? (long)done : -EFAULT;
		tty_inject(&p->slave, kbuf, k);
		done += k;
	}
	return (long)done;
}

static unsigned ptmx_poll(struct file *f, struct poll_table *pt)
{
	struct pty *p = f->priv;
	uint64_t flags;
	unsigned ev = POLLOUT | POLLWRNORM;

	poll_wait(pt, &p->master_wq);
	flags = spin_lock_irqsave(&p->lock);
	if (ring_count(p))
		ev |= POLLIN | POLLRDNORM;
	if (p->slave_seen && !p->slave_files)
		ev |= POLLHUP;
	spin_unlock_irqrestore(&p->lock, flags);
	return ev;
}

static long ptmx_ioctl(struct file *f, unsigned cmd, uintptr_t arg)
{
	struct pty *p = f->priv;
	uint64_t flags;
	int v;

	switch (cmd) {
	case TIOCGPTN:
		return copy_to_user((void *)arg, &p->index, sizeof(p->index));
	case TIOCSPTLCK:
		if (copy_from_user(&v, (const void *)arg, sizeof(v)))
			return -EFAULT;
		flags = spin_lock_irqsave(&p->lock);
		p->locked = v != 0;
		spin_unlock_irqrestore(&p->lock, flags);
		return 0;
	case FIONREAD:
		flags = spin_lock_irqsave(&p->lock);
		v = (int)ring_count(p);
		spin_unlock_irqrestore(&p->lock, flags);
		return copy_to_user((void *)arg, &v, sizeof(v));
	case TIOCSCTTY:
	case TIOCNOTTY:
	case TIOCGPGRP:
	case TIOCSPGRP:
	case TIOCGSID:
		return -ENOTTY; /* the master is no controlling terminal here */
	default:
		/* The settings and the size are the slave's (Linux shares them). */
		return tty_ioctl_tty(&p->slave, cmd, arg, true);
	}
}

static const struct file_ops ptmx_fops = {
	.open = ptmx_open,
	.release = ptmx_release,
	.read = ptmx_read,
	.write = ptmx_write,
	.ioctl = ptmx_ioctl,
	.poll = ptmx_poll,
};

/* ---- the slave's side, for tty_file.c ---- */

int pty_slave_open(unsigned index, struct file *f)
{
	struct pty *p = NULL;
	uint64_t flags;
	int err = 0;

	flags = spin_lock_irqsave(&pty_table_lock);
	if (index < PTY_MAX)
		p = pty_table[index];
	if (p) {
		spin_lock(&p->lock);
		if (!p->master_open || p->locked) {
			err = -EIO;
		} else {
			p->slave_files++;
			p->slave_seen = true;
		}
		spin_unlock(&p->lock);
	}
	spin_unlock_irqrestore(&pty_table_lock, flags);
	if (!p)
		return -ENXIO;
	if (!err)
		f->priv = &p->slave;
	return err;
}

void pty_slave_release(struct pty *p)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);
	bool last = --p->slave_files == 0 && !p->master_open;

	spin_unlock_irqrestore(&p->lock, flags);
	if (last)
		pty_free(p);
	else
		waitq_wake_all(&p->master_wq); /* a master read may now see EIO */
}

/* Room for @n more output bytes, or the master is gone (then writes fail). */
struct room_wait {
	struct pty *p;
	size_t n;
};

static bool room_ready(void *ctx)
{
	struct room_wait *r = ctx;

	return PTY_BUF - ring_count(r->p) >= r->n ||
	       !__atomic_load_n(&r->p->master_open, __ATOMIC_RELAXED) || signal_pending();
}

int pty_wait_room(struct pty *p, size_t n, bool nonblock)
{
	struct room_wait r = { p, n };

	for (;;) {
		if (!__atomic_load_n(&p->master_open, __ATOMIC_RELAXED))
			return -EIO;
		if (PTY_BUF - ring_count(p) >= n)
			return 0;
		if (nonblock)
			return -EAGAIN;
		if (signal_pending())
			return -ERESTARTSYS;
		if (waitq_wait(&p->room_wq, room_ready, &r, 0, TIME_NEVER) < 0)
			return -ERESTARTSYS;
	}
}

bool pty_has_room(struct pty *p, struct poll_table *pt)
{
	poll_wait(pt, &p->room_wq);
	return PTY_BUF - ring_count(p) >= PTY_CHUNK * 2;
}

int pty_number(const struct file *master)
{
	return master->ops == &ptmx_fops ? ((const struct pty *)master->priv)->index : -ENOTTY;
}

void pty_register(void)
{
	int err = chrdev_register(TTYAUX_MAJOR, PTMX_MINOR, 1, &ptmx_fops);

	if (!err)
		err = chrdev_register(PTY_MAJOR, 0, PTY_MAX, &tty_fops);
	if (!err)
		err = devfs_add_node("ptmx", S_IFCHR | 0666, DEV_ENCODE(TTYAUX_MAJOR, PTMX_MINOR));
	if (err)
		pr_err("tty: pseudo-terminals not registered (%d)", err);
}
