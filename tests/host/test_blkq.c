/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/blkq: the range check at the device's edges and with
 * values that would overflow, the merge rule against each limit, and the
 * split of oversized requests compared with a brute-force model on random
 * piece lists.
 */
#include <lib/blkq/blkq.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

static void test_range(void **state)
{
	(void)state;
	assert_true(blkq_range_ok(0, 512, 1, 512));
	assert_false(blkq_range_ok(0, 1024, 1, 512));
	assert_true(blkq_range_ok(1, 0, 1, 512));
	assert_false(blkq_range_ok(2, 0, 1, 512));
	assert_false(blkq_range_ok(0, 100, 8, 512));
	/* A 4 KiB device: sectors and lengths in multiples of 8 sectors. */
	assert_true(blkq_range_ok(8, 4096, 16, 4096));
	assert_false(blkq_range_ok(4, 4096, 16, 4096));
	assert_false(blkq_range_ok(0, 2048, 16, 4096));
	assert_false(blkq_range_ok(8, 8192, 16, 4096));
	/* Sums that would wrap around 2^64. */
	assert_false(blkq_range_ok(UINT64_MAX - 1, 1024, UINT64_MAX, 512));
	assert_false(blkq_range_ok(0, UINT64_MAX - 511, 1000, 512));
	/* Bad block sizes. */
	assert_false(blkq_range_ok(0, 512, 8, 0));
	assert_false(blkq_range_ok(0, 768, 8, 768));
	assert_false(blkq_range_ok(0, 256, 8, 256));
}

static struct blkq_req req(uint64_t sector, uint64_t bytes, uint32_t nvec)
{
	return (struct blkq_req){ .sector = sector, .bytes = bytes, .nvec = nvec, .data = true };
}

static void test_merge(void **state)
{
	struct blkq_limits none = { 512, 0, 0 }, lim = { 512, 8192, 3 };
	struct blkq_req a = req(10, 1024, 1), b = req(12, 4096, 1), c;

	(void)state;
	assert_true(blkq_can_append(&a, &b, &none));
	assert_false(blkq_can_append(&b, &a, &none)); /* b does not end where a starts */
	c = req(13, 512, 1);
	assert_false(blkq_can_append(&a, &c, &none)); /* a gap */
	c = req(11, 512, 1);
	assert_false(blkq_can_append(&a, &c, &none)); /* an overlap */
	c = b;
	c.op = 1;
	assert_false(blkq_can_append(&a, &c, &none));
	c = b;
	c.flags = 1;
	assert_false(blkq_can_append(&a, &c, &none));
	c = b;
	c.data = false;
	assert_false(blkq_can_append(&a, &c, &none));
	/* Limits: exactly at max_bytes merges, one block over does not. */
	c = req(12, 7168, 1);
	assert_true(blkq_can_append(&a, &c, &lim));
	c = req(12, 7680, 1);
	assert_false(blkq_can_append(&a, &c, &lim));
	c = req(12, 512, 2);
	assert_true(blkq_can_append(&a, &c, &lim));
	c = req(12, 512, 3);
	assert_false(blkq_can_append(&a, &c, &lim));
	/* A first request already over the limit (never from the kernel) still says no. */
	a = req(0, 16384, 1);
	c = req(32, 512, 1);
	assert_false(blkq_can_append(&a, &c, &lim));
	a = req(UINT64_MAX - 1, 1024, 1);
	c = req(0, 512, 1);
	assert_false(blkq_can_append(&a, &c, &none));
}

static void test_split_simple(void **state)
{
	struct blkq_vec v[4] = { { 0, 4096 }, { 0, 4096 }, { 0, 4096 }, { 0, 4096 } };
	struct blkq_limits l = { 512, 8192, 0 };
	uint64_t bytes;

	(void)state;
	assert_int_equal(blkq_split(v, 4, &l, &bytes), 2);
	assert_int_equal(bytes, 8192);
	l = (struct blkq_limits){ 512, 0, 3 };
	assert_int_equal(blkq_split(v, 4, &l, &bytes), 3);
	assert_int_equal(bytes, 12288);
	l = (struct blkq_limits){ 512, 0, 0 };
	assert_int_equal(blkq_split(v, 4, &l, &bytes), 4);
	assert_int_equal(bytes, 16384);
	/* A piece bigger than max_bytes cannot be cut. */
	l = (struct blkq_limits){ 512, 2048, 0 };
	assert_int_equal(blkq_split(v, 4, &l, &bytes), 0);
	/* Halves of a 4 KiB block: the cut backs off to a block boundary. */
	struct blkq_vec h[3] = { { 0, 2048 }, { 0, 2048 }, { 0, 2048 } };
	l = (struct blkq_limits){ 4096, 0, 3 };
	assert_int_equal(blkq_split(h, 3, &l, &bytes), 2);
	assert_int_equal(bytes, 4096);
	l = (struct blkq_limits){ 4096, 0, 1 };
	assert_int_equal(blkq_split(h, 3, &l, &bytes), 0);
}

/* The model: the longest prefix within the limits whose length is a multiple of lbsize. */
static size_t model_split(const struct blkq_vec *v, size_t n, const struct blkq_limits *l,
                          uint64_t *bytes)
{
	size_t best = 0;
	uint64_t best_bytes = 0;

	for (size_t k = 1; k <= n; k++) {
		uint64_t sum = 0;

		for (size_t i = 0; i < k; i++)
			sum += v[i].len;
		if (l->max_vecs && k > l->max_vecs)
			break;
		if (l->max_bytes && sum > l->max_bytes)
			break;
		if (sum % l->lbsize == 0) {
			best = k;
			best_bytes = sum;
		}
	}
	*bytes = best_bytes;
	return best;
}

static void test_split_random(void **state)
{
	static const uint32_t lens[] = { 512, 1024, 1536, 2048, 3584, 4096 };
	struct blkq_vec v[40];

	(void)state;
	srand(13);
	for (int round = 0; round < 20000; round++) {
		struct blkq_limits l = { rand() % 2 ? 512 : 4096, 0, 0 };
		size_t n = 1 + (size_t)rand() % 40, got, want;
		uint64_t gb = 0, wb = 0;

		for (size_t i = 0; i < n; i++)
			v[i] = (struct blkq_vec){ 0, lens[rand() % 6] };
		if (rand() % 2)
			l.max_bytes = 4096u * (1 + (unsigned)rand() % 16);
		if (rand() % 2)
			l.max_vecs = 1 + (unsigned)rand() % 20;
		got = blkq_split(v, n, &l, &gb);
		want = model_split(v, n, &l, &wb);
		assert_int_equal(got, want);
		if (got)
			assert_int_equal(gb, wb);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_split_simple),
		cmocka_unit_test(test_split_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
