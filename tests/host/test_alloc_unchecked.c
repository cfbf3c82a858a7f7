/* SPDX-License-Identifier: MIT */
/*
 * The cairn heap as KHB-1 builds it, with CAIRN_ALLOC_CHECKED=0, under ASan and UBSan:
 * the sources are compiled into this test under other names (the checked build that the
 * other tests use is linked in too), then driven by random alloc/free/realloc sequences
 * checked against a shadow list, and by the free-list check.
 */
#define CAIRN_ALLOC_CHECKED    0
#define cairn_heap_init        uc_heap_init
#define cairn_heap_alloc       uc_heap_alloc
#define cairn_heap_free        uc_heap_free
#define cairn_heap_free_sized  uc_heap_free_sized
#define cairn_heap_realloc     uc_heap_realloc
#define cairn_heap_usable_size uc_heap_usable_size
#define cairn_heap_grow        uc_heap_grow
#define cairn_heap_stats       uc_heap_stats
#define cairn_heap_check       uc_heap_check
#define cairn_report           uc_report
#define cairn_links_ok         uc_links_ok
#define cairn_lookup_checked   uc_lookup_checked
#define cairn_release          uc_release
#define alloc_cairn_ops        uc_cairn_ops
#include <lib/alloc/khb1_rand.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc/cairn.c"
#include "lib/alloc/cairn_check.c"
#include "lib/alloc/cairn_realloc.c"

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

#define HEAP_BYTES (2u << 20)
#define SLOTS      1024

/* One slot of the shadow list: a live block (p != NULL) and what it holds. */
struct slot {
	uint8_t *p;
	size_t size;
	uint8_t seed;
};

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed ^ (i * 13));
}

static void expect_fill(const uint8_t *p, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != (uint8_t)(seed ^ (i * 13)))
			fail_msg("block %p byte %zu changed", (void *)p, i);
}

/* No live block other than slot @self overlaps [@p, @p + @size). */
static void expect_no_overlap(const struct slot *s, size_t self, const uint8_t *p, size_t size)
{
	size_t i;

	for (i = 0; i < SLOTS; i++)
		if (i != self && s[i].p && p < s[i].p + s[i].size && s[i].p < p + size)
			fail_msg("block %p+%zu overlaps %p+%zu", (void *)p, size, (void *)s[i].p,
			         s[i].size);
}

/* Random KHB-1-like churn over both distributions, with resizes, then everything back. */
static void test_unchecked_random(void **state)
{
	struct slot *s = calloc(SLOTS, sizeof(*s));
	uint8_t *mem = aligned_alloc(4096, HEAP_BYTES), *q;
	struct khb1_rng r = { 0x5EED };
	struct cairn_heap h;
	size_t i, k, size, align;

	assert_int_equal(uc_heap_init(&h, mem, HEAP_BYTES), 0);
	for (i = 0; i < 60000; i++) {
		k = (size_t)khb1_range(&r, 0, SLOTS);
		if (!s[k].p) {
			khb1_sample(&r, i % 3 ? KHB1_D2 : KHB1_D1, &size, &align);
			s[k].p = uc_heap_alloc(&h, size, align);
			if (!s[k].p)
				continue;
			assert_true((uintptr_t)s[k].p % align == 0);
			expect_no_overlap(s, k, s[k].p, size);
			s[k] = (struct slot){ s[k].p, size, (uint8_t)i };
			fill(s[k].p, size, s[k].seed);
		} else if (khb1_range(&r, 0, 4) == 0) {
			size = (size_t)khb1_range(&r, 1, 6000);
			expect_fill(s[k].p, s[k].size, s[k].seed);
			q = uc_heap_realloc(&h, s[k].p, size);
			if (!q)
				continue;
			expect_fill(q, size < s[k].size ? size : s[k].size, s[k].seed);
			expect_no_overlap(s, k, q, size);
			assert_true(uc_heap_usable_size(&h, q) >= size);
			s[k] = (struct slot){ q, size, (uint8_t)(i + 1) };
			fill(q, size, s[k].seed);
		} else {
			expect_fill(s[k].p, s[k].size, s[k].seed);
			uc_heap_free_sized(&h, s[k].p, s[k].size, 8);
			s[k].p = NULL;
		}
		if (i % 5000 == 0)
			assert_int_equal(uc_heap_check(&h), 0);
	}
	for (k = 0; k < SLOTS; k++)
		uc_heap_free(&h, s[k].p);
	assert_int_equal(uc_heap_check(&h), 0);
	assert_int_equal(h.live_blocks, 0);
	assert_int_equal(h.free_blocks, 1);
	assert_non_null(uc_heap_alloc(&h, HEAP_BYTES - 16384, 4096));
	free(mem);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unchecked_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
