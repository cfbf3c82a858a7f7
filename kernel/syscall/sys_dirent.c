/* SPDX-License-Identifier: MIT */
/*
 * getdents64 and getdents: a directory's entries as Linux lays them out.
 * Records are built in a kernel buffer while the file system iterates (it
 * may hold its directory lock), and copied out once at the end. Each
 * record's d_off is the cookie of the entry after it, which is only known
 * when the next one is offered, so it is filled in one record late.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "syscall/internal.h"

#define DIRENT_BUF_MAX 65536u /* bytes built per call at most */

struct dirent_ctx {
	struct dir_ctx ctx; /* first: the emit callback gets this back */
	struct file *f;
	char *buf;
	size_t cap, used;
	size_t prev;    /* offset of the last record (its d_off is pending) */
	bool any;       /* a record was written */
	bool old;       /* linux_dirent rather than linux_dirent64 */
	bool too_small; /* the first entry offered did not fit */
};

/* struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, name. */
#define D64_NAME 19u
/* struct linux_dirent: ulong ino, ulong off, u16 reclen, name, NUL, pad, u8 type last. */
#define D_NAME   18u

static size_t align8(size_t n)
{
	return (n + 7u) & ~(size_t)7u;
}

static void put_off(struct dirent_ctx *c, size_t rec, int64_t off)
{
	memcpy(c->buf + rec + 8, &off, sizeof(off));
}

static bool dirent_emit(struct dir_ctx *ctx, const char *name, size_t len, uint64_t ino,
                        unsigned dtype)
{
	struct dirent_ctx *c = (struct dirent_ctx *)ctx;
	size_t reclen = align8((c->old ? D_NAME + 2 : D64_NAME + 1) + len);
	char *r = c->buf + c->used;
	uint16_t rl = (uint16_t)reclen;

	if (c->used + reclen > c->cap) {
		c->too_small = !c->any;
		return false;
	}
	if (c->any)
		put_off(c, c->prev, c->f->pos);
	memset(r, 0, reclen);
	memcpy(r, &ino, sizeof(ino));
	memcpy(r + 16, &rl, sizeof(rl));
	if (c->old) {
		memcpy(r + D_NAME, name, len);
		r[reclen - 1] = (char)dtype;
	} else {
		r[18] = (char)dtype;
		memcpy(r + D64_NAME, name, len);
	}
	c->prev = c->used;
	c->used += reclen;
	c->any = true;
	return true;
}

static long getdents_common(uint64_t fd, uint64_t dirp, uint64_t count, bool old)
{
	struct dirent_ctx c = { .ctx.emit = dirent_emit, .old = old };
	struct file *f = fd_get((int)fd);
	long err;

	if (!f)
		return -EBADF;
	if (!f->ops || !f->ops->iterate) {
		file_put(f);
		return -ENOTDIR;
	}
	c.f = f;
	c.cap = (unsigned)count < DIRENT_BUF_MAX ? (unsigned)count : DIRENT_BUF_MAX;
	c.buf = kmalloc(c.cap ? c.cap : 1);
	if (!c.buf) {
		file_put(f);
		return -ENOMEM;
	}
	mutex_lock(&f->pos_lock);
	err = f->ops->iterate(f, &c.ctx);
	if (c.any)
		put_off(&c, c.prev, f->pos);
	mutex_unlock(&f->pos_lock);
	file_put(f);
	/* Not even one entry fitted though there was one: the buffer is too small. */
	if (!err && c.too_small)
		err = -EINVAL;
	if (!err && c.used && copy_to_user((void *)dirp, c.buf, c.used))
		err = -EFAULT;
	kfree(c.buf);
	return err ? err : (long)c.used;
}

long sys_getdents64(uint64_t fd, uint64_t dirp, uint64_t count, uint64_t a3, uint64_t a4,
                    uint64_t a5)
{
	return getdents_common(fd, dirp, count, false);
}

long sys_getdents(uint64_t fd, uint64_t dirp, uint64_t count, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return getdents_common(fd, dirp, count, true);
}
