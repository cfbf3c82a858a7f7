/* SPDX-License-Identifier: MIT */
/*
 * The attribute calls: chmod, chown, utimensat and their relatives,
 * truncate and ftruncate, umask, and access/faccessat (checked with the
 * real ids unless AT_EACCESS, as access(2) asks).
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>
#include <cairn/linux/time.h>

#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "proc/proc.h"
#include "syscall/internal.h"
#include "syscall/sys_fs.h"

#define NSEC_MAX 999999999l

/* The path of @dirfd/@upath, or of the descriptor @dirfd when @upath is 0 (futimens). */
static long attr_target(int dirfd, uint64_t upath, unsigned lf, struct path *out)
{
	struct file *f;

	if (upath)
		return user_walk(dirfd, upath, lf, out);
	f = fd_get(dirfd);
	if (!f)
		return -EBADF;
	*out = f->path;
	path_get(out);
	file_put(f);
	return 0;
}

static long fd_path(uint64_t fd, struct path *out)
{
	return attr_target((int)fd, 0, 0, out);
}

static long chmod_path(long err, struct path *p, uint64_t mode)
{
	if (err)
		return err;
	err = vfs_chmod(p, (uint32_t)mode);
	path_put(p);
	return err;
}

long sys_chmod(uint64_t path, uint64_t mode, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct path p;

	return chmod_path(user_walk(AT_FDCWD, path, LOOKUP_FOLLOW, &p), &p, mode);
}

long sys_fchmod(uint64_t fd, uint64_t mode, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct path p;

	return chmod_path(fd_path(fd, &p), &p, mode);
}

long sys_fchmodat(uint64_t dirfd, uint64_t path, uint64_t mode, uint64_t a3, uint64_t a4,
                  uint64_t a5)
{
	struct path p;

	return chmod_path(user_walk((int)dirfd, path, LOOKUP_FOLLOW, &p), &p, mode);
}

long sys_fchmodat2(uint64_t dirfd, uint64_t path, uint64_t mode, uint64_t flags, uint64_t a4,
                   uint64_t a5)
{
	unsigned lf = LOOKUP_FOLLOW;
	struct path p;
	long err;

	if ((int)flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((int)flags & AT_SYMLINK_NOFOLLOW)
		lf = 0;
	if ((int)flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	err = user_walk((int)dirfd, path, lf, &p);
	if (!err && S_ISLNK(p.dentry->inode->mode)) {
		/* Linux: a link's own mode cannot change. */
		path_put(&p);
		return -ENOTSUP;
	}
	return chmod_path(err, &p, mode);
}

static long chown_path(long err, struct path *p, uint64_t uid, uint64_t gid)
{
	if (err)
		return err;
	err = vfs_chown(p, (uint32_t)uid, (uint32_t)gid);
	path_put(p);
	return err;
}

long sys_chown(uint64_t path, uint64_t uid, uint64_t gid, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct path p;

	return chown_path(user_walk(AT_FDCWD, path, LOOKUP_FOLLOW, &p), &p, uid, gid);
}

long sys_lchown(uint64_t path, uint64_t uid, uint64_t gid, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct path p;

	return chown_path(user_walk(AT_FDCWD, path, 0, &p), &p, uid, gid);
}

long sys_fchown(uint64_t fd, uint64_t uid, uint64_t gid, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct path p;

	return chown_path(fd_path(fd, &p), &p, uid, gid);
}

long sys_fchownat(uint64_t dirfd, uint64_t path, uint64_t uid, uint64_t gid, uint64_t flags,
                  uint64_t a5)
{
	unsigned lf = LOOKUP_FOLLOW;
	struct path p;

	if ((int)flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((int)flags & AT_SYMLINK_NOFOLLOW)
		lf = 0;
	if ((int)flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	return chown_path(user_walk((int)dirfd, path, lf, &p), &p, uid, gid);
}

long sys_umask(uint64_t mask, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return fs_set_umask(fs_context_current(), (uint32_t)mask & 0777u);
}

static long access_at(int dirfd, uint64_t upath, uint64_t mode, int flags)
{
	struct cred c = current_cred();
	unsigned lf = LOOKUP_FOLLOW;
	struct inode *ino;
	struct path p;
	char *name;
	long err;

	if ((unsigned)mode & ~7u)
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (flags & AT_SYMLINK_NOFOLLOW)
		lf = 0;
	if (flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	/* access(2) asks about the real ids: the walk and the check both use them. */
	if (!(flags & AT_EACCESS)) {
		c.fsuid = c.uid;
		c.fsgid = c.gid;
	}
	name = vfs_getname(upath, flags & AT_EMPTY_PATH);
	if (IS_ERR_PTR(name))
		return PTR_ERR_VAL(name);
	err = vfs_walk_as(dirfd, name, lf, &p, &c);
	kfree(name);
	if (err)
		return err;
	ino = p.dentry->inode;
	if ((mode & W_OK) && mnt_readonly(p.mnt) &&
	    (S_ISREG(ino->mode) || S_ISDIR(ino->mode) || S_ISLNK(ino->mode)))
		err = -EROFS;
	else if (mode)
		err = inode_permission_as(ino, (unsigned)mode, &c);
	path_put(&p);
	return err;
}

long sys_access(uint64_t path, uint64_t mode, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return access_at(AT_FDCWD, path, mode, 0);
}

long sys_faccessat(uint64_t dirfd, uint64_t path, uint64_t mode, uint64_t a3, uint64_t a4,
                   uint64_t a5)
{
	return access_at((int)dirfd, path, mode, 0);
}

long sys_faccessat2(uint64_t dirfd, uint64_t path, uint64_t mode, uint64_t flags, uint64_t a4,
                    uint64_t a5)
{
	return access_at((int)dirfd, path, mode, (int)flags);
}

/* One utimensat time: NULL for UTIME_OMIT, now for UTIME_NOW; *@expl for a given time. */
static long ts_to_time(const struct timespec *ts, struct vfs_time *out, bool *given, bool *expl)
{
	*given = true;
	if (ts->tv_nsec == UTIME_OMIT) {
		*given = false;
		return 0;
	}
	if (ts->tv_nsec == UTIME_NOW) {
		*out = vfs_now();
		return 0;
	}
	if (ts->tv_nsec < 0 || ts->tv_nsec > NSEC_MAX)
		return -EINVAL;
	out->sec = ts->tv_sec;
	out->nsec = (uint32_t)ts->tv_nsec;
	*expl = true;
	return 0;
}

/* Set the times of @p from @ts (NULL: both now). */
static long utimes_path(struct path *p, const struct timespec *ts)
{
	struct vfs_time t[2];
	bool given[2] = { true, true }, expl = false;
	long err = 0;

	if (!ts) {
		t[0] = t[1] = vfs_now();
	} else {
		err = ts_to_time(&ts[0], &t[0], &given[0], &expl);
		if (!err)
			err = ts_to_time(&ts[1], &t[1], &given[1], &expl);
	}
	if (!err && (given[0] || given[1]))
		err = vfs_utimes(p, given[0] ? &t[0] : NULL, given[1] ? &t[1] : NULL, expl);
	path_put(p);
	return err;
}

long sys_utimensat(uint64_t dirfd, uint64_t path, uint64_t times, uint64_t flags, uint64_t a4,
                   uint64_t a5)
{
	struct timespec ts[2];
	unsigned lf = LOOKUP_FOLLOW;
	struct path p;
	long err;

	if ((int)flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (times && copy_from_user(ts, (const void *)times, sizeof(ts)))
		return -EFAULT;
	if ((int)flags & AT_SYMLINK_NOFOLLOW)
		lf = 0;
	if ((int)flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	err = attr_target((int)dirfd, path, lf, &p);
	if (err)
		return err;
	return utimes_path(&p, times ? ts : NULL);
}

/* utimes and futimesat: microsecond times, NULL for now. */
static long timeval_at(int dirfd, uint64_t path, uint64_t utv)
{
	struct timeval tv[2];
	struct timespec ts[2];
	struct path p;
	long err;

	if (utv) {
		if (copy_from_user(tv, (const void *)utv, sizeof(tv)))
			return -EFAULT;
		for (int i = 0; i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec > 999999)
				return -EINVAL;
			ts[i].tv_sec = tv[i].tv_sec;
			ts[i].tv_nsec = tv[i].tv_usec * 1000;
		}
	}
	err = user_walk(dirfd, path, LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	return utimes_path(&p, utv ? ts : NULL);
}

long sys_utimes(uint64_t path, uint64_t times, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return timeval_at(AT_FDCWD, path, times);
}

long sys_futimesat(uint64_t dirfd, uint64_t path, uint64_t times, uint64_t a3, uint64_t a4,
                   uint64_t a5)
{
	return timeval_at((int)dirfd, path, times);
}

long sys_utime(uint64_t path, uint64_t times, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	int64_t ub[2]; /* struct utimbuf: actime, modtime */
	struct timespec ts[2];
	struct path p;
	long err;

	if (times) {
		if (copy_from_user(ub, (const void *)times, sizeof(ub)))
			return -EFAULT;
		ts[0] = (struct timespec){ ub[0], 0 };
		ts[1] = (struct timespec){ ub[1], 0 };
	}
	err = user_walk(AT_FDCWD, path, LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	return utimes_path(&p, times ? ts : NULL);
}

/* The checks of truncate(2) on a walked path, then the size change. */
static long truncate_path(struct path *p, int64_t len)
{
	struct inode *ino = p->dentry->inode;
	long err = 0;

	if (S_ISDIR(ino->mode))
		err = -EISDIR;
	else if (!S_ISREG(ino->mode))
		err = -EINVAL;
	else if (mnt_readonly(p->mnt))
		err = -EROFS;
	else
		err = inode_permission(ino, MAY_WRITE);
	if (!err)
		err = vfs_truncate_inode(ino, len);
	path_put(p);
	return err;
}

long sys_truncate(uint64_t path, uint64_t len, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct path p;
	long err;

	if ((int64_t)len < 0)
		return -EINVAL;
	err = user_walk(AT_FDCWD, path, LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	return truncate_path(&p, (int64_t)len);
}

long sys_ftruncate(uint64_t fd, uint64_t len, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct file *f;
	long err;

	if ((int64_t)len < 0)
		return -EINVAL;
	f = fd_get((int)fd);
	if (!f)
		return -EBADF;
	if (!(f->fmode & FMODE_WRITE) || !S_ISREG(f->inode->mode))
		err = -EINVAL;
	else
		err = vfs_truncate_inode(f->inode, (int64_t)len);
	file_put(f);
	return err;
}
