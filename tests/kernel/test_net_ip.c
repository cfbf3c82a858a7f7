/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of the IP layer's send side, suite "net_ip": a datagram
 * sent to 127.0.0.1 comes back through the net task to its protocol's
 * hook; on a fake Ethernet interface (net_fake.h) a datagram waits for
 * ARP and leaves once the peer answers, the wait queue is bounded, big
 * datagrams are fragmented to the MTU (or refused with DF), broadcasts
 * need no ARP, and routes pick the longest prefix. Nothing leaks.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "core/ktest.h"
#include "net/inet.h"
#include "net/netif.h"
#include "net/pkt.h"
#include "net_fake.h"

/* RFC 3692's protocol number for experiments: no real protocol uses it. */
#define TEST_PROTO 253u

static struct {
	unsigned got;
	uint32_t src, dst;
	size_t len;
	uint8_t data[64];
} lo_rx;

static void lo_hook(struct pkt *p, const struct ip4_view *ip)
{
	lo_rx.got++;
	lo_rx.src = ip->src;
	lo_rx.dst = ip->dst;
	lo_rx.len = p->len;
	memcpy(lo_rx.data, p->data, p->len < sizeof(lo_rx.data) ? p->len : sizeof(lo_rx.data));
	pkt_free(p);
}

TEST(net_ip, loopback_round_trip)
{
	long base = pkt_count();
	struct pkt *p;

	EXPECT_TRUE(netif_by_name("lo") != NULL);
	inet_register(TEST_PROTO, lo_hook, NULL);
	memset(&lo_rx, 0, sizeof(lo_rx));
	p = pkt_alloc(PKT_HEADROOM, 5);
	EXPECT_TRUE(p != NULL);
	memcpy(pkt_put(p, 5), "hello", 5);
	EXPECT_EQ(ip4_output(p, 0, 0x7f000001u, TEST_PROTO, 0, 0, false), 0);
	net_sync();
	EXPECT_EQ(lo_rx.got, 1u);
	EXPECT_EQ(lo_rx.src, 0x7f000001u);
	EXPECT_EQ(lo_rx.dst, 0x7f000001u);
	EXPECT_EQ(lo_rx.len, 5u);
	EXPECT_EQ(memcmp(lo_rx.data, "hello", 5), 0);
	inet_register(TEST_PROTO, NULL, NULL);
	EXPECT_EQ(pkt_count(), base);
}

/* A datagram of @len pattern bytes of TEST_PROTO, ready for ip4_output(). */
static struct pkt *payload(size_t len)
{
	struct pkt *p = pkt_alloc(PKT_HEADROOM, len);

	if (p) {
		uint8_t *b = pkt_put(p, len);

		for (size_t i = 0; i < len; i++)
			b[i] = (uint8_t)(i * 13 + 5);
	}
	return p;
}

/* Pop a captured frame and parse it down to IPv4 (the view points into *@out). */
static bool pop_ip(struct pkt **out, struct eth_view *e, struct ip4_view *ip)
{
	*out = fake_pop();
	if (!*out || eth_parse((*out)->data, (*out)->len, e) || e->type != ETHERTYPE_IP)
		return false;
	return ip4_parse(e->payload, e->len, false, ip) == 0;
}

TEST(net_ip, datagram_waits_for_arp)
{
	long base = pkt_count();
	struct netif *nif = fake_up();
	struct arp_view q, r = { .op = ARP_OP_REPLY, .spa = PEER_ADDR, .tpa = FAKE_ADDR };
	uint8_t frame[ETH_MIN_FRAME] = { 0 };
	struct eth_view e;
	struct ip4_view ip;
	struct pkt *p;

	EXPECT_TRUE(nif != NULL);
	EXPECT_EQ(ip4_output(payload(100), 0, PEER_ADDR, TEST_PROTO, 0, 0, false), 0);
	p = fake_pop();
	EXPECT_TRUE(p != NULL);
	EXPECT_EQ(eth_parse(p->data, p->len, &e), 0);
	EXPECT_TRUE(eth_is_broadcast(e.dst));
	EXPECT_EQ(e.type, ETHERTYPE_ARP);
	EXPECT_EQ(arp_parse(e.payload, e.len, &q), 0);
	EXPECT_EQ(q.op, ARP_OP_REQUEST);
	EXPECT_EQ(q.spa, FAKE_ADDR);
	EXPECT_EQ(q.tpa, PEER_ADDR);
	pkt_free(p);
	EXPECT_EQ(fake_captured(), 0u); /* the datagram waits */
	memcpy(r.sha, peer_mac, ETH_ALEN);
	memcpy(r.tha, fake_mac, ETH_ALEN);
	eth_build(frame, fake_mac, peer_mac, ETHERTYPE_ARP);
	arp_build(frame + ETH_HLEN, &r);
	fake_inject(nif, frame, sizeof(frame));
	EXPECT_TRUE(pop_ip(&p, &e, &ip));
	EXPECT_EQ(memcmp(e.dst, peer_mac, ETH_ALEN), 0);
	EXPECT_EQ(memcmp(e.src, fake_mac, ETH_ALEN), 0);
	EXPECT_EQ(ip.src, FAKE_ADDR);
	EXPECT_EQ(ip.dst, PEER_ADDR);
	EXPECT_EQ(ip.ttl, IP4_DEFAULT_TTL);
	EXPECT_EQ(ip.len, 100u);
	pkt_free(p);
	/* Known now: the next one leaves at once. */
	EXPECT_EQ(ip4_output(payload(10), 0, PEER_ADDR, TEST_PROTO, 0, 0, false), 0);
	EXPECT_EQ(fake_captured(), 1u);
	fake_down(nif);
	EXPECT_EQ(pkt_count(), base);
}

TEST(net_ip, arp_queue_bounded)
{
	long base = pkt_count();
	struct netif *nif = fake_up();
	uint64_t drops = __atomic_load_n(&inet_stats.arp_drops, __ATOMIC_RELAXED);

	EXPECT_TRUE(nif != NULL);
	/* Nobody answers for .3: 20 datagrams wait in a queue of ARP_QUEUE_MAX (8). */
	for (int i = 0; i < 20; i++)
		EXPECT_EQ(ip4_output(payload(10), 0, PEER_ADDR + 1, TEST_PROTO, 0, 0, false), 0);
	EXPECT_EQ(__atomic_load_n(&inet_stats.arp_drops, __ATOMIC_RELAXED), drops + 12);
	EXPECT_EQ(fake_captured(), 1u); /* one request */
	fake_down(nif);                 /* the waiting ones are freed */
	EXPECT_EQ(pkt_count(), base);
}

TEST(net_ip, fragmented_to_mtu)
{
	long base = pkt_count();
	struct netif *nif = fake_up();
	uint64_t creates = __atomic_load_n(&inet_stats.ip_frag_creates, __ATOMIC_RELAXED);
	static const unsigned lens[3] = { 1480, 1480, 40 };
	struct eth_view e;
	struct ip4_view ip;
	uint16_t id = 0;
	struct pkt *p;

	EXPECT_TRUE(nif != NULL);
	fake_teach_peer(nif);
	EXPECT_EQ(ip4_output(payload(3000), 0, PEER_ADDR, TEST_PROTO, 0, 0, true), -EMSGSIZE);
	EXPECT_EQ(fake_captured(), 0u);
	EXPECT_EQ(ip4_output(payload(3000), 0, PEER_ADDR, TEST_PROTO, 0, 0, false), 0);
	EXPECT_EQ(fake_captured(), 3u);
	for (unsigned i = 0, off = 0; i < 3; off += lens[i], i++) {
		EXPECT_TRUE(pop_ip(&p, &e, &ip));
		EXPECT_EQ(ip.len, lens[i]);
		EXPECT_EQ((ip.frag_off & IP4_OFFMASK) * 8u, off);
		EXPECT_EQ(!!(ip.frag_off & IP4_MF), i < 2);
		if (i == 0)
			id = ip.id;
		EXPECT_EQ(ip.id, id);
		EXPECT_EQ(ip.payload[0], (uint8_t)(off * 13 + 5));
		pkt_free(p);
	}
	EXPECT_EQ(__atomic_load_n(&inet_stats.ip_frag_creates, __ATOMIC_RELAXED), creates + 3);
	fake_down(nif);
	EXPECT_EQ(pkt_count(), base);
}

TEST(net_ip, broadcast_needs_no_arp)
{
	long base = pkt_count();
	struct netif *nif = fake_up();
	struct eth_view e;
	struct ip4_view ip;
	struct pkt *p;

	EXPECT_TRUE(nif != NULL);
	EXPECT_EQ(ip4_output(payload(8), 0, FAKE_ADDR | 0xff, TEST_PROTO, 0, 0, false), 0);
	EXPECT_TRUE(pop_ip(&p, &e, &ip));
	EXPECT_TRUE(eth_is_broadcast(e.dst));
	EXPECT_EQ(ip.dst, FAKE_ADDR | 0xff);
	pkt_free(p);
	fake_down(nif);
	EXPECT_EQ(pkt_count(), base);
}

TEST(net_ip, routes_longest_prefix)
{
	struct netif *nif = fake_up();
	struct route def = { .dst = 0, .mask = 0, .gw = PEER_ADDR, .metric = 7 };
	struct route host = { .dst = 0x08080808u, .mask = 0xffffffffu, .gw = PEER_ADDR + 1 };
	struct route bad = { .dst = 0x0a000000u, .mask = 0xff00ff00u };
	struct route_result rr;

	EXPECT_TRUE(nif != NULL);
	def.dev = host.dev = bad.dev = nif;
	EXPECT_EQ(route_add(&bad), -EINVAL);
	EXPECT_EQ(route_add(&def), 0);
	EXPECT_EQ(route_add(&def), -EEXIST);
	EXPECT_EQ(route_add(&host), 0);
	EXPECT_EQ(route_lookup(0x08080404u, &rr), 0);
	EXPECT_TRUE(rr.dev == nif);
	EXPECT_EQ(rr.next_hop, PEER_ADDR);
	EXPECT_EQ(rr.src, FAKE_ADDR);
	EXPECT_EQ(rr.mtu, (unsigned)ETH_MTU);
	EXPECT_EQ(route_lookup(0x08080808u, &rr), 0);
	EXPECT_EQ(rr.next_hop, PEER_ADDR + 1);
	EXPECT_EQ(route_lookup(FAKE_ADDR + 40, &rr), 0); /* on link: the connected route */
	EXPECT_EQ(rr.next_hop, FAKE_ADDR + 40);
	EXPECT_EQ(route_lookup(FAKE_ADDR, &rr), 0); /* our own: through lo */
	EXPECT_TRUE(rr.dev == netif_by_name("lo"));
	EXPECT_EQ(route_del(&host), 0);
	EXPECT_EQ(route_del(&host), -ESRCH);
	fake_down(nif); /* takes the default route through it along */
	EXPECT_TRUE(route_lookup(0x08080404u, &rr) != 0 || rr.dev != nif);
}
