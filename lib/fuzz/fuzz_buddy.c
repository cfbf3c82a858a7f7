// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for lib/buddy: the input picks the range and a sequence
 * of operations (allocate a block or an exact run, free something held,
 * free something that is not an allocation, add more frames, check). A
 * shadow map of held frames must never overlap what the allocator hands
 * out, a bad free must be refused, buddy_check() must pass throughout, and
 * freeing everything must give every frame back. Links lib/buddy/buddy.c.
 */
#include <lib/buddy/buddy.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_PAGES 4096
#define MAX_HELD  512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct held {
	uint64_t pfn, count;
	int exact;
};

struct state {
	struct buddy b;
	uint64_t base, npages, added; /* frames [base, base + added) were handed in */
	uint8_t owned[MAX_PAGES];
	struct held h[MAX_HELD];
	unsigned n;
};

/* Stop with the failing line, for the crash report. */
static void check_at(int ok, int line)
{
	if (!ok) {
		fprintf(stderr, "fuzz_buddy: check failed at line %d\n", line);
		abort();
	}
}
#define check(ok) check_at((ok), __LINE__)

static void take(struct state *s, uint64_t pfn, uint64_t count, int exact)
{
	check(pfn >= s->base && pfn + count <= s->base + s->added && s->n < MAX_HELD);
	for (uint64_t p = pfn; p < pfn + count; p++) {
		check(!s->owned[p - s->base] && !buddy_is_free(&s->b, p));
		s->owned[p - s->base] = 1;
	}
	s->h[s->n++] = (struct held){ pfn, count, exact };
}

static void give(struct state *s, unsigned i)
{
	struct held h = s->h[i];

	for (uint64_t p = h.pfn; p < h.pfn + h.count; p++)
		s->owned[p - s->base] = 0;
	if (h.exact)
		check(buddy_free_exact(&s->b, h.pfn, h.count) == 0);
	else
		check(buddy_free(&s->b, h.pfn, __builtin_ctzll(h.count)) == 0);
	s->h[i] = s->h[--s->n];
}

/* A free of a frame nobody holds must change nothing and fail. */
static void bad_free(struct state *s, uint8_t a, uint8_t c)
{
	uint64_t pfn = s->base + ((uint64_t)a * 17 + c) % (s->npages + 8);
	struct buddy_stats before, after;

	/*
	 * Skip held frames: the pieces of an exact run are blocks of their own
	 * to lib/buddy (pmm's records are what tell a run from its pieces).
	 */
	if (pfn - s->base < s->added && s->owned[pfn - s->base])
		return;
	buddy_stats(&s->b, &before);
	check(buddy_free(&s->b, pfn, c % BUDDY_ORDERS) != 0);
	check(buddy_free_exact(&s->b, pfn, 1 + c % 8) != 0);
	buddy_stats(&s->b, &after);
	check(before.free == after.free);
}

static void step(struct state *s, uint8_t op, uint8_t a)
{
	uint64_t pfn;

	switch (op % 6) {
	case 0:
		pfn = buddy_alloc(&s->b, a % BUDDY_ORDERS);
		if (pfn != BUDDY_NONE && s->n < MAX_HELD)
			take(s, pfn, 1ull << (a % BUDDY_ORDERS), 0);
		else if (pfn != BUDDY_NONE)
			check(buddy_free(&s->b, pfn, a % BUDDY_ORDERS) == 0);
		break;
	case 1:
		if (s->n)
			give(s, a % s->n);
		break;
	case 2:
		pfn = buddy_alloc_exact(&s->b, 1 + a % 64);
		if (pfn != BUDDY_NONE && s->n < MAX_HELD)
			take(s, pfn, 1 + a % 64, 1);
		else if (pfn != BUDDY_NONE)
			check(buddy_free_exact(&s->b, pfn, 1 + a % 64) == 0);
		break;
	case 3:
		bad_free(s, a, op);
		break;
	case 4:
		/* Hand in the next a frames of the range. */
		if (s->added < s->npages) {
			uint64_t more = 1 + a % (s->npages - s->added);

			check(buddy_add_free_range(&s->b, s->base + s->added, more) == 0);
			s->added += more;
		}
		break;
	default:
		check(buddy_check(&s->b) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state *s;
	struct buddy_node *nodes;
	struct buddy_stats st;

	if (size < 3)
		return 0;
	s = calloc(1, sizeof(*s));
	s->base = data[0];
	s->npages = 1 + (((uint64_t)data[1] << 8 | data[2]) % MAX_PAGES);
	nodes = calloc(s->npages, sizeof(*nodes));
	check(s && nodes);
	check(buddy_init(&s->b,
	                 &(struct buddy_params){ s->base, s->npages, nodes, sizeof(*nodes) }) == 0);
	for (size_t i = 3; i + 1 < size; i += 2)
		step(s, data[i], data[i + 1]);
	check(buddy_check(&s->b) == 0);
	while (s->n)
		give(s, s->n - 1);
	buddy_stats(&s->b, &st);
	check(st.free == s->added && st.total == s->added && st.corruptions == 0);
	check(buddy_check(&s->b) == 0);
	free(nodes);
	free(s);
	return 0;
}
