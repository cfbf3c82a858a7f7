// SPDX-License-Identifier: MIT
/*
 * Pipes: a ring of page slots between writers and readers (the model is
 * Linux's, fs/pipe.c, so the counts a program sees match), with bytes
 * copied once, straight between user memory and the slot pages through
 * the uio. Writes of up to PIPE_BUF bytes go into one slot whole or wait,
 * so they never interleave; a write with no reader left gets SIGPIPE and
 * EPIPE; readers see EOF once the last writer is gone. Wake-ups happen
 * only when someone waits on the side that changed (waitq_active()).
 * Making pipes, the pipe calls and fcntl's pipe sizes are in
 * pipe_make.c, FIFO opens in fifo.c. Semantics: docs/pipes-poll.md.
 */
#include "fs/pipe.h"

#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/poll.h>
#include <cairn/linux/signal.h>
#include <cairn/linux/stat.h>

#include <arch/page.h>

#include "core/kmain.h"
#include "fs/file.h"
#include "fs/pipe_internal.h"
#include "fs/poll.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include "syscall/syscall.h"
#include "time/time.h"

#define PIPE_DEF_SLOTS (PIPE_DEF_SIZE / PAGE_SIZE)

static unsigned ld(const unsigned *v)
{
	return __atomic_load_n(v, __ATOMIC_RELAXED);
}

static void st(unsigned *v, unsigned x)
{
	__atomic_store_n(v, x, __ATOMIC_RELAXED);
}

/* Slots in use, from any context (a snapshot). */
static unsigned pipe_used(struct pipe *p)
{
	return ld(&p->head) - ld(&p->tail);
}

static bool pipe_empty(struct pipe *p)
{
	return pipe_used(p) == 0;
}

static bool pipe_full(struct pipe *p)
{
	return pipe_used(p) >= ld(&p->nslots);
}

struct pipe *pipe_alloc(void)
{
	struct pipe *p = kmalloc_flags(sizeof(*p), KM_MAY_FAIL | KM_ZERO);

	if (!p)
		return NULL;
	p->bufs = kmalloc_flags(PIPE_DEF_SLOTS * sizeof(*p->bufs), KM_MAY_FAIL | KM_ZERO);
	if (!p->bufs) {
		kfree(p);
		return NULL;
	}
	p->nslots = PIPE_DEF_SLOTS;
	mutex_init(&p->lock, "pipe");
	waitq_init(&p->rd_wait, "pipe.rd");
	waitq_init(&p->wr_wait, "pipe.wr");
	return p;
}

void pipe_free(struct pipe *p)
{
	for (unsigned i = p->tail; i != p->head; i++)
		pmm_free_frame(p->bufs[i & (p->nslots - 1)].page);
	if (p->spare)
		pmm_free_frame(p->spare);
	kfree(p->bufs);
	kfree(p);
}

void pipe_wake_readers(struct pipe *p, unsigned events)
{
	poll_wake(&p->rd_wait, events);
}

void pipe_wake_writers(struct pipe *p, unsigned events)
{
	poll_wake(&p->wr_wait, events);
}

/* waitq_wait()'s condition: the caller's, or a signal. */
struct pipe_wait_ctx {
	struct pipe *p;
	bool (*cond)(struct pipe *p, unsigned arg);
	unsigned arg;
	bool signalled;
};

static bool pipe_wait_cond(void *ctx)
{
	struct pipe_wait_ctx *c = ctx;

	/* Pairs with the waker's waitq_active(): our registration, then its state. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (c->cond(c->p, c->arg))
		return true;
	if (signal_pending()) {
		c->signalled = true;
		return true;
	}
	return false;
}

int pipe_wait_on(struct pipe *p, struct waitq *wq, bool (*cond)(struct pipe *p, unsigned arg),
                 unsigned arg)
{
	struct pipe_wait_ctx c = { .p = p, .cond = cond, .arg = arg, .signalled = false };
	int err = waitq_wait(wq, pipe_wait_cond, &c, WAIT_KILLABLE, TIME_NEVER);

	return (err || c.signalled) ? -ERESTARTSYS : 0;
}

static bool pipe_readable(struct pipe *p, unsigned arg)
{
	(void)arg;
	return !pipe_empty(p) || !ld(&p->writers);
}

static bool pipe_writable(struct pipe *p, unsigned arg)
{
	(void)arg;
	return !pipe_full(p) || !ld(&p->readers);
}

/* Give a drained slot's page back (kept as the spare when there is none). */
static void pipe_buf_release_locked(struct pipe *p, struct pipe_buf *b) __must_hold(&p->lock)
{
	if (!p->spare)
		p->spare = b->page;
	else
		pmm_free_frame(b->page);
	b->page = 0;
}

/*
 * Copy from the oldest slot into @u; returns the bytes moved and sets
 * *@fault when the user's buffer faulted before the slot's bytes were all
 * copied, *@packet when the slot was a packet (read whole or cut).
 */
static size_t pipe_read_slot_locked(struct pipe *p, struct uio *u, bool *packet, bool *fault)
	__must_hold(&p->lock)
{
	struct pipe_buf *b = &p->bufs[p->tail & (p->nslots - 1)];
	size_t chars = b->len < u->resid ? b->len : u->resid;
	size_t got = uio_copy_out(u, (char *)phys_to_virt(b->page) + b->off, chars);

	b->off += (uint32_t)got;
	b->len -= (uint32_t)got;
	*packet = b->packet;
	*fault = got < chars;
	if (b->packet && !*fault)
		b->len = 0; /* what did not fit in the reader's buffer is dropped */
	if (!b->len) {
		pipe_buf_release_locked(p, b);
		st(&p->tail, p->tail + 1);
	}
	return got;
}

static long pipe_read(struct file *f, struct uio *u, int64_t *pos)
{
	struct pipe *p = f->priv;
	bool was_full, freed = false, packet = false, fault = false;
	unsigned tail;
	long ret = 0;
	int err;

	(void)pos;
	if (!u->resid)
		return 0;
	mutex_lock(&p->lock);
	was_full = pipe_full(p);
	for (;;) {
		while (!pipe_empty(p) && u->resid && !packet && !fault) {
			tail = p->tail;
			ret += (long)pipe_read_slot_locked(p, u, &packet, &fault);
			freed |= p->tail != tail;
		}
		if (fault && !ret)
			ret = -EFAULT;
		if (ret || !p->writers)
			break;
		if (f->flags & O_NONBLOCK) {
			ret = -EAGAIN;
			break;
		}
		mutex_unlock(&p->lock);
		err = pipe_wait_on(p, &p->rd_wait, pipe_readable, 0);
		mutex_lock(&p->lock);
		if (err) {
			ret = err;
			break;
		}
		was_full = pipe_full(p);
	}
	mutex_unlock(&p->lock);
	if (freed && was_full)
		pipe_wake_writers(p, POLLOUT | POLLWRNORM);
	return ret;
}

/* A page for a new slot: the spare, or a fresh one. 0 without memory. */
static uint64_t pipe_page_locked(struct pipe *p) __must_hold(&p->lock)
{
	uint64_t pa = p->spare;

	if (pa) {
		p->spare = 0;
		return pa;
	}
	return pmm_alloc_frame();
}

/* Append to the newest slot if the whole remainder fits there (Linux merges so). */
static long pipe_write_merge_locked(struct pipe *p, struct uio *u, bool packet)
	__must_hold(&p->lock)
{
	size_t chars = u->resid & (PAGE_SIZE - 1);
	struct pipe_buf *b;

	if (!chars || pipe_empty(p) || packet)
		return 0;
	b = &p->bufs[(p->head - 1) & (p->nslots - 1)];
	if (b->packet || b->off + b->len + chars > PAGE_SIZE)
		return 0;
	chars = uio_copy_in(u, (char *)phys_to_virt(b->page) + b->off + b->len, chars);
	b->len += (uint32_t)chars;
	return chars ? (long)chars : -EFAULT;
}

/* Fill one new slot from @u; returns bytes moved, -EFAULT or -ENOMEM. */
static long pipe_write_slot_locked(struct pipe *p, struct uio *u, bool packet) __must_hold(&p->lock)
{
	uint64_t pa = pipe_page_locked(p);
	size_t n = u->resid < PAGE_SIZE ? u->resid : PAGE_SIZE;
	size_t got;

	if (!pa)
		return -ENOMEM;
	got = uio_copy_in(u, phys_to_virt(pa), n);
	if (!got) {
		p->spare = pa;
		return -EFAULT;
	}
	p->bufs[p->head & (p->nslots - 1)] =
		(struct pipe_buf){ .page = pa, .off = 0, .len = (uint32_t)got, .packet = packet };
	st(&p->head, p->head + 1);
	return (long)got;
}

/*
 * No reader: SIGPIPE to the calling thread, as Linux's send_sig(SIGPIPE,
 * current, 0) does: SI_USER from the caller itself.
 */
static void pipe_sigpipe(void)
{
	struct thread *t = thread_current();
	struct ksiginfo info = { .signo = SIGPIPE, .code = SI_USER };

	if (!t)
		return;
	info.pid = t->proc->pid;
	info.uid = __atomic_load_n(&t->proc->cred.uid, __ATOMIC_RELAXED);
	(void)signal_send_thread(t, SIGPIPE, &info);
}

static long pipe_write_locked(struct file *f, struct pipe *p, struct uio *u, bool *was_empty,
                              bool *sigpipe) __must_hold(&p->lock)
{
	bool packet = f->flags & O_DIRECT;
	long ret, got;

	if (!p->readers) {
		*sigpipe = true;
		return -EPIPE;
	}
	ret = pipe_write_merge_locked(p, u, packet);
	if (ret < 0 || !u->resid)
		return ret;
	for (;;) {
		if (!p->readers) {
			*sigpipe = true;
			return ret ? ret : -EPIPE;
		}
		while (!pipe_full(p) && u->resid) {
			got = pipe_write_slot_locked(p, u, packet);
			if (got < 0)
				return ret ? ret : got;
			ret += got;
			if (u->resid && (size_t)got < PAGE_SIZE)
				return ret; /* a fault part way */
		}
		if (!u->resid)
			return ret;
		if (f->flags & O_NONBLOCK)
			return ret ? ret : -EAGAIN;
		if (signal_pending())
			return ret ? ret : -ERESTARTSYS;
		/* Let the readers drain what is there before sleeping for room. */
		mutex_unlock(&p->lock);
		if (*was_empty)
			pipe_wake_readers(p, POLLIN | POLLRDNORM);
		(void)pipe_wait_on(p, &p->wr_wait, pipe_writable, 0);
		mutex_lock(&p->lock);
		*was_empty = pipe_empty(p);
	}
}

static long pipe_write(struct file *f, struct uio *u, int64_t *pos)
{
	struct pipe *p = f->priv;
	bool was_empty, sigpipe = false;
	long ret;

	(void)pos;
	if (!u->resid)
		return 0;
	mutex_lock(&p->lock);
	was_empty = pipe_empty(p);
	ret = pipe_write_locked(f, p, u, &was_empty, &sigpipe);
	mutex_unlock(&p->lock);
	if (ret > 0 && (was_empty || __atomic_load_n(&p->polled, __ATOMIC_RELAXED)))
		pipe_wake_readers(p, POLLIN | POLLRDNORM);
	if (sigpipe)
		pipe_sigpipe();
	return ret;
}

static unsigned pipe_poll(struct file *f, struct poll_table *pt)
{
	struct pipe *p = f->priv;
	unsigned mask = 0;

	if (pt)
		__atomic_store_n(&p->polled, true, __ATOMIC_RELAXED);
	if (f->fmode & FMODE_READ)
		poll_wait(pt, &p->rd_wait);
	if (f->fmode & FMODE_WRITE)
		poll_wait(pt, &p->wr_wait);
	if (f->fmode & FMODE_READ) {
		if (!pipe_empty(p))
			mask |= POLLIN | POLLRDNORM;
		/* A FIFO reader that has never seen a writer is not hung up (f->pos: fifo.c). */
		if (!ld(&p->writers) && (uint64_t)f->pos != ld(&p->w_counter))
			mask |= POLLHUP;
	}
	if (f->fmode & FMODE_WRITE) {
		if (!pipe_full(p))
			mask |= POLLOUT | POLLWRNORM;
		if (!ld(&p->readers))
			mask |= POLLERR;
	}
	return mask;
}

/* Count an end of @p off; true when it was the last. Wakes the other side otherwise. */
static bool pipe_end_drop_locked(struct pipe *p, unsigned fmode) __must_hold(&p->lock)
{
	if (fmode & FMODE_READ)
		st(&p->readers, p->readers - 1);
	if (fmode & FMODE_WRITE)
		st(&p->writers, p->writers - 1);
	if (!p->readers && !p->writers)
		return true;
	/* Under the lock: once it is dropped, the other end may free the pipe. */
	pipe_wake_readers(p, POLLIN | POLLHUP);
	pipe_wake_writers(p, POLLOUT | POLLERR);
	return false;
}

/* A FIFO's end: the last one detaches the pipe from the inode under its lock. */
static void pipe_fifo_end_put(struct inode *ino, struct pipe *p, unsigned fmode)
{
	bool gone;

	mutex_lock(&ino->lock);
	mutex_lock(&p->lock);
	gone = pipe_end_drop_locked(p, fmode);
	if (gone)
		ino->pipe = NULL;
	mutex_unlock(&p->lock);
	mutex_unlock(&ino->lock);
	if (gone)
		pipe_free(p);
}

void pipe_end_put(struct pipe *p, unsigned fmode)
{
	bool gone;

	if (p->fifo) {
		pipe_fifo_end_put(p->fifo, p, fmode);
		return;
	}
	mutex_lock(&p->lock);
	gone = pipe_end_drop_locked(p, fmode);
	mutex_unlock(&p->lock);
	if (gone)
		pipe_free(p);
}

static void pipe_release(struct file *f)
{
	if (f->priv) /* NULL: a FIFO open that failed */
		pipe_end_put(f->priv, f->fmode & (FMODE_READ | FMODE_WRITE));
}

/* FIONREAD: the bytes waiting. */
static long pipe_ioctl(struct file *f, unsigned cmd, uintptr_t arg)
{
	struct pipe *p = f->priv;
	int n = 0;

	if (cmd != LINUX_FIONREAD)
		return -ENOTTY;
	mutex_lock(&p->lock);
	for (unsigned i = p->tail; i != p->head; i++)
		n += (int)p->bufs[i & (p->nslots - 1)].len;
	mutex_unlock(&p->lock);
	return copy_to_user((void *)arg, &n, sizeof(n)) ? -EFAULT : 0;
}

const struct file_ops pipe_fops = {
	.release = pipe_release,
	.read = pipe_read,
	.write = pipe_write,
	.ioctl = pipe_ioctl,
	.poll = pipe_poll,
};

const struct file_ops pipe_fifo_fops = {
	.open = pipe_fifo_open,
	.release = pipe_release,
	.read = pipe_read,
	.write = pipe_write,
	.ioctl = pipe_ioctl,
	.poll = pipe_poll,
};
