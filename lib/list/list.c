// SPDX-License-Identifier: MIT
/*
 * The out-of-line parts of lib/list/list.h: the reports of the corruption
 * checks that debug and test builds run on every insertion and deletion
 * (the checks themselves are inline), and the default failure hook. Each
 * report finds which check failed and says so.
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

bool list_report_insert(const struct list_node *n, const struct list_node *prev,
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
	if (list_poisoned(prev) || list_poisoned(next)) {
		list_corrupt("list: inserting next to an entry that is on no list", n);
		return false;
	}
	list_corrupt("list: inserting between nodes that are not neighbours", prev);
	return false;
}

bool list_report_delete(const struct list_node *n)
{
	if (list_poisoned(n->next) || list_poisoned(n->prev) || !n->next || !n->prev) {
		list_corrupt("list: deleting an entry that is on no list", n);
		return false;
	}
	if (n->prev->next != n) {
		list_corrupt("list: the previous node does not point back at the entry", n);
		return false;
	}
	list_corrupt("list: the next node does not point back at the entry", n);
	return false;
}

size_t list_count(const struct list_node *head)
{
	const struct list_node *p;
	size_t n = 0;

	list_for_each(p, head)
		n++;
	return n;
}
