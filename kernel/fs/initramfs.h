/* SPDX-License-Identifier: MIT */
/*
 * Unpacking a cpio "newc" archive (the initrd) into the tree, as Linux's
 * initramfs does: directories, files, symbolic links, device nodes, FIFOs
 * and hard links with their modes, owners and modification times.
 */
#pragma once

#include <cairn/compiler.h>

#include <stddef.h>
#include <stdint.h>

struct initramfs_stats {
	uint64_t entries; /* members made */
	uint64_t bytes;   /* file data written */
	uint64_t failed;  /* members skipped because making them failed (logged) */
};

/*
 * Unpack the @size-byte archive at @data under the existing directory
 * @root (an absolute path, "/" at boot), counting into @st (may be NULL).
 * A corrupt archive (bad header, truncated, a checksum that does not add
 * up, a name that is absolute, has a ".." part or is too long) stops the
 * unpack with one log line naming the member and its offset; what came
 * before stays. A member that cannot be made (no memory, no space, no
 * parent directory) is logged and skipped. Returns 0, or -EINVAL when the
 * archive was corrupt. Task context, as root; may sleep.
 */
int __must_check initramfs_unpack(const void *data, size_t size, const char *root,
                                  struct initramfs_stats *st);
