/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/radix/radix.c: single values at the edges of each
 * level, random inserts and truncations checked against a plain model (a
 * sorted array of index/value pairs), node counting so no truncation
 * leaks a node, and allocation failures injected in the middle of inserts.
 */
#include <cairn/errno.h>

#include <lib/radix/radix.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

struct pool {
	long live;      /* nodes allocated and not freed */
	long fail_in;   /* fail the allocation after this many more (-1: never) */
	long allocated; /* all allocations that succeeded */
};

static void *pool_alloc(void *ctx)
{
	struct pool *p = ctx;

	if (p->fail_in == 0)
		return NULL;
	if (p->fail_in > 0)
		p->fail_in--;
	p->live++;
	p->allocated++;
	return calloc(1, sizeof(struct radix_node));
}

static void pool_free(void *ctx, void *node)
{
	struct pool *p = ctx;

	p->live--;
	free(node);
}

static struct pool pool;
static const struct radix_alloc alloc = { pool_alloc, pool_free, &pool };

static void reset(struct radix_tree *t)
{
	pool.live = 0;
	pool.fail_in = -1;
	pool.allocated = 0;
	radix_init(t);
}

static uint64_t released_sum;

static void sum_release(void *ctx, uint64_t index, uint64_t val)
{
	(void)ctx;
	assert_int_equal(val, index * 3 + 1);
	released_sum += val;
}

static void test_edges(void **state)
{
	static const uint64_t idx[] = {
		0, 63, 64, 4095, 4096, 262143, 1ull << 40, RADIX_MAX_INDEX
	};
	struct radix_tree t;
	uint64_t i, v;
	size_t k;

	(void)state;
	reset(&t);
	assert_int_equal(radix_lookup(&t, 0), 0);
	assert_false(radix_next(&t, 0, &i, &v));
	for (k = 0; k < sizeof(idx) / sizeof(idx[0]); k++)
		assert_int_equal(radix_insert(&t, idx[k], idx[k] * 3 + 1, &alloc), 0);
	assert_int_equal(radix_insert(&t, 64, 5, &alloc), -EEXIST);
	assert_int_equal(radix_insert(&t, 1, 0, &alloc), -EINVAL);
	assert_int_equal(radix_insert(&t, RADIX_MAX_INDEX + 1, 5, &alloc), -EINVAL);
	for (k = 0; k < sizeof(idx) / sizeof(idx[0]); k++) {
		assert_int_equal(radix_lookup(&t, idx[k]), idx[k] * 3 + 1);
		assert_true(radix_next(&t, idx[k], &i, &v));
		assert_int_equal(i, idx[k]);
		if (idx[k] > 0) {
			assert_true(radix_next(&t, idx[k - 1] + 1, &i, &v));
			assert_int_equal(i, idx[k]);
		}
	}
	assert_int_equal(radix_lookup(&t, 65), 0);
	assert_int_equal(radix_lookup(&t, UINT64_MAX), 0);
	released_sum = 0;
	assert_int_equal(radix_truncate(&t, 4096, &alloc, sum_release, NULL), 4);
	assert_int_equal(t.height, 2);
	assert_int_equal(radix_lookup(&t, 4095), 4095 * 3 + 1);
	assert_int_equal(radix_truncate(&t, 0, &alloc, sum_release, NULL), 4);
	assert_null(t.root);
	assert_int_equal(pool.live, 0);
}

#define MODEL_MAX 2000

struct model {
	uint64_t idx[MODEL_MAX];
	size_t n;
};

static bool model_has(const struct model *m, uint64_t i)
{
	size_t k;

	for (k = 0; k < m->n; k++)
		if (m->idx[k] == i)
			return true;
	return false;
}

static bool model_next(const struct model *m, uint64_t from, uint64_t *out)
{
	bool found = false;
	size_t k;

	for (k = 0; k < m->n; k++) {
		if (m->idx[k] >= from && (!found || m->idx[k] < *out)) {
			*out = m->idx[k];
			found = true;
		}
	}
	return found;
}

static void model_cut(struct model *m, uint64_t from)
{
	size_t k = 0;

	while (k < m->n) {
		if (m->idx[k] >= from)
			m->idx[k] = m->idx[--m->n];
		else
			k++;
	}
}

static uint64_t random_index(void)
{
	static const unsigned bits[] = { 4, 8, 14, 20, 33, 50 };

	return ((uint64_t)rand() << 31 ^ (uint64_t)rand()) & ((1ull << bits[rand() % 6]) - 1);
}

static void check_against(const struct radix_tree *t, const struct model *m)
{
	uint64_t i, v, want;
	size_t k;

	for (k = 0; k < m->n; k++)
		assert_int_equal(radix_lookup(t, m->idx[k]), m->idx[k] * 3 + 1);
	for (k = 0; k < 50; k++) {
		uint64_t from = random_index();
		bool has = model_next(m, from, &want);

		assert_int_equal(radix_next(t, from, &i, &v), has);
		if (has)
			assert_int_equal(i, want);
	}
}

static void test_random(void **state)
{
	static struct model m;
	struct radix_tree t;
	unsigned round;

	(void)state;
	srand(12);
	reset(&t);
	m.n = 0;
	for (round = 0; round < 20000; round++) {
		uint64_t i = random_index();
		int r = rand() % 100;

		if (r < 30 && m.n) {
			/* Delete a value that is there, then one that is not. */
			size_t k = (size_t)rand() % m.n;
			uint64_t gone = m.idx[k];

			m.idx[k] = m.idx[--m.n];
			assert_int_equal(radix_delete(&t, gone, &alloc), gone * 3 + 1);
			assert_int_equal(radix_delete(&t, gone, &alloc), 0);
		} else if (r < 32) {
			uint64_t from = random_index(), removed = m.n;

			model_cut(&m, from);
			assert_int_equal(radix_truncate(&t, from, &alloc, sum_release, NULL),
			                 removed - m.n);
		} else if (m.n < MODEL_MAX) {
			int want = model_has(&m, i) ? -EEXIST : 0;

			assert_int_equal(radix_insert(&t, i, i * 3 + 1, &alloc), want);
			if (want == 0)
				m.idx[m.n++] = i;
		}
		if (round % 500 == 0)
			check_against(&t, &m);
	}
	check_against(&t, &m);
	radix_truncate(&t, 0, &alloc, NULL, NULL);
	assert_null(t.root);
	assert_int_equal(pool.live, 0);
}

/* Deleting every value one by one frees every node, whatever the order. */
static void test_delete_all(void **state)
{
	static struct model m;
	struct radix_tree t;
	size_t k;

	(void)state;
	srand(7);
	reset(&t);
	m.n = 0;
	while (m.n < 2000) {
		uint64_t i = random_index();

		if (radix_insert(&t, i, i * 3 + 1, &alloc) == 0)
			m.idx[m.n++] = i;
	}
	while (m.n) {
		k = (size_t)rand() % m.n;
		assert_int_equal(radix_delete(&t, m.idx[k], &alloc), m.idx[k] * 3 + 1);
		m.idx[k] = m.idx[--m.n];
		if (m.n % 100 == 0)
			check_against(&t, &m);
	}
	assert_null(t.root);
	assert_int_equal(t.first, 0);
	assert_int_equal(pool.live, 0);
}

/* Every allocation of an insert fails in turn: the tree keeps what it had, and no node leaks. */
static void test_alloc_failure(void **state)
{
	struct radix_tree t;
	long k;

	(void)state;
	reset(&t);
	assert_int_equal(radix_insert(&t, 5, 16, &alloc), 0);
	for (k = 0; k < 8; k++) {
		pool.fail_in = k;
		if (radix_insert(&t, 1ull << 40, 77, &alloc) == 0)
			break;
		assert_int_equal(radix_lookup(&t, 5), 16);
		assert_int_equal(radix_lookup(&t, 1ull << 40), 0);
	}
	assert_true(k > 0 && k < 8);
	pool.fail_in = -1;
	assert_int_equal(radix_lookup(&t, 1ull << 40), 77);
	assert_int_equal(radix_truncate(&t, 6, &alloc, NULL, NULL), 1);
	assert_int_equal(t.height, 1);
	assert_int_equal(pool.live, 1);
	radix_truncate(&t, 0, &alloc, NULL, NULL);
	assert_int_equal(pool.live, 0);
}

/* A value at index 0 alone needs no node; a second one brings the nodes, truncation removes them. */
static void test_first_without_nodes(void **state)
{
	struct radix_tree t;
	uint64_t i, v;

	(void)state;
	reset(&t);
	assert_int_equal(radix_insert(&t, 0, 1, &alloc), 0);
	assert_int_equal(pool.allocated, 0);
	assert_int_equal(radix_insert(&t, 0, 1, &alloc), -EEXIST);
	assert_int_equal(radix_lookup(&t, 0), 1);
	assert_int_equal(radix_lookup(&t, 1), 0);
	assert_true(radix_next(&t, 0, &i, &v));
	assert_int_equal(i, 0);
	assert_false(radix_next(&t, 1, &i, &v));
	/* The move into nodes fails: nothing changes, nothing leaks. */
	pool.fail_in = 0;
	assert_int_equal(radix_insert(&t, 70, 211, &alloc), -ENOMEM);
	pool.fail_in = 1;
	assert_int_equal(radix_insert(&t, 70, 211, &alloc), -ENOMEM);
	pool.fail_in = -1;
	assert_int_equal(pool.live, 0);
	assert_int_equal(radix_lookup(&t, 0), 1);
	assert_int_equal(radix_insert(&t, 70, 211, &alloc), 0);
	assert_int_equal(radix_lookup(&t, 0), 1);
	assert_int_equal(radix_lookup(&t, 70), 211);
	assert_true(pool.live > 0);
	/* Cut back to index 0 alone: no node again. */
	released_sum = 0;
	assert_int_equal(radix_truncate(&t, 1, &alloc, sum_release, NULL), 1);
	assert_int_equal(pool.live, 0);
	assert_null(t.root);
	assert_int_equal(radix_lookup(&t, 0), 1);
	assert_int_equal(radix_truncate(&t, 0, &alloc, sum_release, NULL), 1);
	assert_int_equal(released_sum, 1 + 211);
	assert_int_equal(radix_lookup(&t, 0), 0);
	assert_int_equal(radix_truncate(&t, 0, &alloc, NULL, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_delete_all),
		cmocka_unit_test(test_alloc_failure),
		cmocka_unit_test(test_first_without_nodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
