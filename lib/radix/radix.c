/* SPDX-License-Identifier: MIT */
/*
 * The radix tree of lib/radix/radix.h. A tree of height h covers indices
 * below 2^(6h); the node at level l (leaves are level 1) picks its slot
 * with index bits [6(l-1), 6l). Walks are iterative where they only read
 * and recursive (at most RADIX_MAX_LEVEL deep) where they free.
 */
#include <cairn/errno.h>

#include <lib/radix/radix.h>

static unsigned radix_shift(unsigned level)
{
	return RADIX_BITS * (level - 1);
}

/* Whether a tree of @height levels can hold @index. */
static bool radix_fits(unsigned height, uint64_t index)
{
	if (index > RADIX_MAX_INDEX)
		return false;
	return height >= RADIX_MAX_LEVEL || index < (1ull << (RADIX_BITS * height));
}

static unsigned radix_slot_of(uint64_t index, unsigned level)
{
	return (unsigned)(index >> radix_shift(level)) & (RADIX_SLOTS - 1);
}

static struct radix_node *radix_child(const struct radix_node *n, unsigned slot)
{
	return (struct radix_node *)(uintptr_t)n->slot[slot];
}

uint64_t radix_lookup(const struct radix_tree *t, uint64_t index)
{
	const struct radix_node *n = t->root;
	unsigned level;

	if (!n)
		return index == 0 ? t->first : 0;
	if (!radix_fits(t->height, index))
		return 0;
	for (level = t->height; level > 1; level--) {
		n = radix_child(n, radix_slot_of(index, level));
		if (!n)
			return 0;
	}
	return n->slot[radix_slot_of(index, 1)];
}

/* Add levels on top until @index fits; 0 or -ENOMEM (the tree stays valid). */
static int radix_grow(struct radix_tree *t, uint64_t index, const struct radix_alloc *a)
{
	struct radix_node *n;

	if (!t->root) {
		t->height = 1;
		while (!radix_fits(t->height, index))
			t->height++;
		t->root = a->alloc(a->ctx);
		return t->root ? 0 : -ENOMEM;
	}
	while (!radix_fits(t->height, index)) {
		n = a->alloc(a->ctx);
		if (!n)
			return -ENOMEM;
		n->slot[0] = (uint64_t)(uintptr_t)t->root;
		n->used = 1;
		t->root = n;
		t->height++;
	}
	return 0;
}

/* Unhook the empty nodes at the end of a failed insert's @path (@n nodes below the root). */
static void radix_unwind(struct radix_node **path, unsigned *slots, unsigned n,
                         const struct radix_alloc *a)
{
	while (n > 0 && path[n]->used == 0) {
		a->free(a->ctx, path[n]);
		path[n - 1]->slot[slots[n - 1]] = 0;
		path[n - 1]->used--;
		n--;
	}
}

/* Store @val at @index in the nodes (made as needed); radix_insert()'s results. */
static int radix_insert_nodes(struct radix_tree *t, uint64_t index, uint64_t val,
                              const struct radix_alloc *a)
{
	struct radix_node *path[RADIX_MAX_LEVEL];
	unsigned slots[RADIX_MAX_LEVEL];
	unsigned level, depth = 0, s;
	int err;

	err = radix_grow(t, index, a);
	if (err)
		return err;
	path[0] = t->root;
	for (level = t->height; level > 1; level--, depth++) {
		struct radix_node *n = path[depth], *c;

		s = slots[depth] = radix_slot_of(index, level);
		c = radix_child(n, s);
		if (!c) {
			c = a->alloc(a->ctx);
			if (!c) {
				radix_unwind(path, slots, depth, a);
				return -ENOMEM;
			}
			n->slot[s] = (uint64_t)(uintptr_t)c;
			n->used++;
		}
		path[depth + 1] = c;
	}
	s = radix_slot_of(index, 1);
	if (path[depth]->slot[s]) {
		radix_unwind(path, slots, depth, a);
		return -EEXIST;
	}
	path[depth]->slot[s] = val;
	path[depth]->used++;
	return 0;
}

/* A root left empty by a failed insert goes, so "no root" keeps meaning "no nodes". */
static void radix_drop_empty_root(struct radix_tree *t, const struct radix_alloc *a)
{
	if (t->root && t->root->used == 0) {
		a->free(a->ctx, t->root);
		t->root = NULL;
		t->height = 0;
	}
}

int radix_insert(struct radix_tree *t, uint64_t index, uint64_t val, const struct radix_alloc *a)
{
	uint64_t first = t->first;
	int err;

	if (!val || index > RADIX_MAX_INDEX)
		return -EINVAL;
	if (!t->root && index == 0) {
		if (first)
			return -EEXIST;
		t->first = val;
		return 0;
	}
	/* A second value: index 0's moves into the nodes first. */
	if (!t->root && first) {
		t->first = 0;
		err = radix_insert_nodes(t, 0, first, a);
		if (err) {
			radix_drop_empty_root(t, a);
			t->first = first;
			return err;
		}
	}
	err = radix_insert_nodes(t, index, val, a);
	if (err && first && t->root && t->root->used == 1 && t->height == 1) {
		/* Back to the node-less form the tree had. */
		a->free(a->ctx, t->root);
		radix_init(t);
		t->first = first;
	}
	radix_drop_empty_root(t, a);
	return err;
}

/* The first value at or after @from under @n (level @level, first index @base). */
static bool radix_find(const struct radix_node *n, unsigned level, uint64_t base, uint64_t from,
                       uint64_t *index, uint64_t *val)
{
	unsigned shift = radix_shift(level), s = 0;

	if (from > base)
		s = (unsigned)((from - base) >> shift);
	for (; s < RADIX_SLOTS; s++) {
		uint64_t start = base + ((uint64_t)s << shift);

		if (!n->slot[s])
			continue;
		if (level == 1) {
			*index = start;
			*val = n->slot[s];
			return true;
		}
		if (radix_find(radix_child(n, s), level - 1, start, from, index, val))
			return true;
	}
	return false;
}

bool radix_next(const struct radix_tree *t, uint64_t from, uint64_t *index, uint64_t *val)
{
	if (!t->root) {
		if (from != 0 || !t->first)
			return false;
		*index = 0;
		*val = t->first;
		return true;
	}
	if (!radix_fits(t->height, from))
		return false;
	return radix_find(t->root, t->height, 0, from, index, val);
}

struct radix_cut {
	uint64_t from;
	const struct radix_alloc *a;
	void (*release)(void *ctx, uint64_t index, uint64_t val);
	void *ctx;
	uint64_t removed;
};

/* Clear everything at cut->from or later under @n; frees children left empty. */
static void radix_cut_node(struct radix_cut *c, struct radix_node *n, unsigned level, uint64_t base)
{
	unsigned shift = radix_shift(level), s = 0;

	if (c->from > base)
		s = (unsigned)((c->from - base) >> shift);
	for (; s < RADIX_SLOTS; s++) {
		uint64_t start = base + ((uint64_t)s << shift);
		struct radix_node *child;

		if (!n->slot[s])
			continue;
		if (level == 1) {
			if (c->release)
				c->release(c->ctx, start, n->slot[s]);
			c->removed++;
		} else {
			child = radix_child(n, s);
			radix_cut_node(c, child, level - 1, start);
			if (child->used)
				continue;
			c->a->free(c->a->ctx, child);
		}
		n->slot[s] = 0;
		n->used--;
	}
}

/*
 * After values went: drop levels a smaller tree does not need, an empty
 * root, or the last node when only index 0 is left. @t has a root.
 */
static void radix_normalize(struct radix_tree *t, const struct radix_alloc *a)
{
	struct radix_node *r;

	/* A root whose only child is slot 0 is one level too many. */
	while (t->height > 1 && t->root->used == 1 && t->root->slot[0]) {
		r = t->root;
		t->root = radix_child(r, 0);
		t->height--;
		a->free(a->ctx, r);
	}
	if (t->root->used == 0) {
		a->free(a->ctx, t->root);
		radix_init(t);
	} else if (t->height == 1 && t->root->used == 1 && t->root->slot[0]) {
		/* Only index 0 is left: keep it without a node. */
		uint64_t v = t->root->slot[0];

		a->free(a->ctx, t->root);
		radix_init(t);
		t->first = v;
	}
}

uint64_t radix_truncate(struct radix_tree *t, uint64_t from, const struct radix_alloc *a,
                        void (*release)(void *ctx, uint64_t index, uint64_t val), void *ctx)
{
	struct radix_cut c = { .from = from, .a = a, .release = release, .ctx = ctx };

	if (!t->root) {
		if (from != 0 || !t->first)
			return 0;
		if (release)
			release(ctx, 0, t->first);
		t->first = 0;
		return 1;
	}
	if (!radix_fits(t->height, from))
		return 0;
	radix_cut_node(&c, t->root, t->height, 0);
	radix_normalize(t, a);
	return c.removed;
}

uint64_t radix_delete(struct radix_tree *t, uint64_t index, const struct radix_alloc *a)
{
	struct radix_node *path[RADIX_MAX_LEVEL];
	unsigned slots[RADIX_MAX_LEVEL], level, depth = 0, s;
	uint64_t val;

	if (!t->root) {
		if (index != 0 || !t->first)
			return 0;
		val = t->first;
		t->first = 0;
		return val;
	}
	if (!radix_fits(t->height, index))
		return 0;
	path[0] = t->root;
	for (level = t->height; level > 1; level--, depth++) {
		slots[depth] = radix_slot_of(index, level);
		path[depth + 1] = radix_child(path[depth], slots[depth]);
		if (!path[depth + 1])
			return 0;
	}
	s = radix_slot_of(index, 1);
	val = path[depth]->slot[s];
	if (!val)
		return 0;
	path[depth]->slot[s] = 0;
	path[depth]->used--;
	radix_unwind(path, slots, depth, a);
	radix_normalize(t, a);
	return val;
}
