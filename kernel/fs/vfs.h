/* SPDX-License-Identifier: MIT */
/*
 * The virtual file system: Linux's shape, smaller. A super_block is one
 * mounted instance of a file system type; an inode is a file's metadata
 * and its operations; a dentry is a name in the cache, joining a parent
 * directory's dentry to the inode it names (or to nothing: a negative
 * dentry remembers that a name does not exist); a mount hangs a
 * super_block's root over a dentry of another mount; a file (fs/file.h)
 * is an open file description.
 *
 * File systems (tmpfs, devfs, procfs, later ext2 and FAT) fill in inodes
 * and the two operation tables; everything above them (the path walk,
 * permission checks, the system calls) is common and lives in kernel/fs/.
 * Lifetimes and locks: docs/vfs.md.
 *
 * Locks: [I] fixed once published; [a] atomic; [L] the inode's lock
 * (struct inode.lock, a sleeping lock; a directory's lock serialises the
 * changes of its entries); [D] the dentry cache's lock (dcache.c);
 * [R] rename_lock (one rename at a time, so the tree cannot change
 * shape under a rename's checks); [M] the mount lock (mount.c). Order: rename_lock, then a parent
 * directory's inode lock before its child's, then the dcache lock.
 */
#pragma once

#include <cairn/compiler.h>

#include <lib/list/list.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sched/spinlock.h"
#include "sched/sync.h"

struct dentry;
struct file;
struct cred;
struct file_ops;
struct address_space;
struct block_device;
struct fs_type;
struct iattr;
struct inode;
struct kstatfs;
struct mount;
struct path;
struct pipe;
struct super_block;

#define NAME_MAX        255  /* bytes of one path component (Linux) */
#define PATH_MAX        4096 /* bytes of a path, NUL included (Linux) */
#define SYMLOOP_MAX     40   /* symbolic links one walk follows before ELOOP (Linux) */
#define VFS_INLINE_NAME 40   /* names up to this long live in the dentry itself */

/* A point in time as the VFS keeps it (CLOCK_REALTIME). */
struct vfs_time {
	int64_t sec;
	uint32_t nsec;
};

/* Access wanted, for inode_permission(): the rwx bits' meaning. */
#define MAY_EXEC  1u
#define MAY_WRITE 2u
#define MAY_READ  4u

/*
 * Inode operations; a NULL entry means the file system does not do that
 * (the caller answers -EPERM for names, -EINVAL for readlink). Directory
 * operations are called with the directory's lock held, and after the
 * VFS checked permissions, that the name is free (create, mkdir, mknod,
 * symlink, link) or taken (unlink, rmdir), and that the file system is
 * writable. They instantiate or drop the dentry themselves
 * (d_instantiate(), d_drop(); the VFS d_drop()s again after a successful
 * unlink or rmdir, which is harmless). Only the directories are locked by
 * the VFS: an op may lock a child inode (parent before child).
 */
struct inode_ops {
	/*
	 * Find @d's name in @dir: d_instantiate(d, inode) if it exists, leave
	 * it negative if not (return 0 either way); -errno on an error.
	 */
	int __must_check (*lookup)(struct inode *dir, struct dentry *d);
	/* New regular file, directory, node (S_IFCHR/S_IFBLK/S_IFIFO/S_IFSOCK, @rdev) or link. */
	int __must_check (*create)(struct inode *dir, struct dentry *d, uint32_t mode);
	int __must_check (*mkdir)(struct inode *dir, struct dentry *d, uint32_t mode);
	int __must_check (*mknod)(struct inode *dir, struct dentry *d, uint32_t mode,
	                          uint32_t rdev);
	int __must_check (*symlink)(struct inode *dir, struct dentry *d, const char *target);
	/* A new name @d in @dir for the inode of @old. */
	int __must_check (*link)(struct dentry *old, struct inode *dir, struct dentry *d);
	int __must_check (*unlink)(struct inode *dir, struct dentry *d);
	/* @d is a directory the VFS found empty-looking; the fs checks it is empty (-ENOTEMPTY). */
	int __must_check (*rmdir)(struct inode *dir, struct dentry *d);
	/*
	 * Move @od in @odir to @nd in @ndir, atomically, replacing what @nd
	 * names if it is positive (the VFS checked the types match and that a
	 * replaced directory is empty-looking). Both directories are locked.
	 * The fs does not touch the dentries: after it returns 0 the VFS
	 * moves @od to @nd's name (d_move) and drops @nd.
	 */
	int __must_check (*rename)(struct inode *odir, struct dentry *od, struct inode *ndir,
	                           struct dentry *nd);
	/* Copy the link's target (no NUL) into @buf, at most @n bytes; returns its length. */
	long __must_check (*readlink)(struct inode *ino, char *buf, size_t n);
	/*
	 * A "magic link" (procfs's fd/N, cwd, root, exe): the place the link
	 * stands for, with references in @out, or -errno. When set, the walk
	 * follows the link by jumping there instead of walking readlink's
	 * text, so a nameless or deleted file is reached; readlink still
	 * gives the text.
	 */
	int __must_check (*get_link)(struct inode *ino, struct path *out);
	/*
	 * Change the size (ATTR_SIZE, the fs zero-fills or frees), mode, owner
	 * or times; the VFS checked permissions and already updated the other
	 * fields in the inode when this is NULL. With @ino's lock held.
	 */
	int __must_check (*setattr)(struct inode *ino, const struct iattr *a);
};

#define ATTR_MODE  0x01u
#define ATTR_UID   0x02u
#define ATTR_GID   0x04u
#define ATTR_SIZE  0x08u
#define ATTR_ATIME 0x10u
#define ATTR_MTIME 0x20u
#define ATTR_CTIME 0x40u

struct iattr {
	unsigned valid; /* ATTR_* */
	uint32_t mode, uid, gid;
	int64_t size;
	struct vfs_time atime, mtime, ctime;
};

struct inode {
	uint64_t ino;                        /* [I] number, unique in its super_block */
	struct super_block *sb;              /* [I] */
	const struct inode_ops *iops;        /* [I] */
	const struct file_ops *fops;         /* [I] what open() gives (char devices: chrdev_open) */
	int refs;                            /* [a] dentries, open files, the fs's own */
	struct mutex lock;                   /* the [L] lock */
	uint32_t mode;                       /* [L] S_IFMT type (fixed) | permission bits */
	uint32_t uid, gid;                   /* [L] */
	uint32_t nlink;                      /* [L] names; 0 and refs 0: the fs frees it */
	uint32_t rdev;                       /* [I] device number (DEV_ENCODE) of a node */
	int64_t size;                        /* [L] bytes */
	uint64_t blocks;                     /* [L] 512-byte units in use */
	struct vfs_time atime, mtime, ctime; /* [L] */
	void *priv;                          /* [I] the file system's own */
	struct pipe *pipe;                   /* [L] a FIFO's pipe while it is open (fs/pipe.c) */
	/* [I] the page cache of a regular file (mm/pagecache.h); NULL: no mmap, no cache */
	struct address_space *mapping;
};

/*
 * A new inode of @sb with refs 1, everything but ino/sb zeroed, the lock
 * ready and the times set to now. NULL without memory.
 */
struct inode *inode_alloc(struct super_block *sb);
void inode_get(struct inode *ino);
/* Drop a reference; the last one calls sb->ops->evict_inode() (or just frees). */
void inode_put(struct inode *ino);
/* Set mtime and ctime (or only ctime with @ctime_only) to now; caller holds [L]. */
void inode_touch(struct inode *ino, bool ctime_only);
struct vfs_time vfs_now(void);

/*
 * Copy what @a sets, but the size, into @ino: the mode's permission bits,
 * the owner and the times (a file system's setattr calls it after its own
 * size change). With @ino's lock held.
 */
void inode_setattr_copy_locked(struct inode *ino, const struct iattr *a) __must_hold(&ino->lock);
/*
 * Whether the calling process may access @ino as @mask (MAY_*) asks, by the
 * owner/group/other bits, its fsuid, fsgid and supplementary groups. Root
 * (fsuid 0) may do anything but execute a file that has no x bit. Returns
 * 0 or -EACCES; -EROFS for MAY_WRITE on a read-only mount is the caller's.
 */
int __must_check inode_permission(const struct inode *ino, unsigned mask);
/* As inode_permission() for the credentials @c (access(2) checks with the real ids). */
int __must_check inode_permission_as(const struct inode *ino, unsigned mask, const struct cred *c);
/*
 * Apply @a to @ino: the fs's setattr, or the fields themselves when it has
 * none (a size change then is -EPERM). Caller holds ino->lock and checked
 * permissions.
 */
int __must_check vfs_setattr_locked(struct inode *ino, const struct iattr *a)
	__must_hold(&ino->lock);
/* Truncate (or extend) @ino to @size bytes, taking its lock: open's O_TRUNC, truncate(2). */
int __must_check vfs_truncate_inode(struct inode *ino, int64_t size);
/* Whether the caller owns @ino or is root (chmod, utimensat with times, ...). */
bool inode_owner_or_root(const struct inode *ino);
/*
 * Give a new inode of directory @dir (NULL: a root) its owner and @mode
 * (type included): the caller's fsuid, and its fsgid or the group of a
 * setgid @dir (whose setgid bit subdirectories inherit). File systems call
 * it in create, mkdir, mknod and symlink.
 */
void inode_init_owner(struct inode *ino, const struct inode *dir, uint32_t mode);
/* chmod / chown ((uint32_t)-1: unchanged) / utimensat on @p, with their checks. 0 or -errno. */
int __must_check vfs_chmod(const struct path *p, uint32_t mode);
int __must_check vfs_chown(const struct path *p, uint32_t uid, uint32_t gid);
/* NULL leaves a time alone; @explicit_times: given times (owner only), not "now". */
int __must_check vfs_utimes(const struct path *p, const struct vfs_time *atime,
                            const struct vfs_time *mtime, bool explicit_times);

/* How many VFS objects are alive now (leak checks in tests, /proc). */
struct vfs_counts {
	long inodes, dentries, files, mounts;
};
void vfs_get_counts(struct vfs_counts *out);

/* ---- dentries ---- */

struct dentry {
	struct dentry *parent;  /* [D] holds a reference; the root's is itself; rename moves it */
	struct inode *inode;    /* [D] NULL: negative (the name does not exist) */
	struct super_block *sb; /* [I] */
	int refs;               /* [a] */
	unsigned flags;         /* [D] DENTRY_* */
	uint32_t hash;          /* [D] of the name */
	uint32_t namelen;       /* [D] */
	const char *name;       /* [D] inline_name or a heap copy (rename may change it) */
	char inline_name[VFS_INLINE_NAME + 1];
	struct list_node children; /* [D] cached dentries under this one */
	struct list_node sibling;  /* [D] on the parent's children */
	struct dentry *hash_next;  /* [D] the dcache hash chain */
	void *priv;                /* the file system's own (procfs: which entry) */
};

#define DENTRY_MOUNTED 0x1u /* something is mounted on it */
#define DENTRY_DEAD    0x2u /* unlinked or dropped: lookups no longer find it */
#define DENTRY_NOCACHE 0x4u /* procfs-style: look it up again after the last put */

void dget(struct dentry *d);
void dput(struct dentry *d);
/* Make the negative @d name @ino (takes over the caller's reference to @ino). */
void d_instantiate(struct dentry *d, struct inode *ino);
/* Take @d out of the cache (unlink, rmdir, an fs that forgets a name). */
void d_drop(struct dentry *d);
/* The child of @parent called @name (@len bytes) from the cache, with a reference, or NULL. */
struct dentry *d_lookup_cached(struct dentry *parent, const char *name, size_t len);
/* A new negative child of @parent named @name, in the cache, with a reference; NULL: no memory. */
struct dentry *d_alloc(struct dentry *parent, const char *name, size_t len);
/*
 * The root dentry of a new super_block (for sb->root, which holds this
 * reference), naming @ino (its reference is taken over). NULL: no memory.
 */
struct dentry *d_make_root(struct super_block *sb, struct inode *ino);

/* ---- super blocks, file system types, mounts ---- */

struct super_ops {
	/* Free the fs's part of @ino (its data, priv); the VFS frees the inode. */
	void (*evict_inode)(struct inode *ino);
	int __must_check (*statfs)(struct super_block *sb, struct kstatfs *st);
	/* Write back what is dirty (sync); NULL: nothing to do. */
	int __must_check (*sync)(struct super_block *sb);
	/* The last mount went away: free the fs's part of @sb. */
	void (*put_super)(struct super_block *sb);
	/*
	 * The flags are about to become @flags (SB_*): mount -o remount, and
	 * SB_RDONLY at power-off. A disk fs going read-only writes back and
	 * marks itself clean. 0 or -errno (then nothing changes). NULL: fine.
	 */
	int __must_check (*remount)(struct super_block *sb, unsigned flags);
};

#define SB_RDONLY 0x1u /* MS_RDONLY */
#define SB_NOSUID 0x2u
#define SB_NODEV  0x4u
#define SB_NOEXEC 0x8u

struct super_block {
	const struct fs_type *type;  /* [I] */
	const struct super_ops *ops; /* [I] */
	struct dentry *root;         /* [I] */
	uint32_t dev;                /* [I] st_dev of its inodes: an anonymous 0:N number */
	unsigned flags;              /* [a] SB_* (remount may change RDONLY) */
	uint64_t magic;              /* [I] statfs f_type: TMPFS_MAGIC, PROC_SUPER_MAGIC, ... */
	void *priv;                  /* [I] the file system's own */
	uint64_t next_ino;           /* [a] for file systems that number inodes themselves */
	int refs;                    /* [a] mounts of it */
	struct block_device *bdev; /* [I] the device of a disk file system (a reference), or NULL */
};

/* Fill in a new super_block: type, dev number, refs 1. NULL without memory. */
struct super_block *sb_alloc(const struct fs_type *type, const struct super_ops *ops);

struct kstatfs {
	uint64_t type, bsize, blocks, bfree, bavail, files, ffree;
	uint64_t namelen, frsize, flags;
};

#define FS_REQUIRES_DEV 0x1u /* needs a block device as its source (ext2, later) */

struct fs_type {
	const char *name; /* "tmpfs", "proc", "devtmpfs", ... (/proc/filesystems) */
	unsigned flags;   /* FS_* */
	/*
	 * Make (or, for single-instance types, find) a super_block for
	 * @source with @flags (SB_*) and the option string @data (kernel copy,
	 * may be NULL). Returns 0 and *@out with a reference, or -errno.
	 * The mount takes that reference over (sb->refs); when the last goes,
	 * the VFS prunes the cached dentries, calls put_super, drops sb->root
	 * and frees @sb: a single-instance type keeps a reference of its own.
	 * sb->root is made with d_make_root().
	 */
	int __must_check (*mount)(const struct fs_type *type, const char *source, unsigned flags,
	                          const char *data, struct super_block **out);
	struct list_node link; /* on the registry */
};

/* Add @type to the registry (boot, once each); -EBUSY if the name is taken. */
int __must_check vfs_register_fs(struct fs_type *type);
const struct fs_type *vfs_find_fs(const char *name);
/* Call @fn on each registered type, in registration order (/proc/filesystems). */
void vfs_for_each_fs(void (*fn)(const struct fs_type *type, void *ctx), void *ctx);

struct mount {
	struct super_block *sb;    /* [I] */
	struct dentry *root;       /* [I] sb->root, or a sub-tree for bind mounts */
	struct mount *parent;      /* [M] the mount it hangs on; itself for the root */
	struct dentry *mountpoint; /* [M] the dentry in parent it covers */
	unsigned flags;            /* [M] MNT_* per-mount flags */
	char *source;              /* [I] what /proc/mounts shows first ("tmpfs", "/dev/vda1") */
	int refs;                  /* [a] paths that hold it */
	struct list_node link;     /* [M] on the mount list */
};

/* A position in the tree: a dentry seen through a mount. Both hold references. */
struct path {
	struct mount *mnt;
	struct dentry *dentry;
};

void path_get(const struct path *p);
void path_put(struct path *p);
/* Whether @mnt (its super_block) is read-only: writes get -EROFS. */
bool mnt_readonly(const struct mount *mnt);

/*
 * Mount a new instance of @fstype from @source on @target (a directory),
 * as mount(2) does after copying its arguments in. Returns 0 or -errno.
 */
int __must_check vfs_mount(const char *source, const struct path *target, const char *fstype,
                           unsigned long flags, const char *data);
int __must_check vfs_umount(const struct path *target, int flags);
/* sync(2): every mounted file system with a sync operation writes back. First error or 0. */
int vfs_sync_all(void);
/* syncfs(2) of @sb: its sync operation, then its device's buffers and cache (blk_sync). */
int vfs_sync_sb(struct super_block *sb);
/*
 * Power-off and reboot: every file system syncs, and those on disks are
 * remounted read-only (their remount op marks them clean). First error or 0.
 */
int vfs_shutdown(void);
/*
 * Call @fn on each mount in mount order with the mount lock held (the
 * callback must not sleep or take the lock): /proc/mounts.
 */
void vfs_for_each_mount(void (*fn)(const struct mount *m, void *ctx), void *ctx);
/*
 * The absolute path of @p as seen from the caller's root, into @buf (@n
 * bytes, NUL included): getcwd, /proc/PID/cwd, /proc/mounts. Returns the
 * length or -ENAMETOOLONG; an unlinked dentry gets " (deleted)".
 */
long vfs_path_name(const struct path *p, char *buf, size_t n);

/*
 * Boot: mount a tmpfs as the root of the tree and make it every process's
 * root and working directory. Task context, once, before any path use.
 */
int __must_check vfs_init_root(void);
/* The root of the whole tree (the kernel's own, for kernel callers), with a reference. */
void vfs_root(struct path *out);

/* ---- the path walk ---- */

#define LOOKUP_FOLLOW    0x1u /* follow a final symbolic link */
#define LOOKUP_DIRECTORY 0x2u /* the result must be a directory (a trailing '/' implies it) */
#define LOOKUP_EMPTY     0x4u /* "" names the start (AT_EMPTY_PATH) */
#define LOOKUP_PARENT    0x8u /* stop at the parent: vfs_walk_parent() */

/*
 * Walk @path (a kernel string) from @dirfd (AT_FDCWD: the working
 * directory; an absolute path starts at the caller's root) to *@out, with
 * references. Symbolic links are followed inside the path always and at
 * its end with LOOKUP_FOLLOW; ".." stops at the caller's root and crosses
 * mounts upwards; mounts are crossed downwards. Every directory passed
 * needs MAY_EXEC. Returns 0, -ENOENT, -ENOTDIR, -ELOOP, -ENAMETOOLONG,
 * -EACCES, -EBADF (@dirfd), -ENOMEM.
 */
int __must_check vfs_walk(int dirfd, const char *path, unsigned flags, struct path *out);
/* As vfs_walk(), with the search checks made for @cred (access(2): the real ids). */
int __must_check vfs_walk_as(int dirfd, const char *path, unsigned flags, struct path *out,
                             const struct cred *cred);
/*
 * Walk to the parent directory of @path's last component (which must be
 * a name, not "." or ".."; -EEXIST/-EBUSY/-EINVAL per the caller) and
 * return it with the last component in *@last / *@len (pointing into
 * @path). Trailing slashes are noted in *@trailing_slash.
 */
int __must_check vfs_walk_parent(int dirfd, const char *path, struct path *parent,
                                 const char **last, size_t *len, bool *trailing_slash);

/*
 * Copy a path name from user memory: a heap buffer of PATH_MAX the caller
 * kfree()s, or -EFAULT, -ENAMETOOLONG (no NUL within PATH_MAX bytes),
 * -ENOENT (empty, unless @allow_empty). Returned as an error pointer:
 * check with IS_ERR_PTR()/PTR_ERR_VAL().
 */
char *vfs_getname(uintptr_t upath, bool allow_empty);
#define IS_ERR_PTR(p)  ((uintptr_t)(p) >= (uintptr_t)-4095)
#define PTR_ERR_VAL(p) ((long)(intptr_t)(p))
#define ERR_PTR_VAL(e) ((void *)(intptr_t)(e))

/*
 * Open @path as open(2) would (O_* flags, @mode for O_CREAT before the
 * umask), for the kernel (exec, init's console, tests): a file with a
 * reference, or an error pointer.
 */
struct file *vfs_open(int dirfd, const char *path, int flags, uint32_t mode);
/* Open the inode of @p (the walk is done): char devices, FIFOs and the file ops' open(). */
struct file *vfs_open_path(const struct path *p, int flags);

/*
 * Name operations with the checks of their system calls, for the syscalls
 * and kernel callers (initramfs, devfs, tests). @mode is used as given:
 * the system calls apply the umask before. 0 or -errno.
 * vfs_mknod: S_IFREG (or 0), S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK in @mode.
 * vfs_link: @lookup_flags LOOKUP_FOLLOW / LOOKUP_EMPTY for @oldpath.
 * vfs_rename: RENAME_NOREPLACE (RENAME_EXCHANGE: -EINVAL for now).
 */
int __must_check vfs_mknod(int dirfd, const char *path, uint32_t mode, uint32_t rdev);
int __must_check vfs_mkdir(int dirfd, const char *path, uint32_t mode);
int __must_check vfs_symlink(const char *target, int dirfd, const char *path);
int __must_check vfs_link(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
                          unsigned lookup_flags);
int __must_check vfs_unlink(int dirfd, const char *path);
int __must_check vfs_rmdir(int dirfd, const char *path);
int __must_check vfs_rename(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
                            unsigned flags);

/* ---- character devices ---- */

/*
 * Route opens of char-device inodes with major @major and minors
 * @minor .. @minor + @count - 1 to @fops (whose open() sees the inode and
 * can read its rdev). -EBUSY when a range overlaps one registered.
 */
int __must_check chrdev_register(unsigned major, unsigned minor, unsigned count,
                                 const struct file_ops *fops);
