/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/buddy, setting up and the shape of what it hands out:
 * parameters, splitting ranges into maximal aligned blocks, merging ranges
 * added in pieces, fresh blocks, alignment, exhaustion and the largest
 * order. The simulated machine is tests/host/buddy_helpers.h; random sequences
 * are in test_buddy_random.c, bad frees and damage in test_buddy_damage.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

/* The code under test. */
#include <cairn/errno.h>

#include <lib/buddy/buddy.h>

#include "buddy_helpers.h"

static void test_init_rejects_bad_params(void **state)
{
	struct buddy b;
	struct buddy_node nodes[16] = { 0 };
	struct buddy_params p = { 0, 16, nodes, sizeof(nodes[0]) };

	assert_int_equal(buddy_init(&b, &p), 0);
	p.nodes = NULL;
	assert_int_equal(buddy_init(&b, &p), -EINVAL);
	p.nodes = nodes;
	p.stride = sizeof(nodes[0]) - 1;
	assert_int_equal(buddy_init(&b, &p), -EINVAL);
	p.stride = sizeof(nodes[0]);
	p.base_pfn = BUDDY_PFN_LIMIT - 8;
	assert_int_equal(buddy_init(&b, &p), -EINVAL);
	p.base_pfn = UINT64_MAX - 4;
	assert_int_equal(buddy_init(&b, &p), -EINVAL);
	p.base_pfn = 0;
	p.npages = BUDDY_MAX_NPAGES + 1; /* too many for 32-bit links; nothing is written */
	assert_int_equal(buddy_init(&b, &p), -EINVAL);
	assert_int_equal(buddy_init(&b, NULL), -EINVAL);

	/* An empty allocator is valid and has nothing to give. */
	p = (struct buddy_params){ 100, 0, NULL, sizeof(nodes[0]) };
	assert_int_equal(buddy_init(&b, &p), 0);
	assert_int_equal(buddy_alloc(&b, 0), BUDDY_NONE);
	assert_int_equal(buddy_add_free_range(&b, 100, 1), -EINVAL);
	assert_int_equal(buddy_check(&b), 0);
}

/* Expected free blocks per order when [pfn, pfn + n) is split into maximal aligned blocks. */
static void expected_split(uint64_t pfn, uint64_t n, uint64_t *blocks)
{
	uint64_t end = pfn + n;

	while (pfn < end) {
		unsigned k = 0;

		while (k < BUDDY_MAX_ORDER && (pfn % (2ull << k)) == 0 && pfn + (2ull << k) <= end)
			k++;
		blocks[k]++;
		pfn += 1ull << k;
	}
}

static void test_add_range_splits_maximal(void **state)
{
	struct sim *s = sim_new(0, 4096);
	uint64_t want[BUDDY_ORDERS] = { 0 };
	struct buddy_stats st;

	assert_int_equal(buddy_add_free_range(&s->b, 3, 3000), 0);
	expected_split(3, 3000, want);
	st = stats(s);
	assert_int_equal(st.total, 3000);
	assert_int_equal(st.free, 3000);
	for (unsigned k = 0; k < BUDDY_ORDERS; k++)
		assert_int_equal(st.free_blocks[k], want[k]);
	sim_check(s);

	/* Overlapping, out-of-range and wrapping ranges change nothing. */
	assert_int_equal(buddy_add_free_range(&s->b, 2, 2), -EINVAL);
	assert_int_equal(buddy_add_free_range(&s->b, 0, 5), -EINVAL); /* 0-2 new, 3-4 not */
	assert_int_equal(buddy_add_free_range(&s->b, 3002, 10), -EINVAL);
	assert_int_equal(buddy_add_free_range(&s->b, 4000, 97), -EINVAL);
	assert_int_equal(buddy_add_free_range(&s->b, 4095, UINT64_MAX), -EINVAL);
	assert_int_equal(buddy_add_free_range(&s->b, 5000, 1), -EINVAL);
	assert_int_equal(buddy_add_free_range(&s->b, 0, 0), 0);
	st = stats(s);
	assert_int_equal(st.total, 3000);
	assert_int_equal(st.free, 3000);
	sim_check(s);

	/* Filling the gaps merges everything into 4 MiB blocks. */
	assert_int_equal(buddy_add_free_range(&s->b, 0, 3), 0);
	assert_int_equal(buddy_add_free_range(&s->b, 3003, 1093), 0);
	st = stats(s);
	assert_int_equal(st.free, 4096);
	assert_int_equal(st.free_blocks[BUDDY_MAX_ORDER], 4);
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++)
		assert_int_equal(st.free_blocks[k], 0);
	sim_check(s);
	sim_free(s);
}

/* The free-list heads, to see whether an operation touched any list. */
static void heads(const struct sim *s, uint64_t *out)
{
	for (unsigned k = 0; k < BUDDY_ORDERS; k++)
		out[k] = s->b.free_head[k];
}

/* Setting up links none of the largest blocks of a long run: they stay fresh. */
static void test_fresh_blocks_unlinked(void **state)
{
	struct sim *s = sim_new(0, 16 * 1024 + 5);
	struct buddy_stats start, now;
	uint64_t big[16], small, before[BUDDY_ORDERS], after[BUDDY_ORDERS];

	assert_int_equal(buddy_add_free_range(&s->b, 5, 16 * 1024), 0);
	start = stats(s);
	assert_int_equal(start.free_blocks[BUDDY_MAX_ORDER], 15);
	/* The 15 whole 4 MiB blocks are free but on no list. */
	assert_int_equal(s->b.free_head[BUDDY_MAX_ORDER], BUDDY_NONE);
	heads(s, before);
	big[0] = alloc_block(s, BUDDY_MAX_ORDER);
	heads(s, after);
	assert_memory_equal(before, after, sizeof(before));
	small = alloc_block(s, 0);
	assert_true(small < 1024 || small >= 16 * 1024); /* from the ragged ends, not a big block */
	for (int i = 1; i < 15; i++)
		big[i] = alloc_block(s, BUDDY_MAX_ORDER);
	assert_int_equal(alloc_block(s, BUDDY_MAX_ORDER), BUDDY_NONE);
	sim_check(s);
	for (int i = 0; i < 15; i++)
		free_block(s, big[i], BUDDY_MAX_ORDER);
	free_block(s, small, 0);
	now = stats(s);
	assert_same_stats(&start, &now);
	sim_check(s);
	sim_free(s);
}

/* Adding a range in pieces, in any order, ends in the same state as adding it at once. */
static void test_add_in_pieces_merges(void **state)
{
	struct sim *one = sim_new(1000, 2500), *many = sim_new(1000, 2500);
	uint64_t cuts[] = { 1000, 1001, 1017, 1500, 1999, 2048, 2049, 3000, 3500 };
	struct buddy_stats a, b;

	assert_int_equal(buddy_add_free_range(&one->b, 1000, 2500), 0);
	for (int i = 7; i >= 0; i -= 2)
		assert_int_equal(buddy_add_free_range(&many->b, cuts[i], cuts[i + 1] - cuts[i]), 0);
	for (int i = 6; i >= 0; i -= 2)
		assert_int_equal(buddy_add_free_range(&many->b, cuts[i], cuts[i + 1] - cuts[i]), 0);
	a = stats(one);
	b = stats(many);
	assert_same_stats(&a, &b);
	for (uint64_t p = 1000; p < 3500; p++)
		assert_int_equal(sim_node(one, p)->meta, sim_node(many, p)->meta);
	sim_check(many);
	sim_free(one);
	sim_free(many);
}

static void test_alignment_and_exhaustion(void **state)
{
	/* An unaligned base: blocks must be aligned in absolute frame numbers. */
	struct sim *s = sim_new(0x1003, 5000);
	struct buddy_stats start;
	uint64_t *got = calloc(5000, sizeof(*got));

	assert_int_equal(buddy_add_free_range(&s->b, 0x1003, 5000), 0);
	start = stats(s);
	for (unsigned order = 0; order <= BUDDY_MAX_ORDER; order++) {
		uint64_t n = 0, pfn, frames = 0;

		while ((pfn = alloc_block(s, order)) != BUDDY_NONE) {
			got[n++] = pfn;
			frames += 1ull << order;
		}
		/* Exhaustion: every block of this order or larger is gone. */
		for (unsigned k = order; k < BUDDY_ORDERS; k++)
			assert_int_equal(stats(s).free_blocks[k], 0);
		assert_int_equal(stats(s).free + frames, 5000);
		sim_check(s);
		while (n)
			free_block(s, got[--n], order);
		struct buddy_stats now = stats(s);
		assert_same_stats(&start, &now);
	}
	assert_int_equal(buddy_alloc(&s->b, BUDDY_MAX_ORDER + 1), BUDDY_NONE);
	free(got);
	sim_free(s);
}

static void test_max_order_blocks(void **state)
{
	struct sim *s = sim_new(0, 3 * 1024 + 7);
	uint64_t a, b, c;

	assert_int_equal(buddy_add_free_range(&s->b, 0, 3 * 1024 + 7), 0);
	assert_int_equal(stats(s).free_blocks[BUDDY_MAX_ORDER], 3);
	a = alloc_block(s, BUDDY_MAX_ORDER);
	b = alloc_block(s, BUDDY_MAX_ORDER);
	c = alloc_block(s, BUDDY_MAX_ORDER);
	assert_true(a != BUDDY_NONE && b != BUDDY_NONE && c != BUDDY_NONE);
	assert_int_equal(alloc_block(s, BUDDY_MAX_ORDER), BUDDY_NONE);
	assert_int_equal(alloc_block(s, 3), BUDDY_NONE);
	assert_int_equal(stats(s).free, 7);
	free_block(s, b, BUDDY_MAX_ORDER);
	free_block(s, a, BUDDY_MAX_ORDER);
	free_block(s, c, BUDDY_MAX_ORDER);
	assert_int_equal(stats(s).free_blocks[BUDDY_MAX_ORDER], 3);
	sim_check(s);
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_rejects_bad_params),
		cmocka_unit_test(test_add_range_splits_maximal),
		cmocka_unit_test(test_add_in_pieces_merges),
		cmocka_unit_test(test_fresh_blocks_unlinked),
		cmocka_unit_test(test_alignment_and_exhaustion),
		cmocka_unit_test(test_max_order_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
