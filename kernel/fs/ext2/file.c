// SPDX-License-Identifier: MIT
/*
 * ext2 regular files: the page cache's address-space operations (a page
 * is one to four blocks; each moves through the buffer cache, so data
 * and metadata never have two copies of one block) and the file
 * operations, which are the page cache's generic ones.
 */
#include "fs/file.h"

#include <cairn/errno.h>
#include <cairn/linux/stat.h>

#include <arch/page.h>
#include <lib/string.h>

#include "block/blkdev.h"
#include "core/kmain.h"
#include "core/log.h"
#include "fs/ext2/internal.h"

static struct ext2k_inode *m_inode(struct address_space *m)
{
	return container_of(m, struct ext2k_inode, mapping);
}

/* Copy block @blk into @dst (zeros for a hole). [E] held. */
static int read_block_locked(struct ext2k_sb *e, uint32_t blk, uint8_t *dst) __must_hold(&e->lock)
{
	struct bbuf *b;
	int err;

	if (blk == 0) {
		memset(dst, 0, e->fs.block_size);
		return 0;
	}
	err = bread(e->bdev, blk, e->fs.block_size, &b);
	if (err)
		return err;
	memcpy(dst, b->data, e->fs.block_size);
	brelse(b);
	return 0;
}

static int ext2k_readpage(struct address_space *m, uint64_t index, uint64_t pa)
{
	struct ext2k_inode *ki = m_inode(m);
	struct ext2k_sb *e = ext2k_sb(ki->vfs->sb);
	uint32_t bs = e->fs.block_size, per = PAGE_SIZE / bs, blk;
	uint8_t *dst = phys_to_virt(pa);
	int64_t size = __atomic_load_n(&ki->vfs->size, __ATOMIC_ACQUIRE);
	int err = 0;

	mutex_lock(&e->lock);
	for (uint32_t i = 0; i < per && !err; i++) {
		err = ext2_bmap(&e->fs, &ki->di, index * per + i, false, &blk);
		if (!err)
			err = read_block_locked(e, blk, dst + i * bs);
	}
	ext2k_check_ro_locked(e);
	mutex_unlock(&e->lock);
	if (err)
		pr_warn("ext2: %s: inode %u: reading page %lu failed: %d", e->bdev->name,
		        ki->di.ino, (unsigned long)index, err);
	/* Bytes past the end read as zeros, whatever the last block holds. */
	if (!err && (int64_t)((index + 1) * PAGE_SIZE) > size) {
		int64_t keep = size - (int64_t)(index * PAGE_SIZE);
		if (keep < 0)
			keep = 0;
		memset(dst + keep, 0, PAGE_SIZE - (size_t)keep);
	}
	return err;
}

/*
 * Map block @lblk, allocating it if it is a hole; a new block is zeroed
 * in the buffer cache so no earlier file's bytes can show through a
 * partial write. [E] held.
 */
static int map_alloc_locked(struct ext2k_sb *e, struct ext2k_inode *ki, uint64_t lblk,
                            uint32_t *blk) __must_hold(&e->lock)
{
	struct bbuf *b;
	int err;

	err = ext2_bmap(&e->fs, &ki->di, lblk, false, blk);
	if (err || *blk)
		return err;
	err = ext2_bmap(&e->fs, &ki->di, lblk, true, blk);
	if (err)
		return err;
	err = bget(e->bdev, *blk, e->fs.block_size, &b);
	if (err)
		return err;
	memset(b->data, 0, e->fs.block_size);
	bdirty(b);
	brelse(b);
	ki->vfs->blocks = ki->di.raw.i_blocks;
	return ext2_write_inode(&e->fs, &ki->di);
}

static int ext2k_prepare_write(struct address_space *m, uint64_t index)
{
	struct ext2k_inode *ki = m_inode(m);
	struct ext2k_sb *e = ext2k_sb(ki->vfs->sb);
	uint32_t per = PAGE_SIZE / e->fs.block_size, blk;
	int err = 0;

	mutex_lock(&e->lock);
	if (e->fs.readonly)
		err = -EROFS;
	for (uint32_t i = 0; i < per && !err; i++)
		err = map_alloc_locked(e, ki, index * per + i, &blk);
	ext2k_check_ro_locked(e);
	mutex_unlock(&e->lock);
	return err;
}

static int ext2k_writepage(struct address_space *m, uint64_t index, uint64_t pa, uint32_t len)
{
	struct ext2k_inode *ki = m_inode(m);
	struct ext2k_sb *e = ext2k_sb(ki->vfs->sb);
	uint32_t bs = e->fs.block_size, per = PAGE_SIZE / bs, blk;
	const uint8_t *src = phys_to_virt(pa);
	struct bbuf *b;
	int err = 0;

	mutex_lock(&e->lock);
	if (e->fs.readonly)
		err = -EROFS;
	for (uint32_t i = 0; i < per && i * bs < len && !err; i++) {
		err = map_alloc_locked(e, ki, index * per + i, &blk);
		if (!err)
			err = bget(e->bdev, blk, bs, &b);
		if (err)
			break;
		uint32_t n = len - i * bs < bs ? len - i * bs : bs;
		memcpy(b->data, src + i * bs, n);
		memset((uint8_t *)b->data + n, 0, bs - n);
		bdirty(b);
		brelse(b);
	}
	ext2k_check_ro_locked(e);
	mutex_unlock(&e->lock);
	return err;
}

/*
 * fsync's metadata half: blocks a short write left past the end are given
 * back (e2fsck would otherwise "fix" the size up to them), then the inode
 * goes into its buffer; the caller flushes the device. Takes the inode's
 * lock, so no write(2) is between reserving a page and growing the size.
 */
static int ext2k_write_meta(struct address_space *m, bool datasync)
{
	struct ext2k_inode *ki = m_inode(m);
	struct ext2k_sb *e = ext2k_sb(ki->vfs->sb);
	int err;

	(void)datasync;
	mutex_lock(&ki->vfs->lock);
	mutex_lock(&e->lock);
	err = ext2k_trim_locked(e, ki);
	if (!err)
		err = ext2k_write_locked(e, ki);
	if (!err && !e->fs.readonly && e->fs.sb_dirty)
		err = ext2_sync_super(&e->fs, ext2k_now());
	ext2k_check_ro_locked(e);
	mutex_unlock(&e->lock);
	mutex_unlock(&ki->vfs->lock);
	return err;
}

const struct address_space_ops ext2k_aops = {
	.readpage = ext2k_readpage,
	.readpages = ext2k_readpages,
	.writepage = ext2k_writepage,
	.prepare_write = ext2k_prepare_write,
	.write_meta = ext2k_write_meta,
};

const struct file_ops ext2k_file_fops = {
	.read = generic_file_read,
	.write = generic_file_write,
	.fsync = generic_file_fsync,
};
