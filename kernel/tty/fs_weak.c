// SPDX-License-Identifier: MIT
/*
 * Stand-ins for the VFS functions the terminal files use, for as long as
 * the branches that define them (kernel/fs: the vfs, devfs and pipe lanes
 * of issue 12) are not merged: weak, so their definitions replace these.
 * They do the least that keeps a kernel without a VFS booting: no char
 * devices, no nodes, no anonymous files, polls that never sleep. The uio
 * copies are complete, for the tests that call the file operations
 * directly. Delete this file once kernel/fs has them all.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "fs/file.h"
#include "fs/poll.h"
#include "mm/uaccess.h"
#include "tty/internal.h"

__attribute__((weak)) int chrdev_register(unsigned major, unsigned minor, unsigned count,
                                          const struct file_ops *fops)
{
	return -ENOSYS;
}

__attribute__((weak)) int devfs_add_node(const char *name, uint32_t mode, uint32_t rdev)
{
	return -ENOSYS;
}

__attribute__((weak)) struct file *vfs_open(int dirfd, const char *path, int flags, uint32_t mode)
{
	return ERR_PTR_VAL(-ENOENT);
}

__attribute__((weak)) void file_put(struct file *f)
{
}

__attribute__((weak)) struct file *file_alloc_anon(const struct file_ops *ops, void *priv,
                                                   unsigned oflags, uint32_t mode, const char *name)
{
	return ERR_PTR_VAL(-ENOSYS);
}

__attribute__((weak)) void poll_wait(struct poll_table *pt, struct waitq *wq)
{
}

__attribute__((weak)) void uio_init1(struct uio *u, struct uio_seg *seg, uintptr_t base, size_t len,
                                     bool user)
{
	seg->base = base;
	seg->len = len;
	u->seg = seg;
	u->nseg = 1;
	u->off = 0;
	u->resid = len;
	u->user = user;
}

/* Move up to @n bytes between @k and the single-segment uio @u; @out: kernel to buffers. */
static size_t uio_move1(struct uio *u, void *k, size_t n, bool out)
{
	uintptr_t at;
	int err = 0;

	if (n > u->resid)
		n = u->resid;
	if (!n)
		return 0;
	at = u->seg->base + u->off;
	if (u->user)
		err = out ? copy_to_user((void *)at, k, n) : copy_from_user(k, (const void *)at, n);
	else if (out)
		memcpy((void *)at, k, n);
	else
		memcpy(k, (const void *)at, n);
	if (err)
		return 0;
	u->off += n;
	u->resid -= n;
	return n;
}

__attribute__((weak)) size_t uio_copy_out(struct uio *u, const void *src, size_t n)
{
	return uio_move1(u, (void *)src, n, true);
}

__attribute__((weak)) size_t uio_copy_in(struct uio *u, void *dst, size_t n)
{
	return uio_move1(u, dst, n, false);
}
