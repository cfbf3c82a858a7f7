/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/ext2/mkfs.c: file systems of several sizes and block
 * sizes (one group, several, a short last group left out) must pass
 * `e2fsck -fn`, match what dumpe2fs reads back, open cleanly in the
 * engine and stay clean after files are written into them.
 */
#include <cairn/errno.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

#include "ext2_helpers.h"

static void mkfs_and_check(uint64_t kib, uint32_t bsize)
{
	struct ext2h_img im;
	struct ext2_group_desc gds[64];
	struct ext2_mkfs_opts o = {
		.blocks = kib * 1024 / bsize, .block_size = bsize, .now = 1700000000, .seed = 7
	};
	struct ext2_ino root, f;
	static uint8_t data[200000];
	int fd;

	if (!ext2h_tools())
		skip();
	memset(&im, 0, sizeof(im));
	snprintf(im.path, sizeof(im.path), "/tmp/ext2mkfs.XXXXXX");
	fd = mkstemp(im.path);
	assert_true(fd >= 0);
	close(fd);
	im.size = (size_t)kib * 1024;
	im.bytes = calloc(1, im.size);
	im.bsize = bsize;
	im.io.ctx = &im;
	assert_int_equal(ext2h_open(&im), -EINVAL); /* all zeros: no magic; sets up the I/O */
	im.bsize = bsize;
	assert_int_equal(ext2_mkfs(&im.fs, &im.io, &o, gds, 64), 0);
	assert_int_equal(im.held, 0);
	ext2h_save(&im);
	assert_int_equal(ext2h_fsck(&im), 0);
	assert_int_equal(
		ext2h_sh("dumpe2fs -h %s 2>/dev/null | grep -q 'Block size: *%u'", im.path, bsize),
		0);
	/* The engine opens it and it stays clean with data in it. */
	assert_int_equal(ext2h_open(&im), 0);
	assert_false(im.fs.readonly);
	assert_int_equal(ext2h_walk(&im.fs, "lost+found", &f), 0);
	assert_int_equal(ext2h_walk(&im.fs, "/", &root), 0);
	ext2h_pattern(data, sizeof(data), 3);
	ext2h_put(&im.fs, &root, "file", data, sizeof(data), &f);
	ext2h_save(&im);
	assert_int_equal(ext2h_fsck(&im), 0);
	ext2h_free(&im);
}

static void test_mkfs_small_1k(void **state)
{
	(void)state;
	mkfs_and_check(1024, 1024);
}

static void test_mkfs_groups_1k(void **state)
{
	(void)state;
	mkfs_and_check(40 * 1024 + 37, 1024); /* 5 groups, the last one short and dropped */
}

static void test_mkfs_4k(void **state)
{
	(void)state;
	mkfs_and_check(300 * 1024, 4096);
}

static void test_mkfs_2k(void **state)
{
	(void)state;
	mkfs_and_check(70 * 1024, 2048);
}

static void test_mkfs_bad_options(void **state)
{
	struct ext2_fs fs;
	struct ext2_io io = { 0 };
	struct ext2_group_desc gds[1];
	struct ext2_mkfs_opts o = { .blocks = 100, .block_size = 3000 };

	(void)state;
	assert_int_equal(ext2_mkfs(&fs, &io, &o, gds, 1), -EINVAL);
	o.block_size = 1024;
	o.blocks = 10;
	assert_int_equal(ext2_mkfs(&fs, &io, &o, gds, 1), -EINVAL);
	o.blocks = 100000;
	assert_int_equal(ext2_mkfs(&fs, &io, &o, gds, 1), -E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mkfs_small_1k),    cmocka_unit_test(test_mkfs_groups_1k),
		cmocka_unit_test(test_mkfs_4k),          cmocka_unit_test(test_mkfs_2k),
		cmocka_unit_test(test_mkfs_bad_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
