/* SPDX-License-Identifier: MIT */
/*
 * rename(2): one name moves to another, atomically, replacing what the new
 * name named. All renames take rename_lock, so the ancestry checks (a
 * directory may not move under itself) hold until the move is done, and
 * the two parents are locked ancestor first.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include "fs/file.h"
#include "fs/internal.h"
#include "fs/vfs.h"

struct rename_side {
	struct path dir;
	const char *last;
	size_t len;
	bool trailing;
	struct dentry *d;
};

/* Whether @a is @d or one of its ancestors (within one super_block). Under rename_lock. */
static bool is_ancestor(struct dentry *a, struct dentry *d)
{
	struct dentry *p = d, *up;
	bool found = false;

	dget(p);
	for (;;) {
		if (p == a) {
			found = true;
			break;
		}
		up = d_get_parent(p);
		if (up == p) {
			dput(up);
			break;
		}
		dput(p);
		p = up;
	}
	dput(p);
	return found;
}

static int side_walk(int dirfd, const char *path, struct rename_side *s)
{
	int err = vfs_walk_parent(dirfd, path, &s->dir, &s->last, &s->len, &s->trailing);

	s->d = NULL;
	if (err)
		return err;
	if (s->len == 0 || (s->len == 1 && s->last[0] == '.') ||
	    (s->len == 2 && s->last[0] == '.' && s->last[1] == '.')) {
		path_put(&s->dir);
		return -EBUSY;
	}
	return 0;
}

/* Lock both parents, the ancestor first (one lock when they are the same). */
static void lock_dirs(struct dentry *a, struct dentry *b) __no_thread_safety_analysis
{
	if (a == b) {
		mutex_lock(&a->inode->lock);
	} else if (is_ancestor(b, a)) {
		mutex_lock(&b->inode->lock);
		mutex_lock(&a->inode->lock);
	} else {
		mutex_lock(&a->inode->lock);
		mutex_lock(&b->inode->lock);
	}
}

static void unlock_dirs(struct dentry *a, struct dentry *b) __no_thread_safety_analysis
{
	mutex_unlock(&a->inode->lock);
	if (a != b)
		mutex_unlock(&b->inode->lock);
}

/* The type checks between what moves (@o) and what it replaces (@n, maybe negative). */
static int rename_types_ok(struct rename_side *o, struct rename_side *n, unsigned flags)
{
	struct inode *oi = o->d->inode, *ni = n->d->inode;
	bool odir = S_ISDIR(oi->mode);

	if ((o->trailing || n->trailing) && !odir)
		return -ENOTDIR;
	if (ni && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (ni && odir && !S_ISDIR(ni->mode))
		return -ENOTDIR;
	if (ni && !odir && S_ISDIR(ni->mode))
		return -EISDIR;
	if ((o->d->flags | n->d->flags) & DENTRY_MOUNTED)
		return -EBUSY;
	/* A directory may not move below itself. */
	if (odir && is_ancestor(o->d, n->dir.dentry))
		return -EINVAL;
	if (ni && S_ISDIR(ni->mode) && d_has_children(n->d))
		return -ENOTEMPTY;
	return 0;
}

static int rename_perm_ok(struct rename_side *o, struct rename_side *n)
{
	struct inode *oi = o->d->inode, *ni = n->d->inode;
	int err = may_change_dir(&o->dir);

	if (!err)
		err = may_change_dir(&n->dir);
	if (err)
		return err;
	if (!may_delete_sticky(o->dir.dentry->inode, oi))
		return -EPERM;
	if (ni && !may_delete_sticky(n->dir.dentry->inode, ni))
		return -EPERM;
	/* A directory changing parents rewrites its "..": it must be writable. */
	if (S_ISDIR(oi->mode) && o->dir.dentry != n->dir.dentry)
		return inode_permission(oi, MAY_WRITE);
	return 0;
}

/*
 * Both directories are locked (lock_dirs(), one lock when they are the
 * same, which the thread-safety analysis cannot follow): look both names
 * up and move.
 */
static int rename_dirs_held(struct rename_side *o, struct rename_side *n,
                            unsigned flags) __no_thread_safety_analysis
{
	struct inode *odi = o->dir.dentry->inode;
	struct dentry *d;
	int err;

	d = d_lookup_locked(o->dir.dentry, o->last, o->len);
	if (IS_ERR_PTR(d))
		return (int)PTR_ERR_VAL(d);
	o->d = d;
	if (!d->inode)
		return -ENOENT;
	d = d_lookup_locked(n->dir.dentry, n->last, n->len);
	if (IS_ERR_PTR(d))
		return (int)PTR_ERR_VAL(d);
	n->d = d;
	/* Two names of one file: POSIX says rename does nothing. */
	if (o->d->inode == n->d->inode)
		return 0;
	err = rename_types_ok(o, n, flags);
	if (!err)
		err = rename_perm_ok(o, n);
	if (!err && (!odi->iops || !odi->iops->rename))
		err = -EPERM;
	if (!err)
		err = odi->iops->rename(odi, o->d, n->dir.dentry->inode, n->d);
	if (!err)
		d_move(o->d, n->d);
	return err;
}

int vfs_rename(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned flags)
{
	struct rename_side o, n;
	int err;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if (flags & (RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL; /* not supported by any Cairn file system */
	err = side_walk(olddirfd, oldpath, &o);
	if (err)
		return err;
	err = side_walk(newdirfd, newpath, &n);
	if (err) {
		path_put(&o.dir);
		return err;
	}
	if (o.dir.mnt != n.dir.mnt) {
		err = -EXDEV;
		goto out_put;
	}
	mutex_lock(&rename_lock);
	lock_dirs(o.dir.dentry, n.dir.dentry);
	err = rename_dirs_held(&o, &n, flags);
	unlock_dirs(o.dir.dentry, n.dir.dentry);
	mutex_unlock(&rename_lock);
	if (o.d)
		dput(o.d);
	if (n.d)
		dput(n.d);
out_put:
	path_put(&o.dir);
	path_put(&n.dir);
	return err;
}
