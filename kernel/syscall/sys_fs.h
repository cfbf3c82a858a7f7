/* SPDX-License-Identifier: MIT */
/*
 * What the file system calls (sys_file.c, sys_fdops.c, sys_stat.c,
 * sys_namei.c, sys_dirent.c) share: walking a path that is still in user
 * memory.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdint.h>

struct file;
struct path;

/*
 * Copy the path at user @upath in and walk it from @dirfd with LOOKUP_*
 * @flags (LOOKUP_EMPTY also allows an empty name). 0 or -errno.
 */
int __must_check user_walk(int dirfd, uint64_t upath, unsigned flags, struct path *out);
/* The file at @fd with a reference, unless it is missing or an O_PATH one (NULL: -EBADF). */
struct file *fd_get_io(int fd);
