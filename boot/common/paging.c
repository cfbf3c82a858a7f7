/* SPDX-License-Identifier: MIT */
/*
 * The kernel's first page tables, built by either loader while it still
 * runs identity-mapped: the direct map of physical memory (plus its lower
 * half alias for the hand-over), the kernel image with per-segment
 * permissions, and the boot stack with a guard page.
 */
#include "boot/common/internal.h"
#include "boot/common/loader.h"

/* Page-table entry bits (Intel SDM Vol. 3A, 4.5, Tables 4-15 to 4-20). */
#define PTE_P    (1ull << 0)
#define PTE_W    (1ull << 1)
#define PTE_PS   (1ull << 7)
#define PTE_NX   (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

#define SIZE_2M   (1ull << 21)
#define SIZE_1G   (1ull << 30)
#define SIZE_512G (1ull << 39)

struct pt_ctx {
	const struct loader_env *env;
	uint64_t *root; /* PML4, identity-mapped */
	uint64_t nx;    /* PTE_NX when the CPU has execute-disable, else 0 */
	bool gb_pages;  /* 1 GiB pages available */
	bool oom;       /* an allocation failed */
};

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
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
static uint64_t *pt_alloc(struct pt_ctx *c)
{
	uint64_t pa = c->env->alloc_pages(c->env->ctx, 1, LDR_PAGE_SIZE, LOADER_ALLOC_LOADER);

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
	next = pt_alloc(c);
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

	for (unsigned level = 3; level > 0 && t; level--)
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

/* Fill one PDPT with 1 GiB pages or 2 MiB-page PDs for [pa, pa + 512 GiB) up to @limit. */
static void map_direct_pdpt(struct pt_ctx *c, uint64_t *pdpt, uint64_t pa, uint64_t limit)
{
	for (unsigned i = 0; i < 512 && pa < limit; i++, pa += SIZE_1G) {
		uint64_t *pd;

		if (c->gb_pages) {
			pdpt[i] = pa | PTE_P | PTE_W | PTE_PS;
			continue;
		}
		pd = pt_next(c, pdpt, i);
		if (!pd)
			return;
		for (unsigned j = 0; j < 512; j++)
			pd[j] = (pa + j * SIZE_2M) | PTE_P | PTE_W | PTE_PS;
	}
}

/*
 * Direct map [0, limit) at @base. The leaves are executable; NX sits in the
 * direct map's PML4 entries instead, so the lower-half identity alias, which
 * shares the PDPTs, stays executable for the jump (SDM Vol. 3A, 4.6.1:
 * XD in any entry on the path forbids instruction fetches).
 */
static void map_direct(struct pt_ctx *c, uint64_t base, uint64_t limit)
{
	unsigned first = pt_index(base, 3);

	for (uint64_t pa = 0, i = 0; pa < limit && !c->oom; pa += SIZE_512G, i++) {
		uint64_t *pdpt = pt_next(c, c->root, first + i);

		if (!pdpt)
			return;
		map_direct_pdpt(c, pdpt, pa, limit);
		c->root[first + i] |= c->nx;
		c->root[i] = c->root[first + i] & ~PTE_NX;
	}
}

static void map_kernel(struct pt_ctx *c, const struct loaded_kernel *k)
{
	for (unsigned s = 0; s < k->nsegs && !c->oom; s++) {
		for (uint64_t off = 0; off < k->segs[s].memsz && !c->oom; off += LDR_PAGE_SIZE)
			map_4k(c, k->segs[s].vaddr + off, k->segs[s].paddr + off, k->segs[s].write,
			       k->segs[s].exec);
	}
}

/* The boot stack: its page at CAIRN_KVA_BASE stays unmapped as a guard. */
static void map_stack(struct pt_ctx *c, uint64_t size, struct boot_info *bi)
{
	uint64_t npages = size / LDR_PAGE_SIZE;
	uint64_t pa = c->env->alloc_pages(c->env->ctx, npages, LDR_PAGE_SIZE, LOADER_ALLOC_LOADER);
	uint64_t va = CAIRN_KVA_BASE + LDR_PAGE_SIZE;

	if (!pa) {
		c->oom = true;
		return;
	}
	for (uint64_t i = 0; i < npages && !c->oom; i++)
		map_4k(c, va + i * LDR_PAGE_SIZE, pa + i * LDR_PAGE_SIZE, true, false);
	bi->stack_top = va + size;
	bi->stack_size = size;
}

int loader_build_page_tables(const struct loader_env *env, const struct loaded_kernel *k,
                             uint64_t phys_limit, bool la57, struct boot_info *bi, uint64_t *cr3)
{
	struct pt_ctx c = { .env = env };

	if (la57)
		return -ENOTSUP; /* 5-level paging: not yet */
	if (phys_limit < (4ull << 30))
		phys_limit = 4ull << 30;
	phys_limit = (phys_limit + SIZE_1G - 1) & ~(SIZE_1G - 1);
	if (phys_limit > (1ull << 46))
		return -EINVAL; /* more than the 64 TiB the 4-level direct map holds */

	probe_cpu(&c);
	c.root = pt_alloc(&c);
	if (!c.root)
		return -ENOMEM;
	bi->direct_map_base = CAIRN_DIRECT_MAP_4LEVEL;
	map_direct(&c, bi->direct_map_base, phys_limit);
	map_kernel(&c, k);
	if (!c.oom)
		map_stack(&c, k->config.stack_size, bi);
	if (c.oom)
		return -ENOMEM;
	*cr3 = (uint64_t)(uintptr_t)c.root;
	return 0;
}
