// SPDX-License-Identifier: MIT
/*
 * TEMPORARY: weak stand-ins for the vfs lane's open files, descriptor
 * table and uio, so the pipe lane's code links and its kernel tests run
 * before h-vfs lands. The real definitions replace every one of these;
 * this file is deleted when h-vfs is merged.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>

#include <lib/string.h>

#include "fs/epoll.h"
#include "fs/file.h"
#include "mm/heap.h"
#include "mm/uaccess.h"

#define STANDIN_FDS 64

static struct spinlock standin_lock = SPINLOCK_INIT("pipe.standin");
static struct file *standin_fds[STANDIN_FDS];

__attribute__((weak)) void file_get(struct file *f)
{
	__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
}

__attribute__((weak)) void file_put(struct file *f)
{
	if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (f->ep)
		eventpoll_release(f);
	if (f->ops && f->ops->release)
		f->ops->release(f);
	kfree(f);
}

__attribute__((weak)) struct file *file_alloc_anon(const struct file_ops *ops, void *priv,
                                                   unsigned oflags, uint32_t mode, const char *name)
{
	struct file *f = kmalloc_flags(sizeof(*f), KM_ZERO | KM_MAY_FAIL);

	(void)mode;
	(void)name;
	if (!f)
		return ERR_PTR_VAL(-ENOMEM);
	f->ops = ops;
	f->priv = priv;
	f->refs = 1;
	f->flags = oflags & ~(unsigned)O_ACCMODE;
	f->fmode = (oflags & O_ACCMODE) == O_RDONLY   ? FMODE_READ
	           : (oflags & O_ACCMODE) == O_WRONLY ? FMODE_WRITE
	                                              : FMODE_READ | FMODE_WRITE;
	mutex_init(&f->pos_lock, "file.pos");
	return f;
}

__attribute__((weak)) struct fdtable *fdtable_current(void)
{
	return NULL;
}

__attribute__((weak)) int fd_install(struct fdtable *t, struct file *f, int min, bool cloexec)
{
	uint64_t flags = spin_lock_irqsave(&standin_lock);

	(void)t;
	(void)cloexec;
	for (int fd = min < 3 ? 3 : min; fd < STANDIN_FDS; fd++) {
		if (!standin_fds[fd]) {
			standin_fds[fd] = f;
			spin_unlock_irqrestore(&standin_lock, flags);
			return fd;
		}
	}
	spin_unlock_irqrestore(&standin_lock, flags);
	return -EMFILE;
}

__attribute__((weak)) struct file *fd_get(int fd)
{
	uint64_t flags = spin_lock_irqsave(&standin_lock);
	struct file *f = fd >= 0 && fd < STANDIN_FDS ? standin_fds[fd] : NULL;

	if (f)
		file_get(f);
	spin_unlock_irqrestore(&standin_lock, flags);
	return f;
}

__attribute__((weak)) int fd_close(struct fdtable *t, int fd)
{
	uint64_t flags = spin_lock_irqsave(&standin_lock);
	struct file *f = fd >= 0 && fd < STANDIN_FDS ? standin_fds[fd] : NULL;

	(void)t;
	if (f)
		standin_fds[fd] = NULL;
	spin_unlock_irqrestore(&standin_lock, flags);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

__attribute__((weak)) void uio_init1(struct uio *u, struct uio_seg *seg, uintptr_t base, size_t len,
                                     bool user)
{
	seg->base = base;
	seg->len = len;
	*u = (struct uio){ .seg = seg, .nseg = 1, .off = 0, .resid = len, .user = user };
}

static size_t standin_copy(struct uio *u, void *k, size_t n, bool out)
{
	size_t done = 0;

	if (n > u->resid)
		n = u->resid;
	if (!n)
		return 0;
	char *p = (char *)(u->seg->base + u->off);

	if (u->user) {
		int err = out ? copy_to_user(p, k, n) : copy_from_user(k, p, n);

		if (err)
			return 0;
	} else if (out) {
		memcpy(p, k, n);
	} else {
		memcpy(k, p, n);
	}
	done = n;
	u->off += done;
	u->resid -= done;
	return done;
}

__attribute__((weak)) size_t uio_copy_out(struct uio *u, const void *src, size_t n)
{
	return standin_copy(u, (void *)src, n, true);
}

__attribute__((weak)) size_t uio_copy_in(struct uio *u, void *dst, size_t n)
{
	return standin_copy(u, dst, n, false);
}

__attribute__((weak)) long kernel_read(struct file *f, void *buf, size_t n, int64_t *pos)
{
	struct uio_seg seg;
	struct uio u;

	uio_init1(&u, &seg, (uintptr_t)buf, n, false);
	return f->ops->read(f, &u, pos);
}

__attribute__((weak)) long kernel_write(struct file *f, const void *buf, size_t n, int64_t *pos)
{
	struct uio_seg seg;
	struct uio u;

	uio_init1(&u, &seg, (uintptr_t)buf, n, false);
	return f->ops->write(f, &u, pos);
}
