/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/list: the operations against a plain array model of
 * the list's order, the typed iteration helpers, and the corruption checks
 * (each one is made to fire on purpose and must reach list_corrupt()).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

/* The code under test. */
#include <lib/list/list.h>

/* A failed check becomes a cmocka assertion: a test fails unless it expects one. */
void list_corrupt(const char *what, const struct list_node *node)
{
	(void)node;
	mock_assert(0, what, __FILE__, __LINE__);
}

struct item {
	int value;
	struct list_node link;
};

#define NITEMS 8

static struct item items[NITEMS];

static void items_init(void)
{
	for (int i = 0; i < NITEMS; i++) {
		items[i].value = i;
		list_node_init(&items[i].link);
	}
}

/* Check @head holds exactly @want[0..n) in order, walking both ways. */
static void assert_order(const struct list_node *head, const int *want, size_t n)
{
	const struct list_node *p;
	size_t i = 0;

	list_for_each(p, head) {
		assert_true(i < n);
		assert_int_equal(list_entry(p, struct item, link)->value, want[i]);
		assert_ptr_equal(p->next->prev, p);
		i++;
	}
	assert_int_equal(i, n);
	for (p = head->prev; p != head; p = p->prev)
		assert_int_equal(list_entry(p, struct item, link)->value, want[--i]);
	assert_int_equal(list_count(head), n);
}

static void test_empty(void **state)
{
	struct list_node head = LIST_INIT(head);

	(void)state;
	assert_true(list_empty(&head));
	assert_null(list_first(&head));
	assert_null(list_pop_head(&head));
	assert_null(list_first_entry_or_null(&head, struct item, link));
	assert_int_equal(list_count(&head), 0);
	assert_false(list_is_singular(&head));
}

static void test_add_head_tail(void **state)
{
	struct list_node head;
	static const int want[] = { 2, 0, 1, 3 };

	(void)state;
	items_init();
	list_init(&head);
	list_add_tail(&head, &items[0].link);
	assert_true(list_is_singular(&head));
	list_add_tail(&head, &items[1].link);
	list_add_head(&head, &items[2].link);
	list_add_tail(&head, &items[3].link);
	assert_order(&head, want, 4);
	assert_true(list_linked(&items[0].link));
	assert_false(list_linked(&items[4].link));
}

static void test_insert_before_after(void **state)
{
	struct list_node head = LIST_INIT(head);
	static const int want[] = { 4, 0, 5, 1, 6 };

	(void)state;
	items_init();
	list_add_tail(&head, &items[0].link);
	list_add_tail(&head, &items[1].link);
	list_insert_before(&items[0].link, &items[4].link);
	list_insert_after(&items[0].link, &items[5].link);
	list_insert_before(&head, &items[6].link); /* before the head is last */
	assert_order(&head, want, 5);
}

static void test_del_poisons(void **state)
{
	struct list_node head = LIST_INIT(head);
	static const int want[] = { 0, 2 };

	(void)state;
	items_init();
	for (int i = 0; i < 3; i++)
		list_add_tail(&head, &items[i].link);
	list_del(&items[1].link);
	assert_order(&head, want, 2);
	assert_ptr_equal(items[1].link.next, LIST_POISON_NEXT);
	assert_ptr_equal(items[1].link.prev, LIST_POISON_PREV);
	assert_false(list_linked(&items[1].link));
	/* An unlinked entry may go on a list again. */
	list_add_head(&head, &items[1].link);
	assert_true(list_linked(&items[1].link));
}

static void test_pop_and_first(void **state)
{
	struct list_node head = LIST_INIT(head);
	struct item *it;

	(void)state;
	items_init();
	for (int i = 0; i < 3; i++)
		list_add_tail(&head, &items[i].link);
	it = list_first_entry_or_null(&head, struct item, link);
	assert_ptr_equal(it, &items[0]);
	assert_ptr_equal(list_next_entry_or_null(it, &head, link), &items[1]);
	assert_null(list_next_entry_or_null(&items[2], &head, link));
	for (int i = 0; i < 3; i++)
		assert_ptr_equal(list_pop_head(&head), &items[i].link);
	assert_true(list_empty(&head));
}

static void test_move(void **state)
{
	struct list_node a = LIST_INIT(a), b = LIST_INIT(b);
	static const int want_a[] = { 2, 0 };
	static const int want_b[] = { 1, 3 };

	(void)state;
	items_init();
	for (int i = 0; i < 3; i++)
		list_add_tail(&a, &items[i].link);
	list_add_tail(&b, &items[3].link);
	list_move_head(&b, &items[1].link);
	list_move_head(&a, &items[2].link);
	assert_order(&a, want_a, 2);
	assert_order(&b, want_b, 2);
	list_move_tail(&a, &items[1].link);
	assert_int_equal(list_count(&a), 3);
	assert_ptr_equal(a.prev, &items[1].link);
}

static void test_splice(void **state)
{
	struct list_node a = LIST_INIT(a), b = LIST_INIT(b);
	static const int want[] = { 0, 1, 2, 3, 4 };

	(void)state;
	items_init();
	list_splice_tail(&a, &b); /* both empty: nothing happens */
	assert_true(list_empty(&a));
	for (int i = 0; i < 2; i++)
		list_add_tail(&a, &items[i].link);
	for (int i = 2; i < 5; i++)
		list_add_tail(&b, &items[i].link);
	list_splice_tail(&a, &b);
	assert_order(&a, want, 5);
	assert_true(list_empty(&b));
	list_splice_tail(&b, &a); /* into an empty list */
	assert_order(&b, want, 5);
	assert_true(list_empty(&a));
}

static void test_for_each_entry_safe_deletes(void **state)
{
	struct list_node head = LIST_INIT(head);
	struct item *it, *tmp;
	static const int want[] = { 1, 3, 5, 7 };
	int seen = 0;

	(void)state;
	items_init();
	for (int i = 0; i < NITEMS; i++)
		list_add_tail(&head, &items[i].link);
	list_for_each_entry_safe(it, tmp, &head, link) {
		if (it->value % 2 == 0)
			list_del(&it->link);
		seen++;
	}
	assert_int_equal(seen, NITEMS);
	assert_order(&head, want, 4);
	seen = 0;
	list_for_each_entry(it, &head, link)
		seen += it->value;
	assert_int_equal(seen, 1 + 3 + 5 + 7);
}

/* Random operations against an array model of the order. */
static void test_random_against_model(void **state)
{
	struct list_node head = LIST_INIT(head);
	int model[NITEMS], n = 0;

	(void)state;
	items_init();
	srand(12345);
	for (int step = 0; step < 5000; step++) {
		int v = rand() % NITEMS, pos = -1;

		for (int i = 0; i < n; i++)
			if (model[i] == v)
				pos = i;
		if (pos >= 0) {
			list_del(&items[v].link);
			for (int i = pos; i < n - 1; i++)
				model[i] = model[i + 1];
			n--;
		} else if (rand() & 1) {
			list_add_tail(&head, &items[v].link);
			model[n++] = v;
		} else {
			list_add_head(&head, &items[v].link);
			for (int i = n; i > 0; i--)
				model[i] = model[i - 1];
			model[0] = v;
			n++;
		}
		assert_order(&head, model, (size_t)n);
	}
}

/* ---- the corruption checks must fire ---- */

static void test_double_add_fires(void **state)
{
	struct list_node head = LIST_INIT(head);

	(void)state;
	items_init();
	list_add_tail(&head, &items[0].link);
	expect_assert_failure(list_add_tail(&head, &items[0].link));
}

static void test_double_del_fires(void **state)
{
	struct list_node head = LIST_INIT(head);

	(void)state;
	items_init();
	list_add_tail(&head, &items[0].link);
	list_del(&items[0].link);
	expect_assert_failure(list_del(&items[0].link));
	/* Deleting an entry that was never added fires too. */
	expect_assert_failure(list_del(&items[1].link));
}

static void test_broken_prev_fires(void **state)
{
	struct list_node head = LIST_INIT(head);

	(void)state;
	items_init();
	for (int i = 0; i < 3; i++)
		list_add_tail(&head, &items[i].link);
	items[0].link.next = &items[2].link; /* a stray write: 0 skips 1 */
	expect_assert_failure(list_del(&items[1].link));
}

static void test_broken_next_fires(void **state)
{
	struct list_node head = LIST_INIT(head);

	(void)state;
	items_init();
	for (int i = 0; i < 3; i++)
		list_add_tail(&head, &items[i].link);
	items[2].link.prev = &items[0].link; /* a stray write: 2 skips 1 backwards */
	expect_assert_failure(list_del(&items[1].link));
}

static void test_insert_between_non_neighbours_fires(void **state)
{
	struct list_node head = LIST_INIT(head);

	(void)state;
	items_init();
	for (int i = 0; i < 3; i++)
		list_add_tail(&head, &items[i].link);
	expect_assert_failure(list_insert_between(&items[5].link, &items[0].link, &items[2].link));
	/* A head whose link was overwritten is caught on the next add. */
	head.prev = &items[1].link;
	expect_assert_failure(list_add_tail(&head, &items[5].link));
}

static void test_insert_next_to_unlinked_fires(void **state)
{
	(void)state;
	items_init();
	expect_assert_failure(list_insert_after(&items[0].link, &items[1].link));
}

static void test_splice_into_broken_fires(void **state)
{
	struct list_node a = LIST_INIT(a), b = LIST_INIT(b);

	(void)state;
	items_init();
	list_add_tail(&a, &items[0].link);
	list_add_tail(&a, &items[1].link);
	list_add_tail(&b, &items[2].link);
	a.prev = &items[0].link; /* a's tail link is stale */
	expect_assert_failure(list_splice_tail(&a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_add_head_tail),
		cmocka_unit_test(test_insert_before_after),
		cmocka_unit_test(test_del_poisons),
		cmocka_unit_test(test_pop_and_first),
		cmocka_unit_test(test_move),
		cmocka_unit_test(test_splice),
		cmocka_unit_test(test_for_each_entry_safe_deletes),
		cmocka_unit_test(test_random_against_model),
		cmocka_unit_test(test_double_add_fires),
		cmocka_unit_test(test_double_del_fires),
		cmocka_unit_test(test_broken_prev_fires),
		cmocka_unit_test(test_broken_next_fires),
		cmocka_unit_test(test_insert_between_non_neighbours_fires),
		cmocka_unit_test(test_insert_next_to_unlinked_fires),
		cmocka_unit_test(test_splice_into_broken_fires),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
