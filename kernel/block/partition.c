// SPDX-License-Identifier: MIT
/*
 * Partitions as block devices of their own: the layer makes a
 * block_device for each entry of a disk's partition table, named after
 * the disk ("vda1", "nvme0n1p1"), sharing the disk's queue; requests are
 * translated to the disk's sectors by blk_submit().
 */
#include <cairn/errno.h>

#include <lib/format.h>
#include <lib/part/part.h>
#include <lib/string.h>

#include "block/blkdev.h"
#include "block/internal.h"
#include "core/log.h"
#include "mm/heap.h"

/* "vda" + 1 -> "vda1"; a name ending in a digit takes a 'p' ("nvme0n1p1"), as Linux does. */
static void part_name(const struct block_device *disk, unsigned partno, char *out, size_t n)
{
	size_t len = strlen(disk->name);
	bool digit = disk->name[len - 1] >= '0' && disk->name[len - 1] <= '9';

	fmt_snprintf(out, n, "%s%s%u", disk->name, digit ? "p" : "", partno);
}

/*
 * Register partition @partno of @disk: @nr sectors from @start. Returns 0
 * or -errno (-EINVAL for a range outside the disk or not block-aligned).
 */
int blk_add_partition(struct block_device *disk, unsigned partno, uint64_t start, uint64_t nr)
{
	uint64_t lbsec = disk->lbsize >> SECTOR_SHIFT;
	struct block_device *p;
	int err;

	if (start % lbsec || nr % lbsec || !nr || start >= disk->nr_sectors ||
	    nr > disk->nr_sectors - start)
		return -EINVAL;
	p = kmalloc_flags(sizeof(*p), KM_ZERO | KM_MAY_FAIL);
	if (!p)
		return -ENOMEM;
	part_name(disk, partno, p->name, sizeof(p->name));
	p->lbsize = disk->lbsize;
	p->nr_sectors = nr;
	p->max_bytes = disk->max_bytes;
	p->max_vecs = disk->max_vecs;
	p->flags = disk->flags & BLK_RO;
	p->whole = disk;
	p->start_sector = start;
	p->partno = partno;
	blk_get(disk);
	err = blk_add(p);
	if (err) {
		kfree(p);
		blk_put(disk);
		return err;
	}
	blk_layer(p)->own = true;
	pr_info("block: %s: sectors %llu..%llu of %s", p->name, (unsigned long long)start,
	        (unsigned long long)(start + nr - 1), disk->name);
	return 0;
}

struct part_list {
	struct block_device *disk;
	struct block_device *found[64];
	unsigned n;
};

static void collect(struct block_device *d, void *ctx)
{
	struct part_list *pl = ctx;

	if (d->whole == pl->disk && d != pl->disk && pl->n < 64) {
		blk_get(d);
		pl->found[pl->n++] = d;
	}
}

void blk_drop_partitions(struct block_device *disk)
{
	struct part_list pl = { .disk = disk };

	do {
		pl.n = 0;
		blk_for_each(collect, &pl);
		for (unsigned i = 0; i < pl.n; i++) {
			blk_remove(pl.found[i]);
			blk_put(pl.found[i]);
		}
	} while (pl.n == 64);
}

static int part_read(void *ctx, uint64_t lba, void *buf)
{
	struct block_device *disk = ctx;

	return blk_rw(disk, BIO_READ, lba * disk->lbsize, buf, disk->lbsize);
}

/* Register what @t lists on @disk. */
static void add_all(struct block_device *disk, const struct part_table *t)
{
	uint64_t per = disk->lbsize >> SECTOR_SHIFT;

	for (unsigned i = 0; i < t->n; i++) {
		const struct part_entry *e = &t->e[i];
		int err = blk_add_partition(disk, e->number, e->start * per, e->count * per);

		if (err)
			pr_warn("block: %s: partition %u not added: error %d", disk->name,
			        e->number, err);
	}
}

int blk_scan_partitions(struct block_device *disk)
{
	struct part_table *t = kmalloc_flags(sizeof(*t), KM_MAY_FAIL);
	void *buf = kmalloc_aligned(disk->lbsize, disk->lbsize, KM_MAY_FAIL);
	struct part_dev dev = { part_read, disk, disk->lbsize,
		                disk->nr_sectors / (disk->lbsize >> SECTOR_SHIFT), buf };
	int err = -ENOMEM;

	if (!t || !buf)
		goto out_free;
	err = part_scan(&dev, t);
	if (err) {
		pr_warn("block: %s: partition table unreadable: error %d", disk->name, err);
		goto out_free;
	}
	if (t->gpt_backup_used)
		pr_warn("block: %s: primary GPT damaged; using the backup", disk->name);
	if (t->skipped)
		pr_warn("block: %s: %u partition entries outside the disk ignored", disk->name,
		        t->skipped);
	add_all(disk, t);
out_free:
	kfree(buf);
	kfree(t);
	return err;
}

struct claim_check {
	struct block_device *disk;
	bool busy;
};

static void check_claimed(struct block_device *d, void *ctx)
{
	struct claim_check *c = ctx;

	if (d->whole == c->disk && d != c->disk && blk_layer(d)->claimed)
		c->busy = true;
}

int blk_rescan_partitions(struct block_device *disk)
{
	struct claim_check c = { disk, false };
	int err;

	blk_for_each(check_claimed, &c);
	if (c.busy)
		return -EBUSY;
	err = bcache_invalidate(disk);
	if (err)
		return err;
	blk_drop_partitions(disk);
	return blk_scan_partitions(disk);
}
