/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of the IP layer over loopback, suite "net_ip": a datagram
 * of a test protocol sent with ip4_output() to 127.0.0.1 comes back
 * through the net task to the protocol's hook with its header intact,
 * and nothing leaks.
 */
#include <lib/string.h>

#include "core/ktest.h"
#include "net/inet.h"
#include "net/netif.h"
#include "net/pkt.h"

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
