/* SPDX-License-Identifier: MIT */
/*
 * vfat's private types: one fat_sb per mounted volume and one fat_inode per
 * file in memory. lib/fat knows the formats; this folder joins them to the
 * VFS, the buffer cache (metadata: the FAT, directories, FSInfo, one buffer
 * per sector) and the page cache (file data, read and written with blk_rw
 * straight into the cached frames). docs/fat.md has the design.
 *
 * Locks: [I] fixed at mount; [V] fat_sb.lock, the volume lock (a mutex):
 * the table, every directory's entries, every inode's chain and its entry's
 * place, the inode table. It nests inside the VFS's inode locks and is
 * never held while calling into the page cache.
 */
#pragma once

#include <cairn/compiler.h>

#include <lib/fat/fat.h>
#include <lib/list/list.h>

#include <stdbool.h>
#include <stdint.h>

#include "block/blkdev.h"
#include "fs/vfs.h"
#include "mm/pagecache.h"
#include "sched/sync.h"

#define MSDOS_SUPER_MAGIC 0x4d44u /* statfs f_type (Linux's <linux/magic.h>) */
#define FAT_DIR_MAX       65536u  /* entries of one directory (spec section 6) */
#define FAT_ROOT_INO      1u

struct fat_sb {
	struct mutex lock;         /* the [V] lock */
	struct fat_vol vol;        /* [V] geometry [I] and allocation state */
	struct block_device *bdev; /* [I] a reference */
	struct super_block *sb;    /* [I] */
	uint32_t uid, gid;         /* [I] owner of every file (uid=, gid=) */
	uint32_t fmask, dmask;     /* [I] permission bits taken away (fmask=, dmask=, umask=) */
	uint32_t reserved;         /* [V] clusters promised to dirty pages (prepare_write) */
	bool errors;               /* [V] corruption seen: the volume went read-only */
	bool was_clean;            /* [I] the dirty bit was clear at mount (we set it) */
	struct list_node inodes;   /* [V] every fat_inode in memory */
	struct condvar evicted;    /* a dying inode left the table (with [V]) */
	int refs;                  /* [a] the super_block's hold and the root inode's */
};

struct fat_inode {
	struct inode *vfs;     /* [I] */
	struct list_node link; /* [V] on fat_sb.inodes */
	uint32_t first;        /* [V] first cluster, 0 when none */
	uint32_t nclus;        /* [V] clusters in the chain */
	uint32_t resv;         /* [V] clusters reserved for dirty pages, not yet allocated */
	uint64_t dpos;         /* [V] byte offset on the volume of its short entry; 0: root/none */
	uint32_t dir;          /* [V] first cluster of the directory holding it (0: fixed root) */
	uint32_t didx;         /* [V] index of its short entry in that directory */
	uint32_t nslots;       /* [V] entries its name takes there (long-name parts + 1) */
	uint8_t attr;          /* [V] FAT_ATTR_* */
	bool unlinked;         /* [V] its entry is gone; clusters freed at eviction */
	uint32_t hint_n;       /* [V] the chain position hint_c is at (faster seeks) */
	uint32_t hint_c;       /* [V] cluster number hint_n of the chain, 0: none */
	struct address_space mapping; /* regular files: the page cache */
};

static inline struct fat_sb *FAT_SB(const struct super_block *sb)
{
	return sb->priv;
}

static inline struct fat_inode *FAT_I(const struct inode *ino)
{
	return ino->priv;
}

/* A position in a directory being walked; holds the buffer of its sector. */
struct fat_walk {
	struct fat_sb *fs;
	uint32_t dir;     /* first cluster, 0 for the fixed root */
	uint32_t idx;     /* entry index */
	uint32_t cluster; /* the cluster holding idx (cluster directories) */
	uint64_t sector;  /* the sector holding idx */
	struct bbuf *b;   /* the sector holding idx */
	uint8_t *ent;     /* the entry: 32 bytes in b */
};

/* super.c */
int __must_check fat_bread(struct fat_sb *fs, uint64_t sector, struct bbuf **out);
void fat_error(struct fat_sb *fs, const char *what, int err);
void fat_sb_put(struct fat_sb *fs);
uint32_t fat_root_dir(const struct fat_sb *fs);
int __must_check fat_write_fsinfo_locked(struct fat_sb *fs) __must_hold(&fs->lock);

/* dir.c */
int __must_check fat_walk_start_locked(struct fat_sb *fs, uint32_t dir, uint32_t idx,
                                       struct fat_walk *w) __must_hold(&fs->lock);
int __must_check fat_walk_next(struct fat_walk *w);
void fat_walk_end(struct fat_walk *w);
uint64_t fat_walk_pos(const struct fat_walk *w);
struct fat_found {
	struct fat_dirent de;
	uint32_t idx;  /* its short entry */
	uint64_t dpos; /* byte offset of the short entry on the volume */
};
int __must_check fat_dir_find_locked(struct fat_sb *fs, uint32_t dir, const char *name, size_t len,
                                     struct fat_found *out) __must_hold(&fs->lock);
int __must_check fat_dir_add_locked(struct fat_sb *fs, uint32_t dir, const char *name, size_t len,
                                    const uint8_t *proto, uint32_t *idx, uint64_t *dpos,
                                    unsigned *nslots) __must_hold(&fs->lock);
int __must_check fat_dir_remove_locked(struct fat_sb *fs, uint32_t dir, uint32_t idx,
                                       unsigned nslots) __must_hold(&fs->lock);
int __must_check fat_dir_empty_locked(struct fat_sb *fs, uint32_t dir) __must_hold(&fs->lock);
int __must_check fat_dir_init_locked(struct fat_sb *fs, uint32_t parent, uint32_t *first)
	__must_hold(&fs->lock);
int __must_check fat_zero_cluster_locked(struct fat_sb *fs, uint32_t c) __must_hold(&fs->lock);
extern const struct file_ops fat_dir_fops;

/* inode.c */
struct inode *fat_iget_locked(struct fat_sb *fs, const struct fat_found *f, uint32_t dir, int *err)
	__must_hold(&fs->lock);
struct inode *fat_root_inode(struct fat_sb *fs, int *err);
int __must_check fat_write_inode_locked(struct fat_sb *fs, struct fat_inode *fi)
	__must_hold(&fs->lock);
void fat_evict_inode(struct inode *ino);
int __must_check fat_setattr_locked(struct inode *ino, const struct iattr *a)
	__must_hold(&ino->lock);
uint32_t fat_mode(const struct fat_sb *fs, uint8_t attr);
void fat_entry_times(const struct inode *ino, uint8_t *ent, bool created);
int __must_check fat_cut_chain_locked(struct fat_sb *fs, struct fat_inode *fi, uint32_t keep)
	__must_hold(&fs->lock);

/* file.c */
extern const struct file_ops fat_file_fops;
extern const struct address_space_ops fat_aops;
int __must_check fat_map_locked(struct fat_sb *fs, struct fat_inode *fi, uint32_t n, uint32_t *c)
	__must_hold(&fs->lock);
int __must_check fat_grow_locked(struct fat_sb *fs, struct fat_inode *fi, uint32_t want,
                                 uint64_t keep_from, uint64_t keep_to) __must_hold(&fs->lock);

/* namei.c */
extern const struct inode_ops fat_dir_iops;
extern const struct inode_ops fat_file_iops;
