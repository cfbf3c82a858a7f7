// SPDX-License-Identifier: MIT
/*
 * Merge and split decisions of the block request queue (see blkq.h). The
 * kernel's queue (kernel/block/queue.c) asks these before it hands
 * requests to a driver, so every rule about limits is tested on the host.
 */
#include <lib/blkq/blkq.h>

bool blkq_range_ok(uint64_t sector, uint64_t bytes, uint64_t nr_sectors, uint32_t lbsize)
{
	uint64_t lbsec = lbsize >> BLKQ_SECTOR_SHIFT;
	uint64_t nsec;

	if (lbsize < 512 || (lbsize & (lbsize - 1)))
		return false;
	if (bytes % lbsize || sector % lbsec)
		return false;
	nsec = bytes >> BLKQ_SECTOR_SHIFT;
	/* Written as subtractions so that no sum can wrap. */
	return sector <= nr_sectors && nsec <= nr_sectors - sector;
}

bool blkq_can_append(const struct blkq_req *a, const struct blkq_req *b,
                     const struct blkq_limits *l)
{
	uint64_t a_sectors = a->bytes >> BLKQ_SECTOR_SHIFT;

	if (!a->data || !b->data || a->op != b->op || a->flags != b->flags)
		return false;
	if (a->sector > UINT64_MAX - a_sectors || a->sector + a_sectors != b->sector)
		return false;
	if (l->max_bytes && (a->bytes > l->max_bytes || b->bytes > l->max_bytes - a->bytes))
		return false;
	if (l->max_vecs && (a->nvec > l->max_vecs || b->nvec > l->max_vecs - a->nvec))
		return false;
	return true;
}

bool blkq_fits(uint64_t bytes, uint32_t nvec, const struct blkq_limits *l)
{
	return (!l->max_bytes || bytes <= l->max_bytes) && (!l->max_vecs || nvec <= l->max_vecs);
}

/* Take up to @want bytes from @v at @c into @out; returns the bytes taken. */
static uint64_t take(const struct blkq_vec *v, size_t n, struct blkq_cursor *c,
                     const struct blkq_limits *l, struct blkq_vec *out, size_t *nout)
{
	uint64_t bytes = 0;

	*nout = 0;
	while (c->vec < n && (!l->max_vecs || *nout < l->max_vecs) &&
	       (!l->max_bytes || bytes < l->max_bytes)) {
		uint64_t len = v[c->vec].len - c->off;

		if (l->max_bytes && len > l->max_bytes - bytes)
			len = l->max_bytes - bytes;
		out[(*nout)++] = (struct blkq_vec){ v[c->vec].pa + c->off, (uint32_t)len };
		bytes += len;
		c->off += (uint32_t)len;
		if (c->off == v[c->vec].len) {
			c->vec++;
			c->off = 0;
		}
	}
	return bytes;
}

/* Move @c back by @back bytes (within what take() just passed). */
static void back_off(const struct blkq_vec *v, struct blkq_cursor *c, uint64_t back)
{
	uint32_t step;

	while (back) {
		if (c->off == 0) {
			c->vec--;
			c->off = v[c->vec].len;
		}
		step = back < c->off ? (uint32_t)back : c->off;
		c->off -= step;
		back -= step;
	}
}

uint64_t blkq_next_piece(const struct blkq_vec *v, size_t n, struct blkq_cursor *c,
                         const struct blkq_limits *l, struct blkq_vec *out, size_t *nout)
{
	uint32_t lb = l->lbsize ? l->lbsize : 1u << BLKQ_SECTOR_SHIFT;
	struct blkq_cursor start = *c;
	uint64_t bytes = take(v, n, c, l, out, nout), extra = bytes % lb;

	if (extra == bytes) {
		/* Not even one block: leave the cursor where it was. */
		*c = start;
		*nout = 0;
		return 0;
	}
	/* Trim the tail to a block boundary; the trimmed bytes start the next cut. */
	back_off(v, c, extra);
	bytes -= extra;
	while (extra) {
		struct blkq_vec *last = &out[*nout - 1];

		if (last->len <= extra) {
			extra -= last->len;
			(*nout)--;
		} else {
			last->len -= (uint32_t)extra;
			extra = 0;
		}
	}
	return bytes;
}
