/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/tty/lineedit.c, editing: each key and its escape-sequence
 * spellings, Enter, ^C, ^D, ^L, UTF-8, the length limit and sideways
 * scrolling. The editor's output is replayed on the model terminal of
 * lineedit_model.h, and the tests check what a user would see: the prompt and
 * the line on the cursor's row, the cursor in the right column, and nothing
 * ever wrapping.
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

static void type_and_enter(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(feed(f, "hello"), LINEEDIT_EDITING);
	expect_line(f, "hello", 5);
	check_screen(f);
	/* Typing at the end writes just the characters. */
	assert_int_equal(f->raw_len, strlen("$ hello"));
	assert_int_equal(feed(f, "\r"), LINEEDIT_DONE);
	assert_string_equal(lineedit_line(&f->le), "hello");
	assert_int_equal(f->term.row, 1);
	assert_int_equal(f->term.col, 0);
	/* CR LF is one Enter; a lone LF is one too. */
	assert_int_equal(feed(f, "\n"), LINEEDIT_EDITING);
	assert_int_equal(f->term.row, 1);
	lineedit_start(&f->le, "$ ");
	assert_int_equal(feed(f, "\n"), LINEEDIT_DONE);
	assert_string_equal(lineedit_line(&f->le), "");
	/* Fed while idle, the editor starts a new line with the same prompt. */
	assert_int_equal(feed(f, "x"), LINEEDIT_EDITING);
	expect_line(f, "x", 1);
	check_screen(f);
}

static void cursor_keys(void **state)
{
	static const char *const left[] = { "\x1b[D", "\x1bOD", "\x02", "\x1b[1D" };
	static const char *const right[] = { "\x1b[C", "\x1bOC", "\x06", "\x1b[1C" };
	struct fixture *f = *state;
	size_t i;

	feed(f, "abcdef");
	for (i = 0; i < 4; i++) {
		feed(f, left[i]);
		expect_line(f, "abcdef", 5 - i);
		check_screen(f);
	}
	for (i = 0; i < 4; i++) {
		feed(f, right[i]);
		expect_line(f, "abcdef", 3 + i);
		check_screen(f);
	}
	/* Past either end nothing moves. */
	feed(f, "\x1b[C");
	expect_line(f, "abcdef", 6);
	feed(f, "\x01\x1b[D");
	expect_line(f, "abcdef", 0);
	check_screen(f);
	/* A move is one short sequence. */
	f->raw_len = 0;
	feed(f, "\x1b[C");
	assert_int_equal(f->raw_len, 4);
	assert_memory_equal(f->raw, "\x1b[1C", 4);
}

static void home_and_end(void **state)
{
	static const char *const home[] = { "\x1b[H", "\x1bOH", "\x1b[1~", "\x1b[7~", "\x01" };
	static const char *const end[] = { "\x1b[F", "\x1bOF", "\x1b[4~", "\x1b[8~", "\x05" };
	struct fixture *f = *state;
	size_t i;

	feed(f, "one two");
	for (i = 0; i < 5; i++) {
		feed(f, home[i]);
		expect_line(f, "one two", 0);
		check_screen(f);
		feed(f, end[i]);
		expect_line(f, "one two", 7);
		check_screen(f);
	}
}

static void insert_in_the_middle(void **state)
{
	struct fixture *f = *state;

	feed(f, "helo world\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D");
	expect_line(f, "helo world", 3);
	feed(f, "l");
	expect_line(f, "hello world", 4);
	check_screen(f);
	feed(f, "\x01>> ");
	expect_line(f, ">> hello world", 3);
	check_screen(f);
	assert_int_equal(feed(f, "\r"), LINEEDIT_DONE);
	assert_string_equal(lineedit_line(&f->le), ">> hello world");
}

static void deleting(void **state)
{
	struct fixture *f = *state;

	feed(f, "abcdef\x7f");
	expect_line(f, "abcde", 5);
	check_screen(f);
	feed(f, "\x1b[D\x1b[D\b");
	expect_line(f, "abde", 2);
	check_screen(f);
	feed(f, "\x1b[3~");
	expect_line(f, "abe", 2);
	check_screen(f);
	/* ^D with text deletes under the cursor like Delete. */
	feed(f, "\x04");
	expect_line(f, "ab", 2);
	check_screen(f);
	/* Nothing to delete: nothing happens, quietly. */
	feed(f, "\x1b[3~\x01\x7f\b");
	expect_line(f, "ab", 0);
	check_screen(f);
	assert_int_equal(f->term.bells, 0);
}

static void kills(void **state)
{
	struct fixture *f = *state;

	feed(f, "echo one two\x1b[D\x1b[D");
	feed(f, "\x0b");
	expect_line(f, "echo one t", 10);
	check_screen(f);
	feed(f, "\x17");
	expect_line(f, "echo one ", 9);
	check_screen(f);
	feed(f, "  \x17");
	expect_line(f, "echo ", 5);
	check_screen(f);
	feed(f, "x\x1b[D\x15");
	expect_line(f, "x", 0);
	check_screen(f);
	feed(f, "\x05\x15");
	expect_line(f, "", 0);
	check_screen(f);
}

static void word_moves(void **state)
{
	struct fixture *f = *state;

	feed(f, "cat  foo bar");
	feed(f, "\033b");
	expect_line(f, "cat  foo bar", 9);
	feed(f, "\x1b[1;5D");
	expect_line(f, "cat  foo bar", 5);
	feed(f, "\x1b[1;3D\x1b[1;5D");
	expect_line(f, "cat  foo bar", 0);
	feed(f, "\033f");
	expect_line(f, "cat  foo bar", 3);
	feed(f, "\x1b[1;5C");
	expect_line(f, "cat  foo bar", 8);
	check_screen(f);
}

static void cancel_eof_clear(void **state)
{
	struct fixture *f = *state;

	feed(f, "oops");
	assert_int_equal(feed(f, "\x03"), LINEEDIT_CANCEL);
	assert_int_equal(f->term.row, 1);
	assert_null(lineedit_history(&f->le, 0));
	term_row(&f->term, 0, f->raw, sizeof(f->raw));
	assert_string_equal(f->raw, "$ oops^C");

	lineedit_start(&f->le, "$ ");
	assert_int_equal(feed(f, "\x04"), LINEEDIT_EOF);
	assert_int_equal(f->term.col, 0);

	lineedit_start(&f->le, "$ ");
	feed(f, "ls -l\x1b[D");
	assert_int_equal(feed(f, "\x0c"), LINEEDIT_CLEAR);
	/* The caller clears the screen its own way, then asks for a redraw. */
	term_init(&f->term, f->term.cols);
	lineedit_refresh(&f->le);
	check_screen(f);
	assert_int_equal(feed(f, "a\r"), LINEEDIT_DONE);
	assert_string_equal(lineedit_line(&f->le), "ls -al");
}

static void escape_junk(void **state)
{
	struct fixture *f = *state;
	char junk[64];

	feed(f, "ab");
	/* Unknown sequences are dropped whole, however long. */
	feed(f, "\x1b[Z\x1b[99~\x1b[5;5;5;5H\x1bx\x1b\x1b[C\x1bO");
	feed(f, "P");
	expect_line(f, "ab", 1);
	memset(junk, '9', sizeof(junk));
	junk[0] = 0x1b;
	junk[1] = '[';
	feed_n(f, junk, sizeof(junk));
	feed(f, "~c");
	expect_line(f, "acb", 2);
	/* A control byte cuts a sequence short and counts on its own. */
	assert_int_equal(feed(f, "\x1b[1\r"), LINEEDIT_DONE);
	assert_string_equal(lineedit_line(&f->le), "acb");
	/* Control bytes with no meaning are ignored. */
	lineedit_start(&f->le, "$ ");
	feed(f, "\x11\x12\x13\x14\x16\x18\x19\x1a\x1c\x1d\x1e\037z");
	expect_line(f, "z", 1);
	check_screen(f);
}

static void utf8_characters(void **state)
{
	struct fixture *f = *state;

	feed(f, "caf\xc3\xa9 \xe2\x82\2545");
	expect_line(f, "caf\xc3\xa9 \xe2\x82\2545", 10);
	check_screen(f);
	assert_int_equal(f->term.col, 2 + 7);
	feed(f, "\x1b[D\x1b[D");
	expect_line(f, "caf\xc3\xa9 \xe2\x82\2545", 6);
	feed(f, "\x1b[D\x1b[D\x7f");
	expect_line(f, "ca\xc3\xa9 \xe2\x82\2545", 2);
	check_screen(f);
	/* Inserted in the middle, a character arrives whole on screen. */
	feed(f, "\xc3\xb6");
	expect_line(f, "ca\xc3\xb6\xc3\xa9 \xe2\x82\2545", 4);
	check_screen(f);
	feed(f, "\x1b[3~");
	expect_line(f, "ca\xc3\xb6 \xe2\x82\2545", 4);
	check_screen(f);
	/* A broken sequence is dropped; stray continuation bytes too. */
	feed(f, "\xe2\202x\x80\xbf\xf8");
	expect_line(f, "ca\xc3\xb6x \xe2\x82\2545", 5);
	check_screen(f);
}

static void long_line_and_bell(void **state)
{
	struct fixture *f = *state;
	char line[LINEEDIT_MAX + 1];
	size_t i;

	fx_cols(f, 0);
	for (i = 0; i < LINEEDIT_MAX; i++)
		line[i] = (char)('a' + i % 26);
	line[LINEEDIT_MAX] = '\0';
	feed(f, line);
	check_screen(f);
	feed(f, "!");
	assert_int_equal(f->term.bells, 1);
	expect_line(f, line, LINEEDIT_MAX);
	/* A multi-byte character that does not fit is refused whole. */
	feed(f, "\x01\x7f\x1b[3~\xc3\xa9");
	assert_int_equal(f->term.bells, 2);
	feed(f, "-");
	line[0] = '-';
	expect_line(f, line, 1);
	check_screen(f);
}

static void scrolls_sideways(void **state)
{
	struct fixture *f = *state;
	char line[61];
	size_t i;

	fx_cols(f, 20);
	for (i = 0; i < 60; i++) {
		line[i] = (char)('A' + i % 26);
		feed_n(f, line + i, 1);
		check_screen(f);
	}
	line[60] = '\0';
	expect_line(f, line, 60);
	/* Home shows the start; moving right walks the window along. */
	feed(f, "\x01");
	check_screen(f);
	assert_int_equal(f->term.col, 2);
	for (i = 0; i < 60; i++) {
		feed(f, "\x1b[C");
		check_screen(f);
	}
	/* Deleting from the left pulls the line back into view. */
	feed(f, "\x01");
	for (i = 0; i < 50; i++) {
		feed(f, "\x1b[3~");
		check_screen(f);
	}
	feed(f, "\x05");
	check_screen(f);
	expect_line(f, line + 50, 10);
	assert_int_equal(f->le.shown, 0);
}

static void coloured_prompt(void **state)
{
	struct fixture *f = *state;
	size_t i;

	fx_cols(f, 16);
	term_init(&f->term, 16);
	lineedit_start(&f->le, "\x1b[1;32mcairn\x1b[0m> ");
	for (i = 0; i < 30; i++) {
		feed(f, "x");
		check_screen(f);
	}
	feed(f, "\x01");
	check_screen(f);
	assert_int_equal(f->term.col, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(type_and_enter),     FX_TEST(cursor_keys),
		FX_TEST(home_and_end),       FX_TEST(insert_in_the_middle),
		FX_TEST(deleting),           FX_TEST(kills),
		FX_TEST(word_moves),         FX_TEST(cancel_eof_clear),
		FX_TEST(escape_junk),        FX_TEST(utf8_characters),
		FX_TEST(long_line_and_bell), FX_TEST(scrolls_sideways),
		FX_TEST(coloured_prompt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
