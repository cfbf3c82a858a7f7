/* SPDX-License-Identifier: MIT */
/*
 * The kernel's ext2 (kernel/fs/ext2/): the VFS's view of lib/ext2. One
 * mutex per mount serialises every call into the engine; metadata moves
 * through the buffer cache, regular files' data through the page cache
 * (whose readpage/writepage copy blocks through the buffer cache too, so
 * a block freed as metadata and reused for data never has two copies).
 *
 * Each on-disk inode in use has at most one VFS inode, found through a
 * hash table of the mount (hard links share it). Who owns which field:
 * the VFS inode holds the mode, owner, times and a regular file's size
 * (write(2) grows it without asking); the engine's copy (ext2_ino) holds
 * the block map, i_blocks and the link count. ext2k_push() copies the
 * VFS's fields down before the engine writes an inode; ext2k_pull() the
 * engine's up after it changed one.
 *
 * Locks: [I] fixed; [a] atomic; [E] ext2k_sb.lock (the engine and every
 * ext2_ino); [C] ext2k_sb.icache_lock (the hash table). Order: the VFS's
 * inode locks, then [E], then [C].
 */
#pragma once

#include <lib/ext2/ext2.h>

#include <stdbool.h>
#include <stdint.h>

#include "fs/ext2/ext2.h"
#include "fs/vfs.h"
#include "mm/pagecache.h"
#include "sched/spinlock.h"
#include "sched/sync.h"

#define EXT2K_HASH 1024u /* buckets of the inode table */

struct block_device;

struct ext2k_inode;

struct ext2k_sb {
	struct ext2_fs fs;                    /* [E] the engine's state */
	struct ext2_io io;                    /* [I] over the buffer cache */
	struct mutex lock;                    /* the [E] lock */
	struct block_device *bdev;            /* [I] sb->bdev: claimed, the VFS releases it */
	struct super_block *sb;               /* [I] */
	struct spinlock icache_lock;          /* the [C] lock */
	struct ext2k_inode *hash[EXT2K_HASH]; /* [C] by inode number */
	int refs;                             /* [a] 1 while mounted + one per live inode */
	bool ro_logged;                       /* [E] the switch to read-only was logged */
	bool unmounted;                       /* [E] put_super wrote everything back */
};

/* ino->priv of every ext2 inode. */
struct ext2k_inode {
	struct ext2_ino di;           /* [E] the engine's copy of the on-disk inode */
	struct address_space mapping; /* regular files' page cache */
	struct inode *vfs;            /* [I] the VFS inode this belongs to */
	struct ext2k_inode *hnext;    /* [C] hash chain */
};

static inline struct ext2k_sb *ext2k_sb(const struct super_block *sb)
{
	return sb->priv;
}

static inline struct ext2k_inode *ext2k_i(const struct inode *ino)
{
	return ino->priv;
}

static inline uint32_t ext2k_now(void)
{
	return (uint32_t)vfs_now().sec;
}

/* inode.c */
int __must_check ext2k_iget(struct super_block *sb, uint32_t ino, struct inode **out);
/* A VFS inode with its ext2k_inode (priv), not yet hashed; NULL without memory. */
struct inode *ext2k_inode_alloc(struct super_block *sb);
/* Publish @ino, whose ext2k_inode's di the engine just created on disk, in the table. */
int __must_check ext2k_inew(struct super_block *sb, struct inode *ino);
void ext2k_push_locked(struct ext2k_sb *e, struct ext2k_inode *ki) __must_hold(&e->lock);
void ext2k_pull_locked(struct ext2k_sb *e, struct ext2k_inode *ki) __must_hold(&e->lock);
/*
 * Free the blocks a regular file holds past its size (prepare_write
 * reserves a whole page's blocks; a write may stop short of them). The
 * caller holds the inode's lock too, so no write is between.
 */
int __must_check ext2k_trim_locked(struct ext2k_sb *e, struct ext2k_inode *ki)
	__must_hold(&e->lock);
/* Push and write the inode (to its buffer). */
int __must_check ext2k_write_locked(struct ext2k_sb *e, struct ext2k_inode *ki)
	__must_hold(&e->lock);
void ext2k_evict_inode(struct inode *ino);
int __must_check ext2k_setattr_locked(struct inode *ino, const struct iattr *a)
	__must_hold(&ino->lock);
/* Write every cached inode's pages and fields back (sync, unmount). */
int __must_check ext2k_sync_inodes(struct ext2k_sb *e);
void ext2k_sb_put(struct ext2k_sb *e);
/* After an engine call: if it turned the fs read-only, say so once and make the mount so. */
void ext2k_check_ro_locked(struct ext2k_sb *e) __must_hold(&e->lock);

/* readahead.c: the page cache's readpages. */
int ext2k_readpages(struct address_space *m, uint64_t first, uint32_t n, const uint64_t *pas);

/* namei.c */
extern const struct inode_ops ext2k_dir_iops;
extern const struct inode_ops ext2k_file_iops;
extern const struct inode_ops ext2k_link_iops;
extern const struct inode_ops ext2k_node_iops;
extern const struct file_ops ext2k_dir_fops;
extern const struct file_ops ext2k_file_fops;
extern const struct address_space_ops ext2k_aops;
