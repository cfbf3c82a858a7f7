/* SPDX-License-Identifier: MIT */
/*
 * tmpfs: a read-write file system whose files live in page frames. It is
 * the root of the tree and the base of devtmpfs. What other subsystems may
 * use besides the fs_type (fs/fs_types.h): its magic and direct access to
 * a file's frames, for an exec or a page cache that maps them.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdint.h>

#include "fs/vfs.h"

#define TMPFS_MAGIC 0x01021994u /* statfs f_type (Linux's <linux/magic.h>) */

/*
 * The physical address of page @index of the regular file @ino in *@phys,
 * with a reference on the frame the caller drops with pmm_frame_put().
 * Returns 0, -ENOENT (a hole or past the end: the caller maps zeros) or
 * -EINVAL (not a tmpfs regular file). Takes the inode's lock; may sleep.
 */
int __must_check tmpfs_get_frame(struct inode *ino, uint64_t index, uint64_t *phys);

/*
 * Mount a fresh tmpfs instance with the option string @data ("size=64m,
 * mode=1777", may be NULL) and @flags (SB_*): the fs_type's mount, which
 * devtmpfs reuses under its own type. 0 and *@out with a reference, or
 * -EINVAL (a bad option), -ENOMEM.
 */
int __must_check tmpfs_fill_super(const struct fs_type *type, unsigned flags, const char *data,
                                  struct super_block **out);
