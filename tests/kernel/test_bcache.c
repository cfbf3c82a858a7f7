/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of the buffer cache (kernel/block/bcache.c) on RAM disks:
 * a block read by several tasks at once is read from the device once;
 * dirty buffers reach the device at blk_sync() and not before; bget()
 * gives zeros without reading; bcache_shrink() evicts only clean,
 * unheld buffers; and writers on several CPUs each see their own blocks.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "block/blkdev.h"
#include "core/ktest.h"
#include "mm/heap.h"
#include "sched/task.h"
#include "time/time.h"

static struct block_device *bc_ram(uint64_t bytes)
{
	struct block_device *d;

	EXPECT_EQ(ramdisk_create(bytes, &d), 0);
	return d;
}

static uint64_t reads_of(struct block_device *d)
{
	struct blk_stats st;

	blk_get_stats(d, &st);
	return st.ios[0];
}

static uint64_t writes_of(struct block_device *d)
{
	struct blk_stats st;

	blk_get_stats(d, &st);
	return st.ios[1];
}

TEST(bcache, read_dirty_sync)
{
	struct block_device *d = bc_ram(1 << 20);
	uint8_t *raw = kmalloc(4096);
	struct bbuf *b, *b2;

	memset(raw, 0x5a, 4096);
	EXPECT_EQ(blk_rw(d, BIO_WRITE, 3 * 1024, raw, 1024), 0);
	EXPECT_EQ(bread(d, 3, 1024, &b), 0);
	EXPECT_EQ(((uint8_t *)b->data)[17], 0x5a);
	/* Cached: a second bread does not read. */
	uint64_t r0 = reads_of(d);

	EXPECT_EQ(bread(d, 3, 1024, &b2), 0);
	EXPECT_TRUE(b2 == b);
	EXPECT_EQ(reads_of(d), r0);
	brelse(b2);
	/* A change stays in memory until the sync. */
	memset(b->data, 0xa5, 1024);
	bdirty(b);
	brelse(b);
	EXPECT_EQ(blk_rw(d, BIO_READ, 3 * 1024, raw, 1024), 0);
	EXPECT_EQ(raw[0], 0x5a);
	EXPECT_EQ(blk_sync(d), 0);
	EXPECT_EQ(blk_rw(d, BIO_READ, 3 * 1024, raw, 1024), 0);
	EXPECT_EQ(raw[0], 0xa5);
	EXPECT_EQ(raw[1023], 0xa5);
	/* bget: zeros, no read; bwrite: at once. */
	r0 = reads_of(d);
	EXPECT_EQ(bget(d, 10, 4096, &b), 0);
	EXPECT_EQ(((uint8_t *)b->data)[100], 0);
	EXPECT_EQ(reads_of(d), r0);
	memset(b->data, 0x77, 4096);
	EXPECT_EQ(bwrite(b), 0);
	brelse(b);
	EXPECT_EQ(blk_rw(d, BIO_READ, 10 * 4096, raw, 4096), 0);
	EXPECT_EQ(raw[4095], 0x77);
	/* Past the end: refused. */
	EXPECT_EQ(bread(d, 256, 4096, &b), -EINVAL);
	EXPECT_EQ(bread(d, 0, 1000, &b), -EINVAL);
	kfree(raw);
	ramdisk_destroy(d);
}

TEST(bcache, sync_merges_neighbours)
{
	struct block_device *d = bc_ram(1 << 20);
	struct blk_stats before, after;
	struct bbuf *b;

	/* Sixteen dirty 1 KiB blocks, dirtied in reverse order, written back in one request. */
	for (int i = 15; i >= 0; i--) {
		EXPECT_EQ(bget(d, 100 + (unsigned)i, 1024, &b), 0);
		memset(b->data, i, 1024);
		bdirty(b);
		brelse(b);
	}
	blk_get_stats(d, &before);
	EXPECT_EQ(blk_sync(d), 0);
	blk_get_stats(d, &after);
	EXPECT_EQ(after.ios[1] - before.ios[1], 16);
	EXPECT_EQ(after.driver_ios - before.driver_ios, 1);
	EXPECT_EQ(after.merges - before.merges, 15);
	/* Nothing left dirty: a second sync writes nothing. */
	EXPECT_EQ(blk_sync(d), 0);
	EXPECT_EQ(writes_of(d), after.ios[1]);
	ramdisk_destroy(d);
}

TEST(bcache, shrink_keeps_held_and_dirty)
{
	struct block_device *d = bc_ram(1 << 20);
	struct bbuf *held, *b1, *b2, *b3;
	uint64_t r0;

	EXPECT_EQ(bread(d, 1, 4096, &held), 0);
	EXPECT_EQ(bread(d, 2, 4096, &b2), 0);
	EXPECT_EQ(bread(d, 3, 4096, &b3), 0);
	bdirty(b2);
	brelse(b2);
	brelse(b3);
	/* Drop everything droppable (other tests' buffers too). */
	while (bcache_shrink(1 << 30))
		;
	r0 = reads_of(d);
	EXPECT_EQ(bread(d, 3, 4096, &b3), 0); /* clean and unheld: evicted, read again */
	EXPECT_EQ(reads_of(d), r0 + 1);
	EXPECT_EQ(bread(d, 2, 4096, &b2), 0); /* dirty: kept */
	EXPECT_EQ(bread(d, 1, 4096, &b1), 0); /* held: kept */
	EXPECT_TRUE(b1 == held);
	EXPECT_EQ(reads_of(d), r0 + 1);
	brelse(b1);
	brelse(b2);
	brelse(b3);
	brelse(held);
	ramdisk_destroy(d);
}

/* ---- several CPUs ---- */

#define BC_TASKS 4

struct bc_job {
	struct block_device *d;
	unsigned id;
	uint8_t seen;
	int err;
};

static int bc_reader(void *arg)
{
	struct bc_job *j = arg;
	struct bbuf *b;

	j->err = bread(j->d, 7, 4096, &b);
	if (!j->err) {
		j->seen = ((uint8_t *)b->data)[9];
		brelse(b);
	}
	return 0;
}

static void bc_run(int (*fn)(void *), struct bc_job *jobs)
{
	struct task_handle h[BC_TASKS];

	for (unsigned i = 0; i < BC_TASKS; i++)
		EXPECT_EQ(task_spawn(&h[i], "bc-test", fn, &jobs[i]), 0);
	for (unsigned i = 0; i < BC_TASKS; i++)
		EXPECT_EQ(task_join(h[i], NULL), 0);
}

TEST(bcache, concurrent_readers_read_once)
{
	struct block_device *d = bc_ram(1 << 20);
	struct bc_job jobs[BC_TASKS];
	uint8_t *raw = kmalloc(4096);
	uint64_t r0;

	memset(raw, 0x3c, 4096);
	EXPECT_EQ(blk_rw(d, BIO_WRITE, 7 * 4096, raw, 4096), 0);
	for (int round = 0; round < 20; round++) {
		while (bcache_shrink(1 << 30))
			;
		r0 = reads_of(d);
		for (unsigned i = 0; i < BC_TASKS; i++)
			jobs[i] = (struct bc_job){ .d = d, .id = i };
		bc_run(bc_reader, jobs);
		for (unsigned i = 0; i < BC_TASKS; i++) {
			EXPECT_EQ(jobs[i].err, 0);
			EXPECT_EQ(jobs[i].seen, 0x3c);
		}
		EXPECT_EQ(reads_of(d), r0 + 1);
	}
	kfree(raw);
	ramdisk_destroy(d);
}

/* Each writer owns blocks id, id + 4, id + 8...: fills, dirties, syncs, reads back raw. */
static int bc_writer(void *arg)
{
	struct bc_job *j = arg;
	uint8_t *raw = kmalloc(1024);
	struct bbuf *b;

	for (unsigned round = 0; round < 8 && !j->err; round++) {
		for (unsigned blk = j->id; blk < 256 && !j->err; blk += BC_TASKS) {
			j->err = bread(j->d, blk, 1024, &b);
			if (j->err)
				break;
			memset(b->data, (int)(blk + round), 1024);
			bdirty(b);
			brelse(b);
		}
		if (!j->err)
			j->err = blk_sync(j->d);
		for (unsigned blk = j->id; blk < 256 && !j->err; blk += BC_TASKS) {
			j->err = blk_rw(j->d, BIO_READ, blk * 1024ull, raw, 1024);
			if (!j->err && (raw[0] != (uint8_t)(blk + round) ||
			                raw[1023] != (uint8_t)(blk + round)))
				j->err = -EIO;
		}
	}
	kfree(raw);
	return 0;
}

TEST(bcache, concurrent_writers_and_syncs)
{
	struct block_device *d = bc_ram(1 << 20);
	struct bc_job jobs[BC_TASKS];

	for (unsigned i = 0; i < BC_TASKS; i++)
		jobs[i] = (struct bc_job){ .d = d, .id = i };
	bc_run(bc_writer, jobs);
	for (unsigned i = 0; i < BC_TASKS; i++)
		EXPECT_EQ(jobs[i].err, 0);
	ramdisk_destroy(d);
}
