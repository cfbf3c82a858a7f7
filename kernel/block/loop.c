// SPDX-License-Identifier: MIT
/*
 * Loop devices loop0..loop7 (major 7): a block device over a file, set up
 * with Linux's ioctls (uapi <linux/loop.h>: LOOP_SET_FD, LOOP_CLR_FD,
 * LOOP_SET_STATUS64, LOOP_GET_STATUS64, LOOP_CONFIGURE, and
 * LOOP_CTL_GET_FREE on /dev/loop-control), so busybox's losetup and
 * `mount -o loop` work unchanged. Requests are served in the submitter's
 * task by reading and writing the file. An unbound device has size 0;
 * with LO_FLAGS_AUTOCLEAR it unbinds when its last user (open file or
 * mount) goes.
 *
 * Locks: [L] the device's mutex (binding); the file pointer is read
 * under the spinlock [S] with a reference taken, so a request never sees
 * a file being closed.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include <lib/format.h>
#include <lib/string.h>

#include "block/blkdev.h"
#include "block/internal.h"
#include "core/kmain.h"
#include "core/log.h"
#include "fs/devfs/devfs.h"
#include "fs/file.h"
#include "mm/heap.h"
#include "mm/uaccess.h"
#include "sched/spinlock.h"
#include "sched/sync.h"

#define LOOP_COUNT 8

#define LOOP_SET_FD        0x4c00
#define LOOP_CLR_FD        0x4c01
#define LOOP_SET_STATUS64  0x4c04
#define LOOP_GET_STATUS64  0x4c05
#define LOOP_SET_CAPACITY  0x4c07
#define LOOP_CONFIGURE     0x4c0a
#define LOOP_CTL_GET_FREE  0x4c82
#define LO_FLAGS_READ_ONLY 1u
#define LO_FLAGS_AUTOCLEAR 4u
#define LO_NAME_SIZE       64

/* Linux's struct loop_info64 (232 bytes). */
struct loop_info64 {
	uint64_t lo_device, lo_inode, lo_rdevice, lo_offset, lo_sizelimit;
	uint32_t lo_number, lo_encrypt_type, lo_encrypt_key_size, lo_flags;
	uint8_t lo_file_name[LO_NAME_SIZE];
	uint8_t lo_crypt_name[LO_NAME_SIZE];
	uint8_t lo_encrypt_key[32];
	uint64_t lo_init[2];
};
_Static_assert(sizeof(struct loop_info64) == 232, "Linux's layout");

/* Linux's struct loop_config (LOOP_CONFIGURE). */
struct loop_config {
	uint32_t fd, block_size;
	struct loop_info64 info;
	uint64_t reserved[8];
};
_Static_assert(sizeof(struct loop_config) == 304, "Linux's layout");

struct loop {
	struct block_device bdev;
	struct mutex lock;
	struct spinlock flock;
	struct file *file;       /* [L] writes, [S] reads: the backing file, NULL: unbound */
	struct loop_info64 info; /* [L] */
	unsigned number;         /* [I] */
};

static struct loop loops[LOOP_COUNT];

static struct loop *loop_of(struct block_device *d)
{
	return (struct loop *)d;
}

/* The backing file with a reference, or NULL when unbound. */
static struct file *loop_file(struct loop *lo)
{
	struct file *f;

	spin_lock(&lo->flock);
	f = lo->file;
	if (f)
		file_get(f);
	spin_unlock(&lo->flock);
	return f;
}

/* One piece: file bytes at @pos to or from the frame piece @v. */
static int loop_piece(struct file *f, enum bio_op op, int64_t pos, const struct bio_vec *v)
{
	char *mem = phys_to_virt(v->pa);
	long n;

	if (op == BIO_WRITE) {
		n = kernel_write(f, mem, v->len, &pos);
		return n == (long)v->len ? 0 : (n < 0 ? (int)n : -EIO);
	}
	n = kernel_read(f, mem, v->len, &pos);
	if (n < 0)
		return (int)n;
	/* Past the file's end (a size not a multiple of 512): zeros. */
	memset(mem + n, 0, v->len - (size_t)n);
	return 0;
}

static int loop_submit(struct block_device *d, struct bio *b)
{
	struct loop *lo = loop_of(d);
	struct file *f = loop_file(lo);
	int64_t pos = (int64_t)(lo->info.lo_offset + (b->sector << SECTOR_SHIFT));
	int err = 0;

	if (!f) {
		blk_complete(b, -EIO);
		return 0;
	}
	if (b->op == BIO_READ || b->op == BIO_WRITE) {
		for (unsigned i = 0; i < b->nvec && !err; i++) {
			err = loop_piece(f, b->op, pos, &b->vec[i]);
			pos += b->vec[i].len;
		}
	} else if (b->op == BIO_FLUSH && f->ops && f->ops->fsync) {
		err = f->ops->fsync(f, false);
	}
	file_put(f);
	blk_complete(b, err);
	return 0;
}

/* The device's size from the file's: (size - offset) capped at sizelimit, whole sectors. */
static uint64_t loop_sectors(const struct loop *lo, const struct file *f)
{
	uint64_t size = (uint64_t)(f->inode->size > 0 ? f->inode->size : 0);

	size = size > lo->info.lo_offset ? size - lo->info.lo_offset : 0;
	if (lo->info.lo_sizelimit && size > lo->info.lo_sizelimit)
		size = lo->info.lo_sizelimit;
	return size >> SECTOR_SHIFT;
}

/* Take @info's offset, limit, flags and name (the rest is the kernel's). */
static void loop_take_info_locked(struct loop *lo, const struct loop_info64 *info)
	__must_hold(&lo->lock)
{
	lo->info.lo_offset = info->lo_offset;
	lo->info.lo_sizelimit = info->lo_sizelimit;
	lo->info.lo_flags =
		(lo->info.lo_flags & LO_FLAGS_READ_ONLY) | (info->lo_flags & LO_FLAGS_AUTOCLEAR);
	memcpy(lo->info.lo_file_name, info->lo_file_name, LO_NAME_SIZE);
	lo->info.lo_file_name[LO_NAME_SIZE - 1] = 0;
}

static void loop_resize_locked(struct loop *lo, struct file *f) __must_hold(&lo->lock)
{
	__atomic_store_n(&lo->bdev.nr_sectors, loop_sectors(lo, f), __ATOMIC_RELAXED);
}

/* LOOP_SET_FD / LOOP_CONFIGURE: bind the file of descriptor @fd. */
static int loop_bind(struct loop *lo, int fd, const struct loop_info64 *info)
{
	struct file *f = fd_get(fd);
	int err = 0;

	if (!f)
		return -EBADF;
	if (!S_ISREG(f->inode->mode) && !S_ISBLK(f->inode->mode)) {
		file_put(f);
		return -EINVAL;
	}
	mutex_lock(&lo->lock);
	if (lo->file) {
		err = -EBUSY;
		goto out_unlock;
	}
	memset(&lo->info, 0, sizeof(lo->info));
	lo->info.lo_number = lo->number;
	lo->info.lo_device = f->inode->sb->dev;
	lo->info.lo_inode = f->inode->ino;
	if (!(f->fmode & FMODE_WRITE))
		lo->info.lo_flags = LO_FLAGS_READ_ONLY;
	if (info)
		loop_take_info_locked(lo, info);
	__atomic_fetch_and(&lo->bdev.flags, ~(BLK_RO | BLK_REMOVED), __ATOMIC_RELAXED);
	if (lo->info.lo_flags & LO_FLAGS_READ_ONLY)
		__atomic_fetch_or(&lo->bdev.flags, BLK_RO, __ATOMIC_RELAXED);
	spin_lock(&lo->flock);
	lo->file = f;
	spin_unlock(&lo->flock);
	loop_resize_locked(lo, f);
	f = NULL;
out_unlock:
	mutex_unlock(&lo->lock);
	if (f)
		file_put(f);
	return err;
}

/* LOOP_CLR_FD (and autoclear): unbind. -ENXIO when unbound, -EBUSY while mounted. */
static int loop_unbind(struct loop *lo)
{
	struct file *f;
	int err;

	mutex_lock(&lo->lock);
	if (!lo->file) {
		mutex_unlock(&lo->lock);
		return -ENXIO;
	}
	err = blk_claim(&lo->bdev);
	if (err) {
		mutex_unlock(&lo->lock);
		return err;
	}
	/* What was written through the device reaches the file before it goes. */
	if (blk_sync(&lo->bdev))
		pr_warn("block: %s: write-back before detaching failed", lo->bdev.name);
	bcache_forget(&lo->bdev);
	__atomic_store_n(&lo->bdev.nr_sectors, 0, __ATOMIC_RELAXED);
	spin_lock(&lo->flock);
	f = lo->file;
	lo->file = NULL;
	spin_unlock(&lo->flock);
	memset(&lo->info, 0, sizeof(lo->info));
	blk_unclaim_quiet(&lo->bdev);
	mutex_unlock(&lo->lock);
	file_put(f);
	return 0;
}

static int loop_get_status(struct loop *lo, uintptr_t arg)
{
	struct loop_info64 info;

	mutex_lock(&lo->lock);
	info = lo->info;
	mutex_unlock(&lo->lock);
	if (!lo->file)
		return -ENXIO;
	return copy_to_user((void *)arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static int loop_set_status(struct loop *lo, uintptr_t arg)
{
	struct loop_info64 info;
	struct file *f;

	if (copy_from_user(&info, (const void *)arg, sizeof(info)))
		return -EFAULT;
	mutex_lock(&lo->lock);
	f = lo->file;
	if (f) {
		/* Cached blocks were read at the old offset. */
		bcache_forget(&lo->bdev);
		loop_take_info_locked(lo, &info);
		loop_resize_locked(lo, f);
	}
	mutex_unlock(&lo->lock);
	return f ? 0 : -ENXIO;
}

static int loop_configure(struct loop *lo, uintptr_t arg)
{
	struct loop_config c;

	if (copy_from_user(&c, (const void *)arg, sizeof(c)))
		return -EFAULT;
	if (c.block_size && c.block_size != 512)
		return -EINVAL;
	return loop_bind(lo, (int)c.fd, &c.info);
}

static long loop_ioctl(struct block_device *d, unsigned cmd, uintptr_t arg)
{
	struct loop *lo = loop_of(d);

	switch (cmd) {
	case LOOP_SET_FD:
		return loop_bind(lo, (int)arg, NULL);
	case LOOP_CONFIGURE:
		return loop_configure(lo, arg);
	case LOOP_CLR_FD:
		return loop_unbind(lo);
	case LOOP_GET_STATUS64:
		return loop_get_status(lo, arg);
	case LOOP_SET_STATUS64:
		return loop_set_status(lo, arg);
	case LOOP_SET_CAPACITY: {
		struct file *f;

		mutex_lock(&lo->lock);
		f = lo->file;
		if (f)
			loop_resize_locked(lo, f);
		mutex_unlock(&lo->lock);
		return f ? 0 : -ENXIO;
	}
	default:
		return -EINVAL; /* Linux's lo_ioctl answers so, not ENOTTY */
	}
}

/* The last open file and mount went: an autoclear device unbinds. */
static void loop_idle(struct block_device *d)
{
	struct loop *lo = loop_of(d);
	bool clear;

	mutex_lock(&lo->lock);
	clear = lo->file && (lo->info.lo_flags & LO_FLAGS_AUTOCLEAR);
	mutex_unlock(&lo->lock);
	if (clear && loop_unbind(lo) == 0)
		pr_info("block: %s: detached (autoclear)", d->name);
}

static const struct blk_ops loop_ops = {
	.submit = loop_submit,
	.ioctl = loop_ioctl,
	.idle = loop_idle,
};

/* ---- /dev/loop-control (misc 10:237) ---- */

static long loopctl_ioctl(struct file *f, unsigned cmd, uintptr_t arg)
{
	(void)f;
	(void)arg;
	if (cmd != LOOP_CTL_GET_FREE)
		return -ENOTTY;
	for (unsigned i = 0; i < LOOP_COUNT; i++)
		if (!__atomic_load_n(&loops[i].file, __ATOMIC_RELAXED))
			return i;
	return -ENOSPC;
}

static const struct file_ops loopctl_fops = {
	.ioctl = loopctl_ioctl,
};

int loop_init(void)
{
	int err;

	for (unsigned i = 0; i < LOOP_COUNT; i++) {
		struct loop *lo = &loops[i];

		mutex_init(&lo->lock, "loop");
		spin_init(&lo->flock, "loop-file");
		lo->number = i;
		fmt_snprintf(lo->bdev.name, sizeof(lo->bdev.name), "loop%u", i);
		lo->bdev.lbsize = 512;
		lo->bdev.ops = &loop_ops;
		err = blk_register(&lo->bdev);
		if (err)
			return err;
	}
	err = chrdev_register(10, 237, 1, &loopctl_fops);
	if (!err)
		err = devfs_add_node("loop-control", S_IFCHR | 0660, DEV_ENCODE(10, 237));
	if (err)
		pr_warn("block: no /dev/loop-control: error %d", err);
	return 0;
}
