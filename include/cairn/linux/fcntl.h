/* SPDX-License-Identifier: MIT */
/*
 * open(2) flags and fcntl(2) commands on x86_64 (facts from Linux's uapi
 * <asm-generic/fcntl.h>; octal, as Linux writes them).
 */
#pragma once

#define O_ACCMODE   00000003
#define O_RDONLY    00000000
#define O_WRONLY    00000001
#define O_RDWR      00000002
#define O_CREAT     00000100
#define O_EXCL      00000200
#define O_NOCTTY    00000400
#define O_TRUNC     00001000
#define O_APPEND    00002000
#define O_NONBLOCK  00004000
#define O_DSYNC     00010000
#define O_ASYNC     00020000
#define O_DIRECT    00040000
#define O_LARGEFILE 00100000
#define O_DIRECTORY 00200000
#define O_NOFOLLOW  00400000
#define O_NOATIME   01000000
#define O_CLOEXEC   02000000
#define O_PATH      010000000
#define O_TMPFILE   020200000

#define F_DUPFD         0
#define F_GETFD         1
#define F_SETFD         2
#define F_GETFL         3
#define F_SETFL         4
#define F_GETLK         5
#define F_SETLK         6
#define F_SETLKW        7
#define F_SETOWN        8
#define F_GETOWN        9
#define F_SETLEASE      1024
#define F_GETLEASE      1025
#define F_DUPFD_CLOEXEC 1030
#define F_SETPIPE_SZ    1031
#define F_GETPIPE_SZ    1032

/* struct flock's l_type. */
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2

struct flock {
	short l_type;
	short l_whence;
	long l_start;
	long l_len;
	int l_pid;
};

/* lseek(2) whence. */
#define SEEK_SET  0
#define SEEK_CUR  1
#define SEEK_END  2
#define SEEK_DATA 3
#define SEEK_HOLE 4

/* access(2) modes. */
#define F_OK 0
#define X_OK 1
#define W_OK 2
#define R_OK 4

/* renameat2(2) flags. */
#define RENAME_NOREPLACE 0x1u
#define RENAME_EXCHANGE  0x2u
#define RENAME_WHITEOUT  0x4u

/* mount(2) flags (uapi <linux/mount.h>). */
#define MS_RDONLY      0x1ul
#define MS_NOSUID      0x2ul
#define MS_NODEV       0x4ul
#define MS_NOEXEC      0x8ul
#define MS_SYNCHRONOUS 0x10ul
#define MS_REMOUNT     0x20ul
#define MS_MANDLOCK    0x40ul
#define MS_DIRSYNC     0x80ul
#define MS_NOSYMFOLLOW 0x100ul
#define MS_NOATIME     0x400ul
#define MS_NODIRATIME  0x800ul
#define MS_BIND        0x1000ul
#define MS_MOVE        0x2000ul
#define MS_REC         0x4000ul
#define MS_SILENT      0x8000ul
#define MS_RELATIME    0x200000ul
#define MS_STRICTATIME 0x1000000ul
#define MS_LAZYTIME    0x2000000ul
#define MS_MGC_VAL     0xc0ed0000ul
#define MS_MGC_MSK     0xffff0000ul

/* umount2(2) flags. */
#define MNT_FORCE       0x1
#define MNT_DETACH      0x2
#define MNT_EXPIRE      0x4
#define UMOUNT_NOFOLLOW 0x8

#define FD_CLOEXEC 1

#define AT_FDCWD -100
