/* SPDX-License-Identifier: MIT */
/*
 * Opening: the walk (or, with O_CREAT, the walk to the parent and the
 * creation of the last name under the directory's lock), the permission
 * and type checks of open(2), and the dispatch of the inode to its file
 * operations: a character device's registered driver, a FIFO's pipe, or
 * the file system's own.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include <lib/string.h>

#include "block/blkdev.h"
#include "fs/file.h"
#include "fs/internal.h"
#include "fs/pipe.h"
#include "fs/vfs.h"
#include "mm/heap.h"

#define CHRDEV_MAX 32 /* registered ranges */

struct chrdev {
	unsigned major, minor, count;
	const struct file_ops *fops;
};

static struct spinlock chrdev_lock = SPINLOCK_INIT("chrdev");
static struct chrdev chrdevs[CHRDEV_MAX] __guarded_by(&chrdev_lock);
static unsigned nchrdevs __guarded_by(&chrdev_lock);

int chrdev_register(unsigned major, unsigned minor, unsigned count, const struct file_ops *fops)
{
	int err = 0;

	if (!count)
		return -EINVAL;
	spin_lock(&chrdev_lock);
	for (unsigned i = 0; i < nchrdevs; i++) {
		struct chrdev *c = &chrdevs[i];

		if (c->major == major && minor < c->minor + c->count && c->minor < minor + count) {
			err = -EBUSY;
			goto out_unlock;
		}
	}
	if (nchrdevs == CHRDEV_MAX) {
		err = -ENOSPC;
		goto out_unlock;
	}
	chrdevs[nchrdevs++] = (struct chrdev){ major, minor, count, fops };
out_unlock:
	spin_unlock(&chrdev_lock);
	return err;
}

static const struct file_ops *chrdev_find(uint32_t rdev)
{
	unsigned major = DEV_MAJOR(rdev), minor = DEV_MINOR(rdev);
	const struct file_ops *fops = NULL;

	spin_lock(&chrdev_lock);
	for (unsigned i = 0; i < nchrdevs; i++) {
		struct chrdev *c = &chrdevs[i];

		if (c->major == major && minor >= c->minor && minor < c->minor + c->count) {
			fops = c->fops;
			break;
		}
	}
	spin_unlock(&chrdev_lock);
	return fops;
}

/* Files that have a position, whose reads and writes hold [F]. */
static bool seekable(const struct inode *ino, const struct file_ops *ops)
{
	return S_ISREG(ino->mode) || S_ISDIR(ino->mode) || S_ISBLK(ino->mode) ||
	       (ops && ops->llseek);
}

struct file *vfs_open_path(const struct path *p, int flags)
{
	struct inode *ino = p->dentry->inode;
	const struct file_ops *ops = ino->fops;
	struct file *f;
	int err = 0;

	if (flags & O_PATH)
		ops = NULL;
	else if (S_ISCHR(ino->mode) && !(ops = chrdev_find(ino->rdev)))
		return ERR_PTR_VAL(-ENXIO);
	else if (S_ISBLK(ino->mode))
		ops = &blkdev_fops;
	else if (S_ISSOCK(ino->mode))
		return ERR_PTR_VAL(-ENXIO); /* sockets are not opened (Linux) */
	else if (mnt_is_anon(p->mnt) && !S_ISFIFO(ino->mode))
		return ERR_PTR_VAL(-ENXIO); /* eventfd, epoll via /proc/PID/fd: Linux's no_open */
	f = file_alloc(p, S_ISFIFO(ino->mode) ? NULL : ops, flags);
	if (!f)
		return ERR_PTR_VAL(-ENOMEM);
	if (flags & O_PATH) {
		f->flags &= ~(unsigned)O_NOCTTY;
		return f;
	}
	if (S_ISFIFO(ino->mode))
		err = pipe_fifo_open(ino, f);
	else if (ops && ops->open)
		err = ops->open(ino, f);
	if (err) {
		/* A failed open is no open: release must not see it. */
		f->ops = NULL;
		file_put(f);
		return ERR_PTR_VAL(err);
	}
	if (seekable(ino, f->ops))
		f->fmode |= FMODE_LSEEK;
	f->flags &= ~(unsigned)O_NOCTTY;
	return f;
}

static unsigned acc_mask(int flags)
{
	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		return MAY_READ;
	case O_WRONLY:
		return MAY_WRITE;
	default:
		return MAY_READ | MAY_WRITE;
	}
}

/* The checks of open(2) on an existing (or just created) inode, then the open and O_TRUNC. */
static struct file *open_checked(const struct path *p, int flags, bool created)
{
	struct inode *ino = p->dentry->inode;
	unsigned mask = acc_mask(flags) | (flags & O_TRUNC ? MAY_WRITE : 0);
	struct file *f;
	int err;

	if (flags & O_PATH)
		return vfs_open_path(p, flags);
	if (S_ISLNK(ino->mode))
		return ERR_PTR_VAL(-ELOOP);
	if (S_ISDIR(ino->mode) && (mask & MAY_WRITE))
		return ERR_PTR_VAL(-EISDIR);
	if ((S_ISCHR(ino->mode) || S_ISBLK(ino->mode)) && (p->mnt->sb->flags & SB_NODEV))
		return ERR_PTR_VAL(-EACCES);
	if ((mask & MAY_WRITE) && (S_ISREG(ino->mode) || S_ISDIR(ino->mode)) &&
	    mnt_readonly(p->mnt))
		return ERR_PTR_VAL(-EROFS);
	if (!created) {
		err = inode_permission(ino, mask);
		if (err)
			return ERR_PTR_VAL(err);
	}
	f = vfs_open_path(p, flags);
	if (IS_ERR_PTR(f))
		return f;
	if ((flags & O_TRUNC) && S_ISREG(ino->mode) && !created) {
		err = vfs_truncate_inode(ino, 0);
		if (err) {
			file_put(f);
			return ERR_PTR_VAL(err);
		}
	}
	return f;
}

static struct file *open_from(const struct path *start, int dirfd, const char *path, int flags,
                              uint32_t mode, unsigned *links);

/* Create @d in @dir (locked) as a regular file of @mode less the umask. */
static int create_locked(const struct path *dir, struct dentry *d, uint32_t mode)
	__must_hold(&dir->dentry->inode->lock)
{
	struct inode *di = dir->dentry->inode;
	int err = may_change_dir(dir);

	if (err)
		return err;
	if (!di->iops || !di->iops->create)
		return -EACCES;
	mode = S_IFREG | (mode & 07777u & ~fs_umask(fs_context_current()));
	return di->iops->create(di, d, mode);
}

/* O_CREAT met a magic link: open the file it stands for (O_EXCL was refused before). */
static struct file *open_magic_link(struct inode *link, int flags)
{
	struct path p;
	struct file *f;
	int err = link->iops->get_link(link, &p);

	if (err)
		return ERR_PTR_VAL(err);
	if (S_ISDIR(p.dentry->inode->mode))
		f = ERR_PTR_VAL(-EISDIR);
	else
		f = open_checked(&p, flags, false);
	path_put(&p);
	return f;
}

/* O_CREAT met an existing name that is a link: open what it points to, from @dir. */
static struct file *open_through_link(const struct path *dir, struct dentry *d, int flags,
                                      uint32_t mode, unsigned *links)
{
	struct inode *ino = d->inode;
	char *target;
	long n;
	struct file *f;

	if (flags & O_NOFOLLOW)
		return ERR_PTR_VAL(-ELOOP);
	if (++*links > SYMLOOP_MAX)
		return ERR_PTR_VAL(-ELOOP);
	if (ino->iops && ino->iops->get_link)
		return open_magic_link(ino, flags);
	target = kmalloc(PATH_MAX);
	if (!target)
		return ERR_PTR_VAL(-ENOMEM);
	n = ino->iops && ino->iops->readlink ? ino->iops->readlink(ino, target, PATH_MAX - 1)
	                                     : -EINVAL;
	if (n == 0)
		n = -ENOENT;
	if (n < 0) {
		kfree(target);
		return ERR_PTR_VAL(n);
	}
	target[n] = '\0';
	f = open_from(dir, AT_FDCWD, target, flags, mode, links);
	kfree(target);
	return f;
}

static bool is_dot_or_dotdot(const char *s, size_t len)
{
	return len == 0 || (len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.');
}

static struct file *open_create(const struct path *start, int dirfd, const char *path, int flags,
                                uint32_t mode, unsigned *links)
{
	struct path dir, p;
	struct dentry *d;
	const char *last;
	size_t len;
	bool trailing, created = false;
	struct file *f;
	int err;

	err = vfs_walk_from(start, dirfd, path, LOOKUP_PARENT, &dir, links);
	if (err)
		return ERR_PTR_VAL(err);
	last = vfs_last_component(path, &len, &trailing);
	if (is_dot_or_dotdot(last, len) || trailing) {
		path_put(&dir);
		return ERR_PTR_VAL(-EISDIR);
	}
	mutex_lock(&dir.dentry->inode->lock);
	d = d_lookup_locked(dir.dentry, last, len);
	if (!IS_ERR_PTR(d) && !d->inode) {
		err = create_locked(&dir, d, mode);
		created = !err;
	}
	mutex_unlock(&dir.dentry->inode->lock);
	if (IS_ERR_PTR(d) || err) {
		f = IS_ERR_PTR(d) ? (struct file *)d : ERR_PTR_VAL(err);
		if (!IS_ERR_PTR(d))
			dput(d);
		path_put(&dir);
		return f;
	}
	if (!created && (flags & O_EXCL))
		f = ERR_PTR_VAL(-EEXIST);
	else if (!created && S_ISLNK(d->inode->mode))
		f = open_through_link(&dir, d, flags, mode, links);
	else if (!created && S_ISDIR(d->inode->mode))
		f = ERR_PTR_VAL(-EISDIR);
	else {
		p.mnt = dir.mnt;
		p.dentry = d;
		mnt_get(p.mnt);
		dget(d);
		vfs_cross_mounts(&p);
		f = open_checked(&p, flags, created);
		path_put(&p);
	}
	dput(d);
	path_put(&dir);
	return f;
}

static struct file *open_from(const struct path *start, int dirfd, const char *path, int flags,
                              uint32_t mode, unsigned *links)
{
	unsigned lf = 0;
	struct path p;
	struct file *f;
	int err;

	if (flags & O_CREAT)
		return open_create(start, dirfd, path, flags, mode, links);
	if (!(flags & O_NOFOLLOW))
		lf |= LOOKUP_FOLLOW;
	if (flags & O_DIRECTORY)
		lf |= LOOKUP_DIRECTORY;
	err = vfs_walk_from(start, dirfd, path, lf, &p, links);
	if (err)
		return ERR_PTR_VAL(err);
	f = open_checked(&p, flags, false);
	path_put(&p);
	return f;
}

struct file *vfs_open(int dirfd, const char *path, int flags, uint32_t mode)
{
	unsigned links = 0;

	if ((flags & O_CREAT) && (flags & O_DIRECTORY))
		return ERR_PTR_VAL(-EINVAL);
	/* A 64-bit kernel opens everything large-file (Linux's force_o_largefile()). */
	return open_from(NULL, dirfd, path, flags | O_LARGEFILE, mode, &links);
}
