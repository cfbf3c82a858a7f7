// SPDX-License-Identifier: MIT
/*
 * tmpfs's super block and inodes: mount options, the size and inode
 * limits, statfs, and making and freeing inodes. Every mount makes a new
 * instance; its root directory takes mode=, uid= and gid= from the options.
 * The limits are counters updated atomically, so creating and writing
 * files takes no lock wider than the inode's own.
 */
#include <cairn/errno.h>
#include <cairn/linux/stat.h>

#include <lib/string.h>

#include "core/log.h"
#include "fs/fs_types.h"
#include "fs/internal.h"
#include "fs/tmpfs/internal.h"
#include "fs/tmpfs/tmpfs.h"
#include "mm/heap.h"
#include "mm/pmm.h"

int tmpfs_charge(struct tmpfs_sb *t, uint64_t n)
{
	uint64_t now = __atomic_add_fetch(&t->pages, n, __ATOMIC_RELAXED);

	if (now <= t->max_pages)
		return 0;
	__atomic_sub_fetch(&t->pages, n, __ATOMIC_RELAXED);
	return -ENOSPC;
}

void tmpfs_uncharge(struct tmpfs_sb *t, uint64_t n)
{
	__atomic_sub_fetch(&t->pages, n, __ATOMIC_RELAXED);
}

/*
 * Operations by file type. Nodes (devices, FIFOs, sockets) have no file
 * operations of their own: the VFS's open sends devices to the driver
 * registered for the number and FIFOs to the pipe code.
 */
static void tmpfs_set_ops(struct inode *ino)
{
	switch (ino->mode & S_IFMT) {
	case S_IFDIR:
		ino->iops = &tmpfs_dir_iops;
		ino->fops = &tmpfs_dir_fops;
		break;
	case S_IFREG:
		ino->iops = &tmpfs_file_iops;
		ino->fops = &tmpfs_file_fops;
		break;
	case S_IFLNK:
		ino->iops = &tmpfs_link_iops;
		break;
	default:
		ino->iops = &tmpfs_node_iops;
		break;
	}
}

static void tmpfs_sb_unref(struct tmpfs_sb *t)
{
	if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(t);
}

/* Reserve one inode of @sb's nr_inodes (and a hold on its counters): 0 or -ENOSPC. */
static int tmpfs_charge_inode(struct super_block *sb)
{
	struct tmpfs_sb *t = tmpfs_sb(sb);

	if (__atomic_add_fetch(&t->inodes, 1, __ATOMIC_RELAXED) > t->max_inodes) {
		__atomic_sub_fetch(&t->inodes, 1, __ATOMIC_RELAXED);
		return -ENOSPC;
	}
	__atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
	return 0;
}

static void tmpfs_uncharge_inode(struct tmpfs_sb *t)
{
	__atomic_sub_fetch(&t->inodes, 1, __ATOMIC_RELAXED);
	tmpfs_sb_unref(t);
}

struct inode *tmpfs_new_inode(struct super_block *sb, struct inode *dir, uint32_t mode,
                              uint32_t rdev, int *err)
{
	struct tmpfs_inode *ti;
	struct inode *ino;

	*err = tmpfs_charge_inode(sb);
	if (*err)
		return NULL;
	ti = kcalloc(1, sizeof(*ti));
	ino = ti ? inode_alloc(sb) : NULL;
	if (!ino) {
		kfree(ti);
		tmpfs_uncharge_inode(tmpfs_sb(sb));
		*err = -ENOMEM;
		return NULL;
	}
	ino->ino = __atomic_add_fetch(&sb->next_ino, 1, __ATOMIC_RELAXED);
	ino->priv = ti;
	ti->sbi = tmpfs_sb(sb);
	ino->rdev = rdev;
	ino->nlink = 1;
	inode_init_owner(ino, dir, mode);
	if ((mode & S_IFMT) == S_IFDIR) {
		ino->nlink = 2;
		ino->size = 2 * TMPFS_BOGO_SIZE; /* "." and ".." */
		tmpfs_dir_init(&ti->dir, dir);
	} else if ((mode & S_IFMT) == S_IFREG) {
		tmpfs_file_init(ino);
	}
	tmpfs_set_ops(ino);
	return ino;
}

/* The last reference went and no name is left: give back the data and the counters. */
static void tmpfs_evict_inode(struct inode *ino)
{
	struct tmpfs_inode *ti = tmpfs_i(ino);
	struct tmpfs_sb *t;

	if (!ti)
		return;
	t = ti->sbi;
	switch (ino->mode & S_IFMT) {
	case S_IFREG:
		tmpfs_file_cut(ino, 0);
		mapping_destroy(&ti->mapping);
		break;
	case S_IFDIR:
		tmpfs_dir_free(&ti->dir);
		break;
	case S_IFLNK:
		kfree(ti->link);
		break;
	}
	kfree(ti);
	ino->priv = NULL;
	tmpfs_uncharge_inode(t);
}

static int tmpfs_statfs(struct super_block *sb, struct kstatfs *st)
{
	struct tmpfs_sb *t = tmpfs_sb(sb);
	uint64_t used = __atomic_load_n(&t->pages, __ATOMIC_RELAXED);
	uint64_t inodes = __atomic_load_n(&t->inodes, __ATOMIC_RELAXED);

	memset(st, 0, sizeof(*st));
	st->type = TMPFS_MAGIC;
	st->bsize = PAGE_SIZE;
	st->frsize = PAGE_SIZE;
	st->blocks = t->max_pages;
	st->bfree = used < t->max_pages ? t->max_pages - used : 0;
	st->bavail = st->bfree;
	st->files = t->max_inodes;
	st->ffree = inodes < t->max_inodes ? t->max_inodes - inodes : 0;
	st->namelen = NAME_MAX;
	return 0;
}

/*
 * The last mount went: drop every name, which frees the inodes nobody
 * holds open; the counters stay until the last inode is evicted.
 */
static void tmpfs_put_super(struct super_block *sb)
{
	if (sb->root && sb->root->inode)
		tmpfs_dir_teardown(sb->root->inode);
	tmpfs_sb_unref(tmpfs_sb(sb));
}

static const struct super_ops tmpfs_super_ops = {
	.evict_inode = tmpfs_evict_inode,
	.statfs = tmpfs_statfs,
	.put_super = tmpfs_put_super,
};

int tmpfs_fill_super(const struct fs_type *type, unsigned flags, const char *data,
                     struct super_block **out)
{
	struct tmpfs_sb *t = kcalloc(1, sizeof(*t));
	struct super_block *sb;
	struct inode *root;
	int err = -ENOMEM;

	if (!t)
		return -ENOMEM;
	t->refs = 1;
	err = tmpfs_parse_options(t, data);
	if (err)
		goto out_free_t;
	err = -ENOMEM;
	sb = sb_alloc(type, &tmpfs_super_ops);
	if (!sb)
		goto out_free_t;
	sb->magic = TMPFS_MAGIC;
	sb->priv = t;
	sb->flags = flags;
	root = tmpfs_new_inode(sb, NULL, S_IFDIR | t->root_mode, 0, &err);
	if (!root)
		goto out_free_sb;
	root->uid = t->root_uid;
	root->gid = t->root_gid;
	sb->root = d_make_root(sb, root);
	if (!sb->root) {
		inode_put(root);
		goto out_free_sb;
	}
	*out = sb;
	return 0;
out_free_sb:
	/* Not yet seen by anyone: freed as the VFS frees a super_block's last reference. */
	kfree(sb);
out_free_t:
	tmpfs_sb_unref(t);
	return err;
}

static int tmpfs_mount(const struct fs_type *type, const char *source, unsigned flags,
                       const char *data, struct super_block **out)
{
	(void)source;
	return tmpfs_fill_super(type, flags, data, out);
}

static struct fs_type tmpfs_type = {
	.name = "tmpfs",
	.mount = tmpfs_mount,
};

int tmpfs_register(void)
{
	return vfs_register_fs(&tmpfs_type);
}
