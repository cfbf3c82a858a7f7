/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/buddy over simulated physical memory: an array of 4 KiB
 * pages reached through the frame_ptr callback. A shadow map of allocated
 * frames catches overlap, a pattern written into every allocated frame
 * catches the allocator writing into memory it handed out, and buddy_check()
 * verifies the allocator's own invariants after each step.
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

#define PAGE 4096u

/* A simulated machine: frames base .. base + npages - 1 and their shadow state. */
struct sim {
	struct buddy b;
	uint64_t base, npages;
	uint8_t *mem;   /* npages * PAGE bytes */
	uint8_t *meta;  /* the allocator's metadata */
	uint8_t *owned; /* shadow: 1 when the test holds the frame */
	unsigned calls; /* frame_ptr calls */
};

static void *sim_frame(void *ctx, uint64_t pfn)
{
	struct sim *s = ctx;

	/* The allocator only reaches frames in range that the test does not hold. */
	assert_true(pfn >= s->base && pfn - s->base < s->npages);
	assert_false(s->owned[pfn - s->base]);
	s->calls++;
	return s->mem + (pfn - s->base) * PAGE;
}

static struct sim *sim_new(uint64_t base, uint64_t npages)
{
	struct sim *s = calloc(1, sizeof(*s));
	struct buddy_params p;

	assert_non_null(s);
	s->base = base;
	s->npages = npages;
	s->mem = calloc(npages, PAGE);
	s->meta = malloc(buddy_meta_size(npages) + 1);
	s->owned = calloc(npages, 1);
	assert_true(s->mem && s->meta && s->owned);
	p = (struct buddy_params){ base, npages, s->meta, sim_frame, s };
	assert_int_equal(buddy_init(&s->b, &p), 0);
	return s;
}

static void sim_free(struct sim *s)
{
	free(s->mem);
	free(s->meta);
	free(s->owned);
	free(s);
}

/* The first 32 bytes of each frame of a block we hold carry its frame number. */
static void fill(struct sim *s, uint64_t pfn, uint64_t n)
{
	for (uint64_t p = pfn; p < pfn + n; p++) {
		uint64_t *w = (uint64_t *)(s->mem + (p - s->base) * PAGE);

		w[0] = w[1] = w[2] = w[3] = p ^ 0x5a5a5a5a5a5a5a5aull;
	}
}

static void verify(struct sim *s, uint64_t pfn, uint64_t n)
{
	for (uint64_t p = pfn; p < pfn + n; p++) {
		uint64_t *w = (uint64_t *)(s->mem + (p - s->base) * PAGE);

		for (int i = 0; i < 4; i++)
			assert_int_equal(w[i], p ^ 0x5a5a5a5a5a5a5a5aull);
	}
}

/* Take @n frames at @pfn from the allocator's hands into ours, checking overlap. */
static void take(struct sim *s, uint64_t pfn, uint64_t n)
{
	assert_true(pfn >= s->base && pfn + n <= s->base + s->npages);
	for (uint64_t p = pfn; p < pfn + n; p++) {
		assert_false(s->owned[p - s->base]);
		assert_false(buddy_is_free(&s->b, p));
		s->owned[p - s->base] = 1;
	}
	fill(s, pfn, n);
}

/* Give @n frames at @pfn back (before calling the free function). */
static void give(struct sim *s, uint64_t pfn, uint64_t n)
{
	verify(s, pfn, n);
	for (uint64_t p = pfn; p < pfn + n; p++) {
		assert_true(s->owned[p - s->base]);
		s->owned[p - s->base] = 0;
	}
}

static uint64_t alloc_block(struct sim *s, unsigned order)
{
	uint64_t pfn = buddy_alloc(&s->b, order);

	if (pfn != BUDDY_NONE) {
		assert_int_equal(pfn & ((1ull << order) - 1), 0);
		take(s, pfn, 1ull << order);
	}
	return pfn;
}

static void free_block(struct sim *s, uint64_t pfn, unsigned order)
{
	give(s, pfn, 1ull << order);
	assert_int_equal(buddy_free(&s->b, pfn, order), 0);
}

static void assert_same_stats(const struct buddy_stats *a, const struct buddy_stats *b)
{
	assert_int_equal(a->total, b->total);
	assert_int_equal(a->free, b->free);
	for (unsigned k = 0; k < BUDDY_ORDERS; k++)
		assert_int_equal(a->free_blocks[k], b->free_blocks[k]);
	assert_int_equal(a->corruptions, b->corruptions);
}

static struct buddy_stats stats(const struct sim *s)
{
	struct buddy_stats st;

	buddy_stats(&s->b, &st);
	return st;
}

/* xorshift64*: a fixed-seed generator, so every run sees the same sequence. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static void test_init_rejects_bad_params(void **state)
{
	struct buddy b;
	uint8_t meta[16];
	struct buddy_params p = { 0, 16, meta, sim_frame, NULL };

	assert_int_equal(buddy_init(&b, &p), 0);
	p.meta = NULL;
	assert_int_equal(buddy_init(&b, &p), -EINVAL);
	p.meta = meta;
	p.frame_ptr = NULL;
	assert_int_equal(buddy_init(&b, &p), -EINVAL);
	p.frame_ptr = sim_frame;
	p.base_pfn = BUDDY_PFN_LIMIT - 8;
	assert_int_equal(buddy_init(&b, &p), -EINVAL);
	p.base_pfn = UINT64_MAX - 4;
	assert_int_equal(buddy_init(&b, &p), -EINVAL);
	assert_int_equal(buddy_init(&b, NULL), -EINVAL);

	/* An empty allocator is valid and has nothing to give. */
	p = (struct buddy_params){ 100, 0, NULL, sim_frame, NULL };
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
	assert_int_equal(buddy_check(&s->b), 0);

	/* Overlapping, out-of-range and wrapping ranges change nothing. */
	assert_int_equal(buddy_add_free_range(&s->b, 2, 2), -EINVAL);
	assert_int_equal(buddy_add_free_range(&s->b, 3002, 10), -EINVAL);
	assert_int_equal(buddy_add_free_range(&s->b, 4000, 97), -EINVAL);
	assert_int_equal(buddy_add_free_range(&s->b, 4095, UINT64_MAX), -EINVAL);
	assert_int_equal(buddy_add_free_range(&s->b, 5000, 1), -EINVAL);
	assert_int_equal(buddy_add_free_range(&s->b, 0, 0), 0);
	st = stats(s);
	assert_int_equal(st.total, 3000);
	assert_int_equal(st.free, 3000);
	assert_int_equal(buddy_check(&s->b), 0);

	/* Filling the gaps merges everything into 4 MiB blocks. */
	assert_int_equal(buddy_add_free_range(&s->b, 0, 3), 0);
	assert_int_equal(buddy_add_free_range(&s->b, 3003, 1093), 0);
	st = stats(s);
	assert_int_equal(st.free, 4096);
	assert_int_equal(st.free_blocks[BUDDY_MAX_ORDER], 4);
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++)
		assert_int_equal(st.free_blocks[k], 0);
	assert_int_equal(buddy_check(&s->b), 0);
	sim_free(s);
}

/* Setting up does not write into the largest blocks of a long run: they stay fresh. */
static void test_fresh_blocks_untouched(void **state)
{
	struct sim *s = sim_new(0, 16 * 1024 + 5);
	struct buddy_stats start, now;
	uint64_t big[16], small;

	assert_int_equal(buddy_add_free_range(&s->b, 5, 16 * 1024), 0);
	assert_true(s->calls < 16); /* the 15 whole 4 MiB blocks are not linked */
	start = stats(s);
	assert_int_equal(start.free_blocks[BUDDY_MAX_ORDER], 15);
	s->calls = 0;
	big[0] = alloc_block(s, BUDDY_MAX_ORDER);
	assert_int_equal(s->calls, 0);
	small = alloc_block(s, 0);
	assert_true(small < 1024 || small >= 16 * 1024); /* from the ragged ends, not a big block */
	for (int i = 1; i < 15; i++)
		big[i] = alloc_block(s, BUDDY_MAX_ORDER);
	assert_int_equal(alloc_block(s, BUDDY_MAX_ORDER), BUDDY_NONE);
	assert_int_equal(buddy_check(&s->b), 0);
	for (int i = 0; i < 15; i++)
		free_block(s, big[i], BUDDY_MAX_ORDER);
	free_block(s, small, 0);
	now = stats(s);
	assert_same_stats(&start, &now);
	assert_int_equal(buddy_check(&s->b), 0);
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
	assert_memory_equal(one->meta, many->meta, 2500);
	assert_int_equal(buddy_check(&many->b), 0);
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
		assert_int_equal(buddy_check(&s->b), 0);
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
	assert_int_equal(buddy_check(&s->b), 0);
	sim_free(s);
}

/* Allocate blocks of random orders, free them in random order: all merges back. */
static void test_merge_back_to_initial(void **state)
{
	struct sim *s = sim_new(0, 4096);
	struct buddy_stats start, end;
	uint64_t pfns[600];
	unsigned orders[600], n = 0;

	rng_state = 0x2545f4914f6cdd1dull;
	assert_int_equal(buddy_add_free_range(&s->b, 1, 4090), 0);
	start = stats(s);
	while (n < 600) {
		unsigned order = (unsigned)(rnd() % 4);
		uint64_t pfn = alloc_block(s, order);

		if (pfn == BUDDY_NONE)
			break;
		pfns[n] = pfn;
		orders[n++] = order;
	}
	assert_true(n > 300);
	while (n) {
		unsigned i = (unsigned)(rnd() % n);

		free_block(s, pfns[i], orders[i]);
		pfns[i] = pfns[--n];
		orders[i] = orders[n];
	}
	end = stats(s);
	assert_same_stats(&start, &end);
	assert_int_equal(buddy_check(&s->b), 0);
	sim_free(s);
}

struct held {
	uint64_t pfn, count; /* count is 2^order for blocks, anything for exact */
	unsigned order;
	bool exact;
};

/* One random step: allocate (a block or an exact run) or free something held. */
static void random_step(struct sim *s, struct held *h, unsigned *n, unsigned max)
{
	if (*n < max && (rnd() % 100) < 55) {
		bool exact = rnd() % 4 == 0;
		unsigned order = (unsigned)(rnd() % 64 < 56 ? rnd() % 3 : rnd() % BUDDY_ORDERS);
		uint64_t count = exact ? 1 + rnd() % 40 : 1ull << order;
		uint64_t pfn = exact ? buddy_alloc_exact(&s->b, count) : buddy_alloc(&s->b, order);

		if (pfn == BUDDY_NONE)
			return;
		take(s, pfn, count);
		h[(*n)++] = (struct held){ pfn, count, order, exact };
	} else if (*n) {
		unsigned i = (unsigned)(rnd() % *n);

		give(s, h[i].pfn, h[i].count);
		if (h[i].exact)
			assert_int_equal(buddy_free_exact(&s->b, h[i].pfn, h[i].count), 0);
		else
			assert_int_equal(buddy_free(&s->b, h[i].pfn, h[i].order), 0);
		h[i] = h[--*n];
	}
}

static void test_random_sequences(void **state)
{
	static const uint64_t seeds[] = { 1, 0x9e3779b97f4a7c15ull, 12345, 0xcafef00dull };

	for (unsigned r = 0; r < sizeof(seeds) / sizeof(seeds[0]); r++) {
		struct sim *s = sim_new(0x40, 6000);
		struct held h[1000];
		struct buddy_stats start;
		unsigned n = 0;
		uint64_t held = 0;

		rng_state = seeds[r];
		assert_int_equal(buddy_add_free_range(&s->b, 0x41, 2000), 0);
		assert_int_equal(buddy_add_free_range(&s->b, 0x41 + 2100, 3800), 0);
		start = stats(s);
		for (unsigned step = 0; step < 20000; step++) {
			random_step(s, h, &n, 1000);
			if (step % 97 == 0) {
				held = 0;
				for (unsigned i = 0; i < n; i++)
					held += h[i].count;
				assert_int_equal(stats(s).free + held, start.total);
				assert_int_equal(buddy_check(&s->b), 0);
			}
		}
		while (n) {
			n--;
			give(s, h[n].pfn, h[n].count);
			if (h[n].exact)
				assert_int_equal(buddy_free_exact(&s->b, h[n].pfn, h[n].count), 0);
			else
				assert_int_equal(buddy_free(&s->b, h[n].pfn, h[n].order), 0);
		}
		struct buddy_stats end = stats(s);
		assert_same_stats(&start, &end);
		assert_int_equal(buddy_check(&s->b), 0);
		sim_free(s);
	}
}

/* A rejected free returns -EINVAL; the caller then checks nothing changed. */
#define expect_rejected(call) assert_int_equal((call), -EINVAL)

static void test_bad_frees_detected(void **state)
{
	struct sim *s = sim_new(0x200, 4096);
	uint8_t *snap = malloc(4096);
	struct buddy_stats before, after;
	uint64_t a, b, c;

	assert_int_equal(buddy_add_free_range(&s->b, 0x201, 4000), 0);
	a = alloc_block(s, 0);
	b = alloc_block(s, 3);
	c = alloc_block(s, 0);
	free_block(s, c, 0); /* c is free again */
	memcpy(snap, s->meta, 4096);
	before = stats(s);

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
	assert_memory_equal(snap, s->meta, 4096);
	after = stats(s);
	assert_same_stats(&before, &after);
	assert_int_equal(buddy_check(&s->b), 0);

	/* The real frees still work afterwards, and only once. */
	free_block(s, b, 3);
	free_block(s, a, 0);
	assert_int_equal(buddy_free(&s->b, a, 0), -EINVAL);
	assert_int_equal(stats(s).free, 4000);
	assert_int_equal(buddy_check(&s->b), 0);
	free(snap);
	sim_free(s);
}

static void test_exact_allocation(void **state)
{
	struct sim *s = sim_new(0, 2048);
	struct buddy_stats start, now;
	uint64_t pfn;

	assert_int_equal(buddy_add_free_range(&s->b, 0, 2048), 0);
	start = stats(s);
	for (uint64_t count = 1; count <= 1024; count += (count < 70 ? 1 : 37)) {
		unsigned order = 0;

		while ((1ull << order) < count)
			order++;
		pfn = buddy_alloc_exact(&s->b, count);
		assert_int_not_equal(pfn, BUDDY_NONE);
		assert_int_equal(pfn & ((1ull << order) - 1), 0);
		take(s, pfn, count);
		/* Exactly @count frames are gone, and the tail is free. */
		assert_int_equal(stats(s).free, start.free - count);
		if (count < (1ull << order))
			assert_true(buddy_is_free(&s->b, pfn + count));
		assert_int_equal(buddy_check(&s->b), 0);
		/* A count that does not match the pieces is refused. */
		if (count > 2 && (count & 1))
			assert_int_equal(buddy_free_exact(&s->b, pfn, count + 1), -EINVAL);
		give(s, pfn, count);
		assert_int_equal(buddy_free_exact(&s->b, pfn, count), 0);
		now = stats(s);
		assert_same_stats(&start, &now);
	}
	pfn = buddy_alloc_exact(&s->b, 1024);
	assert_int_equal(pfn & 1023, 0);
	assert_int_equal(buddy_free_exact(&s->b, pfn, 1024), 0);
	assert_int_equal(buddy_alloc_exact(&s->b, 0), BUDDY_NONE);
	assert_int_equal(buddy_alloc_exact(&s->b, 1025), BUDDY_NONE);

	/* Runs of three pack four frames' worth of space with one frame to spare each. */
	uint64_t runs[700], n = 0;

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

/* Scribbling over a free block's links must never make the allocator hand out garbage. */
static void test_corrupted_list_quarantined(void **state)
{
	struct sim *s = sim_new(0, 1024);
	uint64_t blocks[64], pfn, total = 0;

	assert_int_equal(buddy_add_free_range(&s->b, 0, 1024), 0);
	for (int i = 0; i < 64; i++)
		blocks[i] = alloc_block(s, 2);
	/* Free every other block: a list of 32 order-2 blocks that cannot merge. */
	for (int i = 0; i < 64; i += 2)
		free_block(s, blocks[i], 2);
	assert_int_equal(stats(s).free_blocks[2], 32);
	/* A use-after-free write: the second block's links now point at held memory. */
	uint64_t *link = (uint64_t *)(s->mem + blocks[2] * PAGE);

	link[0] = blocks[1];
	link[1] = 0xdeadbeef;
	while ((pfn = alloc_block(s, 2)) != BUDDY_NONE)
		total += 4;
	assert_int_equal(stats(s).corruptions, 1);
	assert_int_equal(stats(s).free_blocks[2], 0);
	assert_int_equal(buddy_check(&s->b), 0);
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
	for (int i = 0; i < 64; i++)
		blocks[i] = alloc_block(s, 2);
	for (int i = 0; i < 64; i += 2)
		free_block(s, blocks[i], 2);
	/* blocks[20]'s back link names another free block, whose next is not blocks[20]. */
	((uint64_t *)(s->mem + blocks[20] * PAGE))[1] = blocks[30];
	free_block(s, blocks[21], 2); /* merges with blocks[20]: must notice */
	assert_int_equal(stats(s).corruptions, 1);
	assert_int_equal(buddy_check(&s->b), 0);
	assert_false(buddy_is_free(&s->b, blocks[30]));
	sim_free(s);
}

/* buddy_check() itself notices damaged metadata (it is what the other tests rely on). */
static void test_check_detects_damage(void **state)
{
	struct sim *s = sim_new(0, 64);
	uint64_t a;
	uint8_t saved;

	assert_int_equal(buddy_add_free_range(&s->b, 0, 64), 0);
	a = alloc_block(s, 0); /* frame 0; frees 1, 2-3, 4-7, ... */
	assert_int_equal(a, 0);
	assert_int_equal(buddy_check(&s->b), 0);
	for (uint64_t i = 0; i < 8; i++) {
		static const uint8_t bad[] = { 0x00, 0x80, 0xa1, 0xe3, 0x7f, 0xff, 0xf1, 0xd0 };

		for (unsigned j = 0; j < sizeof(bad); j++) {
			saved = s->meta[i];
			if (bad[j] == saved)
				continue;
			s->meta[i] = bad[j];
			if (buddy_check(&s->b) == 0)
				fail_msg("meta[%u] = %#x (was %#x) passed the check", (unsigned)i,
				         bad[j], saved);
			s->meta[i] = saved;
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

static void test_is_free_matches_shadow(void **state)
{
	struct sim *s = sim_new(7, 3000);
	struct held h[300];
	unsigned n = 0;

	rng_state = 77;
	assert_int_equal(buddy_add_free_range(&s->b, 10, 2900), 0);
	for (int step = 0; step < 3000; step++)
		random_step(s, h, &n, 300);
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
		cmocka_unit_test(test_init_rejects_bad_params),
		cmocka_unit_test(test_add_range_splits_maximal),
		cmocka_unit_test(test_add_in_pieces_merges),
		cmocka_unit_test(test_fresh_blocks_untouched),
		cmocka_unit_test(test_alignment_and_exhaustion),
		cmocka_unit_test(test_max_order_blocks),
		cmocka_unit_test(test_merge_back_to_initial),
		cmocka_unit_test(test_random_sequences),
		cmocka_unit_test(test_bad_frees_detected),
		cmocka_unit_test(test_exact_allocation),
		cmocka_unit_test(test_corrupted_list_quarantined),
		cmocka_unit_test(test_corrupted_prev_link_found_on_merge),
		cmocka_unit_test(test_check_detects_damage),
		cmocka_unit_test(test_is_free_matches_shadow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
