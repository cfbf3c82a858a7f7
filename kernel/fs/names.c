/* SPDX-License-Identifier: MIT */
/*
 * Operations on names: mknod, mkdir, symlink, link, unlink, rmdir and
 * rename, for the system calls and for kernel callers (initramfs, devfs,
 * tests). Each walks to the parent directory, takes its lock, looks the
 * last name up and checks what POSIX asks before calling the file system.
 * Modes are used as given: the system calls apply the umask first.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include <lib/string.h>

#include "fs/file.h"
#include "fs/internal.h"
#include "fs/vfs.h"

/* Where a name operation works: the locked parent and the dentry of the last name. */
struct name_op {
	struct path dir;
	struct dentry *d;
	const char *last;
	size_t len;
	bool trailing;
};

static bool dot_name(const struct name_op *op)
{
	return op->len == 0 || (op->len == 1 && op->last[0] == '.') ||
	       (op->len == 2 && op->last[0] == '.' && op->last[1] == '.');
}

/* Walk to @path's parent; "", ".", ".." and "/" as the last name give @dot_err. */
static int name_walk(int dirfd, const char *path, int dot_err, struct name_op *op)
{
	int err = vfs_walk_parent(dirfd, path, &op->dir, &op->last, &op->len, &op->trailing);

	op->d = NULL;
	if (err)
		return err;
	if (dot_name(op)) {
		path_put(&op->dir);
		return dot_err;
	}
	return 0;
}

/* Lock the parent and look the name up (positive or negative). */
static int name_lock(struct name_op *op) __acquires(&op->dir.dentry->inode->lock)
{
	struct dentry *d;

	mutex_lock(&op->dir.dentry->inode->lock);
	d = d_lookup_locked(op->dir.dentry, op->last, op->len);
	if (IS_ERR_PTR(d))
		return (int)PTR_ERR_VAL(d);
	op->d = d;
	return 0;
}

static void name_end(struct name_op *op) __releases(&op->dir.dentry->inode->lock)
{
	mutex_unlock(&op->dir.dentry->inode->lock);
	if (op->d)
		dput(op->d);
	path_put(&op->dir);
}

/* Checks shared by the calls that make a new name: it must be free and the dir writable. */
static int name_new_ok(struct name_op *op)
{
	if (op->d->inode)
		return -EEXIST;
	return may_change_dir(&op->dir);
}

int vfs_mknod(int dirfd, const char *path, uint32_t mode, uint32_t rdev)
{
	struct name_op op;
	struct inode *di;
	int err;

	switch (mode & S_IFMT) {
	case 0:
		mode |= S_IFREG;
		break;
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK:
		break;
	case S_IFCHR:
	case S_IFBLK:
		if (fs_fsuid() != 0)
			return -EPERM;
		break;
	case S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
	err = name_walk(dirfd, path, -EEXIST, &op);
	if (err)
		return err;
	err = name_lock(&op);
	if (!err)
		err = name_new_ok(&op);
	if (!err && op.trailing)
		err = -ENOENT;
	di = op.dir.dentry->inode;
	if (!err && S_ISREG(mode))
		err = di->iops && di->iops->create ? di->iops->create(di, op.d, mode) : -EPERM;
	else if (!err)
		err = di->iops && di->iops->mknod ? di->iops->mknod(di, op.d, mode, rdev) : -EPERM;
	name_end(&op);
	return err;
}

int vfs_mkdir(int dirfd, const char *path, uint32_t mode)
{
	struct name_op op;
	struct inode *di;
	int err = name_walk(dirfd, path, -EEXIST, &op);

	if (err)
		return err;
	err = name_lock(&op);
	if (!err)
		err = name_new_ok(&op);
	di = op.dir.dentry->inode;
	if (!err)
		err = di->iops && di->iops->mkdir
		              ? di->iops->mkdir(di, op.d, S_IFDIR | (mode & (07777u)))
		              : -EPERM;
	name_end(&op);
	return err;
}

int vfs_symlink(const char *target, int dirfd, const char *path)
{
	struct name_op op;
	struct inode *di;
	int err;

	if (!target[0])
		return -ENOENT;
	if (strnlen(target, PATH_MAX) >= PATH_MAX)
		return -ENAMETOOLONG;
	err = name_walk(dirfd, path, -EEXIST, &op);
	if (err)
		return err;
	err = name_lock(&op);
	if (!err)
		err = name_new_ok(&op);
	if (!err && op.trailing)
		err = -ENOENT;
	di = op.dir.dentry->inode;
	if (!err)
		err = di->iops && di->iops->symlink ? di->iops->symlink(di, op.d, target) : -EPERM;
	name_end(&op);
	return err;
}

/*
 * Whether @ino still has a name: a deleted file reached through its
 * /proc/PID/fd link or AT_EMPTY_PATH may not get one back (Linux: ENOENT).
 * Read under its lock (after the directory's); an unlink of its last
 * name after this check still races, where Linux holds the lock across.
 */
static bool still_linked(struct inode *ino)
{
	bool linked;

	mutex_lock(&ino->lock);
	linked = ino->nlink > 0;
	mutex_unlock(&ino->lock);
	return linked;
}

int vfs_link(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
             unsigned lookup_flags)
{
	struct path old;
	struct name_op op;
	struct inode *di;
	int err = vfs_walk(olddirfd, oldpath, lookup_flags & (LOOKUP_FOLLOW | LOOKUP_EMPTY), &old);

	if (err)
		return err;
	if (S_ISDIR(old.dentry->inode->mode)) {
		path_put(&old);
		return -EPERM;
	}
	err = name_walk(newdirfd, newpath, -EEXIST, &op);
	if (err) {
		path_put(&old);
		return err;
	}
	err = name_lock(&op);
	if (!err)
		err = name_new_ok(&op);
	if (!err && op.trailing)
		err = -ENOENT;
	if (!err && old.mnt != op.dir.mnt)
		err = -EXDEV;
	if (!err && !still_linked(old.dentry->inode))
		err = -ENOENT;
	di = op.dir.dentry->inode;
	if (!err)
		err = di->iops && di->iops->link ? di->iops->link(old.dentry, di, op.d) : -EPERM;
	name_end(&op);
	path_put(&old);
	return err;
}

/* The checks of unlink and rmdir on a victim @d of the locked @dir. */
static int may_delete(struct name_op *op, bool want_dir)
{
	struct inode *vi = op->d->inode;
	int err;

	if (!vi)
		return -ENOENT;
	if (want_dir && !S_ISDIR(vi->mode))
		return -ENOTDIR;
	if (!want_dir && S_ISDIR(vi->mode))
		return -EISDIR;
	if (!want_dir && op->trailing)
		return -ENOTDIR;
	err = may_change_dir(&op->dir);
	if (err)
		return err;
	if (!may_delete_sticky(op->dir.dentry->inode, vi))
		return -EPERM;
	if (op->d->flags & DENTRY_MOUNTED)
		return -EBUSY;
	return 0;
}

int vfs_unlink(int dirfd, const char *path)
{
	struct name_op op;
	struct inode *di;
	int err = name_walk(dirfd, path, -EISDIR, &op);

	if (err)
		return err;
	err = name_lock(&op);
	if (!err)
		err = may_delete(&op, false);
	di = op.dir.dentry->inode;
	if (!err)
		err = di->iops && di->iops->unlink ? di->iops->unlink(di, op.d) : -EPERM;
	if (!err)
		d_drop(op.d);
	name_end(&op);
	return err;
}

int vfs_rmdir(int dirfd, const char *path)
{
	struct name_op op = { .len = 1 };
	struct inode *di;
	int err = name_walk(dirfd, path, -EINVAL, &op);

	/* Linux: rmdir of ".." says ENOTEMPTY, of "/" EBUSY, of "." EINVAL. */
	if (err == -EINVAL && op.len == 2)
		err = -ENOTEMPTY;
	else if (err == -EINVAL && op.len == 0)
		err = -EBUSY;
	if (err)
		return err;
	err = name_lock(&op);
	if (!err)
		err = may_delete(&op, true);
	if (!err && d_has_children(op.d))
		err = -ENOTEMPTY;
	di = op.dir.dentry->inode;
	if (!err)
		err = di->iops && di->iops->rmdir ? di->iops->rmdir(di, op.d) : -EPERM;
	if (!err)
		d_drop(op.d);
	name_end(&op);
	return err;
}
