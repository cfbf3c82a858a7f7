// SPDX-License-Identifier: MIT
/*
 * Block devices under file systems: sb_get_bdev() finds and claims the
 * device a disk file system is mounted from, sb_put_bdev() gives it back
 * when the VFS frees the super_block (after writing its buffers back).
 */
#include <cairn/errno.h>

#include "block/blkdev.h"
#include "block/internal.h"
#include "core/log.h"
#include "fs/vfs.h"

int sb_get_bdev(const char *source, unsigned sb_flags, struct block_device **out)
{
	struct block_device *d;
	int err;

	if (!source || !*source)
		return -ENOTBLK;
	d = blk_lookup_err(source, &err);
	if (!d)
		return err;
	if (!(sb_flags & SB_RDONLY) && (__atomic_load_n(&d->flags, __ATOMIC_RELAXED) & BLK_RO)) {
		err = -EROFS;
		goto out_put;
	}
	err = blk_claim(d);
	if (err)
		goto out_put;
	*out = d;
	return 0;
out_put:
	blk_put(d);
	return err;
}

void sb_put_bdev(struct block_device *d)
{
	int err = blk_sync(d);

	if (err)
		pr_err("block: %s: writing back at unmount failed: error %d", d->name, err);
	blk_unclaim(d);
	blk_put(d);
}
