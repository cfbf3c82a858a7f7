// SPDX-License-Identifier: MIT
/*
 * tmpfs name operations: making files, directories, nodes, links and
 * symbolic links, removing them, and rename. The VFS has checked
 * permissions and that the name is free (or taken) and holds the
 * directories' locks; each operation gets what can fail (memory, the
 * inode limit) before it changes anything, so a failure leaves the tree
 * as it was. Link counts and ctime of the inode a name points to change
 * under that inode's lock (a parent is always locked before its child).
 */
#include <cairn/errno.h>
#include <cairn/linux/stat.h>

#include <lib/string.h>

#include "fs/internal.h"
#include "fs/tmpfs/internal.h"
#include "mm/heap.h"

/* Add @delta to @ino's link count and touch its ctime, under its lock. */
static void tmpfs_nlink_add(struct inode *ino, int delta)
{
	mutex_lock(&ino->lock);
	ino->nlink = (uint32_t)((int)ino->nlink + delta);
	inode_touch(ino, true);
	mutex_unlock(&ino->lock);
}

/*
 * An emptied directory gives its hash table back (the next name makes a new
 * one), so a directory that was busy once holds nothing while empty. Unlink,
 * rmdir and a create that failed do it; rename does not, as it adds a name
 * after taking one away.
 */
static void tmpfs_dir_shrink(struct inode *dir)
{
	if (tmpfs_i(dir)->dir.count == 0)
		tmpfs_dir_free(&tmpfs_i(dir)->dir);
}

/* A new inode of type and mode @mode named @d in @dir; @target for a symbolic link. */
static int tmpfs_make(struct inode *dir, struct dentry *d, uint32_t mode, uint32_t rdev,
                      const char *target)
{
	struct tmpfs_dirent *de;
	struct inode *ino;
	char *link = NULL;
	int err = -ENOMEM;

	/* A removed directory takes no new names (its open descriptors may still ask). */
	if (dir->nlink == 0)
		return -ENOENT;
	de = tmpfs_dirent_new(d->name, d->namelen);
	if (!de)
		return -ENOMEM;
	if (target) {
		link = kmalloc(strlen(target) + 1);
		if (!link)
			goto out_free_de;
		memcpy(link, target, strlen(target) + 1);
	}
	err = tmpfs_dir_reserve(&tmpfs_i(dir)->dir);
	if (err)
		goto out_free_link;
	ino = tmpfs_new_inode(dir->sb, dir, mode, rdev, &err);
	if (!ino)
		goto out_free_link;
	if (link) {
		tmpfs_i(ino)->link = link;
		ino->size = (int64_t)strlen(link);
	}
	tmpfs_dir_add(dir, de, ino);
	if ((mode & S_IFMT) == S_IFDIR)
		dir->nlink++;
	inode_touch(dir, false);
	inode_get(ino);
	d_instantiate(d, ino);
	return 0;
out_free_link:
	kfree(link);
	tmpfs_dir_shrink(dir);
out_free_de:
	kfree(de);
	return err;
}

int tmpfs_create(struct inode *dir, struct dentry *d, uint32_t mode)
{
	return tmpfs_make(dir, d, S_IFREG | (mode & 07777), 0, NULL);
}

int tmpfs_mkdir(struct inode *dir, struct dentry *d, uint32_t mode)
{
	return tmpfs_make(dir, d, S_IFDIR | (mode & 07777), 0, NULL);
}

int tmpfs_mknod(struct inode *dir, struct dentry *d, uint32_t mode, uint32_t rdev)
{
	switch (mode & S_IFMT) {
	case 0:
		mode |= S_IFREG;
		break;
	case S_IFREG:
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		break;
	default:
		return -EINVAL;
	}
	return tmpfs_make(dir, d, mode, S_ISCHR(mode) || S_ISBLK(mode) ? rdev : 0, NULL);
}

int tmpfs_symlink(struct inode *dir, struct dentry *d, const char *target)
{
	if (strnlen(target, PATH_MAX) >= PATH_MAX)
		return -ENAMETOOLONG;
	return tmpfs_make(dir, d, S_IFLNK | 0777, 0, target);
}

int tmpfs_link(struct dentry *old, struct inode *dir, struct dentry *d)
{
	struct inode *ino = old->inode;
	struct tmpfs_dirent *de;
	int err;

	if (dir->nlink == 0)
		return -ENOENT;
	de = tmpfs_dirent_new(d->name, d->namelen);
	if (!de)
		return -ENOMEM;
	err = tmpfs_dir_reserve(&tmpfs_i(dir)->dir);
	if (err) {
		kfree(de);
		return err;
	}
	inode_get(ino);
	tmpfs_dir_add(dir, de, ino);
	tmpfs_nlink_add(ino, 1);
	inode_touch(dir, false);
	inode_get(ino);
	d_instantiate(d, ino);
	return 0;
}

/* Take the entry @d names out of @dir and drop its reference; @d leaves the cache. */
static void tmpfs_forget(struct inode *dir, struct tmpfs_dirent *de, struct dentry *d)
{
	struct inode *ino = de->inode;

	tmpfs_dir_remove(dir, de);
	kfree(de);
	inode_touch(dir, false);
	if (d)
		d_drop(d);
	inode_put(ino);
}

int tmpfs_unlink(struct inode *dir, struct dentry *d)
{
	struct tmpfs_dirent *de = tmpfs_dir_find(&tmpfs_i(dir)->dir, d->name, d->namelen);

	if (!de)
		return -ENOENT;
	tmpfs_nlink_add(de->inode, -1);
	tmpfs_forget(dir, de, d);
	tmpfs_dir_shrink(dir);
	return 0;
}

/*
 * Make the directory @ino unreachable if it is empty: nlink 0, no "..".
 * The check and the change share one hold of its lock, which a create in
 * it needs too. 0 or -ENOTEMPTY.
 */
static int tmpfs_dir_unhook(struct inode *ino)
{
	int err = 0;

	mutex_lock(&ino->lock);
	if (tmpfs_i(ino)->dir.count) {
		err = -ENOTEMPTY;
	} else {
		ino->nlink = 0;
		tmpfs_i(ino)->dir.parent = NULL;
		inode_touch(ino, true);
	}
	mutex_unlock(&ino->lock);
	return err;
}

int tmpfs_rmdir(struct inode *dir, struct dentry *d)
{
	struct tmpfs_dirent *de = tmpfs_dir_find(&tmpfs_i(dir)->dir, d->name, d->namelen);
	int err;

	if (!de)
		return -ENOENT;
	if ((de->inode->mode & S_IFMT) != S_IFDIR)
		return -ENOTDIR;
	err = tmpfs_dir_unhook(de->inode);
	if (err)
		return err;
	dir->nlink--;
	tmpfs_forget(dir, de, d);
	tmpfs_dir_shrink(dir);
	return 0;
}

/* The name @nd replaced by a rename goes: a directory must be empty. 0 or -ENOTEMPTY. */
static int tmpfs_replace(struct inode *ndir, struct tmpfs_dirent *target)
{
	struct inode *tino = target->inode;
	int err;

	if ((tino->mode & S_IFMT) == S_IFDIR) {
		err = tmpfs_dir_unhook(tino);
		if (err)
			return err;
		ndir->nlink--;
	} else {
		tmpfs_nlink_add(tino, -1);
	}
	/* The VFS's d_move() takes the replaced dentry out of the cache. */
	tmpfs_forget(ndir, target, NULL);
	return 0;
}

/* Move the directory @ino from @odir to @ndir: link counts and "..". */
static void tmpfs_move_dir(struct inode *ino, struct inode *odir, struct inode *ndir)
{
	odir->nlink--;
	ndir->nlink++;
	mutex_lock(&ino->lock);
	tmpfs_i(ino)->dir.parent = ndir;
	mutex_unlock(&ino->lock);
}

int tmpfs_rename(struct inode *odir, struct dentry *od, struct inode *ndir, struct dentry *nd)
{
	struct tmpfs_dirent *old, *target, *de;
	struct inode *ino;
	int err;

	old = tmpfs_dir_find(&tmpfs_i(odir)->dir, od->name, od->namelen);
	if (!old)
		return -ENOENT;
	ino = old->inode;
	target = tmpfs_dir_find(&tmpfs_i(ndir)->dir, nd->name, nd->namelen);
	/* Two names of one inode: POSIX says rename does nothing. */
	if (target && target->inode == ino)
		return 0;
	/* A target that holds the source is not empty (and its lock is already held). */
	if (target && target->inode == odir)
		return -ENOTEMPTY;
	if (ndir->nlink == 0)
		return -ENOENT;
	de = tmpfs_dirent_new(nd->name, nd->namelen);
	if (!de)
		return -ENOMEM;
	err = tmpfs_dir_reserve(&tmpfs_i(ndir)->dir);
	if (!err && target)
		err = tmpfs_replace(ndir, target);
	if (err) {
		kfree(de);
		return err;
	}
	/* The new entry takes over the old one's reference. */
	tmpfs_dir_remove(odir, old);
	kfree(old);
	tmpfs_dir_add(ndir, de, ino);
	if ((ino->mode & S_IFMT) == S_IFDIR && odir != ndir)
		tmpfs_move_dir(ino, odir, ndir);
	tmpfs_nlink_add(ino, 0);
	inode_touch(odir, false);
	inode_touch(ndir, false);
	return 0;
}

static long tmpfs_readlink(struct inode *ino, char *buf, size_t n)
{
	const char *t = tmpfs_i(ino)->link;
	size_t len = strlen(t);

	if (len > n)
		len = n;
	memcpy(buf, t, len);
	return (long)len;
}

const struct inode_ops tmpfs_link_iops = {
	.readlink = tmpfs_readlink,
	.setattr = tmpfs_setattr_locked,
};

const struct inode_ops tmpfs_node_iops = {
	.setattr = tmpfs_setattr_locked,
};
