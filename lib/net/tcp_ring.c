// SPDX-License-Identifier: MIT
/*
 * The byte rings of a connection (struct tcp_ring in lib/net/tcp.h): the
 * send ring holds unacknowledged and unsent bytes from snd_base on, the
 * receive ring the in-order bytes not yet read followed by room where
 * out-of-order segments wait at their offset from rcv_nxt. Memory is the
 * glue's; these helpers only move bytes and offsets. Also the sorted
 * range lists (out-of-order data, the SACK scoreboard).
 */
#include "lib/net/tcp_internal.h"
#include "lib/string.h"

uint32_t tcp_ring_free(const struct tcp_ring *r)
{
	return r->size - r->len;
}

/* The buffer offset @off bytes past the head, wrapped. */
static uint32_t ring_pos(const struct tcp_ring *r, uint64_t off)
{
	return (uint32_t)(((uint64_t)r->head + off) % r->size);
}

void tcp_ring_write_at(struct tcp_ring *r, uint32_t off, const uint8_t *src, uint32_t n)
{
	uint32_t pos, first;

	if (n == 0)
		return;
	pos = ring_pos(r, (uint64_t)r->len + off);
	first = r->size - pos;
	if (first > n)
		first = n;
	memcpy(r->buf + pos, src, first);
	if (n > first)
		memcpy(r->buf, src + first, n - first);
}

void tcp_ring_pieces(const struct tcp_ring *r, uint32_t off, uint32_t n, const uint8_t **p1,
                     size_t *n1, const uint8_t **p2, size_t *n2)
{
	uint32_t pos, first;

	*p1 = *p2 = NULL;
	*n1 = *n2 = 0;
	if (n == 0)
		return;
	pos = ring_pos(r, off);
	first = r->size - pos;
	if (first > n)
		first = n;
	*p1 = r->buf + pos;
	*n1 = first;
	if (n > first) {
		*p2 = r->buf;
		*n2 = n - first;
	}
}

void tcp_ring_drop(struct tcp_ring *r, uint32_t n)
{
	if (n > r->len)
		n = r->len;
	/* The head never jumps back to 0 when empty: out-of-order bytes sit at offsets past it. */
	r->head = ring_pos(r, n);
	r->len -= n;
}

bool tcp_range_insert(struct tcp_range *r, uint32_t *n, unsigned max, uint32_t s, uint32_t e)
{
	struct tcp_range tmp[TCP_RANGES_MAX + 1];
	unsigned m = 0;
	bool placed = false;

	for (unsigned i = 0; i < *n; i++) {
		if (seq_lt(r[i].end, s)) {
			tmp[m++] = r[i];
		} else if (seq_lt(e, r[i].start)) {
			if (!placed)
				tmp[m++] = (struct tcp_range){ s, e }, placed = true;
			tmp[m++] = r[i];
		} else {
			/* Overlapping or adjacent: one range. */
			s = seq_lt(r[i].start, s) ? r[i].start : s;
			e = seq_gt(r[i].end, e) ? r[i].end : e;
		}
	}
	if (!placed)
		tmp[m++] = (struct tcp_range){ s, e };
	if (m > max)
		return false;
	for (unsigned i = 0; i < m; i++)
		r[i] = tmp[i];
	*n = m;
	return true;
}
