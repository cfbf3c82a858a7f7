// SPDX-License-Identifier: MIT
/*
 * virtio-net on a real (QEMU) device and QEMU's user network: frames built
 * here go straight to the driver and the answers of QEMU's virtual gateway
 * (10.0.2.2) are caught by the driver's tap before the stack sees them. An
 * ARP request is answered; a TCP SYN whose checksum the driver (or the
 * device) completes is answered and one with a wrong checksum is not;
 * bursts beyond the ring are bounded; malformed frames are refused; every
 * packet comes back (no leak of heap packets or receive slots).
 *
 * tools/cairntest.py boots the kernel/pvh-virtio group with NET=user
 * (tools/qemu.sh); without a virtio-net device the tests skip.
 */
#include <cairn/errno.h>

#include <lib/net/wire.h>
#include <lib/string.h>

#include <stdbool.h>
#include <stdint.h>

#include "core/ktest.h"
#include "drivers/virtio/virtio_net.h"
#include "net/netif.h"
#include "net/pkt.h"
#include "time/time.h"

#define GUEST_IP   0x0a00020fu /* 10.0.2.15: QEMU's user network gives it */
#define GATEWAY_IP 0x0a000202u /* 10.0.2.2: QEMU's virtual gateway */
#define ANSWER_NS  (2 * NSEC_PER_SEC)
#define SETTLE_NS  (3 * NSEC_PER_SEC)

static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* What the tap saw (interrupt context writes, the test reads). */
static struct {
	uint8_t gw_mac[ETH_ALEN]; /* from the ARP reply */
	int arp_replies;          /* [a] ARP replies from the gateway to GUEST_IP */
	uint16_t tcp_port;        /* [a] the local port of the SYN being answered */
	int tcp_answers;          /* [a] segments from the gateway to that port */
} seen;

/* The tap: ARP replies from the gateway, TCP segments to our test port. */
static void look(const uint8_t *frame, uint32_t len)
{
	struct eth_view e;
	struct arp_view a;
	struct ip4_view ip;
	struct tcp_seg t;

	if (eth_parse(frame, len, &e))
		return;
	if (e.type == ETHERTYPE_ARP && !arp_parse(e.payload, e.len, &a) && a.op == ARP_OP_REPLY &&
	    a.spa == GATEWAY_IP && a.tpa == GUEST_IP) {
		memcpy(seen.gw_mac, a.sha, ETH_ALEN);
		__atomic_add_fetch(&seen.arp_replies, 1, __ATOMIC_RELEASE);
		return;
	}
	if (e.type != ETHERTYPE_IP || ip4_parse(e.payload, e.len, false, &ip) ||
	    ip.proto != IPPROTO_TCP || ip.src != GATEWAY_IP)
		return;
	if (!tcp_parse(ip.payload, ip.len, ip.src, ip.dst, false, &t) &&
	    t.dport == __atomic_load_n(&seen.tcp_port, __ATOMIC_ACQUIRE))
		__atomic_add_fetch(&seen.tcp_answers, 1, __ATOMIC_RELEASE);
}

static bool tap(struct pkt *p)
{
	look(p->data, p->len);
	return false;
}

/* Frames the hoarding tap keeps, as a stack that never lets go would. */
#define HOARD_MAX 1024u
static struct pkt *hoard[HOARD_MAX]; /* [a] slots 0..hoarded-1 */
static unsigned hoarded;             /* [a] */

static bool hoard_tap(struct pkt *p)
{
	unsigned i = __atomic_load_n(&hoarded, __ATOMIC_ACQUIRE);

	if (i >= HOARD_MAX)
		return false;
	hoard[i] = p;
	__atomic_store_n(&hoarded, i + 1, __ATOMIC_RELEASE);
	return true;
}

static struct netif *eth_or_skip(void)
{
	struct netif *nif = virtio_net_netif(0);

	if (!nif)
		ktest_skip("no virtio-net device (tools/cairntest.py attaches one with NET=user)");
	return nif;
}

/* Wait until *@counter reaches @want or @ns pass; returns its value. */
static int wait_count(int *counter, int want, uint64_t ns)
{
	uint64_t end = clock_monotonic_ns() + ns;
	int v;

	while ((v = __atomic_load_n(counter, __ATOMIC_ACQUIRE)) < want &&
	       clock_monotonic_ns() < end)
		sleep_ms(5);
	return v;
}

static bool wait_count_u64(uint64_t *counter, uint64_t want, uint64_t ns)
{
	uint64_t end = clock_monotonic_ns() + ns;

	while (__atomic_load_n(counter, __ATOMIC_ACQUIRE) < want)
		if (clock_monotonic_ns() > end)
			return false;
		else
			sleep_ms(5);
	return true;
}

/* Wait until no heap packet and no receive slot is out beyond @pkts; true when so. */
static bool settled(struct netif *nif, long pkts)
{
	uint64_t end = clock_monotonic_ns() + SETTLE_NS;
	struct virtio_net_stats st;

	for (;;) {
		if (virtio_net_stats(nif, &st))
			return false;
		if (pkt_count() <= pkts && st.rx_lent == 0 &&
		    st.rx_posted == st.rx_slots - st.rx_free)
			return true;
		if (clock_monotonic_ns() > end)
			return false;
		sleep_ms(5);
	}
}

/* An ARP request for the gateway from GUEST_IP (RFC 826), as a packet. */
static struct pkt *arp_request(struct netif *nif)
{
	struct pkt *p = pkt_alloc(PKT_HEADROOM, ETH_MIN_FRAME);
	struct arp_view a = { .op = ARP_OP_REQUEST, .spa = GUEST_IP, .tpa = GATEWAY_IP };
	uint8_t *f;

	if (!p)
		return NULL;
	f = pkt_put(p, ETH_MIN_FRAME);
	memset(f, 0, ETH_MIN_FRAME);
	memcpy(a.sha, nif->mac, ETH_ALEN);
	eth_build(f, bcast, nif->mac, ETHERTYPE_ARP);
	arp_build(f + ETH_HLEN, &a);
	return p;
}

/* Learn the gateway's MAC (and let it learn ours). */
static void resolve_gateway(struct netif *nif)
{
	int before = __atomic_load_n(&seen.arp_replies, __ATOMIC_ACQUIRE);
	struct pkt *p = arp_request(nif);

	EXPECT_TRUE(p != NULL);
	EXPECT_EQ(nif->ops->xmit(nif, p), 0);
	if (wait_count(&seen.arp_replies, before + 1, ANSWER_NS) <= before)
		ktest_fail(__FILE__, __LINE__, "no ARP reply from 10.0.2.2 within 2 s");
}

TEST(virtio_net, probe_registers_an_interface)
{
	struct netif *nif = eth_or_skip();
	struct virtio_net_stats st;

	EXPECT_EQ(strncmp(nif->name, "eth", 3), 0);
	EXPECT_TRUE(nif->name[3] >= '0' && nif->name[3] <= '9');
	EXPECT_EQ(nif->mac[0] & 1u, 0); /* a unicast address */
	EXPECT_TRUE(nif->mac[0] | nif->mac[1] | nif->mac[2] | nif->mac[3] | nif->mac[4] |
	            nif->mac[5]);
	EXPECT_EQ(nif->mtu, ETH_MTU);
	EXPECT_TRUE(nif->flags & IFF_RUNNING); /* QEMU's link is up */
	EXPECT_EQ(virtio_net_stats(nif, &st), 0);
	EXPECT_TRUE(st.vector_per_queue);
	EXPECT_TRUE(st.event_idx);
	/* The ring is full of posted slots before any frame arrives. */
	EXPECT_TRUE(st.rx_posted >= 64);
	EXPECT_EQ(st.rx_posted + st.rx_free + st.rx_lent, st.rx_slots);
	EXPECT_EQ(virtio_net_stats(NULL, &st), -ENODEV);
}

TEST(virtio_net, arp_request_is_answered)
{
	struct netif *nif = eth_or_skip();
	long pkts = pkt_count();
	uint64_t rx = nif->stats.rx_packets;

	virtio_net_set_tap(tap);
	resolve_gateway(nif);
	virtio_net_set_tap(NULL);
	EXPECT_TRUE(nif->stats.rx_packets > rx); /* netif_rx() counted the reply */
	EXPECT_EQ(seen.gw_mac[0] & 1u, 0);
	/* The request's packet was freed at its completion; the reply's slot came back. */
	EXPECT_TRUE(settled(nif, pkts));
}

/*
 * A SYN to the gateway's port 1 (QEMU answers with a RST, or a SYN-ACK if
 * the host listens there) with the checksum left to the driver or device
 * (PKT_CSUM_PARTIAL), or deliberately wrong when @bad.
 */
static struct pkt *syn(struct netif *nif, uint16_t sport, bool bad)
{
	struct tcp_seg s = {
		.sport = sport, .dport = 1, .seq = 0x12345678u, .flags = TCP_SYN, .wnd = 8192
	};
	size_t len = ETH_HLEN + 20 + tcp_hdr_len(&s.opt);
	struct pkt *p = pkt_alloc(PKT_HEADROOM, ETH_MIN_FRAME);
	uint8_t *f;

	if (!p)
		return NULL;
	f = pkt_put(p, len < ETH_MIN_FRAME ? ETH_MIN_FRAME : len);
	memset(f, 0, p->len);
	eth_build(f, seen.gw_mac, nif->mac, ETHERTYPE_IP);
	ip4_build(f + ETH_HLEN, (uint16_t)(len - ETH_HLEN), sport, IP4_DF, 64, IPPROTO_TCP,
	          GUEST_IP, GATEWAY_IP);
	tcp_build(f + ETH_HLEN + 20, &s, GUEST_IP, GATEWAY_IP, 0, !bad);
	if (bad) {
		f[ETH_HLEN + 20 + 16] ^= 0x5a;
	} else {
		p->flags |= PKT_CSUM_PARTIAL;
		p->csum_start = ETH_HLEN + 20;
		p->csum_offset = 16;
	}
	return p;
}

TEST(virtio_net, checksum_completed_or_refused)
{
	struct netif *nif = eth_or_skip();
	long pkts = pkt_count();
	uint16_t port = 40000 + (uint16_t)(clock_monotonic_ns() % 20000);
	int before;

	virtio_net_set_tap(tap);
	resolve_gateway(nif);
	/* A wrong checksum: QEMU drops the segment, so nothing answers. */
	__atomic_store_n(&seen.tcp_port, port, __ATOMIC_RELEASE);
	before = __atomic_load_n(&seen.tcp_answers, __ATOMIC_ACQUIRE);
	EXPECT_EQ(nif->ops->xmit(nif, syn(nif, port, true)), 0);
	EXPECT_EQ(wait_count(&seen.tcp_answers, before + 1, NSEC_PER_SEC), before);
	/* Completed by the device, or by the driver when the device cannot. */
	__atomic_store_n(&seen.tcp_port, (uint16_t)(port + 1), __ATOMIC_RELEASE);
	EXPECT_EQ(nif->ops->xmit(nif, syn(nif, (uint16_t)(port + 1), false)), 0);
	if (wait_count(&seen.tcp_answers, before + 1, ANSWER_NS) <= before)
		ktest_fail(__FILE__, __LINE__, "no answer to a SYN with a completed checksum");
	virtio_net_set_tap(NULL);
	EXPECT_TRUE(settled(nif, pkts));
}

TEST(virtio_net, malformed_frames_are_refused)
{
	struct netif *nif = eth_or_skip();
	long pkts = pkt_count();
	struct pkt *p;

	p = pkt_alloc(PKT_HEADROOM, ETH_HLEN - 1);
	EXPECT_TRUE(p != NULL);
	memset(pkt_put(p, ETH_HLEN - 1), 0, ETH_HLEN - 1);
	EXPECT_EQ(nif->ops->xmit(nif, p), -EINVAL); /* shorter than a header */
	p = pkt_alloc(PKT_HEADROOM, 4000);
	EXPECT_TRUE(p != NULL);
	memset(pkt_put(p, 4000), 0, 4000);
	EXPECT_EQ(nif->ops->xmit(nif, p), -EINVAL); /* longer than any MTU */
	p = arp_request(nif);
	EXPECT_TRUE(p != NULL);
	p->flags |= PKT_CSUM_PARTIAL;
	p->csum_start = 50;
	p->csum_offset = 20; /* past the frame's end */
	EXPECT_EQ(nif->ops->xmit(nif, p), -EINVAL);
	EXPECT_TRUE(settled(nif, pkts));
}

TEST(virtio_net, bursts_beyond_the_ring_are_bounded)
{
	struct netif *nif = eth_or_skip();
	long pkts = pkt_count();
	uint64_t rx = nif->stats.rx_packets;
	unsigned i, sent = 0, full = 0;
	int err;

	for (i = 0; i < 2000; i++) {
		struct pkt *p = arp_request(nif);

		EXPECT_TRUE(p != NULL);
		err = nif->ops->xmit(nif, p);
		if (err == 0)
			sent++;
		else if (err == -ENOBUFS)
			full++;
		else
			ktest_fail(__FILE__, __LINE__, "xmit: error %d", err);
	}
	EXPECT_EQ(sent + full, 2000);
	EXPECT_TRUE(sent >= 128); /* at least a ring's worth went out */
	/* QEMU answers the requests that went out (most of them, at least). */
	EXPECT_TRUE(wait_count_u64(&nif->stats.rx_packets, rx + sent / 2, ANSWER_NS));
	/* Every completion came back and freed its packet; the answers' slots came back too. */
	EXPECT_TRUE(settled(nif, pkts));
}

/* Send @n ARP requests (or as many as the ring takes), pausing so QEMU keeps up. */
static void arp_burst(struct netif *nif, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		struct pkt *p = arp_request(nif);

		EXPECT_TRUE(p != NULL);
		if (nif->ops->xmit(nif, p) == -ENOBUFS)
			sleep_ms(2);
		if (i % 64 == 63)
			sleep_ms(10);
	}
}

TEST(virtio_net, a_stack_that_keeps_every_frame_cannot_empty_the_ring)
{
	struct netif *nif = eth_or_skip();
	struct virtio_net_stats before, st;
	uint64_t dropped = nif->stats.rx_dropped;
	long pkts = pkt_count();
	unsigned i, n;

	EXPECT_EQ(virtio_net_stats(nif, &before), 0);
	__atomic_store_n(&hoarded, 0, __ATOMIC_RELEASE);
	virtio_net_set_tap(hoard_tap);
	/* More answers than the pool has slots: each ARP request gets one reply. */
	arp_burst(nif, before.rx_slots + 128);
	sleep_ms(200);
	virtio_net_set_tap(NULL);
	n = __atomic_load_n(&hoarded, __ATOMIC_ACQUIRE);
	EXPECT_EQ(virtio_net_stats(nif, &st), 0);
	/* The spares went first, then the ring shrank to its floor, then frames were dropped. */
	EXPECT_TRUE(st.rx_short > before.rx_short);
	EXPECT_TRUE(nif->stats.rx_dropped > dropped);
	EXPECT_EQ(st.rx_lent, n);
	EXPECT_TRUE(st.rx_posted >= 32 && st.rx_posted < before.rx_posted);
	EXPECT_EQ(st.rx_free, 0);
	for (i = 0; i < n; i++)
		pkt_free(hoard[i]);
	/* Every slot is back and the ring is full again. */
	EXPECT_TRUE(settled(nif, pkts));
	EXPECT_EQ(virtio_net_stats(nif, &st), 0);
	EXPECT_EQ(st.rx_posted, before.rx_posted);
}
