/* SPDX-License-Identifier: MIT */
/*
 * Block and inode allocation over the groups' bitmaps: a bit per block
 * (from the group's first block) or per inode (from the group's first
 * inode), 1 = in use. Every change keeps the three counts in step: the
 * bitmap, the group descriptor's free count and the superblock's.
 */
#include <cairn/errno.h>

#include "lib/ext2/ext2.h"
#include "lib/string.h"

long ext2_bitmap_find_clear(const uint8_t *bits, uint32_t nbits, uint32_t start)
{
	uint32_t i, n;

	if (nbits == 0)
		return -1;
	if (start >= nbits)
		start = 0;
	for (n = 0, i = start; n < nbits; n++, i = (i + 1 == nbits) ? 0 : i + 1) {
		/* Skip whole full bytes quickly. */
		if ((i & 7) == 0 && bits[i >> 3] == 0xff && i + 8 <= nbits && n + 8 <= nbits) {
			n += 7;
			i += 7;
			continue;
		}
		if (!(bits[i >> 3] & (1u << (i & 7))))
			return i;
	}
	return -1;
}

/* Which direction a count moves. */
enum ext2_count_op { EXT2_TAKE, EXT2_GIVE };

/*
 * Set or clear bit @bit of the bitmap at block @bmblk; -EUCLEAN when it
 * already was what we wanted (a double free or a double use).
 */
static int flip_bit(struct ext2_fs *fs, uint32_t bmblk, uint32_t bit, enum ext2_count_op op)
{
	struct ext2_buf b;
	uint8_t mask = (uint8_t)(1u << (bit & 7));
	bool set;
	int err;

	err = fs->io->read(fs->io->ctx, bmblk, &b);
	if (err)
		return err;
	set = b.data[bit >> 3] & mask;
	if (set == (op == EXT2_TAKE)) {
		fs->io->release(fs->io->ctx, &b);
		ext2_error(fs, op == EXT2_TAKE ? "allocating an object already in use"
		                               : "freeing an object already free");
		return -EUCLEAN;
	}
	b.data[bit >> 3] ^= mask;
	fs->io->dirty(fs->io->ctx, &b);
	fs->io->release(fs->io->ctx, &b);
	return 0;
}

/* Find a clear bit in group @g's block bitmap from @start and take it. */
static int take_block_in(struct ext2_fs *fs, uint32_t g, uint32_t start, uint32_t *blk)
{
	struct ext2_group_desc *gd;
	struct ext2_buf gb, bb;
	long bit;
	int err;

	err = ext2_gd_get(fs, g, &gb, &gd);
	if (err)
		return err;
	err = -ENOSPC;
	if (gd->bg_free_blocks_count == 0)
		goto out_gd;
	err = fs->io->read(fs->io->ctx, gd->bg_block_bitmap, &bb);
	if (err)
		goto out_gd;
	bit = ext2_bitmap_find_clear(bb.data, ext2_group_blocks(fs, g), start);
	if (bit >= 0) {
		bb.data[bit >> 3] |= (uint8_t)(1u << (bit & 7));
		fs->io->dirty(fs->io->ctx, &bb);
		gd->bg_free_blocks_count--;
		fs->io->dirty(fs->io->ctx, &gb);
		fs->sb.s_free_blocks_count--;
		fs->sb_dirty = true;
		*blk = fs->sb.s_first_data_block + g * fs->sb.s_blocks_per_group + (uint32_t)bit;
		err = 0;
	} else {
		/* The count said there was room: the bitmap disagrees. */
		ext2_error(fs, "block bitmap full but group descriptor counts free blocks");
		err = -EUCLEAN;
	}
	fs->io->release(fs->io->ctx, &bb);
out_gd:
	fs->io->release(fs->io->ctx, &gb);
	return err;
}

int ext2_alloc_block(struct ext2_fs *fs, uint32_t goal, uint32_t *blk)
{
	uint32_t g0, start, i, g;
	int err;

	if (fs->readonly)
		return -EROFS;
	if (fs->sb.s_free_blocks_count == 0)
		return -ENOSPC;
	if (goal < fs->sb.s_first_data_block || goal >= fs->sb.s_blocks_count)
		goal = fs->sb.s_first_data_block + fs->last_group * fs->sb.s_blocks_per_group;
	g0 = (goal - fs->sb.s_first_data_block) / fs->sb.s_blocks_per_group;
	start = (goal - fs->sb.s_first_data_block) % fs->sb.s_blocks_per_group;
	for (i = 0; i < fs->groups; i++) {
		g = (g0 + i) % fs->groups;
		err = take_block_in(fs, g, i == 0 ? start : 0, blk);
		if (err != -ENOSPC) {
			if (!err)
				fs->last_group = g;
			return err;
		}
	}
	return -ENOSPC;
}

int ext2_free_block(struct ext2_fs *fs, uint32_t blk)
{
	struct ext2_group_desc *gd;
	struct ext2_buf gb;
	uint32_t g, bit;
	int err;

	if (blk < fs->gdt_block + fs->gdt_blocks || blk >= fs->sb.s_blocks_count) {
		ext2_error(fs, "freeing a block outside the data area");
		return -EUCLEAN;
	}
	g = (blk - fs->sb.s_first_data_block) / fs->sb.s_blocks_per_group;
	bit = (blk - fs->sb.s_first_data_block) % fs->sb.s_blocks_per_group;
	err = ext2_gd_get(fs, g, &gb, &gd);
	if (err)
		return err;
	err = flip_bit(fs, gd->bg_block_bitmap, bit, EXT2_GIVE);
	if (!err) {
		gd->bg_free_blocks_count++;
		fs->io->dirty(fs->io->ctx, &gb);
		fs->sb.s_free_blocks_count++;
		fs->sb_dirty = true;
	}
	fs->io->release(fs->io->ctx, &gb);
	return err;
}

/* Pick a group for a new inode: the parent's for files, the emptiest for directories. */
static int pick_inode_group(struct ext2_fs *fs, uint32_t pg, bool dir, uint32_t *out)
{
	struct ext2_group_desc *gd;
	struct ext2_buf b;
	uint32_t i, g, best_free = 0;
	bool found = false;
	int err;

	for (i = 0; i < fs->groups; i++) {
		g = (pg + i) % fs->groups;
		err = ext2_gd_get(fs, g, &b, &gd);
		if (err)
			return err;
		uint32_t fi = gd->bg_free_inodes_count, fb = gd->bg_free_blocks_count;
		fs->io->release(fs->io->ctx, &b);
		if (fi == 0)
			continue;
		if (!dir && fb > 0) {
			*out = g;
			return 0;
		}
		if (!found || fi + fb / 8 > best_free) {
			best_free = fi + fb / 8;
			*out = g;
			found = true;
		}
	}
	return found ? 0 : -ENOSPC;
}

/* Take a free inode of group @g. */
static int take_inode_in(struct ext2_fs *fs, uint32_t g, bool dir, uint32_t *ino)
{
	struct ext2_group_desc *gd;
	struct ext2_buf gb, bb;
	uint32_t start = g == 0 ? fs->first_ino - 1 : 0;
	long bit;
	int err;

	err = ext2_gd_get(fs, g, &gb, &gd);
	if (err)
		return err;
	err = fs->io->read(fs->io->ctx, gd->bg_inode_bitmap, &bb);
	if (err)
		goto out_gd;
	bit = ext2_bitmap_find_clear(bb.data, fs->sb.s_inodes_per_group, start);
	if (bit < 0 || (g == 0 && (uint32_t)bit < fs->first_ino - 1)) {
		ext2_error(fs, "inode bitmap full but group descriptor counts free inodes");
		err = -EUCLEAN;
	} else {
		bb.data[bit >> 3] |= (uint8_t)(1u << (bit & 7));
		fs->io->dirty(fs->io->ctx, &bb);
		gd->bg_free_inodes_count--;
		if (dir)
			gd->bg_used_dirs_count++;
		fs->io->dirty(fs->io->ctx, &gb);
		fs->sb.s_free_inodes_count--;
		fs->sb_dirty = true;
		*ino = g * fs->sb.s_inodes_per_group + (uint32_t)bit + 1;
	}
	fs->io->release(fs->io->ctx, &bb);
out_gd:
	fs->io->release(fs->io->ctx, &gb);
	return err;
}

int ext2_alloc_inode(struct ext2_fs *fs, uint32_t parent, bool dir, uint32_t *ino)
{
	uint32_t g = 0;
	int err;

	if (fs->readonly)
		return -EROFS;
	if (fs->sb.s_free_inodes_count == 0)
		return -ENOSPC;
	if (parent == 0 || parent > fs->sb.s_inodes_count)
		parent = EXT2_ROOT_INO;
	err = pick_inode_group(fs, (parent - 1) / fs->sb.s_inodes_per_group, dir, &g);
	if (err)
		return err;
	return take_inode_in(fs, g, dir, ino);
}

int ext2_free_inode(struct ext2_fs *fs, uint32_t ino, bool dir)
{
	struct ext2_group_desc *gd;
	struct ext2_buf gb;
	uint32_t g, bit;
	int err;

	if (ino < fs->first_ino || ino > fs->sb.s_inodes_count) {
		ext2_error(fs, "freeing a reserved or out-of-range inode");
		return -EUCLEAN;
	}
	g = (ino - 1) / fs->sb.s_inodes_per_group;
	bit = (ino - 1) % fs->sb.s_inodes_per_group;
	err = ext2_gd_get(fs, g, &gb, &gd);
	if (err)
		return err;
	err = flip_bit(fs, gd->bg_inode_bitmap, bit, EXT2_GIVE);
	if (!err) {
		gd->bg_free_inodes_count++;
		if (dir && gd->bg_used_dirs_count)
			gd->bg_used_dirs_count--;
		fs->io->dirty(fs->io->ctx, &gb);
		fs->sb.s_free_inodes_count++;
		fs->sb_dirty = true;
	}
	fs->io->release(fs->io->ctx, &gb);
	return err;
}
