/* SPDX-License-Identifier: MIT */
/*
 * What the files of the VFS core share and nothing outside kernel/fs/
 * needs: the dcache's lock and its locked lookups, mount-tree helpers, the
 * anonymous file system, and the hooks other lanes provide (credentials,
 * FIFOs) with weak defaults so the core builds and tests on its own.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/file.h"
#include "fs/vfs.h"
#include "proc/proc.h"

/* ---- hooks of other lanes (weak defaults in the VFS) ---- */

/* A snapshot of the caller's credentials (root's in a kernel task): the proc lane's. */
struct cred current_cred(void);
/* Open the FIFO @ino as @f (the pipe lane's; the weak default answers -ENXIO). */
int __must_check pipe_fifo_open(struct inode *ino, struct file *f);

/*
 * The caller's filesystem ids and groups for the walk's search checks, read
 * without the process's lock (a spin lock costs a walk more than its steps).
 */
void walk_cred(struct cred *c);

/* The kernel's own descriptor table and fs context (kernel tasks, boot). */
struct fdtable *fdtable_kernel(void);
struct fs_context *fs_context_kernel(void);

/* [a] the live objects vfs_get_counts() reports */
extern struct vfs_counts vfs_live;
#define VFS_COUNT(field, d) __atomic_add_fetch(&vfs_live.field, (d), __ATOMIC_RELAXED)

/* ---- inodes (inode.c) ---- */

/*
 * A write or truncation by anyone but root takes a program's set-user-id
 * bit away (and set-group-id with group execute), as Linux's
 * file_remove_privs() does. Caller holds ino->lock.
 */
void inode_kill_suid_locked(struct inode *ino);

static inline bool inode_is_dir(const struct inode *ino)
{
	return (ino->mode & 0170000u) == 0040000u;
}

static inline bool inode_is_link(const struct inode *ino)
{
	return (ino->mode & 0170000u) == 0120000u;
}

/* ---- dcache (dcache.c) ---- */

/*
 * The child @name of @dir (a positive directory dentry) from the cache or
 * from the file system's lookup, with a reference; negative if the name
 * does not exist. The caller holds the directory inode's lock.
 * Returns an error pointer on failure.
 */
struct dentry *d_lookup_locked(struct dentry *dir, const char *name, size_t len);
/* As d_lookup_locked(), taking the directory's lock only on a cache miss. */
struct dentry *d_lookup(struct dentry *dir, const char *name, size_t len);
/* A dentry named @name outside every hash chain, for anonymous files. */
struct dentry *d_alloc_anon(struct dentry *parent, const char *name);
/*
 * The parent of @d with a reference (the root's is itself). Rename may
 * move a dentry, so the parent is read under the dcache lock.
 */
struct dentry *d_get_parent(struct dentry *d);
/*
 * After a successful rename: @d takes @target's name and parent, and
 * @target (whatever it named is gone or swapped) leaves the cache.
 * Caller holds rename_lock and both directories' locks.
 */
void d_move(struct dentry *d, struct dentry *target);
/* Whether @d has cached positive children (rmdir's quick emptiness hint). */
bool d_has_children(struct dentry *d);
/*
 * Write "/name" for *@dp and each ancestor until @stop1, @stop2 or a
 * super_block's root into @buf, ending just before index @pos; returns the
 * index where the text now starts (-1: it does not fit) and leaves *@dp
 * where it stopped. Under the dcache lock, so a rename cannot tear it.
 */
long d_path_prepend(struct dentry **dp, struct dentry *stop1, struct dentry *stop2, char *buf,
                    long pos);
/* Set or clear DENTRY_MOUNTED on @d. */
void d_set_mounted(struct dentry *d, bool on);
/* Whether @d was unlinked or dropped. */
bool d_is_dead(struct dentry *d);
/* Free the unused cached dentries below @root (after an unmount). */
void d_prune_tree(struct dentry *root);
/* The dcache's hash of a name (also used by file systems for their own tables). */
uint32_t d_name_hash(const char *name, size_t len);

/*
 * The walk's fast path: while the dcache lock is held no cached dentry can
 * be freed (freeing starts with leaving the hash under that lock), so a
 * run of cached steps needs no reference counts, only the lock, and a
 * reference on where it ends. d_lookup_walk() takes none; call it between
 * dcache_walk_lock() and dcache_walk_unlock(), without sleeping.
 */
void dcache_walk_lock(void);
void dcache_walk_unlock(void);
struct dentry *d_lookup_walk(struct dentry *parent, const char *name, size_t len);

/* ---- mounts (mount.c) ---- */

/* What is mounted on @d in @mnt (with a reference), or NULL. */
struct mount *mnt_lookup(struct mount *mnt, struct dentry *d);
void mnt_get(struct mount *m);
void mnt_put(struct mount *m);
/*
 * If @p is the root of its mount, move it to the mountpoint in the parent
 * mount, repeatedly; returns false when @p is the root of the whole tree.
 */
bool mnt_climb(struct path *p);
/* Make a root mount of @fstype (boot, and tests before tmpfs exists). */
int __must_check vfs_init_root_fs(const char *fstype);
/* Whether vfs_init_root() ran. */
bool vfs_has_root(void);
/* Whether @mnt is the private mount of anonymous files; their names ("pipe:[7]"). */
bool mnt_is_anon(const struct mount *mnt);
long anon_path_name(const struct path *p, char *buf, size_t n);
/* Make the anonymous files' mount (boot, so its memory is not a later call's growth). */
int __must_check anon_setup(void);

/* ---- fs contexts (fs_context.c) ---- */

/* Make @p (references taken) the root and cwd of the kernel's context (boot). */
void fs_context_set_boot_root(const struct path *p);
/* Serialises renames so the tree cannot change shape under a rename's checks ([R]). */
extern struct mutex rename_lock;

/* ---- files (file.c) ---- */

/* A new struct file on @p (references taken) with @ops, FMODE from @oflags; NULL: no memory. */
struct file *file_alloc(const struct path *p, const struct file_ops *ops, int oflags);

/* ---- the walk (namei.c) ---- */

/*
 * Walk @path from @start (NULL: the dirfd rule of vfs_walk) with LOOKUP_*
 * @flags. @links counts the symbolic links followed so far (open's O_CREAT
 * continues a walk through a final link with it).
 */
int __must_check vfs_walk_from(const struct path *start, int dirfd, const char *path,
                               unsigned flags, struct path *out, unsigned *links);
/* Replace @p by what is mounted on it, as long as something is. */
void vfs_cross_mounts(struct path *p);
/* The last component of @path (trailing slashes ignored): its start and length (0 for "/"). */
const char *vfs_last_component(const char *path, size_t *len, bool *trailing);
/* Whether the caller may create or delete a name in @dir (w+x, EROFS). 0 or -errno. */
int __must_check may_change_dir(const struct path *dir);
/* Whether the caller may delete @victim from @dir: the sticky bit rule. */
bool may_delete_sticky(const struct inode *dir, const struct inode *victim);
