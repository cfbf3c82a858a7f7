/* SPDX-License-Identifier: MIT */
/*
 * The kernel's first page tables, built by either loader while it still
 * runs identity-mapped: the direct map of physical memory (plus its lower
 * half alias for the hand-over), the kernel image with per-segment
 * permissions, and the boot stack with a guard page. With 5-level paging
 * (LA57) the same layout hangs below a PML5, and the direct map moves to
 * CAIRN_DIRECT_MAP_5LEVEL.
 */
#include "boot/common/internal.h"
#include "boot/common/loader.h"

/* Page-table entry bits (Intel SDM Vol. 3A, 4.5, Tables 4-14 to 4-20). */
#define PTE_P    (1ull << 0)
#define PTE_W    (1ull << 1)
#define PTE_PS   (1ull << 7)
#define PTE_NX   (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

#define SIZE_2M (1ull << 21)
#define SIZE_1G (1ull << 30)
#define MEM_4G  (1ull << 32)

/*
 * The physical memory each paging mode's direct map can hold: 64 TiB
 * between CAIRN_DIRECT_MAP_4LEVEL and CAIRN_KVA_BASE; with 5 levels far
 * more than the 52-bit physical address space (Intel SDM Vol. 3A, 4.1.4).
 */
#define DIRECT_MAX_4LEVEL (1ull << 46)
#define DIRECT_MAX_5LEVEL (1ull << 52)

/* enter.S reads struct loader_tables at these offsets. */
_Static_assert(offsetof(struct loader_tables, root) == 0, "loader_tables.root");
_Static_assert(offsetof(struct loader_tables, trampoline) == 8, "loader_tables.trampoline");
_Static_assert(offsetof(struct loader_tables, la57) == 16, "loader_tables.la57");

struct pt_ctx {
	const struct loader_env *env;
	uint64_t *root; /* PML4 or PML5, identity-mapped */
	unsigned top;   /* level of the root: 3 (PML4) or 4 (PML5); 0 is the page table */
	uint64_t nx;    /* PTE_NX when the CPU has execute-disable, else 0 */
	bool gb_pages;  /* 1 GiB pages available */
	bool oom;       /* an allocation failed */
};

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

/* 57-bit linear addresses: CPUID.(EAX=07H,ECX=0):ECX[16] (Intel SDM Vol. 2A, CPUID). */
static bool cpu_has_la57(void)
{
	uint32_t a, b, c, d;

	cpuid(0, &a, &b, &c, &d);
	if (a < 7)
		return false;
	cpuid(7, &a, &b, &c, &d);
	return (c & (1u << 16)) != 0;
}

bool loader_want_la57(const struct loaded_kernel *k)
{
	return (k->config.flags & CAIRN_CONFIG_LA57_OK) && cpu_has_la57();
}

/* Execute-disable is CPUID 0x80000001 EDX bit 20, 1 GiB pages bit 26 (SDM Vol. 2A, CPUID). */
static void probe_cpu(struct pt_ctx *c)
{
	uint32_t a, b, cx, d;

	cpuid(0x80000000u, &a, &b, &cx, &d);
	if (a < 0x80000001u)
		return;
	cpuid(0x80000001u, &a, &b, &cx, &d);
	c->nx = (d & (1u << 20)) ? PTE_NX : 0;
	c->gb_pages = (d & (1u << 26)) != 0;
}

/* A zeroed page for a paging structure, or NULL (and c->oom) when out of memory. */
static uint64_t *pt_alloc(struct pt_ctx *c, enum loader_alloc_kind kind)
{
	uint64_t pa = c->env->alloc_pages(c->env->ctx, 1, BOOT_PAGE_SIZE, kind);

	if (!pa)
		c->oom = true;
	return (uint64_t *)(uintptr_t)pa;
}

/* The table that @table[idx] points to, created (writable, executable) if absent. */
static uint64_t *pt_next(struct pt_ctx *c, uint64_t *table, unsigned idx)
{
	uint64_t *next;

	if (table[idx] & PTE_P)
		return (uint64_t *)(uintptr_t)(table[idx] & PTE_ADDR);
	next = pt_alloc(c, LOADER_ALLOC_LOADER);
	if (next)
		table[idx] = (uint64_t)(uintptr_t)next | PTE_P | PTE_W;
	return next;
}

static unsigned pt_index(uint64_t va, unsigned level)
{
	return (va >> (12 + 9 * level)) & 511;
}

/*
 * Map one 4 KiB page. A page mapped twice (two segments sharing a page)
 * gets the union of both permissions.
 */
static void map_4k(struct pt_ctx *c, uint64_t va, uint64_t pa, bool write, bool exec)
{
	uint64_t *t = c->root;
	uint64_t pte;

	for (unsigned level = c->top; level > 0 && t; level--)
		t = pt_next(c, t, pt_index(va, level));
	if (!t)
		return;
	pte = t[pt_index(va, 0)];
	if (!(pte & PTE_P))
		pte = pa | PTE_P | c->nx;
	if (write)
		pte |= PTE_W;
	if (exec)
		pte &= ~PTE_NX;
	t[pt_index(va, 0)] = pte;
}

/*
 * The page-directory-pointer entry for the 1 GiB of physical memory at
 * @pa: a 1 GiB page, or a page directory of 2 MiB pages. The identity
 * alias and the direct map share it. 0 when out of memory.
 */
static uint64_t gib_entry(struct pt_ctx *c, uint64_t pa)
{
	uint64_t *pd;

	if (c->gb_pages)
		return pa | PTE_P | PTE_W | PTE_PS;
	pd = pt_alloc(c, LOADER_ALLOC_LOADER);
	if (!pd)
		return 0;
	for (unsigned j = 0; j < 512; j++)
		pd[j] = (pa + j * SIZE_2M) | PTE_P | PTE_W | PTE_PS;
	return (uint64_t)(uintptr_t)pd | PTE_P | PTE_W;
}

/* Put @entry in the PDPT slot for the 1 GiB at @va, creating the tables above it. */
static void map_gib(struct pt_ctx *c, uint64_t va, uint64_t entry)
{
	uint64_t *t = c->root;

	for (unsigned level = c->top; level > 2 && t; level--)
		t = pt_next(c, t, pt_index(va, level));
	if (t)
		t[pt_index(va, 2)] = entry;
}

/*
 * Direct map [0, limit) at @base (1 GiB aligned; KASLR picks it) and the
 * same memory identity-mapped in the lower half for the hand-over. Both
 * share their 1 GiB pages or page directories, which are executable; NX
 * sits in the direct map's root entries instead, which map nothing else,
 * so the identity alias stays executable for the jump (SDM Vol. 3A,
 * 4.6.1: XD in any entry on the path forbids instruction fetches). With a
 * PML5, entry 0 so points at the PML4 that maps low memory, as the mode
 * switch of loader_enter_kernel() needs.
 */
static void map_direct(struct pt_ctx *c, uint64_t base, uint64_t limit)
{
	for (uint64_t pa = 0; pa < limit && !c->oom; pa += SIZE_1G) {
		uint64_t e = gib_entry(c, pa);

		if (!e)
			return;
		map_gib(c, pa, e);
		map_gib(c, base + pa, e);
	}
	for (uint64_t i = pt_index(base, c->top); i <= pt_index(base + limit - 1, c->top); i++)
		c->root[i] |= c->nx;
}

static void map_kernel(struct pt_ctx *c, const struct loaded_kernel *k)
{
	for (unsigned s = 0; s < k->nsegs && !c->oom; s++) {
		for (uint64_t off = 0; off < k->segs[s].memsz && !c->oom; off += BOOT_PAGE_SIZE)
			map_4k(c, k->segs[s].vaddr + off, k->segs[s].paddr + off, k->segs[s].write,
			       k->segs[s].exec);
	}
}

/*
 * The boot stack: the page below it stays unmapped as a guard. It sits at
 * the start of the kernel virtual area, or at a random page of its first
 * GiB with KASLR.
 */
static void map_stack(struct pt_ctx *c, uint64_t size, struct boot_info *bi)
{
	uint64_t npages = size / BOOT_PAGE_SIZE;
	uint64_t pa = c->env->alloc_pages(c->env->ctx, npages, BOOT_PAGE_SIZE, LOADER_ALLOC_LOADER);
	uint64_t va = CAIRN_KVA_BASE + BOOT_PAGE_SIZE;

	if (bi->kaslr.flags & BOOT_KASLR_ON)
		va += kaslr_boot_stack_offset(bi->kaslr.seed, size);

	if (!pa) {
		c->oom = true;
		return;
	}
	for (uint64_t i = 0; i < npages && !c->oom; i++)
		map_4k(c, va + i * BOOT_PAGE_SIZE, pa + i * BOOT_PAGE_SIZE, true, false);
	bi->stack_top = va + size;
	bi->stack_size = size;
}

/*
 * The root table. The 5-level one is loaded into CR3 from 32-bit code with
 * paging off, so it must lie below 4 GiB, as must the page the mode switch
 * runs in (see enter.S).
 */
static int alloc_root(struct pt_ctx *c, struct loader_tables *t)
{
	enum loader_alloc_kind kind = t->la57 ? LOADER_ALLOC_LOW : LOADER_ALLOC_LOADER;
	uint64_t tramp = 0;

	c->root = pt_alloc(c, kind);
	if (c->root && t->la57)
		tramp = c->env->alloc_pages(c->env->ctx, 1, BOOT_PAGE_SIZE, LOADER_ALLOC_LOW);
	if (!c->root || (t->la57 && !tramp))
		return -ENOMEM;
	if (t->la57 && ((uint64_t)(uintptr_t)c->root >= MEM_4G || tramp >= MEM_4G))
		return -ENOMEM; /* the loader broke its promise: no memory below 4 GiB */
	t->root = (uint64_t)(uintptr_t)c->root;
	t->trampoline = tramp;
	return 0;
}

int loader_build_page_tables(const struct loader_env *env, const struct loaded_kernel *k,
                             uint64_t phys_limit, bool la57, struct boot_info *bi,
                             struct loader_tables *t)
{
	struct pt_ctx c = { .env = env, .top = la57 ? 4 : 3 };
	int err;

	*t = (struct loader_tables){ .la57 = la57 };
	if (phys_limit < MEM_4G)
		phys_limit = MEM_4G;
	phys_limit = (phys_limit + SIZE_1G - 1) & ~(SIZE_1G - 1);
	if (phys_limit > (la57 ? DIRECT_MAX_5LEVEL : DIRECT_MAX_4LEVEL))
		return -EINVAL;

	probe_cpu(&c);
	err = alloc_root(&c, t);
	if (err)
		return err;
	bi->direct_map_base = la57 ? CAIRN_DIRECT_MAP_5LEVEL : CAIRN_DIRECT_MAP_4LEVEL;
	if (bi->kaslr.flags & BOOT_KASLR_ON)
		bi->direct_map_base = kaslr_direct_map_base(bi->kaslr.seed, phys_limit, la57);
	if (la57)
		bi->flags |= BOOT_FLAG_LA57;
	else
		bi->flags &= ~BOOT_FLAG_LA57;
	map_direct(&c, bi->direct_map_base, phys_limit);
	map_kernel(&c, k);
	if (!c.oom)
		map_stack(&c, k->config.stack_size, bi);
	return c.oom ? -ENOMEM : 0;
}
