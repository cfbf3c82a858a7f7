// SPDX-License-Identifier: MIT
/*
 * eventfd: a 64-bit counter behind a file, per eventfd(2). A write of n
 * adds n (waiting while the sum would pass 0xfffffffffffffffe), a read
 * takes the whole count, or 1 with EFD_SEMAPHORE (waiting while it is 0);
 * reads and writes move exactly 8 bytes. Readers, writers and pollers
 * share one wait queue, woken only when someone waits on it.
 *
 * Locks: [E] the eventfd's spinlock (the counter is tiny state, and
 * nothing under it sleeps); [I] fixed once made.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/poll.h>
#include <cairn/linux/stat.h>

#include "fs/file.h"
#include "fs/poll.h"
#include "mm/heap.h"
#include "proc/signal.h"
#include "sched/spinlock.h"
#include "sched/wait.h"
#include "syscall/syscall.h"
#include "time/time.h"

#define EVENTFD_MAX 0xfffffffffffffffeull /* the largest count (eventfd(2)) */

struct eventfd {
	struct spinlock lock; /* the [E] lock */
	uint64_t count;       /* [E] */
	bool semaphore;       /* [I] EFD_SEMAPHORE */
	struct waitq wq;      /* readers, writers and pollers */
};

/* What a read would take now (0: it must wait). */
static uint64_t efd_take_locked(struct eventfd *e) __must_hold(&e->lock)
{
	uint64_t v;

	if (!e->count)
		return 0;
	v = e->semaphore ? 1 : e->count;
	e->count -= v;
	return v;
}

/* Add @v if it fits; false if a write must wait. */
static bool efd_add_locked(struct eventfd *e, uint64_t v) __must_hold(&e->lock)
{
	if (v > EVENTFD_MAX - e->count)
		return false;
	e->count += v;
	return true;
}

struct efd_op {
	struct eventfd *e;
	uint64_t v; /* write: the value; read: what was taken */
	bool write;
	bool done;
	bool signalled;
};

/* waitq_wait()'s condition: do the operation if it can go now, or see a signal. */
static bool efd_try(void *ctx)
{
	struct efd_op *op = ctx;
	uint64_t flags = spin_lock_irqsave(&op->e->lock);

	if (op->write)
		op->done = efd_add_locked(op->e, op->v);
	else
		op->done = (op->v = efd_take_locked(op->e)) != 0;
	spin_unlock_irqrestore(&op->e->lock, flags);
	if (op->done)
		return true;
	if (signal_pending()) {
		op->signalled = true;
		return true;
	}
	return false;
}

/* Do @op now, or wait for it (unless O_NONBLOCK). 0, -EAGAIN or -ERESTARTSYS. */
static int efd_do(struct file *f, struct efd_op *op)
{
	struct eventfd *e = op->e;
	int err;

	if (f->flags & O_NONBLOCK) {
		if (!efd_try(op) || !op->done)
			return -EAGAIN;
	} else {
		err = waitq_wait(&e->wq, efd_try, op, WAIT_KILLABLE, TIME_NEVER);
		if (err || !op->done)
			return -ERESTARTSYS;
	}
	poll_wake(&e->wq, op->write ? POLLIN | POLLRDNORM : POLLOUT | POLLWRNORM);
	return 0;
}

static long efd_read(struct file *f, struct uio *u, int64_t *pos)
{
	struct efd_op op = { .e = f->priv, .write = false };
	int err;

	(void)pos;
	if (u->resid < sizeof(uint64_t))
		return -EINVAL;
	err = efd_do(f, &op);
	if (err)
		return err;
	/* As Linux: the count is taken even if the copy then faults. */
	if (uio_copy_out(u, &op.v, sizeof(op.v)) != sizeof(op.v))
		return -EFAULT;
	return sizeof(op.v);
}

static long efd_write(struct file *f, struct uio *u, int64_t *pos)
{
	struct efd_op op = { .e = f->priv, .write = true };
	int err;

	(void)pos;
	if (u->resid < sizeof(uint64_t))
		return -EINVAL;
	if (uio_copy_in(u, &op.v, sizeof(op.v)) != sizeof(op.v))
		return -EFAULT;
	if (op.v == UINT64_MAX)
		return -EINVAL;
	err = efd_do(f, &op);
	return err ? err : (long)sizeof(op.v);
}

static unsigned efd_poll(struct file *f, struct poll_table *pt)
{
	struct eventfd *e = f->priv;
	unsigned mask = 0;
	uint64_t count;

	poll_wait(pt, &e->wq);
	count = __atomic_load_n(&e->count, __ATOMIC_RELAXED);
	if (count)
		mask |= POLLIN | POLLRDNORM;
	if (count == UINT64_MAX)
		mask |= POLLERR;
	if (count < EVENTFD_MAX)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static void efd_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops eventfd_fops = {
	.release = efd_release,
	.read = efd_read,
	.write = efd_write,
	.poll = efd_poll,
};

long sys_eventfd2(uint64_t initval, uint64_t flags, uint64_t a2, uint64_t a3, uint64_t a4,
                  uint64_t a5)
{
	struct eventfd *e;
	struct file *f;
	int fd;

	if (flags & ~(uint64_t)(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
		return -EINVAL;
	e = kmalloc_flags(sizeof(*e), KM_MAY_FAIL | KM_ZERO);
	if (!e)
		return -ENOMEM;
	spin_init(&e->lock, "eventfd");
	waitq_init(&e->wq, "eventfd");
	e->count = (uint32_t)initval; /* the argument is an unsigned int */
	e->semaphore = flags & EFD_SEMAPHORE;
	f = file_alloc_anon(&eventfd_fops, e, O_RDWR | (int)(flags & EFD_NONBLOCK), 0600,
	                    "[eventfd]");
	if (IS_ERR_PTR(f)) {
		kfree(e);
		return PTR_ERR_VAL(f);
	}
	fd = fd_install(fdtable_current(), f, 0, flags & EFD_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_eventfd(uint64_t initval, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return sys_eventfd2(initval, 0, 0, 0, 0, 0);
}
