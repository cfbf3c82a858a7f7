/* SPDX-License-Identifier: MIT */
/*
 * Pipes and FIFOs (fs/pipe.c, fs/fifo.c): what the rest of the kernel
 * calls. A pipe is a ring of page buffers with a reader side and a writer
 * side; pipe(2) makes one with two anonymous files, and a FIFO inode gets
 * one while it is open (inode->pipe). Semantics: docs/pipes-poll.md.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>

struct file;
struct file_ops;
struct inode;

#define PIPE_BUF      4096    /* writes up to this size never interleave (Linux) */
#define PIPE_DEF_SIZE 65536   /* a new pipe's capacity in bytes (Linux: 16 pages) */
#define PIPE_MAX_SIZE 1048576 /* F_SETPIPE_SZ's limit without privilege (pipe-max-size) */

/*
 * The file operations of a FIFO inode: file systems set inode->fops to
 * this for S_IFIFO inodes (or the VFS calls pipe_fifo_open() for them),
 * and vfs_open_path() calls its open, pipe_fifo_open().
 */
extern const struct file_ops pipe_fifo_fops;

/*
 * Open FIFO @ino as @f (f->flags holds O_NONBLOCK, f->fmode the access
 * mode): attach the inode's pipe (made on the first open), count the new
 * reader or writer and, as Linux does, wait for the other side: a reader
 * without O_NONBLOCK until a writer comes, a writer until a reader comes
 * (with O_NONBLOCK and no reader: -ENXIO); O_RDWR never waits. Sets
 * f->ops to pipe_fifo_fops and f->priv. Returns 0, -ENXIO, -ENOMEM or
 * -ERESTARTSYS (a signal ended the wait). Takes the inode's lock: call it
 * without holding that lock. Task context; may sleep.
 */
int __must_check pipe_fifo_open(struct inode *ino, struct file *f);

/*
 * Make a pipe: *@rd and *@wr are new anonymous files on its two ends with
 * @flags (O_NONBLOCK, O_DIRECT for packet mode) in their status flags.
 * Returns 0 or -ENOMEM/-ENFILE.
 */
int __must_check pipe_create(struct file **rd, struct file **wr, int flags);

/* Whether @f is an end of a pipe or an open FIFO. */
bool file_is_pipe(const struct file *f);

/*
 * fcntl(F_GETPIPE_SZ) and fcntl(F_SETPIPE_SZ, @arg) on @f, which the VFS's
 * fcntl hands over for those two commands. Returns the capacity in bytes,
 * or -EBADF (not a pipe), -EINVAL (too big to round), -EPERM (over
 * PIPE_MAX_SIZE without privilege), -EBUSY (the bytes in it would not
 * fit) or -ENOMEM. Task context.
 */
long __must_check pipe_fcntl(struct file *f, unsigned cmd, unsigned long arg);
