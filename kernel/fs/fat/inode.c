// SPDX-License-Identifier: MIT
/*
 * vfat inodes. FAT has no inodes: a file is its directory entry, so an
 * in-memory inode is found by the position of its short entry on the
 * volume (which also gives its number, as Linux's i_pos does), and every
 * change to its size, first cluster or times is written back into that
 * entry. Owners and permission bits come from the mount options; the only
 * permission FAT stores is the read-only attribute.
 */
#include <cairn/errno.h>
#include <cairn/linux/stat.h>

#include <lib/string.h>

#include "core/log.h"
#include "fs/fat/internal.h"
#include "mm/heap.h"

uint32_t fat_mode(const struct fat_sb *fs, uint8_t attr)
{
	uint32_t mode;

	if (attr & FAT_ATTR_DIR)
		mode = S_IFDIR | (0777 & ~fs->dmask);
	else
		mode = S_IFREG | (0777 & ~fs->fmask);
	return (attr & FAT_ATTR_RO) ? mode & ~0222u : mode;
}

static void fat_set_ops(struct inode *ino, struct fat_inode *fi)
{
	if (S_ISDIR(ino->mode)) {
		ino->iops = &fat_dir_iops;
		ino->fops = &fat_dir_fops;
		return;
	}
	ino->iops = &fat_file_iops;
	ino->fops = &fat_file_fops;
	mapping_init(&fi->mapping, ino, &fat_aops);
	ino->mapping = &fi->mapping;
}

/* A new in-memory inode for entry @de (at @dpos, index @idx of @dir), added to the table. */
static struct inode *fat_new_inode_locked(struct fat_sb *fs, const struct fat_dirent *de,
                                          uint64_t dpos, uint32_t dir, uint32_t idx, int *err)
	__must_hold(&fs->lock)
{
	struct fat_inode *fi = kcalloc(1, sizeof(*fi));
	struct inode *ino = fi ? inode_alloc(fs->sb) : NULL;

	if (!ino) {
		kfree(fi);
		*err = -ENOMEM;
		return NULL;
	}
	ino->priv = fi;
	fi->vfs = ino;
	fi->first = de->cluster;
	fi->dpos = dpos;
	fi->dir = dir;
	fi->didx = idx;
	fi->nslots = de->nslots;
	fi->attr = de->attr;
	ino->ino = dpos ? dpos / FAT_DIRENT_SIZE : FAT_ROOT_INO;
	ino->mode = fat_mode(fs, de->attr);
	ino->uid = fs->uid;
	ino->gid = fs->gid;
	ino->nlink = 1;
	ino->mtime.sec = fat_time_to_unix(de->mdate, de->mtime);
	ino->atime.sec = fat_time_to_unix(de->adate, 0);
	ino->ctime = ino->mtime;
	fat_set_ops(ino, fi);
	list_add_tail(&fs->inodes, &fi->link);
	return ino;
}

/* Check the chain of a new inode against its size; set nclus, size and blocks. */
static int fat_load_chain_locked(struct fat_sb *fs, struct inode *ino, const struct fat_dirent *de)
	__must_hold(&fs->lock)
{
	struct fat_inode *fi = FAT_I(ino);
	uint32_t cs = fs->vol.g.cluster_size;
	int err = 0;

	if (fi->first && !fat_cluster_valid(&fs->vol.g, fi->first))
		err = -EUCLEAN;
	else if (fi->first)
		err = fat_chain_len(&fs->vol, fi->first, &fi->nclus);
	if (!err && S_ISREG(ino->mode) && (uint64_t)fi->nclus * cs < de->size)
		err = -EUCLEAN;
	if (!err && S_ISDIR(ino->mode) && fi->first == 0 && fi->dpos)
		err = -EUCLEAN;
	if (err) {
		fat_error(fs, "a file's cluster chain is broken or shorter than its size", err);
		return err;
	}
	ino->size = S_ISDIR(ino->mode) ? (int64_t)fi->nclus * cs : de->size;
	ino->blocks = (uint64_t)fi->nclus * cs / 512;
	return 0;
}

/* Take a reference on @ino unless its last one is already gone (it is being evicted). */
static bool fat_get_unless_zero(struct inode *ino)
{
	int r = __atomic_load_n(&ino->refs, __ATOMIC_RELAXED);

	while (r > 0)
		if (__atomic_compare_exchange_n(&ino->refs, &r, r + 1, false, __ATOMIC_ACQUIRE,
		                                __ATOMIC_RELAXED))
			return true;
	return false;
}

/* The inode of the entry at @dpos if it is in memory and alive; waits out one being evicted. */
static struct inode *fat_find_inode_locked(struct fat_sb *fs, uint64_t dpos) __must_hold(&fs->lock)
{
	struct fat_inode *fi;

again:
	list_for_each_entry(fi, &fs->inodes, link) {
		if (fi->dpos != dpos || fi->unlinked)
			continue;
		if (fat_get_unless_zero(fi->vfs))
			return fi->vfs;
		cond_wait(&fs->evicted, &fs->lock);
		goto again;
	}
	return NULL;
}

struct inode *fat_iget_locked(struct fat_sb *fs, const struct fat_found *f, uint32_t dir, int *err)
{
	struct inode *ino = fat_find_inode_locked(fs, f->dpos);

	if (ino)
		return ino;
	ino = fat_new_inode_locked(fs, &f->de, f->dpos, dir, f->idx, err);
	if (ino && (*err = fat_load_chain_locked(fs, ino, &f->de)) != 0) {
		/* Not published yet: its put evicts it like any other (the lock is not held there). */
		FAT_I(ino)->unlinked = false;
		FAT_I(ino)->dpos = 0;
		FAT_I(ino)->first = 0;
		mutex_unlock(&fs->lock);
		inode_put(ino);
		mutex_lock(&fs->lock);
		return NULL;
	}
	return ino;
}

struct inode *fat_root_inode(struct fat_sb *fs, int *err)
{
	struct fat_dirent de;
	struct inode *ino;

	memset(&de, 0, sizeof(de));
	de.attr = FAT_ATTR_DIR;
	de.cluster = fat_root_dir(fs);
	mutex_lock(&fs->lock);
	ino = fat_new_inode_locked(fs, &de, 0, 0, 0, err);
	if (ino && fs->vol.g.type == FAT32 && (*err = fat_load_chain_locked(fs, ino, &de)) != 0) {
		mutex_unlock(&fs->lock);
		inode_put(ino);
		return NULL;
	}
	if (ino && fs->vol.g.type != FAT32)
		ino->size = (int64_t)fs->vol.g.root_entries * FAT_DIRENT_SIZE;
	mutex_unlock(&fs->lock);
	return ino;
}

void fat_entry_times(const struct inode *ino, uint8_t *ent, bool created)
{
	uint16_t d, t;

	fat_time_from_unix(ino->mtime.sec, &d, &t);
	fat_put16(ent + 22, t);
	fat_put16(ent + 24, d);
	if (created) {
		fat_put16(ent + 14, t);
		fat_put16(ent + 16, d);
	}
	fat_time_from_unix(ino->atime.sec, &d, &t);
	fat_put16(ent + 18, d);
}

int fat_write_inode_locked(struct fat_sb *fs, struct fat_inode *fi)
{
	uint32_t ss = fs->vol.g.sector_size;
	struct inode *ino = fi->vfs;
	int64_t size = __atomic_load_n(&ino->size, __ATOMIC_RELAXED);
	uint64_t room = (uint64_t)fi->nclus * fs->vol.g.cluster_size;
	struct bbuf *b;
	uint8_t *ent;
	int err;

	if (!fi->dpos || fi->unlinked || (fs->sb->flags & SB_RDONLY))
		return 0;
	err = fat_bread(fs, fi->dpos / ss, &b);
	if (err)
		return err;
	ent = (uint8_t *)b->data + fi->dpos % ss;
	/* The entry never claims more bytes than its chain holds (fsck.fat checks it). */
	if (S_ISDIR(ino->mode))
		size = 0;
	else if ((uint64_t)size > room)
		size = (int64_t)room;
	fat_dirent_set_cluster(ent, fi->first);
	fat_put32(ent + 28, (uint32_t)size);
	ent[11] = fi->attr;
	fat_entry_times(ino, ent, false);
	bdirty(b);
	brelse(b);
	return 0;
}

int fat_cut_chain_locked(struct fat_sb *fs, struct fat_inode *fi, uint32_t keep)
{
	uint32_t last, rest;
	int err;

	if (keep >= fi->nclus)
		return 0;
	if (keep == 0) {
		rest = fi->first;
		fi->first = 0;
	} else {
		err = fat_map_locked(fs, fi, keep - 1, &last);
		if (!err)
			err = fat_next(&fs->vol, last, &rest);
		if (!err)
			err = fat_set(&fs->vol, last, FAT_EOC);
		if (err)
			return err;
	}
	fi->nclus = keep;
	fi->vfs->blocks = (uint64_t)keep * fs->vol.g.cluster_size / 512;
	if (fi->hint_n >= keep)
		fi->hint_c = 0;
	return fat_free_chain(&fs->vol, rest);
}

/* Free what an unlinked inode held. A directory's buffers go to disk first (docs/fat.md). */
static void fat_release_clusters_locked(struct fat_sb *fs, struct fat_inode *fi)
	__must_hold(&fs->lock)
{
	int err = 0;

	if (S_ISDIR(fi->vfs->mode))
		err = blk_sync(fs->bdev);
	if (!err)
		err = fat_cut_chain_locked(fs, fi, 0);
	if (err)
		fat_error(fs, "cannot free the clusters of a deleted file", err);
}

void fat_evict_inode(struct inode *ino)
{
	struct fat_inode *fi = FAT_I(ino);
	struct fat_sb *fs = FAT_SB(ino->sb);
	int err;

	if (!fi)
		return;
	if (ino->mapping) {
		if (!fi->unlinked && (err = pagecache_writeback(ino->mapping, 0, -1, true)) != 0)
			pr_err("vfat: %s: writing back inode %llu failed (error %d)",
			       fs->bdev->name, (unsigned long long)ino->ino, err);
		mapping_destroy(ino->mapping);
	}
	mutex_lock(&fs->lock);
	if (fi->unlinked && !(fs->sb->flags & SB_RDONLY))
		fat_release_clusters_locked(fs, fi);
	else if ((err = fat_write_inode_locked(fs, fi)) != 0)
		fat_error(fs, "cannot write a directory entry back", err);
	fs->reserved -= fi->resv;
	list_del(&fi->link);
	cond_broadcast(&fs->evicted);
	mutex_unlock(&fs->lock);
	ino->priv = NULL;
	/* The root goes last, after put_super (the VFS drops sb->root then). */
	if (ino->ino == FAT_ROOT_INO)
		fat_sb_put(fs);
	kfree(fi);
}
