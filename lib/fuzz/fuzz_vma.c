// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for lib/vma: the input is a sequence of operations
 * (insert, set, remove, protect, gap search), each four bytes, run on a
 * map of 128 pages and checked after every step against a brute-force
 * array of pages. Record allocation fails on demand, so the "nothing
 * changed" promise of every error path is checked too.
 */
#include <cairn/errno.h>

#include <lib/vma/vma.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PG     4096ull
#define NPAGES 128

struct page {
	bool mapped;
	uint32_t prot, flags, kind;
};

static struct page model[NPAGES];
static long live;
static bool fail_next; /* the next record allocation fails */

static struct vma *rec_alloc(void *ctx)
{
	(void)ctx;
	if (fail_next) {
		fail_next = false;
		return NULL;
	}
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

static bool any_mapped(unsigned a, unsigned b)
{
	for (unsigned i = a; i < b; i++)
		if (model[i].mapped)
			return true;
	return false;
}

static bool all_mapped(unsigned a, unsigned b)
{
	for (unsigned i = a; i < b; i++)
		if (!model[i].mapped)
			return false;
	return true;
}

static void model_set(unsigned a, unsigned b, uint32_t prot, uint32_t flags, uint32_t kind)
{
	for (unsigned i = a; i < b; i++)
		model[i] = (struct page){ true, prot, flags, kind };
}

static void check(const struct vma_map *m)
{
	uint64_t bytes = 0;

	if (vma_check(m) || live != (long)m->count)
		abort();
	for (unsigned i = 0; i < NPAGES; i++) {
		const struct vma *v = vma_find(m, i * PG);

		if ((v != NULL) != model[i].mapped)
			abort();
		if (!v)
			continue;
		bytes += PG;
		if (v->prot != model[i].prot || v->flags != model[i].flags ||
		    v->kind != model[i].kind)
			abort();
	}
	if (bytes != m->bytes)
		abort();
}

/* A gap search must return the lowest (or highest) free run of @n pages in [@lo, @hi). */
static void check_gap(const struct vma_map *m, unsigned n, unsigned lo, unsigned hi, bool down)
{
	uint64_t at = 0;
	int err = vma_find_gap(m, n * PG, lo * PG, hi * PG, down, &at);
	int want = -1;

	for (unsigned s = lo; s + n <= hi; s++)
		if (!any_mapped(s, s + n) && (want < 0 || down))
			want = (int)s;
	if (want < 0 ? err != -ENOMEM : (err || at != (uint64_t)want * PG))
		abort();
}

static void step(struct vma_map *m, const uint8_t *op)
{
	unsigned a = op[1] % NPAGES, b = a + 1 + op[2] % 16, kind = op[0] >> 7;
	uint32_t prot = op[3] & 3, flags = (op[3] >> 2) & 1;
	bool failing = op[3] & 0x80;
	int err;

	if (b > NPAGES)
		b = NPAGES;
	fail_next = failing;
	switch (op[0] % 5) {
	case 0:
		err = vma_insert(m, a * PG, b * PG, prot, flags, kind);
		if (!err)
			model_set(a, b, prot, flags, kind);
		else if (err != (any_mapped(a, b) ? -EEXIST : -ENOMEM))
			abort();
		break;
	case 1:
		err = vma_set(m, a * PG, b * PG, prot, flags, kind);
		if (!err)
			model_set(a, b, prot, flags, kind);
		else if (err != -ENOMEM || !failing)
			abort();
		break;
	case 2:
		err = vma_remove(m, a * PG, b * PG);
		for (unsigned i = a; !err && i < b; i++)
			model[i].mapped = false;
		if (err && (err != -ENOMEM || !failing))
			abort();
		break;
	case 3:
		err = vma_protect(m, a * PG, b * PG, prot);
		for (unsigned i = a; !err && i < b; i++)
			model[i].prot = prot;
		if (err ? err != -ENOMEM || (!failing && all_mapped(a, b)) : !all_mapped(a, b))
			abort();
		break;
	default:
		check_gap(m, b - a, op[3] % NPAGES, NPAGES - op[2] % 8, op[0] & 8);
		break;
	}
	fail_next = false;
	check(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vma_map m;

	for (unsigned i = 0; i < NPAGES; i++)
		model[i].mapped = false;
	live = 0;
	if (vma_map_init(&m, 0, NPAGES * PG, PG, &ops))
		abort();
	for (size_t off = 0; off + 4 <= size; off += 4)
		step(&m, data + off);
	vma_map_clear(&m);
	if (live)
		abort();
	return 0;
}
