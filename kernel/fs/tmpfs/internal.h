/* SPDX-License-Identifier: MIT */
/*
 * tmpfs's private structures, shared by its files: the super block's
 * limits and counters, an inode's data (file pages, a directory's entries
 * or a link's target) and the directory entries themselves.
 *
 * Locks: [I] fixed once published; [a] atomic; [L] the owning inode's
 * lock (struct inode.lock): a directory's entries are guarded by the
 * directory's lock, a file's pages by the file's.
 */
#pragma once

#include <lib/list/list.h>
#include <lib/radix/radix.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/pagecache.h"
#include "sched/spinlock.h"

struct tmpfs_sb {
	uint64_t max_pages;  /* [I] size= limit, in frames */
	uint64_t pages;      /* [a] frames the files hold */
	uint64_t max_inodes; /* [I] nr_inodes= limit */
	uint64_t inodes;     /* [a] inodes alive */
	uint64_t refs;       /* [a] inodes alive + 1 while mounted: the last frees this */
	uint32_t root_mode;  /* [I] mode= of the root directory (permission bits) */
	uint32_t root_uid;   /* [I] uid= */
	uint32_t root_gid;   /* [I] gid= */
};

/* One name in a directory; it holds a reference to its inode. */
struct tmpfs_dirent {
	struct tmpfs_dirent *hnext; /* [L] the directory's hash chain */
	struct list_node order;     /* [L] the directory's entries by cookie */
	uint64_t cookie;            /* [L] readdir position: increasing in the directory */
	struct inode *inode;        /* [L] what the name names (a reference) */
	uint32_t hash;              /* [L] of the name */
	uint32_t namelen;           /* [L] bytes, no NUL */
	char name[];                /* [L] NUL-terminated */
};

struct tmpfs_dir {
	struct list_node entries;      /* [L] tmpfs_dirent.order, cookies increasing */
	struct tmpfs_dirent **buckets; /* [L] hash table, nbuckets long (NULL while empty) */
	uint32_t nbuckets;             /* [L] a power of two, or 0 */
	uint32_t count;                /* [L] entries */
	uint64_t next_cookie;          /* [L] for the next entry added (first: 2) */
	struct inode *parent;          /* [L] "..": NULL for the root or once removed */
};

/* ino->priv of every tmpfs inode. */
struct tmpfs_inode {
	struct tmpfs_sb *sbi; /* [I] its instance's counters (outlive the super_block) */
	union {
		/* Regular files: faults reach the pages without the inode lock, so [P]. */
		struct {
			struct radix_tree pages;      /* [P] page index -> frame */
			struct spinlock plock;        /* the [P] lock; taken under [L] or alone */
			struct address_space mapping; /* ino->mapping: mmap hands out the frames */
		};
		struct tmpfs_dir dir; /* [L] directories */
		char *link;           /* [I] symbolic links: the target, NUL-terminated */
	};
};

/* Bytes a directory's size grows per entry, "." and ".." included (Linux's tmpfs). */
#define TMPFS_BOGO_SIZE 20

/* Readdir cookies 0 and 1 are "." and ".."; entries start at 2. */
#define TMPFS_COOKIE_FIRST 2u

extern const struct inode_ops tmpfs_dir_iops;
extern const struct inode_ops tmpfs_file_iops;
extern const struct inode_ops tmpfs_link_iops;
extern const struct inode_ops tmpfs_node_iops;
extern const struct file_ops tmpfs_dir_fops;
extern const struct file_ops tmpfs_file_fops;

static inline struct tmpfs_sb *tmpfs_sb(const struct super_block *sb)
{
	return sb->priv;
}

static inline struct tmpfs_inode *tmpfs_i(const struct inode *ino)
{
	return ino->priv;
}

/*
 * A new inode of @sb in directory @dir (NULL for the root) with type and
 * permission @mode, owned by the caller's fsuid and fsgid (@dir's group
 * when it is set-group-ID), nlink 1 (2 for a directory), its operations
 * set by type. NULL: -ENOSPC (nr_inodes) or -ENOMEM through *@err.
 */
struct inode *tmpfs_new_inode(struct super_block *sb, struct inode *dir, uint32_t mode,
                              uint32_t rdev, int *err);

/* Directories (dir.c). */
void tmpfs_dir_init(struct tmpfs_dir *d, struct inode *parent);
void tmpfs_dir_free(struct tmpfs_dir *d);
/* Unmount: drop every name under @top, depth first (nothing else can reach them now). */
void tmpfs_dir_teardown(struct inode *top);
/* A detached entry named @name (@len bytes); NULL without memory. */
struct tmpfs_dirent *tmpfs_dirent_new(const char *name, size_t len);
/* The entry @name in @d, or NULL. [L] of the directory. */
struct tmpfs_dirent *tmpfs_dir_find(struct tmpfs_dir *d, const char *name, size_t len);
/* Make sure @d has a hash table, so tmpfs_dir_add() cannot fail: 0 or -ENOMEM. */
int __must_check tmpfs_dir_reserve(struct tmpfs_dir *d);
/* Add @de naming @ino (the entry takes over a reference) to @dir; grows its size. */
void tmpfs_dir_add(struct inode *dir, struct tmpfs_dirent *de, struct inode *ino);
/* Take @de out of @dir (the caller frees it and drops its reference). */
void tmpfs_dir_remove(struct inode *dir, struct tmpfs_dirent *de);

/* Name operations (namei.c), with the directories' locks held by the VFS. */
int __must_check tmpfs_create(struct inode *dir, struct dentry *d, uint32_t mode);
int __must_check tmpfs_mkdir(struct inode *dir, struct dentry *d, uint32_t mode);
int __must_check tmpfs_mknod(struct inode *dir, struct dentry *d, uint32_t mode, uint32_t rdev);
int __must_check tmpfs_symlink(struct inode *dir, struct dentry *d, const char *target);
int __must_check tmpfs_link(struct dentry *old, struct inode *dir, struct dentry *d);
int __must_check tmpfs_unlink(struct inode *dir, struct dentry *d);
int __must_check tmpfs_rmdir(struct inode *dir, struct dentry *d);
int __must_check tmpfs_rename(struct inode *odir, struct dentry *od, struct inode *ndir,
                              struct dentry *nd);

/* Regular files (file.c): set up the pages and the mapping of a new file. */
void tmpfs_file_init(struct inode *ino);
/* Drop every page at @from (a page index) or later. */
void tmpfs_file_cut(struct inode *ino, uint64_t from);
int __must_check tmpfs_setattr_locked(struct inode *ino, const struct iattr *a)
	__must_hold(&ino->lock);

/* Bytes of RAM the frame allocator manages (the base of size=N%). */
uint64_t tmpfs_ram_bytes(void);
/* Fill @t's limits and root owner from the defaults and then the option string @data (NULL: none). */
int __must_check tmpfs_parse_options(struct tmpfs_sb *t, const char *data);

/* Take / give back @n frames of an instance's size limit: 0 or -ENOSPC. Atomic. */
int __must_check tmpfs_charge(struct tmpfs_sb *t, uint64_t n);
void tmpfs_uncharge(struct tmpfs_sb *t, uint64_t n);
