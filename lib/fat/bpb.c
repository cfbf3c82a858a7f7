/* SPDX-License-Identifier: MIT */
/*
 * The boot sector's BIOS Parameter Block and the FAT32 FSInfo sector
 * (Microsoft FAT specification 1.03, sections 3 "Boot Sector and BPB" and 5
 * "FAT32 FSInfo Sector Structure"). Every field is checked before the
 * geometry derived from it is trusted: a disk is untrusted input.
 */
#include <cairn/errno.h>

#include <lib/fat/fat.h>
#include <lib/string.h>

/* BPB field offsets (spec section 3.1 for the common part, 3.3 for FAT32's). */
#define BPB_JMP         0
#define BPB_BYTSPERSEC  11
#define BPB_SECPERCLUS  13
#define BPB_RSVDSECCNT  14
#define BPB_NUMFATS     16
#define BPB_ROOTENTCNT  17
#define BPB_TOTSEC16    19
#define BPB_MEDIA       21
#define BPB_FATSZ16     22
#define BPB_TOTSEC32    32
#define BPB_FATSZ32     36
#define BPB_EXTFLAGS    40
#define BPB_FSVER       42
#define BPB_ROOTCLUS    44
#define BPB_FSINFO      48
#define BS16_BOOTSIG    38
#define BS16_VOLID      39
#define BS32_BOOTSIG    66
#define BS32_VOLID      67
#define BPB_SIG         510
#define EXT_MIRROR_OFF  0x80u /* ExtFlags bit 7: only the active FAT is in use */
#define EXT_ACTIVE_MASK 0x0fu

/* FSInfo offsets and signatures (spec section 5). */
#define FSI_LEADSIG   0
#define FSI_STRUCSIG  484
#define FSI_FREECOUNT 488
#define FSI_NXTFREE   492
#define FSI_TRAILSIG  508
#define FSI_LEAD      0x41615252u
#define FSI_STRUC     0x61417272u
#define FSI_TRAIL     0xaa550000u

/* Cluster-count limits that decide the type (spec section 3.5). */
#define FAT12_MAX_CLUSTERS 4084u
#define FAT16_MAX_CLUSTERS 65524u
/* FAT32 entries have 28 bits; the top values are reserved for marks. */
#define FAT32_MAX_CLUSTERS 0x0ffffff5u

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static int bpb_fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return -EINVAL;
}

/* Check the fields every FAT type shares; fills the sizes in @g. */
static int bpb_common(const uint8_t *b, struct fat_geom *g, const char **why)
{
	uint8_t media = b[BPB_MEDIA];

	if (b[BPB_SIG] != 0x55 || b[BPB_SIG + 1] != 0xaa)
		return bpb_fail(why, "no boot sector signature 55 aa");
	if (b[BPB_JMP] != 0xeb && b[BPB_JMP] != 0xe9)
		return bpb_fail(why, "no jump instruction at the start of the boot sector");
	g->sector_size = fat_le16(b + BPB_BYTSPERSEC);
	if (!is_pow2(g->sector_size) || g->sector_size < 512 || g->sector_size > 4096)
		return bpb_fail(why, "bytes per sector not 512, 1024, 2048 or 4096");
	g->sec_per_clus = b[BPB_SECPERCLUS];
	if (!is_pow2(g->sec_per_clus))
		return bpb_fail(why, "sectors per cluster not a power of two");
	g->cluster_size = g->sec_per_clus * g->sector_size;
	if (g->cluster_size > 65536)
		return bpb_fail(why, "clusters larger than 64 KiB");
	g->fat_start = fat_le16(b + BPB_RSVDSECCNT);
	if (g->fat_start == 0)
		return bpb_fail(why, "no reserved sectors");
	g->nfats = b[BPB_NUMFATS];
	if (g->nfats == 0)
		return bpb_fail(why, "no FAT");
	if (media != 0xf0 && media < 0xf8)
		return bpb_fail(why, "bad media byte");
	return 0;
}

/* Sizes: FAT, total, root directory; then the data area and the cluster count. */
static int bpb_layout(const uint8_t *b, struct fat_geom *g, const char **why)
{
	uint32_t root_bytes, root_sectors, meta;
	uint64_t fat_bytes, need;

	g->fat_sectors = fat_le16(b + BPB_FATSZ16);
	if (!g->fat_sectors)
		g->fat_sectors = fat_le32(b + BPB_FATSZ32);
	g->total_sectors = fat_le16(b + BPB_TOTSEC16);
	if (!g->total_sectors)
		g->total_sectors = fat_le32(b + BPB_TOTSEC32);
	g->root_entries = fat_le16(b + BPB_ROOTENTCNT);
	if (!g->fat_sectors || !g->total_sectors)
		return bpb_fail(why, "zero FAT size or volume size");
	root_bytes = g->root_entries * FAT_DIRENT_SIZE;
	root_sectors = (root_bytes + g->sector_size - 1) / g->sector_size;
	meta = g->fat_start;
	if ((uint64_t)g->nfats * g->fat_sectors + root_sectors + meta >= g->total_sectors)
		return bpb_fail(why, "FATs and root directory do not fit in the volume");
	g->root_start = meta + g->nfats * g->fat_sectors;
	g->data_start = g->root_start + root_sectors;
	g->nclusters = (g->total_sectors - g->data_start) / g->sec_per_clus;
	if (g->nclusters == 0)
		return bpb_fail(why, "no data clusters");
	/*
	 * The spec decides the type by the cluster count alone; Linux and
	 * mkfs.fat -F 32 treat a BPB without a 16-bit FAT size as FAT32 even
	 * when it has few clusters. Follow them, so such volumes mount.
	 */
	if (fat_le16(b + BPB_FATSZ16) == 0)
		g->type = FAT32;
	else if (g->nclusters <= FAT12_MAX_CLUSTERS)
		g->type = FAT12;
	else if (g->nclusters <= FAT16_MAX_CLUSTERS)
		g->type = FAT16;
	else
		return bpb_fail(why, "FAT16 BPB with more clusters than FAT16 can number");
	if (g->nclusters > FAT32_MAX_CLUSTERS)
		return bpb_fail(why, "more clusters than FAT32 can number");
	/* The table must hold an entry for clusters 0 .. nclusters + 1. */
	need = ((uint64_t)g->nclusters + 2) * (unsigned)g->type / 8 + 1;
	fat_bytes = (uint64_t)g->fat_sectors * g->sector_size;
	if (fat_bytes < need)
		return bpb_fail(why, "FAT too small for the cluster count");
	return 0;
}

/* The FAT32 extension: root cluster, FSInfo, mirroring (spec section 3.3). */
static int bpb_fat32(const uint8_t *b, struct fat_geom *g, const char **why)
{
	uint16_t ext = fat_le16(b + BPB_EXTFLAGS);

	if (g->root_entries != 0)
		return bpb_fail(why, "FAT32 volume with a fixed root directory");
	if (fat_le16(b + BPB_FSVER) != 0)
		return bpb_fail(why, "FAT32 version not 0.0");
	g->root_cluster = fat_le32(b + BPB_ROOTCLUS);
	if (!fat_cluster_valid(g, g->root_cluster))
		return bpb_fail(why, "root cluster outside the volume");
	g->fsinfo_sector = fat_le16(b + BPB_FSINFO);
	if (g->fsinfo_sector == 0xffff || g->fsinfo_sector >= g->fat_start)
		g->fsinfo_sector = 0;
	g->mirror = !(ext & EXT_MIRROR_OFF);
	g->active_fat = g->mirror ? 0 : (ext & EXT_ACTIVE_MASK);
	if (g->active_fat >= g->nfats)
		return bpb_fail(why, "active FAT number past the FAT count");
	g->volume_id = b[BS32_BOOTSIG] == 0x29 ? fat_le32(b + BS32_VOLID) : 0;
	return 0;
}

int fat_parse_bpb(const void *buf, size_t len, struct fat_geom *g, const char **why)
{
	const uint8_t *b = buf;
	int err;

	memset(g, 0, sizeof(*g));
	if (len < FAT_BPB_MIN)
		return bpb_fail(why, "boot sector too short");
	err = bpb_common(b, g, why);
	if (!err)
		err = bpb_layout(b, g, why);
	if (err)
		return err;
	if (g->type == FAT32)
		return bpb_fat32(b, g, why);
	/* FAT12/16: the root directory is a fixed region; it needs room for entries. */
	if (g->root_entries == 0)
		return bpb_fail(why, "FAT12/16 volume without root directory entries");
	g->mirror = true;
	g->volume_id = b[BS16_BOOTSIG] == 0x29 ? fat_le32(b + BS16_VOLID) : 0;
	return 0;
}

bool fat_cluster_valid(const struct fat_geom *g, uint32_t c)
{
	return c >= 2 && c - 2 < g->nclusters;
}

uint64_t fat_cluster_offset(const struct fat_geom *g, uint32_t c)
{
	uint64_t sector = g->data_start + (uint64_t)(c - 2) * g->sec_per_clus;

	return sector * g->sector_size;
}

int fat_parse_fsinfo(const void *buf, size_t len, struct fat_fsinfo *fi)
{
	const uint8_t *b = buf;

	if (len < 512 || fat_le32(b + FSI_LEADSIG) != FSI_LEAD ||
	    fat_le32(b + FSI_STRUCSIG) != FSI_STRUC || fat_le32(b + FSI_TRAILSIG) != FSI_TRAIL)
		return -EINVAL;
	fi->free_count = fat_le32(b + FSI_FREECOUNT);
	fi->next_free = fat_le32(b + FSI_NXTFREE);
	return 0;
}

void fat_write_fsinfo(void *buf, size_t len, const struct fat_fsinfo *fi)
{
	uint8_t *b = buf;

	if (len < 512)
		return;
	fat_put32(b + FSI_LEADSIG, FSI_LEAD);
	fat_put32(b + FSI_STRUCSIG, FSI_STRUC);
	fat_put32(b + FSI_FREECOUNT, fi->free_count);
	fat_put32(b + FSI_NXTFREE, fi->next_free);
	fat_put32(b + FSI_TRAILSIG, FSI_TRAIL);
}
