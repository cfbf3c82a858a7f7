/* SPDX-License-Identifier: MIT */
/*
 * The simulated machine of the host tests of lib/paging
 * (tests/host/paging_helpers.h): RAM, frame allocator, TLB counters, tree
 * walks and expectations.
 */
#include "paging_helpers.h"

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

static struct sim *ctx_sim(void *ctx)
{
	return ctx;
}

static unsigned int frame_of(uint64_t pa)
{
	assert_int_equal(pa & (KB4 - 1), 0);
	assert_true(pa / KB4 < SIM_FRAMES);
	return (unsigned int)(pa / KB4);
}

static void *sim_phys_to_virt(void *ctx, uint64_t pa)
{
	struct sim *sim = ctx_sim(ctx);

	/* The code must only ever reach tables it owns. */
	assert_true(sim->live[frame_of(pa)]);
	return sim->ram + pa;
}

static uint64_t sim_alloc_table(void *ctx)
{
	struct sim *sim = ctx_sim(ctx);
	unsigned int i, f;

	if (sim->budget == 0)
		return 0;
	for (i = 0; i < SIM_FRAMES; i++) {
		f = (sim->cursor + i) % SIM_FRAMES;
		if (f == 0 || sim->live[f])
			continue; /* frame 0 stays unused: 0 means failure */
		sim->live[f] = true;
		sim->epoch[f] = sim->op;
		sim->nlive++;
		sim->allocs++;
		sim->cursor = f + 1;
		if (sim->budget > 0)
			sim->budget--;
		memset(sim->ram + (uint64_t)f * KB4, 0, KB4);
		return (uint64_t)f * KB4;
	}
	fail_msg("simulated RAM exhausted");
	return 0;
}

static bool reachable(struct sim *sim, uint64_t table, int level, uint64_t pa)
{
	const uint64_t *t = (const uint64_t *)(sim->ram + table);
	int i;

	if (table == pa)
		return true;
	for (i = 0; level > 1 && i < 512; i++) {
		if (!(t[i] & E_P) || (level <= 3 && (t[i] & E_PS)))
			continue;
		if (reachable(sim, t[i] & E_ADDR, level - 1, pa))
			return true;
	}
	return false;
}

static void sim_free_table(void *ctx, uint64_t pa)
{
	struct sim *sim = ctx_sim(ctx);
	unsigned int f = frame_of(pa);

	assert_true(sim->live[f]);
	assert_int_not_equal(pa, sim->space.root);
	/* A table linked by an earlier operation may still sit in a paging-structure cache. */
	if (sim->epoch[f] != sim->op)
		assert_true(sim->invalidates + sim->flushes > 0);
	if (sim->check_frees)
		assert_false(reachable(sim, sim->space.root, sim->space.levels, pa));
	memset(sim->ram + pa, 0xa5, KB4); /* poison: a later read of it shows */
	sim->live[f] = false;
	sim->nlive--;
	sim->frees++;
}

static void sim_invalidate(void *ctx, uint64_t va)
{
	struct sim *sim = ctx_sim(ctx);

	if (sim->invalidates < LOG_MAX)
		sim->inval_log[sim->invalidates] = va;
	sim->invalidates++;
}

static void sim_flush_all(void *ctx)
{
	ctx_sim(ctx)->flushes++;
}

struct sim *sim_new(int levels)
{
	struct sim *sim = calloc(1, sizeof(*sim));

	assert_non_null(sim);
	sim->ram = aligned_alloc(KB4, SIM_FRAMES * KB4);
	assert_non_null(sim->ram);
	memset(sim->ram, 0xa5, SIM_FRAMES * KB4);
	sim->budget = -1;
	sim->cursor = 1;
	sim->check_frees = true;
	sim->ops = (struct pt_ops){
		.ctx = sim,
		.phys_to_virt = sim_phys_to_virt,
		.alloc_table = sim_alloc_table,
		.free_table = sim_free_table,
		.invalidate = sim_invalidate,
		.flush_all = sim_flush_all,
	};
	sim->space.levels = levels;
	sim->space.ops = &sim->ops;
	sim->space.root = sim_alloc_table(sim);
	return sim;
}

void sim_free(struct sim *sim)
{
	free(sim->ram);
	free(sim);
}

/* Start a new operation: per-operation counters back to zero. */
static void sim_begin(struct sim *sim)
{
	sim->op++;
	sim->allocs = sim->frees = sim->invalidates = sim->flushes = 0;
}

int sim_map(struct sim *sim, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags,
            uint64_t page_size)
{
	sim_begin(sim);
	return pt_map(&sim->space, va, pa, size, flags, page_size);
}

int sim_unmap(struct sim *sim, uint64_t va, uint64_t size)
{
	sim_begin(sim);
	return pt_unmap(&sim->space, va, size);
}

int sim_protect(struct sim *sim, uint64_t va, uint64_t size, uint32_t flags)
{
	sim_begin(sim);
	return pt_protect(&sim->space, va, size, flags);
}

/* Walk the whole tree: no table reached twice, none leaked, none empty but the root. */
static unsigned int walk_tree(struct sim *sim, uint64_t pa, int level, bool *seen)
{
	const uint64_t *t = (const uint64_t *)(sim->ram + pa);
	unsigned int n = 1, present = 0, f = frame_of(pa);
	uint64_t low;
	int i;

	assert_true(sim->live[f]);
	assert_false(seen[f]);
	seen[f] = true;
	for (i = 0; i < 512; i++) {
		if (!(t[i] & E_P))
			continue;
		present++;
		if (level >= 4)
			assert_false(t[i] & E_PS);
		if (level == 1 || (level <= 3 && (t[i] & E_PS))) {
			/* Address bits below a large page's frame are reserved, but bit 12 is PAT. */
			low = level == 1 ? 0 : (1ull << (12 + 9 * (level - 1))) - 1;
			assert_int_equal(t[i] & E_ADDR & low & ~E_PATBIG, 0);
			continue;
		}
		n += walk_tree(sim, t[i] & E_ADDR, level - 1, seen);
	}
	if (pa != sim->space.root)
		assert_true(present > 0);
	return n;
}

void sim_check_tree(struct sim *sim)
{
	bool *seen = calloc(SIM_FRAMES, sizeof(bool));

	assert_non_null(seen);
	assert_int_equal(walk_tree(sim, sim->space.root, sim->space.levels, seen), sim->nlive);
	free(seen);
}

uint64_t *sim_entry(struct sim *sim, uint64_t va, int level)
{
	uint64_t table = sim->space.root;
	uint64_t *ep;
	int l;

	for (l = sim->space.levels;; l--) {
		ep = (uint64_t *)(sim->ram + table) + ((va >> (12 + 9 * (l - 1))) & 511);
		if (l == level)
			return ep;
		assert_true(*ep & E_P);
		assert_false(l <= 3 && (*ep & E_PS));
		table = *ep & E_ADDR;
	}
}

struct snap *snap_take(struct sim *sim)
{
	struct snap *sn = malloc(sizeof(*sn));

	assert_non_null(sn);
	sn->ram = malloc(SIM_FRAMES * KB4);
	assert_non_null(sn->ram);
	memcpy(sn->live, sim->live, sizeof(sn->live));
	memcpy(sn->ram, sim->ram, SIM_FRAMES * KB4);
	return sn;
}

void snap_expect_same(struct sim *sim, struct snap *sn)
{
	unsigned int f;

	assert_memory_equal(sn->live, sim->live, sizeof(sn->live));
	for (f = 0; f < SIM_FRAMES; f++)
		if (sim->live[f])
			assert_memory_equal(sn->ram + f * KB4, sim->ram + f * KB4, KB4);
	free(sn->ram);
	free(sn);
}

void expect_mapped(struct sim *sim, uint64_t va, uint64_t pa, uint32_t flags, uint64_t page_size)
{
	uint64_t got_pa = 0, got_size = 0;
	uint32_t got_flags = 0;

	assert_int_equal(pt_translate(&sim->space, va, &got_pa, &got_flags, &got_size), 0);
	assert_int_equal(got_pa, pa);
	assert_int_equal(got_flags, flags | PT_READ);
	assert_int_equal(got_size, page_size);
}

void expect_unmapped(struct sim *sim, uint64_t va)
{
	assert_int_equal(pt_translate(&sim->space, va, NULL, NULL, NULL), -ENOENT);
}
void expect_table_rights(struct sim *sim, uint64_t va, bool rw, bool us, bool nx)
{
	uint64_t e;
	int level;

	for (level = 2; level <= sim->space.levels; level++) {
		e = *sim_entry(sim, va, level);
		assert_int_equal(!!(e & E_RW), rw);
		assert_int_equal(!!(e & E_US), us);
		assert_int_equal(!!(e & E_NX), nx);
	}
}
