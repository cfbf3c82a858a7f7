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

size_t blkq_split(const struct blkq_vec *v, size_t n, const struct blkq_limits *l,
                  uint64_t *bytes)
{
	uint32_t lb = l->lbsize ? l->lbsize : 1u << BLKQ_SECTOR_SHIFT;
	uint64_t sum = 0, cut_bytes = 0;
	size_t i, cut = 0;

	for (i = 0; i < n; i++) {
		if (l->max_vecs && i == l->max_vecs)
			break;
		if (l->max_bytes && v[i].len > l->max_bytes - sum)
			break;
		sum += v[i].len;
		/* A request may end only on a logical block boundary. */
		if (sum % lb == 0) {
			cut = i + 1;
			cut_bytes = sum;
		}
	}
	if (i == n && sum % lb == 0) {
		*bytes = sum;
		return n;
	}
	*bytes = cut_bytes;
	return cut;
}
