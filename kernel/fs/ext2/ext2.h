/* SPDX-License-Identifier: MIT */
/*
 * The kernel's ext2 file system type (kernel/fs/ext2/, docs/ext2.md):
 * "ext2" over a block device, read-write, on lib/ext2. Its register
 * function is in fs/fs_types.h.
 */
#pragma once

#include <cairn/compiler.h>

#define EXT2_SUPER_MAGIC 0xEF53u /* statfs f_type (Linux's <linux/magic.h>) */
