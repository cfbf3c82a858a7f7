/* SPDX-License-Identifier: MIT */
/*
 * A small FAT reader and writer for the host tests, built only from
 * lib/fat's functions over an image file: it finds, reads, creates and
 * deletes files the way the kernel's vfat does, so images it writes can be
 * checked with fsck.fat and mtools and images they make can be read back.
 */
#pragma once

#include <lib/fat/fat.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct himg {
	FILE *f;
	struct fat_vol v;
};

/* A directory: its first cluster, or 0 for FAT12/16's fixed root. */
struct hdir {
	uint32_t cluster;
};

/* Whether the host tools a test needs are installed (else the test skips). */
bool fat_tools_present(void);
/* Run a shell command; its exit status. */
int hsh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int himg_open(struct himg *h, const char *path);
/* Write the FSInfo counts back and close. */
void himg_close(struct himg *h);
struct hdir himg_root(const struct himg *h);

/* Entry @idx of @d into @ent (32 bytes); -ENOENT past the directory's end. */
int hdir_get(struct himg *h, struct hdir d, uint32_t idx, uint8_t *ent);
int hdir_put(struct himg *h, struct hdir d, uint32_t idx, const uint8_t *ent);
/* Find @name in @d: 0 with *@out and the index of its short entry, or -ENOENT. */
int hdir_find(struct himg *h, struct hdir d, const char *name, struct fat_dirent *out,
              uint32_t *idx);
/* Walk @path ("a/b/c") from the root. */
int hpath(struct himg *h, const char *path, struct fat_dirent *out);
/* The file's bytes in a malloc'd buffer (*@len of them). */
int hread(struct himg *h, const struct fat_dirent *e, uint8_t **buf, size_t *len);
/* Create @name in @d holding @len bytes of @data (a directory when @dir). */
int hcreate(struct himg *h, struct hdir d, const char *name, const void *data, size_t len, bool dir,
            struct hdir *made);
/* Delete @name from @d (its entries marked free, its clusters freed). */
int hdelete(struct himg *h, struct hdir d, const char *name);
/* A new FAT32 volume of @bytes made by lib/fat's fat_format() in the file @path. */
int hformat(const char *path, uint64_t bytes, uint32_t spc);
