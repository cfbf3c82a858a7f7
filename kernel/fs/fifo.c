// SPDX-License-Identifier: MIT
/*
 * FIFOs (named pipes): the first open of a FIFO inode makes a pipe and
 * hangs it on inode->pipe, the last close frees it; in between, readers
 * and writers that opened the path share it as the ends of pipe(2) do.
 * Opens wait for the other side as Linux's fifo_open() does: each side
 * counts its opens, and a waiting opener sleeps until the other side's
 * count moves, so a partner that opens and closes at once still lets it go.
 * An anonymous pipe reopened through /proc/PID/fd/N comes here too (its
 * inode holds the pipe as a FIFO's does) but, as on Linux, never waits.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>

#include "fs/file.h"
#include "fs/internal.h"
#include "fs/pipe.h"
#include "fs/pipe_internal.h"
#include "fs/poll.h"
#include "fs/vfs.h"

static unsigned ld(const unsigned *v)
{
	return __atomic_load_n(v, __ATOMIC_RELAXED);
}

/* pipe_wait_on()'s condition: the partner's open count moved from @seen. */
static bool fifo_writer_came(struct pipe *p, unsigned seen)
{
	return ld(&p->w_counter) != seen;
}

static bool fifo_reader_came(struct pipe *p, unsigned seen)
{
	return ld(&p->r_counter) != seen;
}

/* A new reader or writer: wake openers waiting for it on the other side. */
static void fifo_wake_partner(struct pipe *p)
{
	pipe_wake_readers(p, 0);
	pipe_wake_writers(p, 0);
}

/*
 * The inode's pipe, made on the first open, counted open as @fmode; NULL
 * with *@err set: -ENOMEM, or -ENXIO for @need_reader (an O_NONBLOCK
 * write open) when nobody reads.
 */
static struct pipe *fifo_attach(struct inode *ino, unsigned fmode, bool need_reader, int *err)
{
	struct pipe *p;

	mutex_lock(&ino->lock);
	p = ino->pipe;
	*err = -ENXIO;
	if (!p && need_reader)
		goto out_unlock;
	if (!p) {
		*err = -ENOMEM;
		p = pipe_alloc();
		if (!p)
			goto out_unlock;
		p->fifo = ino;
		ino->pipe = p;
	}
	mutex_lock(&p->lock);
	if (need_reader && !p->readers) {
		mutex_unlock(&p->lock);
		p = NULL;
		goto out_unlock;
	}
	if (fmode & FMODE_READ) {
		__atomic_store_n(&p->r_counter, p->r_counter + 1, __ATOMIC_RELAXED);
		__atomic_store_n(&p->readers, p->readers + 1, __ATOMIC_RELAXED);
	}
	if (fmode & FMODE_WRITE) {
		__atomic_store_n(&p->w_counter, p->w_counter + 1, __ATOMIC_RELAXED);
		__atomic_store_n(&p->writers, p->writers + 1, __ATOMIC_RELAXED);
	}
	fifo_wake_partner(p);
	mutex_unlock(&p->lock);
out_unlock:
	mutex_unlock(&ino->lock);
	return p;
}

/*
 * Wait for the other side as a FIFO open does: a reader for a writer
 * (with O_NONBLOCK only remembering the writer count, no POLLHUP until a
 * writer has come: f->pos, which pipes never use as a position), a
 * writer for a reader. 0 or -ERESTARTSYS.
 */
static int fifo_wait_partner(struct pipe *p, struct file *f, unsigned fmode, bool nonblock)
{
	unsigned seen;

	if (fmode == FMODE_READ && !ld(&p->writers)) {
		seen = ld(&p->w_counter);
		if (nonblock) {
			f->pos = seen;
			return 0;
		}
		return pipe_wait_on(p, &p->rd_wait, fifo_writer_came, seen);
	}
	if (fmode == FMODE_WRITE && !ld(&p->readers)) {
		seen = ld(&p->r_counter);
		return pipe_wait_on(p, &p->wr_wait, fifo_reader_came, seen);
	}
	return 0;
}

int pipe_fifo_open(struct inode *ino, struct file *f)
{
	unsigned fmode = f->fmode & (FMODE_READ | FMODE_WRITE);
	bool nonblock = f->flags & O_NONBLOCK;
	/* A pipe reopened through /proc/PID/fd/N never waits (Linux's is_pipe). */
	bool fifo = !mnt_is_anon(f->path.mnt);
	struct pipe *p;
	int err = 0;

	if (!fmode)
		return -EINVAL;
	p = fifo_attach(ino, fmode, fifo && fmode == FMODE_WRITE && nonblock, &err);
	if (!p)
		return err;
	f->ops = &pipe_fifo_fops;
	f->priv = p;
	f->pos = 0;
	err = fifo ? fifo_wait_partner(p, f, fmode, nonblock) : 0;
	if (err) {
		pipe_end_put(p, fmode);
		f->priv = NULL;
	}
	return err;
}
