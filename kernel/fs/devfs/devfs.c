// SPDX-License-Identifier: MIT
/*
 * devtmpfs: one tmpfs instance under its own type name, made at the first
 * mount and shared by every later one (Linux's devtmpfs is single-instance
 * too). Nodes drivers add before that mount wait in a list; afterwards
 * they are made at once, through the dentry cache so a name looked up
 * earlier and found missing appears.
 *
 * Locks: [D] devfs_lock, a sleeping lock: the instance and the waiting list.
 */
#include "fs/devfs/devfs.h"

#include <cairn/errno.h>
#include <cairn/linux/stat.h>

#include <lib/string.h>

#include "core/log.h"
#include "fs/fs_types.h"
#include "fs/internal.h"
#include "fs/tmpfs/tmpfs.h"
#include "mm/heap.h"

#define DEVFS_NAME_MAX 64

/* A node added before the first mount. */
struct devfs_pending {
	struct devfs_pending *next;
	char name[DEVFS_NAME_MAX];
	uint32_t mode, rdev;
};

static struct mutex devfs_lock = MUTEX_INIT(devfs_lock, "devfs");
static struct super_block *devfs_sb __guarded_by(&devfs_lock);
static struct devfs_pending *devfs_waiting __guarded_by(&devfs_lock);

/*
 * Make @name (@len bytes) in the directory @dir with @mode/@rdev; a
 * directory that already exists is fine (*@out gets it with a reference
 * when @out is not NULL). 0, -EEXIST or -errno.
 */
static int devfs_make(struct dentry *dir, const char *name, size_t len, uint32_t mode,
                      uint32_t rdev, struct dentry **out)
{
	struct inode *di = dir->inode;
	struct dentry *d;
	int err = 0;

	mutex_lock(&dir->inode->lock);
	d = d_lookup_locked(dir, name, len);
	if (IS_ERR_PTR(d)) {
		mutex_unlock(&dir->inode->lock);
		return (int)PTR_ERR_VAL(d);
	}
	if (d->inode)
		err = S_ISDIR(mode) && S_ISDIR(d->inode->mode) ? 0 : -EEXIST;
	else if (S_ISDIR(mode))
		err = di->iops->mkdir(di, d, mode);
	else
		err = di->iops->mknod(di, d, mode, rdev);
	mutex_unlock(&dir->inode->lock);
	if (!err && out)
		*out = d;
	else
		dput(d);
	return err;
}

/* Make the node @name ("x" or "dir/x") in the instance's root. */
static int devfs_make_path(struct super_block *sb, const char *name, uint32_t mode, uint32_t rdev)
{
	const char *slash = strchr(name, '/');
	struct dentry *dir;
	int err;

	if (!slash)
		return devfs_make(sb->root, name, strlen(name), mode, rdev, NULL);
	err = devfs_make(sb->root, name, (size_t)(slash - name), S_IFDIR | 0755, 0, &dir);
	if (err)
		return err;
	err = devfs_make(dir, slash + 1, strlen(slash + 1), mode, rdev, NULL);
	dput(dir);
	return err;
}

/* A name of one or two non-empty parts without "." or "..", that fits the list. */
static bool devfs_name_ok(const char *name)
{
	const char *slash = strchr(name, '/');
	size_t len = strnlen(name, DEVFS_NAME_MAX);

	if (len == 0 || len >= DEVFS_NAME_MAX || name[0] == '/' || name[len - 1] == '/')
		return false;
	if (slash && strchr(slash + 1, '/'))
		return false;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strncmp(name, "./", 2) == 0 ||
	    strncmp(name, "../", 3) == 0)
		return false;
	return !slash || (strcmp(slash + 1, ".") != 0 && strcmp(slash + 1, "..") != 0);
}

int devfs_add_node(const char *name, uint32_t mode, uint32_t rdev)
{
	struct devfs_pending *p, **tail;
	int err = 0;

	if (!devfs_name_ok(name) || (!S_ISCHR(mode) && !S_ISBLK(mode)))
		return -EINVAL;
	mutex_lock(&devfs_lock);
	if (devfs_sb) {
		err = devfs_make_path(devfs_sb, name, mode, rdev);
		goto out_unlock;
	}
	for (tail = &devfs_waiting; *tail; tail = &(*tail)->next) {
		if (strcmp((*tail)->name, name) == 0) {
			err = -EEXIST;
			goto out_unlock;
		}
	}
	p = kcalloc(1, sizeof(*p));
	if (!p) {
		err = -ENOMEM;
		goto out_unlock;
	}
	memcpy(p->name, name, strlen(name) + 1);
	p->mode = mode;
	p->rdev = rdev;
	*tail = p;
out_unlock:
	mutex_unlock(&devfs_lock);
	return err;
}

/* Make the nodes that waited for the instance; one that fails is logged and skipped. */
static void devfs_flush_locked(struct super_block *sb) __must_hold(&devfs_lock)
{
	struct devfs_pending *p;
	int err;

	while ((p = devfs_waiting)) {
		devfs_waiting = p->next;
		err = devfs_make_path(sb, p->name, p->mode, p->rdev);
		if (err)
			pr_warn("devfs: cannot make /dev/%s: error %d", p->name, err);
		kfree(p);
	}
}

/* Every mount shares the one instance; the first makes it (devfs keeps a reference). */
static int devfs_mount(const struct fs_type *type, const char *source, unsigned flags,
                       const char *data, struct super_block **out)
{
	int err = 0;

	(void)source;
	mutex_lock(&devfs_lock);
	if (!devfs_sb) {
		err = tmpfs_fill_super(type, 0, "mode=0755", &devfs_sb);
		if (err)
			goto out_unlock;
		devfs_flush_locked(devfs_sb);
	}
	__atomic_add_fetch(&devfs_sb->refs, 1, __ATOMIC_RELAXED);
	*out = devfs_sb;
out_unlock:
	mutex_unlock(&devfs_lock);
	(void)flags;
	(void)data;
	return err;
}

static struct fs_type devfs_type = {
	.name = "devtmpfs",
	.mount = devfs_mount,
};

int devfs_register(void)
{
	int err = vfs_register_fs(&devfs_type);

	return err ? err : devfs_mem_init();
}
