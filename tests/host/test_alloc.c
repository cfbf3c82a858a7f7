/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the heap allocators in lib/alloc/, all three run through their vtable:
 * long random alloc/free sequences against a shadow list (no overlap, alignment, contents
 * kept), reuse of the whole heap after freeing everything, zero-size, huge and badly
 * aligned requests, every alignment up to 4096 and grow(). Cairn also gets realloc in its
 * random sequence. Plus the KHB-1 random streams against the spec's test vector.
 */
#include <lib/alloc/alloc.h>
#include <lib/alloc/cairn.h>
#include <lib/alloc/chunk.h>
#include <lib/alloc/firstfit.h>
#include <lib/alloc/khb1_rand.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

#define HEAP_BYTES (1u << 20)
#define MAX_LIVE   8192

/* A heap under test, with the memory behind it. */
struct env {
	const struct alloc_ops *ops;
	void *heap;     /* the allocator's struct */
	uint8_t *mem;   /* heap memory, 4096-aligned */
	size_t cap;     /* bytes at mem */
	uint8_t *extra; /* a second region given to grow, or NULL */
	size_t extra_bytes;
	uint64_t *ext; /* external bookkeeping memory (chunk's bitmap) */
	size_t ext_bytes;
};

/* One live block in the shadow list. */
struct live {
	uint8_t *p;
	size_t size;
	size_t align;
	uint8_t seed;
};

struct shadow {
	struct live blk[MAX_LIVE];
	size_t n;
};

/* Set up @e for @ops with @cap bytes of memory, of which init gets the first @bytes. */
static void env_open(struct env *e, const struct alloc_ops *ops, size_t cap, size_t bytes)
{
	*e = (struct env){ .ops = ops, .cap = cap };
	e->mem = aligned_alloc(4096, cap);
	e->heap = aligned_alloc(64, (ops->heap_struct_bytes + 63) & ~(size_t)63);
	e->ext_bytes = ops->external_bytes(cap);
	e->ext = e->ext_bytes ? malloc(e->ext_bytes) : NULL;
	assert_non_null(e->mem);
	assert_non_null(e->heap);
	assert_int_equal(ops->init(e->heap, e->mem, bytes, e->ext, e->ext_bytes), 0);
}

static void env_close(struct env *e)
{
	free(e->mem);
	free(e->heap);
	free(e->ext);
}

static struct alloc_stats env_stats(struct env *e)
{
	struct alloc_stats st;

	e->ops->stats(e->heap, &st);
	return st;
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static void expect_fill(const uint8_t *p, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != (uint8_t)(seed + i * 7))
			fail_msg("block %p byte %zu changed", (void *)p, i);
}

/* Check that new block @p of @size at @align lies in the heap and overlaps no live block. */
static void check_new(const struct env *e, const struct shadow *s, uint8_t *p, size_t size,
                      size_t align)
{
	size_t i;

	assert_true((uintptr_t)p % align == 0);
	assert_true((p >= e->mem && p + size <= e->mem + e->cap) ||
	            (p >= e->extra && p + size <= e->extra + e->extra_bytes));
	for (i = 0; i < s->n; i++)
		if (p < s->blk[i].p + s->blk[i].size && s->blk[i].p < p + size)
			fail_msg("block %p+%zu overlaps %p+%zu", (void *)p, size,
			         (void *)s->blk[i].p, s->blk[i].size);
}

/* Allocate through the vtable and record the block; false if the heap said no. */
static bool shadow_alloc(struct env *e, struct shadow *s, size_t size, size_t align, uint8_t seed)
{
	uint8_t *p = e->ops->alloc(e->heap, size, align);

	if (!p)
		return false;
	check_new(e, s, p, size, align);
	fill(p, size, seed);
	assert_true(s->n < MAX_LIVE);
	s->blk[s->n++] = (struct live){ p, size, align, seed };
	return true;
}

/* Check and free live block @i, moving the last one into its place. */
static void shadow_free(struct env *e, struct shadow *s, size_t i)
{
	struct live *b = &s->blk[i];

	expect_fill(b->p, b->size, b->seed);
	e->ops->free(e->heap, b->p, b->size, b->align);
	*b = s->blk[--s->n];
}

static void shadow_free_all(struct env *e, struct shadow *s)
{
	while (s->n)
		shadow_free(e, s, s->n - 1);
}

/* A request size: mostly small kernel objects, some pages, a few large buffers. */
static size_t random_size(struct khb1_rng *r)
{
	uint64_t k = khb1_range(r, 0, 100);

	if (k < 50)
		return (size_t)khb1_range(r, 1, 129);
	if (k < 85)
		return (size_t)khb1_range(r, 129, 2049);
	return (size_t)khb1_range(r, 2049, 32769);
}

static size_t random_align(struct khb1_rng *r)
{
	if (khb1_range(r, 0, 10) < 7)
		return (size_t)1 << khb1_range(r, 0, 4);
	return (size_t)1 << khb1_range(r, 4, 13);
}

/* After freeing everything, nearly the whole heap must come back as one block. */
static void check_all_reusable(struct env *e, size_t bytes)
{
	struct alloc_stats st = env_stats(e);
	void *p;

	assert_int_equal(st.live_blocks, 0);
	assert_int_equal(st.used_bytes, 0);
	assert_int_equal(st.free_blocks, 1);
	assert_true(st.largest_free + 16384 >= bytes);
	p = e->ops->alloc(e->heap, bytes - 16384, 8);
	assert_non_null(p);
	memset(p, 0x5a, bytes - 16384);
	e->ops->free(e->heap, p, bytes - 16384, 8);
}

/* A random alloc/free sequence with a fixed seed, checked against the shadow list. */
static void test_random(void **state)
{
	const struct alloc_ops *ops = *state;
	struct shadow *s = calloc(1, sizeof(*s));
	struct khb1_rng r = { 0xC0FFEE };
	struct alloc_stats st;
	struct env e;
	size_t i, size, align, fails = 0;

	env_open(&e, ops, HEAP_BYTES, HEAP_BYTES);
	for (i = 0; i < 20000; i++) {
		if (s->n > 20 && khb1_range(&r, 0, 100) < 45) {
			shadow_free(&e, s, (size_t)khb1_range(&r, 0, s->n));
			continue;
		}
		size = random_size(&r);
		align = random_align(&r);
		if (!shadow_alloc(&e, s, size, align, (uint8_t)i)) {
			fails++;
			shadow_free(&e, s, (size_t)khb1_range(&r, 0, s->n));
		}
	}
	st = env_stats(&e);
	assert_int_equal(st.live_blocks, s->n);
	assert_int_equal(st.fails, fails);
	assert_true(st.used_bytes + st.free_bytes <= st.heap_bytes);
	assert_true(fails > 0 && fails < 5000);
	shadow_free_all(&e, s);
	check_all_reusable(&e, HEAP_BYTES);
	env_close(&e);
	free(s);
}

/* Size 0, huge sizes and bad alignments all fail and leave the heap as it was. */
static void test_zero_and_huge(void **state)
{
	static const size_t sizes[] = {
		0, HEAP_BYTES + 1, (size_t)1 << 40, (size_t)1 << 62, SIZE_MAX - 4096, SIZE_MAX
	};
	static const size_t bad_align[] = { 0, 3, 24, 8192, (size_t)1 << 40 };
	const struct alloc_ops *ops = *state;
	struct alloc_stats before, after;
	struct env e;
	size_t i;

	env_open(&e, ops, HEAP_BYTES, HEAP_BYTES);
	before = env_stats(&e);
	for (i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		assert_null(ops->alloc(e.heap, sizes[i], 8));
		assert_null(ops->alloc(e.heap, sizes[i], 4096));
	}
	for (i = 0; i < sizeof(bad_align) / sizeof(*bad_align); i++)
		assert_null(ops->alloc(e.heap, 64, bad_align[i]));
	ops->free(e.heap, NULL, 64, 8);
	after = env_stats(&e);
	assert_int_equal(after.used_bytes, before.used_bytes);
	assert_int_equal(after.free_bytes, before.free_bytes);
	assert_int_equal(after.fails, 2 * 6 + 5);
	check_all_reusable(&e, HEAP_BYTES);
	env_close(&e);
}

/* Every alignment from 1 to 4096, with sizes around and across it, kept live together. */
static void test_alignment(void **state)
{
	static const size_t sizes[] = { 1, 8, 100, 4095, 5000 };
	const struct alloc_ops *ops = *state;
	struct shadow *s = calloc(1, sizeof(*s));
	size_t align, i, round;
	struct env e;

	env_open(&e, ops, HEAP_BYTES, HEAP_BYTES);
	for (round = 0; round < 3; round++) {
		for (align = 1; align <= 4096; align <<= 1)
			for (i = 0; i < sizeof(sizes) / sizeof(*sizes); i++)
				assert_true(shadow_alloc(&e, s, sizes[i] + round, align,
				                         (uint8_t)(align + i)));
		for (i = 0; i < s->n; i += 2)
			shadow_free(&e, s, i);
	}
	shadow_free_all(&e, s);
	check_all_reusable(&e, HEAP_BYTES);
	env_close(&e);
	free(s);
}

/* Fill the heap with 4 KiB blocks; returns how many fitted. */
static size_t fill_pages(struct env *e, struct shadow *s)
{
	size_t n = 0;

	while (shadow_alloc(e, s, 4096, 8, (uint8_t)n))
		n++;
	return n;
}

/* Growing by adjacent memory adds room and merges with the free end of the heap. */
static void test_grow_adjacent(void **state)
{
	const struct alloc_ops *ops = *state;
	struct shadow *s = calloc(1, sizeof(*s));
	size_t first, second;
	struct env e;
	void *p;

	env_open(&e, ops, 512 * 1024, 128 * 1024);
	first = fill_pages(&e, s);
	assert_true(first >= 24);
	assert_int_equal(ops->grow(e.heap, e.mem + 128 * 1024, 384 * 1024), 0);
	second = fill_pages(&e, s);
	assert_true(second >= 90);
	shadow_free_all(&e, s);
	assert_int_equal(env_stats(&e).heap_bytes, 512 * 1024);
	/* One block larger than either part proves the two were merged. */
	p = ops->alloc(e.heap, 400 * 1024, 64);
	assert_non_null(p);
	memset(p, 1, 400 * 1024);
	ops->free(e.heap, p, 400 * 1024, 64);
	check_all_reusable(&e, 512 * 1024);
	env_close(&e);
	free(s);
}

/* Memory elsewhere becomes a region of its own (firstfit, cairn) or is refused (chunk). */
static void test_grow_separate(void **state)
{
	const struct alloc_ops *ops = *state;
	struct shadow *s = calloc(1, sizeof(*s));
	uint8_t *more = aligned_alloc(4096, 256 * 1024);
	size_t first, second, i;
	struct env e;

	env_open(&e, ops, 256 * 1024, 128 * 1024);
	assert_int_equal(ops->grow(e.heap, e.mem, 4096), -22);
	if (ops == &alloc_chunk_ops) {
		assert_int_equal(ops->grow(e.heap, more, 256 * 1024), -22);
		goto out;
	}
	first = fill_pages(&e, s);
	e.extra = more;
	e.extra_bytes = 256 * 1024;
	assert_int_equal(ops->grow(e.heap, more, 256 * 1024), 0);
	second = fill_pages(&e, s);
	assert_true(second >= 60);
	for (i = first; i < first + second; i++)
		assert_true(s->blk[i].p >= more && s->blk[i].p < more + 256 * 1024);
	shadow_free_all(&e, s);
	assert_int_equal(env_stats(&e).live_blocks, 0);
	assert_int_equal(env_stats(&e).free_blocks, 2);
out:
	env_close(&e);
	free(more);
	free(s);
}

/* The spec's test vector: raw outputs and the first five D1 samples from seed 0x11000. */
static void test_khb1_vector(void **state)
{
	static const uint64_t raw[] = { 0x5022b95c703628b9ull, 0x6960177b5840ec5cull,
		                        0xfcb36db88f83f1acull };
	static const size_t want[5][2] = {
		{ 8796, 2 }, { 16207, 16 }, { 8441, 128 }, { 4861, 1 }, { 4949, 32 }
	};
	struct khb1_rng r = { khb1_seed(1, KHB1_D1, 0) };
	size_t i, size, align;

	assert_int_equal(r.state, 0x11000);
	for (i = 0; i < 3; i++)
		assert_int_equal(khb1_next(&r), raw[i]);
	r.state = 0x11000;
	for (i = 0; i < 5; i++) {
		khb1_sample(&r, KHB1_D1, &size, &align);
		assert_int_equal(size, want[i][0]);
		assert_int_equal(align, want[i][1]);
	}
	assert_int_equal(khb1_seed(2, KHB1_D2, 95), 0x2205f);
	assert_int_equal(khb1_seed(3, KHB1_D1, 9), 0x31009);
}

/* Cairn's random sequence also resizes blocks and checks its free lists as it goes. */
static void test_cairn_random_realloc(void **state)
{
	struct shadow *s = calloc(1, sizeof(*s));
	struct khb1_rng r = { 0xBADC0DE };
	struct cairn_heap *h;
	struct live *b;
	struct env e;
	size_t i, size, keep;
	uint8_t *q;

	env_open(&e, &alloc_cairn_tlsf_ops, HEAP_BYTES, HEAP_BYTES);
	h = e.heap;
	for (i = 0; i < 20000; i++) {
		if (s->n > 20 && khb1_range(&r, 0, 100) < 25) {
			b = &s->blk[khb1_range(&r, 0, s->n)];
			size = random_size(&r);
			expect_fill(b->p, b->size, b->seed);
			q = cairn_heap_realloc(h, b->p, size);
			if (!q)
				continue;
			keep = size < b->size ? size : b->size;
			expect_fill(q, keep, b->seed);
			b->size = 0;
			b->p = q;
			check_new(&e, s, q, size, 8);
			assert_true(cairn_heap_usable_size(h, q) >= size);
			*b = (struct live){ q, size, 8, b->seed };
			fill(q, size, b->seed);
		} else if (s->n > 20 && khb1_range(&r, 0, 100) < 45) {
			shadow_free(&e, s, (size_t)khb1_range(&r, 0, s->n));
		} else if (!shadow_alloc(&e, s, random_size(&r), random_align(&r), (uint8_t)i)) {
			shadow_free(&e, s, (size_t)khb1_range(&r, 0, s->n));
		}
		if (i % 1000 == 0)
			assert_int_equal(cairn_heap_check(h), 0);
	}
	assert_int_equal(cairn_heap_check(h), 0);
	assert_int_equal(h->errors, 0);
	shadow_free_all(&e, s);
	check_all_reusable(&e, HEAP_BYTES);
	env_close(&e);
	free(s);
}

#define FOR_ALL(fn)                                                           \
	cmocka_unit_test_prestate(fn, (void *)&alloc_firstfit_ops),           \
		cmocka_unit_test_prestate(fn, (void *)&alloc_chunk_ops),      \
		cmocka_unit_test_prestate(fn, (void *)&alloc_cairn_tlsf_ops), \
		cmocka_unit_test_prestate(fn, (void *)&alloc_cairn_ops)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_khb1_vector),
		FOR_ALL(test_random),
		FOR_ALL(test_zero_and_huge),
		FOR_ALL(test_alignment),
		FOR_ALL(test_grow_adjacent),
		FOR_ALL(test_grow_separate),
		cmocka_unit_test(test_cairn_random_realloc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
