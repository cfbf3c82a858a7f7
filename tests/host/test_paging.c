/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/paging: the page-table code runs against a simulated RAM
 * (a 4 KiB-aligned array whose offsets are the physical addresses) with a
 * frame allocator that counts, can be told to fail and poisons what it gets
 * back. Every callback checks what the code under test does with it: tables
 * it reads must be live, and a table that was ever linked may only be freed
 * after a TLB invalidation. Raw entries are checked against the bit layout of
 * the Intel SDM, written out here independently of lib/paging/x86_pte.h.
 */
#include <cairn/errno.h>

#include <lib/paging/paging.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

/* Intel SDM Vol. 3A, 5.5, Tables 5-14 to 5-20. */
#define E_P      (1ull << 0)
#define E_RW     (1ull << 1)
#define E_US     (1ull << 2)
#define E_PWT    (1ull << 3)
#define E_PCD    (1ull << 4)
#define E_PS     (1ull << 7)
#define E_PAT4K  (1ull << 7)
#define E_G      (1ull << 8)
#define E_PATBIG (1ull << 12)
#define E_NX     (1ull << 63)
#define E_ADDR   0x000ffffffffff000ull

#define KB4 0x1000ull
#define MB2 0x200000ull
#define GB1 0x40000000ull

#define SIM_FRAMES 4096 /* 16 MiB of simulated RAM for page tables */
#define LOG_MAX    64

/* Simulated machine: RAM, a frame allocator and a TLB that only counts. */
struct sim {
	uint8_t *ram;
	bool live[SIM_FRAMES];      /* frame handed out and not given back */
	uint32_t epoch[SIM_FRAMES]; /* operation during which it was handed out */
	unsigned int nlive;
	long budget;         /* allocations that may still succeed, < 0: any */
	unsigned int cursor; /* next frame the allocator tries */
	bool check_frees;    /* walk the tree on each free (slow) */
	/* Per operation, reset by sim_begin(). */
	uint32_t op;
	unsigned int allocs, frees, invalidates, flushes;
	uint64_t inval_log[LOG_MAX];
	struct pt_ops ops;
	struct pt_space space;
};

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

static struct sim *sim_new(int levels)
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

static void sim_free(struct sim *sim)
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

static int sim_map(struct sim *sim, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags,
                   uint64_t page_size)
{
	sim_begin(sim);
	return pt_map(&sim->space, va, pa, size, flags, page_size);
}

static int sim_unmap(struct sim *sim, uint64_t va, uint64_t size)
{
	sim_begin(sim);
	return pt_unmap(&sim->space, va, size);
}

static int sim_protect(struct sim *sim, uint64_t va, uint64_t size, uint32_t flags)
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

static void sim_check_tree(struct sim *sim)
{
	bool *seen = calloc(SIM_FRAMES, sizeof(bool));

	assert_non_null(seen);
	assert_int_equal(walk_tree(sim, sim->space.root, sim->space.levels, seen), sim->nlive);
	free(seen);
}

/* The raw entry at @level for @va; every level above must point to a table. */
static uint64_t *sim_entry(struct sim *sim, uint64_t va, int level)
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

/* A copy of the live tables, to show that a failed call changed nothing. */
struct snap {
	bool live[SIM_FRAMES];
	uint8_t *ram;
};

static struct snap *snap_take(struct sim *sim)
{
	struct snap *sn = malloc(sizeof(*sn));

	assert_non_null(sn);
	sn->ram = malloc(SIM_FRAMES * KB4);
	assert_non_null(sn->ram);
	memcpy(sn->live, sim->live, sizeof(sn->live));
	memcpy(sn->ram, sim->ram, SIM_FRAMES * KB4);
	return sn;
}

static void snap_expect_same(struct sim *sim, struct snap *sn)
{
	unsigned int f;

	assert_memory_equal(sn->live, sim->live, sizeof(sn->live));
	for (f = 0; f < SIM_FRAMES; f++)
		if (sim->live[f])
			assert_memory_equal(sn->ram + f * KB4, sim->ram + f * KB4, KB4);
	free(sn->ram);
	free(sn);
}

static void expect_mapped(struct sim *sim, uint64_t va, uint64_t pa, uint32_t flags,
                          uint64_t page_size)
{
	uint64_t got_pa = 0, got_size = 0;
	uint32_t got_flags = 0;

	assert_int_equal(pt_translate(&sim->space, va, &got_pa, &got_flags, &got_size), 0);
	assert_int_equal(got_pa, pa);
	assert_int_equal(got_flags, flags | PT_READ);
	assert_int_equal(got_size, page_size);
}

static void expect_unmapped(struct sim *sim, uint64_t va)
{
	assert_int_equal(pt_translate(&sim->space, va, NULL, NULL, NULL), -ENOENT);
}

/*
 * Map a few pages of @page_size in both halves, translate inside each page,
 * unmap and check that only the root is left.
 */
static void check_map_translate_unmap(int levels, uint64_t page_size)
{
	struct sim *sim = sim_new(levels);
	const uint64_t vas[] = { 0x0000000000000000ull, page_size * 3,
		                 0xffff800000000000ull + page_size * 5,
		                 levels == 5 ? 0x00ff000000000000ull : 0x00007f0000000000ull };
	const uint64_t pa = 0x123ull * GB1; /* aligned for every page size */
	const uint32_t flags = PT_WRITE | PT_GLOBAL;
	uint64_t off;
	size_t i;

	for (i = 0; i < sizeof(vas) / sizeof(vas[0]); i++) {
		assert_int_equal(sim_map(sim, vas[i], pa + i * 2 * page_size, 2 * page_size, flags,
		                         page_size),
		                 0);
		assert_int_equal(sim->invalidates + sim->flushes, 0);
		sim_check_tree(sim);
	}
	for (i = 0; i < sizeof(vas) / sizeof(vas[0]); i++) {
		for (off = 0; off < 2 * page_size; off += page_size / 2 + 8)
			expect_mapped(sim, vas[i] + off, pa + i * 2 * page_size + off, flags,
			              page_size);
		expect_unmapped(sim, vas[i] + 2 * page_size);
	}
	for (i = 0; i < sizeof(vas) / sizeof(vas[0]); i++) {
		assert_int_equal(sim_unmap(sim, vas[i], 2 * page_size), 0);
		assert_int_equal(sim->invalidates, 2);
		assert_int_equal(sim->inval_log[0], vas[i]);
		assert_int_equal(sim->inval_log[1], vas[i] + page_size);
		expect_unmapped(sim, vas[i]);
		sim_check_tree(sim);
	}
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

static void test_map_4k_l4(void **state)
{
	check_map_translate_unmap(4, PT_PAGE_4K);
}

static void test_map_2m_l4(void **state)
{
	check_map_translate_unmap(4, PT_PAGE_2M);
}

static void test_map_1g_l4(void **state)
{
	check_map_translate_unmap(4, PT_PAGE_1G);
}

static void test_map_4k_l5(void **state)
{
	check_map_translate_unmap(5, PT_PAGE_4K);
}

static void test_map_2m_l5(void **state)
{
	check_map_translate_unmap(5, PT_PAGE_2M);
}

static void test_map_1g_l5(void **state)
{
	check_map_translate_unmap(5, PT_PAGE_1G);
}

/* The number of tables a fresh mapping needs, and the levels of its leaves. */
static void test_table_counts(void **state)
{
	struct sim *sim = sim_new(4);

	/* 4 KiB pages across a 1 GiB boundary: one PDPT, two PDs, two PTs. */
	assert_int_equal(sim_map(sim, 2 * GB1 - 2 * KB4, 0, 4 * KB4, 0, PT_PAGE_4K), 0);
	assert_int_equal(sim->allocs, 5);
	assert_int_equal(sim->nlive, 6);
	/* A 2 MiB page next to them reuses the PD. */
	assert_int_equal(sim_map(sim, 2 * GB1 + 4 * MB2, 0, MB2, 0, PT_PAGE_2M), 0);
	assert_int_equal(sim->allocs, 0);
	assert_true(*sim_entry(sim, 2 * GB1 + 4 * MB2, 2) & E_PS);
	/* A 1 GiB page is a PDPTE. */
	assert_int_equal(sim_map(sim, 5 * GB1, 0, GB1, 0, PT_PAGE_1G), 0);
	assert_int_equal(sim->allocs, 0);
	assert_true(*sim_entry(sim, 5 * GB1, 3) & E_PS);
	sim_check_tree(sim);
	assert_int_equal(sim_unmap(sim, 0, 8 * GB1), 0);
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

/* -EEXIST for any overlap, with the tables exactly as they were. */
static void test_eexist_changes_nothing(void **state)
{
	struct sim *sim = sim_new(4);
	const uint64_t va = 0x40000000ull;
	struct snap *sn;

	assert_int_equal(sim_map(sim, va + 5 * KB4, 0x5000, KB4, PT_WRITE, PT_PAGE_4K), 0);
	assert_int_equal(sim_map(sim, va + 4 * MB2, 0, MB2, 0, PT_PAGE_2M), 0);
	assert_int_equal(sim_map(sim, 3 * GB1, 0, GB1, 0, PT_PAGE_1G), 0);

	sn = snap_take(sim);
	/* A 2 MiB page over the 4 KiB one. */
	assert_int_equal(sim_map(sim, va, 0, MB2, PT_USER, PT_PAGE_2M), -EEXIST);
	/* A 1 GiB page over both. */
	assert_int_equal(sim_map(sim, GB1, 0, GB1, PT_USER, PT_PAGE_1G), -EEXIST);
	/* 4 KiB pages whose last one hits; the first ones would need no new table. */
	assert_int_equal(sim_map(sim, va, 0, 6 * KB4, PT_USER | PT_EXEC, PT_PAGE_4K), -EEXIST);
	/* A range that starts in empty space, needing tables, and ends on the 2 MiB page. */
	assert_int_equal(
		sim_map(sim, va + 4 * MB2 - KB4, 0, 2 * KB4, PT_WRITE | PT_USER, PT_PAGE_4K),
		-EEXIST);
	/* 4 KiB and 2 MiB pages inside the 1 GiB page. */
	assert_int_equal(sim_map(sim, 3 * GB1 + 7 * KB4, 0, KB4, 0, PT_PAGE_4K), -EEXIST);
	assert_int_equal(sim_map(sim, 3 * GB1 + 7 * MB2, 0, MB2, 0, PT_PAGE_2M), -EEXIST);
	/* The same page again. */
	assert_int_equal(sim_map(sim, va + 5 * KB4, 0x5000, KB4, PT_WRITE, PT_PAGE_4K), -EEXIST);
	assert_int_equal(sim->allocs + sim->frees + sim->invalidates + sim->flushes, 0);
	snap_expect_same(sim, sn);

	expect_mapped(sim, va + 5 * KB4, 0x5000, PT_WRITE, PT_PAGE_4K);
	assert_int_equal(sim_unmap(sim, 0, 4 * GB1), 0);
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

/* Every allocation failure point: -ENOMEM, nothing changed, then success. */
static void check_enomem(int levels, uint64_t va, uint64_t size, uint64_t page_size)
{
	struct sim *sim = sim_new(levels);
	unsigned int need, n;
	struct snap *sn;

	/* A page just below, so some tables exist and some are new. */
	assert_int_equal(sim_map(sim, va - KB4, 0x1000, KB4, 0, PT_PAGE_4K), 0);
	assert_int_equal(sim_map(sim, va, 0, size, PT_WRITE, page_size), 0);
	need = sim->allocs;
	assert_true(need > 0);
	assert_int_equal(sim_unmap(sim, va, size), 0);

	for (n = 0; n < need; n++) {
		sn = snap_take(sim);
		sim->budget = n;
		assert_int_equal(sim_map(sim, va, 0, size, PT_WRITE | PT_EXEC, page_size), -ENOMEM);
		assert_int_equal(sim->allocs, n);
		assert_int_equal(sim->frees, n);
		assert_int_equal(sim->invalidates + sim->flushes, 0);
		snap_expect_same(sim, sn);
		expect_unmapped(sim, va);
		sim_check_tree(sim);
	}
	sim->budget = need;
	assert_int_equal(sim_map(sim, va, 0, size, PT_WRITE | PT_EXEC, page_size), 0);
	sim->budget = -1;
	expect_mapped(sim, va + size - KB4, size - KB4, PT_WRITE | PT_EXEC, page_size);
	assert_int_equal(sim_unmap(sim, va - KB4, size + KB4), 0);
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

static void test_enomem_rollback(void **state)
{
	/* 4 KiB pages across a 512 GiB boundary: new PDPT, PD and PT on one side. */
	check_enomem(4, 512 * GB1 - 3 * KB4, 6 * KB4, PT_PAGE_4K);
	check_enomem(5, 0x0001000000000000ull - 3 * KB4, 6 * KB4, PT_PAGE_4K);
	/* 2 MiB pages across 1 GiB boundaries. */
	check_enomem(4, 7 * GB1 - 2 * MB2, 600 * MB2, PT_PAGE_2M);
	/* 1 GiB pages across a 256 TiB boundary (5-level only): PML4 and PDPTs. */
	check_enomem(5, 0x0001000000000000ull - GB1, 3 * GB1, PT_PAGE_1G);
}

/* A split that cannot get its tables fails without touching the huge page. */
static void test_enomem_split(void **state)
{
	struct sim *sim = sim_new(4);
	struct snap *sn;
	unsigned int n;

	assert_int_equal(sim_map(sim, GB1, 0, GB1, PT_WRITE, PT_PAGE_1G), 0);
	for (n = 0; n < 2; n++) { /* a PD and a PT */
		sn = snap_take(sim);
		sim->budget = n;
		assert_int_equal(sim_unmap(sim, GB1 + 3 * MB2 + KB4, KB4), -ENOMEM);
		assert_int_equal(sim_protect(sim, GB1 + 3 * MB2 + KB4, KB4, 0), -ENOMEM);
		assert_int_equal(sim->invalidates + sim->flushes, 0);
		snap_expect_same(sim, sn);
	}
	sim->budget = -1;
	expect_mapped(sim, GB1 + 3 * MB2 + KB4, 3 * MB2 + KB4, PT_WRITE, PT_PAGE_1G);
	assert_int_equal(sim_unmap(sim, GB1 + 3 * MB2 + KB4, KB4), 0);
	assert_int_equal(sim->allocs, 2);
	assert_int_equal(sim_unmap(sim, GB1, GB1), 0);
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

/* Rights of the table entries (levels 2 to 4) above @va. */
static void expect_table_rights(struct sim *sim, uint64_t va, bool rw, bool us, bool nx)
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

/*
 * A table entry allows the union of what its children need: mapping a user,
 * writable, executable page under kernel-only, read-only, no-execute table
 * entries widens them, and leaves the first page as it was.
 */
static void test_table_rights_union(void **state)
{
	struct sim *sim = sim_new(4);
	const uint64_t va = 0x7f0000000000ull;
	uint64_t leaf;

	assert_int_equal(sim_map(sim, va, 0x10000, KB4, PT_READ, PT_PAGE_4K), 0);
	expect_table_rights(sim, va, false, false, true);
	leaf = *sim_entry(sim, va, 1);
	assert_int_equal(leaf & (E_RW | E_US | E_NX), E_NX);

	assert_int_equal(
		sim_map(sim, va + KB4, 0x20000, KB4, PT_WRITE | PT_USER | PT_EXEC, PT_PAGE_4K), 0);
	expect_table_rights(sim, va, true, true, false);
	assert_int_equal(*sim_entry(sim, va, 1), leaf);
	assert_int_equal(sim->allocs, 0);
	/* The widened entries may be cached: one invalidation (it flushes them all). */
	assert_int_equal(sim->invalidates, 1);
	expect_mapped(sim, va, 0x10000, 0, PT_PAGE_4K);
	expect_mapped(sim, va + KB4, 0x20000, PT_WRITE | PT_USER | PT_EXEC, PT_PAGE_4K);

	/* Under the same PML4 entry, a new PDPTE gets only what its page needs. */
	assert_int_equal(sim_map(sim, va + GB1, 0, MB2, PT_WRITE, PT_PAGE_2M), 0);
	assert_int_equal(*sim_entry(sim, va + GB1, 4) & (E_RW | E_US | E_NX), E_RW | E_US);
	assert_int_equal(*sim_entry(sim, va + GB1, 3) & (E_RW | E_US | E_NX), E_RW | E_NX);
	/* Already wide enough: nothing to invalidate. */
	assert_int_equal(sim->invalidates, 0);

	/* Under another PML4 entry, a kernel read-only page: narrow tables. */
	assert_int_equal(sim_map(sim, 0xffff800000000000ull, 0, KB4, PT_GLOBAL, PT_PAGE_4K), 0);
	expect_table_rights(sim, 0xffff800000000000ull, false, false, true);

	/* Protect widens too. */
	assert_int_equal(sim_protect(sim, 0xffff800000000000ull, KB4, PT_WRITE | PT_EXEC), 0);
	expect_table_rights(sim, 0xffff800000000000ull, true, false, false);
	expect_mapped(sim, 0xffff800000000000ull, 0, PT_WRITE | PT_EXEC, PT_PAGE_4K);
	assert_int_equal(sim->invalidates, 1);

	/* pt_translate() reports what the whole walk allows (SDM Vol. 3A, 5.6). */
	*sim_entry(sim, va, 2) &= ~E_RW;
	*sim_entry(sim, va, 3) |= E_NX;
	expect_mapped(sim, va + KB4, 0x20000, PT_USER, PT_PAGE_4K);
	*sim_entry(sim, va, 4) &= ~E_US;
	expect_mapped(sim, va + KB4, 0x20000, 0, PT_PAGE_4K);

	assert_int_equal(sim_unmap(sim, va, 2 * GB1), 0);
	assert_int_equal(sim_unmap(sim, 0xffff800000000000ull, KB4), 0);
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

/* Ranges that end at 2^64 - 1: inclusive ends, nothing overflows. */
static void check_top_of_range(int levels)
{
	struct sim *sim = sim_new(levels);
	uint64_t pa = 0, size = 0;

	assert_int_equal(
		sim_map(sim, 0xffffffffffe00000ull, 0x40000000ull, 0x200000, PT_WRITE, PT_PAGE_2M),
		0);
	assert_int_equal(pt_translate(&sim->space, 0xffffffffffffffffull, &pa, NULL, &size), 0);
	assert_int_equal(pa, 0x401fffffull);
	assert_int_equal(size, MB2);
	expect_unmapped(sim, 0xffffffffffdff000ull);
	/* One past the end would wrap. */
	assert_int_equal(sim_map(sim, 0xffffffffffe00000ull, 0, 0x400000, 0, PT_PAGE_2M), -EINVAL);
	assert_int_equal(sim_unmap(sim, 0xffffffffffe00000ull, 0x400000), -EINVAL);
	assert_int_equal(sim_unmap(sim, 0xfffffffffffff000ull, 0x2000), -EINVAL);
	/* Unmapping the last page splits the 2 MiB page. */
	assert_int_equal(sim_unmap(sim, 0xfffffffffffff000ull, KB4), 0);
	assert_int_equal(sim->invalidates, 1);
	assert_int_equal(sim->inval_log[0], 0xfffffffffffff000ull);
	expect_unmapped(sim, 0xffffffffffffffffull);
	expect_mapped(sim, 0xffffffffffffe000ull, 0x401fe000ull, PT_WRITE, PT_PAGE_4K);
	assert_int_equal(sim_protect(sim, 0xffffffffffe00000ull, 0x200000, PT_EXEC), 0);
	expect_mapped(sim, 0xffffffffffe00000ull, 0x40000000ull, PT_EXEC, PT_PAGE_4K);
	assert_int_equal(sim_unmap(sim, 0xffffffffffe00000ull, 0x200000), 0);
	assert_int_equal(sim->nlive, 1);

	/* 4 KiB pages up to the top, then the last 1 GiB. */
	assert_int_equal(sim_map(sim, 0xffffffffffffc000ull, 0x8000, 0x4000, 0, PT_PAGE_4K), 0);
	expect_mapped(sim, 0xffffffffffffffffull, 0xbfffull, 0, PT_PAGE_4K);
	assert_int_equal(sim_unmap(sim, 0xffffffffffffc000ull, 0x4000), 0);
	assert_int_equal(sim_map(sim, 0xffffffffc0000000ull, 0, GB1, PT_USER, PT_PAGE_1G), 0);
	expect_mapped(sim, 0xfffffffffffffff8ull, 0x3ffffff8ull, PT_USER, PT_PAGE_1G);
	assert_int_equal(sim_unmap(sim, 0xffffffffffffe000ull, 0x2000), 0);
	expect_mapped(sim, 0xffffffffffffd000ull, 0x3fffd000ull, PT_USER, PT_PAGE_4K);
	expect_mapped(sim, 0xffffffffffc00000ull, 0x3fc00000ull, PT_USER, PT_PAGE_2M);
	expect_mapped(sim, 0xffffffffc0000000ull, 0, PT_USER, PT_PAGE_2M);
	assert_int_equal(sim_unmap(sim, 0xffffffffc0000000ull, GB1), 0);
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

static void test_top_of_range_l4(void **state)
{
	check_top_of_range(4);
}

static void test_top_of_range_l5(void **state)
{
	check_top_of_range(5);
}

/* Arguments that are refused before anything is looked at. */
static void test_rejects(void **state)
{
	struct sim *sim4 = sim_new(4), *sim5 = sim_new(5);
	struct pt_space bad;

	/* Non-canonical for 4 levels, fine for 5. */
	assert_int_equal(sim_map(sim4, 0x0000800000000000ull, 0, KB4, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim4, 0xffff7ffffffff000ull, 0, KB4, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim4, 0x00007ffffffff000ull, 0, 2 * KB4, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim5, 0x0000800000000000ull, 0, KB4, 0, PT_PAGE_4K), 0);
	assert_int_equal(sim_map(sim5, 0xff7ffffffffff000ull, 0, KB4, 0, PT_PAGE_4K), 0);
	assert_int_equal(sim_map(sim5, 0x0100000000000000ull, 0, KB4, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim5, 0xfeffffffffe00000ull, 0, MB2, 0, PT_PAGE_2M), -EINVAL);
	/* Both ends canonical but the range crosses the hole. */
	assert_int_equal(sim_map(sim4, 0x00007ffffffff000ull, 0,
	                         0xffff800000001000ull - 0x00007ffffffff000ull, 0, PT_PAGE_4K),
	                 -EINVAL);
	assert_int_equal(sim_unmap(sim4, 0x00007ffffffff000ull,
	                           0xffff800000001000ull - 0x00007ffffffff000ull),
	                 -EINVAL);
	/* Misaligned va, pa or size; zero size; wrapping. */
	assert_int_equal(sim_map(sim4, 0x1800, 0, KB4, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim4, 0x1000, 0x800, KB4, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim4, 0x1000, 0, 0x1800, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim4, MB2 + KB4, 0, MB2, 0, PT_PAGE_2M), -EINVAL);
	assert_int_equal(sim_map(sim4, MB2, KB4, MB2, 0, PT_PAGE_2M), -EINVAL);
	assert_int_equal(sim_map(sim4, MB2, 0, MB2 + KB4, 0, PT_PAGE_2M), -EINVAL);
	assert_int_equal(sim_map(sim4, GB1, MB2, GB1, 0, PT_PAGE_1G), -EINVAL);
	assert_int_equal(sim_map(sim4, 0x1000, 0, 0, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim4, 0xfffffffffffff000ull, 0, 0x2000, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim4, 0x2000, 0, 0xfffffffffffff000ull, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_unmap(sim4, 0x2000, 0xfffffffffffff000ull), -EINVAL);
	/* Page sizes the hardware does not have, unknown flags. */
	assert_int_equal(sim_map(sim4, 0, 0, 0x8000, 0, 0x8000), -EINVAL);
	assert_int_equal(sim_map(sim4, 0, 0, 512 * GB1, 0, 512 * GB1), -EINVAL);
	assert_int_equal(sim_map(sim4, 0, 0, KB4, 0, 0), -EINVAL);
	assert_int_equal(sim_map(sim4, 0, 0, KB4, 0x80000000u, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim4, 0, 0, KB4, 1u << 10, PT_PAGE_4K), -EINVAL);
	/* Physical addresses past 2^52, or wrapping. */
	assert_int_equal(sim_map(sim4, 0, 1ull << 52, KB4, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim4, 0, (1ull << 52) - KB4, 2 * KB4, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim4, 0, 0xfffffffffffff000ull, 2 * KB4, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(sim_map(sim4, 0, (1ull << 52) - KB4, KB4, 0, PT_PAGE_4K), 0);
	expect_mapped(sim4, 0xfff, (1ull << 52) - 1, 0, PT_PAGE_4K);
	/* Unmap and protect: 4 KiB granularity, canonical, known flags. */
	assert_int_equal(sim_unmap(sim4, 0x800, KB4), -EINVAL);
	assert_int_equal(sim_unmap(sim4, 0, 0x800), -EINVAL);
	assert_int_equal(sim_unmap(sim4, 0, 0), -EINVAL);
	assert_int_equal(sim_unmap(sim4, 0x0000800000000000ull, KB4), -EINVAL);
	assert_int_equal(sim_protect(sim4, 0, KB4, 1u << 20), -EINVAL);
	assert_int_equal(sim_protect(sim4, 0xfffffffffffff000ull, 0x2000, 0), -EINVAL);
	/* Translate: non-canonical or unmapped addresses are simply not mapped. */
	assert_int_equal(pt_translate(&sim4->space, 0x0000800000000000ull, NULL, NULL, NULL),
	                 -ENOENT);
	assert_int_equal(pt_translate(&sim4->space, 0x5000, NULL, NULL, NULL), -ENOENT);
	/* A malformed space. */
	bad = sim4->space;
	bad.levels = 3;
	assert_int_equal(pt_map(&bad, 0, 0, KB4, 0, PT_PAGE_4K), -EINVAL);
	assert_int_equal(pt_unmap(&bad, 0, KB4), -EINVAL);
	assert_int_equal(pt_translate(&bad, 0, NULL, NULL, NULL), -EINVAL);
	bad.levels = 4;
	bad.root = 0x1800;
	assert_int_equal(pt_protect(&bad, 0, KB4, 0), -EINVAL);
	assert_int_equal(pt_map(NULL, 0, 0, KB4, 0, PT_PAGE_4K), -EINVAL);
	assert_false(pt_canonical(6, 0));
	assert_true(pt_canonical(4, 0xffff800000000000ull));
	assert_false(pt_canonical(4, 0xfeff800000000000ull));

	sim_check_tree(sim4);
	assert_int_equal(sim_unmap(sim4, 0, KB4), 0);
	assert_int_equal(sim_unmap(sim5, 0x0000800000000000ull, KB4), 0);
	assert_int_equal(sim_unmap(sim5, 0xff7ffffffffff000ull, KB4), 0);
	assert_int_equal(sim4->nlive + sim5->nlive, 2);
	sim_free(sim4);
	sim_free(sim5);
}

/* Unmapping part of a 2 MiB page keeps the rest, in 4 KiB pages with its flags. */
static void test_split_2m(void **state)
{
	struct sim *sim = sim_new(4);
	const uint64_t va = 0xffffc00000200000ull, pa = 0x80000000ull;
	const uint32_t flags = PT_WRITE | PT_GLOBAL | PT_CACHE_WC;
	uint64_t off, pte;

	assert_int_equal(sim_map(sim, va, pa, MB2, flags, PT_PAGE_2M), 0);
	assert_int_equal(sim->nlive, 3);
	assert_int_equal(sim_unmap(sim, va + 5 * KB4, KB4), 0);
	assert_int_equal(sim->allocs, 1);
	assert_int_equal(sim->invalidates, 1);
	assert_int_equal(sim->inval_log[0], va + 5 * KB4);
	assert_int_equal(sim->nlive, 4);
	for (off = 0; off < MB2; off += KB4) {
		if (off == 5 * KB4)
			expect_unmapped(sim, va + off);
		else
			expect_mapped(sim, va + off + 0x10, pa + off + 0x10, flags, PT_PAGE_4K);
	}
	/* The PAT bit moved from bit 12 to bit 7; PS is gone. */
	pte = *sim_entry(sim, va, 1);
	assert_int_equal(pte & ~E_ADDR, E_P | E_RW | E_PCD | E_PAT4K | E_G | E_NX);
	assert_int_equal(pte & E_ADDR, pa);
	assert_int_equal(*sim_entry(sim, va, 2) & ~E_ADDR, E_P | E_RW | E_NX);
	sim_check_tree(sim);
	assert_int_equal(sim_unmap(sim, va, MB2), 0);
	assert_int_equal(sim->flushes, 1); /* 511 pages */
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

/* Unmapping part of a 1 GiB page: only the 2 MiB pieces it touches are split. */
static void test_split_1g(void **state)
{
	struct sim *sim = sim_new(5);
	const uint64_t va = 0x0000400000000000ull, pa = 0x7ull * GB1;
	const uint32_t flags = PT_USER | PT_EXEC | PT_CACHE_UC;
	uint64_t off;

	assert_int_equal(sim_map(sim, va, pa, GB1, flags, PT_PAGE_1G), 0);
	/* A whole 2 MiB piece: a PD and no PT. */
	assert_int_equal(sim_unmap(sim, va + 6 * MB2, MB2), 0);
	assert_int_equal(sim->allocs, 1);
	assert_int_equal(sim->invalidates, 1);
	expect_unmapped(sim, va + 6 * MB2 + 0x1234);
	/* Two pages straddling two pieces: two PTs. */
	assert_int_equal(sim_unmap(sim, va + 10 * MB2 - KB4, 2 * KB4), 0);
	assert_int_equal(sim->allocs, 2);
	for (off = 0; off < GB1; off += MB2 / 2) {
		if (off / MB2 == 6)
			expect_unmapped(sim, va + off + 0x3000);
		else if (off / MB2 == 9 || off / MB2 == 10)
			expect_mapped(sim, va + off + 0x3000, pa + off + 0x3000, flags, PT_PAGE_4K);
		else
			expect_mapped(sim, va + off + 0x3000, pa + off + 0x3000, flags, PT_PAGE_2M);
	}
	expect_unmapped(sim, va + 10 * MB2 - KB4);
	expect_unmapped(sim, va + 10 * MB2);
	expect_mapped(sim, va + 10 * MB2 - 2 * KB4, pa + 10 * MB2 - 2 * KB4, flags, PT_PAGE_4K);
	expect_mapped(sim, va + 10 * MB2 + KB4, pa + 10 * MB2 + KB4, flags, PT_PAGE_4K);
	/* Split 2 MiB pieces keep the large-page PAT encoding until split again. */
	assert_int_equal(*sim_entry(sim, va, 2) & ~E_ADDR, E_P | E_US | E_PWT | E_PCD | E_PS);
	/* One 4 KiB page in one go: a PD and a PT. */
	assert_int_equal(sim_map(sim, va + GB1, pa + GB1, GB1, flags, PT_PAGE_1G), 0);
	assert_int_equal(sim_unmap(sim, va + GB1 + 3 * MB2 + 7 * KB4, KB4), 0);
	assert_int_equal(sim->allocs, 2);
	expect_mapped(sim, va + GB1 + 3 * MB2, pa + GB1 + 3 * MB2, flags, PT_PAGE_4K);
	expect_mapped(sim, va + GB1 + 4 * MB2, pa + GB1 + 4 * MB2, flags, PT_PAGE_2M);
	sim_check_tree(sim);
	assert_int_equal(sim_unmap(sim, va, 2 * GB1), 0);
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

/* pt_protect() on 4 KiB pages, with holes, on whole and on partial huge pages. */
static void test_protect(void **state)
{
	struct sim *sim = sim_new(4);
	const uint64_t va = 0x10000000ull, pa = 0x300000ull;
	const uint32_t rw = PT_WRITE | PT_USER | PT_EXEC | PT_CACHE_WT;
	unsigned int i, live;

	assert_int_equal(sim_map(sim, va, pa, 4 * KB4, 0, PT_PAGE_4K), 0);
	assert_int_equal(sim_map(sim, va + 8 * KB4, pa + 8 * KB4, 8 * KB4, 0, PT_PAGE_4K), 0);
	/* Pages 0-3 and 8-15 mapped, 4-7 a hole. */
	assert_int_equal(sim_protect(sim, va + 2 * KB4, 8 * KB4, rw), 0);
	assert_int_equal(sim->invalidates, 4);
	assert_int_equal(sim->inval_log[0], va + 2 * KB4);
	assert_int_equal(sim->inval_log[1], va + 3 * KB4);
	assert_int_equal(sim->inval_log[2], va + 8 * KB4);
	assert_int_equal(sim->inval_log[3], va + 9 * KB4);
	for (i = 0; i < 16; i++) {
		if (i >= 4 && i < 8)
			expect_unmapped(sim, va + i * KB4);
		else if (i >= 2 && i < 10)
			expect_mapped(sim, va + i * KB4, pa + i * KB4, rw, PT_PAGE_4K);
		else
			expect_mapped(sim, va + i * KB4, pa + i * KB4, 0, PT_PAGE_4K);
	}
	expect_table_rights(sim, va, true, true, false);
	/* The same flags again: nothing to do. */
	assert_int_equal(sim_protect(sim, va + 2 * KB4, 2 * KB4, rw | PT_READ), 0);
	assert_int_equal(sim->invalidates + sim->flushes, 0);
	/* A whole 2 MiB page: no split. */
	assert_int_equal(sim_map(sim, va + MB2, 0, MB2, PT_WRITE, PT_PAGE_2M), 0);
	live = sim->nlive;
	assert_int_equal(sim_protect(sim, va + MB2, MB2, PT_GLOBAL), 0);
	assert_int_equal(sim->nlive, live);
	assert_int_equal(sim->invalidates, 1);
	expect_mapped(sim, va + MB2 + KB4, KB4, PT_GLOBAL, PT_PAGE_2M);
	/* Part of it, to the same flags: no split. */
	assert_int_equal(sim_protect(sim, va + MB2 + KB4, KB4, PT_GLOBAL), 0);
	assert_int_equal(sim->nlive, live);
	assert_int_equal(sim->invalidates + sim->allocs, 0);
	/* Part of it, to new flags: split, the rest keeps the old flags. */
	assert_int_equal(sim_protect(sim, va + MB2 + KB4, KB4, PT_CACHE_UC), 0);
	assert_int_equal(sim->nlive, live + 1);
	assert_int_equal(sim->invalidates, 1);
	expect_mapped(sim, va + MB2, 0, PT_GLOBAL, PT_PAGE_4K);
	expect_mapped(sim, va + MB2 + KB4, KB4, PT_CACHE_UC, PT_PAGE_4K);
	expect_mapped(sim, va + 2 * MB2 - KB4, MB2 - KB4, PT_GLOBAL, PT_PAGE_4K);
	/* Protecting a hole changes nothing. */
	assert_int_equal(sim_protect(sim, 0x7f0000000000ull, GB1, PT_WRITE), 0);
	assert_int_equal(sim->allocs + sim->invalidates + sim->flushes, 0);
	sim_check_tree(sim);
	assert_int_equal(sim_unmap(sim, va, 2 * MB2), 0);
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

/* One invalidate per page up to PT_INVAL_MAX, one flush_all past it. */
static void test_invalidate_threshold(void **state)
{
	struct sim *sim = sim_new(4);
	const uint64_t va = 0xffff900000000000ull;
	unsigned int i;

	assert_int_equal(sim_map(sim, va, 0, 128 * KB4, PT_WRITE, PT_PAGE_4K), 0);
	assert_int_equal(sim->invalidates + sim->flushes, 0);
	assert_int_equal(sim_unmap(sim, va, 10 * KB4), 0);
	assert_int_equal(sim->invalidates, 10);
	assert_int_equal(sim->flushes, 0);
	for (i = 0; i < 10; i++)
		assert_int_equal(sim->inval_log[i], va + i * KB4);
	assert_int_equal(sim_unmap(sim, va + 10 * KB4, PT_INVAL_MAX * KB4), 0);
	assert_int_equal(sim->invalidates, PT_INVAL_MAX);
	assert_int_equal(sim->flushes, 0);
	assert_int_equal(sim_protect(sim, va, 128 * KB4, PT_EXEC), 0);
	assert_int_equal(sim->invalidates, 0);
	assert_int_equal(sim->flushes, 1);
	assert_int_equal(sim_unmap(sim, va + 42 * KB4, (PT_INVAL_MAX + 1) * KB4), 0);
	assert_int_equal(sim->invalidates, 0);
	assert_int_equal(sim->flushes, 1);
	/* Holes do not count: of pages 0-99, only 75-99 are still mapped. */
	assert_int_equal(sim_unmap(sim, va, 100 * KB4), 0);
	assert_int_equal(sim->invalidates, 25);
	assert_int_equal(sim->flushes, 0);
	/* A huge page is one page. */
	assert_int_equal(sim_map(sim, va + GB1, 0, 40 * MB2, 0, PT_PAGE_2M), 0);
	assert_int_equal(sim_unmap(sim, va + GB1, 2 * MB2), 0);
	assert_int_equal(sim->invalidates, 2);
	assert_int_equal(sim->inval_log[0], va + GB1);
	assert_int_equal(sim->inval_log[1], va + GB1 + MB2);
	assert_int_equal(sim_unmap(sim, va, 2 * GB1), 0);
	assert_int_equal(sim->flushes, 1);
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

/* PAT:PCD:PWT for each cache mode, for the PAT layout of PT_X86_PAT_VALUE. */
static const struct {
	uint32_t mode;
	unsigned int index;    /* PAT entry */
	unsigned int encoding; /* memory type in IA32_PAT */
} cache_modes[] = {
	{ PT_CACHE_WB, 0, 0x06 },
	{ PT_CACHE_WT, 1, 0x04 },
	{ PT_CACHE_UC, 3, 0x00 },
	{ PT_CACHE_WC, 6, 0x01 },
};

static uint64_t pat_bits(unsigned int index, uint64_t pat_bit)
{
	return (index & 1 ? E_PWT : 0) | (index & 2 ? E_PCD : 0) | (index & 4 ? pat_bit : 0);
}

/* Cache modes land in PWT, PCD and the PAT bit: bit 7 for 4 KiB pages, 12 for large ones. */
static void test_cache_bits(void **state)
{
	struct sim *sim = sim_new(4);
	const uint64_t va = 0x200000000ull;
	unsigned int i;
	uint32_t flags;
	uint64_t e;

	for (i = 0; i < sizeof(cache_modes) / sizeof(cache_modes[0]); i++) {
		flags = cache_modes[i].mode | PT_WRITE;
		assert_int_equal((PT_X86_PAT_VALUE >> (8 * cache_modes[i].index)) & 0xff,
		                 cache_modes[i].encoding);
		assert_int_equal(sim_map(sim, va + i * KB4, 0x1000, KB4, flags, PT_PAGE_4K), 0);
		e = *sim_entry(sim, va + i * KB4, 1);
		assert_int_equal(e & ~E_ADDR,
		                 E_P | E_RW | E_NX | pat_bits(cache_modes[i].index, E_PAT4K));
		expect_mapped(sim, va + i * KB4, 0x1000, flags, PT_PAGE_4K);

		assert_int_equal(sim_map(sim, va + (i + 1) * MB2, MB2, MB2, flags, PT_PAGE_2M), 0);
		e = *sim_entry(sim, va + (i + 1) * MB2, 2);
		assert_int_equal(e & ~E_ADDR,
		                 E_P | E_RW | E_NX | E_PS |
		                         (pat_bits(cache_modes[i].index, E_PATBIG) & ~E_PATBIG));
		assert_int_equal(e & (E_PATBIG | E_ADDR),
		                 MB2 | (pat_bits(cache_modes[i].index, E_PATBIG) & E_PATBIG));
		expect_mapped(sim, va + (i + 1) * MB2, MB2, flags, PT_PAGE_2M);

		assert_int_equal(sim_map(sim, (i + 16) * GB1, GB1, GB1, flags, PT_PAGE_1G), 0);
		e = *sim_entry(sim, (i + 16) * GB1, 3);
		assert_int_equal(e, GB1 | E_P | E_RW | E_NX | E_PS |
		                            pat_bits(cache_modes[i].index, E_PATBIG));
		expect_mapped(sim, (i + 16) * GB1 + 0x1234, GB1 + 0x1234, flags, PT_PAGE_1G);
	}
	/* The PAT entries no mode is written with read back by their memory type. */
	*sim_entry(sim, va, 1) = 0x1000 | E_P | E_NX | pat_bits(2, E_PAT4K); /* UC- */
	expect_mapped(sim, va, 0x1000, PT_CACHE_UC, PT_PAGE_4K);
	*sim_entry(sim, va, 1) = 0x1000 | E_P | E_NX | pat_bits(4, E_PAT4K);
	expect_mapped(sim, va, 0x1000, PT_CACHE_WB, PT_PAGE_4K);
	*sim_entry(sim, va, 1) = 0x1000 | E_P | E_NX | pat_bits(5, E_PAT4K);
	expect_mapped(sim, va, 0x1000, PT_CACHE_WT, PT_PAGE_4K);
	*sim_entry(sim, va, 1) = 0x1000 | E_P | E_NX | pat_bits(7, E_PAT4K);
	expect_mapped(sim, va, 0x1000, PT_CACHE_UC, PT_PAGE_4K);
	/* Bits the code does not model (A, D, AVL, protection key) survive protect. */
	*sim_entry(sim, va, 1) =
		0x1000 | E_P | (1ull << 5) | (1ull << 6) | (1ull << 9) | (5ull << 59);
	assert_int_equal(sim_protect(sim, va, KB4, PT_USER | PT_CACHE_WC), 0);
	assert_int_equal(*sim_entry(sim, va, 1), 0x1000 | E_P | (1ull << 5) | (1ull << 6) |
	                                                 (1ull << 9) | (5ull << 59) | E_US | E_NX |
	                                                 pat_bits(6, E_PAT4K));
	expect_mapped(sim, va, 0x1000, PT_USER | PT_CACHE_WC, PT_PAGE_4K);
	/* Leaf rights and the global bit. */
	assert_int_equal(
		sim_map(sim, va + 64 * KB4, 0, KB4, PT_USER | PT_EXEC | PT_GLOBAL, PT_PAGE_4K), 0);
	assert_int_equal(*sim_entry(sim, va + 64 * KB4, 1), E_P | E_US | E_G);
	sim_check_tree(sim);
	assert_int_equal(sim_unmap(sim, 0, 32 * GB1), 0);
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

/*
 * A table left linked with nothing mapped under it is no obstacle to a large
 * page: it is freed, after the invalidation its cached copies need.
 */
static void test_reclaim_empty_table(void **state)
{
	struct sim *sim = sim_new(4);
	const uint64_t va = 0x4000000000ull;

	assert_int_equal(sim_map(sim, va + 4 * KB4, 0, KB4, 0, PT_PAGE_4K), 0);
	assert_int_equal(sim_map(sim, va + 8 * MB2, 0, KB4, 0, PT_PAGE_4K), 0);
	assert_int_equal(sim->nlive, 5);
	*sim_entry(sim, va + 4 * KB4, 1) = 0; /* an empty PT, as someone else might leave */
	*sim_entry(sim, va + 8 * MB2, 1) = 0;
	/* An empty PD with an empty PT under it, linked from the PDPT. */
	assert_int_equal(sim_map(sim, va + GB1, 0, KB4, 0, PT_PAGE_4K), 0);
	*sim_entry(sim, va + GB1, 1) = 0;
	assert_int_equal(sim->nlive, 7);

	assert_int_equal(sim_map(sim, va, 0, 2 * MB2, PT_WRITE, PT_PAGE_2M), 0);
	assert_int_equal(sim->frees, 1);
	assert_int_equal(sim->invalidates, 1);
	assert_int_equal(sim_map(sim, va + GB1, 0, GB1, 0, PT_PAGE_1G), 0);
	assert_int_equal(sim->frees, 2);
	assert_int_equal(sim->invalidates, 1);
	expect_mapped(sim, va + 0x1234, 0x1234, PT_WRITE, PT_PAGE_2M);
	expect_mapped(sim, va + GB1 + 0x1234, 0x1234, 0, PT_PAGE_1G);
	assert_int_equal(sim->nlive, 4);
	/* The remaining empty PT still takes 4 KiB pages. */
	assert_int_equal(sim_map(sim, va + 8 * MB2 + KB4, 0, KB4, 0, PT_PAGE_4K), 0);
	assert_int_equal(sim->allocs, 0);
	sim_check_tree(sim);
	assert_int_equal(sim_unmap(sim, va, 2 * GB1), 0);
	assert_int_equal(sim->nlive, 1);
	sim_free(sim);
}

/*
 * Random map, unmap and protect sequences over a 4 GiB window, checked
 * against a shadow model that knows, per 4 KiB page, its frame, flags and the
 * size of the page holding it, including how huge pages split.
 */
#define WIN_SIZE  (4 * GB1)
#define WIN_PAGES (WIN_SIZE / KB4)

struct shadow_page {
	uint64_t pa;    /* frame of this 4 KiB page */
	uint32_t flags; /* 0 if unmapped, else with PT_READ */
	uint8_t shift;  /* log2 of the size of the page holding it */
};

struct model {
	struct sim *sim;
	uint64_t base; /* first address of the window, 1 GiB-aligned */
	uint64_t rng;
	struct shadow_page *pg;
};

static uint64_t rnd(struct model *m)
{
	/* xorshift64* */
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return m->rng * 0x2545f4914f6cdd1dull;
}

static uint64_t rnd_below(struct model *m, uint64_t n)
{
	return rnd(m) % n;
}

static uint32_t rnd_flags(struct model *m)
{
	return ((uint32_t)rnd(m) & (PT_WRITE | PT_EXEC | PT_USER | PT_GLOBAL)) |
	       (uint32_t)rnd_below(m, 4) << PT_CACHE_SHIFT;
}

static void model_verify(struct model *m, uint64_t first, uint64_t last)
{
	const struct shadow_page *sp;
	uint64_t p;

	for (p = first; p <= last; p++) {
		sp = &m->pg[p];
		if (!sp->flags)
			expect_unmapped(m->sim, m->base + p * KB4);
		else
			expect_mapped(m->sim, m->base + p * KB4 + (p & 0xff), sp->pa + (p & 0xff),
			              sp->flags, 1ull << sp->shift);
	}
}

static void model_map(struct model *m)
{
	static const uint8_t shifts[] = { 12, 12, 12, 12, 12, 12, 21, 21, 21, 30 };
	unsigned int shift = shifts[rnd_below(m, sizeof(shifts))];
	uint64_t count = 1 + rnd_below(m, shift == 12 ? 64 : shift == 21 ? 6 : 2);
	uint64_t slot = rnd_below(m, (WIN_SIZE >> shift) - count + 1);
	uint64_t pa = rnd_below(m, 1ull << (40 - shift)) << shift;
	uint64_t first = (slot << shift) / KB4, n = (count << shift) / KB4, p;
	uint32_t flags = rnd_flags(m);
	bool busy = false;
	int err;

	for (p = first; p < first + n && !busy; p++)
		busy = m->pg[p].flags != 0;
	err = sim_map(m->sim, m->base + first * KB4, pa, n * KB4, flags, 1ull << shift);
	assert_int_equal(err, busy ? -EEXIST : 0);
	for (p = first; !busy && p < first + n; p++)
		m->pg[p] = (struct shadow_page){ pa + (p - first) * KB4, flags | PT_READ,
			                         (uint8_t)shift };
	if (n <= 4096)
		model_verify(m, first, first + n - 1);
}

/* Size after splitting of page @q of a 2^@shift page that [@a, @b] covers in part. */
static uint8_t split_shift(uint64_t q, unsigned int shift, uint64_t a, uint64_t b)
{
	uint64_t lo, hi;
	unsigned int s;

	for (s = shift - 9; s > 12; s -= 9) {
		lo = q & ~((1ull << (s - 12)) - 1);
		hi = lo + (1ull << (s - 12)) - 1;
		if ((lo >= a && hi <= b) || hi < a || lo > b)
			return (uint8_t)s;
	}
	return 12;
}

/* Apply an unmap or protect of pages [@a, @b] to the shadow. */
static void shadow_change(struct model *m, uint64_t a, uint64_t b, bool unmap, uint32_t flags)
{
	uint64_t p = a, lead, n, q;
	struct shadow_page *sp;
	unsigned int shift;
	bool whole;

	while (p <= b) {
		if (!m->pg[p].flags) {
			p++;
			continue;
		}
		shift = m->pg[p].shift;
		n = 1ull << (shift - 12);
		lead = p & ~(n - 1);
		p = lead + n;
		if (!unmap && m->pg[lead].flags == flags)
			continue; /* unchanged: not split either */
		whole = lead >= a && lead + n - 1 <= b;
		for (q = lead; q < lead + n; q++) {
			sp = &m->pg[q];
			if (!whole)
				sp->shift = split_shift(q, shift, a, b);
			if (q >= a && q <= b)
				sp->flags = unmap ? 0 : flags;
		}
	}
}

static void model_change(struct model *m, bool unmap)
{
	uint64_t first, n;
	uint32_t flags = rnd_flags(m) | PT_READ;

	switch (rnd_below(m, 10)) {
	case 0:
	case 1:
	case 2:
	case 3:
		first = rnd_below(m, WIN_PAGES);
		n = 1 + rnd_below(m, 64);
		break;
	case 4:
	case 5:
	case 6:
		first = rnd_below(m, WIN_PAGES);
		n = 1 + rnd_below(m, 2048);
		break;
	case 7:
	case 8:
		first = rnd_below(m, WIN_PAGES / 512) * 512 + rnd_below(m, 3) - 1;
		n = 1 + rnd_below(m, 3 * 512);
		break;
	default:
		first = rnd_below(m, 4) * (GB1 / KB4);
		n = (1 + rnd_below(m, 4)) * (GB1 / KB4);
		break;
	}
	first %= WIN_PAGES;
	if (n > WIN_PAGES - first)
		n = WIN_PAGES - first;
	if (unmap)
		assert_int_equal(sim_unmap(m->sim, m->base + first * KB4, n * KB4), 0);
	else
		assert_int_equal(sim_protect(m->sim, m->base + first * KB4, n * KB4, flags), 0);
	shadow_change(m, first, first + n - 1, unmap, flags);
	if (n <= 4096)
		model_verify(m, first ? first - 1 : 0, first + n < WIN_PAGES ? first + n : first);
}

static void check_random(int levels, uint64_t base, uint64_t seed, unsigned int steps)
{
	struct model m = { .base = base, .rng = seed };
	unsigned int step;
	uint64_t op;

	m.sim = sim_new(levels);
	m.sim->check_frees = false;
	m.pg = calloc(WIN_PAGES, sizeof(*m.pg));
	assert_non_null(m.pg);
	for (step = 1; step <= steps; step++) {
		op = rnd_below(&m, 10);
		if (op < 5)
			model_map(&m);
		else
			model_change(&m, op < 8);
		if (step % 50 == 0) {
			model_verify(&m, 0, WIN_PAGES - 1);
			sim_check_tree(m.sim);
		}
	}
	model_verify(&m, 0, WIN_PAGES - 1);
	sim_check_tree(m.sim);
	assert_int_equal(sim_unmap(m.sim, base, WIN_SIZE), 0);
	assert_int_equal(m.sim->nlive, 1);
	free(m.pg);
	sim_free(m.sim);
}

static void test_random_l4_low(void **state)
{
	check_random(4, 0x00007fff00000000ull, 0x9e3779b97f4a7c15ull, 400);
}

static void test_random_l4_top(void **state)
{
	check_random(4, 0xffffffff00000000ull, 0x1234567887654321ull, 400);
}

static void test_random_l5_top(void **state)
{
	check_random(5, 0xffffffff00000000ull, 0x0badc0ffee0ddf00ull, 400);
}

static void test_random_l5_mid(void **state)
{
	check_random(5, 0x00ffffff00000000ull, 0x5eed5eed5eed5eedull, 400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_4k_l4),
		cmocka_unit_test(test_map_2m_l4),
		cmocka_unit_test(test_map_1g_l4),
		cmocka_unit_test(test_map_4k_l5),
		cmocka_unit_test(test_map_2m_l5),
		cmocka_unit_test(test_map_1g_l5),
		cmocka_unit_test(test_table_counts),
		cmocka_unit_test(test_eexist_changes_nothing),
		cmocka_unit_test(test_enomem_rollback),
		cmocka_unit_test(test_enomem_split),
		cmocka_unit_test(test_table_rights_union),
		cmocka_unit_test(test_top_of_range_l4),
		cmocka_unit_test(test_top_of_range_l5),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_split_2m),
		cmocka_unit_test(test_split_1g),
		cmocka_unit_test(test_protect),
		cmocka_unit_test(test_invalidate_threshold),
		cmocka_unit_test(test_cache_bits),
		cmocka_unit_test(test_reclaim_empty_table),
		cmocka_unit_test(test_random_l4_low),
		cmocka_unit_test(test_random_l4_top),
		cmocka_unit_test(test_random_l5_top),
		cmocka_unit_test(test_random_l5_mid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
