/* SPDX-License-Identifier: MIT */
/*
 * What the line editor's host tests share (test_lineedit.c and
 * test_lineedit_hist.c): a small model terminal that the editor's output is
 * replayed on, a fixture holding an editor and its terminal, and
 * check_screen(), which says whether the user sees the prompt and the line
 * with the cursor in the right column. Include after cmocka.h.
 */
#pragma once

#include <lib/tty/lineedit.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A test that gets a fresh fixture: an editor showing "$ " on an 80-column terminal. */
#define FX_TEST(t) cmocka_unit_test_setup_teardown(t, fx_setup, fx_teardown)

#define TERM_ROWS     24
#define TERM_MAX_COLS 300

/*
 * The model terminal: a grid of cells, each holding one UTF-8 character, and
 * the few controls and sequences the editor may send. Anything else fails.
 */
struct term {
	char cell[TERM_ROWS][TERM_MAX_COLS][5];
	unsigned cols;
	unsigned row, col;
	unsigned last_row, last_col; /* the cell printed last, for UTF-8 continuation bytes */
	unsigned bells;
	bool wrapped; /* a character was written past the last column */
	bool in_esc;  /* receiving an escape sequence, kept in seq[] */
	char seq[32];
	size_t seq_len;
};

static inline void term_init(struct term *t, unsigned cols)
{
	memset(t, 0, sizeof(*t));
	t->cols = cols;
}

static inline void term_newline(struct term *t)
{
	if (t->row + 1 < TERM_ROWS) {
		t->row++;
		return;
	}
	memmove(t->cell[0], t->cell[1], sizeof(t->cell[0]) * (TERM_ROWS - 1));
	memset(t->cell[TERM_ROWS - 1], 0, sizeof(t->cell[0]));
	t->last_row -= t->last_row > 0;
}

static inline void term_print(struct term *t, char c)
{
	if (t->col >= t->cols) {
		t->wrapped = true;
		t->col = 0;
		term_newline(t);
	}
	t->last_row = t->row;
	t->last_col = t->col;
	t->cell[t->row][t->col][0] = c;
	t->cell[t->row][t->col][1] = '\0';
	t->col++;
}

/* A UTF-8 continuation byte joins the character printed last. */
static inline void term_continue(struct term *t, char c)
{
	char *cell = t->cell[t->last_row][t->last_col];
	size_t n = strlen(cell);

	assert_true(n > 0 && n < 4 && (uint8_t)cell[0] >= 0xc0);
	cell[n] = c;
	cell[n + 1] = '\0';
}

static inline void term_csi(struct term *t)
{
	char final = t->seq[t->seq_len - 1];
	unsigned n = (unsigned)atoi(t->seq + 1);

	if (t->seq[0] != '[')
		fail_msg("terminal: unexpected sequence ESC %.*s", (int)t->seq_len, t->seq);
	if (final == 'C')
		t->col += n ? n : 1;
	else if (final == 'D')
		t->col -= (n ? n : 1) > t->col ? t->col : (n ? n : 1);
	else if (final == 'K' && n == 0)
		memset(t->cell[t->row][t->col], 0,
		       sizeof(t->cell[0][0]) * (TERM_MAX_COLS - t->col));
	else if (final != 'm') /* colours in prompts */
		fail_msg("terminal: unexpected sequence ESC %.*s", (int)t->seq_len, t->seq);
	if (t->col > t->cols - 1)
		t->col = t->cols - 1;
}

static inline void term_byte(struct term *t, uint8_t c)
{
	if (t->in_esc) {
		assert_true(t->seq_len < sizeof(t->seq));
		t->seq[t->seq_len++] = (char)c;
		if (t->seq_len > 1 && c >= 0x40 && c <= 0x7e) {
			term_csi(t);
			t->in_esc = false;
		}
		return;
	}
	if ((c & 0xc0) == 0x80) {
		term_continue(t, (char)c);
	} else if (c == '\r') {
		t->col = 0;
	} else if (c == '\n') {
		term_newline(t);
	} else if (c == '\a') {
		t->bells++;
	} else if (c == 0x1b) {
		t->in_esc = true;
		t->seq_len = 0;
	} else if (c < 0x20 || c == 0x7f) {
		fail_msg("terminal: unexpected control byte 0x%02x", c);
	} else {
		term_print(t, (char)c);
	}
}

/* The text of @row from column 0, up to its last non-empty cell. */
static inline void term_row(const struct term *t, unsigned row, char *out, size_t size)
{
	unsigned col, end = 0;
	size_t n = 0;

	for (col = 0; col < TERM_MAX_COLS; col++)
		if (t->cell[row][col][0])
			end = col + 1;
	out[0] = '\0';
	for (col = 0; col < end; col++) {
		const char *c = t->cell[row][col][0] ? t->cell[row][col] : " ";

		assert_true(n + strlen(c) < size);
		strcpy(out + n, c);
		n += strlen(c);
	}
}

/* An editor, everything it wrote, and the terminal that was replayed on. */
struct fixture {
	struct lineedit le;
	struct term term;
	char raw[1 << 16];
	size_t raw_len;
};

static inline void fx_sink(void *ctx, const char *s, size_t len)
{
	struct fixture *f = ctx;
	size_t i;

	assert_true(len <= sizeof(f->raw));
	if (f->raw_len + len > sizeof(f->raw))
		f->raw_len = 0; /* only short tests look at the raw output */
	memcpy(f->raw + f->raw_len, s, len);
	f->raw_len += len;
	for (i = 0; i < len; i++)
		term_byte(&f->term, (uint8_t)s[i]);
}

static inline int fx_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	term_init(&f->term, LINEEDIT_DEFAULT_COLS);
	lineedit_init(&f->le, fx_sink, f);
	lineedit_start(&f->le, "$ ");
	*state = f;
	return 0;
}

static inline int fx_teardown(void **state)
{
	free(*state);
	return 0;
}

/* Use a terminal of @cols columns (0: an unlimited editor on the widest model). */
static inline void fx_cols(struct fixture *f, unsigned cols)
{
	f->term.cols = cols ? cols : TERM_MAX_COLS;
	lineedit_set_cols(&f->le, cols);
}

/* Feed @n bytes; every byte but the last must leave the line being edited. */
static inline enum lineedit_status feed_n(struct fixture *f, const char *s, size_t n)
{
	enum lineedit_status st = LINEEDIT_EDITING;
	size_t i;

	for (i = 0; i < n; i++) {
		if (st != LINEEDIT_EDITING)
			fail_msg("status %d before byte %zu of the input", st, i);
		st = lineedit_feed(&f->le, (uint8_t)s[i]);
	}
	return st;
}

static inline enum lineedit_status feed(struct fixture *f, const char *s)
{
	return feed_n(f, s, strlen(s));
}

static inline void expect_line(struct fixture *f, const char *want, size_t cursor)
{
	assert_string_equal(lineedit_line(&f->le), want);
	assert_int_equal(lineedit_cursor(&f->le), cursor);
}

/* Columns of @n bytes of UTF-8 text. */
static inline size_t text_cols(const char *s, size_t n)
{
	size_t i, w = 0;

	for (i = 0; i < n; i++)
		w += ((uint8_t)s[i] & 0xc0) != 0x80;
	return w;
}

/* The prompt as it shows: without its escape sequences. */
static inline void plain_prompt(const char *p, char *out)
{
	while (*p) {
		if (*p == 0x1b) {
			p += 2;
			while (*p && !(*p >= 0x40 && *p <= 0x7e))
				p++;
			p += *p != '\0';
			continue;
		}
		*out++ = *p++;
	}
	*out = '\0';
}

/*
 * What the user sees must be the prompt and a slice of the line that holds
 * the cursor, on the cursor's row, with the cursor at the right column: the
 * whole line when it fits, else as much of it as the row can show.
 */
static inline void check_screen(struct fixture *f)
{
	const struct lineedit *le = &f->le;
	const char *line = lineedit_line(le);
	size_t len = strlen(line), pos = lineedit_cursor(le), s = le->shown, e, pw;
	char row[4 * TERM_MAX_COLS], want[4 * TERM_MAX_COLS];

	assert_false(f->term.wrapped);
	plain_prompt(le->prompt, want);
	pw = text_cols(want, strlen(want));
	assert_true(s <= pos);
	for (e = s; e < len && pw + text_cols(line + s, e - s) < f->term.cols - 1;) {
		e++;
		while (e < len && ((uint8_t)line[e] & 0xc0) == 0x80)
			e++;
	}
	strncat(want, line + s, e - s);
	term_row(&f->term, f->term.row, row, sizeof(row));
	assert_string_equal(row, want);
	assert_int_equal(f->term.col, pw + text_cols(line + s, pos - s));
	assert_true(f->term.col < f->term.cols);
	if (s > 0)
		assert_true(e == len || pw + text_cols(line + s, e - s) == f->term.cols - 1);
}
