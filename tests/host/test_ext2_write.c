/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/ext2 writing: every name operation (create, mkdir,
 * mknod, fast and slow symlinks, link, unlink, rmdir, rename within and
 * across directories, over files and over empty directories), data
 * through direct and indirect blocks, truncation both ways, a big
 * directory, a sparse file past 4 GiB and a full disk, on fresh mke2fs
 * images with 1 KiB and 4 KiB blocks. Each image is then judged by
 * `e2fsck -fn` (it must be clean) and read back by debugfs.
 */
#include <cairn/errno.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

#include "ext2_helpers.h"

#define NOW 1700000000u

static struct ext2_ino mk(struct ext2_fs *fs, struct ext2_ino *dir, const char *name, uint32_t mode,
                          const char *target)
{
	struct ext2_new n = { .mode = mode, .now = NOW, .target = target, .rdev = 0x0105 };
	struct ext2_ino out;

	assert_int_equal(ext2_create(fs, dir, name, strlen(name), &n, &out), 0);
	return out;
}

static struct ext2_ino get(struct ext2_fs *fs, const char *path)
{
	struct ext2_ino in;

	assert_int_equal(ext2h_walk(fs, path, &in), 0);
	return in;
}

/* Remove @name from directory @dpath and free the inode when its last link goes. */
static void rm(struct ext2_fs *fs, const char *dpath, const char *name)
{
	struct ext2_ino dir = get(fs, dpath), victim;
	uint32_t ino;

	assert_int_equal(ext2_dir_lookup(fs, &dir, name, strlen(name), &ino), 0);
	assert_int_equal(ext2_read_inode(fs, ino, &victim), 0);
	assert_int_equal(ext2_unlink(fs, &dir, name, strlen(name), &victim, NOW), 0);
	if (victim.raw.i_links_count == 0)
		assert_int_equal(ext2_evict(fs, &victim, NOW), 0);
}

/* Rename @opath/@oname to @npath/@nname (the directories re-read by number if equal). */
static int mv(struct ext2_fs *fs, const char *opath, const char *oname, const char *npath,
              const char *nname)
{
	struct ext2_ino odir = get(fs, opath), ndir = get(fs, npath), src, victim;
	struct ext2_rename r = { .oname = oname,
		                 .olen = strlen(oname),
		                 .nname = nname,
		                 .nlen = strlen(nname),
		                 .now = NOW,
		                 .src = &src,
		                 .odir = &odir };
	uint32_t ino;
	int err;

	r.ndir = odir.ino == ndir.ino ? &odir : &ndir;
	assert_int_equal(ext2_dir_lookup(fs, &odir, oname, strlen(oname), &ino), 0);
	assert_int_equal(ext2_read_inode(fs, ino, &src), 0);
	if (ext2_dir_lookup(fs, r.ndir, nname, strlen(nname), &ino) == 0) {
		assert_int_equal(ext2_read_inode(fs, ino, &victim), 0);
		r.victim = &victim;
	}
	err = ext2_rename(fs, &r);
	if (!err && r.victim && victim.raw.i_links_count == 0)
		assert_int_equal(ext2_evict(fs, &victim, NOW), 0);
	return err;
}

/* What debugfs dumps of @path must equal @len bytes of pattern @seed. */
static void debugfs_same(struct ext2h_img *im, const char *path, size_t len, uint32_t seed)
{
	char out[160];
	uint8_t *want = malloc(len + 1), *got = malloc(len + 1);
	FILE *f;

	snprintf(out, sizeof(out), "%s.dump", im->path);
	assert_int_equal(
		ext2h_sh("debugfs -R 'dump %s %s' %s >/dev/null 2>&1", path, out, im->path), 0);
	f = fopen(out, "rb");
	assert_non_null(f);
	assert_int_equal(fread(got, 1, len + 1, f), len);
	fclose(f);
	ext2h_pattern(want, len, seed);
	assert_memory_equal(got, want, len);
	ext2h_sh("rm -f %s", out);
	free(want);
	free(got);
}

static const size_t sizes[] = { 0, 5, 1024, 4096, 13 * 1024, 70000, 300000, 1100000 };

static void write_names(struct ext2h_img *im)
{
	struct ext2_fs *fs = &im->fs;
	struct ext2_ino root = get(fs, "/"), a, b, f;
	uint8_t *buf = malloc(1100000);
	char name[64];

	a = mk(fs, &root, "a", EXT2_S_IFDIR | 0755, NULL);
	b = mk(fs, &a, "b", EXT2_S_IFDIR | 0755, NULL);
	mk(fs, &root, "c", EXT2_S_IFDIR | 0700, NULL);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		ext2h_pattern(buf, sizes[i], (uint32_t)i);
		ext2h_put(fs, &b, name, buf, sizes[i], &f);
	}
	root = get(fs, "/");
	mk(fs, &root, "fast", EXT2_S_IFLNK | 0777, "a/b/f1");
	mk(fs, &root, "slow", EXT2_S_IFLNK | 0777,
	   "a/b/../b/../b/../b/../b/../b/../b/../b/../b/../b/../b/../b/f2");
	mk(fs, &root, "tty", EXT2_S_IFCHR | 0600, NULL);
	mk(fs, &root, "fifo", EXT2_S_IFIFO | 0600, NULL);
	/* A hard link, then renames of every kind. */
	f = get(fs, "a/b/f3");
	root = get(fs, "/");
	assert_int_equal(ext2_link(fs, &root, "hard", 4, &f), 0);
	assert_int_equal(mv(fs, "a/b", "f4", "a/b", "f4.renamed"), 0);
	assert_int_equal(mv(fs, "a/b", "f5", "c", "f5"), 0);
	assert_int_equal(mv(fs, "a/b", "f6", "/", "hard"), 0); /* replaces a link of f3 */
	assert_int_equal(mv(fs, "a", "b", "c", "b"), 0);       /* a directory changes parent */
	root = get(fs, "/");
	mk(fs, &root, "empty", EXT2_S_IFDIR | 0755, NULL);
	mk(fs, &root, "full", EXT2_S_IFDIR | 0755, NULL);
	assert_int_equal(mv(fs, "c", "b", "/", "empty"), 0); /* over an empty directory */
	a = get(fs, "full");
	mk(fs, &a, "x", EXT2_S_IFREG | 0644, NULL);
	assert_int_equal(mv(fs, "/", "empty", "/", "full"), -ENOTEMPTY);
	rm(fs, "full", "x");
	rm(fs, "/", "full");
	rm(fs, "/", "a");
	rm(fs, "empty", "f0");
	free(buf);
}

/* 1,500 names in one directory, every other one removed, the rest truncated. */
static void write_many(struct ext2h_img *im)
{
	struct ext2_fs *fs = &im->fs;
	struct ext2_ino root = get(fs, "/"), d, f;
	uint8_t data[3000];
	char name[64];

	d = mk(fs, &root, "many", EXT2_S_IFDIR | 0755, NULL);
	for (int i = 0; i < 1500; i++) {
		snprintf(name, sizeof(name), "entry-%d", i);
		ext2h_pattern(data, sizeof(data), (uint32_t)i);
		ext2h_put(fs, &d, name, data, (size_t)(i % 3) * 1000, &f);
	}
	for (int i = 0; i < 1500; i += 2) {
		snprintf(name, sizeof(name), "entry-%d", i);
		rm(fs, "many", name);
	}
	for (int i = 1; i < 1500; i += 6) {
		snprintf(name, sizeof(name), "many/entry-%d", i);
		f = get(fs, name);
		assert_int_equal(ext2_truncate(fs, &f, 10), 0);
	}
}

static void check_result(struct ext2h_img *im)
{
	struct ext2_ino in;
	char buf[64];

	assert_int_equal(ext2h_walk(&im->fs, "empty/f5", &in), -ENOENT); /* moved to /c */
	in = get(&im->fs, "fast");
	assert_int_equal(ext2_readlink(&im->fs, &in, buf, sizeof(buf)), 6);
	ext2h_save(im);
	assert_int_equal(ext2h_fsck(im), 0);
	debugfs_same(im, "/empty/f4.renamed", sizes[4], 4);
	debugfs_same(im, "/c/f5", sizes[5], 5);
	debugfs_same(im, "/hard", sizes[6], 6);
	debugfs_same(im, "/empty/f7", sizes[7], 7);
	debugfs_same(im, "/empty/f3", sizes[3], 3);
	assert_int_equal(
		ext2h_sh("debugfs -R 'cat /many/entry-7' %s 2>/dev/null | wc -c | grep -qx 10",
	                 im->path),
		0);
}

static void write_image(uint32_t bsize)
{
	struct ext2h_img im;

	if (!ext2h_tools())
		skip();
	ext2h_mkfs(&im, 16 * 1024, bsize, "", NULL);
	assert_int_equal(ext2h_open(&im), 0);
	assert_int_equal(ext2_mount_rw(&im.fs, NOW), 0);
	write_names(&im);
	write_many(&im);
	assert_int_equal(im.held, 0);
	check_result(&im);
	ext2h_free(&im);
}

static void test_write_1k(void **state)
{
	(void)state;
	write_image(1024);
}

static void test_write_4k(void **state)
{
	(void)state;
	write_image(4096);
}

/* A file with a byte past 4 GiB: sparse, large_file, and e2fsck agrees. */
static void test_sparse_past_4g(void **state)
{
	struct ext2h_img im;
	struct ext2_ino root, f;
	const uint64_t off = 5ull << 30;

	(void)state;
	if (!ext2h_tools())
		skip();
	ext2h_mkfs(&im, 8 * 1024, 4096, "", NULL);
	assert_int_equal(ext2h_open(&im), 0);
	root = get(&im.fs, "/");
	ext2h_put(&im.fs, &root, "big", "x", 1, &f);
	assert_int_equal(ext2_file_write(&im.fs, &f, off, "end", 3), 3);
	assert_int_equal(ext2_i_size(&f.raw), off + 3);
	/* data, a double-indirect chain and the first block */
	assert_int_equal(f.raw.i_blocks, 5 * 8);
	char c[4] = { 0 };
	assert_int_equal(ext2_file_read(&im.fs, &f, off - 1, c, 4), 4);
	assert_memory_equal(c, "\0end", 4);
	ext2h_save(&im);
	assert_int_equal(ext2h_fsck(&im), 0);
	assert_int_equal(
		ext2h_sh("debugfs -R 'stat /big' %s 2>/dev/null | grep -q 'Size: 5368709123'",
	                 im.path),
		0);
	/* Shrink it back below 4 GiB: the indirect blocks go. */
	assert_int_equal(ext2h_open(&im), 0);
	f = get(&im.fs, "big");
	assert_int_equal(ext2_truncate(&im.fs, &f, 100), 0);
	assert_int_equal(f.raw.i_blocks, 8);
	ext2h_save(&im);
	assert_int_equal(ext2h_fsck(&im), 0);
	ext2h_free(&im);
}

/* Fill the disk: -ENOSPC, still a clean file system, and deleting gives it all back. */
static void test_full_disk(void **state)
{
	struct ext2h_img im;
	struct ext2_ino root, f;
	static uint8_t buf[64 * 1024];
	uint32_t free0;
	long n;

	(void)state;
	if (!ext2h_tools())
		skip();
	ext2h_mkfs(&im, 2048, 1024, "", NULL);
	assert_int_equal(ext2h_open(&im), 0);
	free0 = im.fs.sb.s_free_blocks_count;
	root = get(&im.fs, "/");
	ext2h_put(&im.fs, &root, "fill", NULL, 0, &f);
	for (uint64_t off = 0;; off += sizeof(buf)) {
		n = ext2_file_write(&im.fs, &f, off, buf, sizeof(buf));
		if (n != (long)sizeof(buf))
			break;
	}
	assert_true(n == -ENOSPC || (n > 0 && n < (long)sizeof(buf)));
	assert_int_equal(im.fs.sb.s_free_blocks_count, 0);
	ext2h_save(&im);
	assert_int_equal(ext2h_fsck(&im), 0);
	rm(&im.fs, "/", "fill");
	assert_int_equal(im.fs.sb.s_free_blocks_count, free0);
	ext2h_save(&im);
	assert_int_equal(ext2h_fsck(&im), 0);
	ext2h_free(&im);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_1k),
		cmocka_unit_test(test_write_4k),
		cmocka_unit_test(test_sparse_past_4g),
		cmocka_unit_test(test_full_disk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
