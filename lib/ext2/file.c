/* SPDX-License-Identifier: MIT */
/*
 * File data block by block through the engine's I/O: what the host tests
 * (and the fuzzer) read and write with, and what the kernel uses for slow
 * symbolic links. The kernel's regular files go through its page cache,
 * which maps blocks with ext2_bmap() itself.
 */
#include <cairn/errno.h>

#include "lib/ext2/ext2.h"
#include "lib/string.h"

long ext2_file_read(struct ext2_fs *fs, struct ext2_ino *in, uint64_t off, void *buf, size_t len)
{
	uint64_t size = ext2_i_size(&in->raw);
	uint8_t *out = buf;
	size_t done = 0;
	struct ext2_buf b;
	uint32_t blk;
	int err;

	if (off >= size)
		return 0;
	if (len > size - off)
		len = (size_t)(size - off);
	while (done < len) {
		uint32_t boff = (uint32_t)((off + done) % fs->block_size);
		size_t n = fs->block_size - boff;
		if (n > len - done)
			n = len - done;
		err = ext2_bmap(fs, in, (off + done) / fs->block_size, false, &blk);
		if (err)
			return done ? (long)done : err;
		if (blk == 0) {
			memset(out + done, 0, n);
		} else {
			err = fs->io->read(fs->io->ctx, blk, &b);
			if (err)
				return done ? (long)done : err;
			memcpy(out + done, b.data + boff, n);
			fs->io->release(fs->io->ctx, &b);
		}
		done += n;
	}
	return (long)done;
}

/* Copy @n bytes into block @lblk of @in at @boff, allocating it (zeroed around) if new. */
static int write_block(struct ext2_fs *fs, struct ext2_ino *in, uint64_t lblk, uint32_t boff,
                       const uint8_t *src, size_t n)
{
	struct ext2_buf b;
	uint32_t blk;
	bool fresh;
	int err;

	err = ext2_bmap(fs, in, lblk, false, &blk);
	if (err)
		return err;
	fresh = blk == 0;
	if (fresh) {
		err = ext2_bmap(fs, in, lblk, true, &blk);
		if (err)
			return err;
	}
	if (fresh || n == fs->block_size)
		err = fs->io->get(fs->io->ctx, blk, &b);
	else
		err = fs->io->read(fs->io->ctx, blk, &b);
	if (err)
		return err;
	if (fresh)
		memset(b.data, 0, fs->block_size);
	memcpy(b.data + boff, src, n);
	fs->io->dirty(fs->io->ctx, &b);
	fs->io->release(fs->io->ctx, &b);
	return 0;
}

long ext2_file_write(struct ext2_fs *fs, struct ext2_ino *in, uint64_t off, const void *buf,
                     size_t len)
{
	const uint8_t *src = buf;
	size_t done = 0;
	int err = 0;

	if (fs->readonly)
		return -EROFS;
	if (off + len < off ||
	    (off + len + fs->block_size - 1) / fs->block_size > ext2_max_lblocks(fs))
		return -EFBIG;
	while (done < len) {
		uint32_t boff = (uint32_t)((off + done) % fs->block_size);
		size_t n = fs->block_size - boff;
		if (n > len - done)
			n = len - done;
		err = write_block(fs, in, (off + done) / fs->block_size, boff, src + done, n);
		if (err)
			break;
		done += n;
	}
	if (off + done > ext2_i_size(&in->raw))
		ext2_set_i_size(&in->raw, off + done);
	if (done && (ext2_i_size(&in->raw) >> 31)) {
		fs->sb.s_feature_ro_compat |= EXT2_RO_COMPAT_LARGE_FILE;
		fs->sb_dirty = true;
	}
	int werr = ext2_write_inode(fs, in);
	if (done == 0)
		return err ? err : werr;
	return (long)done;
}

/* Zero the bytes of the block holding @size past @size (a partial last block). */
static int zero_tail(struct ext2_fs *fs, struct ext2_ino *in, uint64_t size)
{
	uint32_t boff = (uint32_t)(size % fs->block_size), blk;
	struct ext2_buf b;
	int err;

	if (boff == 0)
		return 0;
	err = ext2_bmap(fs, in, size / fs->block_size, false, &blk);
	if (err || blk == 0)
		return err;
	err = fs->io->read(fs->io->ctx, blk, &b);
	if (err)
		return err;
	memset(b.data + boff, 0, fs->block_size - boff);
	fs->io->dirty(fs->io->ctx, &b);
	fs->io->release(fs->io->ctx, &b);
	return 0;
}

int ext2_truncate(struct ext2_fs *fs, struct ext2_ino *in, uint64_t size)
{
	uint64_t keep = (size + fs->block_size - 1) / fs->block_size;
	int err;

	if (fs->readonly)
		return -EROFS;
	if (keep > ext2_max_lblocks(fs))
		return -EFBIG;
	if (size < ext2_i_size(&in->raw)) {
		err = ext2_free_blocks_from(fs, in, keep);
		if (!err)
			err = zero_tail(fs, in, size);
		if (err)
			return err;
	}
	ext2_set_i_size(&in->raw, size);
	if (size >> 31) {
		fs->sb.s_feature_ro_compat |= EXT2_RO_COMPAT_LARGE_FILE;
		fs->sb_dirty = true;
	}
	return ext2_write_inode(fs, in);
}
