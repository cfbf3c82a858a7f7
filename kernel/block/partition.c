// SPDX-License-Identifier: MIT
/*
 * Partitions as block devices of their own: the layer makes a
 * block_device for each entry of a disk's partition table, named after
 * the disk ("vda1", "nvme0n1p1"), sharing the disk's queue; requests are
 * translated to the disk's sectors by blk_submit().
 */
#include <cairn/errno.h>

#include <lib/format.h>
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

int blk_scan_partitions(struct block_device *disk)
{
	(void)disk;
	return 0;
}
