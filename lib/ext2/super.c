/* SPDX-License-Identifier: MIT */
/*
 * The ext2 superblock and group descriptors: checked in full when a file
 * system is opened (so later code may trust the geometry), the features
 * sorted into refused, read-only and supported, sparse_super backup
 * placement, and the in-memory superblock written back.
 */
#include <cairn/errno.h>

#include "lib/ext2/ext2.h"
#include "lib/string.h"

/* Fail with -EUCLEAN and a reason the caller logs. */
static int corrupt(struct ext2_fs *fs, const char *why)
{
	fs->why = why;
	return -EUCLEAN;
}

/* Whether @n is a power of @base (1 counts: base^0). */
static bool is_power_of(uint32_t n, uint32_t base)
{
	while (n > 1 && n % base == 0)
		n /= base;
	return n == 1;
}

bool ext2_group_has_super(const struct ext2_fs *fs, uint32_t g)
{
	/* sparse_super: groups 0, 1 and powers of 3, 5 and 7 (ext4 docs, "Block Groups"). */
	if (g <= 1 || !(fs->sb.s_feature_ro_compat & EXT2_RO_COMPAT_SPARSE_SUPER))
		return true;
	if (g % 2 == 0)
		return false;
	return is_power_of(g, 3) || is_power_of(g, 5) || is_power_of(g, 7);
}

uint32_t ext2_group_super_blocks(const struct ext2_fs *fs, uint32_t g)
{
	if (!ext2_group_has_super(fs, g))
		return 0;
	return 1 + fs->gdt_blocks + fs->sb.s_reserved_gdt_blocks;
}

uint32_t ext2_group_blocks(const struct ext2_fs *fs, uint32_t g)
{
	uint32_t first = fs->sb.s_first_data_block + g * fs->sb.s_blocks_per_group;

	if (g + 1 < fs->groups)
		return fs->sb.s_blocks_per_group;
	return fs->sb.s_blocks_count - first;
}

/* Sort the features: refuse what changes the layout, read only what we could break. */
static int check_features(struct ext2_fs *fs)
{
	const struct ext2_super *s = &fs->sb;

	if (s->s_rev_level == EXT2_GOOD_OLD_REV)
		return 0;
	if (s->s_feature_incompat & ~EXT2_INCOMPAT_SUPP) {
		fs->why = (s->s_feature_incompat & EXT2_INCOMPAT_RECOVER)
		                  ? "journal needs recovery (ext3/ext4)"
		                  : "unsupported incompatible features";
		return -EINVAL;
	}
	if (s->s_feature_ro_compat & ~EXT2_RO_COMPAT_SUPP) {
		fs->readonly = true;
		fs->why = "unsupported read-only-compatible features, mounting read-only";
	}
	return 0;
}

/* The numbers the geometry is derived from, each within what the format allows. */
static int check_geometry(struct ext2_fs *fs)
{
	const struct ext2_super *s = &fs->sb;
	uint64_t ngroups;

	if (s->s_magic != EXT2_MAGIC) {
		fs->why = "bad superblock magic";
		return -EINVAL;
	}
	if (s->s_rev_level > EXT2_DYNAMIC_REV)
		return corrupt(fs, "unknown revision level");
	if (s->s_log_block_size > EXT2_MAX_BLOCK_LOG - EXT2_MIN_BLOCK_LOG)
		return corrupt(fs, "block size out of range");
	fs->block_size = 1024u << s->s_log_block_size;
	if (s->s_first_data_block != (fs->block_size == 1024 ? 1u : 0u))
		return corrupt(fs, "first data block does not match the block size");
	if (s->s_blocks_per_group == 0 || s->s_blocks_per_group > fs->block_size * 8)
		return corrupt(fs, "blocks per group out of range");
	if (s->s_inodes_per_group == 0 || s->s_inodes_per_group > fs->block_size * 8)
		return corrupt(fs, "inodes per group out of range");
	if (s->s_blocks_count <= s->s_first_data_block)
		return corrupt(fs, "no blocks");
	ngroups = (s->s_blocks_count - s->s_first_data_block + s->s_blocks_per_group - 1) /
	          s->s_blocks_per_group;
	if ((uint64_t)s->s_inodes_per_group * ngroups != s->s_inodes_count)
		return corrupt(fs, "inode count does not match the groups");
	fs->groups = (uint32_t)ngroups;
	fs->inode_size = EXT2_GOOD_OLD_INODE_SIZE;
	fs->first_ino = EXT2_GOOD_OLD_FIRST_INO;
	if (s->s_rev_level >= EXT2_DYNAMIC_REV) {
		fs->inode_size = s->s_inode_size;
		fs->first_ino = s->s_first_ino;
	}
	if (fs->inode_size < EXT2_GOOD_OLD_INODE_SIZE || fs->inode_size > fs->block_size ||
	    (fs->inode_size & (fs->inode_size - 1)))
		return corrupt(fs, "inode size out of range");
	if (fs->first_ino <= EXT2_ROOT_INO || fs->first_ino >= s->s_inodes_count)
		return corrupt(fs, "first inode out of range");
	return 0;
}

/* The rest of the layout, once the numbers it uses are sane. */
static int check_layout(struct ext2_fs *fs, uint64_t dev_kib)
{
	const struct ext2_super *s = &fs->sb;
	uint32_t per_block = fs->block_size / sizeof(struct ext2_group_desc);

	fs->addr_per_block = fs->block_size / 4;
	fs->gdt_block = s->s_first_data_block + 1;
	fs->gdt_blocks = (fs->groups + per_block - 1) / per_block;
	if (s->s_rev_level == EXT2_GOOD_OLD_REV)
		fs->sb.s_reserved_gdt_blocks = 0;
	fs->dev_blocks = dev_kib / (fs->block_size / 1024);
	if (dev_kib && s->s_blocks_count > fs->dev_blocks)
		return corrupt(fs, "file system larger than the device");
	if ((uint64_t)fs->gdt_block + fs->gdt_blocks + s->s_reserved_gdt_blocks >
	    ext2_group_blocks(fs, 0) + s->s_first_data_block)
		return corrupt(fs, "group descriptors do not fit in group 0");
	if (s->s_free_blocks_count > s->s_blocks_count ||
	    s->s_free_inodes_count > s->s_inodes_count)
		return corrupt(fs, "free counts larger than the totals");
	return 0;
}

/* Whether the @n blocks at @blk lie inside the file system, past the primary descriptors. */
static bool range_ok(const struct ext2_fs *fs, uint64_t blk, uint64_t n)
{
	return blk >= fs->gdt_block + fs->gdt_blocks && blk + n <= fs->sb.s_blocks_count;
}

/* One descriptor: bitmaps and inode table on the disk, counts within the group. */
static int check_gd(struct ext2_fs *fs, uint32_t g, const struct ext2_group_desc *gd)
{
	uint32_t itb =
		(fs->sb.s_inodes_per_group * fs->inode_size + fs->block_size - 1) / fs->block_size;

	if (!range_ok(fs, gd->bg_block_bitmap, 1) || !range_ok(fs, gd->bg_inode_bitmap, 1) ||
	    !range_ok(fs, gd->bg_inode_table, itb))
		return corrupt(fs, "group descriptor points outside the file system");
	if (gd->bg_free_blocks_count > ext2_group_blocks(fs, g) ||
	    gd->bg_free_inodes_count > fs->sb.s_inodes_per_group)
		return corrupt(fs, "group descriptor free counts out of range");
	return 0;
}

static int check_all_gds(struct ext2_fs *fs)
{
	struct ext2_group_desc *gd;
	struct ext2_buf b;
	uint32_t g;
	int err;

	for (g = 0; g < fs->groups; g++) {
		err = ext2_gd_get(fs, g, &b, &gd);
		if (err)
			return err;
		err = check_gd(fs, g, gd);
		fs->io->release(fs->io->ctx, &b);
		if (err)
			return err;
	}
	return 0;
}

int ext2_open(struct ext2_fs *fs, const struct ext2_io *io, const void *sbbuf, uint64_t dev_kib)
{
	int err;

	memset(fs, 0, sizeof(*fs));
	memcpy(&fs->sb, sbbuf, sizeof(fs->sb));
	fs->io = io;
	err = check_geometry(fs);
	if (!err)
		err = check_features(fs);
	if (!err)
		err = check_layout(fs, dev_kib);
	if (!err)
		err = check_all_gds(fs);
	if (err)
		return err;
	fs->filetype = fs->sb.s_rev_level >= EXT2_DYNAMIC_REV &&
	               (fs->sb.s_feature_incompat & EXT2_INCOMPAT_FILETYPE);
	if (fs->sb.s_state & EXT2_ERROR_FS) {
		fs->readonly = true;
		fs->why = "file system has errors, mounting read-only; run e2fsck";
	} else if (!(fs->sb.s_state & EXT2_VALID_FS)) {
		fs->readonly = true;
		fs->why = "not cleanly unmounted, mounting read-only; run e2fsck";
	}
	return 0;
}

int ext2_gd_get(struct ext2_fs *fs, uint32_t g, struct ext2_buf *b, struct ext2_group_desc **gd)
{
	uint32_t per_block = fs->block_size / sizeof(struct ext2_group_desc);
	int err;

	if (g >= fs->groups)
		return corrupt(fs, "group number out of range");
	err = fs->io->read(fs->io->ctx, fs->gdt_block + g / per_block, b);
	if (err)
		return err;
	*gd = (struct ext2_group_desc *)b->data + g % per_block;
	return 0;
}

int ext2_sync_super(struct ext2_fs *fs, uint32_t now)
{
	uint32_t blk = fs->block_size == 1024 ? 1 : 0;
	uint32_t off = fs->block_size == 1024 ? 0 : EXT2_SUPER_OFFSET;
	struct ext2_buf b;
	int err;

	err = fs->io->read(fs->io->ctx, blk, &b);
	if (err)
		return err;
	fs->sb.s_wtime = now;
	memcpy(b.data + off, &fs->sb, sizeof(fs->sb));
	fs->io->dirty(fs->io->ctx, &b);
	fs->io->release(fs->io->ctx, &b);
	fs->sb_dirty = false;
	return 0;
}

int ext2_mount_rw(struct ext2_fs *fs, uint32_t now)
{
	if (fs->readonly)
		return -EROFS;
	/* Linux's way: the disk says "not clean" while it is mounted for writing. */
	fs->sb.s_state &= (uint16_t)~EXT2_VALID_FS;
	fs->sb.s_mnt_count++;
	fs->sb.s_mtime = now;
	return ext2_sync_super(fs, now);
}

int ext2_unmount_clean(struct ext2_fs *fs, uint32_t now)
{
	if (fs->readonly)
		return 0;
	if (!(fs->sb.s_state & EXT2_ERROR_FS))
		fs->sb.s_state |= EXT2_VALID_FS;
	return ext2_sync_super(fs, now);
}

void ext2_error(struct ext2_fs *fs, const char *why)
{
	fs->why = why;
	if (fs->readonly)
		return;
	fs->sb.s_state |= EXT2_ERROR_FS;
	fs->sb_dirty = true;
	/* Best effort: the error mark reaches the disk before writes stop. */
	if (ext2_sync_super(fs, fs->sb.s_wtime) != 0)
		fs->sb_dirty = true;
	fs->readonly = true;
}
