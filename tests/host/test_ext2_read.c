/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/ext2 reading what e2fsprogs wrote: a tree made on the
 * host (small and large files, holes, fast and slow symbolic links, a
 * device node, a directory of 3,000 names that mke2fs indexes with
 * dir_index) is put into images by `mke2fs -t ext2 -d` with 1 KiB and
 * 4 KiB blocks, and every byte the engine reads is compared with the
 * host's own copy. Also: sparse_super backup placement against dumpe2fs.
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

#define NMANY 3000

/* Sizes that cross the direct, indirect and double-indirect boundaries at 1 KiB blocks. */
static const size_t sizes[] = { 0,
	                        1,
	                        1023,
	                        1024,
	                        12 * 1024,
	                        12 * 1024 + 1,
	                        300 * 1024,
	                        (12 + 256) * 1024 + 5,
	                        3 * 1024 * 1024 + 7 };

static char tree[64];

static void write_file(const char *path, size_t len, uint32_t seed)
{
	uint8_t *buf = malloc(len + 1);
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	ext2h_pattern(buf, len, seed);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
	free(buf);
}

/* The host tree, made once. */
static int make_tree(void **state)
{
	char p[256];

	(void)state;
	if (!ext2h_tools())
		return 0;
	ext2h_tmpdir(tree, sizeof(tree));
	ext2h_sh("mkdir -p %s/d/sub %s/many", tree, tree);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(p, sizeof(p), "%s/d/f%zu", tree, i);
		write_file(p, sizes[i], (uint32_t)i);
	}
	/* A sparse file: 8 KiB of data at 5 MiB. */
	ext2h_sh("dd if=/dev/urandom of=%s/d/sparse bs=1k seek=5120 count=8 2>/dev/null", tree);
	ext2h_sh("ln -s f1 %s/d/fast && ln -s %0100d %s/d/slow", tree, 0, tree);
	for (int i = 0; i < NMANY; i++) {
		snprintf(p, sizeof(p), "%s/many/name-%05d-with-a-longer-tail", tree, i);
		write_file(p, (size_t)(i % 7), (uint32_t)i);
	}
	return 0;
}

static int drop_tree(void **state)
{
	(void)state;
	if (tree[0])
		ext2h_sh("rm -rf %s", tree);
	return 0;
}

/* Compare the engine's view of @rel with the host file under the tree. */
static void same_file(struct ext2_fs *fs, const char *rel)
{
	char p[256];
	struct ext2_ino in;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", tree, rel);
	f = fopen(p, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size_t len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *want = malloc(len + 1), *got = malloc(len + 1);
	assert_int_equal(fread(want, 1, len, f), len);
	fclose(f);
	assert_int_equal(ext2h_walk(fs, rel, &in), 0);
	assert_int_equal(ext2_i_size(&in.raw), len);
	assert_int_equal(ext2_file_read(fs, &in, 0, got, len + 1), (long)len);
	assert_memory_equal(got, want, len);
	free(want);
	free(got);
}

struct count_ctx {
	int n;
	bool dot, dotdot;
};

static int count_entry(void *ctx, const struct ext2_dirent_info *e)
{
	struct count_ctx *c = ctx;

	if (e->name_len == 1 && e->name[0] == '.')
		c->dot = true;
	else if (e->name_len == 2 && memcmp(e->name, "..", 2) == 0)
		c->dotdot = true;
	else
		c->n++;
	return 0;
}

static void read_image(uint32_t bsize, bool htree)
{
	struct ext2h_img im;
	struct ext2_ino in;
	char p[128], buf[200];

	if (!ext2h_tools())
		skip();
	ext2h_mkfs(&im, 64 * 1024, bsize, "", tree);
	if (htree) {
		/* mke2fs -d writes linear directories; e2fsck -D indexes the big one. */
		free(im.bytes);
		assert_true(ext2h_sh("e2fsck -fyD %s >/dev/null 2>&1", im.path) <= 1);
		assert_int_equal(
			ext2h_sh("debugfs -R 'htree many' %s 2>&1 | grep -q 'Root node'", im.path),
			0);
		ext2h_load(&im);
	}
	assert_int_equal(ext2h_open(&im), 0);
	assert_false(im.fs.readonly);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(p, sizeof(p), "d/f%zu", i);
		same_file(&im.fs, p);
	}
	same_file(&im.fs, "d/sparse");
	assert_int_equal(ext2h_walk(&im.fs, "d/fast", &in), 0);
	assert_true(ext2_is_fast_symlink(&im.fs, &in.raw));
	assert_int_equal(ext2_readlink(&im.fs, &in, buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "f1", 2);
	assert_int_equal(ext2h_walk(&im.fs, "d/slow", &in), 0);
	assert_false(ext2_is_fast_symlink(&im.fs, &in.raw));
	assert_int_equal(ext2_readlink(&im.fs, &in, buf, sizeof(buf)), 100);
	assert_int_equal(buf[99], '0');
	/* The big directory: every name found by lookup and by a walk. */
	assert_int_equal(ext2h_walk(&im.fs, "many", &in), 0);
	struct count_ctx c = { 0 };
	assert_int_equal(ext2_dir_iterate(&im.fs, &in, 0, count_entry, &c), 0);
	assert_int_equal(c.n, NMANY);
	assert_true(c.dot && c.dotdot);
	for (int i = 0; i < NMANY; i += 97) {
		snprintf(p, sizeof(p), "many/name-%05d-with-a-longer-tail", i);
		same_file(&im.fs, p);
	}
	assert_int_equal(ext2h_walk(&im.fs, "many/nope", &in), -ENOENT);
	assert_int_equal(im.held, 0);
	ext2h_free(&im);
}

static void test_read_1k(void **state)
{
	(void)state;
	read_image(1024, false);
}

static void test_read_4k(void **state)
{
	(void)state;
	read_image(4096, false);
}

/* A directory indexed by e2fsck -D (dir_index) reads as a linear one. */
static void test_read_htree(void **state)
{
	(void)state;
	read_image(1024, true);
}

/* Every group dumpe2fs names as holding a superblock copy, and no other. */
static void test_sparse_super_backups(void **state)
{
	struct ext2h_img im;
	char cmd[512], line[256];
	uint32_t want[64], nwant = 0, got = 0;

	(void)state;
	if (!ext2h_tools())
		skip();
	ext2h_mkfs(&im, 400 * 1024, 1024, "", NULL);
	assert_int_equal(ext2h_open(&im), 0);
	snprintf(
		cmd, sizeof(cmd),
		"dumpe2fs %s 2>/dev/null | sed -n 's/^Group \\([0-9]*\\):.*/\\1/p' | while read g; "
		"do dumpe2fs %s 2>/dev/null | grep -A1 \"^Group $g:\" | grep -q 'superblock at' && "
		"echo $g; done",
		im.path, im.path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p) && nwant < 64)
		want[nwant++] = (uint32_t)atoi(line);
	pclose(p);
	assert_true(nwant >= 5);
	for (uint32_t g = 0; g < im.fs.groups; g++) {
		bool has = ext2_group_has_super(&im.fs, g);
		bool listed = false;
		for (uint32_t i = 0; i < nwant; i++)
			listed |= want[i] == g;
		assert_int_equal(has, listed);
		got += has;
	}
	assert_int_equal(got, nwant);
	ext2h_free(&im);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_1k),
		cmocka_unit_test(test_read_4k),
		cmocka_unit_test(test_read_htree),
		cmocka_unit_test(test_sparse_super_backups),
	};

	return cmocka_run_group_tests(tests, make_tree, drop_tree);
}
