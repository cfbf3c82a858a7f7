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

/* Cut the whole request; check each piece's limits and that the pieces are the bytes in order. */
static unsigned cut_all(const struct blkq_vec *v, size_t n, const struct blkq_limits *l,
                        uint64_t *first_len)
{
	struct blkq_cursor c = { 0, 0 };
	struct blkq_vec out[64];
	uint64_t total = 0, want = 0, len;
	size_t nout, vi = 0;
	uint32_t off = 0;
	unsigned pieces = 0;
	uint32_t lb = l->lbsize;

	for (size_t i = 0; i < n; i++)
		want += v[i].len;
	while ((len = blkq_next_piece(v, n, &c, l, out, &nout))) {
		uint64_t sum = 0;

		if (!pieces)
			*first_len = len;
		assert_true(len % lb == 0);
		assert_true(!l->max_bytes || len <= l->max_bytes);
		assert_true(!l->max_vecs || nout <= l->max_vecs);
		for (size_t k = 0; k < nout; k++) {
			/* Piece k continues the source exactly where the last one stopped. */
			assert_true(vi < n);
			assert_int_equal(out[k].pa, v[vi].pa + off);
			assert_true(out[k].len > 0 && out[k].len <= v[vi].len - off);
			off += out[k].len;
			if (off == v[vi].len) {
				vi++;
				off = 0;
			}
			sum += out[k].len;
		}
		assert_int_equal(sum, len);
		total += len;
		pieces++;
	}
	if (total != want)
		return 0; /* stuck: no cut possible */
	return pieces;
}

static void test_cut_simple(void **state)
{
	struct blkq_vec v[4] = {
		{ 0x10000, 4096 }, { 0x20000, 4096 }, { 0x30000, 4096 }, { 0x40000, 4096 }
	};
	struct blkq_limits l = { 512, 8192, 0 };
	uint64_t first = 0;

	(void)state;
	assert_true(blkq_fits(16384, 4, &(struct blkq_limits){ 512, 0, 0 }));
	assert_false(blkq_fits(16384, 4, &l));
	assert_false(blkq_fits(4096, 4, &(struct blkq_limits){ 512, 0, 3 }));
	assert_int_equal(cut_all(v, 4, &l, &first), 2);
	assert_int_equal(first, 8192);
	l = (struct blkq_limits){ 512, 0, 3 };
	assert_int_equal(cut_all(v, 4, &l, &first), 2);
	assert_int_equal(first, 12288);
	/* Cuts inside pieces: 3000-byte limit gives 2560-byte requests. */
	l = (struct blkq_limits){ 512, 3000, 0 };
	assert_int_equal(cut_all(v, 4, &l, &first), 7);
	assert_int_equal(first, 2560);
	/* Pieces of odd lengths (an unaligned heap buffer) with 4 KiB blocks. */
	struct blkq_vec odd[3] = { { 0x1010, 4080 }, { 0x5000, 4096 }, { 0x9000, 16 } };
	l = (struct blkq_limits){ 4096, 0, 1 };
	assert_int_equal(cut_all(odd, 3, &l, &first), 0); /* one piece never holds a block */
	l = (struct blkq_limits){ 4096, 0, 2 };
	assert_int_equal(cut_all(odd, 3, &l, &first), 2);
	assert_int_equal(first, 4096);
	/* Less than a block in all: nothing to cut. */
	l = (struct blkq_limits){ 4096, 0, 0 };
	assert_int_equal(cut_all(odd, 1, &l, &first), 0);
}

static void test_cut_random(void **state)
{
	struct blkq_vec v[40];

	(void)state;
	srand(13);
	for (int round = 0; round < 20000; round++) {
		struct blkq_limits l = { rand() % 2 ? 512 : 4096, 0, 0 };
		size_t n = 1 + (size_t)rand() % 40;
		uint64_t total = 0, first = 0;
		unsigned pieces;

		for (size_t i = 0; i < n; i++) {
			uint32_t len = 16u * (1 + (uint32_t)rand() % 256);

			v[i] = (struct blkq_vec){
				0x100000ull * (i + 1) + (uint64_t)(rand() % 64) * 16, len
			};
			total += len;
		}
		/* Round the request to whole blocks, as the layer's callers must. */
		v[n - 1].len += (uint32_t)((l.lbsize - total % l.lbsize) % l.lbsize);
		if (rand() % 2)
			l.max_bytes = 4096u * (1 + (unsigned)rand() % 16);
		if (rand() % 2)
			l.max_vecs = 2 + (unsigned)rand() % 20;
		pieces = cut_all(v, n, &l, &first);
		/* The model of the first cut: all that the limits let in, down to a block. */
		uint64_t avail = 0;

		for (size_t i = 0; i < n && (!l.max_vecs || i < l.max_vecs); i++)
			avail += v[i].len;
		if (l.max_bytes && avail > l.max_bytes)
			avail = l.max_bytes;
		avail -= avail % l.lbsize;
		if (pieces)
			assert_int_equal(first, avail);
		else
			assert_true(avail == 0 || first == avail);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_cut_simple),
		cmocka_unit_test(test_cut_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
