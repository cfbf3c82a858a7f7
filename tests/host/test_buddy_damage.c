/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/buddy against misuse and damage: every kind of bad free
 * is refused and changes nothing, damaged free-list links in the records
 * are found and quarantined instead of followed, and buddy_check() notices
 * damaged metadata. The simulated machine is tests/host/buddy_helpers.h.
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

/* A rejected free returns -EINVAL; the caller then checks nothing changed. */
#define expect_rejected(call) assert_int_equal((call), -EINVAL)

/* A copy of every record, to show a refused call changed nothing. */
static struct sim_record *snapshot(const struct sim *s)
{
	struct sim_record *snap = malloc(s->npages * sizeof(*snap));

	assert_non_null(snap);
	memcpy(snap, s->rec, s->npages * sizeof(*snap));
	return snap;
}

/* Every kind of bad free, with @a an order-0 block, @b an order-3 one and @c freed. */
static void try_bad_frees(struct sim *s, uint64_t a, uint64_t b, uint64_t c)
{
	expect_rejected(buddy_free(&s->b, c, 0));            /* double free */
	expect_rejected(buddy_free(&s->b, b + 1, 0));        /* inside a block */
	expect_rejected(buddy_free(&s->b, b + 2, 1));        /* inside, aligned */
	expect_rejected(buddy_free(&s->b, b, 2));            /* wrong order, smaller */
	expect_rejected(buddy_free(&s->b, b, 4));            /* wrong order, larger */
	expect_rejected(buddy_free(&s->b, a, 1));            /* wrong order */
	expect_rejected(buddy_free(&s->b, b, BUDDY_ORDERS)); /* no such order */
	expect_rejected(buddy_free(&s->b, b, 255));
	expect_rejected(buddy_free(&s->b, 0x1ff, 0));        /* below the range */
	expect_rejected(buddy_free(&s->b, 0x200, 0));        /* never added */
	expect_rejected(buddy_free(&s->b, 0x200 + 4096, 0)); /* above the range */
	expect_rejected(buddy_free(&s->b, BUDDY_NONE, 0));
	expect_rejected(buddy_free(&s->b, 0x200 + 4095, 0)); /* never added, in range */
	expect_rejected(buddy_free_exact(&s->b, b, 9));
	expect_rejected(buddy_free_exact(&s->b, b, 0));
	expect_rejected(buddy_free_exact(&s->b, c, 1));
	expect_rejected(buddy_free_exact(&s->b, 0x200 + 4095, 2));
	expect_rejected(buddy_free_exact(&s->b, b, UINT64_MAX));
}

static void test_bad_frees_detected(void **state)
{
	struct sim *s = sim_new(0x200, 4096);
	struct sim_record *snap;
	struct buddy_stats before, after;
	uint64_t a, b, c;

	assert_int_equal(buddy_add_free_range(&s->b, 0x201, 4000), 0);
	a = alloc_block(s, 0);
	b = alloc_block(s, 3);
	c = alloc_block(s, 0);
	free_block(s, c, 0); /* c is free again */
	snap = snapshot(s);
	before = stats(s);
	try_bad_frees(s, a, b, c);
	assert_memory_equal(snap, s->rec, s->npages * sizeof(*snap));
	after = stats(s);
	assert_same_stats(&before, &after);
	sim_check(s);

	/* The real frees still work afterwards, and only once. */
	free_block(s, b, 3);
	free_block(s, a, 0);
	assert_int_equal(buddy_free(&s->b, a, 0), -EINVAL);
	assert_int_equal(stats(s).free, 4000);
	sim_check(s);
	free(snap);
	sim_free(s);
}

/* 32 order-2 blocks on one list that cannot merge (every other block held). */
static void checkerboard(struct sim *s, uint64_t *blocks)
{
	for (int i = 0; i < 64; i++)
		blocks[i] = alloc_block(s, 2);
	for (int i = 0; i < 64; i += 2)
		free_block(s, blocks[i], 2);
	assert_int_equal(stats(s).free_blocks[2], 32);
}

/* Scribbling over a free block's links must never make the allocator hand out garbage. */
static void test_corrupted_list_quarantined(void **state)
{
	struct sim *s = sim_new(0, 1024);
	uint64_t blocks[64], total = 0;

	assert_int_equal(buddy_add_free_range(&s->b, 0, 1024), 0);
	checkerboard(s, blocks);
	/* A stray write: the second block's links now point at held memory. */
	sim_node(s, blocks[2])->next = (uint32_t)blocks[1];
	sim_node(s, blocks[2])->prev = 0xdeadbeef;
	while (alloc_block(s, 2) != BUDDY_NONE)
		total += 4;
	assert_int_equal(stats(s).corruptions, 1);
	assert_int_equal(stats(s).free_blocks[2], 0);
	sim_check(s);
	/* The larger orders were still usable. */
	assert_true(total >= 1024 - 64 * 4);
	sim_free(s);
}

/* A damaged back link is found when a merge takes a block out of the middle of its list. */
static void test_corrupted_prev_link_found_on_merge(void **state)
{
	struct sim *s = sim_new(0, 256);
	uint64_t blocks[64];

	assert_int_equal(buddy_add_free_range(&s->b, 0, 256), 0);
	checkerboard(s, blocks);
	/* blocks[20]'s back link names another free block, whose next is not blocks[20]. */
	sim_node(s, blocks[20])->prev = (uint32_t)blocks[30];
	free_block(s, blocks[21], 2); /* merges with blocks[20]: must notice */
	assert_int_equal(stats(s).corruptions, 1);
	sim_check(s);
	assert_false(buddy_is_free(&s->b, blocks[30]));
	sim_free(s);
}

/* A link past the end of the range is refused before it is followed. */
static void test_out_of_range_link_refused(void **state)
{
	struct sim *s = sim_new(0, 256);
	uint64_t blocks[64];

	assert_int_equal(buddy_add_free_range(&s->b, 0, 256), 0);
	checkerboard(s, blocks);
	sim_node(s, s->b.free_head[2])->next = 0xfffffff0u;
	while (alloc_block(s, 2) != BUDDY_NONE)
		;
	assert_int_equal(stats(s).corruptions, 1);
	sim_check(s);
	sim_free(s);
}

/* buddy_check() itself notices damaged metadata (it is what the other tests rely on). */
static void test_check_detects_damage(void **state)
{
	static const uint8_t bad[] = { 0x00, 0x80, 0xa1, 0xe3, 0x7f, 0xff, 0xf1, 0xd0 };
	struct sim *s = sim_new(0, 64);
	uint8_t saved;

	assert_int_equal(buddy_add_free_range(&s->b, 0, 64), 0);
	assert_int_equal(alloc_block(s, 0), 0); /* frame 0; frees 1, 2-3, 4-7, ... */
	assert_int_equal(buddy_check(&s->b), 0);
	for (uint64_t i = 0; i < 8; i++) {
		for (unsigned j = 0; j < sizeof(bad); j++) {
			saved = sim_node(s, i)->meta;
			if (bad[j] == saved)
				continue;
			sim_node(s, i)->meta = bad[j];
			if (buddy_check(&s->b) == 0)
				fail_msg("meta[%u] = %#x (was %#x) passed the check", (unsigned)i,
				         bad[j], saved);
			sim_node(s, i)->meta = saved;
		}
	}
	s->b.nfree++;
	assert_int_not_equal(buddy_check(&s->b), 0);
	s->b.nfree--;
	s->b.free_blocks[1]++;
	assert_int_not_equal(buddy_check(&s->b), 0);
	s->b.free_blocks[1]--;
	assert_int_equal(buddy_check(&s->b), 0);
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_frees_detected),
		cmocka_unit_test(test_corrupted_list_quarantined),
		cmocka_unit_test(test_corrupted_prev_link_found_on_merge),
		cmocka_unit_test(test_out_of_range_link_refused),
		cmocka_unit_test(test_check_detects_damage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
