// SPDX-License-Identifier: MIT
/*
 * vfat regular files: their bytes live in the page cache (read(2), write(2)
 * and mmap share it); this file moves pages between the cache and the
 * file's clusters with blk_rw, runs of adjacent clusters in one request.
 * FAT has no holes, so clusters are allocated in chain order when a page is
 * written back, and any part of a new cluster that no page will fill is
 * zeroed; prepare_write only reserves the count, so a full volume fails the
 * writer with ENOSPC rather than losing the page at writeback.
 */
#include "fs/file.h"

#include <cairn/errno.h>
#include <cairn/linux/stat.h>

#include <lib/string.h>

#include "core/kmain.h"
#include "core/log.h"
#include "fs/fat/internal.h"
#include "mm/heap.h"

#define FAT_MAX_FILE 0xffffffffull /* the size field is 32 bits (spec section 6) */

/* A page of zeros to write where new clusters must read as zeros. */
static uint8_t fat_zero_page[PAGE_CACHE_SIZE] __aligned(PAGE_CACHE_SIZE);

int fat_map_locked(struct fat_sb *fs, struct fat_inode *fi, uint32_t n, uint32_t *c)
{
	uint32_t at = 0, cur = fi->first;
	int err;

	if (n >= fi->nclus)
		return -ENXIO;
	if (fi->hint_c && fi->hint_n <= n) {
		at = fi->hint_n;
		cur = fi->hint_c;
	}
	for (; at < n; at++) {
		err = fat_next(&fs->vol, cur, &cur);
		if (!err && cur == 0)
			err = -EUCLEAN;
		if (err) {
			fat_error(fs, "a file's cluster chain ends early", err);
			return err;
		}
	}
	fi->hint_n = n;
	fi->hint_c = cur;
	*c = cur;
	return 0;
}

/* Write zeros over the file bytes [@from, @to) of cluster @c (file byte @cstart). */
static int zero_range_locked(struct fat_sb *fs, uint32_t c, uint64_t cstart, uint64_t from,
                             uint64_t to) __must_hold(&fs->lock)
{
	uint64_t disk = fat_cluster_offset(&fs->vol.g, c);
	size_t n;
	int err;

	while (from < to) {
		n = to - from < PAGE_CACHE_SIZE ? (size_t)(to - from) : PAGE_CACHE_SIZE;
		err = blk_rw(fs->bdev, BIO_WRITE, disk + (from - cstart), fat_zero_page, n);
		if (err)
			return err;
		from += n;
	}
	return 0;
}

int fat_grow_locked(struct fat_sb *fs, struct fat_inode *fi, uint32_t want, uint64_t keep_from,
                    uint64_t keep_to)
{
	uint32_t cs = fs->vol.g.cluster_size, prev = 0, c;
	uint64_t cstart, cend;
	int err = 0;

	if (fi->nclus)
		err = fat_map_locked(fs, fi, fi->nclus - 1, &prev);
	while (!err && fi->nclus < want) {
		err = fat_alloc(&fs->vol, prev, &c);
		if (err)
			break;
		if (!fi->first)
			fi->first = c;
		if (fi->resv) {
			fi->resv--;
			fs->reserved--;
		}
		cstart = (uint64_t)fi->nclus * cs;
		cend = cstart + cs;
		fi->hint_n = fi->nclus++;
		fi->hint_c = prev = c;
		/* What the caller does not write must read back as zeros: FAT has no holes. */
		err = zero_range_locked(fs, c, cstart, cstart,
		                        keep_from > cstart ? keep_from : cstart);
		if (!err && keep_to < cend)
			err = zero_range_locked(fs, c, cstart, keep_to > cstart ? keep_to : cstart,
			                        cend);
	}
	fi->vfs->blocks = (uint64_t)fi->nclus * cs / 512;
	return err;
}

/*
 * Move the file bytes [@pos, @pos + @len) (sector-aligned, inside the
 * chain) between the volume and @buf, one request per run of adjacent
 * clusters.
 */
static int fat_rw_range_locked(struct fat_sb *fs, struct fat_inode *fi, enum bio_op op,
                               uint64_t pos, uint8_t *buf, uint32_t len) __must_hold(&fs->lock)
{
	uint32_t cs = fs->vol.g.cluster_size, c, run = 0, piece;
	uint64_t disk, run_disk = 0;
	int err;

	while (len) {
		err = fat_map_locked(fs, fi, (uint32_t)(pos / cs), &c);
		if (err)
			return err;
		disk = fat_cluster_offset(&fs->vol.g, c) + pos % cs;
		piece = cs - (uint32_t)(pos % cs) < len ? cs - (uint32_t)(pos % cs) : len;
		if (run && run_disk + run != disk) {
			err = blk_rw(fs->bdev, op, run_disk, buf - run, run);
			if (err)
				return err;
			run = 0;
		}
		if (!run)
			run_disk = disk;
		run += piece;
		buf += piece;
		pos += piece;
		len -= piece;
	}
	return run ? blk_rw(fs->bdev, op, run_disk, buf - run, run) : 0;
}

static uint32_t round_sector(const struct fat_sb *fs, uint64_t n)
{
	uint32_t ss = fs->vol.g.sector_size;

	return (uint32_t)((n + ss - 1) / ss * ss);
}

static int fat_readpage(struct address_space *m, uint64_t index, uint64_t pa)
{
	struct fat_inode *fi = FAT_I(m->host);
	struct fat_sb *fs = FAT_SB(m->host->sb);
	uint8_t *buf = phys_to_virt(pa);
	uint64_t pos = index * PAGE_CACHE_SIZE, size, have;
	uint32_t n = 0;
	int err = 0;

	mutex_lock(&fs->lock);
	size = (uint64_t)__atomic_load_n(&m->host->size, __ATOMIC_RELAXED);
	have = (uint64_t)fi->nclus * fs->vol.g.cluster_size;
	/* Bytes past the chain (a gap a pending write will allocate) read as zeros. */
	if (pos < size && pos < have) {
		n = round_sector(fs, (size < have ? size : have) - pos);
		n = n < PAGE_CACHE_SIZE ? n : PAGE_CACHE_SIZE;
		err = fat_rw_range_locked(fs, fi, BIO_READ, pos, buf, n);
	}
	mutex_unlock(&fs->lock);
	if (pos + n > size)
		n = size > pos ? (uint32_t)(size - pos) : 0;
	memset(buf + n, 0, PAGE_CACHE_SIZE - n);
	return err;
}

static int fat_writepage(struct address_space *m, uint64_t index, uint64_t pa, uint32_t len)
{
	struct fat_inode *fi = FAT_I(m->host);
	struct fat_sb *fs = FAT_SB(m->host->sb);
	uint32_t cs = fs->vol.g.cluster_size;
	uint64_t pos = index * PAGE_CACHE_SIZE, size;
	uint32_t want;
	int err = 0;

	if (len == 0 || len > PAGE_CACHE_SIZE || pos + len > FAT_MAX_FILE)
		return len == 0 ? 0 : -EFBIG;
	mutex_lock(&fs->lock);
	if (fi->unlinked)
		goto out_unlock; /* nobody can read it again: its clusters are going */
	if (fs->sb->flags & SB_RDONLY) {
		err = -EROFS;
		goto out_unlock;
	}
	/*
	 * A truncation may have cut the file while this page waited for the
	 * lock: write only what is still inside it, or the chain would grow
	 * back past the new size.
	 */
	size = (uint64_t)__atomic_load_n(&m->host->size, __ATOMIC_RELAXED);
	if (pos >= size)
		goto out_unlock;
	if (pos + len > size)
		len = (uint32_t)(size - pos);
	want = (uint32_t)((pos + len + cs - 1) / cs);
	err = fat_grow_locked(fs, fi, want, pos, pos + PAGE_CACHE_SIZE);
	if (!err)
		err = fat_rw_range_locked(fs, fi, BIO_WRITE, pos, phys_to_virt(pa),
		                          round_sector(fs, len));
	if (!err)
		err = fat_write_inode_locked(fs, fi);
	if (err == -ENOSPC)
		pr_warn("vfat: %s: volume full while writing back a page", fs->bdev->name);
out_unlock:
	mutex_unlock(&fs->lock);
	return err;
}

/* Reserve the clusters page @index needs (all before it too: FAT has no holes). */
static int fat_prepare_write(struct address_space *m, uint64_t index)
{
	struct fat_inode *fi = FAT_I(m->host);
	struct fat_sb *fs = FAT_SB(m->host->sb);
	uint32_t cs = fs->vol.g.cluster_size, need, nfree;
	uint64_t end = (index + 1) * PAGE_CACHE_SIZE, want;
	int err = 0;

	if (index * PAGE_CACHE_SIZE >= FAT_MAX_FILE)
		return -EFBIG;
	end = end < FAT_MAX_FILE ? end : FAT_MAX_FILE;
	want = (end + cs - 1) / cs;
	mutex_lock(&fs->lock);
	if (want > (uint64_t)fi->nclus + fi->resv) {
		need = (uint32_t)(want - fi->nclus - fi->resv);
		if (fs->vol.free_count == FAT_FSINFO_UNKNOWN)
			err = fat_count_free(&fs->vol);
		nfree = fs->vol.free_count > fs->reserved ? fs->vol.free_count - fs->reserved : 0;
		if (!err && need > nfree)
			err = -ENOSPC;
		if (!err) {
			fi->resv += need;
			fs->reserved += need;
		}
	}
	mutex_unlock(&fs->lock);
	return err;
}

/* fsync: the entry (size, first cluster, times) and the free counts. */
static int fat_write_meta(struct address_space *m, bool datasync)
{
	struct fat_sb *fs = FAT_SB(m->host->sb);
	int err;

	(void)datasync;
	mutex_lock(&fs->lock);
	err = fat_write_inode_locked(fs, FAT_I(m->host));
	if (!err)
		err = fat_write_fsinfo_locked(fs);
	mutex_unlock(&fs->lock);
	return err;
}

const struct address_space_ops fat_aops = {
	.readpage = fat_readpage,
	.writepage = fat_writepage,
	.prepare_write = fat_prepare_write,
	.write_meta = fat_write_meta,
};

const struct file_ops fat_file_fops = {
	.read = generic_file_read,
	.write = generic_file_write,
	.fsync = generic_file_fsync,
};
