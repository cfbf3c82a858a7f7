/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/paging/share.c: pinning the kernel half under fixed
 * root entries (tables created with wide rights and never freed), sharing
 * it with a second root, and the walk over mapped pages
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

static const uint64_t kva = 0xffffc00000000000ull;

/* Pinning gives all 256 upper root entries a table; unmapping frees none of them. */
static void pin_creates_and_keeps_upper_tables(void **state)
{
	for (int levels = 4; levels <= 5; levels++) {
		struct sim *sim = sim_new(levels);
		uint64_t *root;

		assert_int_equal(sim_map(sim, kva, 0x100000, KB4, PT_WRITE, PT_PAGE_4K), 0);
		assert_int_equal(pt_pin_upper_half(&sim->space), 0);
		root = (uint64_t *)(sim->ram + sim->space.root);
		for (int i = 256; i < 512; i++) {
			assert_true(root[i] & E_P);
			assert_true(root[i] & E_RW);
			assert_false(root[i] & (E_NX | E_US));
		}
		for (int i = 0; i < 256; i++)
			assert_int_equal(root[i], 0);
		/* Root, 256 pinned tables and the tables below the first mapping. */
		assert_int_equal(sim->nlive, 1 + 256 + (levels - 2));
		assert_int_equal(sim_unmap(sim, kva, KB4), 0);
		assert_int_equal(sim->nlive, 1 + 256);
		assert_true(root[(kva >> (levels == 4 ? 39 : 48)) & 511] & E_P);
		/* Lower-half tables are still freed as they empty. */
		assert_int_equal(
			sim_map(sim, 0x400000, 0x200000, KB4, PT_WRITE | PT_USER, PT_PAGE_4K), 0);
		assert_int_equal(sim_unmap(sim, 0x400000, KB4), 0);
		assert_int_equal(sim->nlive, 1 + 256);
		assert_int_equal(root[0], 0);
		sim_free(sim);
	}
}

static void pin_reports_out_of_memory(void **state)
{
	struct sim *sim = sim_new(4);

	sim->budget = 10;
	assert_int_equal(pt_pin_upper_half(&sim->space), -ENOMEM);
	sim_free(sim);
}

/* A second root sharing the upper half sees later kernel mappings; its user half is its own. */
static void shared_root_sees_kernel_changes(void **state)
{
	struct sim *sim = sim_new(4);
	struct pt_space user = sim->space;
	uint64_t pa = 0;

	assert_int_equal(pt_pin_upper_half(&sim->space), 0);
	user.root = sim->ops.alloc_table(sim->ops.ctx);
	user.keep_top = false;
	assert_int_equal(pt_share_upper_half(&user, &sim->space), 0);
	assert_int_equal(pt_share_upper_half(&sim->space, &user), -EINVAL); /* @src not pinned */
	assert_int_equal(sim_map(sim, kva + 0x5000, 0x300000, KB4, PT_WRITE | PT_EXEC, PT_PAGE_4K),
	                 0);
	assert_int_equal(pt_translate(&user, kva + 0x5000, &pa, NULL, NULL), 0);
	assert_int_equal(pa, 0x300000);
	assert_int_equal(pt_map(&user, 0x1000, 0x400000, KB4, PT_USER | PT_WRITE, PT_PAGE_4K), 0);
	assert_int_equal(pt_translate(&sim->space, 0x1000, NULL, NULL, NULL), -ENOENT);
	assert_int_equal(pt_unmap(&user, 0x1000, KB4), 0);
	sim->ops.free_table(sim->ops.ctx, user.root);
	sim_free(sim);
}

struct visits {
	unsigned n;
	uint64_t va[16], pa[16], size[16];
	uint32_t flags[16];
	unsigned stop_at; /* return 7 at this visit, 0: never */
};

static int visit(void *ctx, uint64_t va, uint64_t pa, uint32_t flags, uint64_t page_size)
{
	struct visits *v = ctx;

	assert_true(v->n < 16);
	v->va[v->n] = va;
	v->pa[v->n] = pa;
	v->flags[v->n] = flags;
	v->size[v->n] = page_size;
	return ++v->n == v->stop_at ? 7 : 0;
}

static void leaf_walk_visits_mapped_pages_in_order(void **state)
{
	struct sim *sim = sim_new(4);
	struct visits v = { 0 };

	assert_int_equal(sim_map(sim, 0x7fff0000f000, 0x9000, KB4, PT_USER, PT_PAGE_4K), 0);
	assert_int_equal(sim_map(sim, 0x1000, 0x5000, 2 * KB4, PT_USER | PT_WRITE, PT_PAGE_4K), 0);
	assert_int_equal(sim_map(sim, 0x40000000, 0x800000, MB2, PT_USER | PT_EXEC, PT_PAGE_2M), 0);
	assert_int_equal(pt_for_each_leaf(&sim->space, 0, 0x800000000000ull, visit, &v), 0);
	assert_int_equal(v.n, 4);
	assert_int_equal(v.va[0], 0x1000);
	assert_int_equal(v.pa[1], 0x6000);
	assert_int_equal(v.flags[1], PT_READ | PT_USER | PT_WRITE);
	assert_int_equal(v.va[2], 0x40000000);
	assert_int_equal(v.size[2], MB2);
	assert_int_equal(v.flags[2], PT_READ | PT_USER | PT_EXEC);
	assert_int_equal(v.va[3], 0x7fff0000f000);
	assert_int_equal(v.flags[3], PT_READ | PT_USER);
	/* A sub-range, and a callback that stops the walk. */
	v = (struct visits){ .stop_at = 1 };
	assert_int_equal(pt_for_each_leaf(&sim->space, 0x2000, 0x7fff00000000ull, visit, &v), 7);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.va[0], 0x2000);
	assert_int_equal(pt_for_each_leaf(&sim->space, 0x2001, KB4, visit, &v), -EINVAL);
	sim_free(sim);
}

/* Replacing a page's frame widens the tables above it and invalidates exactly that page. */
static void replace_4k_swaps_frame_in_place(void **state)
{
	struct sim *sim = sim_new(4);

	assert_int_equal(sim_map(sim, 0x10000, 0x5000, KB4, PT_USER, PT_PAGE_4K), 0);
	expect_table_rights(sim, 0x10000, false, true, true);
	sim->invalidates = 0;
	assert_int_equal(pt_replace_4k(&sim->space, 0x10000, 0x9000, PT_USER | PT_WRITE), 0);
	expect_mapped(sim, 0x10000, 0x9000, PT_USER | PT_WRITE, PT_PAGE_4K);
	expect_table_rights(sim, 0x10000, true, true, true);
	assert_int_equal(sim->invalidates, 1);
	assert_int_equal(pt_replace_4k(&sim->space, 0x11000, 0x9000, PT_USER), -ENOENT);
	assert_int_equal(pt_replace_4k(&sim->space, 0x10001, 0x9000, PT_USER), -EINVAL);
	assert_int_equal(sim_map(sim, 0x200000, 0x400000, MB2, PT_USER, PT_PAGE_2M), 0);
	assert_int_equal(pt_replace_4k(&sim->space, 0x201000, 0x9000, PT_USER), -ENOENT);
	sim_free(sim);
}

/* The fast single-page map works only under existing tables and never overwrites. */
static void map_4k_fast_needs_existing_tables(void **state)
{
	struct sim *sim = sim_new(4);

	assert_int_equal(pt_map_4k_fast(&sim->space, 0x10000, 0x5000, PT_USER), -ENOENT);
	assert_int_equal(sim->nlive, 1);
	assert_int_equal(sim_map(sim, 0x10000, 0x5000, KB4, PT_USER, PT_PAGE_4K), 0);
	sim->invalidates = 0;
	assert_int_equal(pt_map_4k_fast(&sim->space, 0x10000, 0x6000, PT_USER), -EEXIST);
	expect_mapped(sim, 0x10000, 0x5000, PT_USER, PT_PAGE_4K);
	assert_int_equal(pt_map_4k_fast(&sim->space, 0x11000, 0x6000, PT_USER | PT_WRITE | PT_EXEC),
	                 0);
	expect_mapped(sim, 0x11000, 0x6000, PT_USER | PT_WRITE | PT_EXEC, PT_PAGE_4K);
	expect_mapped(sim, 0x10000, 0x5000, PT_USER, PT_PAGE_4K);
	expect_table_rights(sim, 0x11000, true, true, false);
	assert_int_equal(sim->invalidates, 0);
	assert_int_equal(sim->nlive, 4);
	assert_int_equal(pt_map_4k_fast(&sim->space, 0x11001, 0x6000, PT_USER), -EINVAL);
	assert_int_equal(pt_map_4k_fast(&sim->space, 0x12000, 0x6000, 0x8000), -EINVAL);
	sim_check_tree(sim);
	sim_free(sim);
}

/* pt_copy_range() callback: the copy and the original lose write access; 0x3000 stops. */
static int cow_flags(void *ctx, uint64_t va, uint64_t pa, uint32_t *src_flags, uint32_t *dst_flags)
{
	unsigned *seen = ctx;

	(*seen)++;
	if (pa == 0x3000)
		return 9;
	*src_flags &= ~PT_WRITE;
	*dst_flags &= ~PT_WRITE;
	return 0;
}

/* Copying a range table by table: same frames, new flags on both sides, tables allocated. */
static void copy_range_shares_frames(void **state)
{
	struct sim *sim = sim_new(4);
	struct pt_space dst = sim->space;
	unsigned seen = 0;

	dst.root = sim->ops.alloc_table(sim->ops.ctx);
	assert_int_equal(sim_map(sim, 0x1000, 0x5000, 2 * KB4, PT_USER | PT_WRITE, PT_PAGE_4K), 0);
	assert_int_equal(sim_map(sim, 0x7f0000000000, 0x9000, KB4, PT_USER | PT_EXEC, PT_PAGE_4K),
	                 0);
	sim->invalidates = 0;
	assert_int_equal(pt_copy_range(&dst, &sim->space, 0, 0x800000000000ull, cow_flags, &seen),
	                 0);
	assert_int_equal(seen, 3);
	assert_int_equal(sim->invalidates, 2); /* the two pages that lost write access */
	expect_mapped(sim, 0x1000, 0x5000, PT_USER, PT_PAGE_4K);
	for (int i = 0; i < 3; i++) {
		static const uint64_t va[3] = { 0x1000, 0x2000, 0x7f0000000000 };
		static const uint64_t pa[3] = { 0x5000, 0x6000, 0x9000 };
		static const uint32_t fl[3] = { PT_USER, PT_USER, PT_USER | PT_EXEC };
		uint64_t got = 0;
		uint32_t flags = 0;

		assert_int_equal(pt_translate(&dst, va[i], &got, &flags, NULL), 0);
		assert_int_equal(got, pa[i]);
		assert_int_equal(flags, fl[i] | PT_READ);
	}
	/* Root plus 3 tables for each of the two places, in both spaces. */
	assert_int_equal(sim->nlive, 2 * (1 + 3 + 3));
	/* A callback error stops the copy and comes back. */
	assert_int_equal(sim_map(sim, 0x400000, 0x3000, KB4, PT_USER, PT_PAGE_4K), 0);
	assert_int_equal(pt_copy_range(&dst, &sim->space, 0x400000, KB4, cow_flags, &seen), 9);
	assert_int_equal(pt_copy_range(&dst, &sim->space, 0x400001, KB4, cow_flags, &seen),
	                 -EINVAL);
	assert_int_equal(pt_unmap(&dst, 0, 0x800000000000ull), 0);
	sim->ops.free_table(sim->ops.ctx, dst.root);
	sim_free(sim);
}

/* Teardown visits every user page, frees every user table and leaves the kernel half alone. */
static void teardown_frees_every_lower_table(void **state)
{
	struct sim *sim = sim_new(5);
	struct visits v = { 0 };

	assert_int_equal(sim_map(sim, 0x1000, 0x5000, KB4, PT_USER, PT_PAGE_4K), 0);
	assert_int_equal(sim_map(sim, 0x200000, 0x400000, MB2, PT_USER, PT_PAGE_2M), 0);
	assert_int_equal(sim_map(sim, 0xff00000000001000ull, 0x6000, KB4, 0, PT_PAGE_4K), 0);
	/* The space is unloaded first (a CR3 switch); the simulator wants that flush seen. */
	sim->ops.flush_all(sim->ops.ctx);
	assert_int_equal(pt_teardown_lower_half(&sim->space, visit, &v), 0);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.va[1], 0x200000);
	assert_int_equal(v.size[1], MB2);
	assert_int_equal(sim->nlive, 1 + 4); /* root and the kernel page's four tables */
	expect_unmapped(sim, 0x1000);
	expect_mapped(sim, 0xff00000000001000ull, 0x6000, 0, PT_PAGE_4K);
	sim_check_tree(sim);
	sim_free(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pin_creates_and_keeps_upper_tables),
		cmocka_unit_test(pin_reports_out_of_memory),
		cmocka_unit_test(shared_root_sees_kernel_changes),
		cmocka_unit_test(leaf_walk_visits_mapped_pages_in_order),
		cmocka_unit_test(replace_4k_swaps_frame_in_place),
		cmocka_unit_test(map_4k_fast_needs_existing_tables),
		cmocka_unit_test(copy_range_shares_frames),
		cmocka_unit_test(teardown_frees_every_lower_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
