/* SPDX-License-Identifier: MIT */
/*
 * open, openat, creat, close and the byte calls: read, write, pread64,
 * pwrite64, readv, writev, preadv, pwritev, preadv2, pwritev2, lseek and
 * sendfile, on the calling process's descriptor table. The VFS
 * (fs/file.c) checks the access mode, takes the position lock and keeps
 * O_APPEND atomic; here the arguments are checked and the I/O vectors
 * copied in.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "syscall/internal.h"
#include "syscall/sys_fs.h"

#define MAX_RW_COUNT  0x7ffff000 /* Linux's cap on one read or write: INT_MAX, page aligned */
#define IOV_MAX       1024       /* Linux's UIO_MAXIOV */
#define SENDFILE_STEP 65536u     /* bytes moved per round of sendfile */

struct iovec {
	uint64_t base; /* user address */
	uint64_t len;  /* bytes */
};

struct file *fd_get_io(int fd)
{
	struct file *f = fd_get(fd);

	/* An O_PATH descriptor names a place, not something to read or write. */
	if (f && (f->fmode & FMODE_PATH)) {
		file_put(f);
		return NULL;
	}
	return f;
}

static long open_at(int dirfd, uint64_t upath, uint64_t flags, uint64_t mode)
{
	char *name = vfs_getname(upath, false);
	struct file *f;
	long fd;

	if (IS_ERR_PTR(name))
		return PTR_ERR_VAL(name);
	if (((int)flags & O_TMPFILE) == O_TMPFILE) {
		kfree(name);
		return -ENOTSUP;
	}
	f = vfs_open(dirfd, name, (int)flags, (uint32_t)mode & 07777u);
	kfree(name);
	if (IS_ERR_PTR(f))
		return PTR_ERR_VAL(f);
	fd = fd_install(fdtable_current(), f, 0, (int)flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_open(uint64_t path, uint64_t flags, uint64_t mode, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return open_at(AT_FDCWD, path, flags, mode);
}

long sys_openat(uint64_t dirfd, uint64_t path, uint64_t flags, uint64_t mode, uint64_t a4,
                uint64_t a5)
{
	return open_at((int)dirfd, path, flags, mode);
}

long sys_creat(uint64_t path, uint64_t mode, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return open_at(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

long sys_close(uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return fd_close(fdtable_current(), (int)fd);
}

/* One read or write of @u through @fd at @ppos (NULL: the file's position). */
static long rw_fd(uint64_t fd, struct uio *u, int64_t *ppos, bool write)
{
	struct file *f = fd_get_io((int)fd);
	long n;

	if (!f)
		return -EBADF;
	if (ppos && !(f->fmode & FMODE_LSEEK))
		n = -ESPIPE;
	else
		n = write ? vfs_write(f, u, ppos) : vfs_read(f, u, ppos);
	file_put(f);
	return n;
}

static long rw_buf(uint64_t fd, uint64_t buf, uint64_t count, int64_t *ppos, bool write)
{
	struct uio_seg seg;
	struct uio u;

	if (count > MAX_RW_COUNT)
		count = MAX_RW_COUNT;
	/* Linux's access_ok(): a buffer outside user space fails before anything waits. */
	if (!user_range_ok(buf, count))
		return -EFAULT;
	uio_init1(&u, &seg, buf, count, true);
	return rw_fd(fd, &u, ppos, write);
}

long sys_read(uint64_t fd, uint64_t buf, uint64_t count, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return rw_buf(fd, buf, count, NULL, false);
}

long sys_write(uint64_t fd, uint64_t buf, uint64_t count, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return rw_buf(fd, buf, count, NULL, true);
}

long sys_pread64(uint64_t fd, uint64_t buf, uint64_t count, uint64_t pos, uint64_t a4, uint64_t a5)
{
	int64_t p = (int64_t)pos;

	if (p < 0)
		return -EINVAL;
	return rw_buf(fd, buf, count, &p, false);
}

long sys_pwrite64(uint64_t fd, uint64_t buf, uint64_t count, uint64_t pos, uint64_t a4, uint64_t a5)
{
	int64_t p = (int64_t)pos;

	if (p < 0)
		return -EINVAL;
	return rw_buf(fd, buf, count, &p, true);
}

/*
 * Copy @cnt iovecs in and build a uio over them (*@segs: kfree it). The
 * total is capped at MAX_RW_COUNT as Linux caps it; a negative length or
 * a sum past SSIZE_MAX is EINVAL.
 */
static long iov_in(uint64_t uiov, uint64_t cnt, struct uio *u, struct uio_seg **segs)
{
	struct iovec *iov;
	uint64_t total = 0;

	*segs = NULL;
	if ((int)cnt < 0 || (int)cnt > IOV_MAX)
		return -EINVAL;
	iov = kmalloc(((size_t)(int)cnt ? (size_t)(int)cnt : 1) * sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	if (copy_from_user(iov, (const void *)uiov, (size_t)(int)cnt * sizeof(*iov))) {
		kfree(iov);
		return -EFAULT;
	}
	/* struct iovec and struct uio_seg have the same two words. */
	_Static_assert(sizeof(struct iovec) == sizeof(struct uio_seg), "iovec is a uio_seg");
	for (int i = 0; i < (int)cnt; i++) {
		if ((int64_t)iov[i].len < 0 || total + iov[i].len > (uint64_t)INT64_MAX) {
			kfree(iov);
			return -EINVAL;
		}
		if (!user_range_ok(iov[i].base, iov[i].len)) {
			kfree(iov);
			return -EFAULT;
		}
		if (total + iov[i].len > MAX_RW_COUNT)
			iov[i].len = MAX_RW_COUNT - total;
		total += iov[i].len;
	}
	*segs = (struct uio_seg *)iov;
	*u = (struct uio){ .seg = *segs, .nseg = (unsigned)(int)cnt, .resid = total, .user = true };
	return 0;
}

static long rw_vec(uint64_t fd, uint64_t uiov, uint64_t cnt, int64_t *ppos, bool write)
{
	struct uio_seg *segs;
	struct uio u;
	long n = iov_in(uiov, cnt, &u, &segs);

	if (n)
		return n;
	n = rw_fd(fd, &u, ppos, write);
	kfree(segs);
	return n;
}

long sys_readv(uint64_t fd, uint64_t iov, uint64_t cnt, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return rw_vec(fd, iov, cnt, NULL, false);
}

long sys_writev(uint64_t fd, uint64_t iov, uint64_t cnt, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return rw_vec(fd, iov, cnt, NULL, true);
}

/* preadv/pwritev: x86_64 passes the whole offset in the low word. */
static long rw_vec_at(uint64_t fd, uint64_t iov, uint64_t cnt, uint64_t pos, bool write)
{
	int64_t p = (int64_t)pos;

	if (p < 0)
		return -EINVAL;
	return rw_vec(fd, iov, cnt, &p, write);
}

long sys_preadv(uint64_t fd, uint64_t iov, uint64_t cnt, uint64_t pos, uint64_t a4, uint64_t a5)
{
	return rw_vec_at(fd, iov, cnt, pos, false);
}

long sys_pwritev(uint64_t fd, uint64_t iov, uint64_t cnt, uint64_t pos, uint64_t a4, uint64_t a5)
{
	return rw_vec_at(fd, iov, cnt, pos, true);
}

/* preadv2/pwritev2: offset -1 means the file's position; no RWF_* flag is supported. */
static long rw_vec2(uint64_t fd, uint64_t iov, uint64_t cnt, uint64_t pos, uint64_t flags,
                    bool write)
{
	if (flags)
		return -ENOTSUP;
	if ((int64_t)pos == -1)
		return rw_vec(fd, iov, cnt, NULL, write);
	return rw_vec_at(fd, iov, cnt, pos, write);
}

long sys_preadv2(uint64_t fd, uint64_t iov, uint64_t cnt, uint64_t pos, uint64_t ph, uint64_t flags)
{
	return rw_vec2(fd, iov, cnt, pos, flags, false);
}

long sys_pwritev2(uint64_t fd, uint64_t iov, uint64_t cnt, uint64_t pos, uint64_t ph,
                  uint64_t flags)
{
	return rw_vec2(fd, iov, cnt, pos, flags, true);
}

long sys_lseek(uint64_t fd, uint64_t off, uint64_t whence, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct file *f = fd_get_io((int)fd);
	int64_t r;

	if (!f)
		return -EBADF;
	if (!(f->fmode & FMODE_LSEEK)) {
		file_put(f);
		return -ESPIPE;
	}
	if ((unsigned)whence > SEEK_HOLE) {
		file_put(f);
		return -EINVAL;
	}
	mutex_lock(&f->pos_lock);
	if (f->ops && f->ops->llseek)
		r = f->ops->llseek(f, (int64_t)off, (int)whence);
	else
		r = vfs_generic_llseek(f, (int64_t)off, (int)whence);
	if (r >= 0)
		f->pos = r;
	mutex_unlock(&f->pos_lock);
	file_put(f);
	return r;
}
