/* SPDX-License-Identifier: MIT */
/*
 * Open files, the I/O vectors that carry their bytes, descriptor tables
 * and a process's file-system context (root, working directory, umask).
 *
 * A struct file is an open file description (open(2)): the position and
 * status flags that dup() and fork() share. A descriptor table maps small
 * integers to files; threads made with CLONE_FILES share one. The
 * readiness interface (poll) is in fs/poll.h.
 *
 * Locks: [I] fixed once published; [a] atomic; [F] the file's pos_lock
 * (read, write and lseek of files with a position hold it across the
 * call, so two writers through one description never reuse a position);
 * [T] the descriptor table's lock; [G] epoll's global lock (fs/epoll.c).
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/vfs.h"
#include "sched/spinlock.h"
#include "sched/sync.h"

struct dir_ctx;
struct poll_table;

/* ---- I/O vectors: user or kernel memory, read or written piece by piece ---- */

struct uio_seg {
	uintptr_t base; /* user address (uio.user) or kernel pointer */
	size_t len;
};

struct uio {
	const struct uio_seg *seg; /* the current segment */
	unsigned nseg;             /* segments left, the current one included */
	size_t off;                /* bytes of the current segment already used */
	size_t resid;              /* bytes left in all */
	bool user;                 /* the bases are user addresses */
	bool faulted;              /* a user copy faulted: nothing more moves */
};

/* A uio over one buffer (@user: a user address). */
void uio_init1(struct uio *u, struct uio_seg *seg, uintptr_t base, size_t len, bool user);
/*
 * Copy up to @n bytes from kernel @src into the buffers (a read) / from
 * the buffers into kernel @dst (a write), advancing. Returns the bytes
 * moved: fewer than asked when the uio ran out or a user page faulted
 * (uio_faulted() then says so, and the caller returns -EFAULT if it moved
 * nothing). Task context; user copies may sleep on a page fault.
 */
size_t uio_copy_out(struct uio *u, const void *src, size_t n);
size_t uio_copy_in(struct uio *u, void *dst, size_t n);
/* Zero-fill @n bytes of the buffers (a read of a hole); as uio_copy_out(). */
size_t uio_zero(struct uio *u, size_t n);
/* Whether a user copy of @u faulted (the call answers -EFAULT if it moved nothing). */
bool uio_faulted(const struct uio *u);

/* ---- open files ---- */

/*
 * What a file's operations do. NULL entries: read/write -EINVAL, llseek
 * -ESPIPE, ioctl -ENOTTY, poll "always readable and writable",
 * getdents -ENOTDIR, fsync 0 (nothing to write back).
 */
struct file_ops {
	/*
	 * Prepare @f for use (devices pick their state from ino->rdev, store it
	 * in f->priv). Called by vfs_open_path() after permission checks, with
	 * O_NOCTTY still in f->flags (terminals read it; it goes after the open).
	 */
	int __must_check (*open)(struct inode *ino, struct file *f);
	/* The last reference to @f went (the last close of every dup). */
	void (*release)(struct file *f);
	/*
	 * Move bytes between the file at *@pos and @u; returns bytes moved or
	 * -errno (-EAGAIN when O_NONBLOCK and nothing could be moved,
	 * -ERESTARTSYS when a signal interrupted a wait before anything moved).
	 * The VFS checked the access mode, holds [F] for files that have a
	 * position and updates *@pos itself from what the op stores there. For
	 * O_APPEND the VFS sets *@pos to the size under the inode lock first.
	 * On regular files (S_IFREG) the VFS holds the inode's lock [L] across
	 * ->write (so appends and the size stay atomic): their write op must
	 * not take ino->lock; their read op may.
	 */
	long __must_check (*read)(struct file *f, struct uio *u, int64_t *pos);
	long __must_check (*write)(struct file *f, struct uio *u, int64_t *pos);
	/*
	 * NULL on a regular file or directory: vfs_generic_llseek() on
	 * inode->size. Called with [F] held; returns the new position, which
	 * the VFS stores in f->pos.
	 */
	int64_t __must_check (*llseek)(struct file *f, int64_t off, int whence);
	long __must_check (*ioctl)(struct file *f, unsigned cmd, uintptr_t arg);
	/* The POLL* events ready now; call poll_wait() on each queue that may change them. */
	unsigned (*poll)(struct file *f, struct poll_table *pt);
	/*
	 * Directories: call @emit for each entry from the cookie f->pos on,
	 * advancing f->pos past each entry emit accepted, until emit returns
	 * false (the buffer is full) or the end. "." and ".." included.
	 */
	int __must_check (*iterate)(struct file *f, struct dir_ctx *ctx);
	int __must_check (*fsync)(struct file *f, bool datasync);
};

/* d_type values of getdents64 (DT_*). */
#define DT_UNKNOWN 0
#define DT_FIFO    1
#define DT_CHR     2
#define DT_DIR     4
#define DT_BLK     6
#define DT_REG     8
#define DT_LNK     10
#define DT_SOCK    12
/* The DT_* of an inode mode. */
unsigned vfs_dtype(uint32_t mode);

struct dir_ctx {
	/* Offer one entry; false: it did not fit, stop (f->pos stays before it). */
	bool (*emit)(struct dir_ctx *ctx, const char *name, size_t len, uint64_t ino,
	             unsigned dtype);
};

/* FMODE_* : what the description was opened for (from O_ACCMODE, O_PATH). */
#define FMODE_READ  0x1u
#define FMODE_WRITE 0x2u
#define FMODE_PATH  0x4u /* O_PATH: no I/O, only a place */
#define FMODE_LSEEK 0x8u /* has a position: [F] is taken around I/O */

struct file {
	const struct file_ops *ops; /* [I] */
	struct path path;           /* [I] where it was opened (anonymous files: a private mount) */
	struct inode *inode;        /* [I] holds a reference */
	unsigned fmode;             /* [I] FMODE_* */
	unsigned flags;             /* [a] O_* status flags: O_APPEND, O_NONBLOCK (F_SETFL), ... */
	int refs;                   /* [a] descriptors, in-flight calls */
	int64_t pos;                /* [F] */
	struct mutex pos_lock;      /* the [F] lock */
	void *priv; /* [I] the file's owner's (a tty, a pipe end, a procfs buffer) */
	void *ep;   /* [G] epoll's list of the items watching this file, NULL: none (fs/epoll.h) */
};

void file_get(struct file *f);
/*
 * Drop a reference; the last one calls eventpoll_release() when f->ep is
 * set (fs/epoll.h), then ops->release, and drops path and inode.
 */
void file_put(struct file *f);

/*
 * An open file on no name: pipes, eventfd, epoll. Its inode is a fresh
 * anonymous one of @mode (S_IFIFO | 0600, ...) on an internal file system,
 * so fstat works; /proc/PID/fd shows "@name" ("pipe:[ino]" style is built
 * from it). Returns a file with one reference, or an error pointer.
 */
struct file *file_alloc_anon(const struct file_ops *ops, void *priv, unsigned oflags, uint32_t mode,
                             const char *name);

/*
 * Read or write @u through @f: the access-mode check (-EBADF), [F] and the
 * position (@ppos NULL: the file's own), O_APPEND, the inode lock around
 * regular-file writes. Returns bytes moved or -errno.
 */
long __must_check vfs_read(struct file *f, struct uio *u, int64_t *ppos);
long __must_check vfs_write(struct file *f, struct uio *u, int64_t *ppos);
/* Reads and writes for the kernel (exec, sendfile, tests); as the ops return. */
long __must_check kernel_read(struct file *f, void *buf, size_t n, int64_t *pos);
long __must_check kernel_write(struct file *f, const void *buf, size_t n, int64_t *pos);
/* The generic llseek of files that have a size: SEEK_SET/CUR/END, SEEK_DATA/HOLE. */
int64_t vfs_generic_llseek(struct file *f, int64_t off, int whence);

/* ---- descriptor tables ---- */

#define FDTABLE_MAX 1024 /* RLIMIT_NOFILE's default soft limit (Linux) */

struct fdtable;

/* A table with nothing open. NULL without memory. */
struct fdtable *fdtable_create(void);
/* A copy of @t (fork without CLONE_FILES): every file gains a reference. */
struct fdtable *fdtable_dup(struct fdtable *t);
void fdtable_get(struct fdtable *t);
/* Drop a reference; the last one closes everything. */
void fdtable_put(struct fdtable *t);
/* exec: close the close-on-exec descriptors. */
void fdtable_exec(struct fdtable *t);

/*
 * The calling process's table (a kernel task with no process: a shared
 * kernel table, so the kernel tests may use descriptors too).
 */
struct fdtable *fdtable_current(void);
/* The kernel's own table and context: what kernel tasks use (fs/fdtable.c, fs/fs_context.c). */
struct fdtable *fdtable_kernel(void);
struct fs_context *fs_context_kernel(void);

/*
 * Put @f (whose reference the table takes over) at the lowest free
 * descriptor >= @min; @cloexec sets FD_CLOEXEC. Returns the fd or -EMFILE
 * (RLIMIT_NOFILE, at most FDTABLE_MAX).
 */
int __must_check fd_install(struct fdtable *t, struct file *f, int min, bool cloexec);
/* The file at @fd with a reference (file_put() it), or NULL: the caller answers -EBADF. */
struct file *fd_get(int fd);
/*
 * Take descriptors @fds[0..@n) out of @t, all of them or none: each must
 * still name @files[i] (which the caller looked up with fd_get() before).
 * The table's references pass to the caller. Returns 0, or -EBADF when one
 * changed meanwhile (nothing taken). Never sleeps (spinlocks may be held):
 * a channel write moves handles into a message with it.
 */
int __must_check fd_detach_many(struct fdtable *t, const int *fds, struct file *const *files,
                                unsigned n);
/* Close @fd: 0 or -EBADF. */
int __must_check fd_close(struct fdtable *t, int fd);
/* dup2/dup3: make @newfd name @f (closing what it named); returns @newfd or -EBADF/-EMFILE. */
int __must_check fd_replace(struct fdtable *t, int newfd, struct file *f, bool cloexec);
int fd_get_cloexec(struct fdtable *t, int fd); /* 0/1, or -EBADF */
int __must_check fd_set_cloexec(struct fdtable *t, int fd, bool on);
/* Call @fn for each open descriptor in order with the table locked (no sleeping): /proc/PID/fd. */
void fdtable_for_each(struct fdtable *t, void (*fn)(int fd, struct file *f, void *ctx), void *ctx);

/* ---- a process's file-system context ---- */

/* Shared by CLONE_FS threads and processes; copied by fork otherwise. Locks: its own lock. */
struct fs_context;

/* The boot context: the tree's root as root and cwd, umask 022. */
struct fs_context *fs_context_create(void);
struct fs_context *fs_context_dup(struct fs_context *c);
void fs_context_get(struct fs_context *c);
void fs_context_put(struct fs_context *c);
/* The calling process's (a kernel task with no process: the kernel's own). */
struct fs_context *fs_context_current(void);
/* Copies of the root / working directory with references (path_put() them). */
void fs_get_root(struct fs_context *c, struct path *out);
void fs_get_cwd(struct fs_context *c, struct path *out);
/* chdir/chroot: takes over @p's references. */
void fs_set_cwd(struct fs_context *c, struct path *p);
void fs_set_root(struct fs_context *c, struct path *p);
uint32_t fs_umask(struct fs_context *c);
/* Set the umask, returning the old one. */
uint32_t fs_set_umask(struct fs_context *c, uint32_t mask);
