/* SPDX-License-Identifier: MIT */
/*
 * A small mkfs: an empty ext2 file system (revision 1, filetype,
 * sparse_super and large_file, 128-byte inodes) with a root directory and
 * lost+found, laid out as mke2fs lays out groups without resize_inode:
 * superblock copy and descriptors (in the groups sparse_super names),
 * block bitmap, inode bitmap, inode table, data. The kernel tests format
 * RAM disks with it; the host tests check its images with e2fsck -fn.
 */
#include <cairn/errno.h>

#include "lib/ext2/ext2.h"
#include "lib/string.h"

#define LPF_INO 11u /* lost+found: the first non-reserved inode, as mke2fs */

/* Blocks group @g's metadata takes: backup super+descriptors, two bitmaps, inode table. */
static uint32_t group_meta(const struct ext2_fs *fs, uint32_t g)
{
	uint32_t itb = fs->sb.s_inodes_per_group * fs->inode_size / fs->block_size;

	return ext2_group_super_blocks(fs, g) + 2 + itb;
}

/* Choose the geometry for @o into @fs->sb and the derived fields. */
static int plan(struct ext2_fs *fs, const struct ext2_mkfs_opts *o)
{
	struct ext2_super *s = &fs->sb;
	uint32_t bs = o->block_size, ipb = bs / EXT2_GOOD_OLD_INODE_SIZE;
	uint64_t blocks = o->blocks;

	if ((bs != 1024 && bs != 2048 && bs != 4096) || blocks < 64 || blocks > 0xffffffffu)
		return -EINVAL;
	memset(fs, 0, sizeof(*fs));
	fs->block_size = bs;
	fs->inode_size = EXT2_GOOD_OLD_INODE_SIZE;
	s->s_log_block_size = bs == 1024 ? 0 : bs == 2048 ? 1 : 2;
	s->s_log_frag_size = s->s_log_block_size;
	s->s_first_data_block = bs == 1024 ? 1 : 0;
	s->s_blocks_per_group = s->s_frags_per_group = bs * 8;
	s->s_feature_ro_compat = EXT2_RO_COMPAT_SPARSE_SUPER | EXT2_RO_COMPAT_LARGE_FILE;
	fs->groups = (uint32_t)((blocks - s->s_first_data_block + bs * 8 - 1) / (bs * 8));
	/* One inode per 8 KiB, a whole number of inode-table blocks per group. */
	uint64_t ipg = (blocks * bs / 8192 + fs->groups - 1) / fs->groups;
	ipg = (ipg + ipb - 1) / ipb * ipb;
	if (ipg < ipb * 2)
		ipg = ipb * 2;
	if (ipg > bs * 8)
		ipg = bs * 8;
	s->s_inodes_per_group = (uint32_t)ipg;
	fs->gdt_blocks = (fs->groups * 32 + bs - 1) / bs;
	fs->gdt_block = s->s_first_data_block + 1;
	s->s_blocks_count = (uint32_t)blocks;
	/* A last group too small for its own metadata and some data is left out. */
	uint32_t last = fs->groups - 1;
	if (fs->groups > 1 && ext2_group_blocks(fs, last) < group_meta(fs, last) + 64) {
		s->s_blocks_count = s->s_first_data_block + last * s->s_blocks_per_group;
		fs->groups--;
	}
	if (ext2_group_blocks(fs, 0) < group_meta(fs, 0) + 16)
		return -ENOSPC;
	s->s_inodes_count = s->s_inodes_per_group * fs->groups;
	fs->first_ino = EXT2_GOOD_OLD_FIRST_INO;
	fs->addr_per_block = bs / 4;
	return 0;
}

static void fill_super(struct ext2_fs *fs, const struct ext2_mkfs_opts *o)
{
	struct ext2_super *s = &fs->sb;

	s->s_r_blocks_count = s->s_blocks_count / 20;
	s->s_mtime = 0;
	s->s_wtime = s->s_mkfs_time = s->s_lastcheck = o->now;
	s->s_max_mnt_count = -1;
	s->s_magic = EXT2_MAGIC;
	s->s_state = EXT2_VALID_FS;
	s->s_errors = 1; /* continue */
	s->s_rev_level = EXT2_DYNAMIC_REV;
	s->s_first_ino = EXT2_GOOD_OLD_FIRST_INO;
	s->s_inode_size = EXT2_GOOD_OLD_INODE_SIZE;
	s->s_feature_incompat = EXT2_INCOMPAT_FILETYPE;
	for (unsigned i = 0; i < 16; i++)
		s->s_uuid[i] = (uint8_t)((o->seed >> (i % 4 * 8)) ^ (i * 37));
	s->s_uuid[6] = (uint8_t)((s->s_uuid[6] & 0x0f) | 0x40); /* a version-4 UUID */
	memcpy(s->s_volume_name, "cairn", 5);
}

/* Write zeros to blocks [@first, @first + @n). */
static int zero_blocks(struct ext2_fs *fs, uint32_t first, uint32_t n)
{
	struct ext2_buf b;
	int err;

	for (uint32_t i = 0; i < n; i++) {
		err = fs->io->get(fs->io->ctx, first + i, &b);
		if (err)
			return err;
		memset(b.data, 0, fs->block_size);
		fs->io->dirty(fs->io->ctx, &b);
		fs->io->release(fs->io->ctx, &b);
	}
	return 0;
}

/* A bitmap block: the first @used bits set, bits from @valid to the block's end set (padding). */
static int write_bitmap(struct ext2_fs *fs, uint32_t blk, uint32_t used, uint32_t valid)
{
	struct ext2_buf b;
	int err = fs->io->get(fs->io->ctx, blk, &b);

	if (err)
		return err;
	memset(b.data, 0, fs->block_size);
	for (uint32_t i = 0; i < fs->block_size * 8; i++) {
		if (i < used || i >= valid)
			b.data[i >> 3] |= (uint8_t)(1u << (i & 7));
	}
	fs->io->dirty(fs->io->ctx, &b);
	fs->io->release(fs->io->ctx, &b);
	return 0;
}

/* Group @g's bitmaps and inode table; its descriptor into @gd. */
static int lay_group(struct ext2_fs *fs, uint32_t g, struct ext2_group_desc *gd)
{
	uint32_t first = fs->sb.s_first_data_block + g * fs->sb.s_blocks_per_group;
	uint32_t meta = group_meta(fs, g), sup = ext2_group_super_blocks(fs, g);
	uint32_t ipg = fs->sb.s_inodes_per_group, used_inodes = g == 0 ? LPF_INO : 0;
	int err;

	memset(gd, 0, sizeof(*gd));
	gd->bg_block_bitmap = first + sup;
	gd->bg_inode_bitmap = first + sup + 1;
	gd->bg_inode_table = first + sup + 2;
	err = zero_blocks(fs, gd->bg_inode_table, meta - sup - 2);
	if (!err)
		err = write_bitmap(fs, gd->bg_block_bitmap, meta, ext2_group_blocks(fs, g));
	if (!err)
		err = write_bitmap(fs, gd->bg_inode_bitmap, used_inodes, ipg);
	gd->bg_free_blocks_count = (uint16_t)(ext2_group_blocks(fs, g) - meta);
	gd->bg_free_inodes_count = (uint16_t)(ipg - used_inodes);
	return err;
}

/* Superblock and descriptor copies in every group that holds one. */
static int write_supers(struct ext2_fs *fs, const struct ext2_group_desc *gds)
{
	uint32_t per = fs->block_size / sizeof(*gds);
	struct ext2_buf b;
	int err;

	for (uint32_t g = 0; g < fs->groups; g++) {
		uint32_t first = fs->sb.s_first_data_block + g * fs->sb.s_blocks_per_group;
		if (!ext2_group_has_super(fs, g))
			continue;
		struct ext2_super copy = fs->sb;
		copy.s_block_group_nr = (uint16_t)g;
		uint32_t sblk = g == 0 ? (fs->block_size == 1024 ? 1 : 0) : first;
		uint32_t off = (g == 0 && fs->block_size > 1024) ? EXT2_SUPER_OFFSET : 0;
		err = fs->io->get(fs->io->ctx, sblk, &b);
		if (err)
			return err;
		if (g != 0 || fs->block_size == 1024)
			memset(b.data, 0, fs->block_size);
		else
			memset(b.data, 0, EXT2_SUPER_OFFSET + EXT2_SUPER_SIZE);
		memcpy(b.data + off, &copy, sizeof(copy));
		fs->io->dirty(fs->io->ctx, &b);
		fs->io->release(fs->io->ctx, &b);
		for (uint32_t i = 0; i < fs->gdt_blocks; i++) {
			err = fs->io->get(fs->io->ctx, first + 1 + i, &b);
			if (err)
				return err;
			memset(b.data, 0, fs->block_size);
			uint32_t n = fs->groups - i * per < per ? fs->groups - i * per : per;
			memcpy(b.data, gds + i * per, n * sizeof(*gds));
			fs->io->dirty(fs->io->ctx, &b);
			fs->io->release(fs->io->ctx, &b);
		}
	}
	return 0;
}

/* Root (inode 2) and lost+found (inode 11), through the engine itself. */
static int make_dirs(struct ext2_fs *fs, const struct ext2_mkfs_opts *o)
{
	struct ext2_ino root = { .ino = EXT2_ROOT_INO }, lpf = { .ino = LPF_INO };
	int err;

	root.raw.i_mode = EXT2_S_IFDIR | 0755;
	root.raw.i_links_count = 3; /* its name ".", its "..", lost+found's ".." */
	root.raw.i_atime = root.raw.i_ctime = root.raw.i_mtime = o->now;
	lpf.raw = root.raw;
	lpf.raw.i_mode = EXT2_S_IFDIR | 0700;
	lpf.raw.i_links_count = 2;
	err = ext2_dir_init(fs, &root, EXT2_ROOT_INO);
	if (!err)
		err = ext2_dir_init(fs, &lpf, EXT2_ROOT_INO);
	if (!err)
		err = ext2_dir_add(fs, &root, "lost+found", 10, LPF_INO, EXT2_FT_DIR);
	if (err)
		return err;
	struct ext2_group_desc *gd;
	struct ext2_buf b;
	err = ext2_gd_get(fs, 0, &b, &gd);
	if (err)
		return err;
	gd->bg_used_dirs_count = 2;
	fs->io->dirty(fs->io->ctx, &b);
	fs->io->release(fs->io->ctx, &b);
	return ext2_sync_super(fs, o->now);
}

int ext2_mkfs(struct ext2_fs *fs, const struct ext2_io *io, const struct ext2_mkfs_opts *o,
              struct ext2_group_desc *gds, uint32_t ngds)
{
	uint64_t free_blocks = 0;
	int err;

	err = plan(fs, o);
	if (err)
		return err;
	if (fs->groups > ngds)
		return -E2BIG;
	fs->io = io;
	fill_super(fs, o);
	for (uint32_t g = 0; g < fs->groups; g++) {
		err = lay_group(fs, g, &gds[g]);
		if (err)
			return err;
		free_blocks += gds[g].bg_free_blocks_count;
	}
	fs->sb.s_free_blocks_count = (uint32_t)free_blocks;
	fs->sb.s_free_inodes_count = fs->sb.s_inodes_count - LPF_INO;
	err = write_supers(fs, gds);
	if (err)
		return err;
	fs->filetype = true;
	return make_dirs(fs, o);
}
