/* SPDX-License-Identifier: MIT */
/*
 * ext2 inodes: where inode N lives (its group's inode table), reading and
 * writing its first 128 bytes, and the fields whose meaning depends on
 * the features (the size's high half, fast symbolic links, device numbers).
 */
#include <cairn/errno.h>

#include "lib/ext2/ext2.h"
#include "lib/string.h"

/* The block and byte offset of inode @ino's slot. */
static int inode_place(struct ext2_fs *fs, uint32_t ino, uint64_t *blk, uint32_t *off)
{
	struct ext2_group_desc *gd;
	struct ext2_buf b;
	uint32_t g, idx;
	uint64_t byte;
	int err;

	if (ino == 0 || ino > fs->sb.s_inodes_count) {
		fs->why = "inode number out of range";
		return -EUCLEAN;
	}
	g = (ino - 1) / fs->sb.s_inodes_per_group;
	idx = (ino - 1) % fs->sb.s_inodes_per_group;
	err = ext2_gd_get(fs, g, &b, &gd);
	if (err)
		return err;
	byte = (uint64_t)idx * fs->inode_size;
	*blk = gd->bg_inode_table + byte / fs->block_size;
	*off = (uint32_t)(byte % fs->block_size);
	fs->io->release(fs->io->ctx, &b);
	/* The descriptor was checked at open, but it may have changed on disk since. */
	if (*blk >= fs->sb.s_blocks_count) {
		fs->why = "inode table outside the file system";
		return -EUCLEAN;
	}
	return 0;
}

int ext2_read_inode(struct ext2_fs *fs, uint32_t ino, struct ext2_ino *out)
{
	struct ext2_buf b;
	uint64_t blk;
	uint32_t off;
	int err;

	err = inode_place(fs, ino, &blk, &off);
	if (err)
		return err;
	err = fs->io->read(fs->io->ctx, blk, &b);
	if (err)
		return err;
	out->ino = ino;
	memcpy(&out->raw, b.data + off, sizeof(out->raw));
	fs->io->release(fs->io->ctx, &b);
	if (out->raw.i_flags & (EXT2_EXTENTS_FL | EXT2_INLINE_FL)) {
		fs->why = "inode uses ext4 extents or inline data";
		return -EUCLEAN;
	}
	return 0;
}

int ext2_write_inode(struct ext2_fs *fs, const struct ext2_ino *in)
{
	struct ext2_buf b;
	uint64_t blk;
	uint32_t off;
	int err;

	if (fs->readonly)
		return -EROFS;
	err = inode_place(fs, in->ino, &blk, &off);
	if (err)
		return err;
	err = fs->io->read(fs->io->ctx, blk, &b);
	if (err)
		return err;
	memcpy(b.data + off, &in->raw, sizeof(in->raw));
	fs->io->dirty(fs->io->ctx, &b);
	fs->io->release(fs->io->ctx, &b);
	return 0;
}

uint64_t ext2_i_size(const struct ext2_inode *r)
{
	/* i_size_high is the size's top half for regular files only (large_file). */
	if ((r->i_mode & EXT2_S_IFMT) == EXT2_S_IFREG)
		return (uint64_t)r->i_size_high << 32 | r->i_size;
	return r->i_size;
}

void ext2_set_i_size(struct ext2_inode *r, uint64_t size)
{
	r->i_size = (uint32_t)size;
	if ((r->i_mode & EXT2_S_IFMT) == EXT2_S_IFREG)
		r->i_size_high = (uint32_t)(size >> 32);
}

bool ext2_is_fast_symlink(const struct ext2_fs *fs, const struct ext2_inode *r)
{
	/* A link with no data blocks keeps its target in i_block (e2fsprogs' rule). */
	uint32_t acl_blocks = r->i_file_acl ? fs->block_size / 512 : 0;

	return (r->i_mode & EXT2_S_IFMT) == EXT2_S_IFLNK && r->i_blocks == acl_blocks &&
	       r->i_size < sizeof(r->i_block);
}

uint8_t ext2_mode_ftype(uint32_t mode)
{
	switch (mode & EXT2_S_IFMT) {
	case EXT2_S_IFREG:
		return EXT2_FT_REG_FILE;
	case EXT2_S_IFDIR:
		return EXT2_FT_DIR;
	case EXT2_S_IFCHR:
		return EXT2_FT_CHRDEV;
	case EXT2_S_IFBLK:
		return EXT2_FT_BLKDEV;
	case EXT2_S_IFIFO:
		return EXT2_FT_FIFO;
	case EXT2_S_IFSOCK:
		return EXT2_FT_SOCK;
	case EXT2_S_IFLNK:
		return EXT2_FT_SYMLINK;
	default:
		return EXT2_FT_UNKNOWN;
	}
}

uint32_t ext2_node_rdev(const struct ext2_inode *r)
{
	/*
	 * Linux keeps old 16-bit numbers (major << 8 | minor) in i_block[0]
	 * and new ones in i_block[1] as (minor & 0xff) | major << 8 |
	 * (minor & ~0xff) << 12 -- the same encoding as its dev_t.
	 */
	if (r->i_block[0])
		return r->i_block[0] & 0xffffu;
	return r->i_block[1];
}
