/* SPDX-License-Identifier: MIT */
/*
 * Wire formats of Ethernet, ARP, IPv4, ICMP, UDP and TCP: parsers that
 * check every length and checksum before a field is trusted, and builders
 * that write a header in front of a payload. Pure and freestanding: no
 * allocation, no clock, no global state; the kernel's stack (kernel/net)
 * and the host tests and fuzzers call the same code.
 *
 * Byte order: the views hold host-order values (addresses too: 10.0.2.15
 * is 0x0a00020f); the builders write network order (big-endian). A parser
 * returns 0 with the view filled, or -EINVAL (malformed: too short, a
 * length past the end, a bad version or header length) or -EBADMSG (a
 * checksum that does not match); the view is then undefined.
 *
 * Sources: IEEE 802.3 (Ethernet II framing); RFC 826 (ARP); RFC 791 (IPv4),
 * RFC 1071 and RFC 1624 (the Internet checksum); RFC 792 (ICMP); RFC 768
 * (UDP); RFC 9293 (TCP), RFC 7323 (window scale, timestamps), RFC 2018
 * (SACK).
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETH_ALEN      6u
#define ETH_HLEN      14u
#define ETH_MIN_FRAME 60u   /* without the FCS: shorter frames are padded */
#define ETH_MTU       1500u /* the payload of an Ethernet II frame */
#define ETHERTYPE_IP  0x0800u
#define ETHERTYPE_ARP 0x0806u

#define IP4_HLEN_MIN    20u
#define IP4_HLEN_MAX    60u
#define IPPROTO_ICMP    1u
#define IPPROTO_TCP     6u
#define IPPROTO_UDP     17u
#define IP4_DF          0x4000u /* don't fragment (in frag_off) */
#define IP4_MF          0x2000u /* more fragments (in frag_off) */
#define IP4_OFFMASK     0x1fffu /* fragment offset in 8-byte units */
#define IP4_DEFAULT_TTL 64u
#define IP4_BROADCAST   0xffffffffu

#define UDP_HLEN     8u
#define TCP_HLEN_MIN 20u
#define TCP_HLEN_MAX 60u
#define ICMP_HLEN    8u

/* ICMP types and codes used here (RFC 792). */
#define ICMP_ECHO_REPLY    0u
#define ICMP_DEST_UNREACH  3u
#define ICMP_ECHO_REQUEST  8u
#define ICMP_TIME_EXCEEDED 11u
#define ICMP_NET_UNREACH   0u /* codes of ICMP_DEST_UNREACH */
#define ICMP_HOST_UNREACH  1u
#define ICMP_PROT_UNREACH  2u
#define ICMP_PORT_UNREACH  3u
#define ICMP_FRAG_NEEDED   4u
#define ICMP_EXC_TTL       0u /* codes of ICMP_TIME_EXCEEDED */
#define ICMP_EXC_FRAGTIME  1u

/* TCP header flags (RFC 9293, 3.1). */
#define TCP_FIN 0x01u
#define TCP_SYN 0x02u
#define TCP_RST 0x04u
#define TCP_PSH 0x08u
#define TCP_ACK 0x10u
#define TCP_URG 0x20u
#define TCP_ECE 0x40u
#define TCP_CWR 0x80u

/* ---- the Internet checksum (RFC 1071) ---- */

/*
 * Add @len bytes at @p to the one's-complement running sum @sum (start
 * with 0); an odd last byte is padded with zero. Chain calls only on
 * even-length pieces except the last.
 */
uint32_t inet_csum_add(uint32_t sum, const void *p, size_t len);
/* Fold @sum to 16 bits and complement it: the value that goes on the wire (host order). */
uint16_t inet_csum_fold(uint32_t sum);
/* The pseudo-header sum of TCP and UDP over IPv4 (RFC 9293 3.1, RFC 768). */
uint32_t inet_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);

/* ---- Ethernet ---- */

struct eth_view {
	uint8_t dst[ETH_ALEN];
	uint8_t src[ETH_ALEN];
	uint16_t type;          /* ETHERTYPE_*; 802.1Q tags are refused (-EINVAL) */
	const uint8_t *payload; /* points into the frame */
	size_t len;             /* payload bytes (padding included) */
};
int __must_check eth_parse(const uint8_t *frame, size_t len, struct eth_view *v);
/* Write the 14-byte header at @out. */
void eth_build(uint8_t *out, const uint8_t dst[ETH_ALEN], const uint8_t src[ETH_ALEN],
               uint16_t type);
bool eth_is_broadcast(const uint8_t mac[ETH_ALEN]);
bool eth_is_multicast(const uint8_t mac[ETH_ALEN]); /* broadcast included */

/* ---- ARP over Ethernet/IPv4 (RFC 826) ---- */

#define ARP_LEN        28u
#define ARP_OP_REQUEST 1u
#define ARP_OP_REPLY   2u

struct arp_view {
	uint16_t op; /* ARP_OP_*; other values parse and are left to the caller */
	uint8_t sha[ETH_ALEN];
	uint32_t spa;
	uint8_t tha[ETH_ALEN];
	uint32_t tpa;
};
/* Only hardware type 1 (Ethernet), protocol 0x0800, hlen 6, plen 4 are accepted. */
int __must_check arp_parse(const uint8_t *p, size_t len, struct arp_view *v);
/* Write ARP_LEN bytes at @out. */
void arp_build(uint8_t *out, const struct arp_view *v);

/* ---- IPv4 (RFC 791) ---- */

struct ip4_view {
	uint8_t hlen; /* header bytes, options included (20..60) */
	uint8_t tos;
	uint16_t total_len; /* from the header; the frame may hold padding after it */
	uint16_t id;
	uint16_t frag_off; /* flags and offset, as on the wire (IP4_DF, IP4_MF, IP4_OFFMASK) */
	uint8_t ttl;
	uint8_t proto;
	uint32_t src, dst;
	const uint8_t *hdr;     /* the header in the frame */
	const uint8_t *payload; /* hdr + hlen */
	size_t len;             /* total_len - hlen */
};
/*
 * Parse and check an IPv4 header (version 4, hlen >= 20, total_len within
 * @len, the header checksum unless @csum_ok says the device checked it).
 * Options are skipped, never interpreted.
 */
int __must_check ip4_parse(const uint8_t *p, size_t len, bool csum_ok, struct ip4_view *v);
bool ip4_is_fragment(const struct ip4_view *v);
/* Write a 20-byte header (no options) with its checksum at @out. */
void ip4_build(uint8_t *out, uint16_t total_len, uint16_t id, uint16_t frag_off, uint8_t ttl,
               uint8_t proto, uint32_t src, uint32_t dst);

/* ---- ICMP (RFC 792) ---- */

struct icmp_view {
	uint8_t type, code;
	uint32_t rest;          /* the 4 bytes after the checksum (id/seq of an echo), host order */
	const uint8_t *payload; /* after the 8-byte header */
	size_t len;
};
int __must_check icmp_parse(const uint8_t *p, size_t len, struct icmp_view *v);
/* Write the 8-byte header at @out, the checksum covering it and @payload_len bytes after it. */
void icmp_build(uint8_t *out, uint8_t type, uint8_t code, uint32_t rest, size_t payload_len);

/* ---- UDP (RFC 768) ---- */

struct udp_view {
	uint16_t sport, dport;
	const uint8_t *payload;
	size_t len; /* from the UDP length field */
};
/*
 * @p/@len: the IP payload. The checksum is checked against the pseudo
 * header unless it is 0 (none sent) or @csum_ok.
 */
int __must_check udp_parse(const uint8_t *p, size_t len, uint32_t src, uint32_t dst, bool csum_ok,
                           struct udp_view *v);
/* Write the 8-byte header at @out with the checksum over it and the @payload_len bytes after it. */
void udp_build(uint8_t *out, uint16_t sport, uint16_t dport, uint32_t src, uint32_t dst,
               size_t payload_len);
/*
 * As udp_build(), but the checksum field holds only the folded
 * pseudo-header sum (not complemented), for a device that finishes it
 * (virtio 1.2, 5.1.6.2: sum from the UDP header on, store at offset 6).
 */
void udp_build_partial(uint8_t *out, uint16_t sport, uint16_t dport, uint32_t src, uint32_t dst,
                       size_t payload_len);

/* ---- TCP (RFC 9293 3.1, options: RFC 9293 3.2, RFC 7323, RFC 2018) ---- */

#define TCP_OPT_MSS     (1u << 0)
#define TCP_OPT_WSCALE  (1u << 1)
#define TCP_OPT_SACK_OK (1u << 2)
#define TCP_OPT_TS      (1u << 3)
#define TCP_OPT_SACK    (1u << 4)
#define TCP_MAX_SACK    4u

struct tcp_opts {
	unsigned has; /* TCP_OPT_* present */
	uint16_t mss;
	uint8_t wscale; /* clamped to 14 (RFC 7323 2.3) */
	uint32_t ts_val, ts_ecr;
	unsigned nsack;
	struct {
		uint32_t left, right;
	} sack[TCP_MAX_SACK];
};

struct tcp_seg {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags; /* TCP_* */
	uint16_t wnd;  /* as on the wire, not scaled */
	uint16_t urg;
	struct tcp_opts opt; /* garbage options end the option list, never the parse */
	const uint8_t *payload;
	size_t len;
};
/*
 * @p/@len: the IP payload. The checksum is checked against the pseudo
 * header unless @csum_ok. Malformed options (a length of 0 or 1, past the
 * header) stop option parsing; the segment still parses.
 */
int __must_check tcp_parse(const uint8_t *p, size_t len, uint32_t src, uint32_t dst, bool csum_ok,
                           struct tcp_seg *v);
/* The header bytes tcp_build() writes for @opt (20 + options, a multiple of 4). */
size_t tcp_hdr_len(const struct tcp_opts *opt);
/*
 * Write the header of @s (ports, seq, ack, flags, wnd, urg, opt; payload
 * and len ignored) at @out, then the checksum over it and the
 * @payload_len bytes that follow it at @out + tcp_hdr_len(). With
 * @csum_partial, only the pseudo-header sum is stored (a device finishes
 * it: virtio-net's VIRTIO_NET_HDR_F_NEEDS_CSUM). Returns the header length.
 */
size_t tcp_build(uint8_t *out, const struct tcp_seg *s, uint32_t src, uint32_t dst,
                 size_t payload_len, bool csum_partial);

/* Sequence-number comparison modulo 2^32 (RFC 9293 3.4). */
static inline bool seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}
static inline bool seq_le(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}
static inline bool seq_gt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}
static inline bool seq_ge(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) >= 0;
}

/* Byte-order helpers for code that reads or writes fields itself. */
static inline uint16_t net_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t net_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void net_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void net_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}
