/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of the block layer on real QEMU disks (tools/cairntest.py's
 * kernel/pvh-disks boot): vda carries a GPT made by sgdisk (partitions 1
 * and 2), nvme0n1 an MBR with a primary partition and a logical one in an
 * extended partition. The partitions must appear with Linux's names and
 * numbers, their bytes must be the disk's, and neighbouring requests sent
 * as one list must reach the driver merged. Without those disks (every
 * other boot) the tests skip.
 */
#include <cairn/errno.h>
#include <cairn/linux/stat.h>

#include <lib/string.h>

#include "block/blkdev.h"
#include "core/ktest.h"
#include "mm/heap.h"
#include "sched/task.h"
#include "scratch_disk.h"
#include "time/time.h"

/*
 * The partition the test images carry, or a skip when this boot has no
 * such disk (vda may also be the boot disk itself, attached as virtio-blk).
 */
static struct block_device *need(const char *disk, const char *part)
{
	struct block_device *d = blk_lookup(disk), *p;
	bool scratch;

	if (!d)
		ktest_skip("no test disk attached (kernel/pvh-disks attaches them)");
	scratch = ktest_disk_is_scratch(d);
	blk_put(d);
	if (!scratch)
		ktest_skip("the disk is not marked as scratch: not the test's, not writing to it");
	p = blk_lookup(part);
	if (!p)
		ktest_fail(__FILE__, __LINE__, "%s has no partition %s", disk, part);
	return p;
}

TEST(blkdisk, gpt_on_virtio)
{
	struct block_device *p1 = need("vda", "vda1"), *p2 = need("vda", "vda2");
	uint8_t *w = kmalloc(4096), *r = kmalloc(4096);

	/* sgdisk -n 1:2048:+8M -n 2:0:+16M (tools/cairntest.py). */
	EXPECT_EQ(p1->start_sector, 2048);
	EXPECT_EQ(p1->nr_sectors, 16384);
	EXPECT_EQ(p2->start_sector, 2048 + 16384);
	EXPECT_EQ(p2->nr_sectors, 32768);
	EXPECT_EQ(p1->dev, DEV_ENCODE(254, 1));
	EXPECT_EQ(p2->dev, DEV_ENCODE(254, 2));
	for (int i = 0; i < 4096; i++)
		w[i] = (uint8_t)(i * 13 + 1);
	EXPECT_EQ(blk_rw(p2, BIO_WRITE, 8192, w, 4096), 0);
	EXPECT_EQ(blk_rw(p2->whole, BIO_READ, (p2->start_sector + 16) * 512, r, 4096), 0);
	EXPECT_EQ(memcmp(r, w, 4096), 0);
	EXPECT_EQ(blk_rw(p2, BIO_READ, p2->nr_sectors * 512, r, 512), -EINVAL);
	blk_put(p1);
	blk_put(p2);
	kfree(w);
	kfree(r);
}

TEST(blkdisk, mbr_with_a_logical_partition_on_nvme)
{
	struct block_device *p1 = need("nvme0n1", "nvme0n1p1"), *p5 = need("nvme0n1", "nvme0n1p5");

	/* Primary 1: sectors 2048..+8 MiB; extended 2 from 18432; logical 5 at +2048 in it. */
	EXPECT_EQ(p1->start_sector, 2048);
	EXPECT_EQ(p1->nr_sectors, 16384);
	EXPECT_EQ(p5->start_sector, 18432 + 2048);
	EXPECT_EQ(p5->nr_sectors, 8192);
	EXPECT_EQ(DEV_MAJOR(p5->dev), 259);
	blk_put(p1);
	blk_put(p5);
}

static int done_count;

static void count_end(struct bio *b)
{
	EXPECT_EQ(b->status, 0);
	__atomic_fetch_add(&done_count, 1, __ATOMIC_RELEASE);
}

TEST(blkdisk, a_list_of_neighbours_merges_on_virtio)
{
	struct block_device *p2 = need("vda", "vda2");
	struct block_device *vda = p2->whole;
	uint8_t *buf = kmalloc_aligned(32 * 4096, 4096, 0);
	struct bio *bios = kcalloc(32, sizeof(*bios));
	struct bio_vec *vecs = kcalloc(32, sizeof(*vecs));
	struct blk_stats a, b;
	uint64_t until;

	blk_get_stats(vda, &a);
	done_count = 0;
	for (int i = 0; i < 32; i++) {
		vecs[i] = (struct bio_vec){ blk_kva_to_pa(buf + i * 4096), 4096 };
		bios[i] = (struct bio){ .bdev = p2,
			                .op = BIO_WRITE,
			                .sector = 4096 + i * 8ull,
			                .bytes = 4096,
			                .vec = &vecs[i],
			                .nvec = 1,
			                .end = count_end };
		bios[i].next = i < 31 ? &bios[i + 1] : NULL;
	}
	EXPECT_EQ(blk_submit_list(&bios[0]), 0);
	until = clock_monotonic_ns() + 10000 * NSEC_PER_MSEC;
	while (__atomic_load_n(&done_count, __ATOMIC_ACQUIRE) < 32) {
		if (clock_monotonic_ns() > until)
			ktest_fail(__FILE__, __LINE__, "writes never completed");
		task_yield();
	}
	blk_get_stats(vda, &b);
	EXPECT_TRUE(b.merges - a.merges >= 16);
	EXPECT_TRUE(b.driver_ios - a.driver_ios <= 16);
	blk_put(p2);
	kfree(buf);
	kfree(bios);
	kfree(vecs);
}
