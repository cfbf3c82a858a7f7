// SPDX-License-Identifier: MIT
/*
 * Host tests of lib/memmap: firmware maps that are unsorted, unaligned and
 * overlapping come out sorted, aligned, disjoint and merged, with the more
 * restrictive type winning, checked against a page-by-page model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the headers above first. */
// clang-format off
#include <cmocka.h>
// clang-format on

#include "lib/memmap/memmap.h"

#define CAP 64
#define PG  BOOT_PAGE_SIZE

struct fixture {
	struct boot_mem_range r[CAP], scratch[CAP];
	uint32_t n;
	struct memmap m;
};

static void fx_init(struct fixture *f)
{
	f->n = 0;
	f->m = (struct memmap){ f->r, &f->n, CAP, f->scratch };
}

static void add(struct fixture *f, uint64_t base, uint64_t len, uint32_t type)
{
	memmap_add(&f->m, base, len, type);
}

static void expect_range(const struct fixture *f, uint32_t i, uint64_t base, uint64_t len,
                         uint32_t type)
{
	assert_true(i < f->n);
	assert_int_equal(f->r[i].base, base);
	assert_int_equal(f->r[i].length, len);
	assert_int_equal(f->r[i].type, type);
}

static void sorts_and_merges(void **state)
{
	struct fixture f;

	fx_init(&f);
	add(&f, 0x200000, 0x100000, BOOT_MEM_USABLE);
	add(&f, 0x100000, 0x100000, BOOT_MEM_USABLE);
	add(&f, 0, 0x9f000, BOOT_MEM_USABLE);
	memmap_normalize(&f.m);
	assert_int_equal(f.n, 2);
	expect_range(&f, 0, 0, 0x9f000, BOOT_MEM_USABLE);
	expect_range(&f, 1, 0x100000, 0x200000, BOOT_MEM_USABLE);
}

static void restrictive_type_wins(void **state)
{
	struct fixture f;

	fx_init(&f);
	add(&f, 0, 0x1000000, BOOT_MEM_USABLE);
	add(&f, 0x200000, 0x100000, BOOT_MEM_KERNEL);
	add(&f, 0x280000, 0x200000, BOOT_MEM_RESERVED);
	memmap_normalize(&f.m);
	assert_int_equal(f.n, 4);
	expect_range(&f, 0, 0, 0x200000, BOOT_MEM_USABLE);
	expect_range(&f, 1, 0x200000, 0x80000, BOOT_MEM_KERNEL);
	expect_range(&f, 2, 0x280000, 0x200000, BOOT_MEM_RESERVED);
	expect_range(&f, 3, 0x480000, 0x1000000 - 0x480000, BOOT_MEM_USABLE);
}

static void alignment_shrinks_usable_grows_reserved(void **state)
{
	struct fixture f;

	fx_init(&f);
	add(&f, 0x1800, 0x3000, BOOT_MEM_USABLE);   /* 0x1800-0x4800: pages 2, 3 */
	add(&f, 0x9f800, 0x100, BOOT_MEM_ACPI_NVS); /* grows to page 0x9f000 */
	add(&f, 0x5000, 0x800, BOOT_MEM_USABLE);    /* no whole page: dropped */
	memmap_normalize(&f.m);
	assert_int_equal(f.n, 2);
	expect_range(&f, 0, 0x2000, 0x2000, BOOT_MEM_USABLE);
	expect_range(&f, 1, 0x9f000, 0x1000, BOOT_MEM_ACPI_NVS);
}

static void top_of_address_space_and_junk(void **state)
{
	struct fixture f;

	fx_init(&f);
	add(&f, UINT64_MAX - 0x2fff, 0x10000, BOOT_MEM_RESERVED); /* wraps */
	add(&f, UINT64_MAX - 10, 100, BOOT_MEM_USABLE);           /* wraps, no whole page */
	add(&f, 0x1000, 0, BOOT_MEM_USABLE);                      /* empty */
	add(&f, 0x10000, 0x1000, 77);                             /* unknown type */
	memmap_normalize(&f.m);
	assert_int_equal(f.n, 2);
	expect_range(&f, 0, 0x10000, 0x1000, BOOT_MEM_RESERVED);
	/* Clipped below the top page so that base + length never wraps. */
	expect_range(&f, 1, 0xffffffffffffd000ull, 0x2000, BOOT_MEM_RESERVED);
}

static void full_table_compacts(void **state)
{
	struct fixture f;
	uint32_t i;

	fx_init(&f);
	/* 3 * CAP touching ranges of one type merge into one. */
	for (i = 0; i < 3 * CAP; i++)
		add(&f, (uint64_t)i * PG, PG, BOOT_MEM_USABLE);
	memmap_normalize(&f.m);
	assert_int_equal(f.n, 1);
	expect_range(&f, 0, 0, 3 * CAP * PG, BOOT_MEM_USABLE);
}

static unsigned rank(uint32_t t)
{
	static const unsigned r[] = { [BOOT_MEM_USABLE] = 0,           [BOOT_MEM_LOADER] = 1,
		                      [BOOT_MEM_INITRD] = 2,           [BOOT_MEM_KERNEL] = 3,
		                      [BOOT_MEM_ACPI_RECLAIMABLE] = 4, [BOOT_MEM_FIRMWARE] = 5,
		                      [BOOT_MEM_ACPI_NVS] = 6,         [BOOT_MEM_BAD] = 7,
		                      [BOOT_MEM_RESERVED] = 8 };
	return r[t];
}

#define MODEL_PAGES 96

/* The type the model gives page @p: usable only where whole, others wherever touched. */
static uint32_t model_page(const struct boot_mem_range *in, unsigned n, unsigned p)
{
	uint64_t lo = (uint64_t)p * PG, hi = lo + PG;
	uint32_t best = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		uint64_t b = in[i].base, e = in[i].base + in[i].length;
		int covers =
			in[i].type == BOOT_MEM_USABLE ? (b <= lo && e >= hi) : (b < hi && e > lo);

		if (in[i].length && covers && (best == 0 || rank(in[i].type) > rank(best)))
			best = in[i].type;
	}
	return best;
}

static uint64_t rng = 0x1234567;

static uint64_t next(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return rng >> 11;
}

static void random_maps_match_model(void **state)
{
	struct fixture f;
	struct boot_mem_range in[24];
	unsigned iter, i, p;

	for (iter = 0; iter < 3000; iter++) {
		unsigned n = 1 + next() % 24;

		fx_init(&f);
		for (i = 0; i < n; i++) {
			in[i].base = next() % (MODEL_PAGES * PG - 4 * PG);
			in[i].length = next() % (16 * PG);
			in[i].type = 1 + next() % 9;
			add(&f, in[i].base, in[i].length, in[i].type);
		}
		memmap_normalize(&f.m);
		for (i = 0; i < f.n; i++) {
			assert_int_equal(f.r[i].base % PG, 0);
			assert_int_equal(f.r[i].length % PG, 0);
			assert_true(f.r[i].length > 0);
			if (i > 0) {
				uint64_t prev_end = f.r[i - 1].base + f.r[i - 1].length;

				assert_true(f.r[i].base >= prev_end);
				/* touching ranges of one type must have been merged */
				assert_false(f.r[i].base == prev_end &&
				             f.r[i].type == f.r[i - 1].type);
			}
		}
		for (p = 0; p < MODEL_PAGES; p++) {
			uint32_t got = 0;

			for (i = 0; i < f.n; i++)
				if ((uint64_t)p * PG >= f.r[i].base &&
				    (uint64_t)p * PG < f.r[i].base + f.r[i].length)
					got = f.r[i].type;
			assert_int_equal(got, model_page(in, n, p));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sorts_and_merges),
		cmocka_unit_test(restrictive_type_wins),
		cmocka_unit_test(alignment_shrinks_usable_grows_reserved),
		cmocka_unit_test(top_of_address_space_and_junk),
		cmocka_unit_test(full_table_compacts),
		cmocka_unit_test(random_maps_match_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
