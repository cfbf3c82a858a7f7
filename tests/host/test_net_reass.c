/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/net/reass.c: datagrams cut into fragments and fed in
 * order, reversed, shuffled and duplicated must come out byte for byte
 * with a fixed header; overlaps with other bytes, sizes past 65535,
 * fragments of the wrong size, timeouts, the datagram and memory limits
 * and a failing allocator must each drop exactly what the rules say, and
 * every byte allocated must be given back.
 */
#include <cairn/errno.h>

#include <lib/net/reass.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

#define S   1000000000ull
#define SRC 0xc0a80701u
#define DST 0xc0a80702u

struct env {
	struct reass r;
	long live;      /* allocations not yet freed */
	size_t bytes;   /* bytes not yet freed */
	int fail_after; /* allocations left before failing; -1: never */
	unsigned timeouts;
	uint8_t frag[20 + 65536];
	uint8_t out[65536 + 60];
};

static void *e_alloc(void *ctx, size_t n)
{
	struct env *e = ctx;

	if (e->fail_after == 0)
		return NULL;
	if (e->fail_after > 0)
		e->fail_after--;
	e->live++;
	e->bytes += n;
	return malloc(n);
}

static void e_free(void *ctx, void *p, size_t n)
{
	struct env *e = ctx;

	e->live--;
	e->bytes -= n;
	free(p);
}

static void e_timeout(void *ctx, const uint8_t *hdr, size_t len)
{
	struct env *e = ctx;
	struct ip4_view v;

	/* The quote is a parseable header with up to 8 bytes after it. */
	assert_true(len >= 20 && len <= 28);
	assert_int_equal(ip4_parse(hdr, len, false, &v), 0);
	assert_int_equal(v.id, 11);
	e->timeouts++;
}

static const struct reass_ops ops = { .alloc = e_alloc, .free = e_free, .timeout = e_timeout };

static uint8_t payload[65536];

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	e->fail_after = -1;
	reass_init(&e->r, &ops, e, 256 * 1024, 8, 30 * S);
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + (i >> 8));
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	reass_flush(&e->r);
	assert_int_equal(e->live, 0);
	assert_int_equal(e->bytes, 0);
	assert_int_equal(e->r.mem, 0);
	free(e);
	return 0;
}

/*
 * Feed the fragment of datagram @id holding payload bytes [off, off+len)
 * (with MF unless @last) from @data; returns reass_add()'s result and, on
 * 1, checks and releases the datagram against payload[0, total).
 */
static int feed_data(struct env *e, uint16_t id, unsigned off, unsigned len, bool last,
                     const uint8_t *data, uint64_t now)
{
	struct ip4_view v;
	struct reass_dgram *d = NULL;
	int rc;

	ip4_build(e->frag, (uint16_t)(20 + len), id, (uint16_t)((last ? 0 : IP4_MF) | (off / 8)),
	          64, IPPROTO_UDP, SRC, DST);
	memcpy(e->frag + 20, data, len);
	assert_int_equal(ip4_parse(e->frag, 20 + len, false, &v), 0);
	rc = reass_add(&e->r, &v, now, &d);
	if (rc == 1) {
		size_t n = reass_len(d);
		struct ip4_view w;

		reass_copy(d, e->out);
		assert_int_equal(ip4_parse(e->out, n, false, &w), 0);
		assert_false(ip4_is_fragment(&w));
		assert_int_equal(w.id, id);
		assert_memory_equal(w.payload, payload, w.len);
		reass_release(&e->r, d);
		return (int)w.len + 1000000; /* the length, tagged */
	}
	return rc;
}

static int feed(struct env *e, uint16_t id, unsigned off, unsigned len, bool last, uint64_t now)
{
	return feed_data(e, id, off, len, last, payload + off, now);
}

#define DONE(len) ((int)(len) + 1000000)

static void test_in_order_and_reversed(void **state)
{
	struct env *e = *state;

	assert_int_equal(feed(e, 1, 0, 1480, false, 0), 0);
	assert_int_equal(feed(e, 1, 1480, 1480, false, 0), 0);
	assert_int_equal(feed(e, 1, 2960, 100, true, 0), DONE(3060));
	assert_int_equal(feed(e, 2, 2960, 3, true, 0), 0);
	assert_int_equal(feed(e, 2, 1480, 1480, false, 0), 0);
	assert_true(reass_busy(&e->r));
	assert_int_equal(feed(e, 2, 0, 1480, false, 0), DONE(2963));
	assert_false(reass_busy(&e->r));
	assert_int_equal(e->r.stats.oks, 2);
	assert_int_equal(e->live, 0);
}

static void test_shuffled_dups_and_max(void **state)
{
	struct env *e = *state;
	unsigned order[45], n = 45;
	int last = 0;

	/* 65515 bytes of payload: the largest datagram, 44 fragments of 1480 and a tail. */
	for (unsigned i = 0; i < n; i++)
		order[i] = i;
	srand(14);
	for (unsigned i = n - 1; i > 0; i--) {
		unsigned j = (unsigned)rand() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (unsigned k = 0; k < n; k++) {
		unsigned i = order[k], off = i * 1480, len = i == 44 ? 65515 - off : 1480;

		/* Each fragment twice, except that the very last feed completes it. */
		if (k + 1 < n)
			assert_int_equal(feed(e, 9, off, len, i == 44, 0), 0);
		last = feed(e, 9, off, len, i == 44, 0);
	}
	assert_int_equal(last, DONE(65515));
	/* One byte more is too big. */
	assert_int_equal(feed(e, 10, 65512, 4, true, 0), -EINVAL);
	assert_int_equal(feed(e, 10, 65512, 3, true, 0), 0);
}

static void test_overlaps(void **state)
{
	struct env *e = *state;
	uint8_t bad[800];

	/* An overlap with the same bytes is a partial retransmission: fine. */
	assert_int_equal(feed(e, 3, 0, 800, false, 0), 0);
	assert_int_equal(feed(e, 3, 400, 800, false, 0), 0);
	assert_int_equal(feed(e, 3, 1200, 8, true, 0), DONE(1208));
	/* With other bytes: the whole datagram goes. */
	memcpy(bad, payload + 400, 800);
	bad[399] ^= 0xff; /* byte 799, inside the first fragment */
	assert_int_equal(feed(e, 4, 0, 800, false, 0), 0);
	assert_int_equal(feed_data(e, 4, 400, 800, false, bad, 0), -EBADMSG);
	assert_int_equal(e->r.stats.overlaps, 1);
	assert_false(reass_busy(&e->r));
	/* The later fragments start a new datagram that never completes. */
	assert_int_equal(feed(e, 4, 800, 8, true, 0), 0);
	/* A tiny fragment rewriting the first 8 bytes (RFC 1858's attack) is refused. */
	memcpy(bad, payload, 8);
	bad[2] ^= 1;
	assert_int_equal(feed(e, 5, 0, 16, false, 0), 0);
	assert_int_equal(feed_data(e, 5, 0, 8, false, bad, 0), -EBADMSG);
}

static void test_bad_fragments(void **state)
{
	struct env *e = *state;

	/* Not a multiple of 8 before the end, or empty with MF. */
	assert_int_equal(feed(e, 6, 0, 13, false, 0), -EINVAL);
	assert_int_equal(feed(e, 6, 0, 0, false, 0), -EINVAL);
	assert_int_equal(e->r.stats.bad, 2);
	assert_false(reass_busy(&e->r));
	/* Against the known end: past it, or another end. */
	assert_int_equal(feed(e, 6, 16, 16, true, 0), 0);
	assert_int_equal(feed(e, 6, 24, 16, false, 0), -EINVAL);
	assert_int_equal(feed(e, 6, 16, 8, true, 0), -EINVAL);
	/* An end before bytes already held. */
	assert_int_equal(feed(e, 7, 64, 16, false, 0), 0);
	assert_int_equal(feed(e, 7, 40, 8, true, 0), -EINVAL);
	/* The rest still completes datagram 6; an empty last fragment works. */
	assert_int_equal(feed(e, 6, 0, 16, false, 0), DONE(32));
	assert_int_equal(feed(e, 8, 0, 16, false, 0), 0);
	assert_int_equal(feed(e, 8, 16, 0, true, 0), DONE(16));
}

static void test_timeout(void **state)
{
	struct env *e = *state;

	assert_int_equal(feed(e, 11, 0, 8, false, 10 * S), 0);
	assert_int_equal(feed(e, 12, 8, 8, false, 20 * S), 0);
	reass_tick(&e->r, 39 * S);
	assert_int_equal(e->r.stats.timeouts, 0);
	reass_tick(&e->r, 40 * S);
	assert_int_equal(e->r.stats.timeouts, 1);
	assert_int_equal(e->timeouts, 1); /* it had its first fragment: quoted */
	reass_tick(&e->r, 50 * S);
	assert_int_equal(e->r.stats.timeouts, 2);
	assert_int_equal(e->timeouts, 1); /* no first fragment: nothing to quote */
	assert_false(reass_busy(&e->r));
}

static void test_limits(void **state)
{
	struct env *e = *state;

	/* Nine datagrams with room for eight: the oldest goes. */
	for (uint16_t id = 100; id < 109; id++)
		assert_int_equal(feed(e, id, 0, 8, false, id), 0);
	assert_int_equal(e->r.ndgrams, 8);
	assert_int_equal(e->r.stats.evicted, 1);
	assert_int_equal(feed(e, 100, 8, 8, true, 200), 0); /* id 100 started over */
	assert_int_equal(feed(e, 101, 8, 8, true, 200), 0); /* evicted 101 meanwhile */
	assert_int_equal(feed(e, 108, 8, 8, true, 200), DONE(16));
	reass_flush(&e->r);
	/* Memory: a small limit holds one big datagram at a time. */
	reass_init(&e->r, &ops, e, 40000, 8, 30 * S);
	assert_int_equal(feed(e, 20, 0, 20000, false, 0), 0);
	assert_int_equal(feed(e, 21, 0, 20000, false, 1), 0);
	assert_true(e->r.mem <= 40000);
	assert_int_equal(e->r.ndgrams, 1);
	/* A datagram bigger than the limit alone is dropped, nothing else evicted. */
	assert_int_equal(feed(e, 21, 20000, 20000, false, 2), -ENOMEM);
	assert_int_equal(e->r.ndgrams, 0);
	assert_true(e->r.mem == 0);
}

static void test_alloc_failure(void **state)
{
	struct env *e = *state;

	e->fail_after = 0;
	assert_int_equal(feed(e, 30, 0, 8, false, 0), -ENOMEM);
	e->fail_after = 1; /* the datagram, not its fragment */
	assert_int_equal(feed(e, 30, 0, 8, false, 0), -ENOMEM);
	assert_false(reass_busy(&e->r));
	e->fail_after = -1;
	assert_int_equal(feed(e, 30, 0, 8, false, 0), 0);
	assert_int_equal(feed(e, 30, 8, 8, true, 0), DONE(16));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_in_order_and_reversed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shuffled_dups_and_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlaps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_fragments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_failure, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
