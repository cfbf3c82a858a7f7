// SPDX-License-Identifier: MIT
/*
 * vfat's readdir. A directory's cookie (f->pos) is 0 for ".", 1 for ".."
 * and 2 + the index of the first entry (long-name part or short entry) of
 * the next name, so a reader that stops part-way starts again at a whole
 * name. Entries are gathered a few at a time under the volume lock and
 * handed to the caller after it is dropped, since copying them out may
 * fault on a page that this same file system must read.
 */
#include <cairn/errno.h>
#include <cairn/linux/stat.h>

#include <lib/string.h>

#include "fs/fat/internal.h"
#include "fs/file.h"
#include "mm/heap.h"

#define BATCH 8

struct rd_item {
	char name[FAT_NAME_MAX + 1];
	size_t len;
	uint64_t ino;
	unsigned dtype;
	int64_t next; /* the cookie after this entry */
};

struct rd_batch {
	struct rd_item it[BATCH];
	unsigned n;
	bool end; /* the directory has no more entries */
};

/* Gather up to BATCH names from entry index @from of directory @fi into @bt. */
static int rd_gather(struct fat_sb *fs, struct fat_inode *fi, uint32_t from, struct rd_batch *bt,
                     struct fat_dirent *de)
{
	struct fat_lfn_state st;
	struct fat_walk w = { .b = NULL };
	struct rd_item *it;
	int err;

	bt->n = 0;
	bt->end = false;
	fat_lfn_reset(&st);
	mutex_lock(&fs->lock);
	/* A removed directory lists nothing (its clusters may be gone already). */
	err = fi->unlinked ? -ENOENT : fat_walk_start_locked(fs, fi->first, from, &w);
	for (; !err; err = fat_walk_next(&w)) {
		enum fat_feed r = fat_dir_feed(&st, w.ent, de);

		if (r == FAT_FEED_END)
			break;
		if (r == FAT_FEED_SKIP || de->short_name[0] == '.')
			continue;
		it = &bt->it[bt->n++];
		memcpy(it->name, de->name, de->namelen + 1);
		it->len = de->namelen;
		it->ino = fat_walk_pos(&w) / FAT_DIRENT_SIZE;
		it->dtype = (de->attr & FAT_ATTR_DIR) ? DT_DIR : DT_REG;
		it->next = 2 + (int64_t)w.idx + 1;
		if (bt->n == BATCH)
			break;
	}
	fat_walk_end(&w);
	mutex_unlock(&fs->lock);
	if (err == -ENOENT || (!err && bt->n < BATCH))
		bt->end = true;
	return err == -ENOENT ? 0 : err;
}

/* "." and "..": the first two cookies. False when the caller's buffer is full. */
static bool rd_dots(struct file *f, struct dir_ctx *ctx)
{
	struct dentry *d = f->path.dentry;

	if (f->pos == 0) {
		if (!ctx->emit(ctx, ".", 1, f->inode->ino, DT_DIR))
			return false;
		f->pos = 1;
	}
	if (f->pos == 1) {
		if (!ctx->emit(ctx, "..", 2, d->parent->inode->ino, DT_DIR))
			return false;
		f->pos = 2;
	}
	return true;
}

static int fat_iterate(struct file *f, struct dir_ctx *ctx)
{
	struct fat_sb *fs = FAT_SB(f->inode->sb);
	struct rd_batch *bt = kmalloc(sizeof(*bt));
	struct fat_dirent *de = kmalloc(sizeof(*de));
	unsigned i;
	int err = -ENOMEM;

	if (!bt || !de)
		goto out;
	err = 0;
	if (!rd_dots(f, ctx))
		goto out;
	while (f->pos >= 2 && f->pos - 2 < FAT_DIR_MAX) {
		err = rd_gather(fs, FAT_I(f->inode), (uint32_t)(f->pos - 2), bt, de);
		for (i = 0; !err && i < bt->n; i++) {
			if (!ctx->emit(ctx, bt->it[i].name, bt->it[i].len, bt->it[i].ino,
			               bt->it[i].dtype))
				goto out;
			f->pos = bt->it[i].next;
		}
		if (err || bt->end)
			break;
	}
out:
	kfree(de);
	kfree(bt);
	return err;
}

const struct file_ops fat_dir_fops = {
	.iterate = fat_iterate,
};
