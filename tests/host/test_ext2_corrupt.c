/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/ext2 against damaged images, one damage at a time, on
 * mke2fs images: a bad magic, a block size out of range, a group
 * descriptor pointing outside the disk, unknown features, an unclean or
 * erroneous state, an inode mapping a block past the end, a directory
 * entry with a bad rec_len. Each is refused with -EINVAL/-EUCLEAN and a
 * reason, or mounts read-only, or marks the file system with errors; and
 * e2fsck agrees that the last two images need repair.
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

static char tree[64];

static int make_tree(void **state)
{
	(void)state;
	if (!ext2h_tools())
		return 0;
	ext2h_tmpdir(tree, sizeof(tree));
	ext2h_sh("mkdir -p %s/dir && head -c 5000 /dev/urandom > %s/file && "
	         "for i in 1 2 3 4 5; do : > %s/dir/n$i; done",
	         tree, tree, tree);
	return 0;
}

static int drop_tree(void **state)
{
	(void)state;
	if (tree[0])
		ext2h_sh("rm -rf %s", tree);
	return 0;
}

static struct ext2_super *super(struct ext2h_img *im)
{
	return (struct ext2_super *)(im->bytes + EXT2_SUPER_OFFSET);
}

static void fresh(struct ext2h_img *im)
{
	if (!ext2h_tools())
		skip();
	ext2h_mkfs(im, 4096, 1024, "", tree);
}

static void test_bad_magic(void **state)
{
	struct ext2h_img im;

	(void)state;
	fresh(&im);
	super(&im)->s_magic = 0x1234;
	assert_int_equal(ext2h_open(&im), -EINVAL);
	assert_string_equal(im.fs.why, "bad superblock magic");
	ext2h_free(&im);
}

static void test_bad_geometry(void **state)
{
	struct ext2h_img im;

	(void)state;
	fresh(&im);
	super(&im)->s_log_block_size = 40;
	assert_int_equal(ext2h_open(&im), -EUCLEAN);
	super(&im)->s_log_block_size = 0;
	super(&im)->s_inodes_per_group = 0;
	assert_int_equal(ext2h_open(&im), -EUCLEAN);
	super(&im)->s_inodes_per_group = 1u << 20;
	assert_int_equal(ext2h_open(&im), -EUCLEAN);
	ext2h_free(&im);
}

static void test_gd_outside(void **state)
{
	struct ext2h_img im;
	struct ext2_group_desc *gd;

	(void)state;
	fresh(&im);
	/* 1 KiB blocks: the descriptor table starts at block 2. */
	gd = (struct ext2_group_desc *)(im.bytes + 2 * 1024);
	gd->bg_inode_table = super(&im)->s_blocks_count - 1;
	assert_int_equal(ext2h_open(&im), -EUCLEAN);
	assert_string_equal(im.fs.why, "group descriptor points outside the file system");
	ext2h_free(&im);
}

static void test_features(void **state)
{
	struct ext2h_img im;

	(void)state;
	fresh(&im);
	super(&im)->s_feature_incompat |= EXT2_INCOMPAT_EXTENTS;
	assert_int_equal(ext2h_open(&im), -EINVAL);
	super(&im)->s_feature_incompat &= ~EXT2_INCOMPAT_EXTENTS;
	super(&im)->s_feature_incompat |= EXT2_INCOMPAT_RECOVER;
	assert_int_equal(ext2h_open(&im), -EINVAL);
	super(&im)->s_feature_incompat &= ~EXT2_INCOMPAT_RECOVER;
	super(&im)->s_feature_ro_compat |= 0x400; /* metadata_csum */
	assert_int_equal(ext2h_open(&im), 0);
	assert_true(im.fs.readonly);
	ext2h_free(&im);
}

static void test_unclean(void **state)
{
	struct ext2h_img im;
	struct ext2_ino root;

	(void)state;
	fresh(&im);
	super(&im)->s_state = 0;
	assert_int_equal(ext2h_open(&im), 0);
	assert_true(im.fs.readonly);
	assert_non_null(strstr(im.fs.why, "not cleanly unmounted"));
	assert_int_equal(ext2_mount_rw(&im.fs, 1), -EROFS);
	assert_int_equal(ext2h_walk(&im.fs, "/", &root), 0);
	assert_int_equal(ext2_dir_add(&im.fs, &root, "x", 1, 12, EXT2_FT_REG_FILE), -EROFS);
	super(&im)->s_state = EXT2_VALID_FS | EXT2_ERROR_FS;
	assert_int_equal(ext2h_open(&im), 0);
	assert_true(im.fs.readonly);
	assert_non_null(strstr(im.fs.why, "errors"));
	ext2h_free(&im);
}

/* An inode mapping a block past the end: -EUCLEAN, errors recorded, read-only after. */
static void test_block_past_end(void **state)
{
	struct ext2h_img im;
	struct ext2_ino f;
	uint32_t blk;
	char buf[16];

	(void)state;
	fresh(&im);
	assert_int_equal(ext2h_open(&im), 0);
	assert_int_equal(ext2h_walk(&im.fs, "file", &f), 0);
	f.raw.i_block[2] = im.fs.sb.s_blocks_count + 7;
	assert_int_equal(ext2_write_inode(&im.fs, &f), 0);
	assert_int_equal(ext2_bmap(&im.fs, &f, 0, false, &blk), 0);
	assert_int_equal(ext2_file_read(&im.fs, &f, 2048, buf, sizeof(buf)), -EUCLEAN);
	assert_true(im.fs.readonly);
	assert_true(im.fs.sb.s_state & EXT2_ERROR_FS);
	assert_true(super(&im)->s_state & EXT2_ERROR_FS); /* reached the disk */
	assert_int_equal(im.held, 0);
	ext2h_save(&im);
	assert_int_not_equal(ext2h_fsck(&im), 0);
	ext2h_free(&im);
}

/* A directory entry whose rec_len runs past its block. */
static void test_bad_rec_len(void **state)
{
	struct ext2h_img im;
	struct ext2_ino d;
	uint32_t blk, ino;

	(void)state;
	fresh(&im);
	assert_int_equal(ext2h_open(&im), 0);
	assert_int_equal(ext2h_walk(&im.fs, "dir", &d), 0);
	assert_int_equal(ext2_dir_lookup(&im.fs, &d, "n3", 2, &ino), 0);
	assert_int_equal(ext2_bmap(&im.fs, &d, 0, false, &blk), 0);
	struct ext2_dirent *e = (void *)(im.bytes + (size_t)blk * 1024);
	e->rec_len = 13;
	assert_int_equal(ext2_dir_lookup(&im.fs, &d, "n3", 2, &ino), -EUCLEAN);
	assert_string_equal(im.fs.why, "directory entry with a bad rec_len");
	assert_true(im.fs.readonly);
	e->rec_len = 2000;
	const char *why;
	assert_int_equal(ext2_dirblock_check(&im.fs, (void *)e, 1024, &why), -EUCLEAN);
	assert_int_equal(im.held, 0);
	ext2h_free(&im);
}

/* Freeing a block twice is caught, not counted twice. */
static void test_double_free(void **state)
{
	struct ext2h_img im;
	struct ext2_ino f;
	uint32_t blk, before;

	(void)state;
	fresh(&im);
	assert_int_equal(ext2h_open(&im), 0);
	assert_int_equal(ext2h_walk(&im.fs, "file", &f), 0);
	assert_int_equal(ext2_bmap(&im.fs, &f, 0, false, &blk), 0);
	assert_int_equal(ext2_free_block(&im.fs, blk), 0);
	before = im.fs.sb.s_free_blocks_count;
	assert_int_equal(ext2_free_block(&im.fs, blk), -EUCLEAN);
	assert_int_equal(im.fs.sb.s_free_blocks_count, before);
	assert_true(im.fs.readonly);
	assert_int_equal(ext2_free_block(&im.fs, 1), -EUCLEAN);
	ext2h_free(&im);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_magic),   cmocka_unit_test(test_bad_geometry),
		cmocka_unit_test(test_gd_outside),  cmocka_unit_test(test_features),
		cmocka_unit_test(test_unclean),     cmocka_unit_test(test_block_past_end),
		cmocka_unit_test(test_bad_rec_len), cmocka_unit_test(test_double_free),
	};

	return cmocka_run_group_tests(tests, make_tree, drop_tree);
}
