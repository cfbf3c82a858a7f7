/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/paging: splitting large pages on unmap and protect,
 * protect itself, when a range is invalidated page by page or flushed,
 * the cache-mode bits and reclaiming empty tables
 * (tests/host/paging_helpers.h).
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

/* Unmapping part of a 2 MiB page keeps the rest, in 4 KiB pages with its flags. */
static void test_split_2m(void **state)
{
	struct sim *sim = sim_new(4);
	const uint64_t va = 0xffffc00000200000ull, pa = 0x80000000ull;
	const uint32_t flags = PT_WRITE | PT_GLOBAL | PT_CACHE_WC;
	uint64_t off, pte;

	assert_int_equal(sim_map(sim, va, pa, MB2, flags, PT_PAGE_2M), 0);
	assert_int_equal(sim->nlive, 3);
	assert_int_equal(sim_unmap(sim, va + 5 * KB4, KB4), 0);
	assert_int_equal(sim->allocs, 1);
	assert_int_equal(sim->invalidates, 1);
	assert_int_equal(sim->inval_log[0], va + 5 * KB4);
	assert_int_equal(sim->nlive, 4);
	for (off = 0; off < MB2; off += KB4) {
		if (off == 5 * KB4)
			expect_unmapped(sim, va + off);
		else
			expect_mapped(sim, va + off + 0x10, pa + off + 0x10, flags, PT_PAGE_4K);
	}
	/* The PAT bit moved from bit 12 to bit 7; PS is gone. */
	pte = *sim_entry(sim, va, 1);
	assert_int_equal(pte & ~E_ADDR, E_P | E_RW | E_PCD | E_PAT4K | E_G | E_NX);
	assert_int_equal(pte & E_ADDR, pa);
	assert_int_equal(*sim_entry(sim, va, 2) & ~E_ADDR, E_P | E_RW | E_NX);
	sim_check_tree(sim);
	assert_int_equal(sim_unmap(sim, va, MB2), 0);
	assert_int_equal(sim->flushes, 1); /* 511 pages */
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

/* Unmapping part of a 1 GiB page: only the 2 MiB pieces it touches are split. */
static void test_split_1g(void **state)
{
	struct sim *sim = sim_new(5);
	const uint64_t va = 0x0000400000000000ull, pa = 0x7ull * GB1;
	const uint32_t flags = PT_USER | PT_EXEC | PT_CACHE_UC;
	uint64_t off;

	assert_int_equal(sim_map(sim, va, pa, GB1, flags, PT_PAGE_1G), 0);
	/* A whole 2 MiB piece: a PD and no PT. */
	assert_int_equal(sim_unmap(sim, va + 6 * MB2, MB2), 0);
	assert_int_equal(sim->allocs, 1);
	assert_int_equal(sim->invalidates, 1);
	expect_unmapped(sim, va + 6 * MB2 + 0x1234);
	/* Two pages straddling two pieces: two PTs. */
	assert_int_equal(sim_unmap(sim, va + 10 * MB2 - KB4, 2 * KB4), 0);
	assert_int_equal(sim->allocs, 2);
	for (off = 0; off < GB1; off += MB2 / 2) {
		if (off / MB2 == 6)
			expect_unmapped(sim, va + off + 0x3000);
		else if (off / MB2 == 9 || off / MB2 == 10)
			expect_mapped(sim, va + off + 0x3000, pa + off + 0x3000, flags, PT_PAGE_4K);
		else
			expect_mapped(sim, va + off + 0x3000, pa + off + 0x3000, flags, PT_PAGE_2M);
	}
	expect_unmapped(sim, va + 10 * MB2 - KB4);
	expect_unmapped(sim, va + 10 * MB2);
	expect_mapped(sim, va + 10 * MB2 - 2 * KB4, pa + 10 * MB2 - 2 * KB4, flags, PT_PAGE_4K);
	expect_mapped(sim, va + 10 * MB2 + KB4, pa + 10 * MB2 + KB4, flags, PT_PAGE_4K);
	/* Split 2 MiB pieces keep the large-page PAT encoding until split again. */
	assert_int_equal(*sim_entry(sim, va, 2) & ~E_ADDR, E_P | E_US | E_PWT | E_PCD | E_PS);
	/* One 4 KiB page in one go: a PD and a PT. */
	assert_int_equal(sim_map(sim, va + GB1, pa + GB1, GB1, flags, PT_PAGE_1G), 0);
	assert_int_equal(sim_unmap(sim, va + GB1 + 3 * MB2 + 7 * KB4, KB4), 0);
	assert_int_equal(sim->allocs, 2);
	expect_mapped(sim, va + GB1 + 3 * MB2, pa + GB1 + 3 * MB2, flags, PT_PAGE_4K);
	expect_mapped(sim, va + GB1 + 4 * MB2, pa + GB1 + 4 * MB2, flags, PT_PAGE_2M);
	sim_check_tree(sim);
	assert_int_equal(sim_unmap(sim, va, 2 * GB1), 0);
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

/* pt_protect() on 4 KiB pages, with holes, on whole and on partial huge pages. */
static void test_protect(void **state)
{
	struct sim *sim = sim_new(4);
	const uint64_t va = 0x10000000ull, pa = 0x300000ull;
	const uint32_t rw = PT_WRITE | PT_USER | PT_EXEC | PT_CACHE_WT;
	unsigned int i, live;

	assert_int_equal(sim_map(sim, va, pa, 4 * KB4, 0, PT_PAGE_4K), 0);
	assert_int_equal(sim_map(sim, va + 8 * KB4, pa + 8 * KB4, 8 * KB4, 0, PT_PAGE_4K), 0);
	/* Pages 0-3 and 8-15 mapped, 4-7 a hole. */
	assert_int_equal(sim_protect(sim, va + 2 * KB4, 8 * KB4, rw), 0);
	assert_int_equal(sim->invalidates, 4);
	assert_int_equal(sim->inval_log[0], va + 2 * KB4);
	assert_int_equal(sim->inval_log[1], va + 3 * KB4);
	assert_int_equal(sim->inval_log[2], va + 8 * KB4);
	assert_int_equal(sim->inval_log[3], va + 9 * KB4);
	for (i = 0; i < 16; i++) {
		if (i >= 4 && i < 8)
			expect_unmapped(sim, va + i * KB4);
		else if (i >= 2 && i < 10)
			expect_mapped(sim, va + i * KB4, pa + i * KB4, rw, PT_PAGE_4K);
		else
			expect_mapped(sim, va + i * KB4, pa + i * KB4, 0, PT_PAGE_4K);
	}
	expect_table_rights(sim, va, true, true, false);
	/* The same flags again: nothing to do. */
	assert_int_equal(sim_protect(sim, va + 2 * KB4, 2 * KB4, rw | PT_READ), 0);
	assert_int_equal(sim->invalidates + sim->flushes, 0);
	/* A whole 2 MiB page: no split. */
	assert_int_equal(sim_map(sim, va + MB2, 0, MB2, PT_WRITE, PT_PAGE_2M), 0);
	live = sim->nlive;
	assert_int_equal(sim_protect(sim, va + MB2, MB2, PT_GLOBAL), 0);
	assert_int_equal(sim->nlive, live);
	assert_int_equal(sim->invalidates, 1);
	expect_mapped(sim, va + MB2 + KB4, KB4, PT_GLOBAL, PT_PAGE_2M);
	/* Part of it, to the same flags: no split. */
	assert_int_equal(sim_protect(sim, va + MB2 + KB4, KB4, PT_GLOBAL), 0);
	assert_int_equal(sim->nlive, live);
	assert_int_equal(sim->invalidates + sim->allocs, 0);
	/* Part of it, to new flags: split, the rest keeps the old flags. */
	assert_int_equal(sim_protect(sim, va + MB2 + KB4, KB4, PT_CACHE_UC), 0);
	assert_int_equal(sim->nlive, live + 1);
	assert_int_equal(sim->invalidates, 1);
	expect_mapped(sim, va + MB2, 0, PT_GLOBAL, PT_PAGE_4K);
	expect_mapped(sim, va + MB2 + KB4, KB4, PT_CACHE_UC, PT_PAGE_4K);
	expect_mapped(sim, va + 2 * MB2 - KB4, MB2 - KB4, PT_GLOBAL, PT_PAGE_4K);
	/* Protecting a hole changes nothing. */
	assert_int_equal(sim_protect(sim, 0x7f0000000000ull, GB1, PT_WRITE), 0);
	assert_int_equal(sim->allocs + sim->invalidates + sim->flushes, 0);
	sim_check_tree(sim);
	assert_int_equal(sim_unmap(sim, va, 2 * MB2), 0);
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

/* One invalidate per page up to PT_INVAL_MAX, one flush_all past it. */
static void test_invalidate_threshold(void **state)
{
	struct sim *sim = sim_new(4);
	const uint64_t va = 0xffff900000000000ull;
	unsigned int i;

	assert_int_equal(sim_map(sim, va, 0, 128 * KB4, PT_WRITE, PT_PAGE_4K), 0);
	assert_int_equal(sim->invalidates + sim->flushes, 0);
	assert_int_equal(sim_unmap(sim, va, 10 * KB4), 0);
	assert_int_equal(sim->invalidates, 10);
	assert_int_equal(sim->flushes, 0);
	for (i = 0; i < 10; i++)
		assert_int_equal(sim->inval_log[i], va + i * KB4);
	assert_int_equal(sim_unmap(sim, va + 10 * KB4, PT_INVAL_MAX * KB4), 0);
	assert_int_equal(sim->invalidates, PT_INVAL_MAX);
	assert_int_equal(sim->flushes, 0);
	assert_int_equal(sim_protect(sim, va, 128 * KB4, PT_EXEC), 0);
	assert_int_equal(sim->invalidates, 0);
	assert_int_equal(sim->flushes, 1);
	assert_int_equal(sim_unmap(sim, va + 42 * KB4, (PT_INVAL_MAX + 1) * KB4), 0);
	assert_int_equal(sim->invalidates, 0);
	assert_int_equal(sim->flushes, 1);
	/* Holes do not count: of pages 0-99, only 75-99 are still mapped. */
	assert_int_equal(sim_unmap(sim, va, 100 * KB4), 0);
	assert_int_equal(sim->invalidates, 25);
	assert_int_equal(sim->flushes, 0);
	/* A huge page is one page. */
	assert_int_equal(sim_map(sim, va + GB1, 0, 40 * MB2, 0, PT_PAGE_2M), 0);
	assert_int_equal(sim_unmap(sim, va + GB1, 2 * MB2), 0);
	assert_int_equal(sim->invalidates, 2);
	assert_int_equal(sim->inval_log[0], va + GB1);
	assert_int_equal(sim->inval_log[1], va + GB1 + MB2);
	assert_int_equal(sim_unmap(sim, va, 2 * GB1), 0);
	assert_int_equal(sim->flushes, 1);
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

/* PAT:PCD:PWT for each cache mode, for the PAT layout of PT_X86_PAT_VALUE. */
static const struct {
	uint32_t mode;
	unsigned int index;    /* PAT entry */
	unsigned int encoding; /* memory type in IA32_PAT */
} cache_modes[] = {
	{ PT_CACHE_WB, 0, 0x06 },
	{ PT_CACHE_WT, 1, 0x04 },
	{ PT_CACHE_UC, 3, 0x00 },
	{ PT_CACHE_WC, 6, 0x01 },
};

static uint64_t pat_bits(unsigned int index, uint64_t pat_bit)
{
	return (index & 1 ? E_PWT : 0) | (index & 2 ? E_PCD : 0) | (index & 4 ? pat_bit : 0);
}

/* Cache modes land in PWT, PCD and the PAT bit: bit 7 for 4 KiB pages, 12 for large ones. */
static void test_cache_bits(void **state)
{
	struct sim *sim = sim_new(4);
	const uint64_t va = 0x200000000ull;
	unsigned int i;
	uint32_t flags;
	uint64_t e;

	for (i = 0; i < sizeof(cache_modes) / sizeof(cache_modes[0]); i++) {
		flags = cache_modes[i].mode | PT_WRITE;
		assert_int_equal((PT_X86_PAT_VALUE >> (8 * cache_modes[i].index)) & 0xff,
		                 cache_modes[i].encoding);
		assert_int_equal(sim_map(sim, va + i * KB4, 0x1000, KB4, flags, PT_PAGE_4K), 0);
		e = *sim_entry(sim, va + i * KB4, 1);
		assert_int_equal(e & ~E_ADDR,
		                 E_P | E_RW | E_NX | pat_bits(cache_modes[i].index, E_PAT4K));
		expect_mapped(sim, va + i * KB4, 0x1000, flags, PT_PAGE_4K);

		assert_int_equal(sim_map(sim, va + (i + 1) * MB2, MB2, MB2, flags, PT_PAGE_2M), 0);
		e = *sim_entry(sim, va + (i + 1) * MB2, 2);
		assert_int_equal(e & ~E_ADDR,
		                 E_P | E_RW | E_NX | E_PS |
		                         (pat_bits(cache_modes[i].index, E_PATBIG) & ~E_PATBIG));
		assert_int_equal(e & (E_PATBIG | E_ADDR),
		                 MB2 | (pat_bits(cache_modes[i].index, E_PATBIG) & E_PATBIG));
		expect_mapped(sim, va + (i + 1) * MB2, MB2, flags, PT_PAGE_2M);

		assert_int_equal(sim_map(sim, (i + 16) * GB1, GB1, GB1, flags, PT_PAGE_1G), 0);
		e = *sim_entry(sim, (i + 16) * GB1, 3);
		assert_int_equal(e, GB1 | E_P | E_RW | E_NX | E_PS |
		                            pat_bits(cache_modes[i].index, E_PATBIG));
		expect_mapped(sim, (i + 16) * GB1 + 0x1234, GB1 + 0x1234, flags, PT_PAGE_1G);
	}
	/* The PAT entries no mode is written with read back by their memory type. */
	*sim_entry(sim, va, 1) = 0x1000 | E_P | E_NX | pat_bits(2, E_PAT4K); /* UC- */
	expect_mapped(sim, va, 0x1000, PT_CACHE_UC, PT_PAGE_4K);
	*sim_entry(sim, va, 1) = 0x1000 | E_P | E_NX | pat_bits(4, E_PAT4K);
	expect_mapped(sim, va, 0x1000, PT_CACHE_WB, PT_PAGE_4K);
	*sim_entry(sim, va, 1) = 0x1000 | E_P | E_NX | pat_bits(5, E_PAT4K);
	expect_mapped(sim, va, 0x1000, PT_CACHE_WT, PT_PAGE_4K);
	*sim_entry(sim, va, 1) = 0x1000 | E_P | E_NX | pat_bits(7, E_PAT4K);
	expect_mapped(sim, va, 0x1000, PT_CACHE_UC, PT_PAGE_4K);
	/* Bits the code does not model (A, D, AVL, protection key) survive protect. */
	*sim_entry(sim, va, 1) =
		0x1000 | E_P | (1ull << 5) | (1ull << 6) | (1ull << 9) | (5ull << 59);
	assert_int_equal(sim_protect(sim, va, KB4, PT_USER | PT_CACHE_WC), 0);
	assert_int_equal(*sim_entry(sim, va, 1), 0x1000 | E_P | (1ull << 5) | (1ull << 6) |
	                                                 (1ull << 9) | (5ull << 59) | E_US | E_NX |
	                                                 pat_bits(6, E_PAT4K));
	expect_mapped(sim, va, 0x1000, PT_USER | PT_CACHE_WC, PT_PAGE_4K);
	/* Leaf rights and the global bit. */
	assert_int_equal(
		sim_map(sim, va + 64 * KB4, 0, KB4, PT_USER | PT_EXEC | PT_GLOBAL, PT_PAGE_4K), 0);
	assert_int_equal(*sim_entry(sim, va + 64 * KB4, 1), E_P | E_US | E_G);
	sim_check_tree(sim);
	assert_int_equal(sim_unmap(sim, 0, 32 * GB1), 0);
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

/*
 * A table left linked with nothing mapped under it is no obstacle to a large
 * page: it is freed, after the invalidation its cached copies need.
 */
static void test_reclaim_empty_table(void **state)
{
	struct sim *sim = sim_new(4);
	const uint64_t va = 0x4000000000ull;

	assert_int_equal(sim_map(sim, va + 4 * KB4, 0, KB4, 0, PT_PAGE_4K), 0);
	assert_int_equal(sim_map(sim, va + 8 * MB2, 0, KB4, 0, PT_PAGE_4K), 0);
	assert_int_equal(sim->nlive, 5);
	*sim_entry(sim, va + 4 * KB4, 1) = 0; /* an empty PT, as someone else might leave */
	*sim_entry(sim, va + 8 * MB2, 1) = 0;
	/* An empty PD with an empty PT under it, linked from the PDPT. */
	assert_int_equal(sim_map(sim, va + GB1, 0, KB4, 0, PT_PAGE_4K), 0);
	*sim_entry(sim, va + GB1, 1) = 0;
	assert_int_equal(sim->nlive, 7);

	assert_int_equal(sim_map(sim, va, 0, 2 * MB2, PT_WRITE, PT_PAGE_2M), 0);
	assert_int_equal(sim->frees, 1);
	assert_int_equal(sim->invalidates, 1);
	assert_int_equal(sim_map(sim, va + GB1, 0, GB1, 0, PT_PAGE_1G), 0);
	assert_int_equal(sim->frees, 2);
	assert_int_equal(sim->invalidates, 1);
	expect_mapped(sim, va + 0x1234, 0x1234, PT_WRITE, PT_PAGE_2M);
	expect_mapped(sim, va + GB1 + 0x1234, 0x1234, 0, PT_PAGE_1G);
	assert_int_equal(sim->nlive, 4);
	/* The remaining empty PT still takes 4 KiB pages. */
	assert_int_equal(sim_map(sim, va + 8 * MB2 + KB4, 0, KB4, 0, PT_PAGE_4K), 0);
	assert_int_equal(sim->allocs, 0);
	sim_check_tree(sim);
	assert_int_equal(sim_unmap(sim, va, 2 * GB1), 0);
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_2m),   cmocka_unit_test(test_split_1g),
		cmocka_unit_test(test_protect),    cmocka_unit_test(test_invalidate_threshold),
		cmocka_unit_test(test_cache_bits), cmocka_unit_test(test_reclaim_empty_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
