// SPDX-License-Identifier: MIT
/*
 * Making pipes and sizing them: pipe_create() (two anonymous files on one
 * pipe), the pipe and pipe2 system calls, and fcntl's F_GETPIPE_SZ and
 * F_SETPIPE_SZ, which move the ring into a new array of slots. The ring
 * itself is in pipe.c. Semantics: docs/pipes-poll.md.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/poll.h>
#include <cairn/linux/stat.h>

#include <arch/page.h>

#include "fs/file.h"
#include "fs/internal.h"
#include "fs/pipe.h"
#include "fs/pipe_internal.h"
#include "fs/poll.h"
#include "mm/heap.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "syscall/syscall.h"

static unsigned ld(const unsigned *v)
{
	return __atomic_load_n(v, __ATOMIC_RELAXED);
}

static void st(unsigned *v, unsigned x)
{
	__atomic_store_n(v, x, __ATOMIC_RELAXED);
}

bool file_is_pipe(const struct file *f)
{
	return f->ops == &pipe_fops || f->ops == &pipe_fifo_fops;
}

/*
 * Both ends are files on one anonymous S_IFIFO inode whose pipe this is,
 * as Linux's pipefs has it: the pipe then lives and dies as a FIFO's
 * (p->fifo, ino->pipe), and opening the inode again through
 * /proc/PID/fd/N is a FIFO open of this very pipe (fifo.c).
 */
int pipe_create(struct file **rd, struct file **wr, int flags)
{
	struct pipe *p = pipe_alloc();
	int st_flags = flags & (O_NONBLOCK | O_DIRECT);
	struct cred c;

	if (!p)
		return -ENOMEM;
	*rd = file_alloc_anon(&pipe_fops, NULL, O_RDONLY | st_flags, S_IFIFO | 0600, "pipe");
	if (IS_ERR_PTR(*rd)) {
		pipe_free(p);
		return (int)PTR_ERR_VAL(*rd);
	}
	*wr = file_alloc(&(*rd)->path, &pipe_fops, O_WRONLY | st_flags);
	if (!*wr) {
		file_put(*rd); /* no pipe on it yet: its release does nothing */
		pipe_free(p);
		return -ENOMEM;
	}
	/* The inode is the caller's, as Linux's pipefs makes it (a reopen checks it). */
	fs_cred(&c);
	(*rd)->inode->uid = c.fsuid;
	(*rd)->inode->gid = c.fsgid;
	/* Published only now: nobody can reach the inode before this returns. */
	p->readers = p->writers = 1;
	p->r_counter = p->w_counter = 1;
	p->fifo = (*rd)->inode;
	(*rd)->inode->pipe = p;
	(*rd)->priv = p;
	(*wr)->priv = p;
	return 0;
}

/* ---- F_GETPIPE_SZ / F_SETPIPE_SZ ---- */

static bool pipe_privileged(void)
{
	struct process *me = process_current();

	return !me || __atomic_load_n(&me->cred.euid, __ATOMIC_RELAXED) == 0;
}

/* Move the ring into @nslots slots (a power of two holding what is there). */
static void pipe_resize_locked(struct pipe *p, struct pipe_buf *bufs, unsigned nslots)
	__must_hold(&p->lock)
{
	unsigned used = p->head - p->tail;

	for (unsigned i = 0; i < used; i++)
		bufs[i] = p->bufs[(p->tail + i) & (p->nslots - 1)];
	kfree(p->bufs);
	p->bufs = bufs;
	st(&p->tail, 0);
	st(&p->head, used);
	st(&p->nslots, nslots);
}

static long pipe_set_size(struct pipe *p, unsigned long arg)
{
	unsigned long pages = 1;
	struct pipe_buf *bufs;
	long ret;

	if (arg > (1ul << 31))
		return -EINVAL;
	while (pages * PAGE_SIZE < arg)
		pages <<= 1;
	if (pages * PAGE_SIZE > PIPE_MAX_SIZE && !pipe_privileged())
		return -EPERM;
	bufs = kmalloc_flags(pages * sizeof(*bufs), KM_MAY_FAIL | KM_ZERO);
	if (!bufs)
		return -ENOMEM;
	mutex_lock(&p->lock);
	if (p->head - p->tail > pages) {
		ret = -EBUSY;
		kfree(bufs);
	} else {
		pipe_resize_locked(p, bufs, (unsigned)pages);
		ret = (long)(pages * PAGE_SIZE);
	}
	mutex_unlock(&p->lock);
	/* More room now: writers waiting for it may go on. */
	pipe_wake_writers(p, POLLOUT | POLLWRNORM);
	return ret;
}

long pipe_fcntl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct pipe *p;

	if (!file_is_pipe(f))
		return -EBADF;
	p = f->priv;
	if (cmd == F_GETPIPE_SZ)
		return (long)ld(&p->nslots) * PAGE_SIZE;
	if (cmd == F_SETPIPE_SZ)
		return pipe_set_size(p, arg);
	return -EINVAL;
}

/* ---- pipe and pipe2 ---- */

/* Undo an fd_install() of the call (the descriptor is certainly open). */
static void pipe_unfd(struct fdtable *t, int fd)
{
	int err = fd_close(t, fd);

	(void)err;
}

long sys_pipe2(uint64_t ufds, uint64_t flags, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct fdtable *t = fdtable_current();
	bool cloexec = flags & O_CLOEXEC;
	struct file *rd, *wr;
	int fds[2];
	long err;

	if (flags & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	err = pipe_create(&rd, &wr, (int)flags);
	if (err)
		return err;
	fds[0] = fd_install(t, rd, 0, cloexec);
	if (fds[0] < 0) {
		file_put(rd);
		file_put(wr);
		return fds[0];
	}
	fds[1] = fd_install(t, wr, 0, cloexec);
	if (fds[1] < 0) {
		pipe_unfd(t, fds[0]);
		file_put(wr);
		return fds[1];
	}
	if (copy_to_user((void *)ufds, fds, sizeof(fds))) {
		pipe_unfd(t, fds[0]);
		pipe_unfd(t, fds[1]);
		return -EFAULT;
	}
	return 0;
}

long sys_pipe(uint64_t ufds, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return sys_pipe2(ufds, 0, 0, 0, 0, 0);
}
