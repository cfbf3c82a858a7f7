/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/buddy under use: random sequences of allocations and
 * frees with fixed seeds (every block merges back to the starting state),
 * exact-size runs, and buddy_is_free() against the shadow map. The
 * simulated machine is tests/host/buddy_helpers.h.
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

/* Allocate blocks of random orders, free them in random order: all merges back. */
static void test_merge_back_to_initial(void **state)
{
	struct sim *s = sim_new(0, 4096);
	struct buddy_stats start, end;
	uint64_t pfns[600], rng = 0x2545f4914f6cdd1dull;
	unsigned orders[600], n = 0;

	assert_int_equal(buddy_add_free_range(&s->b, 1, 4090), 0);
	start = stats(s);
	while (n < 600) {
		unsigned order = (unsigned)(rnd(&rng) % 4);
		uint64_t pfn = alloc_block(s, order);

		if (pfn == BUDDY_NONE)
			break;
		pfns[n] = pfn;
		orders[n++] = order;
	}
	assert_true(n > 300);
	while (n) {
		unsigned i = (unsigned)(rnd(&rng) % n);

		free_block(s, pfns[i], orders[i]);
		pfns[i] = pfns[--n];
		orders[i] = orders[n];
	}
	end = stats(s);
	assert_same_stats(&start, &end);
	sim_check(s);
	sim_free(s);
}

/* Run 20000 random steps from @seed, checking the books every 97 steps. */
static void random_run(uint64_t seed)
{
	struct sim *s = sim_new(0x40, 6000);
	struct held h[1000];
	struct buddy_stats start, end;
	unsigned n = 0;
	uint64_t held, rng = seed;

	assert_int_equal(buddy_add_free_range(&s->b, 0x41, 2000), 0);
	assert_int_equal(buddy_add_free_range(&s->b, 0x41 + 2100, 3800), 0);
	start = stats(s);
	for (unsigned step = 0; step < 20000; step++) {
		random_step(s, &rng, h, &n, 1000);
		if (step % 97 == 0) {
			held = 0;
			for (unsigned i = 0; i < n; i++)
				held += h[i].count;
			assert_int_equal(stats(s).free + held, start.total);
			sim_check(s);
		}
	}
	while (n)
		give_held(s, &h[--n]);
	end = stats(s);
	assert_same_stats(&start, &end);
	sim_check(s);
	sim_free(s);
}

static void test_random_sequences(void **state)
{
	static const uint64_t seeds[] = { 1, 0x9e3779b97f4a7c15ull, 12345, 0xcafef00dull };

	for (unsigned r = 0; r < sizeof(seeds) / sizeof(seeds[0]); r++)
		random_run(seeds[r]);
}

/* Every count from 1 to 1024 (sampled past 70): exactly that many frames, tail free. */
static void exact_counts(struct sim *s, const struct buddy_stats *start)
{
	struct buddy_stats now;
	uint64_t pfn;

	for (uint64_t count = 1; count <= 1024; count += (count < 70 ? 1 : 37)) {
		unsigned order = 0;

		while ((1ull << order) < count)
			order++;
		pfn = buddy_alloc_exact(&s->b, count);
		assert_int_not_equal(pfn, BUDDY_NONE);
		assert_int_equal(pfn & ((1ull << order) - 1), 0);
		take(s, pfn, count);
		/* Exactly @count frames are gone, and the tail is free. */
		assert_int_equal(stats(s).free, start->free - count);
		if (count < (1ull << order))
			assert_true(buddy_is_free(&s->b, pfn + count));
		sim_check(s);
		/* A count that does not match the pieces is refused. */
		if (count > 2 && (count & 1))
			assert_int_equal(buddy_free_exact(&s->b, pfn, count + 1), -EINVAL);
		give(s, pfn, count);
		assert_int_equal(buddy_free_exact(&s->b, pfn, count), 0);
		now = stats(s);
		assert_same_stats(start, &now);
	}
}

static void test_exact_allocation(void **state)
{
	struct sim *s = sim_new(0, 2048);
	struct buddy_stats start, now;
	uint64_t pfn, runs[700], n = 0;

	assert_int_equal(buddy_add_free_range(&s->b, 0, 2048), 0);
	start = stats(s);
	exact_counts(s, &start);
	pfn = buddy_alloc_exact(&s->b, 1024);
	assert_int_equal(pfn & 1023, 0);
	assert_int_equal(buddy_free_exact(&s->b, pfn, 1024), 0);
	assert_int_equal(buddy_alloc_exact(&s->b, 0), BUDDY_NONE);
	assert_int_equal(buddy_alloc_exact(&s->b, 1025), BUDDY_NONE);

	/* Runs of three pack four frames' worth of space with one frame to spare each. */
	while ((pfn = buddy_alloc_exact(&s->b, 3)) != BUDDY_NONE) {
		take(s, pfn, 3);
		runs[n++] = pfn;
	}
	assert_int_equal(n, 512);
	assert_int_equal(stats(s).free, 512);
	while (n) {
		give(s, runs[--n], 3);
		assert_int_equal(buddy_free_exact(&s->b, runs[n], 3), 0);
	}
	now = stats(s);
	assert_same_stats(&start, &now);
	sim_free(s);
}

/* An exact run of a power of two is the same allocation as a block of that order. */
static void test_exact_power_of_two_is_a_block(void **state)
{
	struct sim *s = sim_new(0, 64);
	uint64_t pfn;

	assert_int_equal(buddy_add_free_range(&s->b, 0, 64), 0);
	pfn = buddy_alloc_exact(&s->b, 8);
	assert_true(buddy_is_allocated(&s->b, pfn, 3));
	assert_int_equal(buddy_free(&s->b, pfn, 3), 0);
	pfn = buddy_alloc(&s->b, 2);
	assert_int_equal(buddy_free_exact(&s->b, pfn, 4), 0);
	assert_int_equal(stats(s).free, 64);
	sim_check(s);
	sim_free(s);
}

static void test_is_free_matches_shadow(void **state)
{
	struct sim *s = sim_new(7, 3000);
	struct held h[300];
	unsigned n = 0;
	uint64_t rng = 77;

	assert_int_equal(buddy_add_free_range(&s->b, 10, 2900), 0);
	for (int step = 0; step < 3000; step++)
		random_step(s, &rng, h, &n, 300);
	for (uint64_t p = 0; p < 3010; p++) {
		bool in = p >= 10 && p < 2910;
		bool owned = p >= 7 && p < 3007 && s->owned[p - 7];

		assert_int_equal(buddy_is_free(&s->b, p), in && !owned);
	}
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_back_to_initial),
		cmocka_unit_test(test_random_sequences),
		cmocka_unit_test(test_exact_allocation),
		cmocka_unit_test(test_exact_power_of_two_is_a_block),
		cmocka_unit_test(test_is_free_matches_shadow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
