/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/net/wire.c and wire_tcp.c: checksums against the
 * worked example of RFC 1071 and a known IPv4 header, hand-made frames of
 * every protocol parsed field by field, round trips through the builders,
 * and every malformed case a parser must refuse (short buffers, lengths
 * past the end, bad versions, bad checksums) or survive (garbage TCP
 * options end the option list, never the segment).
 */
#include <cairn/errno.h>

#include <lib/net/wire.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

#define SRC 0x0a00020fu /* 10.0.2.15 */
#define DST 0x0a000202u /* 10.0.2.2 */

/* RFC 1071 section 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (checksum 220d). */
static void test_csum_rfc1071(void **state)
{
	static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint32_t s;

	(void)state;
	s = inet_csum_add(0, b, sizeof(b));
	assert_int_equal(inet_csum_fold(s), 0x220d);
	/* Chained over even pieces: the same sum. */
	s = inet_csum_add(inet_csum_add(0, b, 4), b + 4, 4);
	assert_int_equal(inet_csum_fold(s), 0x220d);
	/* An odd last byte is padded with zero on the right. */
	assert_int_equal(inet_csum_fold(inet_csum_add(0, b, 1)), (uint16_t)~0x0000u);
	assert_int_equal(inet_csum_fold(inet_csum_add(0, b + 2, 1)), (uint16_t)~0xf200u);
	assert_int_equal(inet_csum_fold(0), 0xffff);
}

/* Many all-ones words must not lose carries. */
static void test_csum_carries(void **state)
{
	static uint8_t big[70000];
	uint32_t s;

	(void)state;
	memset(big, 0xff, sizeof(big));
	s = inet_csum_add(0, big, sizeof(big));
	assert_int_equal(inet_csum_fold(s), 0x0000);
	big[0] = 0;
	s = inet_csum_add(0, big, sizeof(big));
	/* One word is 0x00ff instead of 0xffff: the sum is 0xffff - 0xff00 = 0x00ff. */
	assert_int_equal(inet_csum_fold(s), (uint16_t)~0x00ffu);
}

/* A known IPv4 header (192.168.0.1 -> 192.168.0.199, UDP, checksum b861). */
static const uint8_t ip_hdr[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
	                            0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };

static void test_ip4_known(void **state)
{
	uint8_t pkt[0x73] = { 0 };
	uint8_t out[20];
	struct ip4_view v;

	(void)state;
	memcpy(pkt, ip_hdr, 20);
	assert_int_equal(ip4_parse(pkt, sizeof(pkt), false, &v), 0);
	assert_int_equal(v.hlen, 20);
	assert_int_equal(v.total_len, 0x73);
	assert_int_equal(v.frag_off, IP4_DF);
	assert_int_equal(v.ttl, 64);
	assert_int_equal(v.proto, IPPROTO_UDP);
	assert_int_equal(v.src, 0xc0a80001u);
	assert_int_equal(v.dst, 0xc0a800c7u);
	assert_ptr_equal(v.payload, pkt + 20);
	assert_int_equal(v.len, 0x73 - 20);
	assert_false(ip4_is_fragment(&v));
	ip4_build(out, 0x73, 0, IP4_DF, 64, IPPROTO_UDP, 0xc0a80001u, 0xc0a800c7u);
	assert_memory_equal(out, ip_hdr, 20);
}

static void test_ip4_malformed(void **state)
{
	uint8_t pkt[100] = { 0 };
	struct ip4_view v;

	(void)state;
	ip4_build(pkt, 100, 7, 0, 64, IPPROTO_TCP, SRC, DST);
	assert_int_equal(ip4_parse(pkt, 100, false, &v), 0);
	/* Padding after total_len is allowed (short frames are padded to 60). */
	assert_int_equal(ip4_parse(pkt, 100, false, &v), 0);
	assert_int_equal(ip4_parse(pkt, 19, false, &v), -EINVAL);
	assert_int_equal(ip4_parse(pkt, 99, false, &v), -EINVAL); /* total_len past the end */
	pkt[0] = 0x65;                                            /* version 6 */
	assert_int_equal(ip4_parse(pkt, 100, true, &v), -EINVAL);
	pkt[0] = 0x44; /* hlen 16 */
	assert_int_equal(ip4_parse(pkt, 100, true, &v), -EINVAL);
	pkt[0] = 0x4f; /* hlen 60 > total_len 40 */
	net_put16(pkt + 2, 40);
	assert_int_equal(ip4_parse(pkt, 100, true, &v), -EINVAL);
	/* A bad checksum, unless the device vouched for it. */
	ip4_build(pkt, 100, 7, 0, 64, IPPROTO_TCP, SRC, DST);
	pkt[8] = 63;
	assert_int_equal(ip4_parse(pkt, 100, false, &v), -EBADMSG);
	assert_int_equal(ip4_parse(pkt, 100, true, &v), 0);
}

static void test_ip4_options_and_frags(void **state)
{
	uint8_t pkt[64] = { 0 };
	struct ip4_view v;

	(void)state;
	/* 24-byte header: one NOP-padded option word, skipped. */
	pkt[0] = 0x46;
	net_put16(pkt + 2, 64);
	net_put16(pkt + 6, IP4_MF | 3);
	pkt[8] = 5;
	pkt[9] = IPPROTO_UDP;
	net_put32(pkt + 12, SRC);
	net_put32(pkt + 16, DST);
	pkt[20] = 0x94; /* router alert, then two NOPs */
	pkt[21] = 0x04;
	net_put16(pkt + 10, inet_csum_fold(inet_csum_add(0, pkt, 24)));
	assert_int_equal(ip4_parse(pkt, 64, false, &v), 0);
	assert_int_equal(v.hlen, 24);
	assert_int_equal(v.len, 40);
	assert_true(ip4_is_fragment(&v));
	v.frag_off = 0;
	assert_false(ip4_is_fragment(&v));
	v.frag_off = IP4_DF;
	assert_false(ip4_is_fragment(&v));
	v.frag_off = 1;
	assert_true(ip4_is_fragment(&v));
}

static void test_eth(void **state)
{
	static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t me[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	static const uint8_t mc[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	uint8_t f[60] = { 0 };
	struct eth_view v;

	(void)state;
	eth_build(f, bc, me, ETHERTYPE_ARP);
	assert_int_equal(f[12], 0x08);
	assert_int_equal(f[13], 0x06);
	assert_int_equal(eth_parse(f, sizeof(f), &v), 0);
	assert_memory_equal(v.dst, bc, 6);
	assert_memory_equal(v.src, me, 6);
	assert_int_equal(v.type, ETHERTYPE_ARP);
	assert_ptr_equal(v.payload, f + 14);
	assert_int_equal(v.len, 46);
	assert_int_equal(eth_parse(f, 13, &v), -EINVAL);
	assert_int_equal(eth_parse(f, 14, &v), 0);
	assert_int_equal(v.len, 0);
	eth_build(f, bc, me, 0x8100); /* 802.1Q */
	assert_int_equal(eth_parse(f, sizeof(f), &v), -EINVAL);
	eth_build(f, bc, me, 46); /* an 802.3 length */
	assert_int_equal(eth_parse(f, sizeof(f), &v), -EINVAL);
	assert_true(eth_is_broadcast(bc));
	assert_false(eth_is_broadcast(me));
	assert_true(eth_is_multicast(bc));
	assert_true(eth_is_multicast(mc));
	assert_false(eth_is_multicast(me));
}

static void test_arp(void **state)
{
	/* A request "who has 10.0.2.2? tell 10.0.2.15" as on the wire (RFC 826). */
	static const uint8_t req[28] = { 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x52, 0x54,
		                         0x00, 0x12, 0x34, 0x56, 0x0a, 0x00, 0x02, 0x0f, 0x00, 0x00,
		                         0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x02, 0x02 };
	uint8_t out[28], bad[28];
	struct arp_view v;

	(void)state;
	assert_int_equal(arp_parse(req, 28, &v), 0);
	assert_int_equal(v.op, ARP_OP_REQUEST);
	assert_int_equal(v.spa, SRC);
	assert_int_equal(v.tpa, DST);
	assert_int_equal(v.sha[5], 0x56);
	arp_build(out, &v);
	assert_memory_equal(out, req, 28);
	assert_int_equal(arp_parse(req, 27, &v), -EINVAL);
	for (unsigned i = 0; i < 6; i++) {
		memcpy(bad, req, 28);
		bad[i] ^= 0x40; /* hrd, pro, hln or pln wrong */
		assert_int_equal(arp_parse(bad, 28, &v), -EINVAL);
	}
	memcpy(bad, req, 28);
	bad[7] = 9; /* unknown op: parsed, left to the caller */
	assert_int_equal(arp_parse(bad, 28, &v), 0);
	assert_int_equal(v.op, 9);
}

static void test_icmp(void **state)
{
	uint8_t m[8 + 5] = { 0 };
	struct icmp_view v;

	(void)state;
	memcpy(m + 8, "hello", 5); /* odd length: padded in the sum */
	icmp_build(m, ICMP_ECHO_REQUEST, 0, 0x12340001u, 5);
	assert_int_equal(icmp_parse(m, sizeof(m), &v), 0);
	assert_int_equal(v.type, ICMP_ECHO_REQUEST);
	assert_int_equal(v.code, 0);
	assert_int_equal(v.rest, 0x12340001u);
	assert_int_equal(v.len, 5);
	assert_memory_equal(v.payload, "hello", 5);
	m[12] ^= 1;
	assert_int_equal(icmp_parse(m, sizeof(m), &v), -EBADMSG);
	assert_int_equal(icmp_parse(m, 7, &v), -EINVAL);
}

static void test_udp(void **state)
{
	uint8_t d[8 + 4 + 6] = { 0 };
	struct udp_view v;

	(void)state;
	memcpy(d + 8, "ping", 4);
	udp_build(d, 68, 67, SRC, DST, 4);
	assert_int_equal(net_get16(d + 4), 12);
	/* 6 bytes of trailing garbage beyond the UDP length are not part of it. */
	memset(d + 12, 0xaa, 6);
	assert_int_equal(udp_parse(d, sizeof(d), SRC, DST, false, &v), 0);
	assert_int_equal(v.sport, 68);
	assert_int_equal(v.dport, 67);
	assert_int_equal(v.len, 4);
	assert_memory_equal(v.payload, "ping", 4);
	/* The pseudo header counts: another source fails the sum. */
	assert_int_equal(udp_parse(d, sizeof(d), SRC + 1, DST, false, &v), -EBADMSG);
	assert_int_equal(udp_parse(d, sizeof(d), SRC + 1, DST, true, &v), 0);
	/* No checksum sent. */
	net_put16(d + 6, 0);
	assert_int_equal(udp_parse(d, sizeof(d), SRC + 1, DST, false, &v), 0);
	assert_int_equal(udp_parse(d, 7, SRC, DST, false, &v), -EINVAL);
	net_put16(d + 4, 7);
	assert_int_equal(udp_parse(d, sizeof(d), SRC, DST, false, &v), -EINVAL);
	net_put16(d + 4, sizeof(d) + 1);
	assert_int_equal(udp_parse(d, sizeof(d), SRC, DST, false, &v), -EINVAL);
}

/* A computed checksum of 0 is sent as 0xffff (RFC 768) and still verifies. */
static void test_udp_zero_csum(void **state)
{
	uint8_t d[10];
	struct udp_view v;
	uint32_t s;
	uint16_t w;

	(void)state;
	udp_build(d, 1, 2, SRC, DST, 2);
	d[8] = d[9] = 0;
	udp_build(d, 1, 2, SRC, DST, 2);
	/* Pick payload so the sum over everything except the payload, plus it, is 0xffff. */
	net_put16(d + 6, 0);
	net_put16(d + 8, 0);
	s = inet_csum_add(inet_pseudo_sum(SRC, DST, IPPROTO_UDP, 10), d, 10);
	w = inet_csum_fold(s); /* the payload word that brings the sum to 0xffff */
	net_put16(d + 8, w);
	udp_build(d, 1, 2, SRC, DST, 2);
	assert_int_equal(net_get16(d + 6), 0xffff);
	assert_int_equal(udp_parse(d, 10, SRC, DST, false, &v), 0);
}

/* The partial checksum plus a device's sum from the UDP header on gives udp_build()'s. */
static void test_udp_partial(void **state)
{
	uint8_t full[8 + 9], part[8 + 9];
	uint16_t dev;

	(void)state;
	memcpy(full + 8, "123456789", 9);
	memcpy(part + 8, "123456789", 9);
	udp_build(full, 1000, 53, SRC, DST, 9);
	udp_build_partial(part, 1000, 53, SRC, DST, 9);
	assert_memory_equal(part, full, 6);
	/* What the device does (virtio 1.2, 5.1.6.2): sum from csum_start, store the complement. */
	dev = inet_csum_fold(inet_csum_add(0, part, sizeof(part)));
	net_put16(part + 6, dev);
	assert_memory_equal(part, full, sizeof(full));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_rfc1071),
		cmocka_unit_test(test_csum_carries),
		cmocka_unit_test(test_ip4_known),
		cmocka_unit_test(test_ip4_malformed),
		cmocka_unit_test(test_ip4_options_and_frags),
		cmocka_unit_test(test_eth),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_icmp),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_udp_zero_csum),
		cmocka_unit_test(test_udp_partial),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
