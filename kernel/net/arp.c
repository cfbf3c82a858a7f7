// SPDX-License-Identifier: MIT
/*
 * ARP for IPv4 over Ethernet (RFC 826), the kernel's side of lib/net/arp:
 * one cache per Ethernet interface under a spinlock, the frames (requests,
 * replies to requests for our addresses, gratuitous announcements per RFC
 * 5227 3), and the cache's timers served by a net task timer.
 *
 * Locks: each interface's arp_dev.lock guards its cache and the lists the
 * cache's callbacks fill; nothing is transmitted or freed under it: the
 * callbacks only collect, and the collected frames go out after the lock
 * is dropped (lock order: arp -> timer list; never arp -> driver).
 */
#include <cairn/errno.h>

#include <lib/net/arp.h>
#include <lib/string.h>

#include "core/log.h"
#include "mm/heap.h"
#include "net/inet.h"
#include "net/ip_internal.h"
#include "net/netif.h"
#include "net/pkt.h"
#include "sched/spinlock.h"
#include "time/time.h"

/* How often the cache's clock ticks while nothing waits: stale entries age. */
#define ARP_IDLE_TICK (5ull * NSEC_PER_SEC)

struct arp_req {
	uint32_t ip;
	bool unicast;
	uint8_t mac[ETH_ALEN];
};

/* Locks: [L] lock; [I] set at creation. */
struct arp_dev {
	struct spinlock lock;
	struct netif *dev;                   /* [I] */
	struct arp_cache cache;              /* [L] */
	struct list_node ready;              /* [L] frames resolved, Ethernet header pushed */
	struct list_node dropped;            /* [L] frames given up */
	struct arp_req reqs[ARP_CACHE_SIZE]; /* [L] requests to send */
	unsigned nreqs;                      /* [L] */
	struct list_node link;               /* [G] on arp_devs */
};

static struct spinlock arp_devs_lock = SPINLOCK_INIT("net.arp.devs");
static struct list_node arp_devs __guarded_by(&arp_devs_lock) = LIST_INIT(arp_devs);
static struct net_timer arp_timer;

static const uint8_t mac_bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* ---- the cache's callbacks: collect only (the lock is held) ---- */

static void cb_request(void *ctx, uint32_t ip, const uint8_t *mac)
{
	struct arp_dev *a = ctx;
	struct arp_req *r;

	if (a->nreqs == ARP_CACHE_SIZE)
		return; /* the cache retries on its own clock */
	r = &a->reqs[a->nreqs++];
	r->ip = ip;
	r->unicast = mac != NULL;
	if (mac)
		memcpy(r->mac, mac, ETH_ALEN);
}

static void cb_send(void *ctx, void *handle, const uint8_t mac[ETH_ALEN])
{
	struct arp_dev *a = ctx;
	struct pkt *p = handle;
	uint8_t *h = pkt_push(p, ETH_HLEN);

	if (!h) {
		list_add_tail(&a->dropped, &p->link);
		return;
	}
	if (p->flags & PKT_CSUM_PARTIAL)
		p->csum_start += ETH_HLEN;
	eth_build(h, mac, a->dev->mac, ETHERTYPE_IP);
	list_add_tail(&a->ready, &p->link);
}

static void cb_drop(void *ctx, void *handle, uint32_t ip, int reason)
{
	struct arp_dev *a = ctx;
	struct pkt *p = handle;

	(void)ip, (void)reason;
	list_add_tail(&a->dropped, &p->link);
}

static const struct arp_cache_ops arp_ops = {
	.request = cb_request,
	.send = cb_send,
	.drop = cb_drop,
};

/* ---- frames ---- */

/* Send an ARP packet @v on @dev to @dst (padded to 60 bytes, IEEE 802.3's minimum). */
static void send_arp(struct netif *dev, const uint8_t dst[ETH_ALEN], const struct arp_view *v)
{
	struct pkt *p = pkt_alloc(PKT_HEADROOM, ETH_MIN_FRAME);
	uint8_t *b;

	if (!p) {
		NET_INC(inet_stats.arp_drops);
		return;
	}
	b = pkt_put(p, ETH_MIN_FRAME);
	memset(b, 0, ETH_MIN_FRAME);
	eth_build(b, dst, dev->mac, ETHERTYPE_ARP);
	arp_build(b + ETH_HLEN, v);
	NET_INC(inet_stats.arp_out);
	if (netif_xmit(dev, p))
		NET_INC(inet_stats.arp_drops);
}

static void send_request(struct netif *dev, const struct arp_req *r)
{
	struct arp_view v = { .op = ARP_OP_REQUEST, .tpa = r->ip };
	uint32_t mask;

	memcpy(v.sha, dev->mac, ETH_ALEN);
	netif_get_addr(dev, &v.spa, &mask);
	send_arp(dev, r->unicast ? r->mac : mac_bcast, &v);
}

void arp_announce(struct netif *dev, uint32_t addr)
{
	struct arp_view v = { .op = ARP_OP_REQUEST, .spa = addr, .tpa = addr };

	memcpy(v.sha, dev->mac, ETH_ALEN);
	send_arp(dev, mac_bcast, &v);
}

/*
 * Take what the callbacks collected and act on it: called right after a
 * cache call, with @a->lock held; drops it.
 */
static void flush_unlock(struct arp_dev *a) __releases(&a->lock)
{
	struct list_node ready = LIST_INIT(ready), dropped = LIST_INIT(dropped);
	struct arp_req reqs[ARP_CACHE_SIZE];
	unsigned nreqs = a->nreqs;
	bool busy = arp_cache_busy(&a->cache);

	list_splice_tail(&ready, &a->ready);
	list_splice_tail(&dropped, &a->dropped);
	memcpy(reqs, a->reqs, nreqs * sizeof(reqs[0]));
	a->nreqs = 0;
	spin_unlock(&a->lock);
	for (unsigned i = 0; i < nreqs; i++)
		send_request(a->dev, &reqs[i]);
	while (!list_empty(&dropped)) {
		NET_INC(inet_stats.arp_drops);
		pkt_free(list_entry(list_pop_head(&dropped), struct pkt, link));
	}
	while (!list_empty(&ready)) {
		if (netif_xmit(a->dev, list_entry(list_pop_head(&ready), struct pkt, link)))
			continue; /* counted by netif_xmit */
	}
	if (busy)
		net_timer_arm_min(&arp_timer, net_now() + ARP_RETRY_NS);
}

/* @dev's ARP state; NULL for an interface without ARP (loopback) or before the first use. */
static struct arp_dev *arp_dev_of(struct netif *dev)
{
	return __atomic_load_n((struct arp_dev **)&dev->arp, __ATOMIC_ACQUIRE);
}

/* @dev's ARP state, created on first use; NULL without memory. */
static struct arp_dev *arp_dev_get(struct netif *dev)
{
	struct arp_dev *a = arp_dev_of(dev), *expected = NULL;

	if (a)
		return a;
	a = kmalloc_flags(sizeof(*a), KM_MAY_FAIL);
	if (!a)
		return NULL;
	memset(a, 0, sizeof(*a));
	spin_init(&a->lock, "net.arp");
	a->dev = dev;
	arp_cache_init(&a->cache, &arp_ops, a);
	list_init(&a->ready);
	list_init(&a->dropped);
	if (!__atomic_compare_exchange_n((struct arp_dev **)&dev->arp, &expected, a, false,
	                                 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		kfree(a); /* another CPU created it first */
		return expected;
	}
	spin_lock(&arp_devs_lock);
	list_add_tail(&arp_devs, &a->link);
	spin_unlock(&arp_devs_lock);
	return a;
}

/*
 * Send @p (data at the IP header) to @next_hop on @dev: at once when its
 * MAC is known, else after ARP answers (the cache queues it, bounded).
 * Consumes @p. 0 or -errno.
 */
int arp_output(struct netif *dev, uint32_t next_hop, struct pkt *p)
{
	struct arp_dev *a = arp_dev_get(dev);
	uint8_t mac[ETH_ALEN];
	int err;

	if (!a) {
		NET_INC(inet_stats.arp_drops);
		pkt_free(p);
		return -ENOBUFS;
	}
	spin_lock(&a->lock);
	err = arp_cache_resolve(&a->cache, next_hop, net_now(), p, mac);
	flush_unlock(a);
	if (err == 0)
		return eth_output(dev, mac, p);
	if (err == -EINPROGRESS)
		return 0; /* queued: the cache owns it */
	NET_INC(inet_stats.arp_drops);
	pkt_free(p);
	return err;
}

static void count_entry(const struct arp_entry *e, void *ctx);

static bool cache_in_use(const struct arp_cache *c)
{
	unsigned n = 0;

	arp_cache_foreach(c, count_entry, &n);
	return n > 0;
}

/* Run every cache's clock; re-armed while any entry lives. */
static void arp_tick(struct net_timer *t, void *ctx)
{
	uint64_t now = net_now(), next = 0;

	(void)ctx;
	for (unsigned i = 0;; i++) {
		struct arp_dev *a = NULL, *it;
		unsigned j = 0;

		spin_lock(&arp_devs_lock);
		list_for_each_entry(it, &arp_devs, link) {
			if (j++ == i) {
				a = it;
				break;
			}
		}
		spin_unlock(&arp_devs_lock);
		if (!a)
			break;
		spin_lock(&a->lock);
		arp_cache_tick(&a->cache, now);
		if (arp_cache_busy(&a->cache))
			next = ARP_RETRY_NS;
		else if (!next && cache_in_use(&a->cache))
			next = ARP_IDLE_TICK;
		flush_unlock(a);
	}
	if (next)
		net_timer_arm_min(t, now + next);
}

void arp_input(struct pkt *p)
{
	struct netif *dev = p->dev;
	struct arp_view v, r = { .op = ARP_OP_REPLY };
	struct arp_dev *a;
	uint32_t addr, mask;
	bool to_us;

	NET_INC(inet_stats.arp_in);
	if (arp_parse(p->data, p->len, &v) || eth_is_multicast(v.sha)) {
		if (net_log_ok())
			pr_info("net: %s: dropped a malformed ARP packet", dev->name);
		NET_INC(inet_stats.arp_drops);
		pkt_free(p);
		return;
	}
	pkt_free(p);
	netif_get_addr(dev, &addr, &mask);
	to_us = addr && v.tpa == addr;
	/* A probe (sender 0.0.0.0, RFC 5227 2.1.1) says nothing about the sender's address. */
	if (v.spa && v.spa != addr && (a = arp_dev_get(dev))) {
		spin_lock(&a->lock);
		arp_cache_input(&a->cache, v.spa, v.sha, to_us, net_now());
		flush_unlock(a);
	}
	if (!to_us || v.op != ARP_OP_REQUEST)
		return;
	memcpy(r.sha, dev->mac, ETH_ALEN);
	r.spa = addr;
	memcpy(r.tha, v.sha, ETH_ALEN);
	r.tpa = v.spa;
	send_arp(dev, v.sha, &r);
}

void arp_flush_dev(struct netif *dev)
{
	struct arp_dev *a = arp_dev_of(dev);

	if (!a)
		return;
	spin_lock(&a->lock);
	arp_cache_flush(&a->cache);
	flush_unlock(a);
}

struct arp_walk {
	void (*fn)(struct netif *dev, const struct arp_entry *e, void *ctx);
	struct netif *dev;
	void *ctx;
};

static void walk_entry(const struct arp_entry *e, void *ctx)
{
	struct arp_walk *w = ctx;

	w->fn(w->dev, e, w->ctx);
}

static void count_entry(const struct arp_entry *e, void *ctx)
{
	(void)e;
	(*(unsigned *)ctx)++;
}

/* Entries in every cache (tests). */
unsigned arp_entry_count(void)
{
	struct arp_dev *a;
	unsigned n = 0;

	spin_lock(&arp_devs_lock);
	list_for_each_entry(a, &arp_devs, link) {
		spin_lock(&a->lock);
		arp_cache_foreach(&a->cache, count_entry, &n);
		spin_unlock(&a->lock);
	}
	spin_unlock(&arp_devs_lock);
	return n;
}

/* Call @fn on every entry of every interface (for /proc/net/arp); @fn must not sleep. */
void arp_foreach(void (*fn)(struct netif *dev, const struct arp_entry *e, void *ctx), void *ctx)
{
	struct arp_dev *a;

	spin_lock(&arp_devs_lock);
	list_for_each_entry(a, &arp_devs, link) {
		struct arp_walk w = { .fn = fn, .dev = a->dev, .ctx = ctx };

		spin_lock(&a->lock);
		arp_cache_foreach(&a->cache, walk_entry, &w);
		spin_unlock(&a->lock);
	}
	spin_unlock(&arp_devs_lock);
}

void arp_init(void)
{
	net_timer_init(&arp_timer, arp_tick, NULL);
}
