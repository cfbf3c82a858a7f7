/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the tmpfs, devfs and initramfs suites: a fresh tmpfs mounted
 * on a directory of its own under /tmp for each test, and whole-file reads
 * and writes through the VFS as a program's calls would make them.
 */
#pragma once

#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include <lib/format.h>
#include <lib/string.h>

#include "core/ktest.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/pmm.h"

/* A tmpfs of its own: @dir is where it is mounted. */
struct tt_mount {
	char dir[64];
	struct path root; /* the mounted root, held while the test runs */
};

/* Mount a new tmpfs with @opts on a fresh directory under /tmp. */
static inline void tt_mount(struct tt_mount *m, const char *opts)
{
	static int seq;
	struct path mp;

	fmt_snprintf(m->dir, sizeof(m->dir), "/tmp/kt-tmpfs-%d",
	             __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED));
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, m->dir, 0755), 0);
	EXPECT_EQ(vfs_walk(AT_FDCWD, m->dir, LOOKUP_FOLLOW, &mp), 0);
	EXPECT_EQ(vfs_mount("tmpfs", &mp, "tmpfs", 0, opts), 0);
	path_put(&mp);
	EXPECT_EQ(vfs_walk(AT_FDCWD, m->dir, LOOKUP_FOLLOW, &m->root), 0);
}

/* Unmount it (everything must be closed) and remove the directory. */
static inline void tt_umount(struct tt_mount *m)
{
	EXPECT_EQ(vfs_umount(&m->root, 0), 0);
	path_put(&m->root);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, m->dir), 0);
}

/* "@m->dir/@name" into @buf (128 bytes). */
static inline const char *tt_path(const struct tt_mount *m, const char *name, char *buf)
{
	fmt_snprintf(buf, 128, "%s/%s", m->dir, name);
	return buf;
}

static inline struct file *tt_open(const char *path, int flags, uint32_t mode)
{
	struct file *f = vfs_open(AT_FDCWD, path, flags, mode);

	if (IS_ERR_PTR(f))
		ktest_fail(__FILE__, __LINE__, "open %s: error %ld", path, PTR_ERR_VAL(f));
	return f;
}

/* Write @n bytes of @buf at @off into @path (made if missing); returns what kernel_write did. */
static inline long tt_pwrite(const char *path, const void *buf, size_t n, int64_t off)
{
	struct file *f = tt_open(path, O_WRONLY | O_CREAT, 0644);
	long r = kernel_write(f, buf, n, &off);

	file_put(f);
	return r;
}

static inline long tt_pread(const char *path, void *buf, size_t n, int64_t off)
{
	struct file *f = tt_open(path, O_RDONLY, 0);
	long r = kernel_read(f, buf, n, &off);

	file_put(f);
	return r;
}

/* The inode @path names (not following a final link), with a reference dropped at once. */
static inline struct inode *tt_inode(const char *path)
{
	struct path p;
	struct inode *ino;

	if (vfs_walk(AT_FDCWD, path, 0, &p))
		return NULL;
	ino = p.dentry->inode;
	path_put(&p);
	return ino;
}

static inline uint64_t tt_free_frames(void)
{
	struct pmm_stats st;

	pmm_drain_caches();
	pmm_stats(&st);
	return st.free / PAGE_SIZE;
}
