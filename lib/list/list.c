// SPDX-License-Identifier: MIT
/*
 * The out-of-line parts of lib/list/list.h: the corruption checks that
 * debug and test builds run on every insertion and deletion, and the
 * default failure hook. The checks read only the nodes next to the one
 * being linked or unlinked, so they cost a few loads, not a walk.
 */
#include <lib/list/list.h>

/*
 * Without a hook of its own (the kernel panics, the host tests fail the
 * test), a broken list stops the program at once: going on would write
 * through a link that points who knows where.
 */
__attribute__((weak)) void list_corrupt(const char *what, const struct list_node *node)
{
	(void)what;
	(void)node;
	__builtin_trap();
}

static bool poisoned(const struct list_node *p)
{
	return p == LIST_POISON_NEXT || p == LIST_POISON_PREV;
}

bool list_check_insert(const struct list_node *n, const struct list_node *prev,
                       const struct list_node *next)
{
	if (n && list_linked(n)) {
		list_corrupt("list: inserting an entry that is already on a list", n);
		return false;
	}
	if (!prev || !next) {
		list_corrupt("list: inserting into a list that was never initialised", n);
		return false;
	}
	if (poisoned(prev) || poisoned(next)) {
		list_corrupt("list: inserting next to an entry that is on no list", n);
		return false;
	}
	if (prev->next != next || next->prev != prev) {
		list_corrupt("list: inserting between nodes that are not neighbours", prev);
		return false;
	}
	return true;
}

bool list_check_delete(const struct list_node *n)
{
	if (poisoned(n->next) || poisoned(n->prev) || !n->next || !n->prev) {
		list_corrupt("list: deleting an entry that is on no list", n);
		return false;
	}
	if (n->prev->next != n) {
		list_corrupt("list: the previous node does not point back at the entry", n);
		return false;
	}
	if (n->next->prev != n) {
		list_corrupt("list: the next node does not point back at the entry", n);
		return false;
	}
	return true;
}

size_t list_count(const struct list_node *head)
{
	const struct list_node *p;
	size_t n = 0;

	list_for_each(p, head)
		n++;
	return n;
}
