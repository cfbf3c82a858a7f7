/* SPDX-License-Identifier: MIT */
/*
 * Partition tables: the MBR (with extended partitions' chains of logical
 * ones) and GPT (UEFI 2.x section 5.3: header and entry-array CRC32s, the
 * backup header when the primary is damaged), read from a disk through a
 * callback. Pure and freestanding: the kernel registers what it returns
 * as block devices; the host tests feed it images made by sgdisk/sfdisk
 * and the fuzzer feeds it anything.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PART_MAX 128 /* partitions kept; GPT entries past this are ignored */

enum part_kind {
	PART_NONE = 0, /* no table: the disk is one file system, or blank */
	PART_MBR = 1,
	PART_GPT = 2,
};

struct part_entry {
	unsigned number;  /* Linux's: MBR 1-4 primary, 5.. logical; GPT the entry index + 1 */
	uint64_t start;   /* first logical block */
	uint64_t count;   /* logical blocks */
	uint8_t mbr_type; /* MBR: the system ID byte; GPT: 0 */
	uint8_t type[16]; /* GPT: the partition type GUID as stored */
	uint8_t guid[16]; /* GPT: the unique partition GUID as stored */
	uint64_t attrs;   /* GPT: attribute bits */
};

struct part_table {
	enum part_kind kind;
	bool gpt_backup_used; /* the primary GPT header or array was bad; the backup was read */
	unsigned
		skipped; /* entries ignored: outside the disk or the usable range, overlapping the table */
	unsigned n;
	struct part_entry e[PART_MAX];
};

/* Where the table is read from. */
struct part_dev {
	/* Read logical block @lba into @buf (lbsize bytes). 0 or -errno. */
	int (*read)(void *ctx, uint64_t lba, void *buf);
	void *ctx;
	uint32_t lbsize;  /* 512 or 4096 */
	uint64_t nblocks; /* the disk's size in logical blocks */
	void *buf;        /* scratch of lbsize bytes */
};

/*
 * Read @dev's partition table into @out. Returns 0 (out->kind PART_NONE
 * when there is none), -EIO from a read, or -EINVAL for a malformed table
 * that cannot be used at all (a GPT whose two headers are both bad).
 */
int part_scan(const struct part_dev *dev, struct part_table *out);

/* CRC-32 (IEEE 802.3, as GPT uses it) of @n bytes, continuing from @crc (0 to start). */
uint32_t part_crc32(uint32_t crc, const void *p, size_t n);
