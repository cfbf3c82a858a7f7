/* SPDX-License-Identifier: MIT */
/*
 * The initrd as a read-only store of programs until the files issue brings
 * a VFS: look a path up in the cpio archive the loader passed.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * Find the executable regular file @path (symbolic links followed) and
 * point *@data and *@size at its bytes inside the archive (4-byte aligned,
 * never freed). Returns 0, -ENOENT (no such file or no initrd), -EACCES
 * (not a regular file or not executable), -ELOOP, -ENAMETOOLONG or -EIO
 * (the archive is corrupt). Any task context.
 */
int initrd_lookup(const char *path, const void **data, size_t *size);

/* Whether the loader passed an initrd at all. */
bool initrd_present(void);
