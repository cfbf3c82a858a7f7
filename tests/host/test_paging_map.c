/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/paging: map, translate and unmap at every page size
 * with 4 and 5 levels, table counts, -EEXIST and -ENOMEM leaving nothing
 * changed, the rights of intermediate tables, the top of the address range
 * and the arguments refused (tests/host/paging_helpers.h).
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
 * Map a few pages of @page_size in both halves, translate inside each page,
 * unmap and check that only the root is left.
 */
static void check_map_translate_unmap(int levels, uint64_t page_size)
{
	struct sim *sim = sim_new(levels);
	const uint64_t vas[] = { 0x0000000000000000ull, page_size * 3,
		                 0xffff800000000000ull + page_size * 5,
		                 levels == 5 ? 0x00ff000000000000ull : 0x00007f0000000000ull };
	const uint64_t pa = 0x123ull * GB1; /* aligned for every page size */
	const uint32_t flags = PT_WRITE | PT_GLOBAL;
	uint64_t off;
	size_t i;

	for (i = 0; i < sizeof(vas) / sizeof(vas[0]); i++) {
		assert_int_equal(sim_map(sim, vas[i], pa + i * 2 * page_size, 2 * page_size, flags,
		                         page_size),
		                 0);
		assert_int_equal(sim->invalidates + sim->flushes, 0);
		sim_check_tree(sim);
	}
	for (i = 0; i < sizeof(vas) / sizeof(vas[0]); i++) {
		for (off = 0; off < 2 * page_size; off += page_size / 2 + 8)
			expect_mapped(sim, vas[i] + off, pa + i * 2 * page_size + off, flags,
			              page_size);
		expect_unmapped(sim, vas[i] + 2 * page_size);
	}
	for (i = 0; i < sizeof(vas) / sizeof(vas[0]); i++) {
		assert_int_equal(sim_unmap(sim, vas[i], 2 * page_size), 0);
		assert_int_equal(sim->invalidates, 2);
		assert_int_equal(sim->inval_log[0], vas[i]);
		assert_int_equal(sim->inval_log[1], vas[i] + page_size);
		expect_unmapped(sim, vas[i]);
		sim_check_tree(sim);
	}
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

static void test_map_4k_l4(void **state)
{
	check_map_translate_unmap(4, PT_PAGE_4K);
}

static void test_map_2m_l4(void **state)
{
	check_map_translate_unmap(4, PT_PAGE_2M);
}

static void test_map_1g_l4(void **state)
{
	check_map_translate_unmap(4, PT_PAGE_1G);
}

static void test_map_4k_l5(void **state)
{
	check_map_translate_unmap(5, PT_PAGE_4K);
}

static void test_map_2m_l5(void **state)
{
	check_map_translate_unmap(5, PT_PAGE_2M);
}

static void test_map_1g_l5(void **state)
{
	check_map_translate_unmap(5, PT_PAGE_1G);
}

/* The number of tables a fresh mapping needs, and the levels of its leaves. */
static void test_table_counts(void **state)
{
	struct sim *sim = sim_new(4);

	/* 4 KiB pages across a 1 GiB boundary: one PDPT, two PDs, two PTs. */
	assert_int_equal(sim_map(sim, 2 * GB1 - 2 * KB4, 0, 4 * KB4, 0, PT_PAGE_4K), 0);
	assert_int_equal(sim->allocs, 5);
	assert_int_equal(sim->nlive, 6);
	/* A 2 MiB page next to them reuses the PD. */
	assert_int_equal(sim_map(sim, 2 * GB1 + 4 * MB2, 0, MB2, 0, PT_PAGE_2M), 0);
	assert_int_equal(sim->allocs, 0);
	assert_true(*sim_entry(sim, 2 * GB1 + 4 * MB2, 2) & E_PS);
	/* A 1 GiB page is a PDPTE. */
	assert_int_equal(sim_map(sim, 5 * GB1, 0, GB1, 0, PT_PAGE_1G), 0);
	assert_int_equal(sim->allocs, 0);
	assert_true(*sim_entry(sim, 5 * GB1, 3) & E_PS);
	sim_check_tree(sim);
	assert_int_equal(sim_unmap(sim, 0, 8 * GB1), 0);
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

/* -EEXIST for any overlap, with the tables exactly as they were. */
static void test_eexist_changes_nothing(void **state)
{
	struct sim *sim = sim_new(4);
	const uint64_t va = 0x40000000ull;
	struct snap *sn;

	assert_int_equal(sim_map(sim, va + 5 * KB4, 0x5000, KB4, PT_WRITE, PT_PAGE_4K), 0);
	assert_int_equal(sim_map(sim, va + 4 * MB2, 0, MB2, 0, PT_PAGE_2M), 0);
	assert_int_equal(sim_map(sim, 3 * GB1, 0, GB1, 0, PT_PAGE_1G), 0);

	sn = snap_take(sim);
	/* A 2 MiB page over the 4 KiB one. */
	assert_int_equal(sim_map(sim, va, 0, MB2, PT_USER, PT_PAGE_2M), -EEXIST);
	/* A 1 GiB page over both. */
	assert_int_equal(sim_map(sim, GB1, 0, GB1, PT_USER, PT_PAGE_1G), -EEXIST);
	/* 4 KiB pages whose last one hits; the first ones would need no new table. */
	assert_int_equal(sim_map(sim, va, 0, 6 * KB4, PT_USER | PT_EXEC, PT_PAGE_4K), -EEXIST);
	/* A range that starts in empty space, needing tables, and ends on the 2 MiB page. */
	assert_int_equal(
		sim_map(sim, va + 4 * MB2 - KB4, 0, 2 * KB4, PT_WRITE | PT_USER, PT_PAGE_4K),
		-EEXIST);
	/* 4 KiB and 2 MiB pages inside the 1 GiB page. */
	assert_int_equal(sim_map(sim, 3 * GB1 + 7 * KB4, 0, KB4, 0, PT_PAGE_4K), -EEXIST);
	assert_int_equal(sim_map(sim, 3 * GB1 + 7 * MB2, 0, MB2, 0, PT_PAGE_2M), -EEXIST);
	/* The same page again. */
	assert_int_equal(sim_map(sim, va + 5 * KB4, 0x5000, KB4, PT_WRITE, PT_PAGE_4K), -EEXIST);
	assert_int_equal(sim->allocs + sim->frees + sim->invalidates + sim->flushes, 0);
	snap_expect_same(sim, sn);

	expect_mapped(sim, va + 5 * KB4, 0x5000, PT_WRITE, PT_PAGE_4K);
	assert_int_equal(sim_unmap(sim, 0, 4 * GB1), 0);
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

/* Every allocation failure point: -ENOMEM, nothing changed, then success. */
static void check_enomem(int levels, uint64_t va, uint64_t size, uint64_t page_size)
{
	struct sim *sim = sim_new(levels);
	unsigned int need, n;
	struct snap *sn;

	/* A page just below, so some tables exist and some are new. */
	assert_int_equal(sim_map(sim, va - KB4, 0x1000, KB4, 0, PT_PAGE_4K), 0);
	assert_int_equal(sim_map(sim, va, 0, size, PT_WRITE, page_size), 0);
	need = sim->allocs;
	assert_true(need > 0);
	assert_int_equal(sim_unmap(sim, va, size), 0);

	for (n = 0; n < need; n++) {
		sn = snap_take(sim);
		sim->budget = n;
		assert_int_equal(sim_map(sim, va, 0, size, PT_WRITE | PT_EXEC, page_size), -ENOMEM);
		assert_int_equal(sim->allocs, n);
		assert_int_equal(sim->frees, n);
		assert_int_equal(sim->invalidates + sim->flushes, 0);
		snap_expect_same(sim, sn);
		expect_unmapped(sim, va);
		sim_check_tree(sim);
	}
	sim->budget = need;
	assert_int_equal(sim_map(sim, va, 0, size, PT_WRITE | PT_EXEC, page_size), 0);
	sim->budget = -1;
	expect_mapped(sim, va + size - KB4, size - KB4, PT_WRITE | PT_EXEC, page_size);
	assert_int_equal(sim_unmap(sim, va - KB4, size + KB4), 0);
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

static void test_enomem_rollback(void **state)
{
	/* 4 KiB pages across a 512 GiB boundary: new PDPT, PD and PT on one side. */
	check_enomem(4, 512 * GB1 - 3 * KB4, 6 * KB4, PT_PAGE_4K);
	check_enomem(5, 0x0001000000000000ull - 3 * KB4, 6 * KB4, PT_PAGE_4K);
	/* 2 MiB pages across 1 GiB boundaries. */
	check_enomem(4, 7 * GB1 - 2 * MB2, 600 * MB2, PT_PAGE_2M);
	/* 1 GiB pages across a 256 TiB boundary (5-level only): PML4 and PDPTs. */
	check_enomem(5, 0x0001000000000000ull - GB1, 3 * GB1, PT_PAGE_1G);
}

/* A split that cannot get its tables fails without touching the huge page. */
static void test_enomem_split(void **state)
{
	struct sim *sim = sim_new(4);
	struct snap *sn;
	unsigned int n;

	assert_int_equal(sim_map(sim, GB1, 0, GB1, PT_WRITE, PT_PAGE_1G), 0);
	for (n = 0; n < 2; n++) { /* a PD and a PT */
		sn = snap_take(sim);
		sim->budget = n;
		assert_int_equal(sim_unmap(sim, GB1 + 3 * MB2 + KB4, KB4), -ENOMEM);
		assert_int_equal(sim_protect(sim, GB1 + 3 * MB2 + KB4, KB4, 0), -ENOMEM);
		assert_int_equal(sim->invalidates + sim->flushes, 0);
		snap_expect_same(sim, sn);
	}
	sim->budget = -1;
	expect_mapped(sim, GB1 + 3 * MB2 + KB4, 3 * MB2 + KB4, PT_WRITE, PT_PAGE_1G);
	assert_int_equal(sim_unmap(sim, GB1 + 3 * MB2 + KB4, KB4), 0);
	assert_int_equal(sim->allocs, 2);
	assert_int_equal(sim_unmap(sim, GB1, GB1), 0);
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

/*
 * A table entry allows the union of what its children need: mapping a user,
 * writable, executable page under kernel-only, read-only, no-execute table
 * entries widens them, and leaves the first page as it was.
 */
static void test_table_rights_union(void **state)
{
	struct sim *sim = sim_new(4);
	const uint64_t va = 0x7f0000000000ull;
	uint64_t leaf;

	assert_int_equal(sim_map(sim, va, 0x10000, KB4, PT_READ, PT_PAGE_4K), 0);
	expect_table_rights(sim, va, false, false, true);
	leaf = *sim_entry(sim, va, 1);
	assert_int_equal(leaf & (E_RW | E_US | E_NX), E_NX);

	assert_int_equal(
		sim_map(sim, va + KB4, 0x20000, KB4, PT_WRITE | PT_USER | PT_EXEC, PT_PAGE_4K), 0);
	expect_table_rights(sim, va, true, true, false);
	assert_int_equal(*sim_entry(sim, va, 1), leaf);
	assert_int_equal(sim->allocs, 0);
	/* The widened entries may be cached: one invalidation (it flushes them all). */
	assert_int_equal(sim->invalidates, 1);
	expect_mapped(sim, va, 0x10000, 0, PT_PAGE_4K);
	expect_mapped(sim, va + KB4, 0x20000, PT_WRITE | PT_USER | PT_EXEC, PT_PAGE_4K);

	/* Under the same PML4 entry, a new PDPTE gets only what its page needs. */
	assert_int_equal(sim_map(sim, va + GB1, 0, MB2, PT_WRITE, PT_PAGE_2M), 0);
	assert_int_equal(*sim_entry(sim, va + GB1, 4) & (E_RW | E_US | E_NX), E_RW | E_US);
	assert_int_equal(*sim_entry(sim, va + GB1, 3) & (E_RW | E_US | E_NX), E_RW | E_NX);
	/* Already wide enough: nothing to invalidate. */
	assert_int_equal(sim->invalidates, 0);

	/* Under another PML4 entry, a kernel read-only page: narrow tables. */
	assert_int_equal(sim_map(sim, 0xffff800000000000ull, 0, KB4, PT_GLOBAL, PT_PAGE_4K), 0);
	expect_table_rights(sim, 0xffff800000000000ull, false, false, true);

	/* Protect widens too. */
	assert_int_equal(sim_protect(sim, 0xffff800000000000ull, KB4, PT_WRITE | PT_EXEC), 0);
	expect_table_rights(sim, 0xffff800000000000ull, true, false, false);
	expect_mapped(sim, 0xffff800000000000ull, 0, PT_WRITE | PT_EXEC, PT_PAGE_4K);
	assert_int_equal(sim->invalidates, 1);

	/* pt_translate() reports what the whole walk allows (SDM Vol. 3A, 5.6). */
	*sim_entry(sim, va, 2) &= ~E_RW;
	*sim_entry(sim, va, 3) |= E_NX;
	expect_mapped(sim, va + KB4, 0x20000, PT_USER, PT_PAGE_4K);
	*sim_entry(sim, va, 4) &= ~E_US;
	expect_mapped(sim, va + KB4, 0x20000, 0, PT_PAGE_4K);

	assert_int_equal(sim_unmap(sim, va, 2 * GB1), 0);
	assert_int_equal(sim_unmap(sim, 0xffff800000000000ull, KB4), 0);
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

/* Ranges that end at 2^64 - 1: inclusive ends, nothing overflows. */
static void check_top_of_range(int levels)
{
	struct sim *sim = sim_new(levels);
	uint64_t pa = 0, size = 0;

	assert_int_equal(
		sim_map(sim, 0xffffffffffe00000ull, 0x40000000ull, 0x200000, PT_WRITE, PT_PAGE_2M),
		0);
	assert_int_equal(pt_translate(&sim->space, 0xffffffffffffffffull, &pa, NULL, &size), 0);
	assert_int_equal(pa, 0x401fffffull);
	assert_int_equal(size, MB2);
	expect_unmapped(sim, 0xffffffffffdff000ull);
	/* One past the end would wrap. */
	assert_int_equal(sim_map(sim, 0xffffffffffe00000ull, 0, 0x400000, 0, PT_PAGE_2M), -EINVAL);
	assert_int_equal(sim_unmap(sim, 0xffffffffffe00000ull, 0x400000), -EINVAL);
	assert_int_equal(sim_unmap(sim, 0xfffffffffffff000ull, 0x2000), -EINVAL);
	/* Unmapping the last page splits the 2 MiB page. */
	assert_int_equal(sim_unmap(sim, 0xfffffffffffff000ull, KB4), 0);
	assert_int_equal(sim->invalidates, 1);
	assert_int_equal(sim->inval_log[0], 0xfffffffffffff000ull);
	expect_unmapped(sim, 0xffffffffffffffffull);
	expect_mapped(sim, 0xffffffffffffe000ull, 0x401fe000ull, PT_WRITE, PT_PAGE_4K);
	assert_int_equal(sim_protect(sim, 0xffffffffffe00000ull, 0x200000, PT_EXEC), 0);
	expect_mapped(sim, 0xffffffffffe00000ull, 0x40000000ull, PT_EXEC, PT_PAGE_4K);
	assert_int_equal(sim_unmap(sim, 0xffffffffffe00000ull, 0x200000), 0);
	assert_int_equal(sim->nlive, 1);

	/* 4 KiB pages up to the top, then the last 1 GiB. */
	assert_int_equal(sim_map(sim, 0xffffffffffffc000ull, 0x8000, 0x4000, 0, PT_PAGE_4K), 0);
	expect_mapped(sim, 0xffffffffffffffffull, 0xbfffull, 0, PT_PAGE_4K);
	assert_int_equal(sim_unmap(sim, 0xffffffffffffc000ull, 0x4000), 0);
	assert_int_equal(sim_map(sim, 0xffffffffc0000000ull, 0, GB1, PT_USER, PT_PAGE_1G), 0);
	expect_mapped(sim, 0xfffffffffffffff8ull, 0x3ffffff8ull, PT_USER, PT_PAGE_1G);
	assert_int_equal(sim_unmap(sim, 0xffffffffffffe000ull, 0x2000), 0);
	expect_mapped(sim, 0xffffffffffffd000ull, 0x3fffd000ull, PT_USER, PT_PAGE_4K);
	expect_mapped(sim, 0xffffffffffc00000ull, 0x3fc00000ull, PT_USER, PT_PAGE_2M);
	expect_mapped(sim, 0xffffffffc0000000ull, 0, PT_USER, PT_PAGE_2M);
	assert_int_equal(sim_unmap(sim, 0xffffffffc0000000ull, GB1), 0);
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

static void test_top_of_range_l4(void **state)
{
	check_top_of_range(4);
}

static void test_top_of_range_l5(void **state)
{
	check_top_of_range(5);
}

/* Arguments that are refused before anything is looked at. */
static void test_rejects(void **state)
{
	struct sim *sim4 = sim_new(4), *sim5 = sim_new(5);
	struct pt_space bad;

	/* Non-canonical for 4 levels, fine for 5. */
	assert_int_equal(sim_map(sim4, 0x0000800000000000ull, 0, KB4, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim4, 0xffff7ffffffff000ull, 0, KB4, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim4, 0x00007ffffffff000ull, 0, 2 * KB4, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim5, 0x0000800000000000ull, 0, KB4, 0, PT_PAGE_4K), 0);
	assert_int_equal(sim_map(sim5, 0xff7ffffffffff000ull, 0, KB4, 0, PT_PAGE_4K), 0);
	assert_int_equal(sim_map(sim5, 0x0100000000000000ull, 0, KB4, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim5, 0xfeffffffffe00000ull, 0, MB2, 0, PT_PAGE_2M), -EINVAL);
	/* Both ends canonical but the range crosses the hole. */
	assert_int_equal(sim_map(sim4, 0x00007ffffffff000ull, 0,
	                         0xffff800000001000ull - 0x00007ffffffff000ull, 0, PT_PAGE_4K),
	                 -EINVAL);
	assert_int_equal(sim_unmap(sim4, 0x00007ffffffff000ull,
	                           0xffff800000001000ull - 0x00007ffffffff000ull),
	                 -EINVAL);
	/* Misaligned va, pa or size; zero size; wrapping. */
	assert_int_equal(sim_map(sim4, 0x1800, 0, KB4, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim4, 0x1000, 0x800, KB4, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim4, 0x1000, 0, 0x1800, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim4, MB2 + KB4, 0, MB2, 0, PT_PAGE_2M), -EINVAL);
	assert_int_equal(sim_map(sim4, MB2, KB4, MB2, 0, PT_PAGE_2M), -EINVAL);
	assert_int_equal(sim_map(sim4, MB2, 0, MB2 + KB4, 0, PT_PAGE_2M), -EINVAL);
	assert_int_equal(sim_map(sim4, GB1, MB2, GB1, 0, PT_PAGE_1G), -EINVAL);
	assert_int_equal(sim_map(sim4, 0x1000, 0, 0, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim4, 0xfffffffffffff000ull, 0, 0x2000, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim4, 0x2000, 0, 0xfffffffffffff000ull, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_unmap(sim4, 0x2000, 0xfffffffffffff000ull), -EINVAL);
	/* Page sizes the hardware does not have, unknown flags. */
	assert_int_equal(sim_map(sim4, 0, 0, 0x8000, 0, 0x8000), -EINVAL);
	assert_int_equal(sim_map(sim4, 0, 0, 512 * GB1, 0, 512 * GB1), -EINVAL);
	assert_int_equal(sim_map(sim4, 0, 0, KB4, 0, 0), -EINVAL);
	assert_int_equal(sim_map(sim4, 0, 0, KB4, 0x80000000u, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim4, 0, 0, KB4, 1u << 10, PT_PAGE_4K), -EINVAL);
	/* Physical addresses past 2^52, or wrapping. */
	assert_int_equal(sim_map(sim4, 0, 1ull << 52, KB4, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim4, 0, (1ull << 52) - KB4, 2 * KB4, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim4, 0, 0xfffffffffffff000ull, 2 * KB4, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim4, 0, (1ull << 52) - KB4, KB4, 0, PT_PAGE_4K), 0);
	expect_mapped(sim4, 0xfff, (1ull << 52) - 1, 0, PT_PAGE_4K);
	/* Unmap and protect: 4 KiB granularity, canonical, known flags. */
	assert_int_equal(sim_unmap(sim4, 0x800, KB4), -EINVAL);
	assert_int_equal(sim_unmap(sim4, 0, 0x800), -EINVAL);
	assert_int_equal(sim_unmap(sim4, 0, 0), -EINVAL);
	assert_int_equal(sim_unmap(sim4, 0x0000800000000000ull, KB4), -EINVAL);
	assert_int_equal(sim_protect(sim4, 0, KB4, 1u << 20), -EINVAL);
	assert_int_equal(sim_protect(sim4, 0xfffffffffffff000ull, 0x2000, 0), -EINVAL);
	/* Translate: non-canonical or unmapped addresses are simply not mapped. */
	assert_int_equal(pt_translate(&sim4->space, 0x0000800000000000ull, NULL, NULL, NULL),
	                 -ENOENT);
	assert_int_equal(pt_translate(&sim4->space, 0x5000, NULL, NULL, NULL), -ENOENT);
	/* A malformed space. */
	bad = sim4->space;
	bad.levels = 3;
	assert_int_equal(pt_map(&bad, 0, 0, KB4, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(pt_unmap(&bad, 0, KB4), -EINVAL);
	assert_int_equal(pt_translate(&bad, 0, NULL, NULL, NULL), -EINVAL);
	bad.levels = 4;
	bad.root = 0x1800;
	assert_int_equal(pt_protect(&bad, 0, KB4, 0), -EINVAL);
	assert_int_equal(pt_map(NULL, 0, 0, KB4, 0, PT_PAGE_4K), -EINVAL);
	assert_false(pt_canonical(6, 0));
	assert_true(pt_canonical(4, 0xffff800000000000ull));
	assert_false(pt_canonical(4, 0xfeff800000000000ull));

	sim_check_tree(sim4);
	assert_int_equal(sim_unmap(sim4, 0, KB4), 0);
	assert_int_equal(sim_unmap(sim5, 0x0000800000000000ull, KB4), 0);
	assert_int_equal(sim_unmap(sim5, 0xff7ffffffffff000ull, KB4), 0);
	assert_int_equal(sim4->nlive + sim5->nlive, 2);
	sim_free(sim4);
	sim_free(sim5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_4k_l4),
		cmocka_unit_test(test_map_2m_l4),
		cmocka_unit_test(test_map_1g_l4),
		cmocka_unit_test(test_map_4k_l5),
		cmocka_unit_test(test_map_2m_l5),
		cmocka_unit_test(test_map_1g_l5),
		cmocka_unit_test(test_table_counts),
		cmocka_unit_test(test_eexist_changes_nothing),
		cmocka_unit_test(test_enomem_rollback),
		cmocka_unit_test(test_enomem_split),
		cmocka_unit_test(test_table_rights_union),
		cmocka_unit_test(test_top_of_range_l4),
		cmocka_unit_test(test_top_of_range_l5),
		cmocka_unit_test(test_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
