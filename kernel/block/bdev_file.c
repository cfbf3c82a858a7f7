// SPDX-License-Identifier: MIT
/*
 * Block device files: open("/dev/vda") gives a file whose bytes are the
 * device's, read and written through the buffer cache in blocks of the
 * device's block size (BLKBSZGET, 4 KiB when the size allows), with
 * lseek's SEEK_END at the device's size, fsync writing back and flushing,
 * O_EXCL claiming the device as a mount does, and Linux's block ioctls
 * (numbers from Linux's uapi <linux/fs.h>).
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include <lib/string.h>

#include "block/blkdev.h"
#include "block/internal.h"
#include "core/log.h"
#include "fs/file.h"
#include "mm/heap.h"
#include "mm/uaccess.h"
#include "proc/proc.h"

/* Linux's block ioctls: _IO(0x12, n), or _IOR/_IOW with a size_t for the 64-bit ones. */
#define BLKROSET     0x125d
#define BLKROGET     0x125e
#define BLKRRPART    0x125f
#define BLKGETSIZE   0x1260
#define BLKFLSBUF    0x1261
#define BLKSSZGET    0x1268
#define BLKBSZGET    0x80081270
#define BLKBSZSET    0x40081271
#define BLKGETSIZE64 0x80081272
#define BLKDISCARD   0x1277
#define BLKPBSZGET   0x127b

/* An open block device: which, and whether this open claimed it (O_EXCL). */
struct bdev_open {
	struct block_device *d;
	bool claimed;
};

static struct block_device *bdev_of(const struct file *f)
{
	return ((const struct bdev_open *)f->priv)->d;
}

static uint64_t bdev_size(const struct block_device *d)
{
	return __atomic_load_n(&d->nr_sectors, __ATOMIC_RELAXED) << SECTOR_SHIFT;
}

static int bdev_open(struct inode *ino, struct file *f)
{
	struct bdev_open *o = kcalloc(1, sizeof(*o));
	int err = -ENXIO;

	if (!o)
		return -ENOMEM;
	o->d = blk_lookup_dev(ino->rdev);
	if (!o->d)
		goto out_free;
	err = -EROFS;
	if ((f->fmode & FMODE_WRITE) && (__atomic_load_n(&o->d->flags, __ATOMIC_RELAXED) & BLK_RO))
		goto out_put;
	if (f->flags & O_EXCL) {
		err = blk_claim(o->d);
		if (err)
			goto out_put;
		o->claimed = true;
	}
	f->priv = o;
	__atomic_fetch_add(&blk_layer(o->d)->opens, 1, __ATOMIC_RELAXED);
	return 0;
out_put:
	blk_put(o->d);
out_free:
	kfree(o);
	return err;
}

static void bdev_release(struct file *f)
{
	struct bdev_open *o = f->priv;

	/* The last close of a writer writes back, as Linux's blkdev_put does. */
	if ((f->fmode & FMODE_WRITE) && blk_sync(o->d))
		pr_warn("block: %s: write-back at close failed", o->d->name);
	if (o->claimed)
		blk_unclaim_quiet(o->d);
	__atomic_fetch_sub(&blk_layer(o->d)->opens, 1, __ATOMIC_RELAXED);
	blk_check_idle(o->d);
	blk_put(o->d);
	kfree(o);
}

/* Move @n bytes between block @blk (at @in bytes) and @u; @write: into the device. */
static long bdev_xfer_block(struct block_device *d, uint64_t blk, uint32_t bs, uint32_t in,
                            size_t n, struct uio *u, bool write)
{
	struct bbuf *b;
	size_t got;
	int err;

	/* A whole block overwritten needs no read first. */
	if (write && in == 0 && n == bs)
		err = bget(d, blk, bs, &b);
	else
		err = bread(d, blk, bs, &b);
	if (err)
		return err;
	if (write) {
		got = uio_copy_in(u, (char *)b->data + in, n);
		if (got)
			bdirty(b);
	} else {
		got = uio_copy_out(u, (char *)b->data + in, n);
	}
	brelse(b);
	return (long)got;
}

static long bdev_rw(struct file *f, struct uio *u, int64_t *pos, bool write)
{
	struct block_device *d = bdev_of(f);
	uint32_t bs = __atomic_load_n(&blk_layer(d)->bsize, __ATOMIC_RELAXED);
	uint64_t size = bdev_size(d), p = (uint64_t)*pos;
	long done = 0, got;

	if (*pos < 0)
		return -EINVAL;
	if (f->flags & O_DIRECT)
		return bdev_direct_rw(d, u, pos, write);
	while (u->resid && p < size) {
		uint32_t in = (uint32_t)(p % bs);
		size_t n = bs - in;

		n = n < u->resid ? n : u->resid;
		n = n < size - p ? n : (size_t)(size - p);
		got = bdev_xfer_block(d, p / bs, bs, in, n, u, write);
		if (got <= 0) {
			if (!done)
				done = got ? got : (uio_faulted(u) ? -EFAULT : 0);
			break;
		}
		done += got;
		p += (uint64_t)got;
		if ((size_t)got < n)
			break;
	}
	/* Writing at the end of the device: no room (Linux's answer). */
	if (write && !done && u->resid && p >= size)
		done = -ENOSPC;
	if (done > 0)
		*pos = (int64_t)p;
	return done;
}

static long bdev_read(struct file *f, struct uio *u, int64_t *pos)
{
	return bdev_rw(f, u, pos, false);
}

static long bdev_write(struct file *f, struct uio *u, int64_t *pos)
{
	return bdev_rw(f, u, pos, true);
}

static int64_t bdev_llseek(struct file *f, int64_t off, int whence)
{
	int64_t base;

	switch (whence) {
	case 0: /* SEEK_SET */
		base = 0;
		break;
	case 1: /* SEEK_CUR */
		base = f->pos;
		break;
	case 2: /* SEEK_END */
		base = (int64_t)bdev_size(bdev_of(f));
		break;
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	return base + off;
}

static int bdev_fsync(struct file *f, bool datasync)
{
	(void)datasync;
	return blk_sync(bdev_of(f));
}

static long put_u64(uintptr_t arg, uint64_t v)
{
	return copy_to_user((void *)arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static long put_int(uintptr_t arg, int v)
{
	return copy_to_user((void *)arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static bool bdev_admin(void)
{
	return current_cred().euid == 0;
}

/* BLKDISCARD: {start, length} in bytes, both multiples of the logical block size. */
static long bdev_discard(struct file *f, uintptr_t arg)
{
	struct block_device *d = bdev_of(f);
	uint64_t range[2];
	struct bio b = { .bdev = d, .op = BIO_DISCARD };
	int err;

	if (!(f->fmode & FMODE_WRITE))
		return -EBADF;
	if (copy_from_user(range, (const void *)arg, sizeof(range)))
		return -EFAULT;
	if (range[0] % d->lbsize || range[1] % d->lbsize || range[0] > bdev_size(d) ||
	    range[1] > bdev_size(d) - range[0])
		return -EINVAL;
	/* Dirty buffers must not land on the range after it was discarded. */
	err = bcache_invalidate(d);
	if (err)
		return err;
	b.sector = range[0] >> SECTOR_SHIFT;
	b.bytes = range[1];
	return range[1] ? blk_submit_wait(&b) : 0;
}

/* BLKBSZSET: the block size of this device file's cached I/O. */
static long bdev_set_bsize(struct block_device *d, uintptr_t arg)
{
	int v;

	if (copy_from_user(&v, (const void *)arg, sizeof(v)))
		return -EFAULT;
	if (v < (int)d->lbsize || v > 4096 || (v & (v - 1)) || (bdev_size(d) % (uint64_t)v) != 0)
		return -EINVAL;
	__atomic_store_n(&blk_layer(d)->bsize, (uint32_t)v, __ATOMIC_RELAXED);
	return bcache_invalidate(d);
}

static long bdev_ioctl(struct file *f, unsigned cmd, uintptr_t arg)
{
	struct block_device *d = bdev_of(f);

	switch (cmd) {
	case BLKGETSIZE64:
		return put_u64(arg, bdev_size(d));
	case BLKGETSIZE:
		return put_u64(arg, bdev_size(d) >> SECTOR_SHIFT);
	case BLKSSZGET:
		return put_int(arg, (int)d->lbsize);
	case BLKPBSZGET:
		return put_int(arg, (int)d->lbsize);
	case BLKBSZGET:
		return put_int(arg, (int)__atomic_load_n(&blk_layer(d)->bsize, __ATOMIC_RELAXED));
	case BLKBSZSET:
		return bdev_set_bsize(d, arg);
	case BLKROGET:
		return put_int(arg, !!(__atomic_load_n(&d->flags, __ATOMIC_RELAXED) & BLK_RO));
	case BLKFLSBUF:
		return bdev_admin() ? bcache_invalidate(d) : -EACCES;
	case BLKRRPART:
		if (!bdev_admin())
			return -EACCES;
		return d->whole != d ? -EINVAL : blk_rescan_partitions(d);
	case BLKDISCARD:
		return bdev_discard(f, arg);
	default:
		return d->ops && d->ops->ioctl ? d->ops->ioctl(d, cmd, arg) : -ENOTTY;
	}
}

const struct file_ops blkdev_fops = {
	.open = bdev_open,
	.release = bdev_release,
	.read = bdev_read,
	.write = bdev_write,
	.llseek = bdev_llseek,
	.ioctl = bdev_ioctl,
	.fsync = bdev_fsync,
};
