// SPDX-License-Identifier: MIT
/*
 * ext2 readahead: the page cache's readpages. The pages' blocks are mapped
 * first, then every run of blocks that lie next to each other on the disk
 * becomes one bio and all the bios go to the device as one list, so a
 * sequential read costs a few large requests instead of one per block.
 * The reads go around the buffer cache (the blocks are file data nobody
 * else reads), except that a block the buffer cache holds is copied from
 * there: it may be newer than the disk (written back by writepage, not yet
 * by the buffer cache). The [E] lock is held throughout, as readpage holds
 * it around its reads, so no writepage or truncate moves a block meanwhile.
 */
#include <cairn/errno.h>

#include <arch/page.h>
#include <lib/string.h>

#include "block/blkdev.h"
#include "core/kmain.h"
#include "core/log.h"
#include "fs/ext2/internal.h"
#include "mm/heap.h"
#include "sched/wait.h"
#include "time/time.h"

struct ra_batch {
	int pending; /* [a] bios not completed */
	int err;     /* [a] the first error */
};

/* Readers waiting for their batch; static so a completion never touches a finished batch's stack. */
static struct waitq ra_wq = WAITQ_INIT(ra_wq, "ext2.readahead");

static void ra_end(struct bio *b)
{
	struct ra_batch *w = b->priv;

	if (b->status)
		__atomic_compare_exchange_n(&w->err, &(int){ 0 }, b->status, false,
		                            __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	/* After this the waiter may return: only the static queue is touched. */
	__atomic_sub_fetch(&w->pending, 1, __ATOMIC_RELEASE);
	waitq_wake_all(&ra_wq);
}

static bool ra_done(void *ctx)
{
	return __atomic_load_n(&((struct ra_batch *)ctx)->pending, __ATOMIC_ACQUIRE) == 0;
}

/* What one readahead is building: nblk blocks, the bios made of them so far. */
struct ra_req {
	struct ext2k_sb *e;
	struct bio *bios;     /* one per run, at most one per block */
	struct bio_vec *vecs; /* one per block, runs in order */
	unsigned nbio, nvec;
	struct ra_batch batch;
};

/* Add disk block @blk, to be read into @pa, to the current run or a new one. */
static void ra_add(struct ra_req *r, uint32_t blk, uint64_t pa)
{
	uint32_t bs = r->e->fs.block_size;
	uint64_t sector = (uint64_t)blk * (bs >> SECTOR_SHIFT);
	struct bio *last = r->nbio ? &r->bios[r->nbio - 1] : NULL;

	r->vecs[r->nvec] = (struct bio_vec){ .pa = pa, .len = bs };
	if (last && last->sector + (last->bytes >> SECTOR_SHIFT) == sector) {
		last->nvec++;
		last->bytes += bs;
	} else {
		r->bios[r->nbio++] = (struct bio){ .bdev = r->e->bdev,
			                           .op = BIO_READ,
			                           .sector = sector,
			                           .bytes = bs,
			                           .vec = &r->vecs[r->nvec],
			                           .nvec = 1,
			                           .end = ra_end,
			                           .priv = &r->batch };
	}
	r->nvec++;
}

/*
 * Block @lblk of the file into @pa: zeros for a hole, a copy of a cached
 * buffer, or a place in a bio. [E] held.
 */
static int ra_block_locked(struct ext2k_sb *e, struct ra_req *r, struct ext2k_inode *ki,
                           uint64_t lblk, uint64_t pa) __must_hold(&e->lock)
{
	uint32_t bs = e->fs.block_size, blk;
	struct bbuf *b;
	int err = ext2_bmap(&e->fs, &ki->di, lblk, false, &blk);

	if (err)
		return err;
	if (blk == 0) {
		memset(phys_to_virt(pa), 0, bs);
	} else if ((uint64_t)blk * (bs >> SECTOR_SHIFT) + (bs >> SECTOR_SHIFT) >
	           e->bdev->nr_sectors) {
		pr_warn("ext2: %s: inode %u: block %u is past the disk", e->bdev->name, ki->di.ino,
		        blk);
		return -EIO;
	} else if (!bpeek(e->bdev, blk, bs, &b)) {
		memcpy(phys_to_virt(pa), b->data, bs);
		brelse(b);
	} else {
		ra_add(r, blk, pa);
	}
	return 0;
}

/* Submit the bios built and wait for all of them. 0 or the first error. */
static int ra_submit(struct ra_req *r)
{
	if (!r->nbio)
		return 0;
	r->batch.pending = (int)r->nbio;
	for (unsigned i = 0; i < r->nbio; i++)
		r->bios[i].next = i + 1 < r->nbio ? &r->bios[i + 1] : NULL;
	/* Errors come back through ra_end as well. */
	(void)blk_submit_list(&r->bios[0]);
	while (waitq_wait(&ra_wq, ra_done, &r->batch, 0, TIME_NEVER))
		;
	return r->batch.err;
}

/* Bytes past the end of file read as zeros, whatever the last block holds. */
static void ra_zero_tail(uint64_t first, uint32_t n, const uint64_t *pas, int64_t size)
{
	for (uint32_t i = 0; i < n; i++) {
		int64_t keep = size - (int64_t)((first + i) * PAGE_SIZE);

		if (keep >= (int64_t)PAGE_SIZE)
			continue;
		if (keep < 0)
			keep = 0;
		memset((uint8_t *)phys_to_virt(pas[i]) + keep, 0, PAGE_SIZE - (size_t)keep);
	}
}

int ext2k_readpages(struct address_space *m, uint64_t first, uint32_t n, const uint64_t *pas)
{
	struct ext2k_inode *ki = container_of(m, struct ext2k_inode, mapping);
	struct ext2k_sb *e = ext2k_sb(ki->vfs->sb);
	uint32_t bs = e->fs.block_size, per = PAGE_SIZE / bs;
	int64_t size = __atomic_load_n(&ki->vfs->size, __ATOMIC_ACQUIRE);
	struct ra_req r = { .e = e };
	int err = 0;

	r.bios = kmalloc_flags(sizeof(*r.bios) * n * per, KM_MAY_FAIL);
	r.vecs = kmalloc_flags(sizeof(*r.vecs) * n * per, KM_MAY_FAIL);
	if (!r.bios || !r.vecs) {
		kfree(r.bios);
		kfree(r.vecs);
		return -ENOMEM;
	}
	mutex_lock(&e->lock);
	for (uint32_t i = 0; i < n * per && !err; i++)
		err = ra_block_locked(e, &r, ki, first * per + i, pas[i / per] + (i % per) * bs);
	if (!err)
		err = ra_submit(&r);
	ext2k_check_ro_locked(e);
	mutex_unlock(&e->lock);
	kfree(r.bios);
	kfree(r.vecs);
	if (err)
		pr_warn("ext2: %s: inode %u: reading ahead pages %lu+%u failed: %d", e->bdev->name,
		        ki->di.ino, (unsigned long)first, n, err);
	else
		ra_zero_tail(first, n, pas, size);
	return err;
}
