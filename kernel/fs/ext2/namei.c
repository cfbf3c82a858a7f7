// SPDX-License-Identifier: MIT
/*
 * ext2 directories and names for the VFS: lookup, the operations that
 * make and remove names (each one engine call under the mount's lock,
 * with the VFS inodes' fields pushed down before and pulled up after),
 * readdir over the on-disk entries (a position is a byte offset in the
 * directory), symbolic links' targets.
 */
#include <cairn/errno.h>
#include <cairn/linux/stat.h>

#include <lib/string.h>

#include "block/blkdev.h"
#include "core/log.h"
#include "fs/ext2/internal.h"
#include "fs/file.h"
#include "mm/heap.h"

static int ext2k_lookup(struct inode *dir, struct dentry *d)
{
	struct ext2k_sb *e = ext2k_sb(dir->sb);
	struct inode *ino;
	uint32_t nr;
	int err;

	if (d->namelen > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	mutex_lock(&e->lock);
	err = ext2_dir_lookup(&e->fs, &ext2k_i(dir)->di, d->name, d->namelen, &nr);
	ext2k_check_ro_locked(e);
	mutex_unlock(&e->lock);
	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	err = ext2k_iget(dir->sb, nr, &ino);
	if (err)
		return err;
	d_instantiate(d, ino);
	return 0;
}

/* A new inode of @mode named by @d in @dir: the engine makes it on disk, then the VFS sees it. */
static int make_node(struct inode *dir, struct dentry *d, uint32_t mode, uint32_t rdev,
                     const char *target)
{
	struct ext2k_sb *e = ext2k_sb(dir->sb);
	struct ext2k_inode *dki = ext2k_i(dir);
	struct inode *ino = ext2k_inode_alloc(dir->sb);
	int err;

	if (!ino)
		return -ENOMEM;
	inode_init_owner(ino, dir, mode);
	struct ext2_new n = { .mode = ino->mode,
		              .uid = ino->uid,
		              .gid = ino->gid,
		              .rdev = rdev,
		              .now = ext2k_now(),
		              .target = target };
	mutex_lock(&e->lock);
	ext2k_push_locked(e, dki);
	err = ext2_create(&e->fs, &dki->di, d->name, d->namelen, &n, &ext2k_i(ino)->di);
	ext2k_pull_locked(e, dki);
	ext2k_check_ro_locked(e);
	mutex_unlock(&e->lock);
	if (!err)
		err = ext2k_inew(dir->sb, ino);
	if (err) {
		kfree(ino->priv);
		ino->priv = NULL;
		inode_put(ino);
		return err;
	}
	inode_touch(dir, false);
	d_instantiate(d, ino);
	return 0;
}

static int ext2k_create(struct inode *dir, struct dentry *d, uint32_t mode)
{
	return make_node(dir, d, (mode & 07777) | S_IFREG, 0, NULL);
}

static int ext2k_mkdir(struct inode *dir, struct dentry *d, uint32_t mode)
{
	return make_node(dir, d, (mode & 07777) | S_IFDIR, 0, NULL);
}

static int ext2k_mknod(struct inode *dir, struct dentry *d, uint32_t mode, uint32_t rdev)
{
	if ((mode & S_IFMT) == 0)
		mode |= S_IFREG;
	return make_node(dir, d, mode, rdev, NULL);
}

static int ext2k_symlink(struct inode *dir, struct dentry *d, const char *target)
{
	struct ext2k_sb *e = ext2k_sb(dir->sb);

	if (strlen(target) >= e->fs.block_size)
		return -ENAMETOOLONG;
	return make_node(dir, d, S_IFLNK | 0777, 0, target);
}

static int ext2k_link(struct dentry *old, struct inode *dir, struct dentry *d)
{
	struct ext2k_sb *e = ext2k_sb(dir->sb);
	struct inode *src = old->inode;
	int err;

	mutex_lock(&e->lock);
	ext2k_push_locked(e, ext2k_i(src));
	ext2k_push_locked(e, ext2k_i(dir));
	err = ext2_link(&e->fs, &ext2k_i(dir)->di, d->name, d->namelen, &ext2k_i(src)->di);
	ext2k_pull_locked(e, ext2k_i(src));
	ext2k_pull_locked(e, ext2k_i(dir));
	ext2k_check_ro_locked(e);
	mutex_unlock(&e->lock);
	if (err)
		return err;
	inode_touch(src, true);
	inode_touch(dir, false);
	inode_get(src);
	d_instantiate(d, src);
	return 0;
}

/* unlink and rmdir: the engine checks a directory is really empty. */
static int remove_name(struct inode *dir, struct dentry *d)
{
	struct ext2k_sb *e = ext2k_sb(dir->sb);
	struct inode *victim = d->inode;
	int err;

	mutex_lock(&e->lock);
	ext2k_push_locked(e, ext2k_i(victim));
	ext2k_push_locked(e, ext2k_i(dir));
	err = ext2_unlink(&e->fs, &ext2k_i(dir)->di, d->name, d->namelen, &ext2k_i(victim)->di,
	                  ext2k_now());
	ext2k_pull_locked(e, ext2k_i(victim));
	ext2k_pull_locked(e, ext2k_i(dir));
	ext2k_check_ro_locked(e);
	mutex_unlock(&e->lock);
	if (err)
		return err;
	inode_touch(victim, true);
	inode_touch(dir, false);
	d_drop(d);
	return 0;
}

static int ext2k_rename(struct inode *odir, struct dentry *od, struct inode *ndir,
                        struct dentry *nd)
{
	struct ext2k_sb *e = ext2k_sb(odir->sb);
	struct inode *src = od->inode, *victim = nd->inode;
	struct ext2_rename r = {
		.odir = &ext2k_i(odir)->di,
		.ndir = &ext2k_i(ndir)->di,
		.src = &ext2k_i(src)->di,
		.victim = victim ? &ext2k_i(victim)->di : NULL,
		.oname = od->name,
		.olen = od->namelen,
		.nname = nd->name,
		.nlen = nd->namelen,
		.now = ext2k_now(),
	};
	struct inode *all[4] = { odir, ndir, src, victim };
	int err;

	mutex_lock(&e->lock);
	for (int i = 0; i < 4; i++)
		if (all[i])
			ext2k_push_locked(e, ext2k_i(all[i]));
	err = ext2_rename(&e->fs, &r);
	for (int i = 0; i < 4; i++)
		if (all[i])
			ext2k_pull_locked(e, ext2k_i(all[i]));
	ext2k_check_ro_locked(e);
	mutex_unlock(&e->lock);
	if (err)
		return err;
	inode_touch(src, true);
	inode_touch(odir, false);
	inode_touch(ndir, false);
	if (victim)
		inode_touch(victim, true);
	return 0;
}

static long ext2k_readlink(struct inode *ino, char *buf, size_t n)
{
	struct ext2k_sb *e = ext2k_sb(ino->sb);
	char *tmp = kmalloc(e->fs.block_size);
	long len;

	if (!tmp)
		return -ENOMEM;
	mutex_lock(&e->lock);
	len = ext2_readlink(&e->fs, &ext2k_i(ino)->di, tmp, e->fs.block_size);
	ext2k_check_ro_locked(e);
	mutex_unlock(&e->lock);
	if (len > 0) {
		if ((size_t)len > n)
			len = (long)n;
		memcpy(buf, tmp, (size_t)len);
	}
	kfree(tmp);
	return len;
}

/* ---- readdir ---- */

static unsigned ftype_dtype(uint8_t ft)
{
	static const unsigned map[EXT2_FT_MAX] = {
		[EXT2_FT_REG_FILE] = DT_REG, [EXT2_FT_DIR] = DT_DIR,   [EXT2_FT_CHRDEV] = DT_CHR,
		[EXT2_FT_BLKDEV] = DT_BLK,   [EXT2_FT_FIFO] = DT_FIFO, [EXT2_FT_SOCK] = DT_SOCK,
		[EXT2_FT_SYMLINK] = DT_LNK,
	};

	return ft < EXT2_FT_MAX ? map[ft] : DT_UNKNOWN;
}

struct ext2k_readdir {
	struct dir_ctx *ctx;
	struct file *f;
};

static int readdir_one(void *c, const struct ext2_dirent_info *ent)
{
	struct ext2k_readdir *r = c;

	if (!r->ctx->emit(r->ctx, ent->name, ent->name_len, ent->ino, ftype_dtype(ent->ftype)))
		return 1;
	r->f->pos = (int64_t)ent->next;
	return 0;
}

/* Readdir from byte offset f->pos; emit only copies into a kernel buffer, so [E] may be held. */
static int ext2k_iterate(struct file *f, struct dir_ctx *ctx)
{
	struct inode *dir = f->inode;
	struct ext2k_sb *e = ext2k_sb(dir->sb);
	struct ext2k_readdir r = { .ctx = ctx, .f = f };
	int err;

	if (dir->nlink == 0)
		return -ENOENT;
	if (f->pos < 0)
		return -EINVAL;
	mutex_lock(&e->lock);
	err = ext2_dir_iterate(&e->fs, &ext2k_i(dir)->di, (uint64_t)f->pos, readdir_one, &r);
	if (err == 0 && f->pos < dir->size)
		f->pos = dir->size;
	ext2k_check_ro_locked(e);
	mutex_unlock(&e->lock);
	return err < 0 ? err : 0;
}

/* A directory's position is a byte offset: SEEK_SET and SEEK_CUR only (as Linux's ext2). */
static int64_t ext2k_dir_llseek(struct file *f, int64_t off, int whence)
{
	if (whence == 1 /* SEEK_CUR */)
		off += f->pos;
	else if (whence != 0 /* SEEK_SET */)
		return -EINVAL;
	if (off < 0)
		return -EINVAL;
	return off;
}

/* fsync of a directory: its entries and inode (in the buffer cache) reach the disk. */
static int ext2k_dir_fsync(struct file *f, bool datasync)
{
	struct ext2k_sb *e = ext2k_sb(f->inode->sb);
	int err;

	(void)datasync;
	mutex_lock(&e->lock);
	err = ext2k_write_locked(e, ext2k_i(f->inode));
	if (!err && !e->fs.readonly && e->fs.sb_dirty)
		err = ext2_sync_super(&e->fs, ext2k_now());
	mutex_unlock(&e->lock);
	return err ? err : blk_sync(e->bdev);
}

const struct inode_ops ext2k_dir_iops = {
	.lookup = ext2k_lookup,
	.create = ext2k_create,
	.mkdir = ext2k_mkdir,
	.mknod = ext2k_mknod,
	.symlink = ext2k_symlink,
	.link = ext2k_link,
	.unlink = remove_name,
	.rmdir = remove_name,
	.rename = ext2k_rename,
	.setattr = ext2k_setattr,
};

const struct inode_ops ext2k_file_iops = {
	.setattr = ext2k_setattr,
};

const struct inode_ops ext2k_link_iops = {
	.readlink = ext2k_readlink,
	.setattr = ext2k_setattr,
};

const struct inode_ops ext2k_node_iops = {
	.setattr = ext2k_setattr,
};

const struct file_ops ext2k_dir_fops = {
	.iterate = ext2k_iterate,
	.llseek = ext2k_dir_llseek,
	.fsync = ext2k_dir_fsync,
};
