// SPDX-License-Identifier: MIT
/*
 * The send path below the transports: routing, the IPv4 header (RFC 791
 * 3.1), fragmentation to the route's MTU (RFC 791 3.2, 2.3 "Fragmentation
 * and reassembly"), and the link header: none to resolve on loopback, the
 * broadcast or multicast MAC (RFC 1112 6.4) or ARP's answer otherwise.
 * Any task context, under a socket's lock; never sleeps.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "net/inet.h"
#include "net/ip_internal.h"
#include "net/netif.h"
#include "net/pkt.h"

static uint16_t ip_id; /* [a] the next datagram's identification */

static const uint8_t mac_zero[ETH_ALEN];
static const uint8_t mac_bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* What the header of one datagram (or of each of its fragments) holds. */
struct ip4_hdr_args {
	uint32_t src, dst;
	uint16_t id;
	uint8_t proto, ttl, tos;
	bool df;
};

/* Put @p in front of a header for @a; @frag_off: MF and the offset of a fragment. */
static int push_ip_header(struct pkt *p, const struct ip4_hdr_args *a, uint16_t frag_off)
{
	uint8_t *h;

	if (p->len + IP4_HLEN_MIN > 0xffff)
		return -EMSGSIZE;
	h = pkt_push(p, IP4_HLEN_MIN);
	if (!h)
		return -ENOBUFS;
	if (p->flags & PKT_CSUM_PARTIAL)
		p->csum_start += IP4_HLEN_MIN;
	ip4_build(h, (uint16_t)p->len, a->id, (uint16_t)(frag_off | (a->df ? IP4_DF : 0)), a->ttl,
	          a->proto, a->src, a->dst);
	if (a->tos) {
		/* ip4_build() writes TOS 0: set it and sum the header again (RFC 1071). */
		h[1] = a->tos;
		net_put16(h + 10, 0);
		net_put16(h + 10, inet_csum_fold(inet_csum_add(0, h, IP4_HLEN_MIN)));
	}
	return 0;
}

int eth_output(struct netif *dev, const uint8_t dst_mac[ETH_ALEN], struct pkt *p)
{
	uint8_t *h = pkt_push(p, ETH_HLEN);

	if (!h) {
		NET_INC(inet_stats.ip_out_discards);
		pkt_free(p);
		return -ENOBUFS;
	}
	if (p->flags & PKT_CSUM_PARTIAL)
		p->csum_start += ETH_HLEN;
	eth_build(h, dst_mac, dev->mac, ETHERTYPE_IP);
	return netif_xmit(dev, p);
}

/* The link-level step of one datagram (data at the IP header) to @dst via @rt. */
static int link_output(const struct route_result *rt, uint32_t dst, struct pkt *p)
{
	uint8_t mac[ETH_ALEN];

	if (rt->dev->flags & IFF_LOOPBACK)
		return eth_output(rt->dev, mac_zero, p);
	if (dst == IP4_BROADCAST || netif_is_bcast(rt->dev, dst))
		return eth_output(rt->dev, mac_bcast, p);
	if (ip4_is_multicast(dst)) {
		/* RFC 1112 6.4: 01:00:5e and the low 23 bits of the group. */
		mac[0] = 0x01, mac[1] = 0x00, mac[2] = 0x5e;
		mac[3] = (uint8_t)((dst >> 16) & 0x7f);
		mac[4] = (uint8_t)(dst >> 8);
		mac[5] = (uint8_t)dst;
		return eth_output(rt->dev, mac, p);
	}
	return arp_output(rt->dev, rt->next_hop, p);
}

/* Finish a checksum left to the device (virtio 1.2 5.1.6.2's rule: sum from csum_start). */
void pkt_csum_finish(struct pkt *p)
{
	uint8_t *field;

	if (!(p->flags & PKT_CSUM_PARTIAL))
		return;
	p->flags &= ~PKT_CSUM_PARTIAL;
	if ((uint32_t)p->csum_start + p->csum_offset + 2 > p->len)
		return;
	field = p->data + p->csum_start + p->csum_offset;
	net_put16(field, inet_csum_fold(inet_csum_add(0, p->data + p->csum_start,
	                                              p->len - p->csum_start)));
}

/* Send the fragment [off, off + n) of @p's payload. */
static int send_fragment(const struct route_result *rt, const struct ip4_hdr_args *a,
                         const struct pkt *p, size_t off, size_t n)
{
	struct pkt *f = pkt_alloc(PKT_HEADROOM, n);
	bool last = off + n == p->len;
	int err;

	if (!f)
		return -ENOBUFS;
	memcpy(pkt_put(f, n), p->data + off, n);
	err = push_ip_header(f, a, (uint16_t)((off / 8) | (last ? 0 : IP4_MF)));
	if (err) {
		pkt_free(f);
		return err;
	}
	NET_INC(inet_stats.ip_frag_creates);
	return link_output(rt, a->dst, f);
}

/* Cut @p (data at the transport header) into fragments that fit @rt's MTU. Consumes @p. */
static int fragment(const struct route_result *rt, const struct ip4_hdr_args *a, struct pkt *p)
{
	/* Every fragment but the last carries a multiple of 8 bytes (RFC 791 3.2). */
	size_t chunk = (rt->mtu - IP4_HLEN_MIN) & ~(size_t)7;
	int err = 0;

	if (p->len > 0xffff - IP4_HLEN_MIN) {
		err = -EMSGSIZE;
		goto out;
	}
	pkt_csum_finish(p);
	for (size_t off = 0; off < p->len && !err; off += chunk)
		err = send_fragment(rt, a, p, off, off + chunk < p->len ? chunk : p->len - off);
	if (!err)
		NET_INC(inet_stats.ip_frag_oks);
out:
	if (err)
		NET_INC(inet_stats.ip_out_discards);
	pkt_free(p);
	return err;
}

/*
 * Send @p (data at the transport header): see net/inet.h. Consumes @p.
 * 0, -ENETUNREACH, -EMSGSIZE (too big, or bigger than the MTU with @df),
 * -ENOBUFS, or the driver's error.
 */
int ip4_output(struct pkt *p, uint32_t src, uint32_t dst, uint8_t proto, uint8_t ttl, uint8_t tos,
               bool df)
{
	struct ip4_hdr_args a = { .src = src, .dst = dst, .proto = proto, .tos = tos, .df = df };
	struct route_result rt;
	int err;

	err = route_lookup(dst, &rt);
	if (err) {
		NET_INC(inet_stats.ip_out_no_routes);
		pkt_free(p);
		return err;
	}
	/* The total length is 16 bits (RFC 791 3.1): lo's MTU of 65536 must not let it wrap. */
	if (p->len > 0xffffu - IP4_HLEN_MIN) {
		NET_INC(inet_stats.ip_out_discards);
		pkt_free(p);
		return -EMSGSIZE;
	}
	NET_INC(inet_stats.ip_out);
	a.src = src ? src : rt.src;
	a.ttl = ttl ? ttl : IP4_DEFAULT_TTL;
	a.id = __atomic_fetch_add(&ip_id, 1, __ATOMIC_RELAXED);
	if (p->len + IP4_HLEN_MIN > rt.mtu) {
		if (!df)
			return fragment(&rt, &a, p);
		NET_INC(inet_stats.ip_out_discards);
		pkt_free(p);
		return -EMSGSIZE;
	}
	err = push_ip_header(p, &a, 0);
	if (err) {
		NET_INC(inet_stats.ip_out_discards);
		pkt_free(p);
		return err;
	}
	return link_output(&rt, dst, p);
}
