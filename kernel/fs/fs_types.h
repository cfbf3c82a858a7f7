/* SPDX-License-Identifier: MIT */
/*
 * The file system types the kernel builds in, each registered once at boot
 * by fs_boot() (kernel/fs/boot.c) before the root is mounted. A lane that
 * adds a type declares its register function here.
 */
#pragma once

#include <cairn/compiler.h>

/* "tmpfs": the in-memory read-write file system, also the root (kernel/fs/tmpfs). */
int __must_check tmpfs_register(void);
/* "devtmpfs": the device nodes of /dev (kernel/fs/devfs). */
int __must_check devfs_register(void);
/* "proc": processes and kernel state (kernel/fs/procfs). */
int __must_check procfs_register(void);
/* "ext2": ext2 read-write on a block device (kernel/fs/ext2, docs/ext2.md). */
int __must_check ext2_register(void);

/*
 * Build the tree at boot: register the types, mount the root, unpack the
 * initrd into it, make /dev, /proc and /tmp and mount devtmpfs on /dev.
 * Returns 0 or -errno (only a root that cannot be mounted is an error; a
 * corrupt initrd is logged and boot goes on). Task context, once.
 */
int __must_check fs_boot(void);
