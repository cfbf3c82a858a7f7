/* SPDX-License-Identifier: MIT */
/*
 * What the host tests of lib/paging share (tests/host/paging_helpers.c): a
 * simulated RAM (a 4 KiB-aligned array whose offsets are the physical
 * addresses) with a frame allocator that counts, can be told to fail and
 * poisons what it gets back. Every callback checks what the code under test
 * does with it: tables it reads must be live, and a table that was ever linked
 * may only be freed after a TLB invalidation. Raw entries are checked against
 * the bit layout of the Intel SDM, written out here independently of
 * lib/paging/x86_pte.h.
 */
#pragma once

#include <lib/paging/paging.h>

#include <stdbool.h>
#include <stdint.h>

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

/* A copy of the live tables, to show that a failed call changed nothing. */
struct snap {
	bool live[SIM_FRAMES];
	uint8_t *ram;
};

/* A machine with a @levels-level (4 or 5) tree holding only its root; sim_free() ends it. */
struct sim *sim_new(int levels);
void sim_free(struct sim *sim);

/* pt_map(), pt_unmap() and pt_protect() on the machine, each starting a new operation. */
int sim_map(struct sim *sim, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags,
            uint64_t page_size);
int sim_unmap(struct sim *sim, uint64_t va, uint64_t size);
int sim_protect(struct sim *sim, uint64_t va, uint64_t size, uint32_t flags);
/* Walk the whole tree: no table reached twice, none leaked, none empty but the root. */
void sim_check_tree(struct sim *sim);

/* The raw entry at @level for @va; every level above must point to a table. */
uint64_t *sim_entry(struct sim *sim, uint64_t va, int level);

/* Copy the live tables; later, expect them unchanged (and free the copy). */
struct snap *snap_take(struct sim *sim);
void snap_expect_same(struct sim *sim, struct snap *sn);

/* Expect @va to translate to @pa with @flags (and PT_READ) in a page of @page_size. */
void expect_mapped(struct sim *sim, uint64_t va, uint64_t pa, uint32_t flags, uint64_t page_size);
/* Expect nothing mapped at @va. */
void expect_unmapped(struct sim *sim, uint64_t va);

/* Rights of the table entries (levels 2 to 4) above @va. */
void expect_table_rights(struct sim *sim, uint64_t va, bool rw, bool us, bool nx);
