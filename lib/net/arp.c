// SPDX-License-Identifier: MIT
/*
 * The ARP cache (see arp.h): a linear table of ARP_CACHE_SIZE entries,
 * small enough that a scan costs less than a hash would save, with each
 * entry's waiting packets in a little ring of opaque handles.
 */
#include "lib/net/arp.h"

#include <cairn/errno.h>

void arp_cache_init(struct arp_cache *c, const struct arp_cache_ops *ops, void *ctx)
{
	for (unsigned i = 0; i < ARP_CACHE_SIZE; i++) {
		c->e[i].state = ARP_FREE;
		c->e[i].qhead = 0;
		c->e[i].qlen = 0;
	}
	c->ops = ops;
	c->ctx = ctx;
	c->evictions = 0;
	c->failures = 0;
	c->queue_drops = 0;
}

static struct arp_entry *arp_find(struct arp_cache *c, uint32_t ip)
{
	for (unsigned i = 0; i < ARP_CACHE_SIZE; i++)
		if (c->e[i].state != ARP_FREE && c->e[i].ip == ip)
			return &c->e[i];
	return NULL;
}

/* Hand every waiting handle of @e to ops->drop with @reason. */
static void arp_drop_queue(struct arp_cache *c, struct arp_entry *e, int reason)
{
	while (e->qlen) {
		void *h = e->queue[e->qhead];

		e->qhead = (uint8_t)((e->qhead + 1) % ARP_QUEUE_MAX);
		e->qlen--;
		c->ops->drop(c->ctx, h, e->ip, reason);
	}
	e->qhead = 0;
}

static void arp_free_entry(struct arp_cache *c, struct arp_entry *e, int reason)
{
	arp_drop_queue(c, e, reason);
	e->state = ARP_FREE;
}

/* A free entry, evicting the least recently confirmed one when the table is full. */
static struct arp_entry *arp_alloc(struct arp_cache *c)
{
	struct arp_entry *old = &c->e[0];

	for (unsigned i = 0; i < ARP_CACHE_SIZE; i++) {
		if (c->e[i].state == ARP_FREE)
			return &c->e[i];
		if (c->e[i].confirmed < old->confirmed)
			old = &c->e[i];
	}
	c->evictions++;
	arp_free_entry(c, old, -ENOBUFS);
	return old;
}

/* Queue @h on @e; a full ring gives up its oldest handle to make room. */
static void arp_enqueue(struct arp_cache *c, struct arp_entry *e, void *h)
{
	if (e->qlen == ARP_QUEUE_MAX) {
		void *old = e->queue[e->qhead];

		e->qhead = (uint8_t)((e->qhead + 1) % ARP_QUEUE_MAX);
		e->qlen--;
		c->queue_drops++;
		c->ops->drop(c->ctx, old, e->ip, -ENOBUFS);
	}
	e->queue[(e->qhead + e->qlen) % ARP_QUEUE_MAX] = h;
	e->qlen++;
}

static void arp_copy_mac(uint8_t *dst, const uint8_t *src)
{
	for (unsigned i = 0; i < ETH_ALEN; i++)
		dst[i] = src[i];
}

int arp_cache_resolve(struct arp_cache *c, uint32_t ip, uint64_t now, void *handle,
                      uint8_t mac[ETH_ALEN])
{
	struct arp_entry *e;

	if (ip == 0 || ip == IP4_BROADCAST)
		return -EINVAL;
	e = arp_find(c, ip);
	if (e && e->state == ARP_REACHABLE && now - e->confirmed >= ARP_REACHABLE_NS) {
		e->state = ARP_STALE;
		e->tries = 0;
	}
	if (e && e->state != ARP_INCOMPLETE) {
		/* A stale entry's first use starts probing it (later tries come from the tick). */
		if (e->state == ARP_STALE && e->tries == 0) {
			e->tries = 1;
			e->sent = now;
			c->ops->request(c->ctx, ip, e->mac);
		}
		arp_copy_mac(mac, e->mac);
		return 0;
	}
	if (!e) {
		e = arp_alloc(c);
		e->ip = ip;
		e->state = ARP_INCOMPLETE;
		e->tries = 1;
		e->confirmed = now;
		e->sent = now;
		e->qhead = 0;
		e->qlen = 0;
		c->ops->request(c->ctx, ip, NULL);
	}
	if (handle)
		arp_enqueue(c, e, handle);
	return -EINPROGRESS;
}

void arp_cache_input(struct arp_cache *c, uint32_t ip, const uint8_t mac[ETH_ALEN], bool for_us,
                     uint64_t now)
{
	struct arp_entry *e;

	/* A sender of 0.0.0.0 is a probe (RFC 5227): nothing to learn from it. */
	if (ip == 0 || ip == IP4_BROADCAST || eth_is_multicast(mac))
		return;
	e = arp_find(c, ip);
	if (!e) {
		if (!for_us)
			return;
		e = arp_alloc(c);
		e->ip = ip;
		e->qhead = 0;
		e->qlen = 0;
	}
	arp_copy_mac(e->mac, mac);
	e->state = ARP_REACHABLE;
	e->tries = 0;
	e->confirmed = now;
	while (e->qlen) {
		void *h = e->queue[e->qhead];

		e->qhead = (uint8_t)((e->qhead + 1) % ARP_QUEUE_MAX);
		e->qlen--;
		c->ops->send(c->ctx, h, e->mac);
	}
	e->qhead = 0;
}

/* One entry's timers; see arp.h for the machine. */
static void arp_tick_one(struct arp_cache *c, struct arp_entry *e, uint64_t now)
{
	bool probing = e->state == ARP_INCOMPLETE || (e->state == ARP_STALE && e->tries > 0);

	if (e->state == ARP_REACHABLE && now - e->confirmed >= ARP_REACHABLE_NS) {
		e->state = ARP_STALE;
		e->tries = 0;
		return;
	}
	if (!probing || now - e->sent < ARP_RETRY_NS)
		return;
	if (e->tries >= ARP_RETRIES) {
		c->failures++;
		arp_free_entry(c, e, -EHOSTUNREACH);
		return;
	}
	e->tries++;
	e->sent = now;
	c->ops->request(c->ctx, e->ip, e->state == ARP_STALE ? e->mac : NULL);
}

void arp_cache_tick(struct arp_cache *c, uint64_t now)
{
	for (unsigned i = 0; i < ARP_CACHE_SIZE; i++)
		if (c->e[i].state != ARP_FREE)
			arp_tick_one(c, &c->e[i], now);
}

bool arp_cache_busy(const struct arp_cache *c)
{
	for (unsigned i = 0; i < ARP_CACHE_SIZE; i++) {
		const struct arp_entry *e = &c->e[i];

		if (e->state == ARP_INCOMPLETE || (e->state == ARP_STALE && e->tries > 0))
			return true;
	}
	return false;
}

int arp_cache_del(struct arp_cache *c, uint32_t ip)
{
	struct arp_entry *e = arp_find(c, ip);

	if (!e)
		return -ENOENT;
	arp_free_entry(c, e, -ENETDOWN);
	return 0;
}

void arp_cache_flush(struct arp_cache *c)
{
	for (unsigned i = 0; i < ARP_CACHE_SIZE; i++)
		if (c->e[i].state != ARP_FREE)
			arp_free_entry(c, &c->e[i], -ENETDOWN);
}

void arp_cache_foreach(const struct arp_cache *c, void (*fn)(const struct arp_entry *e, void *ctx),
                       void *ctx)
{
	for (unsigned i = 0; i < ARP_CACHE_SIZE; i++)
		if (c->e[i].state != ARP_FREE)
			fn(&c->e[i], ctx);
}
