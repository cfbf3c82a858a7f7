/* SPDX-License-Identifier: MIT */
/*
 * Inodes, super_blocks and the registry of file system types: the objects
 * every file system fills in. Inodes are counted references; the last put
 * hands the inode to its file system's evict_inode() and frees it.
 */
#include <cairn/errno.h>
#include <cairn/linux/stat.h>

#include <lib/string.h>

#include "fs/file.h"
#include "fs/internal.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "time/time.h"

/* Locks: [R] registry_lock. */
static struct spinlock registry_lock = SPINLOCK_INIT("vfs_registry");
static struct list_node registry __guarded_by(&registry_lock) = LIST_INIT(registry);
/* [a] the next anonymous device minor (0:N), as Linux numbers its in-memory file systems */
static uint32_t next_anon_dev = 1;

struct vfs_counts vfs_live;

void vfs_get_counts(struct vfs_counts *out)
{
	out->inodes = __atomic_load_n(&vfs_live.inodes, __ATOMIC_RELAXED);
	out->dentries = __atomic_load_n(&vfs_live.dentries, __ATOMIC_RELAXED);
	out->files = __atomic_load_n(&vfs_live.files, __ATOMIC_RELAXED);
	out->mounts = __atomic_load_n(&vfs_live.mounts, __ATOMIC_RELAXED);
}

struct vfs_time vfs_now(void)
{
	uint64_t ns = clock_realtime_ns();

	return (struct vfs_time){ .sec = (int64_t)(ns / NSEC_PER_SEC),
		                  .nsec = (uint32_t)(ns % NSEC_PER_SEC) };
}

struct inode *inode_alloc(struct super_block *sb)
{
	struct inode *ino = kcalloc(1, sizeof(*ino));

	if (!ino)
		return NULL;
	VFS_COUNT(inodes, 1);
	ino->sb = sb;
	ino->refs = 1;
	mutex_init(&ino->lock, "inode");
	ino->atime = ino->mtime = ino->ctime = vfs_now();
	return ino;
}

void inode_get(struct inode *ino)
{
	__atomic_add_fetch(&ino->refs, 1, __ATOMIC_RELAXED);
}

void inode_put(struct inode *ino)
{
	if (!ino || __atomic_sub_fetch(&ino->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (ino->sb && ino->sb->ops && ino->sb->ops->evict_inode)
		ino->sb->ops->evict_inode(ino);
	VFS_COUNT(inodes, -1);
	kfree(ino);
}

void inode_touch(struct inode *ino, bool ctime_only)
{
	struct vfs_time now = vfs_now();

	ino->ctime = now;
	if (!ctime_only)
		ino->mtime = now;
}

unsigned vfs_dtype(uint32_t mode)
{
	/* DT_* is the S_IFMT type shifted down, by the definition of both (Linux's fs_types.c). */
	return (mode & S_IFMT) >> 12;
}

struct super_block *sb_alloc(const struct fs_type *type, const struct super_ops *ops)
{
	struct super_block *sb = kcalloc(1, sizeof(*sb));

	if (!sb)
		return NULL;
	sb->type = type;
	sb->ops = ops;
	sb->dev = DEV_ENCODE(0, __atomic_fetch_add(&next_anon_dev, 1, __ATOMIC_RELAXED));
	sb->refs = 1;
	sb->next_ino = 1;
	return sb;
}

int vfs_register_fs(struct fs_type *type)
{
	int err = 0;

	spin_lock(&registry_lock);
	struct fs_type *t;
	list_for_each_entry(t, &registry, link) {
		if (strcmp(t->name, type->name) == 0) {
			err = -EBUSY;
			goto out_unlock;
		}
	}
	list_add_tail(&registry, &type->link);
out_unlock:
	spin_unlock(&registry_lock);
	return err;
}

const struct fs_type *vfs_find_fs(const char *name)
{
	const struct fs_type *found = NULL;
	struct fs_type *t;

	spin_lock(&registry_lock);
	list_for_each_entry(t, &registry, link) {
		if (strcmp(t->name, name) == 0) {
			found = t;
			break;
		}
	}
	spin_unlock(&registry_lock);
	return found;
}

void vfs_for_each_fs(void (*fn)(const struct fs_type *type, void *ctx), void *ctx)
{
	struct fs_type *t;

	/* Types are never unregistered, so walking after the lock would do; holding it is simpler. */
	spin_lock(&registry_lock);
	list_for_each_entry(t, &registry, link)
		fn(t, ctx);
	spin_unlock(&registry_lock);
}

/* Copy what @a sets but the size into @ino (mode bits, owner, times). */
void inode_setattr_copy_locked(struct inode *ino, const struct iattr *a) __must_hold(&ino->lock)
{
	if (a->valid & ATTR_MODE)
		ino->mode = (ino->mode & S_IFMT) | (a->mode & 07777u);
	if (a->valid & ATTR_UID)
		ino->uid = a->uid;
	if (a->valid & ATTR_GID)
		ino->gid = a->gid;
	if (a->valid & ATTR_ATIME)
		ino->atime = a->atime;
	if (a->valid & ATTR_MTIME)
		ino->mtime = a->mtime;
	if (a->valid & ATTR_CTIME)
		ino->ctime = a->ctime;
}

int vfs_setattr_locked(struct inode *ino, const struct iattr *a) __must_hold(&ino->lock)
{
	if (ino->iops && ino->iops->setattr)
		return ino->iops->setattr(ino, a);
	if (a->valid & ATTR_SIZE)
		return -EPERM;
	inode_setattr_copy_locked(ino, a);
	return 0;
}

int vfs_truncate_inode(struct inode *ino, int64_t size)
{
	struct iattr a = { .valid = ATTR_SIZE | ATTR_MTIME | ATTR_CTIME, .size = size };
	int err;

	if (size < 0)
		return -EINVAL;
	a.mtime = a.ctime = vfs_now();
	mutex_lock(&ino->lock);
	inode_kill_suid_locked(ino);
	err = vfs_setattr_locked(ino, &a);
	mutex_unlock(&ino->lock);
	return err;
}

void inode_kill_suid_locked(struct inode *ino) __must_hold(&ino->lock)
{
	uint32_t kill = S_ISUID;
	struct iattr a = { .valid = ATTR_MODE | ATTR_CTIME };

	/* setgid without group-execute is a mandatory-locking mark, not a privilege (Linux). */
	if ((ino->mode & S_ISGID) && (ino->mode & 0010))
		kill |= S_ISGID;
	if (!S_ISREG(ino->mode) || !(ino->mode & kill) || fs_fsuid() == 0)
		return;
	a.mode = ino->mode & ~kill;
	a.uid = ino->uid;
	a.gid = ino->gid;
	a.ctime = vfs_now();
	if (vfs_setattr_locked(ino, &a))
		ino->mode &= ~kill;
}
