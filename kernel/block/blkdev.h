/* SPDX-License-Identifier: MIT */
/*
 * Block devices (contract of issue 13; the block lane implements it in
 * kernel/block/): disks that drivers (virtio-blk, NVMe, the RAM disk)
 * register, their partitions (GPT, MBR) as devices of their own, a request
 * queue that merges adjacent requests, /dev/NAME nodes (S_IFBLK), and the
 * buffer cache through which file systems read and write their metadata.
 *
 * Sizes: a sector is always 512 bytes here (Linux's convention); a device
 * also has a logical block size (512 or 4096) that every request's start
 * and length are multiples of.
 *
 * Locks: [I] fixed once registered; [a] atomic; [Q] the device queue's lock.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SECTOR_SHIFT 9
#define SECTOR_SIZE  512u

struct bio;
struct block_device;

/* What a request does. */
enum bio_op {
	BIO_READ,
	BIO_WRITE,
	BIO_FLUSH,   /* make every completed write durable (no data) */
	BIO_DISCARD, /* the range's contents may be forgotten (no data) */
};
#define BIO_FUA 0x1u /* BIO_WRITE: durable when it completes */

/* One piece of a request's memory: physical (DMA) addresses, never crossing a page. */
struct bio_vec {
	uint64_t pa;
	uint32_t len;
};

/*
 * A request. The submitter fills op, flags, sector, vec/nvec (bytes: the
 * sum of the lengths; for DISCARD the byte count is in `bytes`) and end;
 * the layer completes it exactly once by calling end(bio) with status 0
 * or -EIO (-EOPNOTSUPP, -EINVAL, -ENOSPC), from any context, interrupt
 * context included.
 */
struct bio {
	struct block_device *bdev;
	enum bio_op op;
	unsigned flags;
	uint64_t sector; /* in 512-byte sectors, relative to bdev (a partition's own start) */
	uint64_t bytes;  /* total length in bytes */
	struct bio_vec *vec;
	unsigned nvec;
	int status;
	void (*end)(struct bio *b);
	void *priv;       /* the submitter's */
	struct bio *next; /* the layer's and the driver's while in flight */
};

/* What a driver provides. */
struct blk_ops {
	/*
	 * Start @b on the hardware (the layer has checked its range against
	 * the device, merged neighbours and translated a partition's sector
	 * to the disk's). Complete it later with blk_complete(). Return 0,
	 * or -EBUSY when the hardware queue is full (the layer keeps @b and
	 * retries after a completion). Called with no lock held, any CPU.
	 */
	int (*submit)(struct block_device *d, struct bio *b);
	/*
	 * Optional: the last reference to @d went after blk_unregister(), so
	 * the driver may free it. NULL: the driver keeps @d forever.
	 */
	void (*release)(struct block_device *d);
	/*
	 * Optional: an ioctl of the device file the layer does not know
	 * (a loop device's LOOP_*). Returns what ioctl(2) returns; -ENOTTY.
	 */
	long (*ioctl)(struct block_device *d, unsigned cmd, uintptr_t arg);
	/* Optional: the last open file and mount of @d went (a loop device's autoclear). */
	void (*idle)(struct block_device *d);
};

#define BLK_RO      0x1u /* read-only (the medium, or a mount's choice) */
#define BLK_FLUSH   0x2u /* has a volatile cache: BIO_FLUSH does something */
#define BLK_DISCARD 0x4u /* supports BIO_DISCARD */
#define BLK_REMOVED 0x8u /* the driver went: every request fails with -EIO */

struct block_device {
	char name[32];              /* [I] "vda", "nvme0n1", "vda1", "ram0" */
	uint32_t dev;               /* [I] device number (DEV_ENCODE); the layer assigns it */
	uint32_t lbsize;            /* [I] logical block size, 512 or 4096 */
	uint64_t nr_sectors;        /* [I] size in 512-byte sectors */
	uint32_t max_bytes;         /* [I] the most one request may carry (0: no limit) */
	uint32_t max_vecs;          /* [I] the most bio_vecs per request (0: no limit) */
	unsigned flags;             /* [a] BLK_* */
	const struct blk_ops *ops;  /* [I] NULL for a partition (its disk's serve it) */
	void *priv;                 /* [I] the driver's */
	struct block_device *whole; /* [I] the disk of a partition, itself for a disk */
	uint64_t start_sector;      /* [I] a partition's first sector on its disk */
	unsigned partno;            /* [I] 0 for the disk */
	int refs;                   /* [a] mounts, open files, the registry */
	void *layer;                /* the block layer's own (queue, statistics, buffers) */
};

/*
 * Register disk @d (the driver filled name, lbsize, nr_sectors, limits,
 * flags, ops, priv): give it a number, add /dev/NAME, read its partition
 * table and register each partition ("vda1", "nvme0n1p1"). Task context.
 */
int __must_check blk_register(struct block_device *d);
/* The driver is going: fail what is queued, mark removed, drop the registry's refs. */
void blk_unregister(struct block_device *d);

/* Queue @b (see struct bio). Returns 0 or -errno (then end() is not called). */
int __must_check blk_submit(struct bio *b);
/* The driver finished @b with @status: the layer calls b->end. Any context. */
void blk_complete(struct bio *b, int status);

/*
 * Read or write @len bytes at byte offset @off of @d into/from kernel
 * memory @buf (direct-mapped: heap or phys_to_virt), waiting for the end.
 * @off and @len multiples of the logical block size. Returns 0 or -errno.
 * Task context; sleeps.
 */
int __must_check blk_rw(struct block_device *d, enum bio_op op, uint64_t off, void *buf,
                        size_t len);
/* Send a BIO_FLUSH and wait (0 when the device has no volatile cache). */
int __must_check blk_flush(struct block_device *d);

/*
 * The registered device called @name ("vda1") or whose node is the path
 * @name ("/dev/vda1"), with a reference; NULL when none.
 */
struct block_device *blk_lookup(const char *name);
struct block_device *blk_lookup_dev(uint32_t dev);
void blk_get(struct block_device *d);
void blk_put(struct block_device *d);
/* Visit every registered device (the registry locked: @fn must not sleep). */
void blk_for_each(void (*fn)(struct block_device *d, void *ctx), void *ctx);

/* ---- the buffer cache: file-system metadata in block-sized buffers ---- */

/*
 * One cached block of @size bytes (the file system's block size, a
 * multiple of lbsize, at most 4096... or 64 KiB) at block number @blockno
 * (in units of @size). Held buffers stay cached; released ones may be
 * evicted when clean (written back first when dirty).
 */
struct bbuf {
	struct block_device *bdev; /* [I] */
	uint64_t blockno;          /* [I] */
	uint32_t size;             /* [I] */
	void *data;                /* [I] the bytes (direct-mapped) */
	void *layer;               /* the cache's own */
};

/*
 * The block, read from the device unless cached. Returns 0 and a held
 * buffer in *@out, or -EIO/-ENOMEM/-EINVAL (past the end). Sleeps.
 */
int __must_check bread(struct block_device *d, uint64_t blockno, uint32_t size, struct bbuf **out);
/*
 * The block if it is cached with its bytes (dirty or not), held; never
 * reads or sleeps. 0 or -ENOENT. For readers that go around the cache
 * (readahead) and must see the newest bytes of the blocks it has.
 */
int __must_check bpeek(struct block_device *d, uint64_t blockno, uint32_t size, struct bbuf **out);
/* As bread() but without reading: the caller overwrites the whole block (zeroed if new). */
int __must_check bget(struct block_device *d, uint64_t blockno, uint32_t size, struct bbuf **out);
/* The buffer's bytes changed: write them back later (blk_sync, writeback, eviction). */
void bdirty(struct bbuf *b);
/* Write the buffer now and wait. 0 or -EIO. */
int __must_check bwrite(struct bbuf *b);
/* Release a held buffer. */
void brelse(struct bbuf *b);
/* Write back every dirty buffer of @d (the whole disk for a partition), then flush. */
int __must_check blk_sync(struct block_device *d);
/* Drop up to @n clean, unheld buffers (memory pressure). Returns bytes freed. */
size_t bcache_shrink(size_t n);

/* ---- additions of the block lane (kernel/block/) ---- */

/*
 * Submit @b and sleep until it completes (b->end and b->priv are the
 * layer's). Returns 0 or -errno: a refusal, or the bio's status. Task context.
 */
int __must_check blk_submit_wait(struct bio *b);

/*
 * Submit a chain of bios (linked by next) of one disk (or its partitions)
 * at once, so neighbours among them merge. Each bio's end is called once,
 * also for one refused (with its error; the first error is returned).
 */
int blk_submit_list(struct bio *list);

/* The physical address of kernel memory @p (direct map or heap) for a bio_vec; 0: not mapped. */
uint64_t blk_kva_to_pa(const void *p);

/* What a device has done since it was registered (tests, /proc/diskstats). */
struct blk_stats {
	uint64_t ios[2];     /* [a] requests submitted to it: reads, writes */
	uint64_t sectors[2]; /* [a] sectors of them */
	uint64_t merges;     /* [a] requests merged into a neighbour before the driver saw them */
	uint64_t splits;     /* [a] requests cut because they exceeded the device's limits */
	uint64_t driver_ios; /* [a] requests handed to the driver (after merging and cutting) */
	uint64_t busy;       /* [a] times the driver answered -EBUSY */
	uint64_t errors;     /* [a] requests completed with an error */
};
void blk_get_stats(const struct block_device *d, struct blk_stats *out);

/* The buffer cache's figures (tests, /proc/meminfo's Buffers). */
struct bcache_stats {
	uint64_t bytes; /* cached */
	uint64_t limit; /* what it may hold before it evicts */
	uint64_t dirty; /* dirty buffers */
};
void bcache_get_stats(struct bcache_stats *out);

/*
 * Claim @d for one exclusive user (a mounted file system, an O_EXCL open):
 * -EBUSY when it, its disk or one of its partitions is claimed already.
 */
int __must_check blk_claim(struct block_device *d);
void blk_unclaim(struct block_device *d);

/*
 * For a file system's mount: the device @source names ("/dev/vda1" or
 * "vda1"), claimed and with a reference, in *@out; writable unless
 * SB_RDONLY is in @sb_flags (-EROFS for a read-only device then).
 * -ENOTBLK (a path that is no block device), -ENXIO (no such device),
 * -EBUSY (claimed). The VFS releases it (sb_put_bdev) when the
 * super_block goes, after syncing it; the fs stores it in sb->bdev.
 */
int __must_check sb_get_bdev(const char *source, unsigned sb_flags, struct block_device **out);
void sb_put_bdev(struct block_device *d);

/*
 * A RAM disk of @bytes (a multiple of 4096) named "ramN" (the first free
 * N), registered, with a reference for the caller in *@out. Task context.
 */
int __must_check ramdisk_create(uint64_t bytes, struct block_device **out);
/* Unregister a RAM disk ramdisk_create() made and drop the caller's reference. */
void ramdisk_destroy(struct block_device *d);
/* The drivers table's entry: a RAM disk of `ramdisk_size=` KiB when it is given. */
int ramdisk_init(void);
/* The drivers table's entry: loop0..loop7 and /dev/loop-control. */
int loop_init(void);

/* What open() of a block device node gives (fs/open.c dispatches S_IFBLK inodes here). */
struct file_ops;
extern const struct file_ops blkdev_fops;

/* Boot, after the drivers probed: `root=` mounting (docs/block.md). */
void block_boot(void);
