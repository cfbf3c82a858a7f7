/* SPDX-License-Identifier: MIT */
/*
 * The ARP cache (RFC 826) as a pure table: one per interface, a fixed
 * number of entries, timeouts from a clock the caller passes in, and a
 * bounded queue per entry of packets waiting for their next hop's
 * address. The table never touches a packet: it holds the caller's opaque
 * handles and hands them back through the ops (send when resolved, drop
 * when given up). kernel/net/arp.c wraps it with a lock, the frames and
 * the net task's clock.
 *
 * States (Linux's names, a simpler machine):
 *   INCOMPLETE  a request is out; packets wait. Retried every
 *               ARP_RETRY_NS, ARP_RETRIES requests in all, then the
 *               entry fails: its packets are dropped (-EHOSTUNREACH).
 *   REACHABLE   confirmed within ARP_REACHABLE_NS; used as is.
 *   STALE       older: still used, but the first use sends a probe
 *               (unicast to the known address); a probe left unanswered
 *               ARP_RETRIES times deletes the entry.
 * A full table evicts its oldest entry (the least recently confirmed).
 * RFC 826's merge rule: a sender already in the table is updated; a new
 * one is added only when the packet was addressed to us, so gratuitous
 * ARP updates existing entries only.
 *
 * Locks: none inside; the caller serializes every call on one cache. The
 * ops are called from inside the calls (with the caller's lock held):
 * they must not call back into the same cache.
 */
#pragma once

#include <cairn/compiler.h>

#include <lib/net/wire.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARP_CACHE_SIZE   64u
#define ARP_QUEUE_MAX    8u                      /* packets waiting per entry */
#define ARP_REACHABLE_NS (30ull * 1000000000ull) /* 30 s */
#define ARP_RETRY_NS     (1ull * 1000000000ull)  /* 1 s between requests */
#define ARP_RETRIES      3u                      /* requests before giving up */

enum arp_state {
	ARP_FREE = 0,
	ARP_INCOMPLETE,
	ARP_REACHABLE,
	ARP_STALE,
};

struct arp_entry {
	uint32_t ip;                /* host order */
	uint8_t mac[ETH_ALEN];      /* valid in REACHABLE and STALE */
	uint8_t state;              /* enum arp_state */
	uint8_t tries;              /* requests sent since the last confirmation */
	uint64_t confirmed;         /* ns: created, or last confirmed by a packet from it */
	uint64_t sent;              /* ns: the last request or probe */
	void *queue[ARP_QUEUE_MAX]; /* waiting packets, oldest at qhead */
	uint8_t qhead, qlen;
};

struct arp_cache_ops {
	/*
	 * Send a request for @ip: broadcast when @mac is NULL, else a unicast
	 * probe to @mac (a stale entry's last known address).
	 */
	void (*request)(void *ctx, uint32_t ip, const uint8_t *mac);
	/* @handle waited for @ip, which is now at @mac: send it (the caller owns it again). */
	void (*send)(void *ctx, void *handle, const uint8_t mac[ETH_ALEN]);
	/*
	 * @handle is given up (the caller owns it again and frees it):
	 * -EHOSTUNREACH (no answer), -ENOBUFS (its queue overflowed or its
	 * entry was evicted), -ENETDOWN (arp_cache_flush).
	 */
	void (*drop)(void *ctx, void *handle, uint32_t ip, int reason);
};

struct arp_cache {
	struct arp_entry e[ARP_CACHE_SIZE];
	const struct arp_cache_ops *ops;
	void *ctx;
	/* Counters (for /proc/net/snmp and tests). */
	uint64_t evictions, failures, queue_drops;
};

void arp_cache_init(struct arp_cache *c, const struct arp_cache_ops *ops, void *ctx);

/*
 * The link address of @ip for sending @handle at time @now (ns).
 * Returns 0 with @mac filled: send now (a stale entry may also have sent
 * a probe through ops->request). -EINPROGRESS: @handle is queued and the
 * cache owns it until ops->send or ops->drop (a new entry sends its first
 * request through ops->request before this returns; a full queue drops
 * its oldest handle). -EINVAL: @ip is 0 or a broadcast, never resolved.
 * @handle may be NULL to ask without queueing (-EINPROGRESS starts the
 * resolution).
 */
int __must_check arp_cache_resolve(struct arp_cache *c, uint32_t ip, uint64_t now, void *handle,
                                   uint8_t mac[ETH_ALEN]);

/*
 * An ARP packet from @ip at @mac arrived at @now; @for_us: its target
 * address is ours (a request to us or a reply to us). Confirms or adds
 * the entry as above and sends the packets that waited for it.
 */
void arp_cache_input(struct arp_cache *c, uint32_t ip, const uint8_t mac[ETH_ALEN], bool for_us,
                     uint64_t now);

/*
 * Run the timers at @now: retries and failures of incomplete entries,
 * reachable entries turning stale, unanswered probes. Call at least every
 * ARP_RETRY_NS while arp_cache_busy() says so, else every few seconds.
 */
void arp_cache_tick(struct arp_cache *c, uint64_t now);
/* Whether an entry is waiting for an answer (the caller should tick within ARP_RETRY_NS). */
bool arp_cache_busy(const struct arp_cache *c);

/* Delete @ip's entry (its waiting packets dropped with -ENETDOWN); -ENOENT when none. */
int __must_check arp_cache_del(struct arp_cache *c, uint32_t ip);
/* Delete everything (the interface went down or changed address). */
void arp_cache_flush(struct arp_cache *c);
/* Call @fn on every entry in use (for /proc/net/arp); @fn must not change the cache. */
void arp_cache_foreach(const struct arp_cache *c, void (*fn)(const struct arp_entry *e, void *ctx),
                       void *ctx);
