// SPDX-License-Identifier: MIT
/*
 * Block-layer figures (issue 13) on a RAM disk, so they show the layer
 * and not a device: a synchronous 4 KiB read through blk_rw (check,
 * queue, driver, completion, wake-up), a cached bread/brelse, a 1 MiB
 * blk_rw in MB/s, and the write-back of 256 dirty neighbouring buffers by
 * blk_sync (cycles per buffer, and how many requests the driver saw).
 */
#include <cairn/errno.h>

#include "arch/arch.h"
#include "block/blkdev.h"
#include "core/kbench.h"
#include "mm/heap.h"

#define ROUNDS 2000

static uint64_t bench_rw(struct block_device *d, size_t len, unsigned rounds)
{
	void *buf = kmalloc_aligned(len, 4096, KM_MAY_FAIL);
	uint64_t t0;

	if (!buf)
		return 0;
	t0 = arch_cycles();
	for (unsigned i = 0; i < rounds; i++) {
		if (blk_rw(d, BIO_READ, (uint64_t)(i % 16) * len, buf, len)) {
			kfree(buf);
			return 0;
		}
	}
	t0 = (arch_cycles() - t0) / rounds;
	kfree(buf);
	return t0;
}

static uint64_t bench_bread_hit(struct block_device *d)
{
	struct bbuf *b;
	uint64_t t0;

	if (bread(d, 1, 4096, &b))
		return 0;
	brelse(b);
	t0 = arch_cycles();
	for (unsigned i = 0; i < ROUNDS * 10; i++) {
		if (bread(d, 1, 4096, &b))
			return 0;
		brelse(b);
	}
	return (arch_cycles() - t0) / (ROUNDS * 10);
}

/* Cycles per buffer of a blk_sync of 256 dirty neighbours; *@reqs gets the driver's requests. */
static uint64_t bench_sync(struct block_device *d, uint64_t *reqs)
{
	struct blk_stats a, b;
	struct bbuf *bb;
	uint64_t t0;

	for (unsigned i = 0; i < 256; i++) {
		if (bget(d, 512 + i, 4096, &bb))
			return 0;
		bdirty(bb);
		brelse(bb);
	}
	blk_get_stats(d, &a);
	t0 = arch_cycles();
	if (blk_sync(d))
		return 0;
	t0 = (arch_cycles() - t0) / 256;
	blk_get_stats(d, &b);
	*reqs = b.driver_ios - a.driver_ios;
	return t0;
}

BENCH(block)
{
	struct block_device *d;
	uint64_t c, reqs = 0;

	if (ramdisk_create(64 << 20, &d))
		return;
	kbench_report_cycles("blk_rw 4 KiB read, RAM disk", bench_rw(d, 4096, ROUNDS));
	c = bench_rw(d, 1 << 20, 200);
	if (c)
		kbench_report("blk_rw 1 MiB read, RAM disk", (1000ull * arch_cycles_khz()) / c,
		              "MiB/s");
	kbench_report_cycles("bread+brelse of a cached 4 KiB block", bench_bread_hit(d));
	/* The first round also allocates the RAM disk's pages; the second is the layer alone. */
	kbench_report_cycles("blk_sync per dirty 4 KiB buffer, first write", bench_sync(d, &reqs));
	kbench_report_cycles("blk_sync per dirty 4 KiB buffer (256 neighbours)",
	                     bench_sync(d, &reqs));
	kbench_report("driver requests for those 256 buffers", reqs, "requests");
	ramdisk_destroy(d);
}
