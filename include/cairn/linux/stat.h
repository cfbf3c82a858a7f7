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

#define S_IFMT   0170000
#define S_IFSOCK 0140000
#define S_IFLNK  0120000
#define S_IFREG  0100000
#define S_IFBLK  0060000
#define S_IFDIR  0040000
#define S_IFCHR  0020000
#define S_IFIFO  0010000
#define S_ISUID  0004000
#define S_ISGID  0002000
#define S_ISVTX  0001000
#define S_IXGRP  0000010 /* group execute: with S_ISGID, set-group-ID */

#define S_ISREG(m)  (((m)&S_IFMT) == S_IFREG)
#define S_ISDIR(m)  (((m)&S_IFMT) == S_IFDIR)
#define S_ISCHR(m)  (((m)&S_IFMT) == S_IFCHR)
#define S_ISBLK(m)  (((m)&S_IFMT) == S_IFBLK)
#define S_ISFIFO(m) (((m)&S_IFMT) == S_IFIFO)
#define S_ISLNK(m)  (((m)&S_IFMT) == S_IFLNK)
#define S_ISSOCK(m) (((m)&S_IFMT) == S_IFSOCK)

#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR        0x200
#define AT_SYMLINK_FOLLOW   0x400
#define AT_NO_AUTOMOUNT     0x800
#define AT_EMPTY_PATH       0x1000
#define AT_EACCESS          0x200 /* faccessat: the effective ids (shares AT_REMOVEDIR's bit) */
#define AT_STATX_SYNC_TYPE  0x6000

/* Linux's device number halves (new_decode_dev). */
#define DEV_MAJOR(dev) ((unsigned)(((dev) >> 8) & 0xfffu))
#define DEV_MINOR(dev) ((unsigned)(((dev)&0xffu) | (((dev) >> 12) & 0xfff00u)))

/* statx(2): struct statx and its mask bits (uapi <linux/stat.h>). */
struct statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct statx {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t spare0;
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor;
	uint32_t stx_dev_major, stx_dev_minor;
	uint64_t spare2[14];
};

_Static_assert(sizeof(struct statx) == 256, "struct statx is 256 bytes");

#define STATX_TYPE        0x001u
#define STATX_MODE        0x002u
#define STATX_NLINK       0x004u
#define STATX_UID         0x008u
#define STATX_GID         0x010u
#define STATX_ATIME       0x020u
#define STATX_MTIME       0x040u
#define STATX_CTIME       0x080u
#define STATX_INO         0x100u
#define STATX_SIZE        0x200u
#define STATX_BLOCKS      0x400u
#define STATX_BASIC_STATS 0x7ffu
#define STATX__RESERVED   0x80000000u

/* statfs(2)'s struct on x86_64 (uapi <asm-generic/statfs.h>, 64-bit words). */
struct statfs {
	int64_t f_type;
	int64_t f_bsize;
	uint64_t f_blocks;
	uint64_t f_bfree;
	uint64_t f_bavail;
	uint64_t f_files;
	uint64_t f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen;
	int64_t f_frsize;
	int64_t f_flags;
	int64_t f_spare[4];
};

_Static_assert(sizeof(struct statfs) == 120, "x86_64 struct statfs is 120 bytes");

/* statfs f_flags (ST_*). */
#define ST_RDONLY 0x0001
#define ST_NOSUID 0x0002
#define ST_NODEV  0x0004
#define ST_NOEXEC 0x0008
#define ST_VALID  0x0020

/* utimensat(2)'s special nanosecond values. */
#define UTIME_NOW  ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)

/* Linux's device number encoding (new_encode_dev): minor low byte, major, minor high bits. */
#define DEV_ENCODE(major, minor) \
	(((minor)&0xffu) | ((uint64_t)(major) << 8) | (((uint64_t)(minor) & ~0xffull) << 12))
