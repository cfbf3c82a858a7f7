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

/* Whether a request of @bytes in @nvec pieces is within @l's limits as it is. */
bool blkq_fits(uint64_t bytes, uint32_t nvec, const struct blkq_limits *l);

/* A position in a request's pieces: piece @vec, @off bytes into it. */
struct blkq_cursor {
	size_t vec;
	uint32_t off;
};

/*
 * Cut the next request from the @n pieces @v, starting at @c: as many
 * bytes as max_bytes and max_vecs allow, ending on a multiple of lbsize
 * (so a cut may fall inside a piece). Its pieces go to @out (room for
 * max_vecs, or @n when there is no such limit), their count to *@nout,
 * and @c moves past them. Returns the cut's length; 0 when nothing is
 * left or no cut is possible (less than one logical block fits).
 */
uint64_t blkq_next_piece(const struct blkq_vec *v, size_t n, struct blkq_cursor *c,
                         const struct blkq_limits *l, struct blkq_vec *out, size_t *nout);
