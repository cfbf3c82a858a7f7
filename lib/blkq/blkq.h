/* SPDX-License-Identifier: MIT */
/*
 * The pure decisions of the block layer's request queue (kernel/block/):
 * whether a request fits a device, whether two queued requests may go to
 * the driver as one, and where a request too big for the device is cut.
 * Freestanding: the kernel passes plain descriptions of its bios.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLKQ_SECTOR_SHIFT 9

/* What a device accepts in one request (0: no limit). */
struct blkq_limits {
	uint32_t lbsize;    /* logical block size: starts and lengths are multiples of it */
	uint32_t max_bytes; /* the most bytes one request may carry */
	uint32_t max_vecs;  /* the most memory pieces one request may carry */
};

/* A queued request as the merge decision sees it. */
struct blkq_req {
	uint64_t sector; /* first 512-byte sector on the disk */
	uint64_t bytes;  /* length */
	uint32_t nvec;   /* memory pieces */
	uint32_t op;     /* the caller's operation code; only equal codes merge */
	uint32_t flags;  /* the caller's flags; only equal flags merge */
	bool data;       /* the op moves data (reads and writes): only those merge */
};

/* One memory piece, laid out as the kernel's struct bio_vec. */
struct blkq_vec {
	uint64_t pa;
	uint32_t len;
};

/*
 * Whether @bytes at @sector lie inside a device of @nr_sectors sectors and
 * start and end on multiples of @lbsize (a power of two >= 512), without
 * overflowing.
 */
bool blkq_range_ok(uint64_t sector, uint64_t bytes, uint64_t nr_sectors, uint32_t lbsize);

/*
 * Whether @b may be appended to @a as one request: both move data with the
 * same op and flags, @b starts where @a ends, and together they stay
 * within @l's limits.
 */
bool blkq_can_append(const struct blkq_req *a, const struct blkq_req *b,
                     const struct blkq_limits *l);

/*
 * How many of the @n pieces @v (a request's memory, in order) go into the
 * first request when the request is too big for @l: as many whole pieces
 * as fit under max_bytes and max_vecs, backed off so the cut falls on a
 * multiple of lbsize. Returns @n when the whole request fits, 0 when no
 * cut is possible (a piece larger than max_bytes, or pieces that never
 * add up to a multiple of lbsize within the limits); *@bytes gets the
 * first request's length.
 */
size_t blkq_split(const struct blkq_vec *v, size_t n, const struct blkq_limits *l,
                  uint64_t *bytes);
