/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/vma: each operation on small hand-made layouts (split,
 * merge, replace, holes, gap search in both directions), allocation
 * failure leaving the map unchanged, and long random operation sequences
 * checked page by page against a plain array model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* cmocka.h needs the standard headers above it. */
#include <cairn/errno.h>

#include <cmocka.h>

/* The code under test. */
#include <lib/vma/vma.h>

#define PG     0x1000ull
#define NPAGES 64

/* The record allocator: malloc, with a budget to make it fail on purpose. */
static long budget = -1; /* records still allowed; -1: no limit */
static long live;        /* records handed out and not freed */

static struct vma *rec_alloc(void *ctx)
{
	(void)ctx;
	if (budget == 0)
		return NULL;
	if (budget > 0)
		budget--;
	live++;
	return malloc(sizeof(struct vma));
}

static void rec_free(void *ctx, struct vma *v)
{
	(void)ctx;
	live--;
	free(v);
}

static const struct vma_ops ops = { NULL, rec_alloc, rec_free, NULL, NULL };

static void map_start(struct vma_map *m)
{
	budget = -1;
	live = 0;
	assert_int_equal(vma_map_init(m, 0, NPAGES * PG, PG, &ops), 0);
}

static void map_end(struct vma_map *m)
{
	vma_map_clear(m);
	assert_int_equal(live, 0);
}

/* Check the map lists exactly the regions @want ({start, end, prot} in pages). */
static void expect_regions(const struct vma_map *m, const unsigned (*want)[3], size_t n)
{
	const struct vma *v = m->head;
	size_t i;

	assert_int_equal(vma_check(m), 0);
	for (i = 0; i < n; i++, v = v->next) {
		assert_non_null(v);
		assert_int_equal(v->start, want[i][0] * PG);
		assert_int_equal(v->end, want[i][1] * PG);
		assert_int_equal(v->prot, want[i][2]);
	}
	assert_null(v);
	assert_int_equal(m->count, n);
	assert_int_equal(live, (long)n);
}

static void insert_merges_equal_neighbours_only(void **state)
{
	static const unsigned merged[][3] = { { 2, 8, 1 } };
	static const unsigned apart[][3] = { { 2, 8, 1 }, { 8, 9, 3 }, { 10, 12, 1 } };
	struct vma_map m;

	(void)state;
	map_start(&m);
	assert_int_equal(vma_insert(&m, 2 * PG, 4 * PG, 1, 0, 0), 0);
	assert_int_equal(vma_insert(&m, 6 * PG, 8 * PG, 1, 0, 0), 0);
	assert_int_equal(vma_insert(&m, 4 * PG, 6 * PG, 1, 0, 0), 0);
	expect_regions(&m, merged, 1);
	assert_int_equal(vma_insert(&m, 8 * PG, 9 * PG, 3, 0, 0), 0);
	assert_int_equal(vma_insert(&m, 10 * PG, 12 * PG, 1, 0, 0), 0);
	expect_regions(&m, apart, 3);
	assert_int_equal(vma_insert(&m, 7 * PG, 11 * PG, 1, 0, 0), -EEXIST);
	expect_regions(&m, apart, 3);
	map_end(&m);
}

static void bad_ranges_are_einval(void **state)
{
	struct vma_map m;

	(void)state;
	map_start(&m);
	assert_int_equal(vma_insert(&m, 1, PG, 1, 0, 0), -EINVAL);
	assert_int_equal(vma_insert(&m, PG, PG, 1, 0, 0), -EINVAL);
	assert_int_equal(vma_insert(&m, 2 * PG, PG, 1, 0, 0), -EINVAL);
	assert_int_equal(vma_set(&m, 0, (NPAGES + 1) * PG, 1, 0, 0), -EINVAL);
	assert_int_equal(vma_remove(&m, PG, PG + 5), -EINVAL);
	assert_int_equal(vma_protect(&m, PG, PG, 1), -EINVAL);
	assert_int_equal(vma_map_init(&m, 0, PG, 3, &ops), -EINVAL);
	assert_int_equal(vma_map_init(&m, PG, PG, PG, &ops), -EINVAL);
	map_start(&m);
	map_end(&m);
}

static void remove_splits_and_skips_holes(void **state)
{
	static const unsigned want[][3] = { { 0, 3, 1 }, { 5, 6, 1 }, { 9, 10, 2 } };
	struct vma_map m;

	(void)state;
	map_start(&m);
	assert_int_equal(vma_insert(&m, 0, 8 * PG, 1, 0, 0), 0);
	assert_int_equal(vma_insert(&m, 9 * PG, 12 * PG, 2, 0, 0), 0);
	assert_int_equal(vma_remove(&m, 3 * PG, 5 * PG), 0);
	assert_int_equal(vma_remove(&m, 6 * PG, 9 * PG), 0);
	assert_int_equal(vma_remove(&m, 10 * PG, 20 * PG), 0);
	expect_regions(&m, want, 3);
	assert_int_equal(m.bytes, 5 * PG);
	assert_int_equal(vma_remove(&m, 30 * PG, 31 * PG), 0);
	map_end(&m);
}

static void protect_splits_then_merges_back(void **state)
{
	static const unsigned split3[][3] = { { 1, 3, 1 }, { 3, 5, 7 }, { 5, 9, 1 } };
	static const unsigned whole[][3] = { { 1, 9, 1 } };
	struct vma_map m;

	(void)state;
	map_start(&m);
	assert_int_equal(vma_insert(&m, PG, 9 * PG, 1, 0, 0), 0);
	assert_int_equal(vma_protect(&m, 3 * PG, 5 * PG, 7), 0);
	expect_regions(&m, split3, 3);
	assert_int_equal(vma_protect(&m, 3 * PG, 5 * PG, 1), 0);
	expect_regions(&m, whole, 1);
	/* A hole in the range: ENOMEM and no change. */
	assert_int_equal(vma_protect(&m, 8 * PG, 10 * PG, 7), -ENOMEM);
	expect_regions(&m, whole, 1);
	map_end(&m);
}

static void set_replaces_across_regions(void **state)
{
	static const unsigned want[][3] = { { 0, 2, 1 }, { 2, 10, 4 }, { 10, 12, 3 } };
	struct vma_map m;

	(void)state;
	map_start(&m);
	assert_int_equal(vma_insert(&m, 0, 4 * PG, 1, 0, 0), 0);
	assert_int_equal(vma_insert(&m, 5 * PG, 6 * PG, 2, 0, 0), 0);
	assert_int_equal(vma_insert(&m, 8 * PG, 12 * PG, 3, 0, 0), 0);
	assert_int_equal(vma_set(&m, 2 * PG, 10 * PG, 4, 0, 0), 0);
	expect_regions(&m, want, 3);
	assert_int_equal(m.bytes, 12 * PG);
	map_end(&m);
}

static void kind_and_flags_keep_regions_apart(void **state)
{
	struct vma_map m;

	(void)state;
	map_start(&m);
	assert_int_equal(vma_insert(&m, 0, PG, 1, 0, 0), 0);
	assert_int_equal(vma_insert(&m, PG, 2 * PG, 1, 1, 0), 0);
	assert_int_equal(vma_insert(&m, 2 * PG, 3 * PG, 1, 1, 5), 0);
	assert_int_equal(m.count, 3);
	assert_int_equal(vma_check(&m), 0);
	map_end(&m);
}

static void out_of_records_changes_nothing(void **state)
{
	static const unsigned want[][3] = { { 0, 10, 1 } };
	struct vma_map m;

	(void)state;
	map_start(&m);
	assert_int_equal(vma_insert(&m, 0, 10 * PG, 1, 0, 0), 0);
	budget = 1;
	assert_int_equal(vma_protect(&m, 2 * PG, 4 * PG, 2), -ENOMEM);
	expect_regions(&m, want, 1);
	budget = 1;
	assert_int_equal(vma_set(&m, 2 * PG, 4 * PG, 2, 0, 0), -ENOMEM);
	expect_regions(&m, want, 1);
	budget = 0;
	assert_int_equal(vma_remove(&m, 2 * PG, 4 * PG), -ENOMEM);
	expect_regions(&m, want, 1);
	assert_int_equal(vma_insert(&m, 20 * PG, 21 * PG, 1, 0, 0), -ENOMEM);
	budget = -1;
	map_end(&m);
}

static void gaps_top_down_and_bottom_up(void **state)
{
	struct vma_map m;
	uint64_t at = 0;

	(void)state;
	map_start(&m);
	assert_int_equal(vma_insert(&m, 4 * PG, 8 * PG, 1, 0, 0), 0);
	assert_int_equal(vma_insert(&m, 10 * PG, 60 * PG, 1, 0, 0), 0);
	assert_int_equal(vma_find_gap(&m, 2 * PG, 0, NPAGES * PG, false, &at), 0);
	assert_int_equal(at, 0);
	assert_int_equal(vma_find_gap(&m, 2 * PG, 0, NPAGES * PG, true, &at), 0);
	assert_int_equal(at, 62 * PG);
	assert_int_equal(vma_find_gap(&m, 2 * PG, 0, 60 * PG, true, &at), 0);
	assert_int_equal(at, 8 * PG);
	assert_int_equal(vma_find_gap(&m, 3 * PG, PG, 60 * PG, true, &at), 0);
	assert_int_equal(at, PG);
	assert_int_equal(vma_find_gap(&m, 5 * PG, 0, NPAGES * PG, false, &at), -ENOMEM);
	assert_int_equal(vma_find_gap(&m, 3 * PG + 1, 0, NPAGES * PG, false, &at), -EINVAL);
	assert_int_equal(vma_find_gap(&m, 0, 0, NPAGES * PG, false, &at), -EINVAL);
	map_end(&m);
}

/* ---- Random operation sequences against a page array ---- */

struct page_model {
	bool mapped;
	uint32_t prot, flags, kind;
};

static struct page_model model[NPAGES];

static void model_set(unsigned a, unsigned b, uint32_t prot, uint32_t flags, uint32_t kind)
{
	for (unsigned i = a; i < b; i++)
		model[i] = (struct page_model){ true, prot, flags, kind };
}

static bool model_any(unsigned a, unsigned b)
{
	for (unsigned i = a; i < b; i++)
		if (model[i].mapped)
			return true;
	return false;
}

static bool model_all(unsigned a, unsigned b)
{
	for (unsigned i = a; i < b; i++)
		if (!model[i].mapped)
			return false;
	return true;
}

/* The map and the model agree on every page, and the map is well formed. */
static void expect_model(const struct vma_map *m)
{
	uint64_t bytes = 0;

	assert_int_equal(vma_check(m), 0);
	for (unsigned i = 0; i < NPAGES; i++) {
		const struct vma *v = vma_find(m, i * PG + 7);

		assert_int_equal(v != NULL, model[i].mapped);
		if (!v)
			continue;
		bytes += PG;
		assert_int_equal(v->prot, model[i].prot);
		assert_int_equal(v->flags, model[i].flags);
		assert_int_equal(v->kind, model[i].kind);
	}
	assert_int_equal(m->bytes, bytes);
	assert_int_equal(live, (long)m->count);
}

/* A gap the search returned must be free and, top-down, the highest such. */
static void check_gap(const struct vma_map *m, unsigned size, bool top_down)
{
	uint64_t at = 0;
	int err = vma_find_gap(m, size * PG, 0, NPAGES * PG, top_down, &at);
	int want = -1;

	for (unsigned s = 0; s + size <= NPAGES; s++)
		if (!model_any(s, s + size) && (want < 0 || top_down))
			want = (int)s;
	if (want < 0) {
		assert_int_equal(err, -ENOMEM);
		return;
	}
	assert_int_equal(err, 0);
	assert_int_equal(at, (uint64_t)want * PG);
}

static void random_step(struct vma_map *m, unsigned r)
{
	unsigned a = r % NPAGES, b = a + 1 + (r >> 8) % 12, op = (r >> 16) % 5;
	uint32_t prot = (r >> 20) % 3, flags = (r >> 24) % 2;

	if (b > NPAGES)
		b = NPAGES;
	switch (op) {
	case 0:
		assert_int_equal(vma_insert(m, a * PG, b * PG, prot, flags, 0),
		                 model_any(a, b) ? -EEXIST : 0);
		if (!model_any(a, b))
			model_set(a, b, prot, flags, 0);
		break;
	case 1:
		assert_int_equal(vma_set(m, a * PG, b * PG, prot, flags, 1), 0);
		model_set(a, b, prot, flags, 1);
		break;
	case 2:
		assert_int_equal(vma_remove(m, a * PG, b * PG), 0);
		for (unsigned i = a; i < b; i++)
			model[i].mapped = false;
		break;
	case 3:
		assert_int_equal(vma_protect(m, a * PG, b * PG, prot),
		                 model_all(a, b) ? 0 : -ENOMEM);
		for (unsigned i = a; model_all(a, b) && i < b; i++)
			model[i].prot = prot;
		break;
	default:
		check_gap(m, b - a, flags);
		break;
	}
}

static void random_sequences_match_the_model(void **state)
{
	struct vma_map m;

	(void)state;
	for (unsigned seed = 1; seed <= 40; seed++) {
		srand(seed);
		for (unsigned i = 0; i < NPAGES; i++)
			model[i].mapped = false;
		map_start(&m);
		for (int step = 0; step < 500; step++) {
			random_step(&m, (unsigned)rand());
			expect_model(&m);
		}
		map_end(&m);
	}
}

/* File references counted per record, for the file-region tests. */
static long file_refs;

static void file_get(void *ctx, void *file)
{
	(void)ctx;
	assert_ptr_equal(file, &file_refs);
	file_refs++;
}

static void file_put(void *ctx, void *file)
{
	(void)ctx;
	assert_ptr_equal(file, &file_refs);
	assert_true(file_refs > 0);
	file_refs--;
}

static const struct vma_ops file_ops = { NULL, rec_alloc, rec_free, file_get, file_put };

/* The region holding page @pg must map file page @want. */
static void expect_pgoff(const struct vma_map *m, uint64_t pg, uint64_t want)
{
	const struct vma *v = vma_find(m, pg * PG);

	assert_non_null(v);
	assert_ptr_equal(v->file, &file_refs);
	assert_int_equal(v->pgoff + (pg * PG - v->start) / PG, want);
}

/*
 * A file region keeps each page's file offset through a hole punched in
 * it, a protection change, a trimmed start and a re-merge; every record
 * holds one file reference; regions of the same file merge only where
 * the offsets continue.
 */
static void file_regions_keep_offsets(void **state)
{
	struct vma attrs = { .prot = 1, .file = &file_refs, .pgoff = 100 };
	struct vma_map m;

	(void)state;
	budget = -1;
	live = 0;
	file_refs = 0;
	assert_int_equal(vma_map_init(&m, 0, NPAGES * PG, PG, &file_ops), 0);
	assert_int_equal(vma_set_attrs(&m, 10 * PG, 30 * PG, &attrs), 0);
	assert_int_equal(file_refs, 1);
	assert_int_equal(vma_remove(&m, 14 * PG, 16 * PG), 0);
	assert_int_equal(file_refs, 2);
	expect_pgoff(&m, 13, 103);
	expect_pgoff(&m, 16, 106);
	assert_int_equal(vma_protect(&m, 20 * PG, 22 * PG, 3), 0);
	assert_int_equal(file_refs, 4);
	expect_pgoff(&m, 21, 111);
	expect_pgoff(&m, 22, 112);
	assert_int_equal(vma_protect(&m, 20 * PG, 22 * PG, 1), 0);
	assert_int_equal(file_refs, 2); /* merged back */
	expect_pgoff(&m, 29, 119);
	/* Trim the start of the upper part: its offset moves with it. */
	assert_int_equal(vma_remove(&m, 16 * PG, 18 * PG), 0);
	expect_pgoff(&m, 18, 108);
	/* Filling the hole with the right offsets merges all of it again. */
	attrs.pgoff = 104;
	assert_int_equal(vma_set_attrs(&m, 14 * PG, 18 * PG, &attrs), 0);
	assert_int_equal(m.count, 1);
	assert_int_equal(file_refs, 1);
	/* The same file at a different offset next to it stays a region of its own. */
	attrs.pgoff = 0;
	assert_int_equal(vma_insert_attrs(&m, 30 * PG, 31 * PG, &attrs), 0);
	assert_int_equal(m.count, 2);
	assert_int_equal(vma_check(&m), 0);
	vma_map_clear(&m);
	assert_int_equal(file_refs, 0);
	assert_int_equal(live, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(insert_merges_equal_neighbours_only),
		cmocka_unit_test(bad_ranges_are_einval),
		cmocka_unit_test(remove_splits_and_skips_holes),
		cmocka_unit_test(protect_splits_then_merges_back),
		cmocka_unit_test(set_replaces_across_regions),
		cmocka_unit_test(kind_and_flags_keep_regions_apart),
		cmocka_unit_test(out_of_records_changes_nothing),
		cmocka_unit_test(gaps_top_down_and_bottom_up),
		cmocka_unit_test(random_sequences_match_the_model),
		cmocka_unit_test(file_regions_keep_offsets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
