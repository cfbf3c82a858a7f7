// SPDX-License-Identifier: MIT
/*
 * Parsers and builders of the Ethernet, ARP, IPv4, ICMP, UDP and TCP
 * headers (see wire.h). Every parser checks a length before it reads a
 * field and a checksum before it fills the view; nothing here allocates or
 * keeps state, so the kernel, the host tests and the fuzzers share it.
 */
#include "lib/net/wire.h"

#include <cairn/errno.h>

/* ---- the Internet checksum (RFC 1071) ---- */

/*
 * The one's-complement sum is independent of byte order when taken over
 * 16-bit words (RFC 1071, 2(B)); we add big-endian words so the folded
 * result is directly the host-order value of the checksum field.
 */
uint32_t inet_csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t acc = sum;

	while (len >= 2) {
		acc += (uint32_t)(b[0] << 8 | b[1]);
		b += 2;
		len -= 2;
	}
	if (len)
		acc += (uint32_t)b[0] << 8;
	/* Keep the running sum in 32 bits: fold the carries back in (end-around carry). */
	while (acc >> 32)
		acc = (acc & 0xffffffffu) + (acc >> 32);
	return (uint32_t)acc;
}

uint16_t inet_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t inet_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
	uint64_t acc = 0;

	/* RFC 9293 3.1: source, destination, zero, protocol, TCP/UDP length. */
	acc += src >> 16;
	acc += src & 0xffffu;
	acc += dst >> 16;
	acc += dst & 0xffffu;
	acc += proto;
	acc += len;
	return (uint32_t)acc;
}

/* ---- Ethernet ---- */

int eth_parse(const uint8_t *frame, size_t len, struct eth_view *v)
{
	uint16_t type;

	if (len < ETH_HLEN)
		return -EINVAL;
	type = net_get16(frame + 12);
	/*
	 * Values below 0x0600 are 802.3 lengths (IEEE 802.3, 3.2.6), not
	 * types; 0x8100 is an 802.1Q tag, which this stack does not handle.
	 */
	if (type < 0x0600u || type == 0x8100u)
		return -EINVAL;
	for (unsigned i = 0; i < ETH_ALEN; i++) {
		v->dst[i] = frame[i];
		v->src[i] = frame[ETH_ALEN + i];
	}
	v->type = type;
	v->payload = frame + ETH_HLEN;
	v->len = len - ETH_HLEN;
	return 0;
}

void eth_build(uint8_t *out, const uint8_t dst[ETH_ALEN], const uint8_t src[ETH_ALEN],
               uint16_t type)
{
	for (unsigned i = 0; i < ETH_ALEN; i++) {
		out[i] = dst[i];
		out[ETH_ALEN + i] = src[i];
	}
	net_put16(out + 12, type);
}

bool eth_is_broadcast(const uint8_t mac[ETH_ALEN])
{
	for (unsigned i = 0; i < ETH_ALEN; i++)
		if (mac[i] != 0xff)
			return false;
	return true;
}

bool eth_is_multicast(const uint8_t mac[ETH_ALEN])
{
	/* The I/G bit: the least significant bit of the first octet (IEEE 802.3, 3.2.3). */
	return (mac[0] & 1u) != 0;
}

/* ---- ARP (RFC 826) ---- */

int arp_parse(const uint8_t *p, size_t len, struct arp_view *v)
{
	if (len < ARP_LEN)
		return -EINVAL;
	/* hrd 1 = Ethernet, pro 0x0800 = IPv4, hln 6, pln 4. */
	if (net_get16(p) != 1u || net_get16(p + 2) != ETHERTYPE_IP || p[4] != ETH_ALEN || p[5] != 4)
		return -EINVAL;
	v->op = net_get16(p + 6);
	for (unsigned i = 0; i < ETH_ALEN; i++) {
		v->sha[i] = p[8 + i];
		v->tha[i] = p[18 + i];
	}
	v->spa = net_get32(p + 14);
	v->tpa = net_get32(p + 24);
	return 0;
}

void arp_build(uint8_t *out, const struct arp_view *v)
{
	net_put16(out, 1);
	net_put16(out + 2, ETHERTYPE_IP);
	out[4] = ETH_ALEN;
	out[5] = 4;
	net_put16(out + 6, v->op);
	for (unsigned i = 0; i < ETH_ALEN; i++) {
		out[8 + i] = v->sha[i];
		out[18 + i] = v->tha[i];
	}
	net_put32(out + 14, v->spa);
	net_put32(out + 24, v->tpa);
}

/* ---- IPv4 (RFC 791, 3.1) ---- */

int ip4_parse(const uint8_t *p, size_t len, bool csum_ok, struct ip4_view *v)
{
	unsigned hlen;
	uint16_t total;

	if (len < IP4_HLEN_MIN)
		return -EINVAL;
	if (p[0] >> 4 != 4)
		return -EINVAL;
	hlen = (p[0] & 0xfu) * 4u;
	total = net_get16(p + 2);
	if (hlen < IP4_HLEN_MIN || total < hlen || total > len)
		return -EINVAL;
	/* A correct header sums to 0xffff, so the folded complement is 0. */
	if (!csum_ok && inet_csum_fold(inet_csum_add(0, p, hlen)) != 0)
		return -EBADMSG;
	v->hlen = (uint8_t)hlen;
	v->tos = p[1];
	v->total_len = total;
	v->id = net_get16(p + 4);
	v->frag_off = net_get16(p + 6);
	v->ttl = p[8];
	v->proto = p[9];
	v->src = net_get32(p + 12);
	v->dst = net_get32(p + 16);
	v->hdr = p;
	v->payload = p + hlen;
	v->len = total - hlen;
	return 0;
}

bool ip4_is_fragment(const struct ip4_view *v)
{
	return (v->frag_off & (IP4_MF | IP4_OFFMASK)) != 0;
}

void ip4_build(uint8_t *out, uint16_t total_len, uint16_t id, uint16_t frag_off, uint8_t ttl,
               uint8_t proto, uint32_t src, uint32_t dst)
{
	out[0] = 0x45; /* version 4, 5 words */
	out[1] = 0;
	net_put16(out + 2, total_len);
	net_put16(out + 4, id);
	net_put16(out + 6, frag_off);
	out[8] = ttl;
	out[9] = proto;
	net_put16(out + 10, 0);
	net_put32(out + 12, src);
	net_put32(out + 16, dst);
	net_put16(out + 10, inet_csum_fold(inet_csum_add(0, out, IP4_HLEN_MIN)));
}

/* ---- ICMP (RFC 792) ---- */

int icmp_parse(const uint8_t *p, size_t len, struct icmp_view *v)
{
	if (len < ICMP_HLEN)
		return -EINVAL;
	/* The checksum covers the whole ICMP message (RFC 792, echo message). */
	if (inet_csum_fold(inet_csum_add(0, p, len)) != 0)
		return -EBADMSG;
	v->type = p[0];
	v->code = p[1];
	v->rest = net_get32(p + 4);
	v->payload = p + ICMP_HLEN;
	v->len = len - ICMP_HLEN;
	return 0;
}

void icmp_build(uint8_t *out, uint8_t type, uint8_t code, uint32_t rest, size_t payload_len)
{
	out[0] = type;
	out[1] = code;
	net_put16(out + 2, 0);
	net_put32(out + 4, rest);
	net_put16(out + 2, inet_csum_fold(inet_csum_add(0, out, ICMP_HLEN + payload_len)));
}

/* ---- UDP (RFC 768) ---- */

int udp_parse(const uint8_t *p, size_t len, uint32_t src, uint32_t dst, bool csum_ok,
              struct udp_view *v)
{
	uint16_t ulen;
	uint32_t sum;

	if (len < UDP_HLEN)
		return -EINVAL;
	ulen = net_get16(p + 4);
	if (ulen < UDP_HLEN || ulen > len)
		return -EINVAL;
	/* A zero checksum field means the sender computed none (RFC 768). */
	if (!csum_ok && net_get16(p + 6) != 0) {
		sum = inet_pseudo_sum(src, dst, IPPROTO_UDP, ulen);
		if (inet_csum_fold(inet_csum_add(sum, p, ulen)) != 0)
			return -EBADMSG;
	}
	v->sport = net_get16(p);
	v->dport = net_get16(p + 2);
	v->payload = p + UDP_HLEN;
	v->len = ulen - UDP_HLEN;
	return 0;
}

void udp_build(uint8_t *out, uint16_t sport, uint16_t dport, uint32_t src, uint32_t dst,
               size_t payload_len)
{
	uint16_t ulen = (uint16_t)(UDP_HLEN + payload_len);
	uint16_t csum;

	net_put16(out, sport);
	net_put16(out + 2, dport);
	net_put16(out + 4, ulen);
	net_put16(out + 6, 0);
	csum = inet_csum_fold(
		inet_csum_add(inet_pseudo_sum(src, dst, IPPROTO_UDP, ulen), out, ulen));
	/* A computed 0 is sent as all ones: 0 means "no checksum" (RFC 768). */
	net_put16(out + 6, csum ? csum : 0xffffu);
}

void udp_build_partial(uint8_t *out, uint16_t sport, uint16_t dport, uint32_t src, uint32_t dst,
                       size_t payload_len)
{
	uint16_t ulen = (uint16_t)(UDP_HLEN + payload_len);

	net_put16(out, sport);
	net_put16(out + 2, dport);
	net_put16(out + 4, ulen);
	net_put16(out + 6, (uint16_t)~inet_csum_fold(inet_pseudo_sum(src, dst, IPPROTO_UDP, ulen)));
}
