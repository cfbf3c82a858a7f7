// SPDX-License-Identifier: MIT
/*
 * The network tests' fake Ethernet interface (net_fake.h): xmit captures,
 * injection goes through netif_rx() and waits with net_sync().
 */
#include "net_fake.h"

#include <cairn/errno.h>

#include <lib/list/list.h>
#include <lib/string.h>

#include "core/log.h"
#include "net/inet.h"
#include "net/netif.h"
#include "net/pkt.h"
#include "sched/spinlock.h"

const uint8_t fake_mac[ETH_ALEN] = { 2, 0, 0, 0, 0, 1 };
const uint8_t peer_mac[ETH_ALEN] = { 2, 0, 0, 0, 0, 2 };

static struct spinlock cap_lock = SPINLOCK_INIT("ktest.netfake");
static struct list_node captured __guarded_by(&cap_lock) = LIST_INIT(captured);
static unsigned ncaptured __guarded_by(&cap_lock);

static int fake_xmit(struct netif *nif, struct pkt *p)
{
	(void)nif;
	spin_lock(&cap_lock);
	list_add_tail(&captured, &p->link);
	ncaptured++;
	spin_unlock(&cap_lock);
	return 0;
}

static const struct netif_ops fake_ops = { .xmit = fake_xmit };
static struct netif fake;
static bool registered; /* a failed test may leave it registered */

struct netif *fake_up(void)
{
	if (registered)
		fake_down(&fake);
	memset(&fake, 0, sizeof(fake));
	memcpy(fake.name, "ktfake%", 8);
	memcpy(fake.mac, fake_mac, ETH_ALEN);
	fake.mtu = ETH_MTU;
	fake.flags = IFF_BROADCAST;
	fake.ops = &fake_ops;
	if (netif_register(&fake))
		return NULL;
	registered = true;
	if (netif_set_up(&fake, true) || netif_set_addr(&fake, FAKE_ADDR, FAKE_MASK)) {
		fake_down(&fake);
		return NULL;
	}
	net_sync();
	fake_clear(); /* the gratuitous ARP of the new address */
	return &fake;
}

void fake_down(struct netif *nif)
{
	if (netif_set_addr(nif, 0, 0))
		pr_warn("ktest: could not clear the fake interface's address");
	netif_unregister(nif);
	registered = false;
	net_sync();
	fake_clear();
}

struct pkt *fake_pop(void)
{
	struct pkt *p = NULL;

	spin_lock(&cap_lock);
	if (!list_empty(&captured)) {
		p = list_entry(list_pop_head(&captured), struct pkt, link);
		ncaptured--;
	}
	spin_unlock(&cap_lock);
	return p;
}

unsigned fake_captured(void)
{
	unsigned n;

	spin_lock(&cap_lock);
	n = ncaptured;
	spin_unlock(&cap_lock);
	return n;
}

void fake_clear(void)
{
	struct pkt *p;

	while ((p = fake_pop()))
		pkt_free(p);
}

void fake_inject(struct netif *nif, const void *frame, size_t len)
{
	struct pkt *p = pkt_alloc(PKT_HEADROOM, len);

	if (!p)
		return;
	memcpy(pkt_put(p, len), frame, len);
	netif_rx(nif, p);
	net_sync();
}

size_t fake_build_ip(uint8_t *out, const struct fake_ip *h, const void *payload, size_t len)
{
	eth_build(out, h->dst_mac ? h->dst_mac : fake_mac, h->src_mac ? h->src_mac : peer_mac,
	          ETHERTYPE_IP);
	ip4_build(out + ETH_HLEN, (uint16_t)(IP4_HLEN_MIN + len), h->id, h->frag_off,
	          h->ttl ? h->ttl : 64, h->proto, h->src, h->dst);
	memcpy(out + ETH_HLEN + IP4_HLEN_MIN, payload, len);
	return ETH_HLEN + IP4_HLEN_MIN + len;
}

void fake_teach_peer(struct netif *nif)
{
	static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct arp_view v = { .op = ARP_OP_REQUEST, .spa = PEER_ADDR, .tpa = FAKE_ADDR };
	uint8_t frame[ETH_MIN_FRAME] = { 0 };

	memcpy(v.sha, peer_mac, ETH_ALEN);
	eth_build(frame, bcast, peer_mac, ETHERTYPE_ARP);
	arp_build(frame + ETH_HLEN, &v);
	fake_inject(nif, frame, sizeof(frame));
	fake_clear(); /* our reply */
}
