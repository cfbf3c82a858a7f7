/* SPDX-License-Identifier: MIT */
/*
 * The allocation table (Microsoft FAT specification 1.03, section 4 "FAT
 * Data Structure"): one entry per cluster, 12, 16 or 28 bits wide, saying
 * which cluster follows in the file's chain, or that the cluster is free,
 * bad or the last one. Chains come from the disk, so every walk checks each
 * link and stops a loop by its length.
 */
#include <cairn/errno.h>

#include <lib/fat/fat.h>
#include <lib/string.h>

/* FAT[1]'s volume state bits (spec section 4, "FAT[1]"). */
#define FAT16_CLEAN_BIT 0x8000u
#define FAT16_HARD_BIT  0x4000u
#define FAT32_CLEAN_BIT 0x08000000u
#define FAT32_HARD_BIT  0x04000000u
#define FAT32_MASK      0x0fffffffu

void fat_vol_init(struct fat_vol *v, const struct fat_geom *g, const struct fat_io *io, void *ctx)
{
	v->g = *g;
	v->io = io;
	v->ctx = ctx;
	v->free_count = FAT_FSINFO_UNKNOWN;
	v->next_free = 2;
	v->fsinfo_dirty = false;
}

/* Byte offset of entry @c in FAT copy @copy. */
static uint64_t entry_off(const struct fat_geom *g, unsigned copy, uint32_t c)
{
	uint64_t base = (uint64_t)(g->fat_start + copy * g->fat_sectors) * g->sector_size;

	switch (g->type) {
	case FAT12:
		return base + c + c / 2;
	case FAT16:
		return base + (uint64_t)c * 2;
	default:
		return base + (uint64_t)c * 4;
	}
}

/* The raw entry of @c (any number the table holds), unmasked for FAT32. */
static int raw_get(struct fat_vol *v, uint32_t c, uint32_t *val)
{
	uint8_t b[4] = { 0 };
	size_t n = v->g.type == FAT32 ? 4 : 2;
	int err = v->io->read(v->ctx, entry_off(&v->g, v->g.active_fat, c), b, n);

	if (err)
		return err;
	if (v->g.type == FAT32)
		*val = fat_le32(b);
	else if (v->g.type == FAT16)
		*val = fat_le16(b);
	else
		*val = (c & 1) ? (uint32_t)fat_le16(b) >> 4 : fat_le16(b) & 0xfffu;
	return 0;
}

/* Store @val as entry @c of FAT copy @copy (FAT12 keeps the neighbour's nibble). */
static int raw_put(struct fat_vol *v, unsigned copy, uint32_t c, uint32_t val)
{
	uint64_t off = entry_off(&v->g, copy, c);
	uint8_t b[4];
	int err;

	if (v->g.type == FAT16) {
		fat_put16(b, (uint16_t)val);
		return v->io->write(v->ctx, off, b, 2);
	}
	err = v->io->read(v->ctx, off, b, v->g.type == FAT32 ? 4 : 2);
	if (err)
		return err;
	if (v->g.type == FAT32) {
		/* The top four bits are reserved: keep what is there (spec section 4). */
		fat_put32(b, (fat_le32(b) & ~FAT32_MASK) | (val & FAT32_MASK));
		return v->io->write(v->ctx, off, b, 4);
	}
	if (c & 1)
		fat_put16(b, (uint16_t)((fat_le16(b) & 0x000fu) | (val << 4)));
	else
		fat_put16(b, (uint16_t)((fat_le16(b) & 0xf000u) | (val & 0xfffu)));
	return v->io->write(v->ctx, off, b, 2);
}

/* Write @val to entry @c of every FAT in use. */
static int raw_set(struct fat_vol *v, uint32_t c, uint32_t val)
{
	unsigned i;
	int err;

	if (!v->g.mirror)
		return raw_put(v, v->g.active_fat, c, val);
	for (i = 0; i < v->g.nfats; i++) {
		err = raw_put(v, i, c, val);
		if (err)
			return err;
	}
	return 0;
}

/* The type's width: its all-ones value; marks are the top few below it. */
static uint32_t type_max(const struct fat_geom *g)
{
	return g->type == FAT12 ? 0xfffu : g->type == FAT16 ? 0xffffu : FAT32_MASK;
}

int fat_get(struct fat_vol *v, uint32_t c, uint32_t *val)
{
	uint32_t raw, max = type_max(&v->g);
	int err;

	if (!fat_cluster_valid(&v->g, c))
		return -EINVAL;
	err = raw_get(v, c, &raw);
	if (err)
		return err;
	raw &= max;
	if (raw >= max - 7)
		*val = FAT_EOC;
	else if (raw == max - 8)
		*val = FAT_BAD;
	else
		*val = raw;
	return 0;
}

int fat_set(struct fat_vol *v, uint32_t c, uint32_t val)
{
	uint32_t max = type_max(&v->g);

	if (!fat_cluster_valid(&v->g, c))
		return -EINVAL;
	if (val == FAT_EOC)
		val = max;
	else if (val == FAT_BAD)
		val = max - 8;
	else if (val != FAT_FREE && !fat_cluster_valid(&v->g, val))
		return -EINVAL;
	return raw_set(v, c, val);
}

int fat_next(struct fat_vol *v, uint32_t c, uint32_t *next)
{
	uint32_t val;
	int err = fat_get(v, c, &val);

	if (err)
		return err == -EINVAL ? -EUCLEAN : err;
	if (val == FAT_EOC) {
		*next = 0;
		return 0;
	}
	if (val == FAT_FREE || val == FAT_BAD || !fat_cluster_valid(&v->g, val))
		return -EUCLEAN;
	*next = val;
	return 0;
}

int fat_chain_nth(struct fat_vol *v, uint32_t first, uint32_t n, uint32_t *out)
{
	uint32_t c = first, i;
	int err;

	if (!fat_cluster_valid(&v->g, first))
		return -EUCLEAN;
	/* A chain longer than the volume's cluster count must loop. */
	if (n >= v->g.nclusters)
		return -EUCLEAN;
	for (i = 0; i < n; i++) {
		err = fat_next(v, c, &c);
		if (err)
			return err;
		if (c == 0)
			return -ENXIO;
	}
	*out = c;
	return 0;
}

int fat_chain_len(struct fat_vol *v, uint32_t first, uint32_t *n)
{
	uint32_t c = first, count = 0;
	int err;

	while (c) {
		if (!fat_cluster_valid(&v->g, c) || count >= v->g.nclusters)
			return -EUCLEAN;
		count++;
		err = fat_next(v, c, &c);
		if (err)
			return err;
	}
	*n = count;
	return 0;
}

int fat_count_free(struct fat_vol *v)
{
	uint32_t c, val, nfree = 0;
	int err;

	for (c = 2; c - 2 < v->g.nclusters; c++) {
		err = fat_get(v, c, &val);
		if (err)
			return err;
		nfree += val == FAT_FREE;
	}
	v->free_count = nfree;
	v->fsinfo_dirty = true;
	return 0;
}

/* The first free cluster from v->next_free on, wrapping once, in *@out. */
static int find_free(struct fat_vol *v, uint32_t *out)
{
	uint32_t start = v->next_free, c, i, val;
	int err;

	if (!fat_cluster_valid(&v->g, start))
		start = 2;
	for (i = 0; i < v->g.nclusters; i++) {
		c = 2 + (start - 2 + i) % v->g.nclusters;
		err = fat_get(v, c, &val);
		if (err)
			return err;
		if (val == FAT_FREE) {
			*out = c;
			return 0;
		}
	}
	return -ENOSPC;
}

int fat_alloc(struct fat_vol *v, uint32_t prev, uint32_t *out)
{
	uint32_t c;
	int err;

	if (v->free_count == 0)
		return -ENOSPC;
	err = find_free(v, &c);
	if (err)
		return err;
	err = fat_set(v, c, FAT_EOC);
	if (!err && prev)
		err = fat_set(v, prev, c);
	if (err)
		return err;
	if (v->free_count != FAT_FSINFO_UNKNOWN)
		v->free_count--;
	v->next_free = fat_cluster_valid(&v->g, c + 1) ? c + 1 : 2;
	v->fsinfo_dirty = true;
	*out = c;
	return 0;
}

int fat_free_chain(struct fat_vol *v, uint32_t first)
{
	uint32_t c = first, next, count = 0;
	int err;

	while (c) {
		if (count++ >= v->g.nclusters)
			return -EUCLEAN;
		err = fat_next(v, c, &next);
		if (err)
			return err;
		err = fat_set(v, c, FAT_FREE);
		if (err)
			return err;
		if (v->free_count != FAT_FSINFO_UNKNOWN)
			v->free_count++;
		v->fsinfo_dirty = true;
		c = next;
	}
	return 0;
}

int fat_get_state(struct fat_vol *v, bool *clean, bool *errors)
{
	uint32_t raw;
	int err;

	*clean = true;
	*errors = false;
	if (v->g.type == FAT12)
		return 0;
	err = raw_get(v, 1, &raw);
	if (err)
		return err;
	if (v->g.type == FAT16) {
		*clean = raw & FAT16_CLEAN_BIT;
		*errors = !(raw & FAT16_HARD_BIT);
	} else {
		*clean = raw & FAT32_CLEAN_BIT;
		*errors = !(raw & FAT32_HARD_BIT);
	}
	return 0;
}

int fat_set_state(struct fat_vol *v, bool clean, bool errors)
{
	uint32_t raw, cbit, hbit;
	int err;

	if (v->g.type == FAT12)
		return 0;
	cbit = v->g.type == FAT16 ? FAT16_CLEAN_BIT : FAT32_CLEAN_BIT;
	hbit = v->g.type == FAT16 ? FAT16_HARD_BIT : FAT32_HARD_BIT;
	err = raw_get(v, 1, &raw);
	if (err)
		return err;
	raw = clean ? raw | cbit : raw & ~cbit;
	raw = errors ? raw & ~hbit : raw | hbit;
	return raw_set(v, 1, raw);
}
