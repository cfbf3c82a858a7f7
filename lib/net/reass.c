// SPDX-License-Identifier: MIT
/*
 * IPv4 reassembly (see reass.h). Each datagram in progress keeps its
 * fragments in a list sorted by offset; fragments may overlap only where
 * their bytes agree, so the finished payload is the union of the ranges,
 * written in offset order. Datagrams sit in one list, oldest first, which
 * makes both the timeout scan and eviction under the limits cheap.
 */
#include "lib/net/reass.h"

#include <cairn/errno.h>

#define REASS_MAX_TOTAL 65535u /* header included (RFC 791, 3.1: Total Length) */

struct reass_frag {
	struct reass_frag *next;
	uint16_t off, len; /* payload bytes [off, off + len) */
	uint8_t data[];
};

struct reass_dgram {
	struct reass_dgram *next;
	uint32_t src, dst;
	uint16_t id;
	uint8_t proto;
	uint8_t hlen;                  /* header bytes of the first fragment; 0 until it arrived */
	bool has_last;                 /* the fragment without MF arrived: total is known */
	uint32_t total;                /* payload bytes, when has_last */
	uint64_t start;                /* ns: the first fragment to arrive */
	size_t mem;                    /* bytes held for it, this struct included */
	struct reass_frag *frags;      /* sorted by off */
	uint8_t hdr[IP4_HLEN_MAX + 8]; /* the first fragment's header and 8 bytes after it */
	uint8_t hdr_extra;             /* those bytes after the header (for ICMP quoting) */
};

void reass_init(struct reass *r, const struct reass_ops *ops, void *ctx, size_t mem_limit,
                unsigned max_dgrams, uint64_t timeout_ns)
{
	r->ops = ops;
	r->ctx = ctx;
	r->mem_limit = mem_limit;
	r->max_dgrams = max_dgrams;
	r->timeout_ns = timeout_ns;
	r->mem = 0;
	r->ndgrams = 0;
	r->head = NULL;
	r->stats = (struct reass_stats){ 0 };
}

static void reass_unlink(struct reass *r, struct reass_dgram *d)
{
	for (struct reass_dgram **pp = &r->head; *pp; pp = &(*pp)->next) {
		if (*pp == d) {
			*pp = d->next;
			r->ndgrams--;
			return;
		}
	}
}

/* Free @d, already unlinked, and everything it holds. */
static void reass_free_dgram(struct reass *r, struct reass_dgram *d)
{
	struct reass_frag *f = d->frags;

	while (f) {
		struct reass_frag *next = f->next;

		r->ops->free(r->ctx, f, sizeof(*f) + f->len);
		f = next;
	}
	r->mem -= d->mem;
	r->ops->free(r->ctx, d, sizeof(*d));
}

static void reass_drop(struct reass *r, struct reass_dgram *d)
{
	reass_unlink(r, d);
	r->stats.fails++;
	reass_free_dgram(r, d);
}

static struct reass_dgram *reass_find(struct reass *r, const struct ip4_view *ip)
{
	for (struct reass_dgram *d = r->head; d; d = d->next)
		if (d->id == ip->id && d->src == ip->src && d->dst == ip->dst &&
		    d->proto == ip->proto)
			return d;
	return NULL;
}

/* Make room for @need more bytes and, with @new_dgram, one more datagram, evicting the oldest but @keep. */
static bool reass_make_room(struct reass *r, size_t need, bool new_dgram, struct reass_dgram *keep)
{
	while (r->mem + need > r->mem_limit || (new_dgram && r->ndgrams >= r->max_dgrams)) {
		struct reass_dgram *victim = r->head;

		if (victim == keep)
			victim = victim->next;
		if (!victim)
			return false;
		r->stats.evicted++;
		reass_drop(r, victim);
	}
	return true;
}

static struct reass_dgram *reass_new(struct reass *r, const struct ip4_view *ip, uint64_t now)
{
	struct reass_dgram *d;
	struct reass_dgram **tail;

	if (sizeof(*d) > r->mem_limit || !reass_make_room(r, sizeof(*d), true, NULL))
		return NULL;
	d = r->ops->alloc(r->ctx, sizeof(*d));
	if (!d)
		return NULL;
	*d = (struct reass_dgram){
		.src = ip->src, .dst = ip->dst, .id = ip->id, .proto = ip->proto
	};
	d->start = now;
	d->mem = sizeof(*d);
	r->mem += d->mem;
	for (tail = &r->head; *tail; tail = &(*tail)->next)
		;
	*tail = d;
	r->ndgrams++;
	return d;
}

static bool bytes_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/*
 * Compare [off, off + len) of @data with every held fragment it overlaps.
 * Returns -EBADMSG on a difference, 1 when the held fragments already
 * cover it all (a duplicate), else 0. @*pos: where in the list it goes.
 */
static int reass_check_overlap(struct reass_dgram *d, unsigned off, unsigned len,
                               const uint8_t *data, struct reass_frag ***pos)
{
	unsigned end = off + len, covered = off;

	*pos = &d->frags;
	for (struct reass_frag *f = d->frags; f; f = f->next) {
		unsigned fend = f->off + f->len;
		unsigned lo = f->off > off ? f->off : off;
		unsigned hi = fend < end ? fend : end;

		if (f->off < off)
			*pos = &f->next;
		if (lo >= hi)
			continue;
		if (!bytes_equal(f->data + (lo - f->off), data + (lo - off), hi - lo))
			return -EBADMSG;
		/* The list is sorted by start, so coverage from @off grows in order. */
		if (f->off <= covered && fend > covered)
			covered = fend;
	}
	return covered >= end ? 1 : 0;
}

/* Whether the fragments cover [0, total) without a hole. */
static bool reass_complete(const struct reass_dgram *d)
{
	unsigned covered = 0;

	if (!d->has_last || d->hlen == 0)
		return false;
	for (const struct reass_frag *f = d->frags; f; f = f->next) {
		if (f->off > covered)
			return false;
		if (f->off + f->len > covered)
			covered = f->off + f->len;
	}
	return covered >= d->total;
}

/* Checks of the fragment alone and against what @d knows of the end. */
static int reass_check_bounds(const struct reass_dgram *d, const struct ip4_view *ip, unsigned off,
                              bool last)
{
	unsigned end = off + (unsigned)ip->len;

	if (!last && (ip->len == 0 || ip->len % 8 != 0))
		return -EINVAL;
	if (end + ip->hlen > REASS_MAX_TOTAL)
		return -EINVAL;
	if (d && d->has_last && (end > d->total || (last && end != d->total)))
		return -EINVAL;
	if (d && last && !d->has_last) {
		for (const struct reass_frag *f = d->frags; f; f = f->next)
			if (f->off + f->len > end)
				return -EINVAL;
	}
	return 0;
}

/* Store the fragment's bytes in @d after @pos; 0 or -ENOMEM. */
static int reass_store(struct reass *r, struct reass_dgram *d, const struct ip4_view *ip,
                       unsigned off, struct reass_frag **pos)
{
	size_t need = sizeof(struct reass_frag) + ip->len;
	struct reass_frag *f;

	if (need + d->mem > r->mem_limit || !reass_make_room(r, need, false, d))
		return -ENOMEM;
	f = r->ops->alloc(r->ctx, need);
	if (!f)
		return -ENOMEM;
	f->off = (uint16_t)off;
	f->len = (uint16_t)ip->len;
	for (size_t i = 0; i < ip->len; i++)
		f->data[i] = ip->payload[i];
	f->next = *pos;
	*pos = f;
	d->mem += need;
	r->mem += need;
	return 0;
}

/* Remember the first fragment's header (and 8 bytes for an ICMP quote). */
static void reass_keep_header(struct reass_dgram *d, const struct ip4_view *ip)
{
	size_t extra = ip->len < 8 ? ip->len : 8;

	for (size_t i = 0; i < ip->hlen; i++)
		d->hdr[i] = ip->hdr[i];
	for (size_t i = 0; i < extra; i++)
		d->hdr[ip->hlen + i] = ip->payload[i];
	d->hlen = ip->hlen;
	d->hdr_extra = (uint8_t)extra;
}

int reass_add(struct reass *r, const struct ip4_view *ip, uint64_t now, struct reass_dgram **done)
{
	unsigned off = (ip->frag_off & IP4_OFFMASK) * 8u;
	bool last = !(ip->frag_off & IP4_MF);
	struct reass_dgram *d = reass_find(r, ip);
	struct reass_frag **pos;
	int err;

	r->stats.reqds++;
	err = reass_check_bounds(d, ip, off, last);
	if (err) {
		r->stats.bad++;
		return err;
	}
	if (!d && !(d = reass_new(r, ip, now))) {
		r->stats.fails++;
		return -ENOMEM;
	}
	/* 1: all of it is held already (a duplicate, or an empty last fragment). */
	err = reass_check_overlap(d, off, (unsigned)ip->len, ip->payload, &pos);
	if (err == 0)
		err = reass_store(r, d, ip, off, pos);
	if (err < 0) {
		if (err == -EBADMSG)
			r->stats.overlaps++;
		reass_drop(r, d);
		return err;
	}
	if (last) {
		d->has_last = true;
		d->total = off + (unsigned)ip->len;
	}
	if (off == 0 && d->hlen == 0)
		reass_keep_header(d, ip);
	if (!reass_complete(d))
		return 0;
	reass_unlink(r, d);
	r->stats.oks++;
	*done = d;
	return 1;
}

size_t reass_len(const struct reass_dgram *d)
{
	return (size_t)d->hlen + d->total;
}

void reass_copy(const struct reass_dgram *d, uint8_t *out)
{
	uint8_t *payload = out + d->hlen;

	for (size_t i = 0; i < d->hlen; i++)
		out[i] = d->hdr[i];
	net_put16(out + 2, (uint16_t)(d->hlen + d->total));
	net_put16(out + 6, 0);
	net_put16(out + 10, 0);
	net_put16(out + 10, inet_csum_fold(inet_csum_add(0, out, d->hlen)));
	for (const struct reass_frag *f = d->frags; f; f = f->next)
		for (size_t i = 0; i < f->len; i++)
			payload[f->off + i] = f->data[i];
}

void reass_release(struct reass *r, struct reass_dgram *d)
{
	reass_free_dgram(r, d);
}

void reass_tick(struct reass *r, uint64_t now)
{
	/* Oldest first: stop at the first datagram still within its time. */
	while (r->head && now - r->head->start >= r->timeout_ns) {
		struct reass_dgram *d = r->head;

		r->stats.timeouts++;
		if (d->hlen && r->ops->timeout)
			r->ops->timeout(r->ctx, d->hdr, (size_t)d->hlen + d->hdr_extra);
		reass_drop(r, d);
	}
}

bool reass_busy(const struct reass *r)
{
	return r->head != NULL;
}

void reass_flush(struct reass *r)
{
	while (r->head)
		reass_drop(r, r->head);
}
