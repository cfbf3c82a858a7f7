/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/vt/vt.c: a fake display records what the terminal draws,
 * fails the test the moment an op gets a cell or colour outside the grid,
 * and is compared with the terminal's own grid. Covers text, deferred
 * wrap, scrolling, the cursor functions and their clamping, ED/EL, SGR,
 * backspace, tabs, save/restore, malformed and over-long sequences, UTF-8
 * and a long random byte stream.
 */
#include <lib/vt/vt.h>

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

#define MAX_COLS 132
#define MAX_ROWS 50

struct shown {
	uint8_t ch, fg, bg;
};

/* The fake display and the terminal under test. */
struct term {
	struct vt vt;
	struct vt_cell cells[MAX_COLS * MAX_ROWS];
	struct shown screen[MAX_ROWS][MAX_COLS];
	unsigned cols, rows;
	unsigned draws, clears, scrolls;
};

static struct term T;

static void op_draw(void *ctx, unsigned col, unsigned row, uint8_t ch, uint8_t fg, uint8_t bg)
{
	struct term *t = ctx;

	if (col >= t->cols || row >= t->rows || fg > 15 || bg > 15)
		fail_msg("draw_cell(%u, %u, fg %u, bg %u) outside %ux%u", col, row, fg, bg, t->cols,
		         t->rows);
	t->screen[row][col] = (struct shown){ ch, fg, bg };
	t->draws++;
}

static void op_clear(void *ctx, unsigned col, unsigned row, unsigned ncols, unsigned nrows,
                     uint8_t bg)
{
	struct term *t = ctx;
	unsigned r, c;

	if (ncols == 0 || nrows == 0 || col >= t->cols || row >= t->rows || ncols > t->cols - col ||
	    nrows > t->rows - row || bg > 15)
		fail_msg("clear(%u, %u, %u x %u, bg %u) outside %ux%u", col, row, ncols, nrows, bg,
		         t->cols, t->rows);
	for (r = row; r < row + nrows; r++)
		for (c = col; c < col + ncols; c++)
			t->screen[r][c] = (struct shown){ ' ', 0, bg };
	t->clears++;
}

static void op_scroll(void *ctx, unsigned n, uint8_t bg)
{
	struct term *t = ctx;
	unsigned r, c;

	if (n == 0 || n >= t->rows || bg > 15)
		fail_msg("scroll_up(%u, bg %u) with %u rows", n, bg, t->rows);
	memmove(t->screen[0], t->screen[n], sizeof(t->screen[0]) * (t->rows - n));
	for (r = t->rows - n; r < t->rows; r++)
		for (c = 0; c < t->cols; c++)
			t->screen[r][c] = (struct shown){ ' ', 0, bg };
	t->scrolls++;
}

static const struct vt_ops ops = { op_draw, op_clear, op_scroll };

static struct term *term_new(unsigned cols, unsigned rows, bool newline_mode)
{
	struct vt_setup s = { &ops, &T, T.cells, cols, rows, newline_mode };

	memset(&T, 0, sizeof(T));
	T.cols = cols;
	T.rows = rows;
	assert_int_equal(vt_init(&T.vt, &s), 0);
	T.draws = T.clears = T.scrolls = 0;
	return &T;
}

static void put(struct term *t, const char *s)
{
	vt_write(&t->vt, s, strlen(s));
}

/* The characters of row @r as the display shows them, trailing blanks dropped. */
static const char *row_text(struct term *t, unsigned r)
{
	static char buf[MAX_COLS + 1];
	unsigned c, end = 0;

	for (c = 0; c < t->cols; c++) {
		buf[c] = (char)t->screen[r][c].ch;
		if (buf[c] != ' ')
			end = c + 1;
	}
	buf[end] = '\0';
	return buf;
}

static void expect_cursor(struct term *t, unsigned col, unsigned row)
{
	unsigned c, r;

	vt_get_cursor(&t->vt, &c, &r);
	if (c != col || r != row)
		fail_msg("cursor at (%u, %u), expected (%u, %u)", c, r, col, row);
}

/*
 * The display must equal the grid everywhere, the cursor cell excepted,
 * which shows the grid's colours swapped.
 */
static void expect_consistent(struct term *t)
{
	unsigned c, r, cc, cr;
	const struct vt_cell *g;
	struct shown s;

	vt_get_cursor(&t->vt, &cc, &cr);
	for (r = 0; r < t->rows; r++)
		for (c = 0; c < t->cols; c++) {
			g = vt_cell_at(&t->vt, c, r);
			s = t->screen[r][c];
			if (t->vt.cursor_drawn && c == t->vt.cursor_col && r == t->vt.cursor_row)
				s = (struct shown){ s.ch, s.bg, s.fg };
			/* A cleared cell has no foreground on the display; the grid keeps one. */
			if (s.ch != g->ch || (s.ch != ' ' && s.fg != (g->colour & 15)) ||
			    s.bg != g->colour >> 4)
				fail_msg("cell (%u, %u): shown %02x %u/%u, grid %02x %02x", c, r,
				         s.ch, s.fg, s.bg, g->ch, g->colour);
		}
}

static void test_init_rejects(void **state)
{
	struct vt vt;
	struct vt_cell cells[4];
	struct vt_setup s = { &ops, &T, cells, 2, 2, false };
	struct vt_ops half = { op_draw, NULL, op_scroll };

	s.cols = 0;
	assert_int_not_equal(vt_init(&vt, &s), 0);
	s.cols = VT_MAX_COLS + 1;
	assert_int_not_equal(vt_init(&vt, &s), 0);
	s.cols = 2;
	s.rows = 0;
	assert_int_not_equal(vt_init(&vt, &s), 0);
	s.rows = 2;
	s.ops = &half;
	assert_int_not_equal(vt_init(&vt, &s), 0);
	s.ops = &ops;
	s.cells = NULL;
	assert_int_not_equal(vt_init(&vt, &s), 0);
}

static void test_plain_text(void **state)
{
	struct term *t = term_new(10, 4, false);

	put(t, "hello");
	assert_string_equal(row_text(t, 0), "hello");
	expect_cursor(t, 5, 0);
	assert_int_equal(t->screen[0][0].fg, VT_DEFAULT_FG);
	assert_int_equal(t->screen[0][0].bg, VT_DEFAULT_BG);
	/* The cursor is an inverse cell after the text. */
	assert_int_equal(t->screen[0][5].fg, VT_DEFAULT_BG);
	assert_int_equal(t->screen[0][5].bg, VT_DEFAULT_FG);
	put(t, "!");
	assert_int_equal(t->screen[0][5].ch, '!');
	assert_int_equal(t->screen[0][5].fg, VT_DEFAULT_FG);
	expect_consistent(t);
}

static void test_wrap(void **state)
{
	struct term *t = term_new(10, 4, false);

	put(t, "0123456789");
	/* Deferred wrap: the cursor stays on the last column until the next character. */
	expect_cursor(t, 9, 0);
	assert_string_equal(row_text(t, 1), "");
	put(t, "X");
	assert_string_equal(row_text(t, 0), "0123456789");
	assert_string_equal(row_text(t, 1), "X");
	expect_cursor(t, 1, 1);
	/* A full line and CR LF leave no empty line. */
	put(t, "\r\nabcdefghij\r\nY");
	assert_string_equal(row_text(t, 2), "abcdefghij");
	assert_string_equal(row_text(t, 3), "Y");
	expect_consistent(t);
}

static void test_newline_scrolls(void **state)
{
	struct term *t = term_new(10, 4, true);
	unsigned draws;

	put(t, "a\nb\nc\nd");
	assert_int_equal(t->scrolls, 0);
	draws = t->draws;
	put(t, "\ne");
	/* One scroll op, and only the new character and the cursor are drawn. */
	assert_int_equal(t->scrolls, 1);
	assert_true(t->draws - draws <= 4);
	assert_string_equal(row_text(t, 0), "b");
	assert_string_equal(row_text(t, 2), "d");
	assert_string_equal(row_text(t, 3), "e");
	expect_cursor(t, 1, 3);
	expect_consistent(t);
}

static void test_linefeed_keeps_column(void **state)
{
	struct term *t = term_new(10, 4, false);

	put(t, "ab\ncd");
	assert_string_equal(row_text(t, 1), "  cd");
	put(t, "\x1b[20h\nX\x1b[20l\nY");
	assert_string_equal(row_text(t, 2), "X");
	assert_string_equal(row_text(t, 3), " Y");
	expect_consistent(t);
}

static void test_single_row(void **state)
{
	struct term *t = term_new(5, 1, true);

	put(t, "abc\nde");
	assert_int_equal(t->scrolls, 0);
	assert_string_equal(row_text(t, 0), "de");
	expect_consistent(t);
}

static void test_cup_clamps(void **state)
{
	struct term *t = term_new(20, 10, false);

	put(t, "\x1b[3;5H");
	expect_cursor(t, 4, 2);
	put(t, "\x1b[99;99H");
	expect_cursor(t, 19, 9);
	put(t, "\x1b[H");
	expect_cursor(t, 0, 0);
	put(t, "\x1b[;7H");
	expect_cursor(t, 6, 0);
	put(t, "\x1b[4;f");
	expect_cursor(t, 0, 3);
	put(t, "\x1b[0;0f");
	expect_cursor(t, 0, 0);
	put(t, "\x1b[99999999999999999999999;4294967297H");
	expect_cursor(t, 19, 9);
	put(t, "\x1b[5A");
	expect_cursor(t, 19, 4);
	put(t, "\x1b[100A\x1b[100D");
	expect_cursor(t, 0, 0);
	put(t, "\x1b[B\x1b[0C");
	expect_cursor(t, 1, 1);
	put(t, "\x1b[100B\x1b[100C");
	expect_cursor(t, 19, 9);
	put(t, "\x1b[2F");
	expect_cursor(t, 0, 7);
	put(t, "\x1b[E\x1b[12G");
	expect_cursor(t, 11, 8);
	put(t, "\x1b[3d");
	expect_cursor(t, 11, 2);
	expect_consistent(t);
}

/* Fill a 6x4 screen with rows "aaaaaa".."dddddd" and put the cursor at (2, 1). */
static struct term *filled(void)
{
	struct term *t = term_new(6, 4, false);

	put(t, "aaaaaa\r\nbbbbbb\r\ncccccc\r\ndddddd\x1b[2;3H");
	return t;
}

static void test_erase_display(void **state)
{
	struct term *t = filled();

	put(t, "\x1b[J");
	assert_string_equal(row_text(t, 0), "aaaaaa");
	assert_string_equal(row_text(t, 1), "bb");
	assert_string_equal(row_text(t, 2), "");
	expect_consistent(t);

	t = filled();
	put(t, "\x1b[1J");
	assert_string_equal(row_text(t, 0), "");
	assert_string_equal(row_text(t, 1), "   bbb");
	assert_string_equal(row_text(t, 3), "dddddd");
	expect_consistent(t);

	t = filled();
	put(t, "\x1b[2J");
	assert_string_equal(row_text(t, 0), "");
	assert_string_equal(row_text(t, 3), "");
	expect_cursor(t, 2, 1); /* ED does not move the cursor */
	expect_consistent(t);
}

static void test_erase_line(void **state)
{
	struct term *t = filled();

	put(t, "\x1b[K");
	assert_string_equal(row_text(t, 1), "bb");
	put(t, "\x1b[B\x1b[1K");
	assert_string_equal(row_text(t, 2), "   ccc");
	put(t, "\x1b[B\x1b[2K");
	assert_string_equal(row_text(t, 3), "");
	assert_string_equal(row_text(t, 0), "aaaaaa");
	expect_consistent(t);
}

static void test_erase_uses_background(void **state)
{
	struct term *t = term_new(6, 3, false);

	put(t, "\x1b[44m\x1b[2J\x1b[0m");
	assert_int_equal(t->screen[2][5].bg, 4);
	put(t, "\x1b[41m\n\n\n");
	assert_int_equal(t->screen[2][3].bg, 1);
	expect_consistent(t);
}

/* Write "x" after @sgr on a fresh terminal and return how it is shown. */
static struct shown sgr_cell(const char *sgr)
{
	struct term *t = term_new(10, 2, false);

	put(t, sgr);
	put(t, "x");
	expect_consistent(t);
	return t->screen[0][0];
}

static void expect_colours(const char *sgr, uint8_t fg, uint8_t bg)
{
	struct shown s = sgr_cell(sgr);

	if (s.fg != fg || s.bg != bg || s.ch != 'x')
		fail_msg("\"\\e%s\": %c %u/%u, expected x %u/%u", sgr + 1, s.ch, s.fg, s.bg, fg,
		         bg);
}

static void test_sgr(void **state)
{
	expect_colours("\x1b[31m", 1, 0);
	expect_colours("\x1b[37;40m", 7, 0);
	expect_colours("\x1b[1m", 15, 0);
	expect_colours("\x1b[1;32m", 10, 0);
	expect_colours("\x1b[32;1m", 10, 0);
	expect_colours("\x1b[92m", 10, 0);
	expect_colours("\x1b[1;92m", 10, 0);
	expect_colours("\x1b[44m", 7, 4);
	expect_colours("\x1b[104m", 7, 12);
	expect_colours("\x1b[97;100m", 15, 8);
	expect_colours("\x1b[31;44m\x1b[0m", 7, 0);
	expect_colours("\x1b[31;44m\x1b[m", 7, 0);
	expect_colours("\x1b[31;44;39m", 7, 4);
	expect_colours("\x1b[31;44;49m", 1, 0);
	expect_colours("\x1b[1;31;22m", 1, 0);
	expect_colours("\x1b[7m", 0, 7);
	expect_colours("\x1b[31;44;7m", 4, 1);
	expect_colours("\x1b[1;31;7m", 0, 9);
	expect_colours("\x1b[7;27m", 7, 0);
	expect_colours("\x1b[38;5;3m", 3, 0);
	expect_colours("\x1b[48;5;12m", 7, 12);
	expect_colours("\x1b[38;5;200m", 7, 0);
	/* The r;g;b values of 38;2 are not read as SGR 1, 7 or 31. */
	expect_colours("\x1b[38;2;1;7;31m", 7, 0);
	expect_colours("\x1b[38;2;1;7;31;32m", 2, 0);
	expect_colours("\x1b[38m", 7, 0);
	expect_colours("\x1b[4;5;9;53m", 7, 0);
}

static void test_backspace(void **state)
{
	struct term *t = term_new(10, 3, false);

	put(t, "\b\b");
	expect_cursor(t, 0, 0);
	put(t, "abc\b");
	expect_cursor(t, 2, 0);
	put(t, "\b \b");
	assert_string_equal(row_text(t, 0), "a c");
	expect_cursor(t, 1, 0);
	/* At the right margin with a wrap pending, BS leaves the last column. */
	put(t, "\r0123456789\b");
	expect_cursor(t, 8, 0);
	put(t, "X");
	assert_string_equal(row_text(t, 0), "01234567X9");
	assert_string_equal(row_text(t, 1), "");
	expect_consistent(t);
}

static void test_tab(void **state)
{
	struct term *t = term_new(20, 2, false);

	put(t, "\tA");
	assert_string_equal(row_text(t, 0), "        A");
	put(t, "\t\t\t\t");
	expect_cursor(t, 19, 0);
	expect_consistent(t);
}

static void test_save_restore(void **state)
{
	struct term *t = term_new(20, 5, false);

	put(t, "\x1b[3;4H\x1b[31m\0337\x1b[0m\x1b[H\0338x");
	assert_int_equal(t->screen[2][3].ch, 'x');
	assert_int_equal(t->screen[2][3].fg, 1);
	put(t, "\x1b[5;6H\x1b[s\x1b[1;1H\x1b[uy");
	assert_int_equal(t->screen[4][5].ch, 'y');
	expect_consistent(t);
}

static void test_cursor_visibility(void **state)
{
	struct term *t = term_new(10, 2, false);

	put(t, "\x1b[?25l");
	assert_false(t->vt.cursor_drawn);
	assert_int_equal(t->screen[0][0].bg, VT_DEFAULT_BG);
	put(t, "\x1b[?25h");
	assert_true(t->vt.cursor_drawn);
	assert_int_equal(t->screen[0][0].bg, VT_DEFAULT_FG);
	expect_consistent(t);
}

static void test_reset(void **state)
{
	struct term *t = term_new(10, 3, false);

	put(t, "\x1b[31mabc\ndef\033c");
	assert_string_equal(row_text(t, 0), "");
	assert_string_equal(row_text(t, 1), "");
	expect_cursor(t, 0, 0);
	put(t, "x");
	assert_int_equal(t->screen[0][0].fg, VT_DEFAULT_FG);
	expect_consistent(t);
}

static void test_malformed_sequences(void **state)
{
	struct term *t = term_new(40, 4, false);

	/* Nine parameters: ignored as a whole, text after it is plain. */
	put(t, "\x1b[1;2;3;4;5;6;7;8;31ma");
	/* Sub-parameters, intermediates, unknown finals and private modes: ignored. */
	put(t, "\x1b[38:5:1mb\x1b[ qc\x1b[?1049hd\x1b[>0ce\x1b[1;2?mf");
	/* ESC restarts a sequence; CAN and SUB abort one. */
	put(t, "\x1b[1\x1b[32mg\x1b[0m\x1b[31\x18h\x1b[4\x1ai");
	assert_string_equal(row_text(t, 0), "abcdefghi");
	assert_int_equal(t->screen[0][0].fg, VT_DEFAULT_FG);
	assert_int_equal(t->screen[0][6].fg, 2);
	assert_int_equal(t->screen[0][7].fg, VT_DEFAULT_FG);
	/* Character set designations, OSC titles ended by BEL or ST, DCS strings. */
	put(t, "\r\n\x1b(Bj\x1b]0;title\x07k\x1b]2;t\x1b\\l\x1bPqdata\x1b\\m\x1b_x\x18n");
	assert_string_equal(row_text(t, 1), "jklmn");
	/* C0 controls act inside a sequence; DEL is dropped. */
	put(t, "\r\n\x1b[\r3\1771mo\x1b[0m");
	assert_string_equal(row_text(t, 2), "o");
	assert_int_equal(t->screen[2][0].fg, 1);
	/* A sequence cut by a byte >= 0x80 is dropped and the byte is text. */
	put(t, "\r\n\x1b[3\xc3\xa9p");
	assert_int_equal(t->screen[3][0].ch, 0xe9);
	assert_int_equal(t->screen[3][1].ch, 'p');
	expect_consistent(t);
}

static void test_utf8(void **state)
{
	struct term *t = term_new(40, 3, false);

	/* é and ÿ are Latin-1; the euro sign, an emoji and U+0085 are not. */
	put(t, "\xc3\xa9\xc3\xbf\xe2\x82\xac\xf0\x9f\x98\x80\xc2\x85.");
	assert_int_equal(t->screen[0][0].ch, 0xe9);
	assert_int_equal(t->screen[0][1].ch, 0xff);
	assert_string_equal(row_text(t, 0) + 2, "???.");
	/* A stray continuation, C0/C1/F5-FF leads, an overlong NUL, a surrogate, a cut sequence. */
	put(t, "\r\n\x80|\xc0|\xff|\xc0\x80|\xed\xa0\x80|\xe0\x80\x80|\303A|\xf4\x90\x80\x80|");
	assert_string_equal(row_text(t, 1), "?|?|?|??|?|?|?A|?|");
	/* A character split over two writes. */
	put(t, "\r\n\xc3");
	put(t, "\xa9");
	assert_int_equal(t->screen[2][0].ch, 0xe9);
	expect_consistent(t);
}

/* A small deterministic generator (xorshift32). */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Random bytes biased towards escape sequences; every op is range-checked by the fake display. */
static void test_random_stream(void **state)
{
	static const char pieces[] =
		"\x1b[;?0123456789mHJKABCDfsu78c\r\n\b\t\x18\x80\xc3\xe2]\x07\\";
	uint8_t buf[64];
	uint32_t seed = 12345;
	unsigned i, j, sizes[][2] = { { 1, 1 }, { 7, 3 }, { 80, 25 }, { 3, 40 } };

	for (i = 0; i < 4000; i++) {
		struct term *t;

		if (i % 1000 == 0)
			term_new(sizes[i / 1000][0], sizes[i / 1000][1], (i / 1000) & 1);
		t = &T;
		for (j = 0; j < sizeof(buf); j++) {
			uint32_t r = rnd(&seed);

			buf[j] = r % 3 ? (uint8_t)pieces[(r >> 8) % (sizeof(pieces) - 1)]
			               : (uint8_t)(r >> 16);
		}
		vt_write(&t->vt, buf, sizeof(buf));
		expect_consistent(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_rejects),
		cmocka_unit_test(test_plain_text),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_newline_scrolls),
		cmocka_unit_test(test_linefeed_keeps_column),
		cmocka_unit_test(test_single_row),
		cmocka_unit_test(test_cup_clamps),
		cmocka_unit_test(test_erase_display),
		cmocka_unit_test(test_erase_line),
		cmocka_unit_test(test_erase_uses_background),
		cmocka_unit_test(test_sgr),
		cmocka_unit_test(test_backspace),
		cmocka_unit_test(test_tab),
		cmocka_unit_test(test_save_restore),
		cmocka_unit_test(test_cursor_visibility),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_malformed_sequences),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_random_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
