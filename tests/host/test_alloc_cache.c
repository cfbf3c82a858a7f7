/* SPDX-License-Identifier: MIT */
/*
 * The magazine cache in front of the cairn heap (lib/alloc/cairn_cache.c): blocks come
 * back from the CPU's own magazines, whole magazines move through the depot between
 * CPUs, the depot's bound sends the excess to the heap, a double free of a cached block
 * is caught, reclaim gives everything back, and a random run over four simulated CPUs
 * keeps every block's contents. The ops count heap calls and check the depot lock.
 */
#include <lib/alloc/cairn_cache.h>
#include <lib/alloc/khb1_rand.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

#define HEAP_BYTES (4u << 20)
#define NCPU       4

struct env {
	struct cairn_heap heap;
	struct cairn_cache cache;
	struct cairn_mag_cpu cpu[NCPU];
	void *mem;
	int locked;         /* depot lock depth: 0 or 1 */
	size_t heap_allocs; /* calls to ops.alloc */
	size_t heap_frees;  /* blocks given to ops.free */
	size_t errors;      /* calls to ops.error */
};

static void *env_alloc(void *ctx, size_t size, size_t align)
{
	struct env *e = ctx;

	assert_int_equal(e->locked, 0); /* the heap is never called under the depot lock */
	e->heap_allocs++;
	return cairn_heap_alloc(&e->heap, size, align);
}

static void env_free(void *ctx, void *const *blocks, size_t n)
{
	struct env *e = ctx;
	size_t i;

	assert_int_equal(e->locked, 0);
	for (i = 0; i < n; i++)
		cairn_heap_free(&e->heap, blocks[i]);
	e->heap_frees += n;
}

static void env_error(void *ctx, const char *what, void *ptr)
{
	((struct env *)ctx)->errors++;
}

static void env_lock(void *ctx)
{
	assert_int_equal(((struct env *)ctx)->locked++, 0);
}

static void env_unlock(void *ctx)
{
	assert_int_equal(--((struct env *)ctx)->locked, 0);
}

static const struct cairn_cache_ops env_ops = {
	.alloc = env_alloc,
	.free = env_free,
	.error = env_error,
	.lock = env_lock,
	.unlock = env_unlock,
};

static struct env *env_open(void)
{
	struct env *e = calloc(1, sizeof(*e));

	e->mem = aligned_alloc(4096, HEAP_BYTES);
	assert_int_equal(cairn_heap_init(&e->heap, e->mem, HEAP_BYTES), 0);
	cairn_cache_init(&e->cache, &e->heap, &env_ops, e);
	return e;
}

/* Reclaim every CPU's magazines; the heap must then be whole again. */
static void env_close(struct env *e)
{
	struct alloc_stats st;
	unsigned int i;

	for (i = 0; i < NCPU; i++)
		cairn_cache_reclaim(&e->cache, &e->cpu[i]);
	cairn_heap_stats(&e->heap, &st);
	assert_int_equal(st.live_blocks, 0);
	assert_int_equal(st.free_blocks, 1);
	assert_int_equal(e->cache.mags, 0);
	assert_int_equal(cairn_heap_check(&e->heap), 0);
	free(e->mem);
	free(e);
}

static void test_class_mapping(void **state)
{
	assert_int_equal(cairn_cache_class(1, 8), 0);
	assert_int_equal(cairn_cache_class(8, 16), 1);
	assert_int_equal(cairn_cache_class(16, 16), 3);
	assert_int_equal(cairn_cache_class(17, 1), 4);
	assert_int_equal(cairn_cache_class_size(5), 24);
	assert_int_equal(cairn_cache_class_align(5), 16);
	assert_int_equal(cairn_cache_class_align(4), 8);
	assert_int_equal(cairn_cache_class(CAIRN_CACHE_MAX, 16), CAIRN_CACHE_CLASSES - 1);
	assert_int_equal(cairn_cache_class(CAIRN_CACHE_MAX + 1, 16), -1);
	assert_int_equal(cairn_cache_class(64, 32), -1);
	assert_int_equal(cairn_cache_class(64, 0), -1);
	assert_int_equal(cairn_cache_class(64, 3), -1);
	assert_int_equal(cairn_cache_class(0, 8), -1);
	assert_int_equal(cairn_cache_class_size(0), 8);
}

/* A freed block comes straight back, without a heap call, and is 16-aligned. */
static void test_reuse_without_heap(void **state)
{
	struct env *e = env_open();
	void *p = cairn_cache_alloc(&e->cache, &e->cpu[0], 100, 16), *q;
	size_t allocs;

	assert_non_null(p);
	assert_int_equal((uintptr_t)p % CAIRN_CACHE_ALIGN, 0);
	assert_true(cairn_heap_usable_size(&e->heap, p) >= 104);
	cairn_cache_free(&e->cache, &e->cpu[0], p);
	assert_int_equal(e->cpu[0].blocks, 1);
	allocs = e->heap_allocs;
	q = cairn_cache_alloc(&e->cache, &e->cpu[0], 97, 16);
	assert_ptr_equal(q, p);
	assert_int_equal(e->heap_allocs, allocs);
	assert_int_equal(e->cpu[0].blocks, 0);
	cairn_cache_free_sized(&e->cache, &e->cpu[0], q, 97, 16);
	env_close(e);
}

/* Frees beyond two magazines go to the depot; another CPU's allocations take them. */
static void test_depot_moves_magazines(void **state)
{
	enum { N = 5 * CAIRN_MAG_ROUNDS };
	struct env *e = env_open();
	void *p[N];
	size_t i, allocs, taken;

	for (i = 0; i < N; i++)
		p[i] = cairn_cache_alloc(&e->cache, &e->cpu[0], 200, 16);
	for (i = 0; i < N; i++)
		cairn_cache_free(&e->cache, &e->cpu[0], p[i]);
	assert_int_equal(e->cpu[0].blocks + e->cache.blocks, N);
	assert_true(e->cpu[0].blocks <= 2 * CAIRN_MAG_ROUNDS);
	taken = e->cache.nfull[cairn_cache_class(200, 16)] * CAIRN_MAG_ROUNDS;
	assert_int_equal(taken, N - e->cpu[0].blocks);
	allocs = e->heap_allocs;
	for (i = 0; i < taken; i++)
		p[i] = cairn_cache_alloc(&e->cache, &e->cpu[1], 200, 16);
	assert_int_equal(e->heap_allocs, allocs);
	assert_int_equal(e->cache.blocks, 0);
	while (i--)
		cairn_cache_free_sized(&e->cache, &e->cpu[1], p[i], 200, 16);
	env_close(e);
}

/* The depot keeps CAIRN_DEPOT_FULL full magazines of a class; the rest go to the heap. */
static void test_depot_is_bounded(void **state)
{
	enum { N = (CAIRN_DEPOT_FULL + 6) * CAIRN_MAG_ROUNDS };
	struct env *e = env_open();
	struct alloc_stats st;
	void *p[N];
	size_t i;

	for (i = 0; i < N; i++)
		p[i] = cairn_cache_alloc(&e->cache, &e->cpu[0], 32, 16);
	for (i = 0; i < N; i++)
		cairn_cache_free_sized(&e->cache, &e->cpu[0], p[i], 32, 16);
	assert_int_equal(e->cache.nfull[cairn_cache_class(32, 16)], CAIRN_DEPOT_FULL);
	assert_true(e->heap_frees >= N - (CAIRN_DEPOT_FULL + 2) * CAIRN_MAG_ROUNDS);
	cairn_heap_stats(&e->heap, &st);
	assert_int_equal(st.live_blocks, e->cpu[0].blocks + e->cache.blocks + e->cache.mags);
	env_close(e);
}

/* Blocks that no class fits go to the heap, whether freed with a size or without. */
static void test_uncached_blocks(void **state)
{
	static const size_t sizes[] = { 2000, 100, 8 };
	static const size_t aligns[] = { 16, 64, 8 };
	struct env *e = env_open();
	size_t i, frees;
	void *p, *q = NULL, *r;

	for (i = 0; i < 3; i++) {
		p = cairn_cache_alloc(&e->cache, &e->cpu[0], sizes[i], aligns[i]);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % aligns[i], 0);
		frees = e->heap_frees;
		if (i == 0)
			cairn_cache_free(&e->cache, &e->cpu[0], p);
		else
			cairn_cache_free_sized(&e->cache, &e->cpu[0], p, sizes[i], aligns[i]);
		assert_int_equal(e->heap_frees, frees + (i < 2));
	}
	/* An 8-aligned block goes to a class of 8-aligned blocks, not of 16-aligned ones. */
	p = cairn_heap_alloc(&e->heap, 40, 8);
	if ((uintptr_t)p % 16 == 0) {
		q = p;
		p = cairn_heap_alloc(&e->heap, 32, 8);
	}
	assert_int_equal((uintptr_t)p % 16, 8);
	cairn_cache_free(&e->cache, &e->cpu[0], p);
	assert_int_equal(e->cpu[0].blocks, 2);
	r = cairn_cache_alloc(&e->cache, &e->cpu[0], 40, 16);
	assert_ptr_not_equal(r, p);
	assert_ptr_equal(cairn_cache_alloc(&e->cache, &e->cpu[0], 40, 8), p);
	cairn_cache_free(&e->cache, &e->cpu[0], p);
	cairn_cache_free(&e->cache, &e->cpu[0], r);
	cairn_heap_free(&e->heap, q);
	env_close(e);
}

/* A second free of a cached block is reported, and the block is handed out once. */
static void test_double_free_of_cached_block(void **state)
{
	struct env *e = env_open();
	void *p = cairn_cache_alloc(&e->cache, &e->cpu[0], 64, 16), *q, *r;
	size_t u = cairn_heap_usable_size(&e->heap, p); /* the class the free picks */
	char *s;

	cairn_cache_free(&e->cache, &e->cpu[0], p);
	cairn_cache_free(&e->cache, &e->cpu[0], p);
	assert_int_equal(e->errors, 1);
	assert_int_equal(e->cpu[0].blocks, 1);
	q = cairn_cache_alloc(&e->cache, &e->cpu[0], u, 16);
	r = cairn_cache_alloc(&e->cache, &e->cpu[0], u, 16);
	assert_ptr_equal(q, p);
	assert_ptr_not_equal(r, p);
	cairn_cache_free(&e->cache, &e->cpu[0], q);
	cairn_cache_free(&e->cache, &e->cpu[0], r);
	/* A pointer into the middle of a block goes to the heap, which reports it. */
	s = cairn_heap_alloc(&e->heap, 64, 16);
	cairn_cache_free(&e->cache, &e->cpu[0], s + 16);
	assert_int_equal(e->heap.errors, 1);
	cairn_heap_free(&e->heap, s);
	env_close(e);
}

/* When the heap runs dry, reclaiming the magazines lets the allocation succeed. */
static void test_reclaim_on_exhaustion(void **state)
{
	struct env *e = env_open();
	void **p = calloc(HEAP_BYTES / 64, sizeof(*p));
	struct alloc_stats st;
	size_t n = 0, i;
	void *big;

	while ((p[n] = cairn_cache_alloc(&e->cache, &e->cpu[0], 1024, 16)))
		n++;
	for (i = 0; i < n; i++)
		cairn_cache_free(&e->cache, &e->cpu[i % NCPU], p[i]);
	cairn_heap_stats(&e->heap, &st);
	assert_true(e->cache.blocks > 0);
	big = cairn_cache_alloc(&e->cache, &e->cpu[0], st.free_bytes + 65536, 16);
	assert_null(big);
	for (i = 0; i < NCPU; i++)
		cairn_cache_reclaim(&e->cache, &e->cpu[i]);
	big = cairn_cache_alloc(&e->cache, &e->cpu[0], st.free_bytes + 65536, 16);
	assert_non_null(big);
	cairn_cache_free(&e->cache, &e->cpu[0], big);
	free(p);
	env_close(e);
}

/*
 * Blocks that are never written (a cached block's mark is all that is in them) go through
 * the magazines and back to the heap again and again: no later free of a block the heap
 * hands out at the same address again may look like a double free.
 */
static void test_no_stale_marks(void **state)
{
	struct khb1_rng r = { 0x5EED };
	struct env *e = env_open();
	void *p[100];
	size_t i, round;

	for (round = 0; round < 50; round++) {
		for (i = 0; i < 100; i++)
			p[i] = cairn_cache_alloc(&e->cache, &e->cpu[0],
			                         1 + (size_t)khb1_range(&r, 0, 300), 16);
		for (i = 0; i < 100; i++)
			cairn_cache_free(&e->cache, &e->cpu[round % 2], p[i]);
		cairn_cache_reclaim(&e->cache, &e->cpu[round % 2]);
	}
	assert_int_equal(e->errors, 0);
	env_close(e);
}

/* A class this CPU stops using gives its blocks back within a bounded number of operations. */
static void test_idle_class_is_trimmed(void **state)
{
	struct env *e = env_open();
	void *idle = cairn_cache_alloc(&e->cache, &e->cpu[0], 500, 16), *p;
	size_t i, frees;

	cairn_cache_free_sized(&e->cache, &e->cpu[0], idle, 500, 16);
	frees = e->heap_frees;
	for (i = 0; i < CAIRN_CACHE_IDLE / 2; i++) {
		p = cairn_cache_alloc(&e->cache, &e->cpu[0], 40, 16);
		cairn_cache_free_sized(&e->cache, &e->cpu[0], p, 40, 16);
	}
	assert_int_equal(e->heap_frees, frees); /* not idle long enough yet */
	for (i = 0; i < CAIRN_CACHE_IDLE; i++) {
		p = cairn_cache_alloc(&e->cache, &e->cpu[0], 40, 16);
		cairn_cache_free_sized(&e->cache, &e->cpu[0], p, 40, 16);
	}
	assert_int_equal(e->heap_frees, frees + 2); /* the block and its magazine */
	assert_null(e->cpu[0].loaded[cairn_cache_class(500, 16)]);
	assert_int_equal(e->cpu[0].blocks, 1); /* the busy class keeps its block */
	env_close(e);
}

struct live {
	uint8_t *p;
	size_t size;
	uint8_t seed;
};

static void check_and_free(struct env *e, struct live *b, unsigned int cpu, bool sized)
{
	size_t i;

	for (i = 0; i < b->size; i++)
		assert_int_equal(b->p[i], (uint8_t)(b->seed + i));
	if (sized)
		cairn_cache_free_sized(&e->cache, &e->cpu[cpu], b->p, b->size, 16);
	else
		cairn_cache_free(&e->cache, &e->cpu[cpu], b->p);
}

/* Random allocs and frees from four CPUs in turn; every block keeps its contents. */
static void test_random_four_cpus(void **state)
{
	enum { LIVE = 2000 };
	struct live *b = calloc(LIVE, sizeof(*b));
	struct khb1_rng r = { 0xC0FFEE };
	struct env *e = env_open();
	size_t i, j, n = 0;
	unsigned int cpu;

	for (i = 0; i < 200000; i++) {
		cpu = (unsigned int)khb1_range(&r, 0, NCPU);
		if (n == LIVE || (n && khb1_range(&r, 0, 2))) {
			j = (size_t)khb1_range(&r, 0, n);
			check_and_free(e, &b[j], cpu, i & 1);
			b[j] = b[--n];
			continue;
		}
		b[n].size = 1 + (size_t)khb1_range(&r, 0, i & 4 ? 1100 : 200);
		b[n].p = cairn_cache_alloc(&e->cache, &e->cpu[cpu], b[n].size, 16);
		if (!b[n].p) {
			/* The heap is short: give back the magazines, as the kernel does. */
			for (j = 0; j < NCPU; j++)
				cairn_cache_reclaim(&e->cache, &e->cpu[j]);
			b[n].p = cairn_cache_alloc(&e->cache, &e->cpu[cpu], b[n].size, 16);
		}
		assert_non_null(b[n].p);
		b[n].seed = (uint8_t)i;
		for (j = 0; j < b[n].size; j++)
			b[n].p[j] = (uint8_t)(b[n].seed + j);
		n++;
	}
	while (n)
		check_and_free(e, &b[--n], 0, false);
	assert_int_equal(e->errors, 0);
	assert_int_equal(e->heap.errors, 0);
	free(b);
	env_close(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_class_mapping),
		cmocka_unit_test(test_reuse_without_heap),
		cmocka_unit_test(test_depot_moves_magazines),
		cmocka_unit_test(test_depot_is_bounded),
		cmocka_unit_test(test_uncached_blocks),
		cmocka_unit_test(test_double_free_of_cached_block),
		cmocka_unit_test(test_reclaim_on_exhaustion),
		cmocka_unit_test(test_no_stale_marks),
		cmocka_unit_test(test_idle_class_is_trimmed),
		cmocka_unit_test(test_random_four_cpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
