// SPDX-License-Identifier: MIT
/*
 * The line editor: decoding keys from terminal bytes, editing the buffer,
 * and bringing the screen up to date with as little output as it can: an
 * edit rewrites the line from the first changed byte on, a cursor move is
 * one CUF/CUB, and only a sideways scroll or a recalled line reprints the
 * prompt. History and Tab completion live in lineedit_hist.c.
 */
#include "lib/tty/lineedit.h"

#include <lib/string.h>
#include <lib/tty/lineedit_internal.h>

/* Escape-sequence parser states. */
enum {
	ESC_NONE,  /* not in a sequence */
	ESC_START, /* after ESC */
	ESC_CSI,   /* after ESC [ */
	ESC_SS3,   /* after ESC O */
};

/* "Nothing in the buffer changed", for le_update(). */
#define LE_CLEAN ((size_t)-1)

#define CTRL(c) (0x1f & (c))

/* Keys that control characters stand for (0: ignored). */
static const uint8_t ctrl_keys[32] = {
	[CTRL('A')] = LE_KEY_HOME,       [CTRL('B')] = LE_KEY_LEFT,
	[CTRL('E')] = LE_KEY_END,        [CTRL('F')] = LE_KEY_RIGHT,
	[CTRL('H')] = LE_KEY_BACKSPACE,  [CTRL('K')] = LE_KEY_KILL_END,
	[CTRL('N')] = LE_KEY_DOWN,       [CTRL('P')] = LE_KEY_UP,
	[CTRL('U')] = LE_KEY_KILL_START, [CTRL('W')] = LE_KEY_KILL_WORD,
};

void le_put(struct lineedit *le, const char *s, size_t n)
{
	if (le->out && n)
		le->out(le->out_ctx, s, n);
}

void le_bell(struct lineedit *le)
{
	le_put(le, "\a", 1);
}

bool le_is_cont(uint8_t c)
{
	return (c & 0xc0) == 0x80;
}

/* Columns @n bytes at @s take: one per character, UTF-8 tails taking none. */
size_t le_text_cols(const char *s, size_t n)
{
	size_t i, w = 0;

	for (i = 0; i < n; i++)
		w += !le_is_cont((uint8_t)s[i]);
	return w;
}

/* Move the cursor sideways from column @from to column @to. */
static void le_move(struct lineedit *le, size_t from, size_t to)
{
	char seq[32];
	int n;

	if (from == to)
		return;
	if (to > from)
		n = fmt_snprintf(seq, sizeof(seq), "\x1b[%zuC", to - from);
	else
		n = fmt_snprintf(seq, sizeof(seq), "\x1b[%zuD", from - to);
	le_put(le, seq, (size_t)n);
}

/* Skip the rest of an escape sequence in a prompt, @p just past the ESC. */
static const char *skip_escape(const char *p)
{
	if (*p != '[')
		return *p ? p + 1 : p;
	p++;
	while (*p && !(*p >= 0x40 && *p <= 0x7e))
		p++;
	return *p ? p + 1 : p;
}

/* Columns a prompt takes on screen: colour and other sequences take none. */
static size_t prompt_width(const char *p)
{
	size_t w = 0;
	uint8_t c;

	while (*p) {
		c = (uint8_t)*p++;
		if (c == 0x1b)
			p = skip_escape(p);
		else if (c >= 0x20 && c != 0x7f && !le_is_cont(c))
			w++;
	}
	return w;
}

static size_t next_char(const struct lineedit *le, size_t i)
{
	if (i < le->len)
		i++;
	while (i < le->len && le_is_cont((uint8_t)le->buf[i]))
		i++;
	return i;
}

static size_t prev_char(const struct lineedit *le, size_t i)
{
	if (i > 0)
		i--;
	while (i > 0 && le_is_cont((uint8_t)le->buf[i]))
		i--;
	return i;
}

/* Columns available to the line: all but the prompt and the last one (so nothing wraps). */
static size_t le_avail(const struct lineedit *le)
{
	if (!le->cols)
		return (size_t)-1;
	if (le->cols <= le->prompt_cols + 1)
		return 1;
	return le->cols - le->prompt_cols - 1;
}

static size_t cols_between(const struct lineedit *le, size_t from, size_t to)
{
	return le_text_cols(le->buf + from, to - from);
}

/*
 * Choose the first byte shown so that the cursor is on screen, moving as
 * little as possible, and the screen is as full as the line allows.
 */
static void le_scroll(struct lineedit *le)
{
	size_t avail = le_avail(le), p;

	if (le->pos < le->shown)
		le->shown = le->pos;
	while (cols_between(le, le->shown, le->pos) > avail)
		le->shown = next_char(le, le->shown);
	while (le->shown) {
		p = prev_char(le, le->shown);
		if (cols_between(le, p, le->len) > avail)
			break;
		le->shown = p;
	}
}

/* The end of what fits on screen from le->shown on. */
static size_t le_visible_end(const struct lineedit *le)
{
	size_t avail = le_avail(le), end = le->shown, w = 0;

	while (end < le->len && w < avail) {
		end = next_char(le, end);
		w++;
	}
	return end;
}

void lineedit_refresh(struct lineedit *le)
{
	size_t end;

	le_scroll(le);
	end = le_visible_end(le);
	le_put(le, "\r", 1);
	le_put(le, le->prompt, strlen(le->prompt));
	le_put(le, le->buf + le->shown, end - le->shown);
	le_put(le, "\x1b[K", 3);
	le_move(le, cols_between(le, le->shown, end), cols_between(le, le->shown, le->pos));
}

/*
 * Bring the screen up to date after an edit that changed the buffer from
 * byte @dirty on (LE_CLEAN: only the cursor moved). @b is the state before.
 */
static void le_update(struct lineedit *le, const struct le_before *b, size_t dirty)
{
	size_t end, col;

	le_scroll(le);
	if (le->shown != b->shown || (dirty != LE_CLEAN && dirty < le->shown)) {
		lineedit_refresh(le);
		return;
	}
	col = b->col;
	if (dirty != LE_CLEAN) {
		end = le_visible_end(le);
		le_move(le, col, cols_between(le, le->shown, dirty));
		if (dirty < end)
			le_put(le, le->buf + dirty, end - dirty);
		if (!(dirty == b->len && le->len >= b->len))
			le_put(le, "\x1b[K", 3);
		col = cols_between(le, le->shown, dirty < end ? end : dirty);
	}
	le_move(le, col, cols_between(le, le->shown, le->pos));
}

static void le_snap(const struct lineedit *le, struct le_before *b)
{
	b->pos = le->pos;
	b->len = le->len;
	b->shown = le->shown;
	b->col = cols_between(le, le->shown, le->pos);
}

void le_insert(struct lineedit *le, const char *s, size_t n)
{
	struct le_before b;

	if (n > LINEEDIT_MAX - le->len) {
		le_bell(le);
		return;
	}
	le_snap(le, &b);
	memmove(le->buf + le->pos + n, le->buf + le->pos, le->len - le->pos + 1);
	memcpy(le->buf + le->pos, s, n);
	le->len += n;
	le->pos += n;
	le_update(le, &b, b.pos);
}

/* Remove bytes [@from, @to) of the line. */
static void le_delete(struct lineedit *le, size_t from, size_t to)
{
	struct le_before b;

	if (from >= to)
		return;
	le_snap(le, &b);
	memmove(le->buf + from, le->buf + to, le->len - to + 1);
	le->len -= to - from;
	if (le->pos >= to)
		le->pos -= to - from;
	else if (le->pos > from)
		le->pos = from;
	le_update(le, &b, from);
}

static void le_set_pos(struct lineedit *le, size_t pos)
{
	struct le_before b;

	le_snap(le, &b);
	le->pos = pos;
	le_update(le, &b, LE_CLEAN);
}

/* Replace the whole line with @s (a history entry), cursor at its end. */
void le_load(struct lineedit *le, const char *s)
{
	size_t n = strnlen(s, LINEEDIT_MAX);

	memcpy(le->buf, s, n);
	le->buf[n] = '\0';
	le->len = le->pos = n;
	le->shown = 0;
	lineedit_refresh(le);
}

/* Where the word before @pos starts: after the blanks before it. */
static size_t word_left(const struct lineedit *le, size_t pos)
{
	while (pos > 0 && le->buf[pos - 1] == ' ')
		pos--;
	while (pos > 0 && le->buf[pos - 1] != ' ')
		pos--;
	return pos;
}

static size_t word_right(const struct lineedit *le, size_t pos)
{
	while (pos < le->len && le->buf[pos] == ' ')
		pos++;
	while (pos < le->len && le->buf[pos] != ' ')
		pos++;
	return pos;
}

static void le_key(struct lineedit *le, enum le_key key)
{
	switch (key) {
	case LE_KEY_LEFT:
		return le_set_pos(le, prev_char(le, le->pos));
	case LE_KEY_RIGHT:
		return le_set_pos(le, next_char(le, le->pos));
	case LE_KEY_HOME:
		return le_set_pos(le, 0);
	case LE_KEY_END:
		return le_set_pos(le, le->len);
	case LE_KEY_WORD_LEFT:
		return le_set_pos(le, word_left(le, le->pos));
	case LE_KEY_WORD_RIGHT:
		return le_set_pos(le, word_right(le, le->pos));
	case LE_KEY_BACKSPACE:
		return le_delete(le, prev_char(le, le->pos), le->pos);
	case LE_KEY_DELETE:
		return le_delete(le, le->pos, next_char(le, le->pos));
	case LE_KEY_KILL_END:
		return le_delete(le, le->pos, le->len);
	case LE_KEY_KILL_START:
		return le_delete(le, 0, le->pos);
	case LE_KEY_KILL_WORD:
		return le_delete(le, word_left(le, le->pos), le->pos);
	case LE_KEY_UP:
	case LE_KEY_DOWN:
		return le_history_key(le, key);
	default:
		return;
	}
}

/* The key a finished CSI or SS3 sequence stands for (arguments as in "ESC [ a0 ; a1 ~"). */
static enum le_key csi_key(uint8_t final, unsigned a0, unsigned a1)
{
	bool word = a1 == 3 || a1 == 5; /* Alt or Ctrl held: move by words */

	switch (final) {
	case 'A':
		return LE_KEY_UP;
	case 'B':
		return LE_KEY_DOWN;
	case 'C':
		return word ? LE_KEY_WORD_RIGHT : LE_KEY_RIGHT;
	case 'D':
		return word ? LE_KEY_WORD_LEFT : LE_KEY_LEFT;
	case 'H':
		return LE_KEY_HOME;
	case 'F':
		return LE_KEY_END;
	case '~':
		if (a0 == 1 || a0 == 7)
			return LE_KEY_HOME;
		if (a0 == 4 || a0 == 8)
			return LE_KEY_END;
		return a0 == 3 ? LE_KEY_DELETE : LE_KEY_NONE;
	default:
		return LE_KEY_NONE;
	}
}

/* After ESC: '[' or 'O' starts a sequence; ESC b and ESC f move by words. */
static void esc_start(struct lineedit *le, uint8_t c)
{
	le->esc = ESC_NONE;
	if (c == '[' || c == 'O') {
		le->esc = c == '[' ? ESC_CSI : ESC_SS3;
		le->esc_arg[0] = le->esc_arg[1] = 0;
		le->esc_nargs = 0;
	} else if (c == 'b') {
		le_key(le, LE_KEY_WORD_LEFT);
	} else if (c == 'f') {
		le_key(le, LE_KEY_WORD_RIGHT);
	} else if (c == 0x1b) {
		le->esc = ESC_START;
	}
}

/*
 * One byte of an escape sequence. A sequence ends at its final byte, however
 * many parameter bytes come first (they saturate). Returns false if @c is a
 * control character, which cuts the sequence short and counts on its own.
 */
static bool le_escape(struct lineedit *le, uint8_t c)
{
	unsigned *arg;

	if (c < 0x20 && !(c == 0x1b && le->esc == ESC_START)) {
		le->esc = ESC_NONE;
		return false;
	}
	if (le->esc == ESC_START) {
		esc_start(le, c);
	} else if (le->esc == ESC_CSI && c >= '0' && c <= '9') {
		arg = &le->esc_arg[le->esc_nargs < 2 ? le->esc_nargs : 1];
		if (le->esc_nargs < 2 && *arg < 10000)
			*arg = *arg * 10 + (c - '0');
	} else if (le->esc == ESC_CSI && c == ';') {
		le->esc_nargs += le->esc_nargs < 2;
	} else if (c >= 0x40 && c <= 0x7e) {
		le->esc = ESC_NONE;
		le_key(le, csi_key(c, le->esc_arg[0], le->esc_arg[1]));
	}
	return true;
}

/* A byte of a multi-byte UTF-8 character; the character goes in when complete. */
static void le_utf8(struct lineedit *le, uint8_t c)
{
	if (le->utf8_need && le_is_cont(c)) {
		le->utf8[le->utf8_have++] = c;
		if (le->utf8_have == le->utf8_need) {
			le->utf8_need = 0;
			le_insert(le, (const char *)le->utf8, le->utf8_have);
		}
		return;
	}
	if (c >= 0xc0 && c < 0xf8) {
		le->utf8[0] = c;
		le->utf8_have = 1;
		le->utf8_need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
	}
}

static enum lineedit_status le_finish(struct lineedit *le, enum lineedit_status st)
{
	le->active = false;
	le->hist_pos = 0;
	return st;
}

/* Control characters that end the line or are not plain keys. */
static enum lineedit_status le_control(struct lineedit *le, uint8_t c, bool tab_again)
{
	switch (c) {
	case '\r':
	case '\n':
		le_set_pos(le, le->len);
		le_put(le, "\r\n", 2);
		lineedit_history_add(le, le->buf);
		return le_finish(le, LINEEDIT_DONE);
	case CTRL('C'):
		le_put(le, "^C\r\n", 4);
		return le_finish(le, LINEEDIT_CANCEL);
	case CTRL('D'):
		if (!le->len) {
			le_put(le, "\r\n", 2);
			return le_finish(le, LINEEDIT_EOF);
		}
		le_key(le, LE_KEY_DELETE);
		break;
	case CTRL('L'):
		return LINEEDIT_CLEAR;
	case CTRL('I'):
		le_complete(le, tab_again);
		break;
	case 0x1b:
		le->esc = ESC_START;
		break;
	case 0x7f:
		le_key(le, LE_KEY_BACKSPACE);
		break;
	default:
		if (c < 0x20)
			le_key(le, ctrl_keys[c]);
	}
	return LINEEDIT_EDITING;
}

enum lineedit_status lineedit_feed(struct lineedit *le, uint8_t c)
{
	bool tab_again = le->last_tab;

	if (c == '\n' && le->last_cr) {
		le->last_cr = false;
		return LINEEDIT_EDITING;
	}
	le->last_cr = c == '\r';
	if (!le->active)
		lineedit_start(le, le->prompt);
	le->last_tab = false;
	if (le->utf8_need && !le_is_cont(c))
		le->utf8_need = 0; /* a character cut short is dropped */
	if (le->esc != ESC_NONE && le_escape(le, c))
		return LINEEDIT_EDITING;
	if (c >= 0x80)
		le_utf8(le, c);
	else if (c >= 0x20 && c != 0x7f)
		le_insert(le, (const char *)&c, 1);
	else
		return le_control(le, c, tab_again);
	return LINEEDIT_EDITING;
}

void lineedit_init(struct lineedit *le, fmt_sink_fn out, void *ctx)
{
	memset(le, 0, sizeof(*le));
	le->out = out;
	le->out_ctx = ctx;
	le->prompt = "";
	le->cols = LINEEDIT_DEFAULT_COLS;
}

void lineedit_set_completion(struct lineedit *le, lineedit_complete_fn fn, void *ctx)
{
	le->complete = fn;
	le->complete_ctx = ctx;
}

void lineedit_set_cols(struct lineedit *le, unsigned cols)
{
	le->cols = cols;
}

void lineedit_start(struct lineedit *le, const char *prompt)
{
	le->prompt = prompt ? prompt : "";
	le->prompt_cols = prompt_width(le->prompt);
	le->buf[0] = '\0';
	le->len = le->pos = le->shown = 0;
	le->active = true;
	le->esc = ESC_NONE;
	le->utf8_need = 0;
	le->last_tab = false;
	le->hist_pos = 0;
	le_put(le, le->prompt, strlen(le->prompt));
}

const char *lineedit_line(const struct lineedit *le)
{
	return le->buf;
}

size_t lineedit_cursor(const struct lineedit *le)
{
	return le->pos;
}
