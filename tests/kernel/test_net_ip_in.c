/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of the IP layer's receive side on a fake interface, suite
 * "net_ip_in": ARP requests answered, ping answered, fragments
 * reassembled in order and reversed, conflicting overlaps dropped, and
 * malformed frames (truncated headers, bad lengths, bad checksums,
 * garbage options, unknown types, other hosts' frames) counted and
 * dropped without an answer. Each test checks pkt_count() at the end.
 */
#include <lib/string.h>

#include "core/ktest.h"
#include "net/inet.h"
#include "net/netif.h"
#include "net/pkt.h"
#include "net_fake.h"

#define TEST_PROTO 253u /* RFC 3692: for experiments */

static struct {
	unsigned got;
	size_t len;
	uint8_t data[4096];
} rx;

static void proto_hook(struct pkt *p, const struct ip4_view *ip)
{
	(void)ip;
	rx.got++;
	rx.len = p->len;
	memcpy(rx.data, p->data, p->len < sizeof(rx.data) ? p->len : sizeof(rx.data));
	pkt_free(p);
}

static uint64_t stat(const uint64_t *field)
{
	return __atomic_load_n(field, __ATOMIC_RELAXED);
}

TEST(net_ip_in, arp_request_answered)
{
	static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	long base = pkt_count();
	struct netif *nif = fake_up();
	struct arp_view q = { .op = ARP_OP_REQUEST, .spa = PEER_ADDR, .tpa = FAKE_ADDR }, r;
	uint8_t frame[ETH_MIN_FRAME] = { 0 };
	struct eth_view e;
	struct pkt *p;

	EXPECT_TRUE(nif != NULL);
	memcpy(q.sha, peer_mac, ETH_ALEN);
	eth_build(frame, bcast, peer_mac, ETHERTYPE_ARP);
	arp_build(frame + ETH_HLEN, &q);
	fake_inject(nif, frame, sizeof(frame));
	p = fake_pop();
	EXPECT_TRUE(p != NULL);
	EXPECT_EQ(eth_parse(p->data, p->len, &e), 0);
	EXPECT_EQ(e.type, ETHERTYPE_ARP);
	EXPECT_EQ(memcmp(e.dst, peer_mac, ETH_ALEN), 0);
	EXPECT_EQ(arp_parse(e.payload, e.len, &r), 0);
	EXPECT_EQ(r.op, ARP_OP_REPLY);
	EXPECT_EQ(r.spa, FAKE_ADDR);
	EXPECT_EQ(r.tpa, PEER_ADDR);
	EXPECT_EQ(memcmp(r.sha, fake_mac, ETH_ALEN), 0);
	EXPECT_EQ(memcmp(r.tha, peer_mac, ETH_ALEN), 0);
	pkt_free(p);
	/* A request for another address is not ours to answer. */
	q.tpa = PEER_ADDR + 1;
	arp_build(frame + ETH_HLEN, &q);
	fake_inject(nif, frame, sizeof(frame));
	EXPECT_EQ(fake_captured(), 0u);
	fake_down(nif);
	EXPECT_EQ(pkt_count(), base);
}

/* Inject an echo request with @len bytes of data; return the reply (or NULL). */
static struct pkt *ping(struct netif *nif, uint32_t dst, const uint8_t *dst_mac, size_t len)
{
	uint8_t icmp[ICMP_HLEN + 64], frame[ETH_HLEN + IP4_HLEN_MIN + sizeof(icmp)];
	struct fake_ip h = {
		.src = PEER_ADDR, .dst = dst, .proto = IPPROTO_ICMP, .id = 7, .dst_mac = dst_mac
	};

	for (size_t i = 0; i < len; i++)
		icmp[ICMP_HLEN + i] = (uint8_t)(i * 3);
	icmp_build(icmp, ICMP_ECHO_REQUEST, 0, 0x12340001u, len);
	fake_inject(nif, frame, fake_build_ip(frame, &h, icmp, ICMP_HLEN + len));
	return fake_pop();
}

TEST(net_ip_in, ping_answered)
{
	long base = pkt_count();
	struct netif *nif = fake_up();
	struct eth_view e;
	struct ip4_view ip;
	struct icmp_view ic;
	struct pkt *p;

	EXPECT_TRUE(nif != NULL);
	fake_teach_peer(nif);
	p = ping(nif, FAKE_ADDR, NULL, 56);
	EXPECT_TRUE(p != NULL);
	EXPECT_EQ(eth_parse(p->data, p->len, &e), 0);
	EXPECT_EQ(memcmp(e.dst, peer_mac, ETH_ALEN), 0);
	EXPECT_EQ(ip4_parse(e.payload, e.len, false, &ip), 0);
	EXPECT_EQ(ip.src, FAKE_ADDR);
	EXPECT_EQ(ip.dst, PEER_ADDR);
	EXPECT_EQ(ip.proto, IPPROTO_ICMP);
	EXPECT_EQ(icmp_parse(ip.payload, ip.len, &ic), 0);
	EXPECT_EQ(ic.type, ICMP_ECHO_REPLY);
	EXPECT_EQ(ic.rest, 0x12340001u);
	EXPECT_EQ(ic.len, 56u);
	EXPECT_EQ(ic.payload[55], (uint8_t)(55 * 3));
	pkt_free(p);
	/* To the subnet's broadcast: ignored, as Linux's icmp_echo_ignore_broadcasts. */
	EXPECT_TRUE(ping(nif, FAKE_ADDR | 0xff, NULL, 8) == NULL);
	/* To an address that is not ours: counted, dropped, never forwarded. */
	{
		uint64_t addr_err = stat(&inet_stats.ip_in_addr_errors);

		EXPECT_TRUE(ping(nif, PEER_ADDR + 5, NULL, 8) == NULL);
		EXPECT_EQ(stat(&inet_stats.ip_in_addr_errors), addr_err + 1);
	}
	/* To another host's MAC: not ours at all. */
	{
		static const uint8_t other[ETH_ALEN] = { 2, 0, 0, 0, 0, 9 };
		uint64_t in = stat(&inet_stats.ip_in);

		EXPECT_TRUE(ping(nif, FAKE_ADDR, other, 8) == NULL);
		EXPECT_EQ(stat(&inet_stats.ip_in), in);
	}
	fake_down(nif);
	EXPECT_EQ(pkt_count(), base);
}

#define BIG 3000u

/* Inject fragment [off, off + len) of @data (@last: no MF) with IP id @id. */
static void inject_frag(struct netif *nif, const uint8_t *data, size_t off, size_t len, bool last,
                        uint16_t id)
{
	static uint8_t frame[ETH_HLEN + IP4_HLEN_MIN + 1480];
	struct fake_ip h = { .src = PEER_ADDR,
		             .dst = FAKE_ADDR,
		             .proto = TEST_PROTO,
		             .id = id,
		             .frag_off = (uint16_t)(off / 8 | (last ? 0 : IP4_MF)) };

	fake_inject(nif, frame, fake_build_ip(frame, &h, data + off, len));
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + seed);
}

TEST(net_ip_in, fragments_reassembled)
{
	static uint8_t data[BIG], other[BIG];
	long base = pkt_count();
	struct netif *nif = fake_up();
	uint64_t oks = stat(&inet_stats.ip_reasm_oks), fails;

	EXPECT_TRUE(nif != NULL);
	inet_register(TEST_PROTO, proto_hook, NULL);
	fill(data, BIG, 1);
	memset(&rx, 0, sizeof(rx));
	/* In order. */
	inject_frag(nif, data, 0, 1480, false, 100);
	inject_frag(nif, data, 1480, 1480, false, 100);
	EXPECT_EQ(rx.got, 0u);
	inject_frag(nif, data, 2960, 40, true, 100);
	EXPECT_EQ(rx.got, 1u);
	EXPECT_EQ(rx.len, (size_t)BIG);
	EXPECT_EQ(memcmp(rx.data, data, BIG), 0);
	/* Reversed, with a duplicate of the middle piece (a relay duplicates). */
	memset(&rx, 0, sizeof(rx));
	inject_frag(nif, data, 2960, 40, true, 101);
	inject_frag(nif, data, 1480, 1480, false, 101);
	inject_frag(nif, data, 1480, 1480, false, 101);
	inject_frag(nif, data, 0, 1480, false, 101);
	EXPECT_EQ(rx.got, 1u);
	EXPECT_EQ(memcmp(rx.data, data, BIG), 0);
	EXPECT_EQ(stat(&inet_stats.ip_reasm_oks), oks + 2);
	/* Overlapping with other bytes: the datagram is dropped (RFC 1858's attack). */
	fill(other, BIG, 99);
	fails = stat(&inet_stats.ip_reasm_fails);
	memset(&rx, 0, sizeof(rx));
	inject_frag(nif, data, 0, 1480, false, 102);
	inject_frag(nif, other, 1000, 1480, false, 102);
	inject_frag(nif, data, 1480, 1480, false, 102);
	inject_frag(nif, data, 2960, 40, true, 102);
	EXPECT_EQ(rx.got, 0u);
	EXPECT_TRUE(stat(&inet_stats.ip_reasm_fails) > fails);
	inet_register(TEST_PROTO, NULL, NULL);
	fake_down(nif);
	EXPECT_EQ(fake_captured(), 0u);
	EXPECT_EQ(pkt_count(), base);
}

/* Inject @frame and check that it moved @counter by one and sent nothing. */
static void expect_dropped(struct netif *nif, const uint8_t *frame, size_t len,
                           const uint64_t *counter)
{
	uint64_t before = stat(counter);

	fake_inject(nif, frame, len);
	EXPECT_EQ(stat(counter), before + 1);
	EXPECT_EQ(fake_captured(), 0u);
}

TEST(net_ip_in, malformed_counted_and_dropped)
{
	static const uint8_t payload[32] = "a payload of thirty-two bytes..";
	uint8_t frame[128];
	long base = pkt_count();
	struct netif *nif = fake_up();
	struct fake_ip h = { .src = PEER_ADDR, .dst = FAKE_ADDR, .proto = TEST_PROTO };
	size_t len;

	EXPECT_TRUE(nif != NULL);
	fake_teach_peer(nif);
	inet_register(TEST_PROTO, proto_hook, NULL);
	memset(&rx, 0, sizeof(rx));
	len = fake_build_ip(frame, &h, payload, sizeof(payload));
	/* Shorter than an Ethernet header; an unknown type (IPv6's). */
	expect_dropped(nif, frame, 10, &inet_stats.eth_in_errors);
	net_put16(frame + 12, 0x86dd);
	expect_dropped(nif, frame, len, &inet_stats.eth_in_errors);
	net_put16(frame + 12, ETHERTYPE_IP);
	/* A truncated IP header; a bad checksum; a total length past the frame; version 6. */
	expect_dropped(nif, frame, ETH_HLEN + 10, &inet_stats.ip_in_hdr_errors);
	frame[ETH_HLEN + 10] ^= 0x5a;
	expect_dropped(nif, frame, len, &inet_stats.ip_in_hdr_errors);
	frame[ETH_HLEN + 10] ^= 0x5a;
	expect_dropped(nif, frame, len - 8, &inet_stats.ip_in_hdr_errors);
	frame[ETH_HLEN] = 0x65;
	expect_dropped(nif, frame, len, &inet_stats.ip_in_hdr_errors);
	frame[ETH_HLEN] = 0x45;
	/* A header length past the datagram (15 words of 20 bytes). */
	frame[ETH_HLEN] = 0x4f;
	expect_dropped(nif, frame, ETH_HLEN + 40, &inet_stats.ip_in_hdr_errors);
	frame[ETH_HLEN] = 0x45;
	EXPECT_EQ(rx.got, 0u);
	/* The intact frame, with Ethernet padding after it, still gets through. */
	fake_inject(nif, frame, len + 6);
	EXPECT_EQ(rx.got, 1u);
	EXPECT_EQ(rx.len, sizeof(payload));
	inet_register(TEST_PROTO, NULL, NULL);
	fake_down(nif);
	EXPECT_EQ(pkt_count(), base);
}

/* An IPv4 header of 24 bytes whose option bytes are garbage, checksum right. */
static size_t build_with_options(uint8_t *frame, const uint8_t opt[4], const void *pl, size_t n)
{
	uint8_t *ip = frame + ETH_HLEN;

	eth_build(frame, fake_mac, peer_mac, ETHERTYPE_IP);
	ip4_build(ip, (uint16_t)(24 + n), 1, 0, 64, TEST_PROTO, PEER_ADDR, FAKE_ADDR);
	ip[0] = 0x46;
	memcpy(ip + 20, opt, 4);
	memcpy(ip + 24, pl, n);
	net_put16(ip + 10, 0);
	net_put16(ip + 10, inet_csum_fold(inet_csum_add(0, ip, 24)));
	return ETH_HLEN + 24 + n;
}

TEST(net_ip_in, options_skipped_and_errors_answered)
{
	static const uint8_t bcast_mac[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t udp[UDP_HLEN];
	static const uint8_t garbage[4] = { 0x44, 0x00, 0xff, 0x01 }; /* a timestamp of length 0 */
	uint8_t frame[128], icmp[ICMP_HLEN + 8];
	long base = pkt_count();
	struct netif *nif = fake_up();
	struct fake_ip h = { .src = PEER_ADDR, .dst = FAKE_ADDR, .proto = IPPROTO_ICMP };
	struct eth_view e;
	struct ip4_view ip;
	struct icmp_view ic;
	struct pkt *p;

	EXPECT_TRUE(nif != NULL);
	fake_teach_peer(nif);
	inet_register(TEST_PROTO, proto_hook, NULL);
	memset(&rx, 0, sizeof(rx));
	fake_inject(nif, frame, build_with_options(frame, garbage, "opts", 4));
	EXPECT_EQ(rx.got, 1u);
	EXPECT_EQ(rx.len, 4u);
	EXPECT_EQ(memcmp(rx.data, "opts", 4), 0);
	inet_register(TEST_PROTO, NULL, NULL);
	/* An ICMP message with a bad checksum: counted, not answered. */
	icmp_build(icmp, ICMP_ECHO_REQUEST, 0, 1, 8);
	icmp[2] ^= 1;
	expect_dropped(nif, frame, fake_build_ip(frame, &h, icmp, sizeof(icmp)),
	               &inet_stats.icmp_in_errors);
	/* A protocol nobody speaks: protocol unreachable (RFC 1122 3.2.2.1), quoting the header. */
	h.proto = 254;
	fake_inject(nif, frame, fake_build_ip(frame, &h, "12345678", 8));
	p = fake_pop();
	EXPECT_TRUE(p != NULL);
	EXPECT_EQ(eth_parse(p->data, p->len, &e), 0);
	EXPECT_EQ(ip4_parse(e.payload, e.len, false, &ip), 0);
	EXPECT_EQ(icmp_parse(ip.payload, ip.len, &ic), 0);
	EXPECT_EQ(ic.type, ICMP_DEST_UNREACH);
	EXPECT_EQ(ic.code, ICMP_PROT_UNREACH);
	EXPECT_EQ(ic.len, IP4_HLEN_MIN + 8u);
	EXPECT_EQ(memcmp(ic.payload + IP4_HLEN_MIN, "12345678", 8), 0);
	pkt_free(p);
	/* ... but never about a broadcast (RFC 1122 3.2.2), IP or link-layer. */
	h.dst = FAKE_ADDR | 0xff;
	fake_inject(nif, frame, fake_build_ip(frame, &h, "12345678", 8));
	EXPECT_EQ(fake_captured(), 0u);
	h.dst = FAKE_ADDR;
	h.dst_mac = bcast_mac;
	fake_inject(nif, frame, fake_build_ip(frame, &h, "12345678", 8));
	EXPECT_EQ(fake_captured(), 0u);
	/* UDP's port unreachable (udp.c calls icmp_send_error) follows the same rule. */
	h.proto = IPPROTO_UDP;
	udp_build(udp, 5555, 9, PEER_ADDR, FAKE_ADDR, 0);
	fake_inject(nif, frame, fake_build_ip(frame, &h, udp, sizeof(udp)));
	EXPECT_EQ(fake_captured(), 0u);
	h.dst_mac = NULL;
	fake_inject(nif, frame, fake_build_ip(frame, &h, udp, sizeof(udp)));
	EXPECT_EQ(fake_captured(), 1u);
	fake_clear();
	fake_down(nif);
	EXPECT_EQ(pkt_count(), base);
}

static struct {
	unsigned got;
	uint8_t type, code;
	uint32_t src, dst;
	uint16_t id;
} err_seen;

static void err_hook(uint8_t type, uint8_t code, const struct ip4_view *inner)
{
	err_seen.got++;
	err_seen.type = type;
	err_seen.code = code;
	err_seen.src = inner->src;
	err_seen.dst = inner->dst;
	err_seen.id = inner->id;
}

TEST(net_ip_in, icmp_error_reaches_protocol)
{
	uint8_t quoted[IP4_HLEN_MIN + 8], icmp[ICMP_HLEN + sizeof(quoted)], frame[128];
	long base = pkt_count();
	struct netif *nif = fake_up();
	struct fake_ip h = { .src = PEER_ADDR, .dst = FAKE_ADDR, .proto = IPPROTO_ICMP };

	EXPECT_TRUE(nif != NULL);
	inet_register(TEST_PROTO, proto_hook, err_hook);
	memset(&err_seen, 0, sizeof(err_seen));
	/* The quote of a datagram we sent: our header (its total length says 1000) and 8 bytes. */
	ip4_build(quoted, 1000, 4242, 0, 64, TEST_PROTO, FAKE_ADDR, 0x08080808u);
	memset(quoted + IP4_HLEN_MIN, 0xab, 8);
	memcpy(icmp + ICMP_HLEN, quoted, sizeof(quoted));
	icmp_build(icmp, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 576, sizeof(quoted));
	fake_inject(nif, frame, fake_build_ip(frame, &h, icmp, sizeof(icmp)));
	EXPECT_EQ(err_seen.got, 1u);
	EXPECT_EQ(err_seen.type, ICMP_DEST_UNREACH);
	EXPECT_EQ(err_seen.code, ICMP_FRAG_NEEDED);
	EXPECT_EQ(err_seen.src, FAKE_ADDR);
	EXPECT_EQ(err_seen.dst, 0x08080808u);
	EXPECT_EQ(err_seen.id, 4242);
	/* A quote too short to hold 8 bytes after the header is refused. */
	icmp_build(icmp, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, IP4_HLEN_MIN + 4);
	fake_inject(nif, frame, fake_build_ip(frame, &h, icmp, ICMP_HLEN + IP4_HLEN_MIN + 4));
	EXPECT_EQ(err_seen.got, 1u);
	EXPECT_EQ(fake_captured(), 0u); /* never an error about an error */
	inet_register(TEST_PROTO, NULL, NULL);
	fake_down(nif);
	EXPECT_EQ(pkt_count(), base);
}

/* xorshift32: a fixed sequence, so a failure replays. */
static uint32_t rnd_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * One mangled frame: a valid datagram (ICMP echo, a fragment, UDP to a
 * closed port, an ARP request) with random bytes changed and a random
 * length; half of them get their IP header checksum fixed, so the damage
 * reaches past the header check.
 */
static size_t mangle(uint8_t *f, size_t cap, uint32_t *seed)
{
	static const uint8_t protos[4] = { IPPROTO_ICMP, TEST_PROTO, IPPROTO_UDP, 254 };
	uint32_t r = rnd_next(seed);
	struct fake_ip h = { .src = PEER_ADDR,
		             .dst = FAKE_ADDR,
		             .proto = protos[r & 3],
		             .id = (uint16_t)r,
		             .frag_off = (r & 0x30) ? 0 : (uint16_t)(r >> 8) };
	uint8_t body[96];
	size_t len;

	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = (uint8_t)rnd_next(seed);
	if (h.proto == IPPROTO_ICMP)
		icmp_build(body, ICMP_ECHO_REQUEST, 0, r, sizeof(body) - ICMP_HLEN);
	len = fake_build_ip(f, &h, body, sizeof(body));
	for (unsigned n = rnd_next(seed) % 4; n; n--)
		f[ETH_HLEN + rnd_next(seed) % (len - ETH_HLEN)] = (uint8_t)rnd_next(seed);
	if (r & 0x100) {
		uint8_t *ip = f + ETH_HLEN;
		size_t hlen = (size_t)(ip[0] & 0xf) * 4;

		if (hlen >= IP4_HLEN_MIN && hlen <= len - ETH_HLEN) {
			net_put16(ip + 10, 0);
			net_put16(ip + 10, inet_csum_fold(inet_csum_add(0, ip, hlen)));
		}
	}
	if (r & 0x200)
		net_put16(f + 12, ETHERTYPE_ARP);
	len = r & 0x400 ? rnd_next(seed) % len : len;
	return len < cap ? len : cap;
}

static void flush_reass(struct net_timer *t, void *ctx)
{
	(void)t, (void)ctx;
	ip4_reass_flush_for_tests();
}

TEST(net_ip_in, mangled_frames_survive)
{
	uint8_t frame[ETH_HLEN + IP4_HLEN_MIN + 96];
	long base = pkt_count();
	struct netif *nif = fake_up();
	uint64_t in = stat(&inet_stats.ip_in);
	struct net_timer t;
	uint32_t seed = 0x2545f491u;

	EXPECT_TRUE(nif != NULL);
	fake_teach_peer(nif);
	inet_register(TEST_PROTO, proto_hook, NULL);
	for (unsigned i = 0; i < 600; i++) {
		struct pkt *p = pkt_alloc(PKT_HEADROOM, sizeof(frame));
		size_t len = mangle(frame, sizeof(frame), &seed);

		if (!p)
			continue;
		memcpy(pkt_put(p, len), frame, len);
		netif_rx(nif, p);
		if (i % 100 == 99) {
			net_sync();
			fake_clear();
		}
	}
	net_sync();
	EXPECT_TRUE(stat(&inet_stats.ip_in) > in);
	/* Fragments of the mangled datagrams wait in reassembly: let them go. */
	net_timer_init(&t, flush_reass, NULL);
	net_timer_arm(&t, net_now());
	net_sync();
	inet_register(TEST_PROTO, NULL, NULL);
	fake_down(nif);
	EXPECT_EQ(pkt_count(), base);
}
