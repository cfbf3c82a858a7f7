// SPDX-License-Identifier: MIT
/*
 * Helpers the file-system tests of issue 12 share (user/tests/fs_*.c): a
 * scratch directory of their own under /tmp, removed again at the end,
 * small file readers and writers that report failure instead of exiting,
 * and a raw getdents64. Header-only, like tap.h.
 *
 * The Linux baseline boots the test initramfs with nothing mounted and no
 * /tmp, Cairn with a /tmp of mode 1777: ut_scratch() makes /tmp when it
 * is missing and gives it that mode, so both kernels start alike.
 */
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

#include "utest.h"

/* Linux's struct linux_dirent64 (getdents64(2)), which musl and glibc name differently. */
struct ut_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/*
 * Linux's struct statx (include/uapi/linux/stat.h), 256 bytes; musl before
 * 1.2.5 has neither the structure nor the wrapper.
 */
struct ut_statx_ts {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct ut_statx {
	uint32_t stx_mask, stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink, stx_uid, stx_gid;
	uint16_t stx_mode, spare0;
	uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct ut_statx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
	uint64_t spare[14];
};

#define UT_SYS_statx         332 /* x86_64 */
#define UT_STATX_BASIC_STATS 0x7ffu

__attribute__((unused)) static long ut_statx(int dirfd, const char *path, int flags, unsigned mask,
                                             struct ut_statx *sx)
{
	return syscall(UT_SYS_statx, dirfd, path, flags, mask, sx);
}

__attribute__((unused)) static long ut_getdents64(int fd, void *buf, size_t n)
{
	return syscall(SYS_getdents64, fd, buf, n);
}

/*
 * Make a fresh directory /tmp/@name.PID and return its path (a static
 * buffer). The pid keeps the musl and the glibc run of one test apart; it is
 * never printed. NULL when /tmp cannot be used.
 */
__attribute__((unused)) static const char *ut_scratch(const char *name)
{
	static char path[128];

	if (mkdir("/tmp", 01777) == 0)
		chmod("/tmp", 01777); /* the umask took the sticky bit's neighbours */
	else if (errno != EEXIST)
		return NULL;
	snprintf(path, sizeof(path), "/tmp/%s.%d", name, (int)getpid());
	if (mkdir(path, 0755) != 0)
		return NULL;
	return path;
}

/* Remove @path and everything under it (not following symbolic links); 0 or -1. */
__attribute__((unused)) static int ut_rmtree(const char *path)
{
	char buf[1024], sub[512];
	struct stat st;
	long n, off;
	int fd, bad = 0;

	if (lstat(path, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	fd = open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -1;
	/* Entries are removed as they are read: read from the start again until only . and .. */
	for (;;) {
		int removed = 0;

		lseek(fd, 0, SEEK_SET);
		while ((n = ut_getdents64(fd, buf, sizeof(buf))) > 0) {
			for (off = 0; off < n;) {
				struct ut_dirent64 *d = (struct ut_dirent64 *)(buf + off);

				off += d->d_reclen;
				if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
					continue;
				snprintf(sub, sizeof(sub), "%s/%s", path, d->d_name);
				if (ut_rmtree(sub) != 0)
					bad = 1;
				else
					removed++;
			}
		}
		if (n < 0 || !removed || bad)
			break;
	}
	close(fd);
	return rmdir(path);
}

/* Write @len bytes of @data to a new file @path (mode 0644, truncated); 0 or -1. */
__attribute__((unused)) static int ut_put(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, data, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* Read up to @size - 1 bytes of @path into @buf, NUL-terminated; the length or -1. */
__attribute__((unused)) static long ut_get(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	long n, got = 0;

	if (fd < 0)
		return -1;
	while (got < (long)size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return got;
}

/* Whether @path exists (lstat: a dangling symbolic link exists). */
__attribute__((unused)) static bool ut_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* The mode of @path (lstat) with its type, or 0 when it does not exist. */
__attribute__((unused)) static unsigned ut_mode(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? (unsigned)st.st_mode : 0;
}
