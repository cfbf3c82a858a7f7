/* SPDX-License-Identifier: MIT */
/*
 * The simulated machine of the lib/buddy host tests and the moves between
 * it and the allocator (tests/host/buddy_helpers.h).
 */
#include "buddy_helpers.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

struct sim *sim_new(uint64_t base, uint64_t npages)
{
	struct sim *s = calloc(1, sizeof(*s));
	struct buddy_params p;

	assert_non_null(s);
	s->base = base;
	s->npages = npages;
	s->rec = calloc(npages + 1, sizeof(*s->rec));
	s->owned = calloc(npages + 1, 1);
	assert_true(s->rec && s->owned);
	for (uint64_t i = 0; i < npages; i++) {
		s->rec[i].before = SIM_CANARY_BEFORE;
		s->rec[i].after = SIM_CANARY_AFTER;
	}
	p = (struct buddy_params){ base, npages, &s->rec[0].node, sizeof(struct sim_record) };
	assert_int_equal(buddy_init(&s->b, &p), 0);
	return s;
}

void sim_free(struct sim *s)
{
	free(s->rec);
	free(s->owned);
	free(s);
}

/* The node of frame @pfn, for tests that damage or inspect it on purpose. */
struct buddy_node *sim_node(struct sim *s, uint64_t pfn)
{
	return &s->rec[pfn - s->base].node;
}

/* The allocator's invariants hold and it wrote nothing outside its nodes. */
void sim_check(const struct sim *s)
{
	assert_int_equal(buddy_check(&s->b), 0);
	for (uint64_t i = 0; i < s->npages; i++) {
		assert_int_equal(s->rec[i].before, SIM_CANARY_BEFORE);
		assert_int_equal(s->rec[i].after, SIM_CANARY_AFTER);
	}
}

/* Take @n frames at @pfn from the allocator's hands into ours, checking overlap. */
void take(struct sim *s, uint64_t pfn, uint64_t n)
{
	assert_true(pfn >= s->base && pfn + n <= s->base + s->npages);
	for (uint64_t p = pfn; p < pfn + n; p++) {
		assert_false(s->owned[p - s->base]);
		assert_false(buddy_is_free(&s->b, p));
		s->owned[p - s->base] = 1;
	}
}

/* Give @n frames at @pfn back (before calling the free function). */
void give(struct sim *s, uint64_t pfn, uint64_t n)
{
	for (uint64_t p = pfn; p < pfn + n; p++) {
		assert_true(s->owned[p - s->base]);
		s->owned[p - s->base] = 0;
	}
}

uint64_t alloc_block(struct sim *s, unsigned order)
{
	uint64_t pfn = buddy_alloc(&s->b, order);

	if (pfn != BUDDY_NONE) {
		assert_int_equal(pfn & ((1ull << order) - 1), 0);
		assert_true(buddy_is_allocated(&s->b, pfn, order));
		take(s, pfn, 1ull << order);
	}
	return pfn;
}

void free_block(struct sim *s, uint64_t pfn, unsigned order)
{
	give(s, pfn, 1ull << order);
	assert_int_equal(buddy_free(&s->b, pfn, order), 0);
	assert_false(buddy_is_allocated(&s->b, pfn, order));
}

void assert_same_stats(const struct buddy_stats *a, const struct buddy_stats *b)
{
	assert_int_equal(a->total, b->total);
	assert_int_equal(a->free, b->free);
	for (unsigned k = 0; k < BUDDY_ORDERS; k++)
		assert_int_equal(a->free_blocks[k], b->free_blocks[k]);
	assert_int_equal(a->corruptions, b->corruptions);
}

struct buddy_stats stats(const struct sim *s)
{
	struct buddy_stats st;

	buddy_stats(&s->b, &st);
	return st;
}

/* xorshift64*: a fixed-seed generator, so every run sees the same sequence. */
uint64_t rnd(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 2685821657736338717ull;
}

void give_held(struct sim *s, const struct held *h)
{
	give(s, h->pfn, h->count);
	if (h->exact)
		assert_int_equal(buddy_free_exact(&s->b, h->pfn, h->count), 0);
	else
		assert_int_equal(buddy_free(&s->b, h->pfn, h->order), 0);
}

/* One random step: allocate (a block or an exact run) or free something held. */
void random_step(struct sim *s, uint64_t *rng, struct held *h, unsigned *n, unsigned max)
{
	if (*n < max && (rnd(rng) % 100) < 55) {
		bool exact = rnd(rng) % 4 == 0;
		unsigned order =
			(unsigned)(rnd(rng) % 64 < 56 ? rnd(rng) % 3 : rnd(rng) % BUDDY_ORDERS);
		uint64_t count = exact ? 1 + rnd(rng) % 40 : 1ull << order;
		uint64_t pfn = exact ? buddy_alloc_exact(&s->b, count) : buddy_alloc(&s->b, order);

		if (pfn == BUDDY_NONE)
			return;
		take(s, pfn, count);
		h[(*n)++] = (struct held){ pfn, count, order, exact };
	} else if (*n) {
		unsigned i = (unsigned)(rnd(rng) % *n);

		give_held(s, &h[i]);
		h[i] = h[--*n];
	}
}
