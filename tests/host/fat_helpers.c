/* SPDX-License-Identifier: MIT */
/*
 * The host tests' FAT reader and writer (see fat_helpers.h): lib/fat does
 * every on-disk decision; this file only moves bytes to and from the image.
 */
#include "fat_helpers.h"

#include <cairn/errno.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int file_read(void *ctx, uint64_t off, void *buf, size_t n)
{
	FILE *f = ctx;

	if (fseeko(f, (off_t)off, SEEK_SET) || fread(buf, 1, n, f) != n)
		return -EIO;
	return 0;
}

static int file_write(void *ctx, uint64_t off, const void *buf, size_t n)
{
	FILE *f = ctx;

	if (fseeko(f, (off_t)off, SEEK_SET) || fwrite(buf, 1, n, f) != n)
		return -EIO;
	return 0;
}

static const struct fat_io file_io = { .read = file_read, .write = file_write };

bool fat_tools_present(void)
{
	return hsh("command -v mkfs.fat && command -v fsck.fat && command -v mcopy && "
	           "command -v mtype && command -v mmd") == 0;
}

int hsh(const char *fmt, ...)
{
	char cmd[4096], full[4200];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), getenv("FAT_TEST_VERBOSE") ? "%s" : "{ %s; } >/dev/null 2>&1",
	         cmd);
	r = system(full);
	return r == -1 ? -1 : WEXITSTATUS(r);
}

int himg_open(struct himg *h, const char *path)
{
	uint8_t sec[4096];
	struct fat_geom g;
	struct fat_fsinfo fi;
	int err;

	h->f = fopen(path, "r+b");
	if (!h->f)
		return -ENOENT;
	if (fread(sec, 1, 512, h->f) != 512)
		return -EIO;
	err = fat_parse_bpb(sec, 512, &g, NULL);
	if (err)
		return err;
	fat_vol_init(&h->v, &g, &file_io, h->f);
	if (g.fsinfo_sector &&
	    !file_read(h->f, (uint64_t)g.fsinfo_sector * g.sector_size, sec, 512) &&
	    !fat_parse_fsinfo(sec, 512, &fi) && fi.free_count <= g.nclusters) {
		h->v.free_count = fi.free_count;
		if (fat_cluster_valid(&g, fi.next_free))
			h->v.next_free = fi.next_free;
		return 0;
	}
	return fat_count_free(&h->v);
}

void himg_close(struct himg *h)
{
	uint8_t sec[512];
	struct fat_fsinfo fi = { h->v.free_count, h->v.next_free };
	uint64_t off = (uint64_t)h->v.g.fsinfo_sector * h->v.g.sector_size;

	if (h->v.g.fsinfo_sector && h->v.fsinfo_dirty && !file_read(h->f, off, sec, 512)) {
		fat_write_fsinfo(sec, 512, &fi);
		(void)file_write(h->f, off, sec, 512);
	}
	fclose(h->f);
}

struct hdir himg_root(const struct himg *h)
{
	return (struct hdir){ h->v.g.type == FAT32 ? h->v.g.root_cluster : 0 };
}

/* Byte offset of entry @idx of @d, or -ENOENT past its end. */
static int64_t dir_off(struct himg *h, struct hdir d, uint32_t idx)
{
	const struct fat_geom *g = &h->v.g;
	uint32_t per = g->cluster_size / FAT_DIRENT_SIZE, c;
	int err;

	if (d.cluster == 0) {
		if (idx >= g->root_entries)
			return -ENOENT;
		return (int64_t)g->root_start * g->sector_size + (int64_t)idx * FAT_DIRENT_SIZE;
	}
	err = fat_chain_nth(&h->v, d.cluster, idx / per, &c);
	if (err)
		return err == -ENXIO ? -ENOENT : err;
	return (int64_t)fat_cluster_offset(g, c) + (int64_t)(idx % per) * FAT_DIRENT_SIZE;
}

int hdir_get(struct himg *h, struct hdir d, uint32_t idx, uint8_t *ent)
{
	int64_t off = dir_off(h, d, idx);

	return off < 0 ? (int)off : file_read(h->f, (uint64_t)off, ent, FAT_DIRENT_SIZE);
}

int hdir_put(struct himg *h, struct hdir d, uint32_t idx, const uint8_t *ent)
{
	int64_t off = dir_off(h, d, idx);

	return off < 0 ? (int)off : file_write(h->f, (uint64_t)off, ent, FAT_DIRENT_SIZE);
}

int hdir_find(struct himg *h, struct hdir d, const char *name, struct fat_dirent *out,
              uint32_t *idx)
{
	struct fat_lfn_state st;
	uint8_t ent[32];
	uint32_t i;
	int err;

	fat_lfn_reset(&st);
	for (i = 0;; i++) {
		err = hdir_get(h, d, i, ent);
		if (err)
			return err;
		switch (fat_dir_feed(&st, ent, out)) {
		case FAT_FEED_END:
			return -ENOENT;
		case FAT_FEED_SKIP:
			break;
		case FAT_FEED_ENTRY:
			if (fat_name_equal(out->name, out->namelen, name, strlen(name))) {
				*idx = i;
				return 0;
			}
		}
	}
}

int hpath(struct himg *h, const char *path, struct fat_dirent *out)
{
	char buf[1024], *save = NULL, *part;
	struct hdir d = himg_root(h);
	uint32_t idx;
	int err = -ENOENT;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		err = hdir_find(h, d, part, out, &idx);
		if (err)
			return err;
		d.cluster = out->cluster;
	}
	return err;
}

int hread(struct himg *h, const struct fat_dirent *e, uint8_t **buf, size_t *len)
{
	uint32_t cs = h->v.g.cluster_size, c = e->cluster;
	size_t done = 0, n;
	int err;

	*len = e->size;
	*buf = malloc(e->size + 1);
	while (done < e->size) {
		if (!c)
			return -EUCLEAN;
		n = e->size - done < cs ? e->size - done : cs;
		err = file_read(h->f, fat_cluster_offset(&h->v.g, c), *buf + done, n);
		if (!err)
			err = fat_next(&h->v, c, &c);
		if (err)
			return err;
		done += n;
	}
	return 0;
}

/* Whether a short entry of @d is called @sn. */
static bool short_taken(struct himg *h, struct hdir d, const uint8_t *sn)
{
	uint8_t ent[32];
	uint32_t i;

	for (i = 0; hdir_get(h, d, i, ent) == 0 && ent[0]; i++)
		if (ent[0] != FAT_DELETED && ent[11] != FAT_ATTR_LFN && !memcmp(ent, sn, 11))
			return true;
	return false;
}

/* Give @p a short name no entry of @d has yet. */
static int pick_short(struct himg *h, struct hdir d, struct fat_name_plan *p)
{
	uint8_t basis[11];
	uint32_t hash = fat_name_hash(p->lfn, p->lfn_len);
	unsigned n;

	if (!p->need_lfn)
		return short_taken(h, d, p->sn) ? -EEXIST : 0;
	memcpy(basis, p->sn, 11);
	for (n = 1; n < 1000000; n++) {
		fat_short_tail(basis, n, hash, p->sn);
		if (!short_taken(h, d, p->sn))
			return 0;
	}
	return -EEXIST;
}

/* A new zeroed cluster, linked after @prev (0: a new chain). */
static int alloc_zeroed(struct himg *h, uint32_t prev, uint32_t *out)
{
	uint8_t *zero = calloc(1, h->v.g.cluster_size);
	int err = fat_alloc(&h->v, prev, out);

	if (!err)
		err = file_write(h->f, fat_cluster_offset(&h->v.g, *out), zero,
		                 h->v.g.cluster_size);
	free(zero);
	return err;
}

/* The index of @n free entries in a row in @d, growing it by a cluster if needed. */
static int find_slots(struct himg *h, struct hdir d, unsigned n, uint32_t *idx)
{
	uint8_t ent[32];
	uint32_t i, run = 0, last;
	int err;

	for (i = 0;; i++) {
		err = hdir_get(h, d, i, ent);
		if (err == -ENOENT)
			break;
		if (err)
			return err;
		run = (ent[0] == 0 || ent[0] == FAT_DELETED) ? run + 1 : 0;
		if (run == n) {
			*idx = i + 1 - n;
			return 0;
		}
	}
	if (d.cluster == 0)
		return -ENOSPC;
	/* i is the first index past the old end; the free run before it is kept. */
	*idx = i - run;
	err = fat_chain_nth(&h->v, d.cluster, i / (h->v.g.cluster_size / 32) - 1, &last);
	while (!err && run < n) {
		err = alloc_zeroed(h, last, &last);
		run += h->v.g.cluster_size / 32;
	}
	return err;
}

/* Allocate and fill the chain of a new file; *@first is 0 for no bytes. */
static int write_data(struct himg *h, const void *data, size_t len, uint32_t *first)
{
	uint32_t cs = h->v.g.cluster_size, c = 0;
	size_t done = 0, n;
	int err;

	*first = 0;
	while (done < len) {
		err = fat_alloc(&h->v, c, &c);
		if (err)
			return err;
		if (!*first)
			*first = c;
		n = len - done < cs ? len - done : cs;
		err = file_write(h->f, fat_cluster_offset(&h->v.g, c), (const uint8_t *)data + done,
		                 n);
		if (err)
			return err;
		done += n;
	}
	return 0;
}

/* A short entry named @name (11 bytes) for "." or "..". */
static void dot_entry(uint8_t *e, const char *name, uint32_t cluster)
{
	memset(e, 0, 32);
	memcpy(e, name, 11);
	e[11] = FAT_ATTR_DIR;
	fat_dirent_set_cluster(e, cluster);
}

/* A directory's first cluster with "." and "..". */
static int make_dir(struct himg *h, struct hdir parent, uint32_t *first)
{
	uint8_t e[64];
	uint32_t up = parent.cluster == h->v.g.root_cluster ? 0 : parent.cluster;
	int err = alloc_zeroed(h, 0, first);

	if (err)
		return err;
	dot_entry(e, ".          ", *first);
	dot_entry(e + 32, "..         ", up);
	return file_write(h->f, fat_cluster_offset(&h->v.g, *first), e, 64);
}

int hcreate(struct himg *h, struct hdir d, const char *name, const void *data, size_t len, bool dir,
            struct hdir *made)
{
	static uint8_t ents[(FAT_LFN_SLOTS + 1) * 32];
	struct fat_name_plan p;
	uint32_t idx, first, i, n;
	uint16_t date, tm;
	uint8_t *se;
	int err;

	err = fat_name_plan(name, strlen(name), &p);
	if (!err)
		err = pick_short(h, d, &p);
	n = fat_plan_slots(&p);
	if (!err)
		err = find_slots(h, d, n, &idx);
	if (!err)
		err = dir ? make_dir(h, d, &first) : write_data(h, data, len, &first);
	if (err)
		return err;
	fat_plan_entries(&p, dir ? FAT_ATTR_DIR : FAT_ATTR_ARCH, ents);
	se = ents + (n - 1) * 32;
	fat_dirent_set_cluster(se, first);
	fat_put32(se + 28, dir ? 0 : (uint32_t)len);
	fat_time_from_unix(time(NULL), &date, &tm);
	fat_put16(se + 14, tm);
	fat_put16(se + 16, date);
	fat_put16(se + 18, date);
	fat_put16(se + 22, tm);
	fat_put16(se + 24, date);
	for (i = 0; i < n && !err; i++)
		err = hdir_put(h, d, idx + i, ents + i * 32);
	if (made)
		made->cluster = first;
	return err;
}

int hdelete(struct himg *h, struct hdir d, const char *name)
{
	struct fat_dirent e;
	uint8_t ent[32];
	uint32_t idx, i;
	int err = hdir_find(h, d, name, &e, &idx);

	for (i = 0; !err && i < e.nslots; i++) {
		err = hdir_get(h, d, idx - i, ent);
		ent[0] = FAT_DELETED;
		if (!err)
			err = hdir_put(h, d, idx - i, ent);
	}
	return err ? err : fat_free_chain(&h->v, e.cluster);
}

int hformat(const char *path, uint64_t bytes, uint32_t spc)
{
	struct fat_format fmt = { .bytes = bytes, .sec_per_clus = spc, .volume_id = 0x1234abcd };
	FILE *f = fopen(path, "w+b");
	int err;

	if (!f)
		return -ENOENT;
	err = ftruncate(fileno(f), (off_t)bytes) ? -EIO : fat_format(&file_io, f, &fmt);
	fclose(f);
	return err;
}
