/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of the block layer (kernel/block/) on RAM disks and on a
 * test disk of this file whose driver completes requests from a timer
 * interrupt, takes at most two at a time (-EBUSY past that) and small
 * requests only: round trips, range checks, merging and cutting seen in
 * the counters, retries after -EBUSY, concurrent users on several CPUs,
 * and the buffer cache (one read for concurrent readers, write-back,
 * eviction, invalidation).
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include <arch/page.h>
#include <lib/format.h>
#include <lib/part/part.h>
#include <lib/string.h>

#include "block/blkdev.h"
#include "core/kmain.h"
#include "core/ktest.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "sched/spinlock.h"
#include "sched/task.h"
#include "time/time.h"

static void fill(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(i * 31 + seed + (i >> 9));
}

static struct block_device *make_ram(uint64_t bytes)
{
	struct block_device *d;

	EXPECT_EQ(ramdisk_create(bytes, &d), 0);
	return d;
}

TEST(block, ramdisk_round_trip)
{
	struct block_device *d = make_ram(1 << 20);
	uint8_t *w = kmalloc(3 * 4096), *r = kmalloc(3 * 4096);

	fill(w, 3 * 4096, 7);
	/* An unaligned heap buffer of three pages spans four physical pieces. */
	EXPECT_EQ(blk_rw(d, BIO_WRITE, 512 * 5, w + 0, 3 * 4096 - 512), 0);
	memset(r, 0, 3 * 4096);
	EXPECT_EQ(blk_rw(d, BIO_READ, 512 * 5, r, 3 * 4096 - 512), 0);
	EXPECT_EQ(memcmp(r, w, 3 * 4096 - 512), 0);
	/* Never written: zeros. */
	EXPECT_EQ(blk_rw(d, BIO_READ, 1 << 19, r, 4096), 0);
	for (int i = 0; i < 4096; i++)
		EXPECT_EQ(r[i], 0);
	/* The last block reads; one past it does not; nor does an unaligned offset. */
	EXPECT_EQ(blk_rw(d, BIO_READ, (1 << 20) - 512, r, 512), 0);
	EXPECT_EQ(blk_rw(d, BIO_READ, (1 << 20) - 512, r, 1024), -EINVAL);
	EXPECT_EQ(blk_rw(d, BIO_READ, 1 << 20, r, 512), -EINVAL);
	EXPECT_EQ(blk_rw(d, BIO_READ, 100, r, 512), -EINVAL);
	EXPECT_EQ(blk_rw(d, BIO_READ, 0, r, 100), -EINVAL);
	EXPECT_EQ(blk_rw(d, BIO_READ, UINT64_MAX - 511, r, 512), -EINVAL);
	EXPECT_EQ(blk_flush(d), 0);
	kfree(w);
	kfree(r);
	ramdisk_destroy(d);
}

TEST(block, registry_numbers_and_lookup)
{
	struct block_device *a = make_ram(64 << 10), *b = make_ram(64 << 10), *l;

	EXPECT_TRUE(strncmp(a->name, "ram", 3) == 0);
	EXPECT_TRUE(strcmp(a->name, b->name) != 0);
	/* brd's numbers: major 1, minor N of ramN. */
	EXPECT_EQ(a->dev, DEV_ENCODE(1, a->name[3] - '0'));
	l = blk_lookup(b->name);
	EXPECT_TRUE(l == b);
	blk_put(l);
	l = blk_lookup_dev(a->dev);
	EXPECT_TRUE(l == a);
	blk_put(l);
	EXPECT_TRUE(blk_lookup("nosuchdisk") == NULL);
	char name[32];

	memcpy(name, a->name, sizeof(name));
	ramdisk_destroy(b);
	ramdisk_destroy(a);
	EXPECT_TRUE(blk_lookup(name) == NULL);
}

/* ---- a test disk: completions from a timer interrupt, two in flight, small requests ---- */

#define TD_BYTES (1u << 20)
#define TD_DEPTH 2

struct tdisk {
	struct block_device bdev;
	struct spinlock lock;
	struct bio *pending[TD_DEPTH]; /* [lock] */
	unsigned npending;             /* [lock] */
	struct timer_event ev;
	uint8_t *mem;
	uint64_t delay_ns; /* from a request to its "interrupt" */
	uint64_t biggest;  /* [lock] the largest request seen */
	unsigned most_vecs;
};

static void td_do(struct tdisk *t, struct bio *b)
{
	uint64_t off = b->sector << SECTOR_SHIFT;

	for (unsigned i = 0; i < b->nvec; i++) {
		void *p = phys_to_virt(b->vec[i].pa);

		if (b->op == BIO_WRITE)
			memcpy(t->mem + off, p, b->vec[i].len);
		else if (b->op == BIO_READ)
			memcpy(p, t->mem + off, b->vec[i].len);
		off += b->vec[i].len;
	}
}

/* The "interrupt": finish everything pending. */
static void td_fire(struct timer_event *ev, void *ctx)
{
	struct tdisk *t = ctx;
	struct bio *done[TD_DEPTH];
	unsigned n;

	(void)ev;
	spin_lock(&t->lock);
	n = t->npending;
	memcpy(done, t->pending, sizeof(done));
	t->npending = 0;
	spin_unlock(&t->lock);
	for (unsigned i = 0; i < n; i++) {
		td_do(t, done[i]);
		blk_complete(done[i], 0);
	}
}

static int td_submit(struct block_device *d, struct bio *b)
{
	struct tdisk *t = (struct tdisk *)d;

	spin_lock(&t->lock);
	if (t->npending == TD_DEPTH) {
		spin_unlock(&t->lock);
		return -EBUSY;
	}
	if (b->bytes > t->biggest)
		t->biggest = b->bytes;
	if (b->nvec > t->most_vecs)
		t->most_vecs = b->nvec;
	t->pending[t->npending++] = b;
	/* -EBUSY: armed already, it will fire for this one too. */
	if (timer_event_arm(&t->ev, clock_monotonic_ns() + t->delay_ns) == -EINVAL)
		panic("tdisk: no timer callback");
	spin_unlock(&t->lock);
	return 0;
}

static void td_release(struct block_device *d)
{
	struct tdisk *t = (struct tdisk *)d;

	kfree(t->mem);
	kfree(t);
}

static const struct blk_ops td_ops = { .submit = td_submit, .release = td_release };

static struct tdisk *td_make(void)
{
	struct tdisk *t = kcalloc(1, sizeof(*t));

	t->mem = kcalloc(1, TD_BYTES);
	spin_init(&t->lock, "tdisk");
	timer_event_init(&t->ev, td_fire, t);
	t->delay_ns = 200 * NSEC_PER_USEC;
	static int seq;

	fmt_snprintf(t->bdev.name, sizeof(t->bdev.name), "tdisk%d", seq++);
	t->bdev.lbsize = 512;
	t->bdev.nr_sectors = TD_BYTES >> SECTOR_SHIFT;
	t->bdev.max_bytes = 8192;
	t->bdev.max_vecs = 4;
	t->bdev.ops = &td_ops;
	EXPECT_EQ(blk_register(&t->bdev), 0);
	return t;
}

static void td_destroy(struct tdisk *t)
{
	blk_unregister(&t->bdev);
}

TEST(block, big_requests_are_cut_busy_ones_retried)
{
	struct tdisk *t = td_make();
	uint8_t *w = kmalloc(64 << 10), *r = kmalloc(64 << 10);
	struct blk_stats st;

	fill(w, 64 << 10, 3);
	/* 64 KiB through a driver that takes 8 KiB, 4 pieces and 2 requests at a time. */
	EXPECT_EQ(blk_rw(&t->bdev, BIO_WRITE, 4096, w, 64 << 10), 0);
	EXPECT_EQ(blk_rw(&t->bdev, BIO_READ, 4096, r, 64 << 10), 0);
	EXPECT_EQ(memcmp(r, w, 64 << 10), 0);
	EXPECT_EQ(memcmp(t->mem + 4096, w, 64 << 10), 0);
	blk_get_stats(&t->bdev, &st);
	EXPECT_EQ(st.splits, 2);
	EXPECT_TRUE(st.driver_ios >= 16);
	EXPECT_TRUE(st.busy > 0);
	EXPECT_TRUE(t->biggest <= 8192);
	EXPECT_TRUE(t->most_vecs <= 4);
	EXPECT_EQ(st.errors, 0);
	kfree(w);
	kfree(r);
	td_destroy(t);
}

/* A chain of @n one-page bios of @d from @sector on, writing or reading @buf. */
static struct bio *chain(struct block_device *d, enum bio_op op, uint64_t sector, uint8_t *buf,
                         unsigned n, struct bio *bios, struct bio_vec *vecs,
                         void (*end)(struct bio *))
{
	for (unsigned i = 0; i < n; i++) {
		vecs[i] = (struct bio_vec){ blk_kva_to_pa(buf + i * 4096), 4096 };
		bios[i] = (struct bio){ .bdev = d,
			                .op = op,
			                .sector = sector + i * 8,
			                .bytes = 4096,
			                .vec = &vecs[i],
			                .nvec = 1,
			                .end = end };
		bios[i].next = i + 1 < n ? &bios[i + 1] : NULL;
	}
	return &bios[0];
}

static int chain_done;

static void chain_end(struct bio *b)
{
	EXPECT_EQ(b->status, 0);
	__atomic_fetch_add(&chain_done, 1, __ATOMIC_RELEASE);
}

static void chain_wait(int n)
{
	uint64_t until = clock_monotonic_ns() + 5000 * NSEC_PER_MSEC;

	while (__atomic_load_n(&chain_done, __ATOMIC_ACQUIRE) < n) {
		if (clock_monotonic_ns() > until)
			ktest_fail(__FILE__, __LINE__, "requests never completed");
		task_yield();
	}
}

TEST(block, neighbours_merge_within_limits)
{
	struct block_device *d = make_ram(1 << 20);
	struct tdisk *t = td_make();
	static struct bio bios[8];
	static struct bio_vec vecs[8];
	/* Page-aligned: each bio_vec of chain() is one page. */
	uint8_t *w = kmalloc_aligned(8 * 4096, 4096, 0), *r = kmalloc_aligned(8 * 4096, 4096, 0);
	struct blk_stats st;

	struct blk_stats st0;

	fill(w, 8 * 4096, 11);
	/* RAM disk, no limits: eight neighbours go to the driver as one request. */
	blk_get_stats(d, &st0); /* the partition scan read block 0 */
	chain_done = 0;
	EXPECT_EQ(blk_submit_list(chain(d, BIO_WRITE, 16, w, 8, bios, vecs, chain_end)), 0);
	chain_wait(8);
	blk_get_stats(d, &st);
	EXPECT_EQ(st.merges - st0.merges, 7);
	EXPECT_EQ(st.driver_ios - st0.driver_ios, 1);
	EXPECT_EQ(st.ios[1], 8);
	EXPECT_EQ(blk_rw(d, BIO_READ, 16 * 512, r, 8 * 4096), 0);
	EXPECT_EQ(memcmp(r, w, 8 * 4096), 0);
	/* The test disk takes 8 KiB: pairs merge, and no request is bigger. */
	blk_get_stats(&t->bdev, &st0);
	chain_done = 0;
	EXPECT_EQ(blk_submit_list(chain(&t->bdev, BIO_WRITE, 0, w, 8, bios, vecs, chain_end)), 0);
	chain_wait(8);
	blk_get_stats(&t->bdev, &st);
	EXPECT_EQ(st.merges - st0.merges, 4);
	EXPECT_EQ(st.driver_ios - st0.driver_ios, 4);
	EXPECT_TRUE(t->biggest <= 8192);
	EXPECT_EQ(memcmp(t->mem, w, 8 * 4096), 0);
	/* Reads do not merge with writes; a gap stops a merge. */
	chain_done = 0;
	chain(d, BIO_READ, 0, r, 4, bios, vecs, chain_end);
	bios[1].op = BIO_WRITE;
	bios[1].vec = &vecs[1];
	bios[3].sector += 8;
	blk_get_stats(d, &st);
	EXPECT_EQ(blk_submit_list(&bios[0]), 0);
	chain_wait(4);
	{
		struct blk_stats st2;

		blk_get_stats(d, &st2);
		EXPECT_EQ(st2.merges, st.merges);
		EXPECT_EQ(st2.driver_ios, st.driver_ios + 4);
	}
	kfree(w);
	kfree(r);
	td_destroy(t);
	ramdisk_destroy(d);
}

TEST(block, refused_requests)
{
	struct block_device *d = make_ram(64 << 10);
	uint8_t *buf = kmalloc(4096);
	struct bio_vec v = { blk_kva_to_pa(buf), 4096 };
	struct bio b = { .bdev = d,
		         .op = BIO_READ,
		         .sector = 0,
		         .bytes = 2048,
		         .vec = &v,
		         .nvec = 1,
		         .end = chain_end };

	EXPECT_EQ(blk_submit(&b), -EINVAL); /* bytes do not match the pieces */
	b.bytes = 4096;
	b.sector = 127;
	EXPECT_EQ(blk_submit(&b), -EINVAL); /* past the end */
	b.sector = 0;
	b.op = (enum bio_op)9;
	EXPECT_EQ(blk_submit(&b), -EINVAL);
	b.op = BIO_DISCARD;
	b.bytes = 64 << 10;
	chain_done = 0;
	EXPECT_EQ(blk_submit(&b), 0); /* a RAM disk discards */
	chain_wait(1);
	__atomic_fetch_or(&d->flags, BLK_RO, __ATOMIC_RELAXED);
	b.op = BIO_WRITE;
	b.bytes = 4096;
	EXPECT_EQ(blk_submit(&b), -EROFS);
	kfree(buf);
	ramdisk_destroy(d);
}

TEST(block, mount_claims_are_exclusive)
{
	struct block_device *d = make_ram(64 << 10), *m1, *m2;
	char path[40];

	fmt_snprintf(path, sizeof(path), "/dev/%s", d->name);
	EXPECT_EQ(sb_get_bdev(path, 0, &m1), 0);
	EXPECT_TRUE(m1 == d);
	EXPECT_EQ(sb_get_bdev(d->name, SB_RDONLY, &m2), -EBUSY);
	EXPECT_EQ(sb_get_bdev("/dev/null", 0, &m2), -ENOTBLK);
	EXPECT_EQ(sb_get_bdev("/dev/nosuch", 0, &m2), -ENOENT);
	EXPECT_EQ(sb_get_bdev("nosuch", 0, &m2), -ENXIO);
	sb_put_bdev(m1);
	EXPECT_EQ(sb_get_bdev(path, 0, &m2), 0);
	sb_put_bdev(m2);
	__atomic_fetch_or(&d->flags, BLK_RO, __ATOMIC_RELAXED);
	EXPECT_EQ(sb_get_bdev(path, 0, &m2), -EROFS);
	EXPECT_EQ(sb_get_bdev(path, SB_RDONLY, &m2), 0);
	sb_put_bdev(m2);
	ramdisk_destroy(d);
}

/* ---- partitions ---- */

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* A GPT header at @lba (512-byte blocks) over @nblocks, entries at @elba. */
static void gpt_header(uint8_t *h, uint64_t lba, uint64_t alt, uint64_t elba, uint64_t nblocks,
                       uint32_t ecrc)
{
	memset(h, 0, 512);
	memcpy(h, "EFI PART", 8);
	put32(h + 8, 0x10000);
	put32(h + 12, 92);
	put64(h + 24, lba);
	put64(h + 32, alt);
	put64(h + 40, 34);
	put64(h + 48, nblocks - 34);
	put64(h + 72, elba);
	put32(h + 80, 128);
	put32(h + 84, 128);
	put32(h + 88, ecrc);
	put32(h + 16, part_crc32(0, h, 92));
}

/* Write a GPT with partitions 1 (sectors 2048..4095) and 3 (4096..the last usable) on @d. */
static void write_gpt(struct block_device *d)
{
	uint64_t n = d->nr_sectors;
	uint8_t *b = kcalloc(1, 34 * 512);
	uint32_t ecrc;

	b[446 + 4] = 0xee; /* protective MBR */
	put32(b + 446 + 8, 1);
	put32(b + 446 + 12, (uint32_t)(n - 1));
	b[510] = 0x55;
	b[511] = 0xaa;
	memset(b + 1024, 0xaf, 16);
	put64(b + 1024 + 32, 2048);
	put64(b + 1024 + 40, 4095);
	memset(b + 1024 + 256, 0xaf, 16);
	put64(b + 1024 + 256 + 32, 4096);
	put64(b + 1024 + 256 + 40, n - 34);
	ecrc = part_crc32(0, b + 1024, 128 * 128);
	gpt_header(b + 512, 1, n - 1, 2, n, ecrc);
	EXPECT_EQ(blk_rw(d, BIO_WRITE, 0, b, 34 * 512), 0);
	/* The backup: the array, then the header in the last block. */
	EXPECT_EQ(blk_rw(d, BIO_WRITE, (n - 33) * 512, b + 1024, 32 * 512), 0);
	gpt_header(b, n - 1, 1, n - 33, n, ecrc);
	EXPECT_EQ(blk_rw(d, BIO_WRITE, (n - 1) * 512, b, 512), 0);
	kfree(b);
}

TEST(block, gpt_partitions_on_a_ram_disk)
{
	struct block_device *d = make_ram(4 << 20), *p1, *p3;
	uint8_t *w = kmalloc(4096), *r = kmalloc(4096);
	char name[40];
	struct file *f;

	write_gpt(d);
	fmt_snprintf(name, sizeof(name), "/dev/%s", d->name);
	f = vfs_open(AT_FDCWD, name, O_RDWR, 0);
	EXPECT_TRUE(!IS_ERR_PTR(f));
	EXPECT_EQ(f->ops->ioctl(f, 0x125f /* BLKRRPART */, 0), 0);
	fmt_snprintf(name, sizeof(name), "%sp1", d->name);
	p1 = blk_lookup(name);
	fmt_snprintf(name, sizeof(name), "/dev/%sp3", d->name);
	p3 = blk_lookup(name);
	EXPECT_TRUE(p1 && p3);
	EXPECT_EQ(p1->start_sector, 2048);
	EXPECT_EQ(p1->nr_sectors, 2048);
	EXPECT_EQ(p3->start_sector, 4096);
	EXPECT_EQ(p3->nr_sectors, d->nr_sectors - 34 - 4096 + 1);
	EXPECT_EQ(DEV_MAJOR(p1->dev), 259);
	/* A write through the partition lands at its place on the disk. */
	fill(w, 4096, 5);
	EXPECT_EQ(blk_rw(p3, BIO_WRITE, 4096, w, 4096), 0);
	EXPECT_EQ(blk_rw(d, BIO_READ, (4096 + 8) * 512ull, r, 4096), 0);
	EXPECT_EQ(memcmp(r, w, 4096), 0);
	/* The partition's end is its own, not the disk's. */
	EXPECT_EQ(blk_rw(p1, BIO_READ, 2048 * 512ull, r, 512), -EINVAL);
	EXPECT_EQ(blk_rw(p1, BIO_READ, 2047 * 512ull, r, 512), 0);
	/* A mounted partition makes BLKRRPART busy. */
	EXPECT_EQ(blk_claim(p1), 0);
	EXPECT_EQ(f->ops->ioctl(f, 0x125f, 0), -EBUSY);
	blk_unclaim(p1);
	blk_put(p1);
	blk_put(p3);
	file_put(f);
	fmt_snprintf(name, sizeof(name), "%sp1", d->name);
	ramdisk_destroy(d);
	EXPECT_TRUE(blk_lookup(name) == NULL);
}

/* ---- loop devices ---- */

TEST(block, loop_over_a_tmpfs_file)
{
	struct block_device *lo = blk_lookup("loop5");
	uint8_t *w = kmalloc(8192), *r = kmalloc(8192);
	struct file *img, *dev;
	int64_t pos = 0;
	int fd;

	if (!lo)
		ktest_skip("no loop devices (the drivers did not run)");
	fill(w, 8192, 9);
	img = vfs_open(AT_FDCWD, "/tmp/block-loop.img", O_RDWR | O_CREAT | O_TRUNC, 0600);
	EXPECT_TRUE(!IS_ERR_PTR(img));
	for (int i = 0; i < 128; i++)
		EXPECT_EQ(kernel_write(img, w, 8192, &pos), 8192);
	file_get(img);
	fd = fd_install(fdtable_current(), img, 0, false);
	EXPECT_TRUE(fd >= 0);
	dev = vfs_open(AT_FDCWD, "/dev/loop5", O_RDWR, 0);
	EXPECT_TRUE(!IS_ERR_PTR(dev));
	EXPECT_EQ(lo->nr_sectors, 0);
	EXPECT_EQ(dev->ops->ioctl(dev, 0x4c00 /* LOOP_SET_FD */, (uintptr_t)fd), 0);
	EXPECT_EQ(dev->ops->ioctl(dev, 0x4c00, (uintptr_t)fd), -EBUSY);
	EXPECT_EQ(lo->nr_sectors, 2048);
	/* The device's bytes are the file's. */
	EXPECT_EQ(blk_rw(lo, BIO_READ, 8192 * 7, r, 8192), 0);
	EXPECT_EQ(memcmp(r, w, 8192), 0);
	/* A write through the device's buffers reaches the file at the sync. */
	memset(w, 0xee, 4096);
	EXPECT_EQ(blk_rw(lo, BIO_WRITE, 4096 * 3, w, 4096), 0);
	EXPECT_EQ(blk_sync(lo), 0);
	pos = 4096 * 3;
	EXPECT_EQ(kernel_read(img, r, 4096, &pos), 4096);
	EXPECT_EQ(memcmp(r, w, 4096), 0);
	/* Mounted (claimed): it cannot be detached. */
	EXPECT_EQ(blk_claim(lo), 0);
	EXPECT_EQ(dev->ops->ioctl(dev, 0x4c01 /* LOOP_CLR_FD */, 0), -EBUSY);
	blk_unclaim(lo);
	EXPECT_EQ(dev->ops->ioctl(dev, 0x4c01, 0), 0);
	EXPECT_EQ(lo->nr_sectors, 0);
	EXPECT_EQ(blk_rw(lo, BIO_READ, 0, r, 512), -EINVAL);
	EXPECT_EQ(dev->ops->ioctl(dev, 0x4c01, 0), -ENXIO);
	file_put(dev);
	EXPECT_EQ(fd_close(fdtable_current(), fd), 0);
	file_put(img);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, "/tmp/block-loop.img"), 0);
	blk_put(lo);
	kfree(w);
	kfree(r);
}

TEST(block, proc_partitions_lists_devices)
{
	struct block_device *d = make_ram(2 << 20);
	char *text = kcalloc(1, 8192), want[64];
	struct file *f;
	int64_t pos = 0;
	long n;

	struct path p;

	/* proc on a directory of its own: the test boot mounts none. */
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, "/tmp/blkproc", 0555), 0);
	EXPECT_EQ(vfs_walk(AT_FDCWD, "/tmp/blkproc", LOOKUP_FOLLOW, &p), 0);
	EXPECT_EQ(vfs_mount("proc", &p, "proc", 0, NULL), 0);
	path_put(&p);
	f = vfs_open(AT_FDCWD, "/tmp/blkproc/partitions", O_RDONLY, 0);
	EXPECT_TRUE(!IS_ERR_PTR(f));
	n = kernel_read(f, text, 8191, &pos);
	EXPECT_TRUE(n > 0);
	EXPECT_TRUE(strncmp(text, "major minor  #blocks  name\n\n", 28) == 0);
	fmt_snprintf(want, sizeof(want), "   1  %7u       2048 %s\n", DEV_MINOR(d->dev), d->name);
	EXPECT_TRUE(strstr(text, want) != NULL);
	file_put(f);
	EXPECT_EQ(vfs_walk(AT_FDCWD, "/tmp/blkproc", LOOKUP_FOLLOW, &p), 0);
	EXPECT_EQ(vfs_umount(&p, 0), 0);
	path_put(&p);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, "/tmp/blkproc"), 0);
	kfree(text);
	ramdisk_destroy(d);
}

static int gone_ok, gone_eio;

static void gone_end(struct bio *b)
{
	__atomic_fetch_add(b->status == 0 ? &gone_ok : &gone_eio, 1, __ATOMIC_RELEASE);
}

TEST(block, unregister_fails_what_is_queued)
{
	struct tdisk *t = td_make();
	uint8_t *buf = kmalloc_aligned(6 * 4096, 4096, 0);
	static struct bio bios[6];
	static struct bio_vec vecs[6];
	uint64_t until = clock_monotonic_ns() + 5000 * NSEC_PER_MSEC;

	/* Six requests that do not merge (alternating ops): two go to the driver, four wait. */
	gone_ok = gone_eio = 0;
	t->delay_ns = 100 * NSEC_PER_MSEC; /* the unregistration comes first */
	chain(&t->bdev, BIO_READ, 0, buf, 6, bios, vecs, gone_end);
	for (int i = 1; i < 6; i += 2)
		bios[i].op = BIO_WRITE;
	blk_get(&t->bdev); /* the driver's structure outlives its registration here */
	EXPECT_EQ(blk_submit_list(&bios[0]), 0);
	td_destroy(t);
	while (__atomic_load_n(&gone_ok, __ATOMIC_ACQUIRE) +
	               __atomic_load_n(&gone_eio, __ATOMIC_ACQUIRE) <
	       6) {
		if (clock_monotonic_ns() > until)
			ktest_fail(__FILE__, __LINE__, "requests never ended");
		task_yield();
	}
	/* Those the driver held completed; the queued ones failed; nothing new is taken. */
	EXPECT_EQ(gone_ok, 2);
	EXPECT_EQ(gone_eio, 4);
	EXPECT_EQ(blk_rw(&t->bdev, BIO_READ, 0, buf, 512), -EIO);
	blk_put(&t->bdev);
	kfree(buf);
}
