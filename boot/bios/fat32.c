/* SPDX-License-Identifier: MIT */
/*
 * A read-only FAT32 reader for the EFI system partition (Microsoft FAT
 * specification, "FAT: General Overview of On-Disk Format" 1.03). Every
 * value from disk is checked: the BPB against the partition, every cluster
 * number against the FAT size, and every chain walk is bounded by the
 * cluster count, so a corrupt volume gives an error, never a hang.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "boot/bios/bios.h"

#define SECTOR        512
#define FAT_EOC_MIN   0x0ffffff8u /* end of chain: 0x0FFFFFF8..0x0FFFFFFF */
#define FAT_BAD       0x0ffffff7u
#define FAT_MASK      0x0fffffffu /* the top 4 bits of a FAT32 entry are reserved */
#define ATTR_VOLUME   0x08
#define ATTR_DIR      0x10
#define ATTR_LFN      0x0f
#define DIRENT_SIZE   32
#define DIR_MAX_BYTES (65536u * DIRENT_SIZE) /* FAT spec 6: at most 65536 entries */

/* FAT spec 3.1 and 3.3: the BPB fields we use, at their offsets in sector 0. */
struct fat32_bpb {
	uint8_t jump[3];
	char oem[8];
	uint16_t bytes_per_sec; /* 0x0B */
	uint8_t sec_per_clus;   /* 0x0D */
	uint16_t rsvd_sec_cnt;  /* 0x0E */
	uint8_t num_fats;       /* 0x10 */
	uint16_t root_ent_cnt;  /* 0x11: 0 on FAT32 */
	uint16_t tot_sec16;     /* 0x13 */
	uint8_t media;          /* 0x15 */
	uint16_t fat_sz16;      /* 0x16: 0 on FAT32 */
	uint16_t sec_per_trk;
	uint16_t num_heads;
	uint32_t hidd_sec;
	uint32_t tot_sec32; /* 0x20 */
	uint32_t fat_sz32;  /* 0x24: sectors per FAT */
	uint16_t ext_flags; /* 0x28: bit 7 = one active FAT, bits 0-3 = which */
	uint16_t fs_ver;
	uint32_t root_clus; /* 0x2C */
} __attribute__((packed));

/* FAT spec 6: directory entry. */
struct fat_dirent {
	char name[11];
	uint8_t attr;
	uint8_t nt_res;
	uint8_t crt_time_tenth;
	uint16_t crt_time, crt_date, lst_acc_date;
	uint16_t fst_clus_hi;
	uint16_t wrt_time, wrt_date;
	uint16_t fst_clus_lo;
	uint32_t file_size;
} __attribute__((packed));
_Static_assert(sizeof(struct fat_dirent) == DIRENT_SIZE, "FAT directory entry");

/* The mounted volume, all in 512-byte disk sectors. */
static struct {
	uint64_t fat_lba;      /* first sector of the active FAT */
	uint64_t data_lba;     /* first sector of cluster 2 */
	uint32_t clus_sectors; /* disk sectors per cluster */
	uint32_t clus_bytes;
	uint32_t nclusters; /* data clusters: valid numbers are 2..nclusters+1 */
	uint32_t root_cluster;
	uint8_t *seen; /* one bit per cluster: a file's chain must not revisit one */
} vol;

/* Where fat32_read() is: the next byte to fill and how many are still wanted. */
struct read_pos {
	uint8_t *out;
	uint64_t left;
};

static uint8_t sector[SECTOR];
static uint8_t fat_cache[SECTOR];
static uint64_t fat_cache_lba = UINT64_MAX;

static bool cluster_ok(uint32_t c)
{
	return c >= 2 && c - 2 < vol.nclusters;
}

static uint64_t cluster_lba(uint32_t c)
{
	return vol.data_lba + (uint64_t)(c - 2) * vol.clus_sectors;
}

/*
 * The FAT entry of cluster @c (FAT spec 4): 0 with *@next set, 1 at the end
 * of the chain, or -EIO for a free, bad or out-of-range link.
 */
static int fat_next(uint32_t c, uint32_t *next)
{
	uint64_t off = (uint64_t)c * 4;
	uint64_t lba = vol.fat_lba + off / SECTOR;
	uint32_t v;
	int err;

	if (lba != fat_cache_lba) {
		fat_cache_lba = UINT64_MAX;
		err = disk_read(lba, 1, fat_cache);
		if (err)
			return err;
		fat_cache_lba = lba;
	}
	memcpy(&v, fat_cache + off % SECTOR, sizeof(v));
	v &= FAT_MASK;
	if (v >= FAT_EOC_MIN)
		return 1;
	if (!cluster_ok(v)) {
		bios_log("fat32: cluster %u links to %s cluster 0x%x\n", c,
		         v == FAT_BAD ? "a bad" : "an invalid", v);
		return -EIO;
	}
	*next = v;
	return 0;
}

/* Check the BPB against the FAT spec and the partition, then fill vol. */
static int check_bpb(const struct fat32_bpb *b, uint64_t part_lba, uint64_t part_sectors)
{
	uint32_t bps = b->bytes_per_sec, spc = b->sec_per_clus, scale, active = 0;
	uint64_t tot = b->tot_sec16 ? b->tot_sec16 : b->tot_sec32;
	uint64_t data_start, fat_entries;

	if (sector[510] != 0x55 || sector[511] != 0xaa)
		return bios_log("fat32: no boot sector signature\n"), -EINVAL;
	if ((bps != 512 && bps != 1024 && bps != 2048 && bps != 4096) || spc == 0 ||
	    (spc & (spc - 1)) || bps * spc > 65536)
		return bios_log("fat32: bad sector or cluster size\n"), -EINVAL;
	if (b->root_ent_cnt != 0 || b->fat_sz16 != 0 || b->fat_sz32 == 0)
		return bios_log("fat32: not a FAT32 volume\n"), -EINVAL;
	scale = bps / SECTOR;
	data_start = b->rsvd_sec_cnt + (uint64_t)b->num_fats * b->fat_sz32;
	if (b->rsvd_sec_cnt == 0 || b->num_fats == 0 || tot == 0 || data_start >= tot ||
	    tot * scale > part_sectors)
		return bios_log("fat32: BPB does not fit the partition\n"), -EINVAL;
	if (b->ext_flags & 0x80)
		active = b->ext_flags & 0xf;
	if (active >= b->num_fats)
		return bios_log("fat32: active FAT %u does not exist\n", active), -EINVAL;

	vol.nclusters = (uint32_t)((tot - data_start) / spc);
	fat_entries = (uint64_t)b->fat_sz32 * bps / 4;
	if (vol.nclusters == 0 || vol.nclusters > 0x0ffffff5u || fat_entries < vol.nclusters + 2ull)
		return bios_log("fat32: FAT too small for %u clusters\n", vol.nclusters), -EINVAL;
	vol.fat_lba =
		part_lba + ((uint64_t)b->rsvd_sec_cnt + (uint64_t)active * b->fat_sz32) * scale;
	vol.data_lba = part_lba + data_start * scale;
	vol.clus_sectors = spc * scale;
	vol.clus_bytes = spc * bps;
	vol.root_cluster = b->root_clus;
	if (!cluster_ok(vol.root_cluster))
		return bios_log("fat32: bad root cluster %u\n", vol.root_cluster), -EINVAL;
	return 0;
}

static size_t seen_bytes(void)
{
	return ((size_t)vol.nclusters + 2 + 7) / 8;
}

/* Mark cluster @c as part of the chain being read; false if it already was. */
static bool mark_seen(uint32_t c)
{
	uint8_t bit = (uint8_t)(1u << (c & 7));

	if (vol.seen[c / 8] & bit)
		return false;
	vol.seen[c / 8] |= bit;
	return true;
}

int fat32_mount(uint64_t part_lba, uint64_t part_sectors)
{
	struct fat32_bpb bpb;
	int err;

	err = disk_read(part_lba, 1, sector);
	if (err)
		return err;
	memcpy(&bpb, sector, sizeof(bpb));
	err = check_bpb(&bpb, part_lba, part_sectors);
	if (err)
		return err;
	vol.seen = (uint8_t *)(uintptr_t)mem_alloc(seen_bytes(), 4096);
	if (!vol.seen)
		return bios_log("fat32: out of memory\n"), -ENOMEM;
	bios_log("fat32: %u clusters of %u bytes\n", vol.nclusters, vol.clus_bytes);
	return 0;
}

static char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* Turn one path component into its padded 8.3 form; false when it cannot be one. */
static bool to_83(const char *s, size_t len, char out[11])
{
	size_t i = 0, n = 0;

	memset(out, ' ', 11);
	for (; i < len && s[i] != '.'; i++, n++) {
		if (n == 8)
			return false;
		out[n] = upper(s[i]);
	}
	if (n == 0)
		return false;
	if (i < len)
		i++; /* the dot */
	for (n = 8; i < len; i++, n++) {
		if (n == 11 || s[i] == '.')
			return false;
		out[n] = upper(s[i]);
	}
	return true;
}

/* Compare a stored short name with ours, ignoring case (mtools may store either). */
static bool name_match(const struct fat_dirent *d, const char name[11])
{
	for (int i = 0; i < 11; i++) {
		char c = d->name[i];

		if (i == 0 && c == 0x05)
			c = (char)0xe5; /* FAT spec 6.1: 0x05 stands for a leading 0xE5 */
		if (upper(c) != name[i])
			return false;
	}
	return true;
}

/* Look for @name in one sector of directory entries: 0 found, 1 end of directory, 2 go on. */
static int scan_sector(const char name[11], struct fat_dirent *out)
{
	for (unsigned i = 0; i < SECTOR / DIRENT_SIZE; i++) {
		const struct fat_dirent *d = (const void *)(sector + i * DIRENT_SIZE);

		if ((uint8_t)d->name[0] == 0x00)
			return 1;
		if ((uint8_t)d->name[0] == 0xe5 || (d->attr & ATTR_LFN) == ATTR_LFN ||
		    (d->attr & ATTR_VOLUME))
			continue;
		if (name_match(d, name)) {
			memcpy(out, d, sizeof(*out));
			return 0;
		}
	}
	return 2;
}

/*
 * Find @name in the directory starting at cluster @dir. A directory holds
 * at most 65536 entries, which bounds the walk even on a looping chain.
 */
static int dir_find(uint32_t dir, const char name[11], struct fat_dirent *out)
{
	uint32_t c = dir, max_steps = DIR_MAX_BYTES / vol.clus_bytes;

	for (uint32_t steps = 0; steps < max_steps; steps++) {
		int err;

		if (!cluster_ok(c))
			return bios_log("fat32: directory at invalid cluster %u\n", c), -EIO;
		for (uint32_t s = 0; s < vol.clus_sectors; s++) {
			err = disk_read(cluster_lba(c) + s, 1, sector);
			if (err)
				return err;
			err = scan_sector(name, out);
			if (err != 2)
				return err == 0 ? 0 : -ENOENT;
		}
		err = fat_next(c, &c);
		if (err)
			return err == 1 ? -ENOENT : err;
	}
	return bios_log("fat32: directory longer than 65536 entries (looping chain?)\n"), -EIO;
}

int fat32_open(const char *path, struct fat32_file *f)
{
	uint32_t cluster = vol.root_cluster;
	struct fat_dirent d;
	char name[11];

	while (*path == '/')
		path++;
	for (;;) {
		const char *end = strchr(path, '/');
		size_t len = end ? (size_t)(end - path) : strlen(path);
		int err;

		if (!to_83(path, len, name))
			return -ENOENT;
		err = dir_find(cluster, name, &d);
		if (err)
			return err;
		cluster = (uint32_t)d.fst_clus_hi << 16 | d.fst_clus_lo;
		if (!end)
			break;
		if (!(d.attr & ATTR_DIR))
			return -ENOENT;
		path = end + 1;
	}
	if (d.attr & ATTR_DIR)
		return -ENOENT;
	if (d.file_size != 0 && !cluster_ok(cluster))
		return bios_log("fat32: %s starts at invalid cluster %u\n", path, cluster), -EIO;
	f->first_cluster = d.file_size ? cluster : 0;
	f->size = d.file_size;
	return 0;
}

/* Read @bytes from @lba on: whole sectors straight, a partial last one through a copy. */
static int read_span(uint64_t lba, uint64_t bytes, uint8_t *dst)
{
	uint64_t whole = bytes / SECTOR;
	int err = 0;

	if (whole)
		err = disk_read(lba, (uint32_t)whole, dst);
	if (!err && bytes % SECTOR) {
		err = disk_read(lba + whole, 1, sector);
		if (!err)
			memcpy(dst + whole * SECTOR, sector, bytes % SECTOR);
	}
	return err;
}

/* Read the run of @nrun clusters from @run on, at most rd->left bytes of it. */
static int flush_run(struct read_pos *rd, uint32_t run, uint32_t nrun)
{
	uint64_t bytes = (uint64_t)nrun * vol.clus_bytes;
	int err;

	if (bytes > rd->left)
		bytes = rd->left;
	err = read_span(cluster_lba(run), bytes, rd->out);
	rd->out += bytes;
	rd->left -= bytes;
	return err;
}

/*
 * Walk the chain for as many clusters as the bytes need, reading each run
 * of consecutive clusters with one request. The walk is bounded by the
 * needed count, and a chain that comes back to a cluster is an error
 * rather than a file stitched from repeated data.
 */
int fat32_read(const struct fat32_file *f, void *dst, uint32_t max)
{
	struct read_pos rd = { .out = dst, .left = max < f->size ? max : f->size };
	uint64_t need = (rd.left + vol.clus_bytes - 1) / vol.clus_bytes;
	uint32_t c = f->first_cluster, run = c, nrun = 0;
	int err;

	if (need > vol.nclusters)
		return bios_log("fat32: file larger than the volume\n"), -EIO;
	memset(vol.seen, 0, seen_bytes());
	for (uint64_t i = 0; i < need; i++) {
		if (!cluster_ok(c))
			return bios_log("fat32: invalid cluster %u in a file\n", c), -EIO;
		if (!mark_seen(c))
			return bios_log("fat32: cluster chain loops at cluster %u\n", c), -EIO;
		if (nrun && c == run + nrun) {
			nrun++;
		} else {
			err = nrun ? flush_run(&rd, run, nrun) : 0;
			if (err)
				return err;
			run = c;
			nrun = 1;
		}
		if (i + 1 == need)
			break;
		err = fat_next(c, &c);
		if (err == 1)
			bios_log("fat32: cluster chain shorter than the file\n");
		if (err)
			return err == 1 ? -EIO : err;
	}
	return nrun ? flush_run(&rd, run, nrun) : 0;
}
