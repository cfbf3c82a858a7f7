/* SPDX-License-Identifier: MIT */
/*
 * The FAT file system's on-disk formats (FAT12, FAT16 and FAT32), as
 * Microsoft's "FAT32 File System Specification" (version 1.03, 2000)
 * describes them: the boot sector's BPB and the geometry it implies, the
 * FAT32 FSInfo sector, the allocation table (chains, allocation, the dirty
 * bits of FAT[1]), directory entries with long names, short-name
 * generation and timestamps. Pure: the caller hands it bytes, or a
 * struct fat_io to read and write the volume; the kernel's vfat
 * (kernel/fs/fat) and the host tests link the same objects.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fat_type { FAT12 = 12, FAT16 = 16, FAT32 = 32 };

/* The geometry of a volume, computed and checked by fat_parse_bpb(). */
struct fat_geom {
	enum fat_type type;
	uint32_t sector_size;   /* bytes per sector: 512, 1024, 2048 or 4096 */
	uint32_t cluster_size;  /* bytes per cluster (at most 64 KiB here) */
	uint32_t sec_per_clus;  /* sectors per cluster, a power of two */
	uint32_t nfats;         /* copies of the table, 1 or more */
	uint32_t fat_start;     /* first sector of FAT 0 */
	uint32_t fat_sectors;   /* sectors of one FAT */
	uint32_t active_fat;    /* the FAT to read (FAT32 may stop mirroring) */
	bool mirror;            /* writes go to every FAT */
	uint32_t root_start;    /* FAT12/16: first sector of the fixed root directory */
	uint32_t root_entries;  /* FAT12/16: entries in it (0 on FAT32) */
	uint32_t root_cluster;  /* FAT32: first cluster of the root directory */
	uint32_t data_start;    /* first sector of cluster 2 */
	uint32_t total_sectors; /* sectors of the volume */
	uint32_t nclusters;     /* data clusters: valid numbers are 2 .. nclusters + 1 */
	uint32_t fsinfo_sector; /* FAT32: the FSInfo sector, 0 when none */
	uint32_t volume_id;     /* serial number (0 when the BPB has no extended part) */
};

#define FAT_BPB_MIN 512u /* bytes of the boot sector fat_parse_bpb() needs */

/*
 * Parse and check the boot sector in @buf (@len >= FAT_BPB_MIN bytes) into
 * @g. Returns 0, or -EINVAL with *@why set to a message when it is not a
 * FAT volume this code can use (bad signature, sizes out of range, a FAT
 * too small for the clusters, ...). @why may be NULL.
 */
int __must_check fat_parse_bpb(const void *buf, size_t len, struct fat_geom *g, const char **why);

/* Byte offset of cluster @c (2 .. nclusters + 1) on the volume. */
uint64_t fat_cluster_offset(const struct fat_geom *g, uint32_t c);
/* Whether @c names a data cluster of @g. */
bool fat_cluster_valid(const struct fat_geom *g, uint32_t c);

/* The FSInfo sector of FAT32 (spec section "FAT32 FSInfo Sector Structure"). */
#define FAT_FSINFO_UNKNOWN 0xffffffffu
struct fat_fsinfo {
	uint32_t free_count; /* free clusters, FAT_FSINFO_UNKNOWN when not known */
	uint32_t next_free;  /* where to start looking, FAT_FSINFO_UNKNOWN when not known */
};
/* Parse @buf (one sector, >= 512 bytes); -EINVAL when its signatures are wrong. */
int __must_check fat_parse_fsinfo(const void *buf, size_t len, struct fat_fsinfo *fi);
/* Store @fi's two counts into the sector @buf (the signatures are written too). */
void fat_write_fsinfo(void *buf, size_t len, const struct fat_fsinfo *fi);

/* ---- the allocation table ---- */

struct fat_io;

/* Entry values after masking to the type's width (FAT32: 28 bits). */
#define FAT_FREE 0u
#define FAT_EOC  0x0ffffff8u /* fat_get() reports every end-of-chain value as this */
#define FAT_BAD  0x0ffffff7u /* likewise for the bad-cluster mark */

/*
 * How lib/fat reaches the volume: byte-addressed reads and writes of a few
 * bytes (FAT entries) at a time. The kernel goes through its buffer cache,
 * the host tests through a file. Both return 0 or -errno.
 */
struct fat_io {
	int (*read)(void *ctx, uint64_t off, void *buf, size_t n);
	int (*write)(void *ctx, uint64_t off, const void *buf, size_t n);
};

/* A volume's table and its allocation state. Not locked: the caller serialises. */
struct fat_vol {
	struct fat_geom g;
	const struct fat_io *io;
	void *ctx;
	uint32_t free_count; /* free clusters, FAT_FSINFO_UNKNOWN until counted */
	uint32_t next_free;  /* the next cluster to try when allocating */
	bool fsinfo_dirty;   /* the two counts changed since they were written */
};

/* Set @v up over @g (counts unknown until fat_count_free or an FSInfo says). */
void fat_vol_init(struct fat_vol *v, const struct fat_geom *g, const struct fat_io *io, void *ctx);
/*
 * The entry of cluster @c in *@val: FAT_FREE, FAT_EOC, FAT_BAD or the next
 * cluster (which may itself be invalid: the chain walkers check). Returns
 * 0, -EINVAL (@c not a data cluster) or the io's error.
 */
int __must_check fat_get(struct fat_vol *v, uint32_t c, uint32_t *val);
/* Set the entry of @c to @val (FAT_EOC: the type's end mark), in every mirrored FAT. */
int __must_check fat_set(struct fat_vol *v, uint32_t c, uint32_t val);
/*
 * The cluster after @c in its chain: *@next = the next cluster, or 0 at
 * the end. -EUCLEAN when @c is free or bad or points outside the volume.
 */
int __must_check fat_next(struct fat_vol *v, uint32_t c, uint32_t *next);
/*
 * The @n-th cluster (0: @first itself) of the chain starting at @first,
 * in *@out; -ENXIO when the chain is shorter, -EUCLEAN when it is broken
 * or loops (detected by its length passing the volume's cluster count).
 */
int __must_check fat_chain_nth(struct fat_vol *v, uint32_t first, uint32_t n, uint32_t *out);
/* Clusters in the chain from @first (0 for an empty chain) into *@n; -EUCLEAN as above. */
int __must_check fat_chain_len(struct fat_vol *v, uint32_t first, uint32_t *n);
/* Count the free clusters by reading the whole table (mount without a valid FSInfo). */
int __must_check fat_count_free(struct fat_vol *v);
/*
 * Allocate one free cluster, mark it end-of-chain and, when @prev is not
 * 0, link @prev to it. *@out gets the cluster. -ENOSPC when none is free.
 */
int __must_check fat_alloc(struct fat_vol *v, uint32_t prev, uint32_t *out);
/* Free every cluster of the chain from @first (0: nothing). -EUCLEAN if it is broken. */
int __must_check fat_free_chain(struct fat_vol *v, uint32_t first);
/*
 * The volume's "clean shutdown" bit in FAT[1] (FAT16 and FAT32; FAT12 has
 * none and reads as clean): *@clean, *@errors (hard errors seen) and a
 * setter. Spec: "FAT[1]" in section "FAT Data Structure".
 */
int __must_check fat_get_state(struct fat_vol *v, bool *clean, bool *errors);
int __must_check fat_set_state(struct fat_vol *v, bool clean, bool errors);

/* ---- directory entries ---- */

#define FAT_DIRENT_SIZE 32u
#define FAT_ATTR_RO     0x01u
#define FAT_ATTR_HIDDEN 0x02u
#define FAT_ATTR_SYSTEM 0x04u
#define FAT_ATTR_VOLUME 0x08u
#define FAT_ATTR_DIR    0x10u
#define FAT_ATTR_ARCH   0x20u
#define FAT_ATTR_LFN    0x0fu /* RO|HIDDEN|SYSTEM|VOLUME: a long-name part */
#define FAT_CASE_BASE   0x08u /* NTRes: the base name is shown in lower case (Windows NT) */
#define FAT_CASE_EXT    0x10u /* NTRes: the extension is shown in lower case */
#define FAT_DELETED     0xe5u /* first name byte of a free entry */
#define FAT_LFN_CHARS   13u   /* UCS-2 characters per long-name entry */
#define FAT_LFN_MAX     255u  /* characters of a long name */
#define FAT_LFN_SLOTS   20u   /* long-name entries of the longest name */
#define FAT_NAME_MAX    (FAT_LFN_MAX * 3) /* UTF-8 bytes of the longest name */

/* One directory entry decoded (its long name assembled). */
struct fat_dirent {
	char name[FAT_NAME_MAX + 1]; /* UTF-8, NUL-terminated */
	size_t namelen;
	uint8_t short_name[11]; /* as stored (0x05 in byte 0 means 0xe5) */
	uint8_t attr;
	uint8_t ntres;
	uint32_t cluster; /* first cluster, 0 for an empty file */
	uint32_t size;    /* bytes */
	uint16_t cdate, ctime, mdate, mtime, adate;
	uint8_t ctime_tenth;
	unsigned nslots; /* entries it occupies: its long-name parts plus the short one */
};

/* The long-name parts seen so far while walking a directory. */
struct fat_lfn_state {
	uint16_t name[FAT_LFN_SLOTS * FAT_LFN_CHARS];
	unsigned expect; /* the ordinal the next part must have, 0: none pending */
	unsigned count;  /* parts of the pending name (its first part's ordinal) */
	uint8_t csum;    /* the checksum they all carry */
	bool complete;   /* every part down to ordinal 1 was seen */
};

enum fat_feed {
	FAT_FEED_END,   /* byte 0 is 0: no entry follows in this directory */
	FAT_FEED_SKIP,  /* free, a long-name part, or the volume label */
	FAT_FEED_ENTRY, /* *out holds a file or directory */
};

/* Forget any pending long-name parts (start of a directory walk). */
void fat_lfn_reset(struct fat_lfn_state *st);
/*
 * Feed the 32-byte entry @ent of a directory walk; entries must come in
 * order. A long name is used only when its parts are complete, in order and
 * carry the short entry's checksum (spec section "Long Directory Entries");
 * otherwise the short name is shown as Linux's vfat does (lower case per the
 * NTRes bits).
 */
enum fat_feed fat_dir_feed(struct fat_lfn_state *st, const uint8_t *ent, struct fat_dirent *out);
/* The checksum of an 11-byte short name that its long-name parts carry. */
uint8_t fat_lfn_checksum(const uint8_t *short_name);
/* The short name @sn (11 bytes) as "name.ext" text with the NTRes case bits; returns length. */
size_t fat_short_to_text(const uint8_t *sn, uint8_t ntres, char *out);

/* First cluster and size fields of a raw entry. */
uint32_t fat_dirent_cluster(const uint8_t *ent);
void fat_dirent_set_cluster(uint8_t *ent, uint32_t c);

/*
 * What to store for a new name. fat_name_plan() checks @name (UTF-8, @len
 * bytes; not "." or "..") and decides: when it fits 8.3 exactly (allowed
 * characters, each part wholly upper or wholly lower case) it needs no long
 * name and *@sn / *@ntres are final; otherwise *@sn is a basis name to get a
 * numeric tail (fat_short_tail()) and the long name is stored. Returns 0,
 * -EINVAL (a character FAT forbids, bad UTF-8, or all dots/spaces) or
 * -ENAMETOOLONG.
 */
struct fat_name_plan {
	uint8_t sn[11];
	uint8_t ntres;
	bool need_lfn;
	uint16_t lfn[FAT_LFN_MAX]; /* the name in UCS-2 */
	unsigned lfn_len;
};
int __must_check fat_name_plan(const char *name, size_t len, struct fat_name_plan *p);
/*
 * Put the numeric tail number @n (1..999999) into the basis @basis, giving
 * @out ("LONGNA~1", "LONGN~12"). For @n > 4 a few hex digits of @hash (of
 * the long name) go before the tail so names that share a long prefix stop
 * colliding early (as Windows does).
 */
void fat_short_tail(const uint8_t *basis, unsigned n, uint32_t hash, uint8_t *out);
/* A hash of a long name for fat_short_tail(). */
uint32_t fat_name_hash(const uint16_t *lfn, unsigned len);
/* Slots a plan takes: its long-name parts plus the short entry. */
unsigned fat_plan_slots(const struct fat_name_plan *p);
/*
 * Write the entries of @p (long-name parts in on-disk order, then the short
 * entry with @attr, cluster 0, size 0 and times zero) into @out, which has
 * room for fat_plan_slots(p) entries of 32 bytes.
 */
void fat_plan_entries(const struct fat_name_plan *p, uint8_t attr, uint8_t *out);
/* Whether @a and @b (UTF-8) are the same name to vfat: ASCII letters fold case. */
bool fat_name_equal(const char *a, size_t alen, const char *b, size_t blen);

/* ---- making a volume ---- */

struct fat_format {
	uint64_t bytes;        /* size of the volume (whole 512-byte sectors are used) */
	uint32_t sec_per_clus; /* 1..128, a power of two */
	uint32_t volume_id;
};
/*
 * Write a new, empty FAT32 volume through @io (512-byte sectors, two FATs,
 * the root in cluster 2). Returns 0, -EINVAL (a size or cluster size that
 * cannot make one) or the io's error.
 */
int __must_check fat_format(const struct fat_io *io, void *ctx, const struct fat_format *f);

/* ---- timestamps (spec section "Date and Time Formats"; Cairn keeps them as UTC) ---- */

/* Seconds since 1970 of a FAT date and time (2-second resolution); 0 date: 0. */
int64_t fat_time_to_unix(uint16_t date, uint16_t time);
/* The FAT date and time of @secs, clamped to 1980..2107. */
void fat_time_from_unix(int64_t secs, uint16_t *date, uint16_t *time);

/* Little-endian field access shared by the files of lib/fat. */
static inline uint16_t fat_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t fat_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}
static inline void fat_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline void fat_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}
