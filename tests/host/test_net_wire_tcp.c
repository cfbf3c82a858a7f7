/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/net/wire_tcp.c: a SYN with every option parsed field
 * by field, round trips of option sets through tcp_build() and
 * tcp_parse(), the 40-byte option limit, the partial checksum handed to a
 * device, and garbage options (zero or one length, lengths past the
 * header, known kinds with wrong sizes) that end option parsing but never
 * the segment.
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

#define SRC 0xc0a80702u /* 192.168.7.2 */
#define DST 0xc0a80701u /* 192.168.7.1 */

/* Fill a header with @nopt option bytes @opts and a valid checksum; returns its length. */
static size_t mk_seg(uint8_t *b, const uint8_t *opts, size_t nopt, size_t payload)
{
	size_t hlen = 20 + nopt;

	memset(b, 0, 20);
	net_put16(b, 40000);
	net_put16(b + 2, 80);
	net_put32(b + 4, 0xfffffff0u);
	net_put32(b + 8, 0);
	b[12] = (uint8_t)((hlen / 4) << 4);
	b[13] = TCP_SYN;
	net_put16(b + 14, 64240);
	if (nopt)
		memcpy(b + 20, opts, nopt);
	memset(b + hlen, 'x', payload);
	net_put16(b + 16, inet_csum_fold(inet_csum_add(inet_pseudo_sum(SRC, DST, IPPROTO_TCP,
	                                                               (uint16_t)(hlen + payload)),
	                                               b, hlen + payload)));
	return hlen + payload;
}

/* A SYN as Linux sends it: MSS, SACK_OK, TS, NOP, WS. */
static void test_tcp_syn_linux(void **state)
{
	static const uint8_t opts[20] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
		                          0, 1, 0,    0,    0, 0, 1, 3,  3, 7 };
	uint8_t b[64];
	struct tcp_seg s;
	size_t n = mk_seg(b, opts, sizeof(opts), 0);

	(void)state;
	assert_int_equal(tcp_parse(b, n, SRC, DST, false, &s), 0);
	assert_int_equal(s.sport, 40000);
	assert_int_equal(s.dport, 80);
	assert_int_equal(s.seq, 0xfffffff0u);
	assert_int_equal(s.flags, TCP_SYN);
	assert_int_equal(s.wnd, 64240);
	assert_int_equal(s.opt.has, TCP_OPT_MSS | TCP_OPT_SACK_OK | TCP_OPT_TS | TCP_OPT_WSCALE);
	assert_int_equal(s.opt.mss, 1460);
	assert_int_equal(s.opt.ts_val, 1);
	assert_int_equal(s.opt.ts_ecr, 0);
	assert_int_equal(s.opt.wscale, 7);
	assert_int_equal(s.len, 0);
	assert_int_equal(tcp_parse(b, n, SRC, DST + 1, false, &s), -EBADMSG);
	assert_int_equal(tcp_parse(b, n, SRC, DST + 1, true, &s), 0);
}

static void test_tcp_payload_and_bounds(void **state)
{
	uint8_t b[128];
	struct tcp_seg s;
	size_t n = mk_seg(b, NULL, 0, 33);

	(void)state;
	assert_int_equal(tcp_parse(b, n, SRC, DST, false, &s), 0);
	assert_int_equal(s.len, 33);
	assert_ptr_equal(s.payload, b + 20);
	assert_int_equal(s.opt.has, 0);
	assert_int_equal(tcp_parse(b, 19, SRC, DST, true, &s), -EINVAL);
	b[12] = 0x40; /* data offset 16 bytes */
	assert_int_equal(tcp_parse(b, n, SRC, DST, true, &s), -EINVAL);
	b[12] = 0xf0; /* 60 bytes of header in a 53-byte segment */
	assert_int_equal(tcp_parse(b, n, SRC, DST, true, &s), -EINVAL);
	b[12] = 0x50;
	b[20] ^= 1; /* payload corrupted */
	assert_int_equal(tcp_parse(b, n, SRC, DST, false, &s), -EBADMSG);
}

/* Garbage options: each case parses, with only the options before the garbage. */
static void test_tcp_garbage_options(void **state)
{
	static const struct {
		uint8_t o[12];
		unsigned has;
	} cases[] = {
		{ { 2, 4, 1, 0, 9, 0, 0, 0, 0, 0, 0, 0 }, TCP_OPT_MSS },  /* length 0 */
		{ { 2, 4, 1, 0, 9, 1, 0, 0, 0, 0, 0, 0 }, TCP_OPT_MSS },  /* length 1 */
		{ { 2, 4, 1, 0, 9, 40, 0, 0, 0, 0, 0, 0 }, TCP_OPT_MSS }, /* past the header */
		{ { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2 }, 0 },           /* kind at the last byte */
		{ { 2, 4, 1, 0, 0, 2, 4, 2, 0, 0, 0, 0 }, TCP_OPT_MSS }, /* EOL ends the list */
		{ { 2, 3, 1, 4, 2, 0, 0, 0, 0, 0, 0, 0 }, TCP_OPT_SACK_OK }, /* MSS of length 3 */
		{ { 8, 6, 0, 0, 0, 0, 3, 3, 20, 0, 0, 0 },
		  TCP_OPT_WSCALE }, /* short TS; WS clamped */
		{ { 5, 7, 0, 0, 0, 0, 0, 4, 2, 0, 0, 0 }, TCP_OPT_SACK_OK }, /* SACK not 2+8n */
		{ { 99, 4, 0, 0, 2, 4, 0, 200, 0, 0, 0, 0 },
		  TCP_OPT_MSS }, /* unknown kind skipped */
	};
	uint8_t b[64];
	struct tcp_seg s;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = mk_seg(b, cases[i].o, 12, 3);

		assert_int_equal(tcp_parse(b, n, SRC, DST, false, &s), 0);
		assert_int_equal(s.opt.has, cases[i].has);
		assert_int_equal(s.len, 3);
		if (s.opt.has & TCP_OPT_WSCALE)
			assert_int_equal(s.opt.wscale, 14);
	}
}

static void roundtrip(const struct tcp_opts *in, size_t want_hlen, unsigned want_sack)
{
	uint8_t b[60 + 10];
	struct tcp_seg s = {
		.sport = 1, .dport = 2, .seq = 3, .ack = 4, .flags = TCP_ACK, .wnd = 5
	};
	struct tcp_seg r;
	size_t hlen;

	s.opt = *in;
	assert_int_equal(tcp_hdr_len(in), want_hlen);
	memset(b, 0xee, sizeof(b));
	memcpy(b + want_hlen, "0123456789", 10);
	hlen = tcp_build(b, &s, SRC, DST, 10, false);
	assert_int_equal(hlen, want_hlen);
	assert_int_equal(tcp_parse(b, hlen + 10, SRC, DST, false, &r), 0);
	assert_int_equal(r.seq, 3);
	assert_int_equal(r.ack, 4);
	assert_int_equal(r.flags, TCP_ACK);
	assert_int_equal(r.len, 10);
	assert_int_equal(r.opt.has & ~(unsigned)TCP_OPT_SACK, in->has & ~(unsigned)TCP_OPT_SACK);
	if (in->has & TCP_OPT_MSS)
		assert_int_equal(r.opt.mss, in->mss);
	if (in->has & TCP_OPT_TS) {
		assert_int_equal(r.opt.ts_val, in->ts_val);
		assert_int_equal(r.opt.ts_ecr, in->ts_ecr);
	}
	assert_int_equal(r.opt.nsack, want_sack);
	for (unsigned i = 0; i < want_sack; i++) {
		assert_int_equal(r.opt.sack[i].left, in->sack[i].left);
		assert_int_equal(r.opt.sack[i].right, in->sack[i].right);
	}
}

static void test_tcp_build_roundtrip(void **state)
{
	struct tcp_opts o = { 0 };

	(void)state;
	roundtrip(&o, 20, 0);
	o.has = TCP_OPT_MSS | TCP_OPT_WSCALE | TCP_OPT_SACK_OK | TCP_OPT_TS;
	o.mss = 1460;
	o.wscale = 20; /* clamped on the wire */
	o.ts_val = 0xdeadbeefu;
	o.ts_ecr = 7;
	roundtrip(&o, 40, 0);
	o.has = TCP_OPT_SACK_OK;
	roundtrip(&o, 24, 0);
	o.has = TCP_OPT_TS | TCP_OPT_SACK;
	o.nsack = 4;
	for (unsigned i = 0; i < 4; i++) {
		o.sack[i].left = 1000u * i;
		o.sack[i].right = 1000u * i + 500;
	}
	/* With timestamps, only 3 blocks fit in 40 bytes. */
	roundtrip(&o, 20 + 12 + 4 + 24, 3);
	o.has = TCP_OPT_SACK;
	roundtrip(&o, 20 + 4 + 32, 4);
	o.nsack = 9; /* more than fits: clamped to 4 */
	roundtrip(&o, 20 + 4 + 32, 4);
}

/* The partial checksum plus the device's sum over the segment gives the full one. */
static void test_tcp_csum_partial(void **state)
{
	uint8_t a[40], b[40];
	struct tcp_seg s = { .sport = 9, .dport = 10, .seq = 11, .flags = TCP_ACK | TCP_PSH };
	struct tcp_seg r;
	size_t h;

	(void)state;
	memset(a + 20, 'z', 20);
	memset(b + 20, 'z', 20);
	h = tcp_build(a, &s, SRC, DST, 20, false);
	assert_int_equal(tcp_build(b, &s, SRC, DST, 20, true), h);
	/* What the device does (virtio 1.2, 5.1.6.2): sum from csum_start, store the complement. */
	uint16_t dev = inet_csum_fold(inet_csum_add(0, b, 40));
	net_put16(b + 16, dev);
	assert_memory_equal(a, b, 40);
	assert_int_equal(tcp_parse(b, 40, SRC, DST, false, &r), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_syn_linux),
		cmocka_unit_test(test_tcp_payload_and_bounds),
		cmocka_unit_test(test_tcp_garbage_options),
		cmocka_unit_test(test_tcp_build_roundtrip),
		cmocka_unit_test(test_tcp_csum_partial),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
