/* SPDX-License-Identifier: MIT */
/*
 * Whole name operations on ext2: each one changes directory entries, link
 * counts and inodes together, in an order that leaves e2fsck something it
 * can repair if the machine stops half-way (a name is added before the
 * old one goes; an inode is freed only after its last name).
 *
 * Link counts, as e2fsck checks them: a file has one per name; a
 * directory has one for its name, one for its own "." and one for each
 * subdirectory's "..".
 */
#include <cairn/errno.h>

#include "lib/ext2/ext2.h"
#include "lib/string.h"

static bool is_dir(const struct ext2_ino *in)
{
	return (in->raw.i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
}

/* The fields of a new inode; the rest zero. */
static void init_raw(struct ext2_ino *out, uint32_t ino, const struct ext2_new *n)
{
	memset(out, 0, sizeof(*out));
	out->ino = ino;
	out->raw.i_mode = (uint16_t)n->mode;
	out->raw.i_uid = (uint16_t)n->uid;
	out->raw.i_uid_high = (uint16_t)(n->uid >> 16);
	out->raw.i_gid = (uint16_t)n->gid;
	out->raw.i_gid_high = (uint16_t)(n->gid >> 16);
	out->raw.i_links_count = is_dir(out) ? 2 : 1;
	out->raw.i_atime = out->raw.i_ctime = out->raw.i_mtime = n->now;
}

/* Store a device number as Linux does: old 16-bit form when it fits, else the new one. */
static void set_rdev(struct ext2_inode *r, uint32_t rdev)
{
	uint32_t major = (rdev >> 8) & 0xfffu, minor = (rdev & 0xffu) | ((rdev >> 12) & 0xfff00u);

	if (major < 256 && minor < 256)
		r->i_block[0] = major << 8 | minor;
	else
		r->i_block[1] = rdev;
}

/* A symbolic link's target: in i_block when short, else in a block of its own. */
static int set_target(struct ext2_fs *fs, struct ext2_ino *in, const char *target)
{
	size_t len = strlen(target);
	long n;

	if (len == 0 || len >= fs->block_size)
		return -ENAMETOOLONG;
	if (len < sizeof(in->raw.i_block)) {
		memcpy(in->raw.i_block, target, len);
		ext2_set_i_size(&in->raw, len);
		return ext2_write_inode(fs, in);
	}
	n = ext2_file_write(fs, in, 0, target, len);
	if (n < 0)
		return (int)n;
	return n == (long)len ? 0 : -ENOSPC;
}

/* Give the new inode its contents: a directory's first block, a link's target, a node's number. */
static int fill_new(struct ext2_fs *fs, struct ext2_ino *dir, const struct ext2_new *n,
                    struct ext2_ino *out)
{
	switch (n->mode & EXT2_S_IFMT) {
	case EXT2_S_IFDIR:
		return ext2_dir_init(fs, out, dir->ino);
	case EXT2_S_IFLNK:
		return set_target(fs, out, n->target ? n->target : "");
	case EXT2_S_IFCHR:
	case EXT2_S_IFBLK:
		set_rdev(&out->raw, n->rdev);
		return ext2_write_inode(fs, out);
	default:
		return ext2_write_inode(fs, out);
	}
}

int ext2_create(struct ext2_fs *fs, struct ext2_ino *dir, const char *name, size_t len,
                const struct ext2_new *n, struct ext2_ino *out)
{
	bool mkdir = (n->mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
	uint32_t ino;
	int err;

	if (fs->readonly)
		return -EROFS;
	if (len == 0 || len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	if (mkdir && dir->raw.i_links_count >= EXT2_LINK_MAX)
		return -EMLINK;
	err = ext2_alloc_inode(fs, dir->ino, mkdir, &ino);
	if (err)
		return err;
	init_raw(out, ino, n);
	err = fill_new(fs, dir, n, out);
	if (!err)
		err = ext2_dir_add(fs, dir, name, len, ino, ext2_mode_ftype(n->mode));
	if (err) {
		/* Undo: the inode has no name; give back what it holds. */
		out->raw.i_links_count = 0;
		if (ext2_evict(fs, out, n->now) != 0)
			ext2_error(fs, "could not undo a failed create");
		return err;
	}
	if (mkdir) {
		dir->raw.i_links_count++;
		dir->raw.i_ctime = dir->raw.i_mtime = n->now;
		return ext2_write_inode(fs, dir);
	}
	return 0;
}

int ext2_link(struct ext2_fs *fs, struct ext2_ino *dir, const char *name, size_t len,
              struct ext2_ino *in)
{
	int err;

	if (fs->readonly)
		return -EROFS;
	if (is_dir(in))
		return -EPERM;
	if (in->raw.i_links_count >= EXT2_LINK_MAX)
		return -EMLINK;
	err = ext2_dir_add(fs, dir, name, len, in->ino, ext2_mode_ftype(in->raw.i_mode));
	if (err)
		return err;
	in->raw.i_links_count++;
	return ext2_write_inode(fs, in);
}

/* @victim lost its name in @dir: drop its links (a directory loses "." and its parent's ".."). */
static int drop_links(struct ext2_fs *fs, struct ext2_ino *dir, struct ext2_ino *victim,
                      uint32_t now)
{
	int err;

	victim->raw.i_ctime = now;
	if (is_dir(victim)) {
		victim->raw.i_links_count = 0;
		if (dir->raw.i_links_count > 1)
			dir->raw.i_links_count--;
		dir->raw.i_ctime = dir->raw.i_mtime = now;
		err = ext2_write_inode(fs, dir);
		if (err)
			return err;
	} else if (victim->raw.i_links_count > 0) {
		victim->raw.i_links_count--;
	}
	return ext2_write_inode(fs, victim);
}

int ext2_unlink(struct ext2_fs *fs, struct ext2_ino *dir, const char *name, size_t len,
                struct ext2_ino *victim, uint32_t now)
{
	int err;

	if (fs->readonly)
		return -EROFS;
	if (is_dir(victim)) {
		err = ext2_dir_empty(fs, victim);
		if (err)
			return err;
	}
	err = ext2_dir_remove(fs, dir, name, len);
	if (err)
		return err;
	dir->raw.i_ctime = dir->raw.i_mtime = now;
	return drop_links(fs, dir, victim, now);
}

/* Point @name in @dir at @src instead of @victim, dropping @victim's links. */
static int replace_entry(struct ext2_fs *fs, const struct ext2_rename *r)
{
	int err;

	if (is_dir(r->victim)) {
		err = ext2_dir_empty(fs, r->victim);
		if (err)
			return err;
	}
	err = ext2_dir_retarget(fs, r->ndir, r->nname, r->nlen, r->src->ino,
	                        ext2_mode_ftype(r->src->raw.i_mode));
	if (err)
		return err;
	return drop_links(fs, r->ndir, r->victim, r->now);
}

int ext2_rename(struct ext2_fs *fs, const struct ext2_rename *r)
{
	bool dir_moves = is_dir(r->src) && r->odir->ino != r->ndir->ino;
	int err;

	if (fs->readonly)
		return -EROFS;
	if (r->victim && r->victim->ino == r->src->ino)
		return 0; /* two names of one file: POSIX says do nothing */
	if (dir_moves && !r->victim && r->ndir->raw.i_links_count >= EXT2_LINK_MAX)
		return -EMLINK;
	if (r->victim)
		err = replace_entry(fs, r);
	else
		err = ext2_dir_add(fs, r->ndir, r->nname, r->nlen, r->src->ino,
		                   ext2_mode_ftype(r->src->raw.i_mode));
	if (!err)
		err = ext2_dir_remove(fs, r->odir, r->oname, r->olen);
	if (err)
		return err;
	r->src->raw.i_ctime = r->now;
	r->odir->raw.i_ctime = r->odir->raw.i_mtime = r->now;
	r->ndir->raw.i_ctime = r->ndir->raw.i_mtime = r->now;
	if (dir_moves) {
		err = ext2_dir_retarget(fs, r->src, "..", 2, r->ndir->ino, EXT2_FT_DIR);
		if (err)
			return err;
		r->odir->raw.i_links_count--;
		r->ndir->raw.i_links_count++;
	}
	err = ext2_write_inode(fs, r->src);
	if (!err)
		err = ext2_write_inode(fs, r->odir);
	if (!err && r->ndir != r->odir)
		err = ext2_write_inode(fs, r->ndir);
	return err;
}

/* Drop one reference to an extended-attribute block; free it with the last. */
static int drop_xattr_block(struct ext2_fs *fs, struct ext2_ino *in)
{
	uint32_t blk = in->raw.i_file_acl, *hdr;
	struct ext2_buf b;
	bool last;
	int err;

	if (blk == 0)
		return 0;
	if (blk >= fs->sb.s_blocks_count)
		return 0; /* a bad pointer: leave it to e2fsck rather than free a stranger */
	err = fs->io->read(fs->io->ctx, blk, &b);
	if (err)
		return err;
	/* Header: h_magic 0xEA020000, then h_refcount (ext4 docs, "Extended Attributes"). */
	hdr = (uint32_t *)b.data;
	last = hdr[0] != 0xEA020000u || hdr[1] <= 1;
	if (!last) {
		hdr[1]--;
		fs->io->dirty(fs->io->ctx, &b);
	}
	fs->io->release(fs->io->ctx, &b);
	in->raw.i_file_acl = 0;
	if (!last)
		return 0;
	in->raw.i_blocks -= in->raw.i_blocks >= fs->block_size / 512 ? fs->block_size / 512 : 0;
	return ext2_free_block(fs, blk);
}

/* Whether i_block holds block numbers (not a device number or a link's text). */
static bool has_block_map(const struct ext2_fs *fs, const struct ext2_inode *r)
{
	uint32_t t = r->i_mode & EXT2_S_IFMT;

	if (t == EXT2_S_IFLNK)
		return !ext2_is_fast_symlink(fs, r);
	return t == EXT2_S_IFREG || t == EXT2_S_IFDIR;
}

int ext2_evict(struct ext2_fs *fs, struct ext2_ino *in, uint32_t now)
{
	int err = 0;

	if (fs->readonly)
		return -EROFS;
	if (has_block_map(fs, &in->raw))
		err = ext2_free_blocks_from(fs, in, 0);
	if (!err)
		err = drop_xattr_block(fs, in);
	if (err)
		return err;
	in->raw.i_dtime = now ? now : 1;
	in->raw.i_links_count = 0;
	ext2_set_i_size(&in->raw, 0);
	err = ext2_write_inode(fs, in);
	if (err)
		return err;
	return ext2_free_inode(fs, in->ino, is_dir(in));
}

long ext2_readlink(struct ext2_fs *fs, struct ext2_ino *in, char *buf, size_t n)
{
	uint64_t size = ext2_i_size(&in->raw);

	if ((in->raw.i_mode & EXT2_S_IFMT) != EXT2_S_IFLNK)
		return -EINVAL;
	if (size >= fs->block_size) {
		fs->why = "symbolic link longer than a block";
		return -EUCLEAN;
	}
	if (n > size)
		n = (size_t)size;
	if (ext2_is_fast_symlink(fs, &in->raw)) {
		memcpy(buf, in->raw.i_block, n);
		return (long)n;
	}
	return ext2_file_read(fs, in, 0, buf, n);
}
