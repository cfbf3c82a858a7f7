// SPDX-License-Identifier: MIT
/*
 * The "ext2" file system type: mounting a block device (its superblock
 * and group descriptors checked by lib/ext2; an unclean or erroneous file
 * system, or one with features we may only read, is mounted read-only
 * with a message), the engine's block I/O over the buffer cache, statfs,
 * sync, and a clean unmount.
 */
#include <cairn/errno.h>
#include <cairn/linux/stat.h>

#include <lib/string.h>

#include "block/blkdev.h"
#include "core/log.h"
#include "fs/ext2/ext2.h"
#include "fs/ext2/internal.h"
#include "fs/fs_types.h"
#include "mm/heap.h"

/* ---- the engine's block I/O: the buffer cache ---- */

static int io_read(void *ctx, uint64_t blk, struct ext2_buf *b)
{
	struct ext2k_sb *e = ctx;
	struct bbuf *bb;
	int err = bread(e->bdev, blk, e->fs.block_size, &bb);

	if (err)
		return err;
	b->data = bb->data;
	b->handle = bb;
	return 0;
}

static int io_get(void *ctx, uint64_t blk, struct ext2_buf *b)
{
	struct ext2k_sb *e = ctx;
	struct bbuf *bb;
	int err = bget(e->bdev, blk, e->fs.block_size, &bb);

	if (err)
		return err;
	b->data = bb->data;
	b->handle = bb;
	return 0;
}

static void io_dirty(void *ctx, struct ext2_buf *b)
{
	(void)ctx;
	bdirty(b->handle);
}

static void io_release(void *ctx, struct ext2_buf *b)
{
	(void)ctx;
	brelse(b->handle);
	b->handle = NULL;
}

/* ---- super operations ---- */

static int ext2k_statfs(struct super_block *sb, struct kstatfs *st)
{
	struct ext2k_sb *e = ext2k_sb(sb);
	const struct ext2_super *s = &e->fs.sb;

	memset(st, 0, sizeof(*st));
	mutex_lock(&e->lock);
	st->type = EXT2_SUPER_MAGIC;
	st->bsize = e->fs.block_size;
	st->frsize = e->fs.block_size;
	st->blocks = s->s_blocks_count;
	st->bfree = s->s_free_blocks_count;
	st->bavail = s->s_free_blocks_count > s->s_r_blocks_count
	                     ? s->s_free_blocks_count - s->s_r_blocks_count
	                     : 0;
	st->files = s->s_inodes_count;
	st->ffree = s->s_free_inodes_count;
	st->namelen = EXT2_NAME_LEN;
	mutex_unlock(&e->lock);
	return 0;
}

static int ext2k_sync(struct super_block *sb)
{
	return ext2k_sync_inodes(ext2k_sb(sb));
}

/* The last mount went: write everything back, mark the disk clean, flush. */
static void ext2k_put_super(struct super_block *sb)
{
	struct ext2k_sb *e = ext2k_sb(sb);
	int err = ext2k_sync_inodes(e);

	mutex_lock(&e->lock);
	if (!err)
		err = ext2_unmount_clean(&e->fs, ext2k_now());
	e->unmounted = true;
	mutex_unlock(&e->lock);
	if (!err)
		err = blk_sync(e->bdev);
	if (err)
		pr_err("ext2: %s: unmount: write-back failed (%d); run e2fsck", e->bdev->name, err);
	/* The root inode is still held (the VFS drops it after this): it frees @e last. */
	ext2k_sb_put(e);
}

/*
 * mount -o remount, and power-off (vfs_shutdown, block lane): going
 * read-only writes everything back and marks the disk clean, as an
 * unmount does; going read-write marks it in use again, unless it was
 * taken read-only for being unclean or damaged.
 */
static int ext2k_remount(struct super_block *sb, unsigned flags)
{
	struct ext2k_sb *e = ext2k_sb(sb);
	bool was_ro = sb->flags & SB_RDONLY;
	int err = 0;

	if ((flags & SB_RDONLY) && !was_ro) {
		err = ext2k_sync_inodes(e);
		mutex_lock(&e->lock);
		if (!err)
			err = ext2_unmount_clean(&e->fs, ext2k_now());
		if (!err)
			e->fs.readonly = true;
		mutex_unlock(&e->lock);
	} else if (!(flags & SB_RDONLY) && was_ro) {
		mutex_lock(&e->lock);
		if (e->fs.why) {
			err = -EROFS;
		} else {
			e->fs.readonly = false;
			err = ext2_mount_rw(&e->fs, ext2k_now());
			if (err)
				e->fs.readonly = true;
		}
		mutex_unlock(&e->lock);
	}
	return err;
}

static const struct super_ops ext2k_super_ops = {
	.evict_inode = ext2k_evict_inode,
	.statfs = ext2k_statfs,
	.sync = ext2k_sync,
	.put_super = ext2k_put_super,
	.remount = ext2k_remount,
};

/* ---- mounting ---- */

/* Read and check the superblock; decide read-only. */
static int open_fs(struct ext2k_sb *e, unsigned *flags)
{
	uint32_t len = e->bdev->lbsize > 2048 ? e->bdev->lbsize : 2048;
	uint8_t *buf = kmalloc(len);
	int err;

	if (!buf)
		return -ENOMEM;
	err = blk_rw(e->bdev, BIO_READ, 0, buf, len);
	if (!err)
		err = ext2_open(&e->fs, &e->io, buf + EXT2_SUPER_OFFSET, e->bdev->nr_sectors / 2);
	kfree(buf);
	if (err) {
		pr_err("ext2: %s: cannot mount: %s", e->bdev->name,
		       e->fs.why ? e->fs.why : "I/O error");
		return err;
	}
	if (e->fs.block_size > PAGE_CACHE_SIZE || e->fs.block_size % e->bdev->lbsize) {
		pr_err("ext2: %s: block size %u not supported here", e->bdev->name,
		       e->fs.block_size);
		return -EINVAL;
	}
	if (e->fs.readonly && !(*flags & SB_RDONLY)) {
		pr_warn("ext2: %s: %s", e->bdev->name, e->fs.why);
		*flags |= SB_RDONLY;
	}
	if (*flags & SB_RDONLY) {
		e->fs.readonly = true;
		e->ro_logged = true;
		return 0;
	}
	return ext2_mount_rw(&e->fs, ext2k_now());
}

static struct ext2k_sb *ext2k_sb_new(struct block_device *bdev)
{
	struct ext2k_sb *e = kcalloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->bdev = bdev;
	e->refs = 1;
	mutex_init(&e->lock, "ext2");
	spin_init(&e->icache_lock, "ext2-icache");
	e->io = (struct ext2_io){
		.ctx = e, .read = io_read, .get = io_get, .dirty = io_dirty, .release = io_release
	};
	return e;
}

/* The super_block over @e, with its root directory. */
static int make_sb(const struct fs_type *type, struct ext2k_sb *e, unsigned flags,
                   struct super_block **out)
{
	struct super_block *sb = sb_alloc(type, &ext2k_super_ops);
	struct inode *root;
	int err;

	if (!sb)
		return -ENOMEM;
	sb->magic = EXT2_SUPER_MAGIC;
	sb->priv = e;
	sb->flags = flags;
	sb->bdev = e->bdev;
	e->sb = sb;
	err = ext2k_iget(sb, EXT2_ROOT_INO, &root);
	if (!err && !S_ISDIR(root->mode)) {
		inode_put(root);
		err = -EUCLEAN;
	}
	if (!err) {
		sb->root = d_make_root(sb, root);
		if (!sb->root) {
			inode_put(root);
			err = -ENOMEM;
		}
	}
	if (err) {
		pr_err("ext2: %s: cannot read the root directory (%d)", e->bdev->name, err);
		kfree(sb);
		return err;
	}
	*out = sb;
	return 0;
}

/* The device, claimed; a write-protected one is taken read-only, as mount(8) would retry. */
static int get_bdev(const char *source, unsigned *flags, struct block_device **out)
{
	int err = sb_get_bdev(source, *flags, out);

	if (err == -EROFS && !(*flags & SB_RDONLY)) {
		*flags |= SB_RDONLY;
		err = sb_get_bdev(source, *flags, out);
		if (!err)
			pr_warn("ext2: %s: write-protected, mounting read-only", (*out)->name);
	}
	return err;
}

static int ext2k_mount(const struct fs_type *type, const char *source, unsigned flags,
                       const char *data, struct super_block **out)
{
	struct block_device *bdev;
	struct ext2k_sb *e;
	int err;

	(void)data;
	err = get_bdev(source, &flags, &bdev);
	if (err)
		return err;
	e = ext2k_sb_new(bdev);
	if (!e) {
		sb_put_bdev(bdev);
		return -ENOMEM;
	}
	err = open_fs(e, &flags);
	if (!err)
		err = make_sb(type, e, flags, out);
	if (err) {
		/* Undo ext2_mount_rw's "not clean" mark; no inode holds @e now. */
		if (!e->fs.readonly && !e->fs.why && ext2_unmount_clean(&e->fs, ext2k_now()) != 0)
			pr_warn("ext2: %s: could not mark the disk clean again", bdev->name);
		ext2k_sb_put(e);
		sb_put_bdev(bdev);
		return err;
	}
	pr_info("ext2: %s: mounted %s, %u-byte blocks, %u groups", bdev->name,
	        (flags & SB_RDONLY) ? "read-only" : "read-write", e->fs.block_size, e->fs.groups);
	return 0;
}

static struct fs_type ext2_type = {
	.name = "ext2",
	.flags = FS_REQUIRES_DEV,
	.mount = ext2k_mount,
};

int ext2_register(void)
{
	return vfs_register_fs(&ext2_type);
}
