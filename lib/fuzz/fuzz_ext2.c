/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/ext2: each input is a whole disk image (1 KiB
 * units) in an exact-size heap copy behind the engine's block I/O, so ASan
 * sees any read past the end. The image is opened (superblock and group
 * descriptors), its tree walked two levels deep (directory blocks, inodes,
 * block maps, file data, symbolic links), and when it opens writable a
 * few name operations run on it (allocation over its bitmaps, directory
 * insert and remove, truncation). Held blocks must all be released.
 * Seed it with small mke2fs images (`make fuzz-run-ext2` makes some).
 */
#include <lib/ext2/ext2.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz_img {
	uint8_t *bytes;
	size_t size;
	uint32_t bsize;
	long held;
};

static volatile unsigned fuzz_sink;

static int fz_read(void *ctx, uint64_t blk, struct ext2_buf *b)
{
	struct fz_img *im = ctx;

	if (blk >= im->size / im->bsize)
		return -5;
	b->data = im->bytes + blk * im->bsize;
	im->held++;
	return 0;
}

static void fz_dirty(void *ctx, struct ext2_buf *b)
{
	(void)ctx;
	fuzz_sink += b->data[0];
}

static void fz_release(void *ctx, struct ext2_buf *b)
{
	struct fz_img *im = ctx;

	(void)b;
	im->held--;
}

struct fz_walk {
	struct ext2_fs *fs;
	uint32_t ino[32];
	unsigned n;
};

static int fz_entry(void *ctx, const struct ext2_dirent_info *e)
{
	struct fz_walk *w = ctx;

	for (unsigned i = 0; i < e->name_len; i++)
		fuzz_sink += (unsigned char)e->name[i];
	if (w->n < 32)
		w->ino[w->n++] = e->ino;
	return w->n >= 32;
}

static void fz_visit(struct ext2_fs *fs, uint32_t ino, int depth)
{
	static uint8_t buf[16384];
	struct fz_walk w = { .fs = fs };
	struct ext2_ino in;

	if (ext2_read_inode(fs, ino, &in))
		return;
	switch (in.raw.i_mode & EXT2_S_IFMT) {
	case EXT2_S_IFDIR:
		if (depth >= 2 || ext2_i_size(&in.raw) > 65536)
			return;
		if (ext2_dir_iterate(fs, &in, 0, fz_entry, &w) < 0)
			return;
		for (unsigned i = 0; i < w.n; i++)
			if (w.ino[i] != ino)
				fz_visit(fs, w.ino[i], depth + 1);
		return;
	case EXT2_S_IFREG:
		fuzz_sink += (unsigned)ext2_file_read(fs, &in, 0, buf, sizeof(buf));
		return;
	case EXT2_S_IFLNK:
		fuzz_sink += (unsigned)ext2_readlink(fs, &in, (char *)buf, sizeof(buf));
		return;
	}
}

/* Name operations on a writable image; any error is fine, memory safety is the point. */
static void fz_modify(struct ext2_fs *fs)
{
	static const uint8_t data[3000] = { 1, 2, 3 };
	struct ext2_new nf = { .mode = EXT2_S_IFREG | 0644, .now = 1 };
	struct ext2_new nd = { .mode = EXT2_S_IFDIR | 0755, .now = 1 };
	struct ext2_ino root, f, d;

	if (ext2_read_inode(fs, EXT2_ROOT_INO, &root))
		return;
	if (ext2_create(fs, &root, "fz", 2, &nf, &f) == 0) {
		fuzz_sink += (unsigned)ext2_file_write(fs, &f, 0, data, sizeof(data));
		if (ext2_create(fs, &root, "fzd", 3, &nd, &d) == 0) {
			struct ext2_rename r = { .odir = &root,
				                 .ndir = &d,
				                 .src = &f,
				                 .oname = "fz",
				                 .olen = 2,
				                 .nname = "g",
				                 .nlen = 1,
				                 .now = 2 };
			if (ext2_rename(fs, &r) == 0 && ext2_unlink(fs, &d, "g", 1, &f, 3) == 0)
				fuzz_sink += (unsigned)ext2_evict(fs, &f, 3);
			fuzz_sink += (unsigned)ext2_truncate(fs, &d, 0);
		}
	}
	fuzz_sink += (unsigned)ext2_sync_super(fs, 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ext2_io io = {
		.read = fz_read, .get = fz_read, .dirty = fz_dirty, .release = fz_release
	};
	struct fz_img im = { .size = size & ~(size_t)1023 };
	struct ext2_fs fs;

	if (im.size < 2048 || im.size > (1u << 20))
		return 0;
	im.bytes = malloc(im.size);
	memcpy(im.bytes, data, im.size);
	const struct ext2_super *s = (const void *)(im.bytes + EXT2_SUPER_OFFSET);
	im.bsize = s->s_log_block_size <= 6 ? 1024u << s->s_log_block_size : 1024u;
	io.ctx = &im;
	if (ext2_open(&fs, &io, s, im.size / 1024) == 0) {
		fz_visit(&fs, EXT2_ROOT_INO, 0);
		if (!fs.readonly)
			fz_modify(&fs);
	}
	if (im.held != 0)
		abort();
	free(im.bytes);
	return 0;
}
