/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/paging: random map, unmap and protect sequences checked
 * against a shadow model (tests/host/paging_helpers.h).
 */
#include <cairn/errno.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

#include "paging_helpers.h"

/*
 * Random map, unmap and protect sequences over a 4 GiB window, checked
 * against a shadow model that knows, per 4 KiB page, its frame, flags and the
 * size of the page holding it, including how huge pages split.
 */
#define WIN_SIZE  (4 * GB1)
#define WIN_PAGES (WIN_SIZE / KB4)

struct shadow_page {
	uint64_t pa;    /* frame of this 4 KiB page */
	uint32_t flags; /* 0 if unmapped, else with PT_READ */
	uint8_t shift;  /* log2 of the size of the page holding it */
};

struct model {
	struct sim *sim;
	uint64_t base; /* first address of the window, 1 GiB-aligned */
	uint64_t rng;
	struct shadow_page *pg;
};

static uint64_t rnd(struct model *m)
{
	/* xorshift64* */
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return m->rng * 0x2545f4914f6cdd1dull;
}

static uint64_t rnd_below(struct model *m, uint64_t n)
{
	return rnd(m) % n;
}

static uint32_t rnd_flags(struct model *m)
{
	return ((uint32_t)rnd(m) & (PT_WRITE | PT_EXEC | PT_USER | PT_GLOBAL)) |
	       (uint32_t)rnd_below(m, 4) << PT_CACHE_SHIFT;
}

static void model_verify(struct model *m, uint64_t first, uint64_t last)
{
	const struct shadow_page *sp;
	uint64_t p;

	for (p = first; p <= last; p++) {
		sp = &m->pg[p];
		if (!sp->flags)
			expect_unmapped(m->sim, m->base + p * KB4);
		else
			expect_mapped(m->sim, m->base + p * KB4 + (p & 0xff), sp->pa + (p & 0xff),
			              sp->flags, 1ull << sp->shift);
	}
}

static void model_map(struct model *m)
{
	static const uint8_t shifts[] = { 12, 12, 12, 12, 12, 12, 21, 21, 21, 30 };
	unsigned int shift = shifts[rnd_below(m, sizeof(shifts))];
	uint64_t count = 1 + rnd_below(m, shift == 12 ? 64 : shift == 21 ? 6 : 2);
	uint64_t slot = rnd_below(m, (WIN_SIZE >> shift) - count + 1);
	uint64_t pa = rnd_below(m, 1ull << (40 - shift)) << shift;
	uint64_t first = (slot << shift) / KB4, n = (count << shift) / KB4, p;
	uint32_t flags = rnd_flags(m);
	bool busy = false;
	int err;

	for (p = first; p < first + n && !busy; p++)
		busy = m->pg[p].flags != 0;
	err = sim_map(m->sim, m->base + first * KB4, pa, n * KB4, flags, 1ull << shift);
	assert_int_equal(err, busy ? -EEXIST : 0);
	for (p = first; !busy && p < first + n; p++)
		m->pg[p] = (struct shadow_page){ pa + (p - first) * KB4, flags | PT_READ,
			                         (uint8_t)shift };
	if (n <= 4096)
		model_verify(m, first, first + n - 1);
}

/* Size after splitting of page @q of a 2^@shift page that [@a, @b] covers in part. */
static uint8_t split_shift(uint64_t q, unsigned int shift, uint64_t a, uint64_t b)
{
	uint64_t lo, hi;
	unsigned int s;

	for (s = shift - 9; s > 12; s -= 9) {
		lo = q & ~((1ull << (s - 12)) - 1);
		hi = lo + (1ull << (s - 12)) - 1;
		if ((lo >= a && hi <= b) || hi < a || lo > b)
			return (uint8_t)s;
	}
	return 12;
}

/* Apply an unmap or protect of pages [@a, @b] to the shadow. */
static void shadow_change(struct model *m, uint64_t a, uint64_t b, bool unmap, uint32_t flags)
{
	uint64_t p = a, lead, n, q;
	struct shadow_page *sp;
	unsigned int shift;
	bool whole;

	while (p <= b) {
		if (!m->pg[p].flags) {
			p++;
			continue;
		}
		shift = m->pg[p].shift;
		n = 1ull << (shift - 12);
		lead = p & ~(n - 1);
		p = lead + n;
		if (!unmap && m->pg[lead].flags == flags)
			continue; /* unchanged: not split either */
		whole = lead >= a && lead + n - 1 <= b;
		for (q = lead; q < lead + n; q++) {
			sp = &m->pg[q];
			if (!whole)
				sp->shift = split_shift(q, shift, a, b);
			if (q >= a && q <= b)
				sp->flags = unmap ? 0 : flags;
		}
	}
}

static void model_change(struct model *m, bool unmap)
{
	uint64_t first, n;
	uint32_t flags = rnd_flags(m) | PT_READ;

	switch (rnd_below(m, 10)) {
	case 0:
	case 1:
	case 2:
	case 3:
		first = rnd_below(m, WIN_PAGES);
		n = 1 + rnd_below(m, 64);
		break;
	case 4:
	case 5:
	case 6:
		first = rnd_below(m, WIN_PAGES);
		n = 1 + rnd_below(m, 2048);
		break;
	case 7:
	case 8:
		first = rnd_below(m, WIN_PAGES / 512) * 512 + rnd_below(m, 3) - 1;
		n = 1 + rnd_below(m, 3 * 512);
		break;
	default:
		first = rnd_below(m, 4) * (GB1 / KB4);
		n = (1 + rnd_below(m, 4)) * (GB1 / KB4);
		break;
	}
	first %= WIN_PAGES;
	if (n > WIN_PAGES - first)
		n = WIN_PAGES - first;
	if (unmap)
		assert_int_equal(sim_unmap(m->sim, m->base + first * KB4, n * KB4), 0);
	else
		assert_int_equal(sim_protect(m->sim, m->base + first * KB4, n * KB4, flags), 0);
	shadow_change(m, first, first + n - 1, unmap, flags);
	if (n <= 4096)
		model_verify(m, first ? first - 1 : 0, first + n < WIN_PAGES ? first + n : first);
}

static void check_random(int levels, uint64_t base, uint64_t seed, unsigned int steps)
{
	struct model m = { .base = base, .rng = seed };
	unsigned int step;
	uint64_t op;

	m.sim = sim_new(levels);
	m.sim->check_frees = false;
	m.pg = calloc(WIN_PAGES, sizeof(*m.pg));
	assert_non_null(m.pg);
	for (step = 1; step <= steps; step++) {
		op = rnd_below(&m, 10);
		if (op < 5)
			model_map(&m);
		else
			model_change(&m, op < 8);
		if (step % 50 == 0) {
			model_verify(&m, 0, WIN_PAGES - 1);
			sim_check_tree(m.sim);
		}
	}
	model_verify(&m, 0, WIN_PAGES - 1);
	sim_check_tree(m.sim);
	assert_int_equal(sim_unmap(m.sim, base, WIN_SIZE), 0);
	assert_int_equal(m.sim->nlive, 1);
	free(m.pg);
	sim_free(m.sim);
}

static void test_random_l4_low(void **state)
{
	check_random(4, 0x00007fff00000000ull, 0x9e3779b97f4a7c15ull, 400);
}

static void test_random_l4_top(void **state)
{
	check_random(4, 0xffffffff00000000ull, 0x1234567887654321ull, 400);
}

static void test_random_l5_top(void **state)
{
	check_random(5, 0xffffffff00000000ull, 0x0badc0ffee0ddf00ull, 400);
}

static void test_random_l5_mid(void **state)
{
	check_random(5, 0x00ffffff00000000ull, 0x5eed5eed5eed5eedull, 400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_l4_low),
		cmocka_unit_test(test_random_l4_top),
		cmocka_unit_test(test_random_l5_top),
		cmocka_unit_test(test_random_l5_mid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
