/* SPDX-License-Identifier: MIT */
/*
 * Shared by the host tests of lib/ext2: mke2fs images loaded into memory,
 * the engine's block I/O over them (blocks are pointers into the image;
 * a count of held blocks catches a missing release), and the e2fsprogs
 * tools run on the result.
 */
#include "ext2_helpers.h"

#include <cairn/errno.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

static int img_read(void *ctx, uint64_t blk, struct ext2_buf *b)
{
	struct ext2h_img *im = ctx;

	if ((blk + 1) * im->bsize > im->size)
		return -EIO;
	b->data = im->bytes + blk * im->bsize;
	b->handle = NULL;
	im->held++;
	return 0;
}

static void img_dirty(void *ctx, struct ext2_buf *b)
{
	(void)ctx;
	(void)b;
}

static void img_release(void *ctx, struct ext2_buf *b)
{
	struct ext2h_img *im = ctx;

	b->data = NULL;
	im->held--;
}

bool ext2h_tools(void)
{
	return system("command -v mke2fs >/dev/null && command -v e2fsck >/dev/null && "
	              "command -v debugfs >/dev/null") == 0;
}

void ext2h_tmpdir(char *out, size_t n)
{
	snprintf(out, n, "/tmp/ext2test.XXXXXX");
	assert_non_null(mkdtemp(out));
}

int ext2h_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

void ext2h_load(struct ext2h_img *im)
{
	FILE *f = fopen(im->path, "rb");
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	im->size = (size_t)n;
	im->bytes = malloc(im->size);
	assert_non_null(im->bytes);
	assert_int_equal(fread(im->bytes, 1, im->size, f), im->size);
	fclose(f);
}

void ext2h_mkfs(struct ext2h_img *im, uint32_t kib, uint32_t bsize, const char *opts,
                const char *dir)
{
	char d[64];
	int fd;

	memset(im, 0, sizeof(*im));
	snprintf(im->path, sizeof(im->path), "/tmp/ext2img.XXXXXX");
	fd = mkstemp(im->path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(d, sizeof(d), "-d %s", dir ? dir : "");
	assert_int_equal(ext2h_sh("mke2fs -q -F -t ext2 -b %u %s %s %s %uk >/dev/null 2>&1", bsize,
	                          opts, dir ? d : "", im->path, kib),
	                 0);
	ext2h_load(im);
}

int ext2h_open(struct ext2h_img *im)
{
	const struct ext2_super *s = (const void *)(im->bytes + EXT2_SUPER_OFFSET);

	im->bsize = 1024u << (s->s_log_block_size < 7 ? s->s_log_block_size : 0);
	im->io.ctx = im;
	im->io.read = img_read;
	im->io.get = img_read;
	im->io.dirty = img_dirty;
	im->io.release = img_release;
	return ext2_open(&im->fs, &im->io, im->bytes + EXT2_SUPER_OFFSET, im->size / 1024);
}

void ext2h_save(struct ext2h_img *im)
{
	FILE *f;

	assert_int_equal(ext2_unmount_clean(&im->fs, 1700000000), 0);
	assert_int_equal(im->held, 0);
	f = fopen(im->path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(im->bytes, 1, im->size, f), im->size);
	fclose(f);
}

int ext2h_fsck(const struct ext2h_img *im)
{
	int st = ext2h_sh("e2fsck -fn %s >%s.fsck 2>&1", im->path, im->path);

	if (st != 0)
		ext2h_sh("cat %s.fsck", im->path);
	return st;
}

void ext2h_free(struct ext2h_img *im)
{
	ext2h_sh("rm -f %s %s.fsck", im->path, im->path);
	free(im->bytes);
	im->bytes = NULL;
}

int ext2h_walk(struct ext2_fs *fs, const char *path, struct ext2_ino *out)
{
	uint32_t ino = EXT2_ROOT_INO;
	int err;

	err = ext2_read_inode(fs, ino, out);
	while (!err && *path) {
		const char *end;
		while (*path == '/')
			path++;
		if (!*path)
			break;
		end = strchr(path, '/');
		if (!end)
			end = path + strlen(path);
		err = ext2_dir_lookup(fs, out, path, (size_t)(end - path), &ino);
		if (!err)
			err = ext2_read_inode(fs, ino, out);
		path = end;
	}
	return err;
}

void ext2h_put(struct ext2_fs *fs, struct ext2_ino *dir, const char *name, const void *data,
               size_t len, struct ext2_ino *out)
{
	struct ext2_new n = { .mode = EXT2_S_IFREG | 0644, .now = 1700000000 };

	assert_int_equal(ext2_create(fs, dir, name, strlen(name), &n, out), 0);
	if (len)
		assert_int_equal(ext2_file_write(fs, out, 0, data, len), (long)len);
}

void ext2h_pattern(uint8_t *buf, size_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)x;
	}
}
