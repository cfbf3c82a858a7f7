/* SPDX-License-Identifier: MIT */
/*
 * The classic ext2 block map: i_block[0..11] name data blocks directly,
 * i_block[12] an indirect block of block numbers, [13] a double and [14]
 * a triple indirect one. Mapping a logical block walks that tree (filling
 * holes on request) and truncation frees a tree's right-hand part. Every
 * block number read from the disk is checked before it is followed.
 */
#include <cairn/errno.h>

#include "lib/ext2/ext2.h"
#include "lib/string.h"

/* Where logical block @lblk sits: tree depth (0: direct) and an index per level. */
struct ext2_path {
	unsigned depth;
	uint32_t idx[4];
};

static int lblk_path(const struct ext2_fs *fs, uint64_t lblk, struct ext2_path *p)
{
	uint64_t apb = fs->addr_per_block, span = 1;
	unsigned d;

	if (lblk < EXT2_NDIR_BLOCKS) {
		p->depth = 0;
		p->idx[0] = (uint32_t)lblk;
		return 0;
	}
	lblk -= EXT2_NDIR_BLOCKS;
	for (d = 1; d <= 3; d++) {
		span *= apb;
		if (lblk < span)
			break;
		lblk -= span;
	}
	if (d > 3)
		return -EFBIG;
	p->depth = d;
	p->idx[0] = EXT2_IND_BLOCK + d - 1;
	for (unsigned l = d; l >= 1; l--) {
		p->idx[l] = (uint32_t)(lblk % apb);
		lblk /= apb;
	}
	return 0;
}

uint64_t ext2_max_lblocks(const struct ext2_fs *fs)
{
	uint64_t apb = fs->addr_per_block;
	uint64_t n = EXT2_NDIR_BLOCKS + apb + apb * apb + apb * apb * apb;
	/* i_blocks counts 512-byte units in 32 bits: stay well inside it. */
	uint64_t cap = (0xffffffffull / (fs->block_size / 512)) - apb * 4;

	return n < cap ? n : cap;
}

/* Whether @blk may be a data or indirect block. */
static bool data_block_ok(const struct ext2_fs *fs, uint32_t blk)
{
	return blk >= fs->gdt_block + fs->gdt_blocks && blk < fs->sb.s_blocks_count;
}

static int bad_block(struct ext2_fs *fs)
{
	ext2_error(fs, "inode maps a block outside the file system");
	return -EUCLEAN;
}

/* A new block near @goal: zeroed through the cache when @zero (indirect blocks). */
static int new_block(struct ext2_fs *fs, struct ext2_ino *in, uint32_t goal, bool zero,
                     uint32_t *out)
{
	struct ext2_buf b;
	int err;

	err = ext2_alloc_block(fs, goal, out);
	if (err)
		return err;
	in->raw.i_blocks += fs->block_size / 512;
	if (!zero)
		return 0;
	err = fs->io->get(fs->io->ctx, *out, &b);
	if (err)
		return err;
	memset(b.data, 0, fs->block_size);
	fs->io->dirty(fs->io->ctx, &b);
	fs->io->release(fs->io->ctx, &b);
	return 0;
}

/* A goal for a new block of @in: after the last one we saw, else its group's start. */
static uint32_t goal_for(const struct ext2_fs *fs, const struct ext2_ino *in, uint32_t near)
{
	if (near)
		return near + 1;
	return fs->sb.s_first_data_block +
	       ((in->ino - 1) / fs->sb.s_inodes_per_group) * fs->sb.s_blocks_per_group;
}

int ext2_bmap(struct ext2_fs *fs, struct ext2_ino *in, uint64_t lblk, bool alloc, uint32_t *pblk)
{
	struct ext2_path p;
	struct ext2_buf b;
	uint32_t blk, next, prev = 0;
	int err;

	if (lblk >= ext2_max_lblocks(fs) || lblk_path(fs, lblk, &p))
		return -EFBIG;
	blk = in->raw.i_block[p.idx[0]];
	if (p.idx[0] > 0)
		prev = in->raw.i_block[p.idx[0] - 1];
	if (blk == 0 && alloc) {
		err = new_block(fs, in, goal_for(fs, in, prev), p.depth > 0, &blk);
		if (err)
			return err;
		in->raw.i_block[p.idx[0]] = blk;
	}
	for (unsigned l = 1; l <= p.depth && blk; l++) {
		if (!data_block_ok(fs, blk))
			return bad_block(fs);
		err = fs->io->read(fs->io->ctx, blk, &b);
		if (err)
			return err;
		uint32_t *slots = (uint32_t *)b.data;
		next = slots[p.idx[l]];
		if (next == 0 && alloc) {
			uint32_t near = p.idx[l] ? slots[p.idx[l] - 1] : blk;
			err = new_block(fs, in, goal_for(fs, in, near), l < p.depth, &next);
			if (!err) {
				slots[p.idx[l]] = next;
				fs->io->dirty(fs->io->ctx, &b);
			}
		}
		fs->io->release(fs->io->ctx, &b);
		if (err)
			return err;
		blk = next;
	}
	if (blk && !data_block_ok(fs, blk))
		return bad_block(fs);
	*pblk = blk;
	return 0;
}

/* Free block @blk of @in and account for it. */
static int drop_block(struct ext2_fs *fs, struct ext2_ino *in, uint32_t blk)
{
	uint32_t units = fs->block_size / 512;
	int err;

	if (!data_block_ok(fs, blk))
		return bad_block(fs);
	err = ext2_free_block(fs, blk);
	if (err)
		return err;
	in->raw.i_blocks = in->raw.i_blocks >= units ? in->raw.i_blocks - units : 0;
	return 0;
}

/*
 * Free the part of the subtree at *@slot (an indirect block of @level,
 * mapping logical blocks from @base, @span of them) that lies at or past
 * @keep; clear *@slot when nothing of it stays.
 */
static int free_tree(struct ext2_fs *fs, struct ext2_ino *in, uint32_t *slot, unsigned level,
                     uint64_t base, uint64_t span, uint64_t keep)
{
	uint64_t child = span / fs->addr_per_block;
	struct ext2_buf b;
	uint32_t i;
	int err = 0;

	if (*slot == 0 || base + span <= keep)
		return 0;
	if (!data_block_ok(fs, *slot))
		return bad_block(fs);
	if (level > 0) {
		err = fs->io->read(fs->io->ctx, *slot, &b);
		if (err)
			return err;
		uint32_t *slots = (uint32_t *)b.data;
		for (i = 0; i < fs->addr_per_block && !err; i++) {
			uint32_t old = slots[i];
			err = free_tree(fs, in, &slots[i], level - 1, base + i * child, child,
			                keep);
			if (slots[i] != old)
				fs->io->dirty(fs->io->ctx, &b);
		}
		fs->io->release(fs->io->ctx, &b);
		if (err)
			return err;
	}
	if (keep > base)
		return 0; /* part of it stays: keep the indirect block */
	err = drop_block(fs, in, *slot);
	if (!err)
		*slot = 0;
	return err;
}

int ext2_free_blocks_from(struct ext2_fs *fs, struct ext2_ino *in, uint64_t keep)
{
	uint64_t apb = fs->addr_per_block, base = EXT2_NDIR_BLOCKS, span = apb;
	uint32_t i;
	int err;

	if (fs->readonly)
		return -EROFS;
	for (i = 0; i < EXT2_NDIR_BLOCKS; i++) {
		err = free_tree(fs, in, &in->raw.i_block[i], 0, i, 1, keep);
		if (err)
			return err;
	}
	for (i = 0; i < 3; i++) {
		err = free_tree(fs, in, &in->raw.i_block[EXT2_IND_BLOCK + i], i + 1, base, span,
		                keep);
		if (err)
			return err;
		base += span;
		span *= apb;
	}
	return 0;
}
