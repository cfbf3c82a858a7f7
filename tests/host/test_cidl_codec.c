/* SPDX-License-Identifier: MIT */
/*
 * The C binding of idl/test_all.cidl over lib/cidl: values survive a round
 * trip, and every way a message can be malformed is refused with its error
 * (docs/cidl.md, "Decoding"): one byte short, a length past the end, a
 * count past its maximum, bad bools, tags and enums, bad UTF-8, trailing
 * bytes, handle indices wrong or reused, handles of the wrong type or
 * without the rights the protocol requires, and an encoder that refuses
 * what a decoder would.
 */
#include <lib/cidl/cidl.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

#include "cidl/test_all.h"

#define S(lit) ((struct cidl_bytes){ (const uint8_t *)(lit), sizeof(lit) - 1 })

static uint8_t buf[TEST_ALL_MAX_BYTES];
static struct cairn_handle_xfer hx[TEST_ALL_MAX_HANDLES];

static void fill_kitchen(struct test_all_kitchen_req *m)
{
	memset(m, 0, sizeof(*m));
	m->nums = (struct test_all_numbers){ 0xab, 0xbeef, 0xdeadbeef, 0x0123456789abcdefull,
		                             -5,   -300,   -70000,     INT64_MIN,
		                             true };
	m->shapes.count = 2;
	m->shapes.items[0].name = S("tri");
	m->shapes.items[0].fill = TEST_ALL_COLOR_BLUE;
	m->shapes.items[0].corners.count = 3;
	m->shapes.items[0].corners.items[2] = (struct test_all_point){ -1, 1 };
	m->shapes.items[1].name = S("h\xc3\xa9");
	m->shapes.items[1].has_label = true;
	m->shapes.items[1].label = S("label");
	m->blob = S("\x00\x01\x02");
	memcpy(m->mac, "\x52\x54\x00\x12\x34\x56", 6);
	m->grid[1][2] = -2;
	m->moves.count = 2;
	m->moves.items[0] = TEST_ALL_DELTA_DOWN;
	m->moves.items[1] = TEST_ALL_DELTA_UP;
	m->kind = TEST_ALL_BIG_HUGE;
	m->has_count = true;
	m->count = 7;
	m->words.count = 1;
	m->words.items[0] = S("word");
}

static uint32_t encode_kitchen(const struct test_all_kitchen_req *m)
{
	struct cidl_writer w;

	cidl_writer_init(&w, buf, sizeof(buf), hx, TEST_ALL_MAX_HANDLES);
	assert_int_equal(test_all_kitchen_req_encode(&w, m), 0);
	assert_int_equal(w.nhandles, 0);
	return w.len;
}

static int decode_kitchen(uint32_t len, struct test_all_kitchen_req *out)
{
	struct cidl_reader r;

	cidl_reader_init(&r, buf, len, NULL, 0);
	return test_all_kitchen_req_decode(&r, out);
}

static void test_roundtrip(void **state)
{
	struct test_all_kitchen_req m, d;
	uint32_t len;

	fill_kitchen(&m);
	len = encode_kitchen(&m);
	assert_int_equal(decode_kitchen(len, &d), 0);
	assert_memory_equal(&d.nums, &m.nums, sizeof(m.nums));
	assert_int_equal(d.shapes.count, 2);
	assert_int_equal(d.shapes.items[1].label.len, 5);
	assert_memory_equal(d.shapes.items[1].label.data, "label", 5);
	assert_int_equal(d.shapes.items[0].corners.items[2].x, -1);
	assert_int_equal(d.grid[1][2], -2);
	assert_int_equal(d.moves.items[0], TEST_ALL_DELTA_DOWN);
	assert_true(d.kind == TEST_ALL_BIG_HUGE);
	assert_false(d.has_origin);
	assert_true(d.has_count);
	assert_int_equal(d.count, 7);
	assert_memory_equal(d.words.items[0].data, "word", 4);
	/* Views point into the message, not into the sender's storage. */
	assert_true(d.blob.data >= buf && d.blob.data < buf + len);
}

/* Every length from 0 to one byte short, with the header's length kept or fixed up. */
static void test_truncated(void **state)
{
	struct test_all_kitchen_req m, d;
	uint32_t len;

	fill_kitchen(&m);
	len = encode_kitchen(&m);
	for (uint32_t n = 0; n < len; n++)
		assert_int_equal(decode_kitchen(n, &d), -CIDL_ENODATA);
	for (uint32_t n = CIDL_HEADER_BYTES; n < len; n++) {
		len = encode_kitchen(&m);
		buf[8] = (uint8_t)(n - CIDL_HEADER_BYTES);
		buf[9] = (uint8_t)((n - CIDL_HEADER_BYTES) >> 8);
		assert_int_equal(decode_kitchen(n, &d), -CIDL_ENODATA);
	}
}

static void test_trailing_and_header(void **state)
{
	struct test_all_kitchen_req m, d;
	uint32_t len;

	fill_kitchen(&m);
	len = encode_kitchen(&m);
	buf[len] = 0;
	assert_int_equal(decode_kitchen(len + 1, &d), -CIDL_EBADMSG); /* a byte after the body */
	buf[8]++;
	assert_int_equal(decode_kitchen(len + 1, &d),
	                 -CIDL_EBADMSG); /* the body one byte too long */
	len = encode_kitchen(&m);
	buf[0] ^= 1;
	assert_int_equal(decode_kitchen(len, &d), -CIDL_EBADMSG);
	len = encode_kitchen(&m);
	buf[2] = 2;
	assert_int_equal(decode_kitchen(len, &d), -CIDL_EPROTONOSUPPORT);
	len = encode_kitchen(&m);
	buf[3] = CIDL_FLAG_REPLY;
	assert_int_equal(decode_kitchen(len, &d), -CIDL_EBADMSG);
	len = encode_kitchen(&m);
	buf[3] = 0x80;
	assert_int_equal(decode_kitchen(len, &d), -CIDL_EBADMSG);
	len = encode_kitchen(&m);
	buf[4] = TEST_ALL_SHARE_ORDINAL;
	assert_int_equal(decode_kitchen(len, &d), -CIDL_EBADMSG);
	len = encode_kitchen(&m);
	buf[15] = 1;
	assert_int_equal(decode_kitchen(len, &d), -CIDL_EBADMSG);
}

/* The body starts with numbers (31 bytes, bool last), then the shapes' count. */
#define OFF_BOOL   (CIDL_HEADER_BYTES + 30)
#define OFF_SHAPES (CIDL_HEADER_BYTES + 31)

static void test_bad_values(void **state)
{
	struct test_all_kitchen_req m, d;
	uint32_t len;

	fill_kitchen(&m);
	len = encode_kitchen(&m);
	buf[OFF_BOOL] = 2;
	assert_int_equal(decode_kitchen(len, &d), -CIDL_EBADMSG);
	len = encode_kitchen(&m);
	buf[OFF_SHAPES] = 5; /* array<shape, 4> */
	assert_int_equal(decode_kitchen(len, &d), -CIDL_EOVERFLOW);
	len = encode_kitchen(&m);
	buf[OFF_SHAPES + 4] = 33; /* name: string<32> */
	assert_int_equal(decode_kitchen(len, &d), -CIDL_EOVERFLOW);
	len = encode_kitchen(&m);
	buf[OFF_SHAPES + 8] = 0xff; /* "tri" is no longer UTF-8 */
	assert_int_equal(decode_kitchen(len, &d), -CIDL_EBADMSG);
	len = encode_kitchen(&m);
	buf[OFF_SHAPES + 11] = 3; /* color 3 is not a member */
	assert_int_equal(decode_kitchen(len, &d), -CIDL_EBADMSG);
}

/* A length within its maximum but past the end of the message. */
static void test_length_past_end(void **state)
{
	struct test_all_kitchen_rep m = { .ok = true, .has_note = true, .note = S("hi") }, d;
	struct cidl_writer w;
	struct cidl_reader r;

	cidl_writer_init(&w, buf, sizeof(buf), NULL, 0);
	assert_int_equal(test_all_kitchen_rep_encode(&w, &m), 0);
	assert_int_equal(w.len, CIDL_HEADER_BYTES + 8);
	buf[CIDL_HEADER_BYTES + 2] = 3;
	cidl_reader_init(&r, buf, w.len, NULL, 0);
	assert_int_equal(test_all_kitchen_rep_decode(&r, &d), -CIDL_ENODATA);
	buf[CIDL_HEADER_BYTES + 2] = 32;
	cidl_reader_init(&r, buf, w.len, NULL, 0);
	assert_int_equal(test_all_kitchen_rep_decode(&r, &d), -CIDL_ENODATA);
	buf[CIDL_HEADER_BYTES + 2] = 1;
	cidl_reader_init(&r, buf, w.len, NULL, 0);
	assert_int_equal(test_all_kitchen_rep_decode(&r, &d), -CIDL_EBADMSG); /* a byte left */
}

static void test_encode_refuses(void **state)
{
	struct test_all_kitchen_req m;
	struct cidl_writer w;

	fill_kitchen(&m);
	m.shapes.items[0].fill = 3;
	cidl_writer_init(&w, buf, sizeof(buf), hx, 0);
	assert_int_equal(test_all_kitchen_req_encode(&w, &m), -CIDL_EINVAL);
	assert_int_equal(w.len, 0);
	fill_kitchen(&m);
	m.shapes.count = 5;
	cidl_writer_init(&w, buf, sizeof(buf), hx, 0);
	assert_int_equal(test_all_kitchen_req_encode(&w, &m), -CIDL_EINVAL);
	fill_kitchen(&m);
	m.words.items[0] = S("\xed\xa0\x80"); /* a surrogate */
	cidl_writer_init(&w, buf, sizeof(buf), hx, 0);
	assert_int_equal(test_all_kitchen_req_encode(&w, &m), -CIDL_EINVAL);
	fill_kitchen(&m);
	cidl_writer_init(&w, buf, 40, hx, 0);
	assert_int_equal(test_all_kitchen_req_encode(&w, &m), -CIDL_ENOSPC);
}

static uint32_t encode_share(struct test_all_share_req *m, struct cidl_writer *w)
{
	cidl_writer_init(w, buf, sizeof(buf), hx, TEST_ALL_MAX_HANDLES);
	assert_int_equal(test_all_share_req_encode(w, m), 0);
	for (uint32_t i = 0; i < w->nhandles; i++)
		hx[i].rights = CAIRN_RIGHTS_ALL; /* as a read reports them */
	return w->len;
}

static int decode_share(uint32_t len, uint32_t nh, struct test_all_share_req *d)
{
	struct cidl_reader r;

	cidl_reader_init(&r, buf, len, hx, nh);
	return test_all_share_req_decode(&r, d);
}

static void test_handles(void **state)
{
	struct test_all_share_req m = { .memory = 10, .peer = CIDL_HANDLE_NONE, .anything = 12 };
	struct test_all_share_req d;
	struct cidl_writer w;
	uint32_t len;

	m.more.count = 1;
	m.more.items[0] = 13;
	len = encode_share(&m, &w);
	assert_int_equal(w.nhandles, 3);
	assert_int_equal(hx[0].handle, 10);
	assert_int_equal(hx[0].type, CAIRN_OBJ_VMO);
	assert_int_equal(hx[1].type, 0);
	hx[1].type = CAIRN_OBJ_PROCESS;
	assert_int_equal(decode_share(len, 3, &d), 0);
	assert_int_equal(d.memory, 10);
	assert_int_equal(d.peer, CIDL_HANDLE_NONE);
	assert_int_equal(d.more.items[0], 13);

	assert_int_equal(decode_share(len, 2, &d), -CIDL_EBADF); /* index past the array */
	assert_int_equal(decode_share(len, 4, &d), -CIDL_EBADF); /* one handle unused */
	hx[0].rights = CAIRN_RIGHT_READ;                         /* no MAP */
	assert_int_equal(decode_share(len, 3, &d), -CIDL_EACCES);
	len = encode_share(&m, &w);
	hx[2].type = CAIRN_OBJ_CHANNEL; /* more[] needs a vmo */
	assert_int_equal(decode_share(len, 3, &d), -CIDL_EACCES);
	len = encode_share(&m, &w);
	buf[CIDL_HEADER_BYTES + 8] = 0; /* anything: index 0 again */
	assert_int_equal(decode_share(len, 3, &d), -CIDL_EBADF);
	len = encode_share(&m, &w);
	memset(buf + CIDL_HEADER_BYTES, 0xff, 4); /* memory is not optional */
	assert_int_equal(decode_share(len, 3, &d), -CIDL_EBADF);
	m.memory = CIDL_HANDLE_NONE;
	cidl_writer_init(&w, buf, sizeof(buf), hx, TEST_ALL_MAX_HANDLES);
	assert_int_equal(test_all_share_req_encode(&w, &m), -CIDL_EINVAL);
	m.memory = 10;
	cidl_writer_init(&w, buf, sizeof(buf), hx, 2);
	assert_int_equal(test_all_share_req_encode(&w, &m), -CIDL_ENOSPC);
}

static void test_error_reply(void **state)
{
	struct test_all_ping_rep rep;
	struct cidl_writer w;
	struct cidl_reader r;

	cidl_writer_init(&w, buf, sizeof(buf), NULL, 0);
	assert_int_equal(cidl_encode_error(&w, TEST_ALL_PING_ORDINAL, 1, -CIDL_EOPNOTSUPP), 0);
	cidl_reader_init(&r, buf, w.len, NULL, 0);
	assert_int_equal(test_all_ping_rep_decode(&r, &rep), -CIDL_EOPNOTSUPP);
	memset(buf + CIDL_HEADER_BYTES, 0, 4); /* -errno 0 is no error */
	cidl_reader_init(&r, buf, w.len, NULL, 0);
	assert_int_equal(test_all_ping_rep_decode(&r, &rep), -CIDL_EBADMSG);
	cidl_writer_init(&w, buf, sizeof(buf), NULL, 0);
	assert_int_equal(cidl_encode_error(&w, TEST_ALL_PING_ORDINAL, 1, 5), -CIDL_EINVAL);
}

static void test_utf8(void **state)
{
	assert_true(cidl_utf8_valid((const uint8_t *)"", 0));
	assert_true(cidl_utf8_valid((const uint8_t *)"\xf0\x9f\x98\x80", 4));
	assert_false(cidl_utf8_valid((const uint8_t *)"\xc0\x80", 2));         /* overlong */
	assert_false(cidl_utf8_valid((const uint8_t *)"\xe0\x80\x80", 3));     /* overlong */
	assert_false(cidl_utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	assert_false(cidl_utf8_valid((const uint8_t *)"\xe2\x82", 2));         /* cut short */
	assert_false(cidl_utf8_valid((const uint8_t *)"\x80", 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_trailing_and_header),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_length_past_end),
		cmocka_unit_test(test_encode_refuses),
		cmocka_unit_test(test_handles),
		cmocka_unit_test(test_error_reply),
		cmocka_unit_test(test_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
