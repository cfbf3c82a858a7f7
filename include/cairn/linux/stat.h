/* SPDX-License-Identifier: MIT */
/*
 * struct stat as x86_64 Linux's fstat(2) and newfstatat(2) fill it, the
 * file-type bits of st_mode, and AT_EMPTY_PATH (facts from Linux's uapi
 * <asm/stat.h>, <linux/stat.h> and <linux/fcntl.h>).
 */
#pragma once

#include <stdint.h>

struct stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	uint32_t pad0;
	uint64_t st_rdev;
	int64_t st_size;
	int64_t st_blksize;
	int64_t st_blocks; /* 512-byte units */
	int64_t st_atime_sec;
	uint64_t st_atime_nsec;
	int64_t st_mtime_sec;
	uint64_t st_mtime_nsec;
	int64_t st_ctime_sec;
	uint64_t st_ctime_nsec;
	int64_t unused[3];
};

_Static_assert(sizeof(struct stat) == 144, "x86_64 struct stat is 144 bytes");

#define S_IFMT  0170000
#define S_IFCHR 0020000
#define S_IFDIR 0040000
#define S_IFREG 0100000

#define AT_EMPTY_PATH 0x1000

/* Linux's device number encoding (new_encode_dev): minor low byte, major, minor high bits. */
#define DEV_ENCODE(major, minor) \
	(((minor)&0xffu) | ((uint64_t)(major) << 8) | (((uint64_t)(minor) & ~0xffull) << 12))
