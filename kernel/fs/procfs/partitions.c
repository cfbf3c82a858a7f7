// SPDX-License-Identifier: MIT
/*
 * /proc/partitions: every registered block device, disks and their
 * partitions, in Linux's layout (block/genhd.c's show_partition: the
 * header only when there is a device, sizes in 1 KiB blocks), which
 * busybox's mount and fdisk read to find devices.
 */
#include <cairn/linux/stat.h>

#include "block/blkdev.h"
#include "fs/procfs/internal.h"

struct part_show {
	struct seqbuf *s;
	bool header;
};

static void show_one(struct block_device *d, void *ctx)
{
	struct part_show *p = ctx;

	if (!p->header) {
		seq_puts(p->s, "major minor  #blocks  name\n\n");
		p->header = true;
	}
	seq_printf(p->s, "%4u  %7u %10llu %s\n", DEV_MAJOR(d->dev), DEV_MINOR(d->dev),
	           (unsigned long long)(d->nr_sectors >> 1), d->name);
}

int procfs_show_partitions(struct seqbuf *s, const struct procfs_node *n)
{
	struct part_show p = { s, false };

	(void)n;
	blk_for_each(show_one, &p);
	return 0;
}
