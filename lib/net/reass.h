/* SPDX-License-Identifier: MIT */
/*
 * IPv4 fragment reassembly (RFC 791, 3.2) as a pure engine: fragments go
 * in, keyed by (source, destination, protocol, id); a whole datagram
 * comes out for the caller to copy into its own buffer. Memory comes from
 * the caller's allocator and is bounded twice: at most max_dgrams
 * datagrams in progress and at most mem_limit bytes held (fragments with
 * their bookkeeping); going past either gives up the oldest datagrams.
 * A datagram not complete within timeout_ns of its first fragment is
 * given up too (RFC 791 suggests 15 s; the stack passes 30 s as Linux).
 *
 * Overlaps: a fragment whose bytes overlap what is held must carry the
 * same bytes there -- an exact or partial retransmission is accepted (a
 * relay that duplicates frames does that) -- and a fragment that
 * disagrees with what is held drops the whole datagram. This is RFC
 * 5722's rule for IPv6 relaxed for benign duplicates, so that overlapping
 * fragments can never rewrite an earlier-checked header (RFC 1858).
 * Fragments other than the last must hold a multiple of 8 bytes; the
 * whole datagram must fit in 65535 bytes with its header.
 *
 * Locks: none inside; the caller serializes every call on one engine.
 */
#pragma once

#include <cairn/compiler.h>

#include <lib/net/wire.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct reass_dgram; /* one datagram in progress (private) */

struct reass_ops {
	/* Memory for the engine; NULL when there is none (the datagram is dropped). */
	void *(*alloc)(void *ctx, size_t n);
	void (*free)(void *ctx, void *p, size_t n);
	/*
	 * Optional: a datagram whose first fragment had arrived timed out.
	 * @hdr: that fragment's IP header and up to 8 bytes after it (@len
	 * bytes in all), for an ICMP time exceeded (RFC 792, code 1).
	 */
	void (*timeout)(void *ctx, const uint8_t *hdr, size_t len);
};

struct reass_stats {
	uint64_t reqds;    /* fragments received (RFC 1213's ipReasmReqds) */
	uint64_t oks;      /* datagrams reassembled */
	uint64_t fails;    /* datagrams given up, for any reason */
	uint64_t timeouts; /* ... of which timed out */
	uint64_t overlaps; /* ... of which had conflicting overlaps */
	uint64_t evicted;  /* ... of which made room under the limits */
	uint64_t bad;      /* fragments refused on their own (bad size or offset) */
};

struct reass {
	const struct reass_ops *ops;
	void *ctx;
	size_t mem_limit;    /* bytes the engine may hold */
	unsigned max_dgrams; /* datagrams in progress */
	uint64_t timeout_ns;
	size_t mem;               /* bytes held now */
	unsigned ndgrams;         /* datagrams in progress now */
	struct reass_dgram *head; /* oldest first */
	struct reass_stats stats;
};

void reass_init(struct reass *r, const struct reass_ops *ops, void *ctx, size_t mem_limit,
                unsigned max_dgrams, uint64_t timeout_ns);

/*
 * Take the fragment @ip (ip4_is_fragment() true, already parsed and
 * checked) received at @now (ns). Returns 0: kept (or a duplicate
 * ignored), the datagram is not complete. 1: complete, *@done is the
 * datagram, taken out of the engine: copy it with reass_copy() into
 * reass_len() bytes, then reass_release() it. -EINVAL: a bad fragment
 * (size not a multiple of 8 before the end, past 65535 bytes, against the
 * known end). -EBADMSG: a conflicting overlap (the datagram is dropped).
 * -ENOMEM: no memory or over the limits even alone (the datagram is
 * dropped).
 */
int __must_check reass_add(struct reass *r, const struct ip4_view *ip, uint64_t now,
                           struct reass_dgram **done);
/* Bytes of the complete datagram @d: its IP header (the first fragment's) and payload. */
size_t reass_len(const struct reass_dgram *d);
/* Write @d at @out: the header with total length, fragment fields and checksum fixed, then the payload. */
void reass_copy(const struct reass_dgram *d, uint8_t *out);
/* Free the complete datagram @d (from reass_add()). */
void reass_release(struct reass *r, struct reass_dgram *d);

/* Give up the datagrams older than the timeout at @now. */
void reass_tick(struct reass *r, uint64_t now);
/* Whether datagrams are in progress (the caller should tick). */
bool reass_busy(const struct reass *r);
/* Give up everything (interface gone, tests). */
void reass_flush(struct reass *r);
