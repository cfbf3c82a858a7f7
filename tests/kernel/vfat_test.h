/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the vfat suite: a RAM disk formatted FAT32 by lib/fat's
 * fat_format(), mounted on a directory of its own, whole-file reads and
 * writes through the VFS, and raw access to the volume's state (the dirty
 * bit) with lib/fat over the buffer cache, as a second opinion.
 */
#pragma once

#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>

#include <lib/fat/fat.h>
#include <lib/format.h>
#include <lib/string.h>

#include "block/blkdev.h"
#include "core/ktest.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/heap.h"

struct vt_vol {
	struct block_device *d;
	char dir[48];
	bool mounted;
};

/* Byte-addressed access to a RAM disk through 512-byte buffers (what fat_format needs). */
static inline int vt_io(void *ctx, uint64_t off, void *buf, size_t n, bool write)
{
	struct bbuf *b;
	size_t in, part;
	int err;

	while (n) {
		err = bread(ctx, off / 512, 512, &b);
		if (err)
			return err;
		in = off % 512;
		part = n < 512 - in ? n : 512 - in;
		if (write) {
			memcpy((uint8_t *)b->data + in, buf, part);
			bdirty(b);
		} else {
			memcpy(buf, (uint8_t *)b->data + in, part);
		}
		brelse(b);
		off += part, n -= part;
		buf = (uint8_t *)buf + part;
	}
	return 0;
}

static inline int vt_read(void *ctx, uint64_t off, void *buf, size_t n)
{
	return vt_io(ctx, off, buf, n, false);
}

static inline int vt_write(void *ctx, uint64_t off, const void *buf, size_t n)
{
	return vt_io(ctx, off, (void *)(uintptr_t)buf, n, true);
}

static const struct fat_io vt_fat_io = { vt_read, vt_write };

/* A RAM disk of @mib MiB formatted FAT32 with @spc sectors per cluster. */
static inline void vt_make(struct vt_vol *v, unsigned mib, unsigned spc)
{
	static int seq;
	struct fat_format f = { .bytes = (uint64_t)mib << 20, .sec_per_clus = spc, .volume_id = 7 };

	memset(v, 0, sizeof(*v));
	EXPECT_EQ(ramdisk_create((uint64_t)mib << 20, &v->d), 0);
	EXPECT_EQ(fat_format(&vt_fat_io, v->d, &f), 0);
	EXPECT_EQ(blk_sync(v->d), 0);
	fmt_snprintf(v->dir, sizeof(v->dir), "/tmp/kt-vfat-%d",
	             __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED));
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, v->dir, 0755), 0);
}

/* Mount it (@flags SB_*, @opts the option string); returns mount's result. */
static inline int vt_mount(struct vt_vol *v, unsigned flags, const char *opts)
{
	struct path mp;
	int err;

	EXPECT_EQ(vfs_walk(AT_FDCWD, v->dir, LOOKUP_FOLLOW, &mp), 0);
	err = vfs_mount(v->d->name, &mp, "vfat", flags, opts);
	path_put(&mp);
	v->mounted = err == 0;
	return err;
}

static inline void vt_umount(struct vt_vol *v)
{
	struct path p;

	if (!v->mounted)
		return;
	EXPECT_EQ(vfs_walk(AT_FDCWD, v->dir, LOOKUP_FOLLOW, &p), 0);
	EXPECT_EQ(vfs_umount(&p, 0), 0);
	path_put(&p);
	v->mounted = false;
}

static inline void vt_destroy(struct vt_vol *v)
{
	vt_umount(v);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, v->dir), 0);
	ramdisk_destroy(v->d);
}

/* "@v->dir/@name" in @buf (256 bytes). */
static inline const char *vt_path(const struct vt_vol *v, const char *name, char *buf)
{
	fmt_snprintf(buf, 256, "%s/%s", v->dir, name);
	return buf;
}

/* Write @n bytes of @buf to the file @name (created or truncated). Returns bytes or -errno. */
static inline long vt_put(const struct vt_vol *v, const char *name, const void *buf, size_t n)
{
	char p[256];
	struct file *f =
		vfs_open(AT_FDCWD, vt_path(v, name, p), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int64_t off = 0;
	long r;

	if (IS_ERR_PTR(f))
		return PTR_ERR_VAL(f);
	r = kernel_write(f, buf, n, &off);
	file_put(f);
	return r;
}

/* Read up to @n bytes of the file @name. Returns bytes or -errno. */
static inline long vt_get(const struct vt_vol *v, const char *name, void *buf, size_t n)
{
	char p[256];
	struct file *f = vfs_open(AT_FDCWD, vt_path(v, name, p), O_RDONLY, 0);
	int64_t off = 0;
	long r;

	if (IS_ERR_PTR(f))
		return PTR_ERR_VAL(f);
	r = kernel_read(f, buf, n, &off);
	file_put(f);
	return r;
}

/* Deterministic bytes for file number @seed. */
static inline void vt_fill(uint8_t *b, size_t n, unsigned seed)
{
	uint32_t x = 2654435761u * (seed + 1);

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		b[i] = (uint8_t)x;
	}
}

/* The volume's dirty bit as lib/fat reads it from the device (after a sync). */
static inline bool vt_clean(struct vt_vol *v)
{
	struct fat_geom g;
	struct fat_vol fv;
	uint8_t sec[512];
	bool clean = false, errors = true;

	EXPECT_EQ(vt_read(v->d, 0, sec, 512), 0);
	EXPECT_EQ(fat_parse_bpb(sec, 512, &g, NULL), 0);
	fat_vol_init(&fv, &g, &vt_fat_io, v->d);
	EXPECT_EQ(fat_get_state(&fv, &clean, &errors), 0);
	return clean && !errors;
}

/* Truncate the file @name to @size bytes, as truncate(2) would. */
static inline int vt_truncate(const struct vt_vol *v, const char *name, int64_t size)
{
	char buf[256];
	struct path p;
	int err = vfs_walk(AT_FDCWD, vt_path(v, name, buf), LOOKUP_FOLLOW, &p);

	if (err)
		return err;
	err = vfs_truncate_inode(p.dentry->inode, size);
	path_put(&p);
	return err;
}

/* statfs of the mounted volume. */
static inline int vt_statfs(const struct vt_vol *v, struct kstatfs *st)
{
	struct path p;
	int err = vfs_walk(AT_FDCWD, v->dir, LOOKUP_FOLLOW, &p);

	if (err)
		return err;
	err = p.mnt->sb->ops->statfs(p.mnt->sb, st);
	path_put(&p);
	return err;
}

/* The inode of @name with a reference (inode_put it), or NULL. */
static inline struct inode *vt_inode(const struct vt_vol *v, const char *name)
{
	char buf[256];
	struct inode *ino;
	struct path p;

	if (vfs_walk(AT_FDCWD, vt_path(v, name, buf), 0, &p))
		return NULL;
	ino = p.dentry->inode;
	inode_get(ino);
	path_put(&p);
	return ino;
}
