/* SPDX-License-Identifier: MIT */
/*
 * An intrusive, circular, doubly linked list. A list is a head node whose
 * links point at itself when it is empty; an entry embeds a node and is
 * reached from it with list_entry(). Nothing here allocates or locks: the
 * owner of a list guards it (and documents the lock on the head).
 *
 * Corruption checks (LIST_CHECKS, on in debug and test builds): every
 * insertion checks that the two neighbours still point at each other and
 * that the entry is not on a list already; every deletion checks that both
 * neighbours point back at the entry. A failed check calls list_corrupt(),
 * which the kernel turns into a panic and the host tests into a test
 * failure. Deleted entries are always poisoned with two distinct
 * non-canonical addresses, so a stale link faults on first use and
 * list_linked() can tell a linked entry from an unlinked one.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(CAIRN_DEBUG) || defined(CAIRN_HOST_TEST)
#define LIST_CHECKS 1
#else
#define LIST_CHECKS 0
#endif

/* A head, or a link embedded in an entry. Both fields belong to the list's owner. */
struct list_node {
	struct list_node *next;
	struct list_node *prev;
};

/*
 * What a deleted or freshly initialised entry holds. Bits 63:47 are not all
 * equal, so both are non-canonical on x86_64 (Intel SDM Vol. 1, 3.3.7.1) and
 * any access through them faults instead of reading memory.
 */
#define LIST_POISON_NEXT ((struct list_node *)(uintptr_t)0xdead4c15700e0100ull)
#define LIST_POISON_PREV ((struct list_node *)(uintptr_t)0xdead4c15700e0200ull)

/* An empty list for a static initialiser: LIST_INIT(name) in `struct list_node name = ...`. */
#define LIST_INIT(head)          \
	{                        \
		&(head), &(head) \
	}

/*
 * A check failed: @what says which, @node is the entry or head concerned.
 * Defined weak in list.c (it traps); the kernel and the host tests supply
 * their own. Returning from it lets the operation go on, which only a test
 * that expects the failure may do.
 */
void list_corrupt(const char *what, const struct list_node *node);

/* Find what is wrong and report it (list.c); always false. */
bool list_report_insert(const struct list_node *n, const struct list_node *prev,
                        const struct list_node *next);
bool list_report_delete(const struct list_node *n);

static inline bool list_poisoned(const struct list_node *p)
{
	return p == LIST_POISON_NEXT || p == LIST_POISON_PREV;
}

/*
 * The checks: a few loads and compares inline (they run on every scheduler
 * switch in debug builds); the report, when one fails, out of line.
 */
static inline bool list_check_insert(const struct list_node *n, const struct list_node *prev,
                                     const struct list_node *next)
{
	bool ok = !(n && n->next && !list_poisoned(n->next)) && prev && next &&
	          !list_poisoned(prev) && !list_poisoned(next) && prev->next == next &&
	          next->prev == prev;

	return __builtin_expect(ok, 1) || list_report_insert(n, prev, next);
}

static inline bool list_check_delete(const struct list_node *n)
{
	const struct list_node *next = n->next, *prev = n->prev;
	bool ok = next && prev && !list_poisoned(next) && !list_poisoned(prev) && prev->next == n &&
	          next->prev == n;

	return __builtin_expect(ok, 1) || list_report_delete(n);
}

static inline void list_init(struct list_node *head)
{
	head->next = head;
	head->prev = head;
}

/* Mark @n as on no list (what list_del() leaves behind). */
static inline void list_node_init(struct list_node *n)
{
	n->next = LIST_POISON_NEXT;
	n->prev = LIST_POISON_PREV;
}

static inline bool list_empty(const struct list_node *head)
{
	return head->next == head;
}

/* True if @n is on a list: not poisoned and not zeroed. */
static inline bool list_linked(const struct list_node *n)
{
	return n->next != LIST_POISON_NEXT && n->next != NULL;
}

/* True if @n is the only entry of @head. */
static inline bool list_is_singular(const struct list_node *head)
{
	return !list_empty(head) && head->next == head->prev;
}

/* Link @n between @prev and @next, which must be neighbours. */
static inline void list_insert_between(struct list_node *n, struct list_node *prev,
                                       struct list_node *next)
{
	if (LIST_CHECKS && !list_check_insert(n, prev, next))
		return;
	n->next = next;
	n->prev = prev;
	prev->next = n;
	next->prev = n;
}

/* Put @n first on @head. */
static inline void list_add_head(struct list_node *head, struct list_node *n)
{
	list_insert_between(n, head, head->next);
}

/* Put @n last on @head. */
static inline void list_add_tail(struct list_node *head, struct list_node *n)
{
	list_insert_between(n, head->prev, head);
}

/* Put @n just before @pos (an entry or the head: before the head is last). */
static inline void list_insert_before(struct list_node *pos, struct list_node *n)
{
	list_insert_between(n, pos->prev, pos);
}

/* Put @n just after @pos. */
static inline void list_insert_after(struct list_node *pos, struct list_node *n)
{
	list_insert_between(n, pos, pos->next);
}

/* Take @n off its list and poison its links. */
static inline void list_del(struct list_node *n)
{
	if (LIST_CHECKS && !list_check_delete(n))
		return;
	n->prev->next = n->next;
	n->next->prev = n->prev;
	list_node_init(n);
}

/* Take @n off its list and put it first on @head. */
static inline void list_move_head(struct list_node *head, struct list_node *n)
{
	list_del(n);
	list_add_head(head, n);
}

/* Take @n off its list and put it last on @head. */
static inline void list_move_tail(struct list_node *head, struct list_node *n)
{
	list_del(n);
	list_add_tail(head, n);
}

/* Move every entry of @from to the end of @to, in order; @from ends empty. */
static inline void list_splice_tail(struct list_node *to, struct list_node *from)
{
	struct list_node *first = from->next, *last = from->prev;

	if (list_empty(from))
		return;
	if (LIST_CHECKS && !list_check_insert(NULL, to->prev, to))
		return;
	first->prev = to->prev;
	to->prev->next = first;
	last->next = to;
	to->prev = last;
	list_init(from);
}

/* The first node of @head, or NULL when it is empty. */
static inline struct list_node *list_first(const struct list_node *head)
{
	return list_empty(head) ? NULL : head->next;
}

/* Take the first node off @head and return it, or NULL when it is empty. */
static inline struct list_node *list_pop_head(struct list_node *head)
{
	struct list_node *n = list_first(head);

	if (n)
		list_del(n);
	return n;
}

/* Entries on @head, walking the whole list (for tests and assertions). */
size_t list_count(const struct list_node *head);

/* The entry of type @type whose member @member is the node @ptr. */
#define list_entry(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* The first entry of @head, or NULL when the list is empty. */
#define list_first_entry_or_null(head, type, member)                                \
	({                                                                          \
		struct list_node *list_first_ = list_first(head);                   \
		list_first_ ? list_entry(list_first_, type, member) : (type *)NULL; \
	})

/* The entry after @pos on @head, or NULL when @pos is the last. */
#define list_next_entry_or_null(pos, head, member) \
	((pos)->member.next == (head)              \
	         ? NULL                            \
	         : list_entry((pos)->member.next, __typeof__(*(pos)), member))

/* Walk the nodes of @head; the body must not delete @pos. */
#define list_for_each(pos, head) for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

/* Walk the entries of @head (@pos: a pointer to the entry type); no deleting. */
#define list_for_each_entry(pos, head, member)                             \
	for ((pos) = list_entry((head)->next, __typeof__(*(pos)), member); \
	     &(pos)->member != (head);                                     \
	     (pos) = list_entry((pos)->member.next, __typeof__(*(pos)), member))

/* As list_for_each_entry(), but the body may delete @pos (@tmp holds the next). */
#define list_for_each_entry_safe(pos, tmp, head, member)                        \
	for ((pos) = list_entry((head)->next, __typeof__(*(pos)), member),      \
	    (tmp) = list_entry((pos)->member.next, __typeof__(*(pos)), member); \
	     &(pos)->member != (head);                                          \
	     (pos) = (tmp), (tmp) = list_entry((tmp)->member.next, __typeof__(*(pos)), member))
