/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/fat: the input is a whole (small) volume image.
 * Its boot sector is parsed; when accepted, the directory tree is walked
 * from the root as the kernel's vfat walks it (entries fed in order, each
 * file's chain followed as far as its size needs, subdirectories to a
 * bounded depth), every name found is planned as a new name and fed back,
 * and a cluster is allocated and freed. Reads outside the image fail with
 * -EIO, as a disk's end would.
 */
#include <cairn/errno.h>

#include <lib/fat/fat.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct img {
	uint8_t *b;
	size_t n;
};

static int img_read(void *ctx, uint64_t off, void *buf, size_t n)
{
	struct img *m = ctx;

	if (off > m->n || n > m->n - off)
		return -EIO;
	memcpy(buf, m->b + off, n);
	return 0;
}

static int img_write(void *ctx, uint64_t off, const void *buf, size_t n)
{
	struct img *m = ctx;

	if (off > m->n || n > m->n - off)
		return -EIO;
	memcpy(m->b + off, buf, n);
	return 0;
}

static const struct fat_io img_io = { img_read, img_write };

/* The kernel's bound on a directory: 65536 entries (spec section 6). */
#define DIR_MAX_ENTRIES 65536u

/* Plan the name again and feed the planned entries back: the same name must come out. */
static void check_name(const struct fat_dirent *e)
{
	static uint8_t ents[(FAT_LFN_SLOTS + 1) * FAT_DIRENT_SIZE];
	struct fat_name_plan p;
	struct fat_lfn_state st;
	struct fat_dirent back;
	unsigned i, n;

	if (fat_name_plan(e->name, e->namelen, &p) != 0)
		return;
	n = fat_plan_slots(&p);
	fat_plan_entries(&p, 0, ents);
	fat_lfn_reset(&st);
	for (i = 0; i < n; i++)
		if (fat_dir_feed(&st, ents + i * FAT_DIRENT_SIZE, &back) == FAT_FEED_ENTRY &&
		    i + 1 != n)
			abort();
	if (!fat_name_equal(back.name, back.namelen, e->name, e->namelen) && p.need_lfn)
		abort();
}

static void walk(struct fat_vol *v, struct img *m, uint32_t dir, int depth);

/* Follow a file's chain as far as its size needs. */
static void follow(struct fat_vol *v, const struct fat_dirent *e)
{
	uint32_t c = e->cluster,
		 need = (uint32_t)((e->size + v->g.cluster_size - 1ull) / v->g.cluster_size);

	while (c && need--)
		if (fat_next(v, c, &c) != 0)
			return;
}

/* Entry @i of directory @dir (0: the fixed root) into @ent; nonzero past its end. */
static int dir_entry(struct fat_vol *v, struct img *m, uint32_t dir, uint32_t i, uint8_t *ent)
{
	uint32_t per = v->g.cluster_size / FAT_DIRENT_SIZE, c;
	uint64_t off;

	if (dir == 0) {
		if (i >= v->g.root_entries)
			return -ENOENT;
		off = (uint64_t)v->g.root_start * v->g.sector_size + (uint64_t)i * FAT_DIRENT_SIZE;
	} else {
		if (fat_chain_nth(v, dir, i / per, &c) != 0)
			return -ENOENT;
		off = fat_cluster_offset(&v->g, c) + (uint64_t)(i % per) * FAT_DIRENT_SIZE;
	}
	return img_read(m, off, ent, FAT_DIRENT_SIZE);
}

static void walk(struct fat_vol *v, struct img *m, uint32_t dir, int depth)
{
	struct fat_lfn_state st;
	struct fat_dirent e;
	uint8_t ent[FAT_DIRENT_SIZE];
	uint32_t i;

	fat_lfn_reset(&st);
	for (i = 0; i < DIR_MAX_ENTRIES && dir_entry(v, m, dir, i, ent) == 0; i++) {
		enum fat_feed r = fat_dir_feed(&st, ent, &e);

		if (r == FAT_FEED_END)
			break;
		if (r == FAT_FEED_SKIP)
			continue;
		if (strlen(e.name) != e.namelen || memchr(e.name, '/', e.namelen))
			abort();
		check_name(&e);
		if (!(e.attr & FAT_ATTR_DIR))
			follow(v, &e);
		else if (depth < 3 && fat_cluster_valid(&v->g, e.cluster) && e.name[0] != '.')
			walk(v, m, e.cluster, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img m = { malloc(size ? size : 1), size };
	struct fat_geom g;
	struct fat_vol v;
	uint32_t c;
	bool clean, errors;

	memcpy(m.b, data, size);
	/* Volumes whose table cannot fit the input are cut down, or loops would run long. */
	if (fat_parse_bpb(m.b, size, &g, NULL) == 0 && g.nclusters <= 1u << 16) {
		fat_vol_init(&v, &g, &img_io, &m);
		walk(&v, &m, g.type == FAT32 ? g.root_cluster : 0, 0);
		if (fat_get_state(&v, &clean, &errors) == 0)
			(void)fat_set_state(&v, !clean, errors);
		if (fat_alloc(&v, 0, &c) == 0 && fat_free_chain(&v, c) != 0)
			abort();
	}
	free(m.b);
	return 0;
}
