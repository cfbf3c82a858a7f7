// SPDX-License-Identifier: MIT
/*
 * vfat directories: walking a directory's entries sector by sector through
 * the buffer cache, finding a name (its long name or its short alias, case
 * folded), adding a name's entries (long-name parts and a short name with a
 * numeric tail no other entry has), freeing them, and readdir. A directory
 * is the fixed root region of FAT12/16 or a cluster chain of at most 65536
 * entries (spec section 6); every walk stays inside both bounds.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "core/log.h"
#include "fs/fat/internal.h"
#include "fs/file.h"
#include "mm/heap.h"

/* The sector of entry @idx in cluster @c (@c 0: the fixed root). */
static uint64_t walk_sector(const struct fat_geom *g, uint32_t c, uint32_t idx)
{
	uint32_t per = g->cluster_size / FAT_DIRENT_SIZE;
	uint64_t byte = (uint64_t)(idx % per) * FAT_DIRENT_SIZE;

	if (c == 0)
		return g->root_start + (uint64_t)idx * FAT_DIRENT_SIZE / g->sector_size;
	return fat_cluster_offset(g, c) / g->sector_size + byte / g->sector_size;
}

static int walk_load(struct fat_walk *w)
{
	uint32_t ss = w->fs->vol.g.sector_size;
	int err = fat_bread(w->fs, w->sector, &w->b);

	if (err) {
		w->b = NULL;
		return err;
	}
	w->ent = (uint8_t *)w->b->data + (uint64_t)w->idx * FAT_DIRENT_SIZE % ss;
	return 0;
}

int fat_walk_start_locked(struct fat_sb *fs, uint32_t dir, uint32_t idx, struct fat_walk *w)
{
	const struct fat_geom *g = &fs->vol.g;
	int err;

	w->fs = fs;
	w->dir = dir;
	w->idx = idx;
	w->b = NULL;
	w->cluster = 0;
	if (idx >= FAT_DIR_MAX || (dir == 0 && idx >= g->root_entries))
		return -ENOENT;
	if (dir) {
		err = fat_chain_nth(&fs->vol, dir, idx / (g->cluster_size / FAT_DIRENT_SIZE),
		                    &w->cluster);
		if (err == -ENXIO)
			return -ENOENT;
		if (err) {
			fat_error(fs, "broken directory cluster chain", err);
			return err;
		}
	}
	w->sector = walk_sector(g, w->cluster, idx);
	return walk_load(w);
}

int fat_walk_next(struct fat_walk *w)
{
	const struct fat_geom *g = &w->fs->vol.g;
	uint32_t per_sec = g->sector_size / FAT_DIRENT_SIZE, c;
	int err;

	w->idx++;
	w->ent += FAT_DIRENT_SIZE;
	if (w->idx % per_sec)
		return 0;
	brelse(w->b);
	w->b = NULL;
	if (w->idx >= FAT_DIR_MAX || (w->dir == 0 && w->idx >= g->root_entries))
		return -ENOENT;
	if (w->dir && w->idx % (g->cluster_size / FAT_DIRENT_SIZE) == 0) {
		err = fat_next(&w->fs->vol, w->cluster, &c);
		if (err) {
			fat_error(w->fs, "broken directory cluster chain", err);
			return err;
		}
		if (c == 0)
			return -ENOENT;
		w->cluster = c;
		w->sector = walk_sector(g, c, w->idx);
	} else {
		w->sector++;
	}
	return walk_load(w);
}

void fat_walk_end(struct fat_walk *w)
{
	if (w->b)
		brelse(w->b);
	w->b = NULL;
}

uint64_t fat_walk_pos(const struct fat_walk *w)
{
	return w->sector * w->fs->vol.g.sector_size +
	       (uint64_t)w->idx * FAT_DIRENT_SIZE % w->fs->vol.g.sector_size;
}

static bool is_dot(const struct fat_dirent *de)
{
	return de->short_name[0] == '.';
}

int fat_dir_find_locked(struct fat_sb *fs, uint32_t dir, const char *name, size_t len,
                        struct fat_found *out)
{
	struct fat_lfn_state st;
	struct fat_walk w;
	char alias[16];
	size_t alen;
	int err;

	fat_lfn_reset(&st);
	for (err = fat_walk_start_locked(fs, dir, 0, &w); !err; err = fat_walk_next(&w)) {
		enum fat_feed r = fat_dir_feed(&st, w.ent, &out->de);

		if (r == FAT_FEED_END)
			break;
		if (r == FAT_FEED_SKIP || is_dot(&out->de))
			continue;
		alen = fat_short_to_text(out->de.short_name, 0, alias);
		if (fat_name_equal(out->de.name, out->de.namelen, name, len) ||
		    fat_name_equal(alias, alen, name, len)) {
			out->idx = w.idx;
			out->dpos = fat_walk_pos(&w);
			fat_walk_end(&w);
			return 0;
		}
	}
	fat_walk_end(&w);
	return err && err != -ENOENT ? err : -ENOENT;
}

/* Whether a short entry of @dir is called @sn. 1 yes, 0 no, or -errno. */
static int short_taken_locked(struct fat_sb *fs, uint32_t dir, const uint8_t *sn)
	__must_hold(&fs->lock)
{
	struct fat_walk w;
	int err;

	for (err = fat_walk_start_locked(fs, dir, 0, &w); !err && w.ent[0];
	     err = fat_walk_next(&w)) {
		if (w.ent[0] != FAT_DELETED && w.ent[11] != FAT_ATTR_LFN &&
		    !memcmp(w.ent, sn, 11)) {
			fat_walk_end(&w);
			return 1;
		}
	}
	fat_walk_end(&w);
	return err && err != -ENOENT ? err : 0;
}

/* Give @p a short name no entry of @dir has (spec section 7.2, numeric tails). */
static int pick_short_locked(struct fat_sb *fs, uint32_t dir, struct fat_name_plan *p)
	__must_hold(&fs->lock)
{
	uint32_t hash = fat_name_hash(p->lfn, p->lfn_len);
	uint8_t basis[11];
	unsigned n;
	int r;

	if (!p->need_lfn) {
		r = short_taken_locked(fs, dir, p->sn);
		return r > 0 ? -EEXIST : r;
	}
	memcpy(basis, p->sn, 11);
	for (n = 1; n < 1000000; n++) {
		fat_short_tail(basis, n, hash, p->sn);
		r = short_taken_locked(fs, dir, p->sn);
		if (r <= 0)
			return r;
	}
	return -EEXIST;
}

int fat_zero_cluster_locked(struct fat_sb *fs, uint32_t c)
{
	const struct fat_geom *g = &fs->vol.g;
	uint64_t s = fat_cluster_offset(g, c) / g->sector_size;
	struct bbuf *b;
	uint32_t i;
	int err;

	for (i = 0; i < g->sec_per_clus; i++) {
		err = bget(fs->bdev, s + i, g->sector_size, &b);
		if (err)
			return err;
		memset(b->data, 0, g->sector_size);
		bdirty(b);
		brelse(b);
	}
	return 0;
}

/* Add zeroed clusters to @dir until @more entries past its end exist. */
static int dir_extend_locked(struct fat_sb *fs, uint32_t dir, uint32_t end_idx, uint32_t more)
	__must_hold(&fs->lock)
{
	uint32_t per = fs->vol.g.cluster_size / FAT_DIRENT_SIZE, last, added = 0;
	int err;

	if (dir == 0 || end_idx + more > FAT_DIR_MAX)
		return -ENOSPC;
	err = fat_chain_nth(&fs->vol, dir, end_idx / per - 1, &last);
	while (!err && added < more) {
		err = fat_alloc(&fs->vol, last, &last);
		if (!err)
			err = fat_zero_cluster_locked(fs, last);
		added += per;
	}
	return err;
}

/* The index of @n free entries in a row in @dir, growing it if needed. */
static int find_slots_locked(struct fat_sb *fs, uint32_t dir, unsigned n, uint32_t *idx)
	__must_hold(&fs->lock)
{
	struct fat_walk w;
	uint32_t run = 0;
	int err;

	for (err = fat_walk_start_locked(fs, dir, 0, &w); !err; err = fat_walk_next(&w)) {
		run = (w.ent[0] == 0 || w.ent[0] == FAT_DELETED) ? run + 1 : 0;
		if (run == n) {
			*idx = w.idx + 1 - n;
			fat_walk_end(&w);
			return 0;
		}
	}
	fat_walk_end(&w);
	if (err != -ENOENT)
		return err;
	/* w.idx is the first index past the end; the free run before it is kept. */
	*idx = w.idx - run;
	return dir_extend_locked(fs, dir, w.idx, n - run);
}

/* Write the @n entries @ents at @idx of @dir; the short one's position in *@dpos. */
static int write_slots_locked(struct fat_sb *fs, uint32_t dir, uint32_t idx, const uint8_t *ents,
                              unsigned n, uint64_t *dpos) __must_hold(&fs->lock)
{
	struct fat_walk w;
	unsigned i;
	int err = fat_walk_start_locked(fs, dir, idx, &w);

	for (i = 0; !err; i++) {
		memcpy(w.ent, ents + i * FAT_DIRENT_SIZE, FAT_DIRENT_SIZE);
		bdirty(w.b);
		if (i + 1 == n) {
			*dpos = fat_walk_pos(&w);
			break;
		}
		err = fat_walk_next(&w);
	}
	fat_walk_end(&w);
	return err;
}

int fat_dir_add_locked(struct fat_sb *fs, uint32_t dir, const char *name, size_t len,
                       const uint8_t *proto, uint32_t *idx, uint64_t *dpos, unsigned *nslots)
{
	struct fat_name_plan *p = kmalloc(sizeof(*p));
	uint8_t *ents = kmalloc((FAT_LFN_SLOTS + 1) * FAT_DIRENT_SIZE), *se;
	unsigned n;
	int err = -ENOMEM;

	if (!p || !ents)
		goto out;
	err = fat_name_plan(name, len, p);
	if (!err)
		err = pick_short_locked(fs, dir, p);
	if (err)
		goto out;
	n = fat_plan_slots(p);
	*nslots = n;
	err = find_slots_locked(fs, dir, n, idx);
	if (err)
		goto out;
	fat_plan_entries(p, proto[11], ents);
	se = ents + (n - 1) * FAT_DIRENT_SIZE;
	memcpy(se + 13, proto + 13, FAT_DIRENT_SIZE - 13);
	*idx += n - 1;
	err = write_slots_locked(fs, dir, *idx + 1 - n, ents, n, dpos);
out:
	kfree(ents);
	kfree(p);
	return err;
}

int fat_dir_remove_locked(struct fat_sb *fs, uint32_t dir, uint32_t idx, unsigned nslots)
{
	struct fat_walk w;
	unsigned i;
	int err = fat_walk_start_locked(fs, dir, idx + 1 - nslots, &w);

	for (i = 0; !err; i++) {
		w.ent[0] = FAT_DELETED;
		bdirty(w.b);
		if (i + 1 == nslots)
			break;
		err = fat_walk_next(&w);
	}
	fat_walk_end(&w);
	return err;
}

int fat_dir_empty_locked(struct fat_sb *fs, uint32_t dir)
{
	struct fat_walk w;
	int err;

	for (err = fat_walk_start_locked(fs, dir, 0, &w); !err && w.ent[0];
	     err = fat_walk_next(&w)) {
		if (w.ent[0] == FAT_DELETED || w.ent[0] == '.' ||
		    (w.ent[11] & 0x3f) == FAT_ATTR_LFN ||
		    (w.ent[11] & (FAT_ATTR_VOLUME | FAT_ATTR_DIR)) == FAT_ATTR_VOLUME)
			continue;
		fat_walk_end(&w);
		return -ENOTEMPTY;
	}
	fat_walk_end(&w);
	return err && err != -ENOENT ? err : 0;
}

int fat_dir_init_locked(struct fat_sb *fs, uint32_t parent, uint32_t *first)
{
	struct bbuf *b;
	uint8_t *e;
	int err = fat_alloc(&fs->vol, 0, first);

	if (!err)
		err = fat_zero_cluster_locked(fs, *first);
	if (!err)
		err = fat_bread(fs, fat_cluster_offset(&fs->vol.g, *first) / fs->vol.g.sector_size,
		                &b);
	if (err)
		return err;
	e = b->data;
	memcpy(e, ".          ", 11);
	memcpy(e + 32, "..         ", 11);
	e[11] = e[32 + 11] = FAT_ATTR_DIR;
	fat_dirent_set_cluster(e, *first);
	/* ".." of a directory in the root names cluster 0, even on FAT32 (spec section 6.7). */
	fat_dirent_set_cluster(e + 32, parent == fat_root_dir(fs) ? 0 : parent);
	bdirty(b);
	brelse(b);
	return 0;
}
