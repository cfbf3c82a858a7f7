// SPDX-License-Identifier: MIT
/*
 * vfat's name operations: lookup (long names and short aliases, case
 * folded), create, mkdir, unlink, rmdir, rename, and setattr. FAT has no
 * hard links, symbolic links, device nodes or owners: those operations are
 * absent (the VFS answers EPERM), chown to anyone but the mount's owner is
 * EPERM as in Linux, and chmod keeps only "writable or not".
 *
 * Lock order: the VFS's inode locks, then the volume lock.
 */
#include <cairn/errno.h>
#include <cairn/linux/stat.h>

#include <lib/string.h>

#include "fs/fat/internal.h"
#include "fs/file.h"
#include "mm/heap.h"

static int fat_lookup(struct inode *dir, struct dentry *d)
{
	struct fat_sb *fs = FAT_SB(dir->sb);
	struct fat_inode *di = FAT_I(dir);
	struct fat_found *f = kmalloc(sizeof(*f));
	struct inode *ino = NULL;
	int err;

	if (!f)
		return -ENOMEM;
	mutex_lock(&fs->lock);
	err = di->unlinked ? -ENOENT : fat_dir_find_locked(fs, di->first, d->name, d->namelen, f);
	if (!err)
		ino = fat_iget_locked(fs, f, di->first, &err);
	mutex_unlock(&fs->lock);
	kfree(f);
	if (ino)
		d_instantiate(d, ino);
	return err == -ENOENT ? 0 : err;
}

/* A short entry to copy the fields from: @attr, @first, size 0, the times of now. */
static void fat_proto(uint8_t *proto, uint8_t attr, uint32_t first)
{
	struct inode tmp;

	memset(proto, 0, FAT_DIRENT_SIZE);
	proto[11] = attr;
	fat_dirent_set_cluster(proto, first);
	tmp.mtime = tmp.atime = vfs_now();
	fat_entry_times(&tmp, proto, true);
}

/* Add @d's name to @dir as described by @proto and give @d its new inode. */
static int fat_add_entry_locked(struct fat_sb *fs, struct inode *dir, struct dentry *d,
                                const uint8_t *proto) __must_hold(&fs->lock)
{
	struct fat_found *f = kcalloc(1, sizeof(*f));
	struct vfs_time now = vfs_now();
	struct inode *ino = NULL;
	uint32_t dirc = FAT_I(dir)->first;
	int err = -ENOMEM;

	if (!f)
		return err;
	err = fat_dir_add_locked(fs, dirc, d->name, d->namelen, proto, &f->idx, &f->dpos,
	                         &f->de.nslots);
	if (!err) {
		f->de.attr = proto[11];
		f->de.cluster = fat_dirent_cluster(proto);
		ino = fat_iget_locked(fs, f, dirc, &err);
	}
	kfree(f);
	if (!ino)
		return err;
	ino->mtime = ino->atime = ino->ctime = now;
	inode_touch(dir, false);
	d_instantiate(d, ino);
	return 0;
}

static int fat_create(struct inode *dir, struct dentry *d, uint32_t mode)
{
	struct fat_sb *fs = FAT_SB(dir->sb);
	uint8_t proto[FAT_DIRENT_SIZE];
	int err;

	if (!S_ISREG(mode) && (mode & S_IFMT))
		return -EPERM;
	fat_proto(proto, (uint8_t)(FAT_ATTR_ARCH | ((mode & 0222) ? 0 : FAT_ATTR_RO)), 0);
	mutex_lock(&fs->lock);
	err = fat_add_entry_locked(fs, dir, d, proto);
	mutex_unlock(&fs->lock);
	return err;
}

static int fat_mkdir(struct inode *dir, struct dentry *d, uint32_t mode)
{
	struct fat_sb *fs = FAT_SB(dir->sb);
	uint8_t proto[FAT_DIRENT_SIZE];
	uint32_t c;
	int err;

	(void)mode;
	mutex_lock(&fs->lock);
	err = fat_dir_init_locked(fs, FAT_I(dir)->first, &c);
	if (!err) {
		fat_proto(proto, FAT_ATTR_DIR, c);
		err = fat_add_entry_locked(fs, dir, d, proto);
		if (err && fat_free_chain(&fs->vol, c))
			fat_error(fs, "cannot free a new directory's cluster", err);
	}
	mutex_unlock(&fs->lock);
	return err;
}

/* Take @victim's name out of its directory; its clusters go when it is evicted. */
static int fat_remove(struct inode *dir, struct dentry *d, bool is_dir)
{
	struct fat_sb *fs = FAT_SB(dir->sb);
	struct inode *ino = d->inode;
	struct fat_inode *fi = FAT_I(ino);
	int err = 0;

	mutex_lock(&ino->lock);
	mutex_lock(&fs->lock);
	if (is_dir)
		err = fat_dir_empty_locked(fs, fi->first);
	if (!err)
		err = fat_dir_remove_locked(fs, fi->dir, fi->didx, fi->nslots);
	if (!err) {
		fi->unlinked = true;
		ino->nlink = 0;
		inode_touch(ino, true);
	}
	mutex_unlock(&fs->lock);
	mutex_unlock(&ino->lock);
	if (!err) {
		inode_touch(dir, false);
		d_drop(d);
	}
	return err;
}

static int fat_unlink(struct inode *dir, struct dentry *d)
{
	return fat_remove(dir, d, false);
}

static int fat_rmdir(struct inode *dir, struct dentry *d)
{
	return fat_remove(dir, d, true);
}

/* A directory moved to @parent: its ".." names the new parent (0 for the root). */
static int fat_set_dotdot_locked(struct fat_sb *fs, struct fat_inode *fi, uint32_t parent)
	__must_hold(&fs->lock)
{
	struct fat_walk w;
	int err = fat_walk_start_locked(fs, fi->first, 1, &w);

	if (!err) {
		fat_dirent_set_cluster(w.ent, parent == fat_root_dir(fs) ? 0 : parent);
		bdirty(w.b);
	}
	fat_walk_end(&w);
	return err;
}

/*
 * Point the existing entry of @tgt at @src's data: the short entry's fields
 * but the name (and its case bits) come from @proto. One sector changes, so
 * the replacement is all or nothing.
 */
static int fat_take_over_locked(struct fat_sb *fs, struct fat_inode *tgt, const uint8_t *proto)
	__must_hold(&fs->lock)
{
	uint32_t ss = fs->vol.g.sector_size;
	struct bbuf *b;
	uint8_t *ent;
	int err = fat_bread(fs, tgt->dpos / ss, &b);

	if (err)
		return err;
	ent = (uint8_t *)b->data + tgt->dpos % ss;
	ent[11] = proto[11];
	memcpy(ent + 13, proto + 13, FAT_DIRENT_SIZE - 13);
	bdirty(b);
	brelse(b);
	return 0;
}

/*
 * The new name is written before the old one goes, so a crash between
 * leaves two names for the file (fsck.fat repairs that) rather than none.
 * A replaced file's entry is taken over in place.
 */
static int fat_rename_locked(struct fat_sb *fs, struct inode *ndir, struct dentry *nd,
                             struct fat_inode *src, struct fat_inode *tgt) __must_hold(&fs->lock)
{
	uint32_t ss = fs->vol.g.sector_size, idx, ndirc = FAT_I(ndir)->first;
	uint8_t proto[FAT_DIRENT_SIZE];
	unsigned nslots;
	struct bbuf *b;
	uint64_t dpos;
	int err = fat_write_inode_locked(fs, src);

	if (!err && tgt && S_ISDIR(tgt->vfs->mode))
		err = fat_dir_empty_locked(fs, tgt->first);
	if (!err)
		err = fat_bread(fs, src->dpos / ss, &b);
	if (err)
		return err;
	memcpy(proto, (uint8_t *)b->data + src->dpos % ss, FAT_DIRENT_SIZE);
	brelse(b);
	if (tgt) {
		err = fat_take_over_locked(fs, tgt, proto);
		idx = tgt->didx, dpos = tgt->dpos, nslots = tgt->nslots;
	} else {
		err = fat_dir_add_locked(fs, ndirc, nd->name, nd->namelen, proto, &idx, &dpos,
		                         &nslots);
	}
	if (!err)
		err = fat_dir_remove_locked(fs, src->dir, src->didx, src->nslots);
	if (!err && S_ISDIR(src->vfs->mode) && src->dir != ndirc)
		err = fat_set_dotdot_locked(fs, src, ndirc);
	if (err)
		return err;
	if (tgt) {
		tgt->unlinked = true;
		tgt->vfs->nlink = 0;
	}
	src->dpos = dpos;
	src->dir = ndirc;
	src->didx = idx;
	src->nslots = nslots;
	return 0;
}

/* The rename under the volume lock. */
static int fat_rename_vol(struct fat_sb *fs, struct inode *ndir, struct dentry *od,
                          struct dentry *nd)
{
	int err;

	mutex_lock(&fs->lock);
	err = fat_rename_locked(fs, ndir, nd, FAT_I(od->inode),
	                        nd->inode ? FAT_I(nd->inode) : NULL);
	mutex_unlock(&fs->lock);
	return err;
}

static int fat_rename(struct inode *odir, struct dentry *od, struct inode *ndir, struct dentry *nd)
{
	struct fat_sb *fs = FAT_SB(odir->sb);
	struct inode *victim = nd->inode;
	int err;

	/* A replaced file's lock is taken (its nlink changes), before the volume's. */
	if (victim) {
		mutex_lock(&victim->lock);
		err = fat_rename_vol(fs, ndir, od, nd);
		mutex_unlock(&victim->lock);
	} else {
		err = fat_rename_vol(fs, ndir, od, nd);
	}
	if (!err) {
		inode_touch(odir, false);
		inode_touch(ndir, false);
	}
	return err;
}

/* Change a regular file's size: shrink the cache first, then the chain; grow with zeros. */
static int fat_truncate_locked(struct inode *ino, int64_t size) __must_hold(&ino->lock)
{
	struct fat_sb *fs = FAT_SB(ino->sb);
	struct fat_inode *fi = FAT_I(ino);
	uint32_t cs = fs->vol.g.cluster_size, want;
	int err;

	if (!S_ISREG(ino->mode))
		return -EISDIR;
	if (size < 0 || (uint64_t)size > 0xffffffffull)
		return -EFBIG;
	want = (uint32_t)(((uint64_t)size + cs - 1) / cs);
	if (size < ino->size)
		pagecache_truncate(ino->mapping, size);
	mutex_lock(&fs->lock);
	if (want < fi->nclus)
		err = fat_cut_chain_locked(fs, fi, want);
	else
		err = fat_grow_locked(fs, fi, want, 0, 0);
	if (!err) {
		__atomic_store_n(&ino->size, size, __ATOMIC_RELAXED);
		err = fat_write_inode_locked(fs, fi);
	}
	mutex_unlock(&fs->lock);
	return err;
}

int fat_setattr_locked(struct inode *ino, const struct iattr *a) __must_hold(&ino->lock)
{
	struct fat_sb *fs = FAT_SB(ino->sb);
	struct fat_inode *fi = FAT_I(ino);
	int err = 0;

	/* FAT stores no owner: only the mount's owner is accepted (Linux answers EPERM too). */
	if (((a->valid & ATTR_UID) && a->uid != fs->uid) ||
	    ((a->valid & ATTR_GID) && a->gid != fs->gid))
		return -EPERM;
	if (a->valid & ATTR_SIZE)
		err = fat_truncate_locked(ino, a->size);
	if (err)
		return err;
	inode_setattr_copy_locked(ino, a);
	mutex_lock(&fs->lock);
	if (a->valid & ATTR_MODE)
		fi->attr = (uint8_t)((a->mode & 0222) ? fi->attr & ~FAT_ATTR_RO
		                                      : fi->attr | FAT_ATTR_RO);
	ino->mode = fat_mode(fs, fi->attr);
	err = fat_write_inode_locked(fs, fi);
	mutex_unlock(&fs->lock);
	return err;
}

const struct inode_ops fat_dir_iops = {
	.lookup = fat_lookup,
	.create = fat_create,
	.mkdir = fat_mkdir,
	.unlink = fat_unlink,
	.rmdir = fat_rmdir,
	.rename = fat_rename,
	.setattr = fat_setattr_locked,
};

const struct inode_ops fat_file_iops = {
	.setattr = fat_setattr_locked,
};
