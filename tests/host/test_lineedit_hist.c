/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/tty/lineedit_hist.c: the history ring and its keys, Tab
 * completion (common prefix, listing, UTF-8), and random keys on terminals
 * of several widths, the screen checked on the model terminal of
 * lineedit_model.h after each one.
 */
#include <lib/tty/lineedit.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

#include "lineedit_model.h"

static void history(void **state)
{
	struct fixture *f = *state;

	feed(f, "one\r");
	feed(f, "two\r");
	feed(f, "two\r");
	feed(f, "\r");
	feed(f, "   \r");
	feed(f, "three\r");
	assert_string_equal(lineedit_history(&f->le, 0), "three");
	assert_string_equal(lineedit_history(&f->le, 1), "two");
	assert_string_equal(lineedit_history(&f->le, 2), "one");
	assert_null(lineedit_history(&f->le, 3));

	lineedit_start(&f->le, "$ ");
	feed(f, "draft");
	feed(f, "\x1b[A");
	expect_line(f, "three", 5);
	check_screen(f);
	feed(f, "\x1b[A\x10");
	expect_line(f, "one", 3);
	check_screen(f);
	/* No older line: a bell, and the line stays. */
	feed(f, "\x1bOA");
	expect_line(f, "one", 3);
	assert_int_equal(f->term.bells, 1);
	feed(f, "\x1b[B");
	expect_line(f, "two", 3);
	feed(f, "\x0e\x1bOB");
	expect_line(f, "draft", 5);
	check_screen(f);
	feed(f, "\x1b[B");
	assert_int_equal(f->term.bells, 2);
	/* A recalled line, edited, is entered as a new line. */
	feed(f, "\x1b[A\027four\r");
	assert_string_equal(lineedit_history(&f->le, 0), "four");
	assert_string_equal(lineedit_history(&f->le, 1), "three");
}

static void history_ring(void **state)
{
	struct fixture *f = *state;
	char line[16];
	unsigned i;

	for (i = 0; i < LINEEDIT_HISTORY + 5; i++) {
		snprintf(line, sizeof(line), "cmd%u", i);
		lineedit_history_add(&f->le, line);
	}
	for (i = 0; i < LINEEDIT_HISTORY; i++) {
		snprintf(line, sizeof(line), "cmd%u", LINEEDIT_HISTORY + 4 - i);
		assert_string_equal(lineedit_history(&f->le, i), line);
	}
	assert_null(lineedit_history(&f->le, LINEEDIT_HISTORY));
	/* Adding the newest entry again (even its own storage) changes nothing. */
	lineedit_history_add(&f->le, lineedit_history(&f->le, 0));
	lineedit_history_add(&f->le, lineedit_history(&f->le, LINEEDIT_HISTORY - 1));
	assert_string_equal(lineedit_history(&f->le, 0), "cmd5");
	assert_string_equal(lineedit_history(&f->le, 1), "cmd20");
	for (i = 0; i < LINEEDIT_HISTORY; i++)
		feed(f, "\x1b[A");
	expect_line(f, "cmd6", 4);
	check_screen(f);
}

/* Completion: offers every name of a NULL-terminated list, and notes what it was asked. */
struct names {
	const char *const *list;
	char prefix[LINEEDIT_MAX + 1];
	unsigned word;
	unsigned calls;
};

static void complete_names(void *ctx, struct lineedit_completion *c)
{
	struct names *n = ctx;
	size_t i;

	memcpy(n->prefix, c->prefix, c->prefix_len);
	n->prefix[c->prefix_len] = '\0';
	n->word = c->word;
	n->calls++;
	for (i = 0; n->list[i]; i++)
		lineedit_offer(c, n->list[i]);
}

static void tab_completion(void **state)
{
	static const char *const list[] = { "echo", "exit", "help", "hello", "helium", NULL };
	struct fixture *f = *state;
	struct names n = { .list = list };
	char row[512];

	feed(f, "\t");
	assert_int_equal(f->term.bells, 1);
	lineedit_set_completion(&f->le, complete_names, &n);
	/* One match: completed, with a space. */
	feed(f, "ec\t");
	assert_string_equal(n.prefix, "ec");
	assert_int_equal(n.word, 0);
	expect_line(f, "echo ", 5);
	check_screen(f);
	/* An argument; the common part of several; then a listing. */
	feed(f, "he\t");
	assert_string_equal(n.prefix, "he");
	assert_int_equal(n.word, 1);
	expect_line(f, "echo hel", 8);
	assert_int_equal(f->term.bells, 1);
	feed(f, "\t");
	term_row(&f->term, f->term.row - 1, row, sizeof(row));
	assert_string_equal(row, "help  hello  helium");
	expect_line(f, "echo hel", 8);
	check_screen(f);
	/* No match: the bell. */
	feed(f, "\x17zz\t");
	assert_int_equal(f->term.bells, 2);
	expect_line(f, "echo zz", 7);
	/* Nothing in common past the prefix: bell first, the listing on the second Tab. */
	feed(f, "\027e\t");
	assert_int_equal(f->term.bells, 3);
	expect_line(f, "echo e", 6);
	feed(f, "\t");
	term_row(&f->term, f->term.row - 1, row, sizeof(row));
	assert_string_equal(row, "echo  exit");
	check_screen(f);
	/* In the middle of the line, with a space already after the word. */
	feed(f, "\x7fhelp me\x1b[D\x1b[D\x1b[D");
	expect_line(f, "echo help me", 9);
	feed(f, "\027ex\t");
	expect_line(f, "echo exit me", 9);
	check_screen(f);
}

static void tab_listing_wraps(void **state)
{
	static const char *const list[] = { "alpha", "alphabet", "alpine", "also",
		                            "alto",  "always",   NULL };
	struct fixture *f = *state;
	struct names n = { .list = list };
	char row[512];

	fx_cols(f, 20);
	lineedit_set_completion(&f->le, complete_names, &n);
	feed(f, "al\t\t");
	assert_int_equal(f->term.row, 4);
	term_row(&f->term, 1, row, sizeof(row));
	assert_string_equal(row, "alpha  alphabet");
	term_row(&f->term, 2, row, sizeof(row));
	assert_string_equal(row, "alpine  also  alto");
	term_row(&f->term, 3, row, sizeof(row));
	assert_string_equal(row, "always");
	check_screen(f);
	/* A third Tab lists again. */
	feed(f, "\t");
	assert_int_equal(f->term.row, 8);
	check_screen(f);
}

static void tab_utf8_common_prefix(void **state)
{
	/* é (c3 a9) and ê (c3 aa) share their first byte but not a character. */
	static const char *const list[] = { "caf\xc3\xa9", "caf\xc3\xaa", NULL };
	struct fixture *f = *state;
	struct names n = { .list = list };

	lineedit_set_completion(&f->le, complete_names, &n);
	feed(f, "c\t");
	expect_line(f, "caf", 3);
	check_screen(f);
}

/* Random keys on terminals of several widths: the screen must always be right. */
static void random_keys(void **state)
{
	static const char *const keys[] = {
		"a",      "b",      " ",      "\xc3\xa9", "\xe2\x82\xac", "\x7f",        "\b",
		"\x1b[D", "\x1b[C", "\x1bOD", "\x01",     "\x05",         "\x1b[3~",     "\x0b",
		"\x15",   "\x17",   "\033b",  "\033f",    "\x1b[1;5C",    "\x1b[A",      "\x1b[B",
		"\r",     "\x03",   "\x04",   "\t",       "xyzzy",        "hello world",
	};
	static const char *const list[] = { "ab", "abba", "b", "\xc3\xa9t\xc3\xa9", NULL };
	struct fixture *f = *state;
	struct names n = { .list = list };
	enum lineedit_status st;
	unsigned width, i;

	srand(7);
	lineedit_set_completion(&f->le, complete_names, &n);
	for (width = 8; width <= 48; width += 8) {
		fx_cols(f, width);
		term_init(&f->term, width);
		lineedit_start(&f->le, "> ");
		for (i = 0; i < 4000; i++) {
			st = feed(f, keys[rand() % (sizeof(keys) / sizeof(keys[0]))]);
			if (st != LINEEDIT_EDITING) {
				term_init(&f->term, width);
				lineedit_start(&f->le, "> ");
				continue;
			}
			if (f->term.row != 0) { /* a listing moved the line down */
				term_init(&f->term, width);
				lineedit_refresh(&f->le);
			}
			check_screen(f);
			assert_true(strlen(lineedit_line(&f->le)) <= LINEEDIT_MAX);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(history),
		FX_TEST(history_ring),
		FX_TEST(tab_completion),
		FX_TEST(tab_listing_wraps),
		FX_TEST(tab_utf8_common_prefix),
		FX_TEST(random_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
