/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of UDP on the fake interface (tests/kernel/net_fake.h),
 * suite "net_udp": a datagram to a closed port answered with a port
 * unreachable quoting it (never for a broadcast); bad checksums and bad
 * lengths counted and dropped without an answer; a kernel UDP socket
 * (the way the DHCP client holds one) receiving from the wire with the
 * sender's address and sending back a datagram with a correct checksum;
 * a port unreachable from the peer becoming ECONNREFUSED on a connected
 * socket. Each test checks pkt_count() at the end.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "core/ktest.h"
#include "fs/file.h"
#include "net/inet.h"
#include "net/inet_sock.h"
#include "net/netif.h"
#include "net/pkt.h"
#include "net/socket.h"
#include "net/udp.h"
#include "net_fake.h"

#define CLOSED_PORT 9u /* discard: nobody listens in the tests */
#define TEST_PORT   4444u

static uint64_t stat(const uint64_t *field)
{
	return __atomic_load_n(field, __ATOMIC_RELAXED);
}

/* Inject a UDP datagram from the peer; @csum_delta spoils the checksum when nonzero. */
static void inject_udp(struct netif *nif, uint32_t dst, uint16_t dport, const char *data,
                       uint16_t csum_delta, uint16_t len_delta)
{
	uint8_t udp[UDP_HLEN + 64], frame[ETH_HLEN + IP4_HLEN_MIN + sizeof(udp)];
	size_t n = strlen(data);
	struct fake_ip h = { .src = PEER_ADDR, .dst = dst, .proto = IPPROTO_UDP, .id = 3 };

	memcpy(udp + UDP_HLEN, data, n);
	udp_build(udp, 5555, dport, PEER_ADDR, dst, n);
	net_put16(udp + 6, (uint16_t)(net_get16(udp + 6) + csum_delta));
	net_put16(udp + 4, (uint16_t)(net_get16(udp + 4) + len_delta));
	fake_inject(nif, frame, fake_build_ip(frame, &h, udp, UDP_HLEN + n));
}

TEST(net_udp, closed_port_unreachable)
{
	long base = pkt_count();
	struct netif *nif = fake_up();
	uint64_t no_ports = stat(&udp_stats.no_ports);
	struct eth_view e;
	struct ip4_view ip;
	struct icmp_view ic;
	struct pkt *p;

	EXPECT_TRUE(nif != NULL);
	fake_teach_peer(nif);
	inject_udp(nif, FAKE_ADDR, CLOSED_PORT, "anybody?", 0, 0);
	EXPECT_EQ(stat(&udp_stats.no_ports), no_ports + 1);
	p = fake_pop();
	EXPECT_TRUE(p != NULL);
	EXPECT_EQ(eth_parse(p->data, p->len, &e), 0);
	EXPECT_EQ(ip4_parse(e.payload, e.len, false, &ip), 0);
	EXPECT_EQ(ip.dst, PEER_ADDR);
	EXPECT_EQ(icmp_parse(ip.payload, ip.len, &ic), 0);
	EXPECT_EQ(ic.type, ICMP_DEST_UNREACH);
	EXPECT_EQ(ic.code, ICMP_PORT_UNREACH);
	/* RFC 792: the original header and at least 8 bytes of its data. */
	EXPECT_TRUE(ic.len >= IP4_HLEN_MIN + UDP_HLEN);
	EXPECT_EQ(net_get16(ic.payload + IP4_HLEN_MIN + 2), CLOSED_PORT);
	pkt_free(p);
	/* To the subnet's broadcast: counted, but never answered (RFC 1122 3.2.2.1). */
	inject_udp(nif, FAKE_ADDR | 0xff, CLOSED_PORT, "all?", 0, 0);
	EXPECT_EQ(stat(&udp_stats.no_ports), no_ports + 2);
	EXPECT_EQ(fake_captured(), 0u);
	fake_down(nif);
	EXPECT_EQ(pkt_count(), base);
}

TEST(net_udp, malformed_counted)
{
	long base = pkt_count();
	struct netif *nif = fake_up();
	uint64_t csum = stat(&udp_stats.in_csum_errors), errs = stat(&udp_stats.in_errors);
	uint64_t no_ports = stat(&udp_stats.no_ports);

	EXPECT_TRUE(nif != NULL);
	fake_teach_peer(nif);
	inject_udp(nif, FAKE_ADDR, CLOSED_PORT, "bad sum", 1, 0);
	EXPECT_EQ(stat(&udp_stats.in_csum_errors), csum + 1);
	inject_udp(nif, FAKE_ADDR, CLOSED_PORT, "too long", 0, 40);
	inject_udp(nif, FAKE_ADDR, CLOSED_PORT, "too short", 0, (uint16_t)-10);
	EXPECT_EQ(stat(&udp_stats.in_errors), errs + 3);
	/* None reached the port lookup, none was answered. */
	EXPECT_EQ(stat(&udp_stats.no_ports), no_ports);
	EXPECT_EQ(fake_captured(), 0u);
	fake_down(nif);
	EXPECT_EQ(pkt_count(), base);
}

/* A kernel UDP socket bound to 0.0.0.0:@port, as kernel/net/dhcp.c makes one. */
static struct socket *kernel_udp(uint16_t port)
{
	struct socket *s = sock_alloc(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, NULL);
	uint8_t addr[16];
	size_t len = sizeof(addr);

	if (!s)
		return NULL;
	if (udp_create(s, IPPROTO_UDP)) {
		sock_free(s);
		return NULL;
	}
	inet_addr_fill(addr, &len, INADDR_ANY, port);
	if (s->ops->bind(s, addr, len)) {
		s->ops->release(s);
		sock_free(s);
		return NULL;
	}
	return s;
}

static void kernel_close(struct socket *s)
{
	s->ops->release(s);
	sock_free(s);
}

/* Receive into @buf without waiting; the source in @from. */
static long kernel_recv(struct socket *s, char *buf, size_t n, uint8_t from[16])
{
	struct uio_seg seg;
	struct uio u;
	struct sock_msg m = { .data = &u, .name = from, .namelen = 16 };

	uio_init1(&u, &seg, (uintptr_t)buf, n, false);
	return s->ops->recvmsg(s, &m, 0, true);
}

static long kernel_send(struct socket *s, const char *data, uint32_t dst, uint16_t port)
{
	uint8_t addr[16];
	size_t len = sizeof(addr);
	struct uio_seg seg;
	struct uio u;
	struct sock_msg m = { .data = &u, .name = addr };

	inet_addr_fill(addr, &len, dst, port);
	m.namelen = len;
	uio_init1(&u, &seg, (uintptr_t)data, strlen(data), false);
	return s->ops->sendmsg(s, &m, 0, true);
}

TEST(net_udp, kernel_socket_round_trip)
{
	long base = pkt_count();
	struct netif *nif = fake_up();
	struct socket *s = kernel_udp(TEST_PORT);
	uint8_t from[16];
	char buf[32];
	uint32_t ip;
	uint16_t port;
	struct eth_view e;
	struct ip4_view iv;
	struct udp_view uv;
	struct pkt *p;

	EXPECT_TRUE(nif != NULL && s != NULL);
	fake_teach_peer(nif);
	inject_udp(nif, FAKE_ADDR, TEST_PORT, "question", 0, 0);
	EXPECT_EQ(kernel_recv(s, buf, sizeof(buf), from), 8);
	EXPECT_EQ(memcmp(buf, "question", 8), 0);
	EXPECT_EQ(inet_addr_parse(from, sizeof(from), false, &ip, &port), 0);
	EXPECT_EQ(ip, PEER_ADDR);
	EXPECT_EQ(port, 5555u);
	EXPECT_EQ(kernel_recv(s, buf, sizeof(buf), from), -EAGAIN);
	EXPECT_EQ(kernel_send(s, "answer", PEER_ADDR, 5555), 6);
	p = fake_pop();
	EXPECT_TRUE(p != NULL);
	EXPECT_EQ(eth_parse(p->data, p->len, &e), 0);
	EXPECT_EQ(memcmp(e.dst, peer_mac, ETH_ALEN), 0);
	EXPECT_EQ(ip4_parse(e.payload, e.len, false, &iv), 0);
	EXPECT_EQ(iv.src, FAKE_ADDR);
	EXPECT_EQ(iv.proto, IPPROTO_UDP);
	/* The checksum is whole on the wire (the fake device offloads nothing). */
	EXPECT_EQ(udp_parse(iv.payload, iv.len, iv.src, iv.dst, false, &uv), 0);
	EXPECT_EQ(uv.sport, TEST_PORT);
	EXPECT_EQ(uv.dport, 5555u);
	EXPECT_EQ(uv.len, 6u);
	EXPECT_EQ(memcmp(uv.payload, "answer", 6), 0);
	pkt_free(p);
	/* A broadcast reaches the socket bound to INADDR_ANY too. */
	inject_udp(nif, FAKE_ADDR | 0xff, TEST_PORT, "everyone", 0, 0);
	EXPECT_EQ(kernel_recv(s, buf, sizeof(buf), from), 8);
	kernel_close(s);
	fake_down(nif);
	EXPECT_EQ(pkt_count(), base);
}

/* The peer answers our datagram from TEST_PORT+1 to its port 7 with a port unreachable. */
static void inject_unreachable(struct netif *nif, uint16_t our_port)
{
	uint8_t quote[IP4_HLEN_MIN + UDP_HLEN], icmp[ICMP_HLEN + sizeof(quote)];
	uint8_t frame[ETH_HLEN + IP4_HLEN_MIN + sizeof(icmp)];
	struct fake_ip h = { .src = PEER_ADDR, .dst = FAKE_ADDR, .proto = IPPROTO_ICMP, .id = 9 };

	ip4_build(quote, sizeof(quote), 1, 0, 64, IPPROTO_UDP, FAKE_ADDR, PEER_ADDR);
	net_put16(quote + IP4_HLEN_MIN, our_port);
	net_put16(quote + IP4_HLEN_MIN + 2, 7);
	net_put16(quote + IP4_HLEN_MIN + 4, UDP_HLEN);
	net_put16(quote + IP4_HLEN_MIN + 6, 0);
	memcpy(icmp + ICMP_HLEN, quote, sizeof(quote));
	icmp_build(icmp, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, sizeof(quote));
	fake_inject(nif, frame, fake_build_ip(frame, &h, icmp, sizeof(icmp)));
}

TEST(net_udp, icmp_error_to_connected_socket)
{
	long base = pkt_count();
	struct netif *nif = fake_up();
	struct socket *s = kernel_udp(TEST_PORT + 1), *t = kernel_udp(TEST_PORT + 2);
	uint8_t addr[16];
	size_t len = sizeof(addr);

	EXPECT_TRUE(nif != NULL && s != NULL && t != NULL);
	fake_teach_peer(nif);
	inet_addr_fill(addr, &len, PEER_ADDR, 7);
	EXPECT_EQ(s->ops->connect(s, addr, len, true), 0);
	inject_unreachable(nif, TEST_PORT + 1);
	EXPECT_EQ(__atomic_load_n(&s->error, __ATOMIC_RELAXED), -ECONNREFUSED);
	/* The unconnected socket hears nothing of an error about its port. */
	inject_unreachable(nif, TEST_PORT + 2);
	EXPECT_EQ(__atomic_load_n(&t->error, __ATOMIC_RELAXED), 0);
	kernel_close(s);
	kernel_close(t);
	fake_clear();
	fake_down(nif);
	EXPECT_EQ(pkt_count(), base);
}
