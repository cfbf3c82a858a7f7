/* SPDX-License-Identifier: MIT */
/*
 * A radix tree mapping 64-bit indices to non-zero 64-bit values: tmpfs keeps
 * a file's page frames in one (index = page number, value = physical
 * address), so a sparse file costs only the nodes its pages need. Nodes
 * have 64 slots; the tree grows in height as larger indices arrive and
 * shrinks when truncation empties its top. A tree whose only value is at
 * index 0 (a file of one page) keeps it without any node. Pure: the caller supplies node
 * memory through struct radix_alloc and does its own locking.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RADIX_BITS      6u
#define RADIX_SLOTS     (1u << RADIX_BITS)
#define RADIX_MAX_LEVEL 10u /* 60 bits of index: far past any file size in pages */
#define RADIX_MAX_INDEX ((1ull << (RADIX_BITS * RADIX_MAX_LEVEL)) - 1)

/* One node: leaves (level 1) hold values, the others hold child nodes. */
struct radix_node {
	uint64_t slot[RADIX_SLOTS]; /* a value, a struct radix_node * or 0 */
	uint32_t used;              /* non-zero slots */
	uint32_t pad;
};

struct radix_tree {
	struct radix_node *root; /* NULL: no nodes (empty, or only index 0 in first) */
	unsigned height;         /* levels below the root, root included; 0 without nodes */
	uint64_t first;          /* index 0's value while root is NULL, else 0 */
};

/* Where nodes come from: a zeroed node of sizeof(struct radix_node), or NULL. */
struct radix_alloc {
	void *(*alloc)(void *ctx);
	void (*free)(void *ctx, void *node);
	void *ctx;
};

static inline void radix_init(struct radix_tree *t)
{
	t->root = NULL;
	t->height = 0;
	t->first = 0;
}

/* The value at @index, or 0 when none is stored there. */
uint64_t radix_lookup(const struct radix_tree *t, uint64_t index);

/*
 * Store the non-zero @val at @index, which must be free. Returns 0,
 * -EINVAL (@val 0 or @index above RADIX_MAX_INDEX), -EEXIST (a value is
 * there; nothing changed) or -ENOMEM (nothing changed but perhaps the
 * tree's height, which stays valid).
 */
int __must_check radix_insert(struct radix_tree *t, uint64_t index, uint64_t val,
                              const struct radix_alloc *a);

/*
 * Find the first index at or after @from that holds a value: true with
 * *@index and *@val set, false when there is none.
 */
bool radix_next(const struct radix_tree *t, uint64_t from, uint64_t *index, uint64_t *val);

/*
 * Remove the value at @index, freeing the nodes left empty (the tree
 * shrinks as radix_truncate() leaves it). Returns the value, or 0 when
 * there was none. Never allocates.
 */
uint64_t radix_delete(struct radix_tree *t, uint64_t index, const struct radix_alloc *a);

/*
 * Remove every value at @from or later, handing each to @release (which
 * may be NULL) with its index, and free the nodes left empty; the tree
 * shrinks to the height its largest remaining index needs. Returns the
 * number of values removed.
 */
uint64_t radix_truncate(struct radix_tree *t, uint64_t from, const struct radix_alloc *a,
                        void (*release)(void *ctx, uint64_t index, uint64_t val), void *ctx);
