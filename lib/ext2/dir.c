/* SPDX-License-Identifier: MIT */
/*
 * ext2 directories: linear lists of variable-length entries that tile
 * each block exactly (an entry's rec_len reaches the next; the last one
 * reaches the block's end; inode 0 marks an unused entry). Directories
 * that e2fsprogs indexed (dir_index, EXT2_INDEX_FL) keep this linear
 * view, so they are read as they are; a change clears the index flag
 * so nothing trusts the stale index afterwards (e2fsck -D can rebuild it).
 */
#include <cairn/errno.h>

#include "lib/ext2/ext2.h"
#include "lib/string.h"

/* rec_len as a byte count (64 KiB blocks store 65536 as 0 or 65535; ext4 docs). */
static uint32_t rec_len(const struct ext2_fs *fs, const struct ext2_dirent *d)
{
	if (fs->block_size == 65536 && (d->rec_len == 0 || d->rec_len == 65535))
		return 65536;
	return d->rec_len;
}

static void set_rec_len(const struct ext2_fs *fs, struct ext2_dirent *d, uint32_t n)
{
	d->rec_len = (uint16_t)(n == 65536 ? 65535 : n);
	(void)fs;
}

int ext2_dirblock_check(const struct ext2_fs *fs, const uint8_t *blk, uint32_t len,
                        const char **why)
{
	uint32_t off = 0, rl;

	while (off < len) {
		const struct ext2_dirent *d = (const void *)(blk + off);
		if (len - off < EXT2_DIRENT_HDR) {
			*why = "directory entry header crosses the block end";
			return -EUCLEAN;
		}
		rl = rec_len(fs, d);
		if (rl < EXT2_DIRENT_HDR || rl % 4 || rl > len - off) {
			*why = "directory entry with a bad rec_len";
			return -EUCLEAN;
		}
		if (EXT2_DIRENT_LEN(d->name_len) > rl) {
			*why = "directory entry name longer than the entry";
			return -EUCLEAN;
		}
		if (d->inode > fs->sb.s_inodes_count) {
			*why = "directory entry inode out of range";
			return -EUCLEAN;
		}
		if (d->inode && d->name_len == 0) {
			*why = "directory entry with an empty name";
			return -EUCLEAN;
		}
		off += rl;
	}
	return 0;
}

/* Read directory block @lblk of @dir, checked; a hole or a bad block is corruption. */
static int dir_block(struct ext2_fs *fs, struct ext2_ino *dir, uint64_t lblk, struct ext2_buf *b)
{
	const char *why;
	uint32_t blk;
	int err;

	err = ext2_bmap(fs, dir, lblk, false, &blk);
	if (err)
		return err;
	if (blk == 0) {
		ext2_error(fs, "directory has a hole");
		return -EUCLEAN;
	}
	err = fs->io->read(fs->io->ctx, blk, b);
	if (err)
		return err;
	if (ext2_dirblock_check(fs, b->data, fs->block_size, &why)) {
		fs->io->release(fs->io->ctx, b);
		ext2_error(fs, why);
		return -EUCLEAN;
	}
	return 0;
}

static uint64_t dir_nblocks(const struct ext2_fs *fs, const struct ext2_ino *dir)
{
	return ext2_i_size(&dir->raw) / fs->block_size;
}

int ext2_dir_iterate(struct ext2_fs *fs, struct ext2_ino *dir, uint64_t pos, ext2_dir_fn fn,
                     void *ctx)
{
	struct ext2_dirent_info e;
	struct ext2_buf b;
	int err, stop = 0;

	for (uint64_t lb = pos / fs->block_size; lb < dir_nblocks(fs, dir) && !stop; lb++) {
		err = dir_block(fs, dir, lb, &b);
		if (err)
			return err;
		uint64_t base = lb * fs->block_size;
		for (uint32_t off = 0; off < fs->block_size && !stop;) {
			const struct ext2_dirent *d = (const void *)(b.data + off);
			uint32_t rl = rec_len(fs, d);
			if (d->inode && base + off >= pos) {
				e.ino = d->inode;
				e.ftype = fs->filetype ? d->file_type : EXT2_FT_UNKNOWN;
				e.name_len = d->name_len;
				e.name = d->name;
				e.pos = base + off;
				e.next = base + off + rl;
				stop = fn(ctx, &e);
			}
			off += rl;
		}
		fs->io->release(fs->io->ctx, &b);
	}
	return stop;
}

/*
 * Find @name in @dir: the held block in @b, the entry's offset in it and
 * the previous entry's (or UINT32_MAX when it is the block's first).
 */
struct dir_hit {
	struct ext2_buf b;
	uint32_t off, prev;
};

static int dir_find(struct ext2_fs *fs, struct ext2_ino *dir, const char *name, size_t len,
                    struct dir_hit *h)
{
	int err;

	if (len == 0 || len > EXT2_NAME_LEN)
		return -ENOENT;
	for (uint64_t lb = 0; lb < dir_nblocks(fs, dir); lb++) {
		err = dir_block(fs, dir, lb, &h->b);
		if (err)
			return err;
		h->prev = UINT32_MAX;
		for (h->off = 0; h->off < fs->block_size;) {
			const struct ext2_dirent *d = (const void *)(h->b.data + h->off);
			if (d->inode && d->name_len == len && memcmp(d->name, name, len) == 0)
				return 0;
			h->prev = h->off;
			h->off += rec_len(fs, d);
		}
		fs->io->release(fs->io->ctx, &h->b);
	}
	return -ENOENT;
}

int ext2_dir_lookup(struct ext2_fs *fs, struct ext2_ino *dir, const char *name, size_t len,
                    uint32_t *ino)
{
	struct dir_hit h;
	int err;

	err = dir_find(fs, dir, name, len, &h);
	if (err)
		return err;
	*ino = ((const struct ext2_dirent *)(h.b.data + h.off))->inode;
	fs->io->release(fs->io->ctx, &h.b);
	return 0;
}

/* Fill entry @d with the name; rec_len is the caller's. */
static void fill_entry(const struct ext2_fs *fs, struct ext2_dirent *d, const char *name,
                       size_t len, uint32_t ino, uint8_t ftype)
{
	d->inode = ino;
	d->name_len = (uint8_t)len;
	d->file_type = fs->filetype ? ftype : 0;
	memcpy(d->name, name, len);
}

/* Try to fit the entry into block @b; true when it was placed. */
static bool place_in_block(struct ext2_fs *fs, struct ext2_buf *b, const char *name, size_t len,
                           uint32_t ino, uint8_t ftype)
{
	uint32_t need = EXT2_DIRENT_LEN(len);

	for (uint32_t off = 0; off < fs->block_size;) {
		struct ext2_dirent *d = (void *)(b->data + off);
		uint32_t rl = rec_len(fs, d);
		uint32_t used = d->inode ? EXT2_DIRENT_LEN(d->name_len) : 0;
		if (rl - used >= need) {
			if (used) {
				set_rec_len(fs, d, used);
				d = (void *)(b->data + off + used);
				set_rec_len(fs, d, rl - used);
			}
			fill_entry(fs, d, name, len, ino, ftype);
			return true;
		}
		off += rl;
	}
	return false;
}

/* A directory changed: its hash index (if any) is no longer right. */
static void dir_changed(struct ext2_ino *dir)
{
	dir->raw.i_flags &= ~EXT2_INDEX_FL;
}

/* Append a block holding only the new entry. */
static int dir_append(struct ext2_fs *fs, struct ext2_ino *dir, const char *name, size_t len,
                      uint32_t ino, uint8_t ftype)
{
	uint64_t lb = dir_nblocks(fs, dir);
	struct ext2_buf b;
	uint32_t blk;
	int err;

	err = ext2_bmap(fs, dir, lb, true, &blk);
	if (err)
		return err;
	err = fs->io->get(fs->io->ctx, blk, &b);
	if (err)
		return err;
	memset(b.data, 0, fs->block_size);
	struct ext2_dirent *d = (void *)b.data;
	set_rec_len(fs, d, fs->block_size);
	fill_entry(fs, d, name, len, ino, ftype);
	fs->io->dirty(fs->io->ctx, &b);
	fs->io->release(fs->io->ctx, &b);
	ext2_set_i_size(&dir->raw, (lb + 1) * fs->block_size);
	return 0;
}

int ext2_dir_add(struct ext2_fs *fs, struct ext2_ino *dir, const char *name, size_t len,
                 uint32_t ino, uint8_t ftype)
{
	struct ext2_buf b;
	int err;

	if (fs->readonly)
		return -EROFS;
	if (len == 0 || len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	for (uint64_t lb = 0; lb < dir_nblocks(fs, dir); lb++) {
		err = dir_block(fs, dir, lb, &b);
		if (err)
			return err;
		bool placed = place_in_block(fs, &b, name, len, ino, ftype);
		if (placed)
			fs->io->dirty(fs->io->ctx, &b);
		fs->io->release(fs->io->ctx, &b);
		if (placed) {
			dir_changed(dir);
			return ext2_write_inode(fs, dir);
		}
	}
	err = dir_append(fs, dir, name, len, ino, ftype);
	dir_changed(dir);
	int werr = ext2_write_inode(fs, dir);
	return err ? err : werr;
}

int ext2_dir_remove(struct ext2_fs *fs, struct ext2_ino *dir, const char *name, size_t len)
{
	struct dir_hit h;
	int err;

	if (fs->readonly)
		return -EROFS;
	err = dir_find(fs, dir, name, len, &h);
	if (err)
		return err;
	struct ext2_dirent *d = (void *)(h.b.data + h.off);
	if (h.prev == UINT32_MAX) {
		d->inode = 0; /* the block's first entry stays, unused */
	} else {
		struct ext2_dirent *p = (void *)(h.b.data + h.prev);
		set_rec_len(fs, p, rec_len(fs, p) + rec_len(fs, d));
	}
	fs->io->dirty(fs->io->ctx, &h.b);
	fs->io->release(fs->io->ctx, &h.b);
	dir_changed(dir);
	return ext2_write_inode(fs, dir);
}

int ext2_dir_retarget(struct ext2_fs *fs, struct ext2_ino *dir, const char *name, size_t len,
                      uint32_t ino, uint8_t ftype)
{
	struct dir_hit h;
	int err;

	if (fs->readonly)
		return -EROFS;
	err = dir_find(fs, dir, name, len, &h);
	if (err)
		return err;
	struct ext2_dirent *d = (void *)(h.b.data + h.off);
	d->inode = ino;
	d->file_type = fs->filetype ? ftype : 0;
	fs->io->dirty(fs->io->ctx, &h.b);
	fs->io->release(fs->io->ctx, &h.b);
	return 0;
}

/* Stop at the first entry that is neither "." nor "..". */
static int not_dot(void *ctx, const struct ext2_dirent_info *e)
{
	(void)ctx;
	if (e->name_len == 1 && e->name[0] == '.')
		return 0;
	if (e->name_len == 2 && e->name[0] == '.' && e->name[1] == '.')
		return 0;
	return 1;
}

int ext2_dir_empty(struct ext2_fs *fs, struct ext2_ino *dir)
{
	int r = ext2_dir_iterate(fs, dir, 0, not_dot, NULL);

	if (r < 0)
		return r;
	return r ? -ENOTEMPTY : 0;
}

int ext2_dir_init(struct ext2_fs *fs, struct ext2_ino *dir, uint32_t parent)
{
	struct ext2_dirent *d;
	struct ext2_buf b;
	uint32_t blk;
	int err;

	err = ext2_bmap(fs, dir, 0, true, &blk);
	if (err)
		return err;
	err = fs->io->get(fs->io->ctx, blk, &b);
	if (err)
		return err;
	memset(b.data, 0, fs->block_size);
	d = (void *)b.data;
	set_rec_len(fs, d, 12);
	fill_entry(fs, d, ".", 1, dir->ino, EXT2_FT_DIR);
	d = (void *)(b.data + 12);
	set_rec_len(fs, d, fs->block_size - 12);
	fill_entry(fs, d, "..", 2, parent, EXT2_FT_DIR);
	fs->io->dirty(fs->io->ctx, &b);
	fs->io->release(fs->io->ctx, &b);
	ext2_set_i_size(&dir->raw, fs->block_size);
	return ext2_write_inode(fs, dir);
}
