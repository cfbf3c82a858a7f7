/* SPDX-License-Identifier: MIT */
/*
 * Private to lib/paging: the bits of an x86_64 paging-structure entry and the
 * translation between them and the generic PT_* flags. Everything that knows
 * an x86 bit position is here; paging.c only walks tables.
 * Entry formats: Intel SDM Vol. 3A, 5.5 (4-level and 5-level paging),
 * Tables 5-14 (PML5E) to 5-20 (PTE).
 */
#pragma once

#include <lib/paging/paging.h>

#include <stdbool.h>
#include <stdint.h>

#define X86_PT_ENTRIES 512 /* 4 KiB table of 8-byte entries, 9 address bits per level */

#define X86_P       (1ull << 0)           /* present */
#define X86_RW      (1ull << 1)           /* writable (with CR0.WP, for the kernel too) */
#define X86_US      (1ull << 2)           /* user-mode accessible */
#define X86_PWT     (1ull << 3)           /* PAT index bit 0 */
#define X86_PCD     (1ull << 4)           /* PAT index bit 1 */
#define X86_PS      (1ull << 7)           /* PDPTE or PDE: maps a 1 GiB or 2 MiB page */
#define X86_PAT_4K  (1ull << 7)           /* PTE: PAT index bit 2 */
#define X86_G       (1ull << 8)           /* global (CR4.PGE); leaves only */
#define X86_PAT_BIG (1ull << 12)          /* 1 GiB or 2 MiB leaf: PAT index bit 2 */
#define X86_NX      (1ull << 63)          /* execute-disable; needs IA32_EFER.NXE */
#define X86_ADDR    0x000ffffffffff000ull /* bits 51:12, the widest MAXPHYADDR */

/* The bits a table entry contributes to the access rights (SDM Vol. 3A, 5.6). */
#define X86_RIGHTS (X86_RW | X86_US | X86_NX)

/* Bit position of the lowest address bit a level-@level entry translates. */
static inline unsigned int x86_level_shift(int level)
{
	return 12 + 9 * (unsigned int)(level - 1);
}

/* Bytes one level-@level entry maps: 4 KiB, 2 MiB, 1 GiB, 512 GiB, 256 TiB. */
static inline uint64_t x86_entry_size(int level)
{
	return 1ull << x86_level_shift(level);
}

/* Index of the entry for @va in a level-@level table. */
static inline unsigned int x86_entry_index(uint64_t va, int level)
{
	return (unsigned int)(va >> x86_level_shift(level)) & (X86_PT_ENTRIES - 1);
}

/* True if present entry @e at @level maps a page (PS set: SDM Tables 5-16, 5-18). */
static inline bool x86_is_leaf(uint64_t e, int level)
{
	return level == 1 || (level <= 3 && (e & X86_PS));
}

/* The PAT bit of a leaf at @level: bit 7 in a PTE, bit 12 in a large page. */
static inline uint64_t x86_pat_bit(int level)
{
	return level == 1 ? X86_PAT_4K : X86_PAT_BIG;
}

/* Physical address of the page that leaf @e at @level maps. */
static inline uint64_t x86_leaf_frame(uint64_t e, int level)
{
	return e & X86_ADDR & ~(x86_entry_size(level) - 1);
}

/* The leaf bits that encode PT_* flags; the rest (A, D, AVL, keys) is kept by protect. */
static inline uint64_t x86_leaf_attr_mask(int level)
{
	return X86_P | X86_RIGHTS | X86_PWT | X86_PCD | X86_G | X86_PS | x86_pat_bit(level);
}

/*
 * PAT index for each cache mode, for the PAT the kernel programs with
 * PT_X86_PAT_VALUE. The index is PAT:PCD:PWT (SDM Vol. 3A, "Selecting a
 * Memory Type from the PAT", Table "Selection of PAT Entries with PAT, PCD,
 * and PWT Flags"). UC uses PA3 (strong UC), not PA2 (UC-).
 */
static inline uint64_t x86_cache_bits(uint32_t flags, int level)
{
	switch (flags & PT_CACHE_MASK) {
	case PT_CACHE_WT:
		return X86_PWT; /* PA1 */
	case PT_CACHE_UC:
		return X86_PCD | X86_PWT; /* PA3 */
	case PT_CACHE_WC:
		return x86_pat_bit(level) | X86_PCD; /* PA6 */
	default:
		return 0; /* PA0, WB */
	}
}

/* The cache mode that leaf @e at @level selects; PA2 (UC-) reads back as UC. */
static inline uint32_t x86_cache_flags(uint64_t e, int level)
{
	static const uint32_t by_index[8] = {
		PT_CACHE_WB, PT_CACHE_WT, PT_CACHE_UC, PT_CACHE_UC,
		PT_CACHE_WB, PT_CACHE_WT, PT_CACHE_WC, PT_CACHE_UC,
	};
	unsigned int index =
		(e & X86_PWT ? 1 : 0) | (e & X86_PCD ? 2 : 0) | (e & x86_pat_bit(level) ? 4 : 0);

	return by_index[index];
}

/* The access-right bits a table entry needs so that a child with @flags is reachable. */
static inline uint64_t x86_table_rights(uint32_t flags)
{
	return (flags & PT_WRITE ? X86_RW : 0) | (flags & PT_USER ? X86_US : 0) |
	       (flags & PT_EXEC ? 0 : X86_NX);
}

/*
 * Table entry @e widened so that it also allows @flags: the rights of a walk
 * are the intersection of its entries (SDM Vol. 3A, 5.6), so a table entry
 * carries the union of what its children need.
 */
static inline uint64_t x86_table_upgrade(uint64_t e, uint32_t flags)
{
	e |= x86_table_rights(flags) & (X86_RW | X86_US);
	if (flags & PT_EXEC)
		e &= ~X86_NX;
	return e;
}

/* The generic rights (PT_WRITE, PT_USER, PT_EXEC) entry @e grants. */
static inline uint32_t x86_entry_rights(uint64_t e)
{
	return (e & X86_RW ? PT_WRITE : 0) | (e & X86_US ? PT_USER : 0) |
	       (e & X86_NX ? 0 : PT_EXEC);
}

/* A present leaf at @level for physical @pa with @flags, A and D left for the CPU. */
static inline uint64_t x86_leaf(uint64_t pa, uint32_t flags, int level)
{
	return pa | X86_P | x86_table_rights(flags) | (flags & PT_GLOBAL ? X86_G : 0) |
	       x86_cache_bits(flags, level) | (level > 1 ? X86_PS : 0);
}

/* The PT_* flags leaf @e at @level encodes. */
static inline uint32_t x86_leaf_flags(uint64_t e, int level)
{
	return PT_READ | x86_entry_rights(e) | (e & X86_G ? PT_GLOBAL : 0) |
	       x86_cache_flags(e, level);
}
