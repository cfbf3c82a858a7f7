/* SPDX-License-Identifier: MIT */
/*
 * Mounts: which super_block's tree hangs over which directory. The walk
 * asks mnt_lookup() only at dentries flagged DENTRY_MOUNTED, so crossing
 * costs nothing elsewhere. Locks: [M] mount_lock, a spinlock, guards the
 * mount list and every mount's parent and mountpoint; it is taken before
 * the dcache lock. A mount is freed with its last reference (the tree's
 * own, and one per path that holds it); its super_block goes with the
 * last mount of it.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include <lib/format.h>
#include <lib/string.h>

#include "block/blkdev.h"
#include "core/log.h"
#include "fs/file.h"
#include "fs/internal.h"
#include "fs/vfs.h"
#include "fs/vlock.h"
#include "mm/heap.h"
#include "mm/pagecache.h"

static struct vlock mount_lock = VLOCK_INIT;
static struct list_node mounts __guarded_by(&mount_lock) = LIST_INIT(mounts);
/* [I] after vfs_init_root(): the root of the whole tree */
static struct mount *root_mnt;

struct mutex rename_lock = MUTEX_INIT(rename_lock, "rename");

void mnt_get(struct mount *m)
{
	__atomic_add_fetch(&m->refs, 1, __ATOMIC_RELAXED);
}

static void sb_put(struct super_block *sb)
{
	if (__atomic_sub_fetch(&sb->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	d_prune_tree(sb->root);
	if (sb->ops && sb->ops->put_super)
		sb->ops->put_super(sb);
	dput(sb->root);
	/* A disk file system's device: written back and released after the fs let go. */
	if (sb->bdev)
		sb_put_bdev(sb->bdev);
	kfree(sb);
}

void mnt_put(struct mount *m)
{
	if (!m || __atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	dput(m->root);
	sb_put(m->sb);
	kfree(m->source);
	VFS_COUNT(mounts, -1);
	kfree(m);
}

void path_get(const struct path *p)
{
	mnt_get(p->mnt);
	dget(p->dentry);
}

void path_put(struct path *p)
{
	if (p->dentry)
		dput(p->dentry);
	if (p->mnt)
		mnt_put(p->mnt);
	p->dentry = NULL;
	p->mnt = NULL;
}

struct mount *mnt_lookup(struct mount *mnt, struct dentry *d)
{
	struct mount *m, *found = NULL;

	if (!(__atomic_load_n(&d->flags, __ATOMIC_RELAXED) & DENTRY_MOUNTED))
		return NULL;
	vlock_acquire(&mount_lock);
	/* The last one mounted is on top of the others. */
	list_for_each_entry(m, &mounts, link) {
		if (m->parent == mnt && m->mountpoint == d)
			found = m;
	}
	if (found)
		mnt_get(found);
	vlock_release(&mount_lock);
	return found;
}

bool mnt_climb(struct path *p)
{
	while (p->dentry == p->mnt->root) {
		struct path up;

		vlock_acquire(&mount_lock);
		if (p->mnt->parent == p->mnt) {
			vlock_release(&mount_lock);
			return false;
		}
		up.mnt = p->mnt->parent;
		up.dentry = p->mnt->mountpoint;
		path_get(&up);
		vlock_release(&mount_lock);
		path_put(p);
		*p = up;
	}
	return true;
}

bool mnt_readonly(const struct mount *mnt)
{
	return __atomic_load_n(&mnt->sb->flags, __ATOMIC_RELAXED) & SB_RDONLY;
}

static char *str_dup(const char *s)
{
	size_t n = strlen(s ? s : "none") + 1;
	char *c = kmalloc(n);

	if (c)
		memcpy(c, s ? s : "none", n);
	return c;
}

/* A mount of @sb's tree from @root (a reference of each is taken over). */
static struct mount *mnt_new(struct super_block *sb, struct dentry *root, const char *source)
{
	struct mount *m = kcalloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->source = str_dup(source);
	if (!m->source) {
		kfree(m);
		return NULL;
	}
	VFS_COUNT(mounts, 1);
	m->sb = sb;
	m->root = root;
	m->refs = 1;
	m->parent = m;
	list_node_init(&m->link);
	return m;
}

/* Hang @m over @target; the tree holds @m's first reference. */
static void mnt_attach(struct mount *m, const struct path *target)
{
	path_get(target);
	vlock_acquire(&mount_lock);
	m->parent = target->mnt;
	m->mountpoint = target->dentry;
	list_add_tail(&mounts, &m->link);
	d_set_mounted(target->dentry, true);
	vlock_release(&mount_lock);
}

static int mount_new_sb(const char *source, const char *fstype, unsigned long flags,
                        const char *data, struct mount **out)
{
	const struct fs_type *type = fstype ? vfs_find_fs(fstype) : NULL;
	struct super_block *sb;
	struct mount *m;
	int err;

	if (!type)
		return -ENODEV;
	err = type->mount(type, source,
	                  (unsigned)flags & (SB_RDONLY | SB_NOSUID | SB_NODEV | SB_NOEXEC), data,
	                  &sb);
	if (err)
		return err;
	dget(sb->root);
	m = mnt_new(sb, sb->root, source);
	if (!m) {
		dput(sb->root);
		sb_put(sb);
		return -ENOMEM;
	}
	*out = m;
	return 0;
}

static int mount_bind(const char *source, struct mount **out)
{
	struct path src;
	struct mount *m;
	int err = vfs_walk(AT_FDCWD, source, LOOKUP_FOLLOW, &src);

	if (err)
		return err;
	__atomic_add_fetch(&src.mnt->sb->refs, 1, __ATOMIC_RELAXED);
	dget(src.dentry);
	m = mnt_new(src.mnt->sb, src.dentry, src.mnt->source);
	if (!m) {
		dput(src.dentry);
		sb_put(src.mnt->sb);
		err = -ENOMEM;
	}
	path_put(&src);
	*out = m;
	return err;
}

/* Change @sb's flags to @nflags, telling the fs first. 0 or -errno. */
static int sb_remount(struct super_block *sb, unsigned nflags)
{
	int err;

	/* The fs learns first: going read-only, a disk fs writes back and marks itself clean. */
	if (sb->ops && sb->ops->remount) {
		err = sb->ops->remount(sb, nflags);
		if (err)
			return err;
	}
	if ((nflags & SB_RDONLY) && sb->bdev) {
		err = blk_sync(sb->bdev);
		if (err)
			return err;
	}
	__atomic_store_n(&sb->flags, nflags, __ATOMIC_RELAXED);
	return 0;
}

/* MS_REMOUNT: only the read-only and nosuid/nodev/noexec bits change. */
static int mount_remount(const struct path *target, unsigned long flags)
{
	unsigned keep = SB_RDONLY | SB_NOSUID | SB_NODEV | SB_NOEXEC;
	struct super_block *sb = target->mnt->sb;

	if (target->dentry != target->mnt->root)
		return -EINVAL;
	return sb_remount(sb, (sb->flags & ~keep) | ((unsigned)flags & keep));
}

int vfs_mount(const char *source, const struct path *target, const char *fstype,
              unsigned long flags, const char *data)
{
	struct mount *m = NULL;
	int err;

	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~MS_MGC_MSK;
	if (flags & MS_REMOUNT)
		return mount_remount(target, flags);
	if (flags & MS_MOVE)
		return -EINVAL;
	if (!S_ISDIR(target->dentry->inode->mode))
		return -ENOTDIR;
	if (d_is_dead(target->dentry))
		return -ENOENT;
	if (flags & MS_BIND)
		err = source ? mount_bind(source, &m) : -EFAULT;
	else
		err = mount_new_sb(source, fstype, flags, data, &m);
	if (err)
		return err;
	mnt_attach(m, target);
	return 0;
}

static bool has_children_locked(const struct mount *m) __must_hold(&mount_lock)
{
	struct mount *c;

	list_for_each_entry(c, &mounts, link) {
		if (c->parent == m && c != m)
			return true;
	}
	return false;
}

static bool still_mounted_locked(const struct mount *m, const struct dentry *d)
	__must_hold(&mount_lock)
{
	struct mount *c;

	list_for_each_entry(c, &mounts, link) {
		if (c->mountpoint == d)
			return true;
	}
	return false;
}

int vfs_umount(const struct path *target, int flags)
{
	struct mount *m = target->mnt;
	struct path mp;

	if (target->dentry != m->root)
		return -EINVAL;
	vlock_acquire(&mount_lock);
	/* Busy: anything but the tree's reference and the caller's path holds it. */
	if (m->parent == m || has_children_locked(m) ||
	    (!(flags & MNT_DETACH) && __atomic_load_n(&m->refs, __ATOMIC_RELAXED) > 2)) {
		vlock_release(&mount_lock);
		return -EBUSY;
	}
	list_del(&m->link);
	mp.mnt = m->parent;
	mp.dentry = m->mountpoint;
	if (!still_mounted_locked(m, mp.dentry))
		d_set_mounted(mp.dentry, false);
	m->parent = m;
	m->mountpoint = NULL;
	vlock_release(&mount_lock);
	path_put(&mp);
	mnt_put(m);
	return 0;
}

void vfs_for_each_mount(void (*fn)(const struct mount *m, void *ctx), void *ctx)
{
	struct mount *m;

	vlock_acquire(&mount_lock);
	if (root_mnt)
		fn(root_mnt, ctx);
	list_for_each_entry(m, &mounts, link)
		fn(m, ctx);
	vlock_release(&mount_lock);
}

int vfs_init_root_fs(const char *fstype)
{
	struct mount *m;
	struct path p;
	int err;

	if (root_mnt)
		return -EBUSY;
	err = mount_new_sb(fstype, fstype, 0, NULL, &m);
	if (err) {
		pr_err("vfs: cannot mount a %s as the root: error %d", fstype, err);
		return err;
	}
	root_mnt = m;
	err = anon_setup();
	if (err)
		pr_err("vfs: no anonymous files (pipes, eventfd): error %d", err);
	p.mnt = m;
	p.dentry = m->root;
	fs_context_set_boot_root(&p);
	return 0;
}

int vfs_init_root(void)
{
	return vfs_init_root_fs("tmpfs");
}

void vfs_root(struct path *out)
{
	out->mnt = root_mnt;
	out->dentry = root_mnt->root;
	path_get(out);
}

bool vfs_has_root(void)
{
	return __atomic_load_n(&root_mnt, __ATOMIC_ACQUIRE) != NULL;
}

/* Move the text at @buf[@pos..] to the front; returns its length. */
static long path_finish(char *buf, long pos, size_t n)
{
	long len = (long)n - 1 - pos;

	memmove(buf, buf + pos, (size_t)len + 1);
	return len;
}

/* Prepend the names of @p up to @root; -1: no room. Under mount_lock. */
static long path_build_locked(const struct path *p, const struct path *root, char *buf, long pos)
	__must_hold(&mount_lock)
{
	struct mount *mnt = p->mnt;
	struct dentry *d = p->dentry;

	for (;;) {
		if (mnt == root->mnt && d == root->dentry)
			break;
		if (d == mnt->root) {
			if (mnt->parent == mnt)
				break;
			d = mnt->mountpoint;
			mnt = mnt->parent;
			continue;
		}
		pos = d_path_prepend(&d, mnt == root->mnt ? root->dentry : NULL, mnt->root, buf,
		                     pos);
		if (pos < 0)
			return -1;
	}
	return pos;
}

long vfs_path_name(const struct path *p, char *buf, size_t n)
{
	static const char deleted[] = " (deleted)";
	struct path root;
	long pos;

	if (n < 2)
		return -ENAMETOOLONG;
	if (mnt_is_anon(p->mnt))
		return anon_path_name(p, buf, n);
	pos = (long)n - 1;
	buf[pos] = '\0';
	if (d_is_dead(p->dentry)) {
		if (pos < (long)sizeof(deleted))
			return -ENAMETOOLONG;
		pos -= (long)sizeof(deleted) - 1;
		memcpy(buf + pos, deleted, sizeof(deleted) - 1);
	}
	fs_get_root(fs_context_current(), &root);
	vlock_acquire(&mount_lock);
	pos = path_build_locked(p, &root, buf, pos);
	vlock_release(&mount_lock);
	path_put(&root);
	if (pos < 0)
		return -ENAMETOOLONG;
	if (buf[pos] != '/') {
		if (pos == 0)
			return -ENAMETOOLONG;
		buf[--pos] = '/';
	}
	return path_finish(buf, pos, n);
}

#define SYNC_BATCH 32 /* super_blocks synced per pass */

int vfs_sync_sb(struct super_block *sb)
{
	int err = 0, e;

	if (sb->ops && sb->ops->sync)
		err = sb->ops->sync(sb);
	/* The fs's metadata is in buffers now: they go to the disk, then its cache is flushed. */
	if (sb->bdev) {
		e = blk_sync(sb->bdev);
		err = err ? err : e;
	}
	return err;
}

static bool sb_syncs(const struct super_block *sb)
{
	return (sb->ops && sb->ops->sync) || sb->bdev;
}

int vfs_shutdown(void)
{
	struct super_block *sbs[SYNC_BATCH];
	struct mount *m;
	unsigned n = 0;
	int err = pagecache_sync_all(true);

	/* File data first, then each file system's metadata and its device. */
	err = err ? err : vfs_sync_all();
	vlock_acquire(&mount_lock);
	list_for_each_entry(m, &mounts, link) {
		if (n < SYNC_BATCH && m->sb->bdev && !(m->sb->flags & SB_RDONLY)) {
			__atomic_add_fetch(&m->sb->refs, 1, __ATOMIC_RELAXED);
			sbs[n++] = m->sb;
		}
	}
	vlock_release(&mount_lock);
	for (unsigned i = 0; i < n; i++) {
		int e = sb_remount(sbs[i], sbs[i]->flags | SB_RDONLY);

		if (e) {
			pr_err("vfs: a %s file system could not go read-only: error %d",
			       sbs[i]->type->name, e);
			err = err ? err : e;
		}
		sb_put(sbs[i]);
	}
	return err;
}

int vfs_sync_all(void)
{
	struct super_block *sbs[SYNC_BATCH];
	struct mount *m;
	unsigned n = 0;
	int err = 0;

	vlock_acquire(&mount_lock);
	list_for_each_entry(m, &mounts, link) {
		if (n < SYNC_BATCH && sb_syncs(m->sb)) {
			__atomic_add_fetch(&m->sb->refs, 1, __ATOMIC_RELAXED);
			sbs[n++] = m->sb;
		}
	}
	if (root_mnt && n < SYNC_BATCH && sb_syncs(root_mnt->sb)) {
		__atomic_add_fetch(&root_mnt->sb->refs, 1, __ATOMIC_RELAXED);
		sbs[n++] = root_mnt->sb;
	}
	vlock_release(&mount_lock);
	for (unsigned i = 0; i < n; i++) {
		int e = vfs_sync_sb(sbs[i]);

		if (e && !err)
			err = e;
		sb_put(sbs[i]);
	}
	return err;
}
