/* SPDX-License-Identifier: MIT */
/*
 * x86_64 page tables (4-level and 5-level) as pure mechanism: map, unmap,
 * protect and translate over tables reached through caller-supplied
 * callbacks, so the same code runs in the kernel, the loaders and the host
 * tests. The flags are generic, not x86 bits, so another architecture can
 * offer the same interface. See docs/paging.md.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Page sizes pt_map() accepts. */
#define PT_PAGE_4K 0x1000ull
#define PT_PAGE_2M 0x200000ull
#define PT_PAGE_1G 0x40000000ull

/*
 * Mapping flags. Every mapping is readable, so PT_READ is implied (and always
 * reported by pt_translate()); a mapping without PT_EXEC is no-execute.
 */
#define PT_READ   0x01u
#define PT_WRITE  0x02u
#define PT_EXEC   0x04u
#define PT_USER   0x08u
#define PT_GLOBAL 0x10u

/*
 * Memory type, a two-bit field; write-back is the default (0). The x86 code
 * reaches these through the PAT as programmed by PT_X86_PAT_VALUE below.
 */
#define PT_CACHE_SHIFT 8
#define PT_CACHE_MASK  (3u << PT_CACHE_SHIFT)
#define PT_CACHE_WB    (0u << PT_CACHE_SHIFT)
#define PT_CACHE_WT    (1u << PT_CACHE_SHIFT)
#define PT_CACHE_UC    (2u << PT_CACHE_SHIFT)
#define PT_CACHE_WC    (3u << PT_CACHE_SHIFT)

#define PT_FLAGS_ALL (PT_READ | PT_WRITE | PT_EXEC | PT_USER | PT_GLOBAL | PT_CACHE_MASK)

/*
 * The IA32_PAT MSR (0x277) value the kernel must program before using the
 * cache modes: PA0 WB, PA1 WT, PA2 UC-, PA3 UC, PA4 WB, PA5 WT, PA6 WC,
 * PA7 UC. It is the power-up layout with PA6 changed from UC- to WC, so
 * entries written before the PAT is reprogrammed (PAT bit clear) mean the
 * same thing either way.
 * Intel SDM Vol. 3A, "IA32_PAT MSR" and "Programming the PAT" (memory type
 * encodings: UC 00h, WC 01h, WT 04h, WB 06h, UC- 07h).
 */
#define PT_X86_PAT_VALUE 0x0001040600070406ull

/*
 * What the page-table code needs from its environment. Every callback must
 * be set; each gets @ctx as its first argument.
 */
struct pt_ops {
	void *ctx; /* passed back to every callback */
	/* A pointer through which the 4 KiB table at physical @pa is read and written. */
	void *(*phys_to_virt)(void *ctx, uint64_t pa);
	/* A zeroed 4 KiB frame for a page table, or 0 when none is left. */
	uint64_t (*alloc_table)(void *ctx);
	/* Give back a frame from alloc_table; its contents are garbage by then. */
	void (*free_table)(void *ctx, uint64_t pa);
	/*
	 * Drop the TLB entries for the page holding @va and the paging-structure
	 * caches, on every CPU using the space (INVLPG plus shootdown).
	 */
	void (*invalidate)(void *ctx, uint64_t va);
	/*
	 * Drop every TLB entry of the space, global ones included, since the
	 * pages may be PT_GLOBAL: a CR3 reload is not enough (toggle CR4.PGE or
	 * use INVPCID type 2; Intel SDM Vol. 3A, 5.10.4.1).
	 */
	void (*flush_all)(void *ctx);
};

/*
 * One address space. The caller serializes all calls on the same space;
 * none of them sleeps unless a callback does.
 */
struct pt_space {
	uint64_t root;            /* physical address of the PML4 or PML5 */
	int levels;               /* 4 (48-bit addresses) or 5 (57-bit, CR4.LA57) */
	const struct pt_ops *ops; /* the environment, never NULL */
	bool keep_top; /* never free the tables directly under the root (pt_pin_upper_half) */
};

/*
 * Map [@va, @va + @size) to [@pa, @pa + @size) with @flags in pages of
 * @page_size (PT_PAGE_4K, PT_PAGE_2M or PT_PAGE_1G, the last needing
 * CPUID.80000001H:EDX[26]). Every page table is allocated before any entry
 * changes, so on error nothing has changed.
 * Returns 0; -EINVAL for a bad page size, unknown flags, a misaligned @va,
 * @pa or @size, a zero @size, a range that wraps, leaves the canonical
 * addresses or puts @pa past 2^52; -EEXIST if any page of the range is
 * already mapped; -ENOMEM if a page table could not be allocated.
 */
int __must_check pt_map(struct pt_space *s, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags,
                        uint64_t page_size);

/*
 * Unmap every page in [@va, @va + @size); holes are skipped. A huge page the
 * range covers only in part is split first, so the rest of it stays mapped
 * with the same flags. Page tables left empty are freed after the TLB
 * entries are invalidated (one invalidate per page, or one flush_all past
 * PT_INVAL_MAX pages).
 * Returns 0; -EINVAL for a misaligned or zero @size, a misaligned @va, or a
 * range that wraps or leaves the canonical addresses; -ENOMEM if a split
 * needed a page table that could not be allocated (nothing changed).
 */
int __must_check pt_unmap(struct pt_space *s, uint64_t va, uint64_t size);

/*
 * Set the flags of every mapped page in [@va, @va + @size) to @flags; holes
 * are skipped and huge pages partly in the range are split. Changing the
 * memory type of memory that may sit in the caches is the caller's problem.
 * Returns 0, -EINVAL (as pt_unmap(), or unknown flags) or -ENOMEM (a split
 * needed a table that could not be allocated; nothing changed).
 */
int __must_check pt_protect(struct pt_space *s, uint64_t va, uint64_t size, uint32_t flags);

/*
 * Look up @va. On success stores the physical address it maps to in @pa,
 * the effective flags of the whole walk in @flags (with PT_READ) and the
 * size of the page holding it in @page_size; any of them may be NULL.
 * Returns 0, -ENOENT if @va is not mapped or not canonical, or -EINVAL for
 * a malformed @s.
 */
int __must_check pt_translate(const struct pt_space *s, uint64_t va, uint64_t *pa, uint32_t *flags,
                              uint64_t *page_size);

/*
 * Give every root entry of the upper (kernel) half a table, with rights wide
 * enough (writable, executable, supervisor) that no later kernel mapping
 * needs to change a root entry, and never free those tables again. From
 * then on every kernel mapping lives below them, so an address space that
 * copied the upper half of the root (pt_share_upper_half) sees it too.
 * Returns 0, -EINVAL (malformed @s) or -ENOMEM (the tables taken so far stay).
 */
int __must_check pt_pin_upper_half(struct pt_space *s);

/*
 * Copy the upper-half root entries of @src into the root of @dst, which has
 * the same number of levels. Needs pt_pin_upper_half(@src) first, so the
 * copies never go stale. Returns 0 or -EINVAL.
 */
int __must_check pt_share_upper_half(struct pt_space *dst, const struct pt_space *src);

/*
 * Call @fn(@ctx, va, pa, flags, page_size) for every mapped page in
 * [@va, @va + @size), in address order, skipping absent tables at every
 * level, so a sparse range costs what is mapped. @fn returns 0 to go on; a
 * non-zero value stops the walk and is returned. @fn must not change the
 * tables of [@va, @va + @size). Returns 0, that value, or -EINVAL (bad range).
 */
typedef int (*pt_leaf_fn)(void *ctx, uint64_t va, uint64_t pa, uint32_t flags, uint64_t page_size);
int pt_for_each_leaf(const struct pt_space *s, uint64_t va, uint64_t size, pt_leaf_fn fn,
                     void *ctx);

/*
 * Point the page at @va, mapped as a 4 KiB page, at frame @pa with @flags
 * in one store (copy-on-write), widening the tables above it as needed,
 * and invalidate it. Needs no allocation. Returns 0, -ENOENT (@va is not
 * mapped as a 4 KiB page) or -EINVAL (bad arguments).
 */
int __must_check pt_replace_4k(struct pt_space *s, uint64_t va, uint64_t pa, uint32_t flags);

/*
 * pt_map() of one 4 KiB page for the common case where every table above
 * it exists: walks once, widens those tables as needed and writes the
 * leaf; no allocation and no invalidation (the entry was not present).
 * Returns 0, -EEXIST (@va is mapped), -ENOENT (a table is missing or a
 * huge page covers @va: nothing changed, use pt_map()) or -EINVAL.
 */
int __must_check pt_map_4k_fast(struct pt_space *s, uint64_t va, uint64_t pa, uint32_t flags);

/*
 * For each mapped 4 KiB page of [@va, @va + @size) in @src, call
 * @fn(@ctx, va, pa, &src_flags, &dst_flags) with both set to the page's
 * flags, then map the same frame at the same address in @dst with
 * dst_flags (which must grant no more than the page had) and, if
 * src_flags changed, rewrite the source page with them and invalidate it.
 * Tables @dst lacks are allocated with the source tables' rights. Made for
 * fork: one pass over the source's tables. Nothing of the range may be
 * mapped in @dst yet. A non-zero return of @fn stops the copy and is
 * returned; pages copied so far stay (the caller throws @dst away).
 * Returns 0, that value, -ENOMEM, or -EINVAL (bad arguments, huge page).
 */
typedef int (*pt_copy_fn)(void *ctx, uint64_t va, uint64_t pa, uint32_t *src_flags,
                          uint32_t *dst_flags);
int __must_check pt_copy_range(struct pt_space *dst, struct pt_space *src, uint64_t va,
                               uint64_t size, pt_copy_fn fn, void *ctx);

/*
 * Take down the lower (user) half of @s for good: call @fn for every mapped
 * page (its return value is ignored), free every table of that half and
 * clear the root's lower entries. No invalidation: the space must not be
 * loaded on any CPU. Returns 0 or -EINVAL (bad @s or @fn, a huge page
 * directly in the root).
 */
int pt_teardown_lower_half(struct pt_space *s, pt_leaf_fn fn, void *ctx);

/* Past this many pages, one change invalidates with flush_all rather than per page. */
#define PT_INVAL_MAX 32

/* True if @va is canonical for a space of @levels levels (Intel SDM Vol. 1, 3.3.7.1). */
bool pt_canonical(int levels, uint64_t va);
