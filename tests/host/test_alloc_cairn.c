/* SPDX-License-Identifier: MIT */
/*
 * Host tests of what only the cairn heap does: bad frees (double, foreign, misaligned,
 * corrupted headers, a neighbour damaged by an overflow) reported through on_error with
 * the heap still usable afterwards; usable_size; realloc in place and by moving; growth
 * that merges with a free end; merges in place; exact byte accounting.
 */
#include <lib/alloc/cairn.h>
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

#define HEAP_BYTES (256u * 1024)

/* What on_error was last told. */
struct errlog {
	int count;
	const char *what;
	void *ptr;
};

struct fixture {
	struct cairn_heap h;
	struct errlog log;
	uint8_t *mem;
};

static void on_error(void *ctx, const char *what, void *ptr)
{
	struct errlog *log = ctx;

	log->count++;
	log->what = what;
	log->ptr = ptr;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->mem = aligned_alloc(4096, HEAP_BYTES);
	if (!f->mem || cairn_heap_init(&f->h, f->mem, HEAP_BYTES))
		return -1;
	f->h.on_error = on_error;
	f->h.on_error_ctx = &f->log;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->mem);
	free(f);
	return 0;
}

/* Expect exactly one new error, mentioning @word, about @ptr. */
static void expect_error(struct fixture *f, int *seen, const char *word, void *ptr)
{
	assert_int_equal(f->log.count, *seen + 1);
	*seen = f->log.count;
	assert_non_null(strstr(f->log.what, word));
	assert_ptr_equal(f->log.ptr, ptr);
}

/* The heap still passes its check and can hand out and take back a lot of memory. */
static void expect_usable(struct fixture *f)
{
	void *p[64];
	int i;

	assert_int_equal(cairn_heap_check(&f->h), 0);
	for (i = 0; i < 64; i++) {
		p[i] = cairn_heap_alloc(&f->h, 1000 + i * 16, 16);
		assert_non_null(p[i]);
		memset(p[i], i, 1000 + i * 16);
	}
	for (i = 0; i < 64; i++)
		cairn_heap_free(&f->h, p[i]);
	assert_int_equal(cairn_heap_check(&f->h), 0);
}

/* The bytes between the tables and the end marker are all either used or free. */
static void expect_accounted(struct fixture *f)
{
	uintptr_t start = ((uintptr_t)f->mem + 63) & ~(uintptr_t)63;

	assert_int_equal(f->h.used_bytes + f->h.free_bytes,
	                 (uintptr_t)f->mem + HEAP_BYTES - 8 - start - CAIRN_CTL_BYTES);
}

static void test_double_free(void **state)
{
	struct fixture *f = *state;
	int seen = 0;
	uint8_t *a, *b, *c, *d;

	a = cairn_heap_alloc(&f->h, 100, 8);
	b = cairn_heap_alloc(&f->h, 200, 8);
	c = cairn_heap_alloc(&f->h, 300, 64);
	d = cairn_heap_alloc(&f->h, 50, 8);
	cairn_heap_free(&f->h, b);
	cairn_heap_free(&f->h, b);
	expect_error(f, &seen, "double free", b);
	/* Once merged into a neighbour, the old header still says free. */
	cairn_heap_free(&f->h, a);
	cairn_heap_free(&f->h, c);
	cairn_heap_free(&f->h, a);
	expect_error(f, &seen, "double free", a);
	cairn_heap_free(&f->h, b);
	expect_error(f, &seen, "double free", b);
	cairn_heap_free(&f->h, c);
	expect_error(f, &seen, "double free", c);
	cairn_heap_free(&f->h, d);
	assert_int_equal(f->log.count, seen);
	assert_int_equal(f->h.live_blocks, 0);
	expect_accounted(f);
	expect_usable(f);
}

/* Aligned blocks may start with padding; a double free of one is caught all the same. */
static void test_double_free_aligned(void **state)
{
	struct fixture *f = *state;
	size_t align, i;
	int seen = 0;
	void *p[40];

	for (i = 0; i < 40; i++) {
		align = (size_t)16 << (i % 8);
		p[i] = cairn_heap_alloc(&f->h, 24 + i * 8, align);
		assert_non_null(p[i]);
		assert_true((uintptr_t)p[i] % align == 0);
	}
	for (i = 0; i < 40; i++) {
		cairn_heap_free(&f->h, p[i]);
		cairn_heap_free(&f->h, p[i]);
		expect_error(f, &seen, "double free", p[i]);
	}
	expect_accounted(f);
	expect_usable(f);
}

static void test_foreign_pointer(void **state)
{
	struct fixture *f = *state;
	uint64_t on_stack[4] = { 0 };
	uint8_t *p = cairn_heap_alloc(&f->h, 512, 8);
	int seen = 0;

	memset(p, 0, 512);
	cairn_heap_free(&f->h, on_stack + 2);
	expect_error(f, &seen, "outside the heap", on_stack + 2);
	cairn_heap_free(&f->h, f->mem + 64);
	expect_error(f, &seen, "never gave out", f->mem + 64);
	cairn_heap_free(&f->h, f->mem + HEAP_BYTES);
	expect_error(f, &seen, "outside the heap", f->mem + HEAP_BYTES);
	cairn_heap_free(&f->h, p + 3);
	expect_error(f, &seen, "outside the heap", p + 3);
	cairn_heap_free(&f->h, p + 256);
	expect_error(f, &seen, "never gave out", p + 256);
	assert_int_equal(cairn_heap_usable_size(&f->h, p + 128), 0);
	expect_error(f, &seen, "usable_size", p + 128);
	assert_null(cairn_heap_realloc(&f->h, p + 64, 100));
	expect_error(f, &seen, "realloc", p + 64);
	cairn_heap_free(&f->h, p);
	assert_int_equal(f->log.count, seen);
	assert_int_equal(f->h.errors, (uint64_t)seen);
	expect_accounted(f);
	expect_usable(f);
}

/* A damaged header is refused and its block leaked; the rest of the heap carries on. */
static void test_corrupted_header(void **state)
{
	struct fixture *f = *state;
	uint8_t *a = cairn_heap_alloc(&f->h, 256, 8), *b = cairn_heap_alloc(&f->h, 256, 8);
	uint64_t saved;
	int seen = 0;

	assert_ptr_equal(b + cairn_heap_usable_size(&f->h, b) + 8, a);
	saved = ((uint64_t *)a)[-1];
	((uint64_t *)a)[-1] ^= (uint64_t)1 << 9;
	cairn_heap_free(&f->h, a);
	expect_error(f, &seen, "corrupted", a);
	((uint64_t *)a)[-1] = 0;
	cairn_heap_free(&f->h, a);
	expect_error(f, &seen, "corrupted", a);
	((uint64_t *)a)[-1] = saved | 1;
	cairn_heap_free(&f->h, a);
	expect_error(f, &seen, "corrupted", a);
	/* b was carved just below a, so freeing it would merge across a's broken header. */
	cairn_heap_free(&f->h, b);
	expect_error(f, &seen, "neighbouring", b);
	assert_int_equal(f->h.live_blocks, 2);
	expect_usable(f);
}

/* An overflow out of one block into the next block's header is caught by either free. */
static void test_overflow_into_neighbour(void **state)
{
	struct fixture *f = *state;
	uint8_t *x = cairn_heap_alloc(&f->h, 200, 8), *y = cairn_heap_alloc(&f->h, 200, 8);
	uint8_t *lo = x < y ? x : y, *hi = x < y ? y : x;
	int seen = 0;

	/* Blocks carved one after another are neighbours. */
	assert_ptr_equal(lo + cairn_heap_usable_size(&f->h, lo) + 8, hi);
	memset(lo, 0xee, cairn_heap_usable_size(&f->h, lo) + 8);
	cairn_heap_free(&f->h, lo);
	expect_error(f, &seen, "neighbouring", lo);
	cairn_heap_free(&f->h, hi);
	expect_error(f, &seen, "corrupted", hi);
	expect_usable(f);
}

static void test_usable_size(void **state)
{
	struct fixture *f = *state;
	size_t size, align;
	uint8_t *p;

	for (size = 1; size < 3000; size += 37) {
		align = (size_t)1 << (size % 9);
		p = cairn_heap_alloc(&f->h, size, align);
		assert_non_null(p);
		assert_true(cairn_heap_usable_size(&f->h, p) >= size);
		assert_true(cairn_heap_usable_size(&f->h, p) < size + align + 40);
		memset(p, 0xab, cairn_heap_usable_size(&f->h, p));
		assert_int_equal(cairn_heap_check(&f->h), 0);
		cairn_heap_free_sized(&f->h, p, size, align);
	}
	assert_int_equal(cairn_heap_usable_size(&f->h, NULL), 0);
	assert_int_equal(f->log.count, 0);
	expect_accounted(f);
}

static void test_resize(void **state)
{
	struct fixture *f = *state;
	uint8_t *p, *q, *wall;
	size_t i;

	p = cairn_heap_realloc(&f->h, NULL, 100);
	assert_non_null(p);
	for (i = 0; i < 100; i++)
		p[i] = (uint8_t)i;
	/* Shrinking, then growing back into the tail it gave up, stays in place. */
	q = cairn_heap_realloc(&f->h, p, 40);
	assert_ptr_equal(q, p);
	wall = cairn_heap_alloc(&f->h, 64, 8);
	q = cairn_heap_realloc(&f->h, p, 64);
	for (i = 0; i < 40; i++)
		assert_int_equal(q[i], i);
	assert_ptr_equal(q, p);
	/* Growing past what is free beside it moves the block. */
	q = cairn_heap_realloc(&f->h, p, 5000);
	assert_non_null(q);
	for (i = 0; i < 40; i++)
		assert_int_equal(q[i], i);
	assert_int_equal(cairn_heap_check(&f->h), 0);
	assert_null(cairn_heap_realloc(&f->h, q, (size_t)1 << 50));
	assert_null(cairn_heap_realloc(&f->h, q, HEAP_BYTES));
	for (i = 0; i < 40; i++)
		assert_int_equal(q[i], i);
	assert_null(cairn_heap_realloc(&f->h, q, 0));
	cairn_heap_free(&f->h, wall);
	assert_int_equal(f->h.live_blocks, 0);
	assert_int_equal(f->log.count, 0);
	expect_accounted(f);
	expect_usable(f);
}

/* A free block at the end of the heap merges with memory added after it. */
static void test_grow_merges(void **state)
{
	uint8_t *mem = aligned_alloc(4096, 3 * 65536);
	struct cairn_heap h;
	void *big;

	assert_int_equal(cairn_heap_init(&h, mem, 65536), 0);
	assert_int_equal(cairn_heap_grow(&h, mem + 65536, 65536), 0);
	assert_int_equal(cairn_heap_grow(&h, mem + 2 * 65536, 65536), 0);
	assert_int_equal(h.free_blocks, 1);
	big = cairn_heap_alloc(&h, 3 * 65536 - 16384, 4096);
	assert_non_null(big);
	assert_int_equal(cairn_heap_grow(&h, mem + 4096, 65536), -22);
	assert_int_equal(cairn_heap_grow(&h, mem, 16), -22);
	cairn_heap_free(&h, big);
	assert_int_equal(cairn_heap_check(&h), 0);
	assert_int_equal(cairn_heap_init(&h, mem, 4096), -22);
	free(mem);
}

/*
 * Frees that grow a free block within its class (into the block before, or taking the
 * place of the block after) and frees that move it to another class keep the lists sound.
 */
static void test_merge_in_place(void **state)
{
	struct fixture *f = *state;
	void *p[48];
	size_t i;

	for (i = 0; i < 48; i++)
		assert_non_null(p[i] = cairn_heap_alloc(&f->h, 64 + (i % 5) * 700, 8));
	for (i = 0; i < 48; i += 3) {
		cairn_heap_free(&f->h, p[i]);
		assert_int_equal(cairn_heap_check(&f->h), 0);
	}
	for (i = 1; i < 48; i += 3) {
		cairn_heap_free(&f->h, p[i]);
		assert_int_equal(cairn_heap_check(&f->h), 0);
	}
	for (i = 2; i < 48; i += 3) {
		cairn_heap_free(&f->h, p[i]);
		assert_int_equal(cairn_heap_check(&f->h), 0);
	}
	assert_int_equal(f->h.free_blocks, 1);
	assert_int_equal(f->log.count, 0);
	expect_accounted(f);
}

/* Random churn with the counters checked against the memory after every step. */
static void test_accounting(void **state)
{
	struct fixture *f = *state;
	struct khb1_rng r = { 42 };
	void *live[256] = { 0 };
	size_t i, k, size, align;

	for (i = 0; i < 5000; i++) {
		k = (size_t)khb1_range(&r, 0, 256);
		if (live[k]) {
			cairn_heap_free(&f->h, live[k]);
			live[k] = NULL;
		} else {
			khb1_sample(&r, KHB1_D2, &size, &align);
			live[k] = cairn_heap_alloc(&f->h, size, align);
		}
		expect_accounted(f);
	}
	assert_int_equal(cairn_heap_check(&f->h), 0);
	for (k = 0; k < 256; k++)
		cairn_heap_free(&f->h, live[k]);
	assert_int_equal(f->h.free_blocks, 1);
	assert_int_equal(f->log.count, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_double_free),
		T(test_double_free_aligned),
		T(test_foreign_pointer),
		T(test_corrupted_header),
		T(test_overflow_into_neighbour),
		T(test_usable_size),
		T(test_resize),
		cmocka_unit_test(test_grow_merges),
		T(test_merge_in_place),
		T(test_accounting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
