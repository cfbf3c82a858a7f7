/* SPDX-License-Identifier: MIT */
/*
 * devtmpfs: the file system of /dev. Drivers add their device nodes here
 * by name; the nodes appear in every mount of it (there is one instance,
 * as on Linux), including nodes added before the first mount. Users may
 * also make and remove names in it like in any tmpfs.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdint.h>

/*
 * Add the node @name (one '/' allowed: "pts/0" makes the directory "pts"
 * as needed) with type and permissions @mode (S_IFCHR or S_IFBLK | bits)
 * and device number @rdev (DEV_ENCODE). Returns 0, -EEXIST (the name is
 * taken), -EINVAL (a bad name or type) or -ENOMEM. Task context; may sleep.
 */
int __must_check devfs_add_node(const char *name, uint32_t mode, uint32_t rdev);

/*
 * Register the memory devices (null, zero, full, random, urandom: major 1)
 * with the VFS and add their nodes: devfs_register() calls it.
 */
int __must_check devfs_mem_init(void);
