/* SPDX-License-Identifier: MIT */
/*
 * What the host tests of lib/ext2 share (tests/host/ext2_helpers.c): images
 * made by e2fsprogs' mke2fs at test time, held in memory behind the
 * engine's block I/O, written back out for e2fsck and debugfs to judge.
 * Tests call ext2h_tools() first and skip when e2fsprogs is missing.
 */
#pragma once

#include <lib/ext2/ext2.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An image in memory and the file system opened on it. */
struct ext2h_img {
	uint8_t *bytes;
	size_t size;
	uint32_t bsize; /* the block size the I/O uses (from the superblock) */
	char path[128]; /* the file it came from and is saved to */
	struct ext2_io io;
	struct ext2_fs fs;
	long held; /* blocks read but not released: must be 0 between calls */
};

/* Whether mke2fs, e2fsck and debugfs are installed. */
bool ext2h_tools(void);
/* A fresh temporary directory (for mke2fs -d), its path in @out (@n bytes). */
void ext2h_tmpdir(char *out, size_t n);
/* Run a shell command; its exit status. */
int ext2h_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * mke2fs -t ext2 an image of @kib KiB with block size @bsize (extra
 * options @opts, may be ""), populated from @dir (NULL: empty), loaded.
 */
void ext2h_mkfs(struct ext2h_img *im, uint32_t kib, uint32_t bsize, const char *opts,
                const char *dir);
/* Load the image file @im->path into memory (size from the file). */
void ext2h_load(struct ext2h_img *im);
/* ext2_open() on the loaded bytes; returns its result. */
int ext2h_open(struct ext2h_img *im);
/* Write the superblock (clean state) and the bytes back to @im->path. */
void ext2h_save(struct ext2h_img *im);
/* e2fsck -fn on the saved image: its exit status (0: clean); output kept in @log if given. */
int ext2h_fsck(const struct ext2h_img *im);
void ext2h_free(struct ext2h_img *im);

/* Walk @path ("/a/b") from the root: 0 and the inode in @out, or -errno. */
int ext2h_walk(struct ext2_fs *fs, const char *path, struct ext2_ino *out);
/* Write a whole new regular file @name in @dir with @len bytes of @data. */
void ext2h_put(struct ext2_fs *fs, struct ext2_ino *dir, const char *name, const void *data,
               size_t len, struct ext2_ino *out);
/* Fill @buf with @len bytes that depend on @seed. */
void ext2h_pattern(uint8_t *buf, size_t len, uint32_t seed);
