/* SPDX-License-Identifier: MIT */
/*
 * The terminal emulator of lib/vt/vt.h. The parser keeps the states of
 * ECMA-48 5.3 and 5.4 laid out as DEC's VT500 parser does (vt100.net,
 * "A parser for DEC's ANSI-compatible video terminals"): C0 controls act
 * even inside an escape sequence, CAN and SUB abort one, ESC restarts one.
 * Every cursor update is clamped to the grid, so no byte stream can make
 * an op see a cell outside it. This file holds the grid, text and the
 * escapes other than control sequences, which are in lib/vt/vt_csi.c.
 */
#include <cairn/errno.h>

#include <lib/string.h>
#include <lib/vt/vt.h>

#include "vt_internal.h"

/* C0 control characters (ECMA-48 8.3: BS 8.3.5, HT 8.3.60, LF 8.3.74, CR 8.3.15). */
#define VT_BEL 0x07
#define VT_BS  0x08
#define VT_HT  0x09
#define VT_LF  0x0a
#define VT_VT  0x0b
#define VT_FF  0x0c
#define VT_CR  0x0d
#define VT_CAN 0x18
#define VT_SUB 0x1a
#define VT_ESC 0x1b
#define VT_DEL 0x7f

#define VT_TAB_WIDTH 8 /* default tab stops, console_codes(4) */

static struct vt_cell *cell(struct vt *vt, unsigned col, unsigned row)
{
	return &vt->s.cells[(size_t)row * vt->s.cols + col];
}

/* The colours a character written now gets: bold brightens 0-7, reverse swaps. */
static uint8_t current_colour(const struct vt *vt)
{
	uint8_t fg = vt->fg, bg = vt->bg, t;

	if (vt->bold && fg < 8)
		fg += 8;
	if (vt->reverse) {
		t = fg;
		fg = bg;
		bg = t;
	}
	return (uint8_t)(fg | bg << 4);
}

static void draw(struct vt *vt, unsigned col, unsigned row, bool inverse)
{
	const struct vt_cell *c = cell(vt, col, row);
	uint8_t fg = c->colour & 0x0f, bg = c->colour >> 4;

	if (inverse)
		vt->s.ops->draw_cell(vt->s.ctx, col, row, c->ch, bg, fg);
	else
		vt->s.ops->draw_cell(vt->s.ctx, col, row, c->ch, fg, bg);
}

/* The cursor is the cell under it in inverse colours, shown between writes. */
static void hide_cursor(struct vt *vt)
{
	if (!vt->cursor_drawn)
		return;
	draw(vt, vt->cursor_col, vt->cursor_row, false);
	vt->cursor_drawn = false;
}

static void show_cursor(struct vt *vt)
{
	if (!vt->cursor_on)
		return;
	vt->cursor_col = vt->col;
	vt->cursor_row = vt->row;
	vt->cursor_drawn = true;
	draw(vt, vt->col, vt->row, true);
}

/* Blank a rectangle of the grid only (the display is told separately). */
static void blank_cells(struct vt *vt, unsigned col, unsigned row, unsigned ncols, unsigned nrows)
{
	struct vt_cell blank = { ' ', current_colour(vt) };
	unsigned r, c;

	for (r = row; r < row + nrows; r++)
		for (c = col; c < col + ncols; c++)
			*cell(vt, c, r) = blank;
}

/* Blank a rectangle inside the grid, in the grid and on the display. */
void vt_clear_rect(struct vt *vt, unsigned col, unsigned row, unsigned ncols, unsigned nrows)
{
	if (ncols == 0 || nrows == 0)
		return;
	blank_cells(vt, col, row, ncols, nrows);
	vt->s.ops->clear(vt->s.ctx, col, row, ncols, nrows, current_colour(vt) >> 4);
}

static void scroll_up(struct vt *vt)
{
	unsigned cols = vt->s.cols, rows = vt->s.rows;

	if (rows == 1) {
		vt_clear_rect(vt, 0, 0, cols, 1);
		return;
	}
	memmove(vt->s.cells, vt->s.cells + cols,
	        (size_t)(rows - 1) * cols * sizeof(struct vt_cell));
	blank_cells(vt, 0, rows - 1, cols, 1);
	vt->s.ops->scroll_up(vt->s.ctx, 1, current_colour(vt) >> 4);
}

/* Move down one row, scrolling at the bottom (IND, console_codes(4) "ESC D"). */
static void index_down(struct vt *vt)
{
	vt->wrap_pending = false;
	if (vt->row + 1 < vt->s.rows)
		vt->row++;
	else
		scroll_up(vt);
}

/* Put the cursor at (@col, @row), clamped to the grid. */
void vt_move_to(struct vt *vt, unsigned col, unsigned row)
{
	vt->col = col < vt->s.cols ? col : vt->s.cols - 1;
	vt->row = row < vt->s.rows ? row : vt->s.rows - 1;
	vt->wrap_pending = false;
}

/*
 * Write one character at the cursor. Writing the last column leaves the
 * cursor there with a wrap pending, so a full-width line followed by CR LF
 * does not leave an empty line (the VT100's deferred autowrap).
 */
static void put_char(struct vt *vt, uint8_t ch)
{
	struct vt_cell *c;

	if (vt->wrap_pending) {
		vt->col = 0;
		index_down(vt);
	}
	c = cell(vt, vt->col, vt->row);
	c->ch = ch;
	c->colour = current_colour(vt);
	draw(vt, vt->col, vt->row, false);
	if (vt->col + 1 < vt->s.cols)
		vt->col++;
	else
		vt->wrap_pending = true;
}

void vt_save_cursor(struct vt *vt)
{
	vt->saved = (struct vt_saved){ vt->col, vt->row, vt->fg, vt->bg, vt->bold, vt->reverse };
}

void vt_restore_cursor(struct vt *vt)
{
	vt->fg = vt->saved.fg;
	vt->bg = vt->saved.bg;
	vt->bold = vt->saved.bold;
	vt->reverse = vt->saved.reverse;
	vt_move_to(vt, vt->saved.col, vt->saved.row);
}

void vt_reset_rendition(struct vt *vt)
{
	vt->fg = VT_DEFAULT_FG;
	vt->bg = VT_DEFAULT_BG;
	vt->bold = false;
	vt->reverse = false;
}

/* Everything but the grid's contents back to the power-on state, then blank the screen. */
static void reset_state(struct vt *vt)
{
	vt_reset_rendition(vt);
	vt->col = 0;
	vt->row = 0;
	vt->wrap_pending = false;
	vt->newline_mode = vt->s.newline_mode;
	vt->cursor_on = true;
	vt->cursor_drawn = false;
	vt->state = VT_GROUND;
	vt->utf8_need = 0;
	vt_save_cursor(vt);
	vt_clear_rect(vt, 0, 0, vt->s.cols, vt->s.rows);
}

/* C0 controls (ECMA-48 8.3, console_codes(4) "Control characters"). */
static void control(struct vt *vt, uint8_t b)
{
	unsigned tab;

	switch (b) {
	case VT_BS:
		if (vt->col > 0)
			vt->col--;
		vt->wrap_pending = false;
		break;
	case VT_HT: /* the cursor field is never out of range, even for a moment */
		tab = (vt->col / VT_TAB_WIDTH + 1) * VT_TAB_WIDTH;
		vt->col = tab < vt->s.cols ? tab : vt->s.cols - 1;
		break;
	case VT_LF:
	case VT_VT:
	case VT_FF:
		index_down(vt);
		if (vt->newline_mode)
			vt->col = 0;
		break;
	case VT_CR:
		vt->col = 0;
		vt->wrap_pending = false;
		break;
	case VT_CAN:
	case VT_SUB:
		vt->state = VT_GROUND;
		break;
	case VT_ESC:
		vt->state = VT_ESC;
		break;
	default: /* BEL, NUL, SO, SI and the rest have no visible effect here */
		break;
	}
}

/* The glyph for a decoded code point: Latin-1 is shown, anything else is replaced. */
static uint8_t glyph_of(uint32_t cp, uint32_t min)
{
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return VT_REPLACEMENT; /* overlong, out of range or a surrogate (RFC 3629, 3) */
	if (cp >= 0xa0 && cp <= 0xff)
		return (uint8_t)cp;
	return VT_REPLACEMENT;
}

static void utf8_start(struct vt *vt, unsigned need, uint32_t bits, uint32_t min)
{
	vt->utf8_need = need;
	vt->utf8_cp = bits;
	vt->utf8_min = min;
}

/* A byte >= 0x80 in text: UTF-8 (RFC 3629, 3; lead bytes C0, C1 and F5-FF never occur). */
static void utf8_byte(struct vt *vt, uint8_t b)
{
	if (b < 0xc0) {
		if (vt->utf8_need == 0) {
			put_char(vt, VT_REPLACEMENT);
			return;
		}
		vt->utf8_cp = vt->utf8_cp << 6 | (b & 0x3f);
		if (--vt->utf8_need == 0)
			put_char(vt, glyph_of(vt->utf8_cp, vt->utf8_min));
		return;
	}
	if (b >= 0xc2 && b <= 0xdf)
		utf8_start(vt, 1, b & 0x1f, 0x80);
	else if (b >= 0xe0 && b <= 0xef)
		utf8_start(vt, 2, b & 0x0f, 0x800);
	else if (b >= 0xf0 && b <= 0xf4)
		utf8_start(vt, 3, b & 0x07, 0x10000);
	else
		put_char(vt, VT_REPLACEMENT);
}

static void ground_byte(struct vt *vt, uint8_t b)
{
	/* A sequence cut short by anything but a continuation byte shows as one replacement. */
	if (vt->utf8_need && (b < 0x80 || b >= 0xc0)) {
		vt->utf8_need = 0;
		put_char(vt, VT_REPLACEMENT);
	}
	if (b < 0x20)
		control(vt, b);
	else if (b < VT_DEL)
		put_char(vt, b);
	else if (b > VT_DEL)
		utf8_byte(vt, b);
}

/* The byte after ESC, 0x20-0x7e (ECMA-48 5.3; console_codes(4) "ESC- but not CSI-sequences"). */
static void esc_byte(struct vt *vt, uint8_t b)
{
	vt->state = VT_GROUND;
	switch (b) {
	case '[': /* CSI */
		vt_csi_start(vt);
		break;
	case ']': /* OSC */
	case 'P': /* DCS */
	case 'X': /* SOS */
	case '^': /* PM */
	case '_': /* APC */
		vt->state = VT_STRING;
		break;
	case '7': /* DECSC */
		vt_save_cursor(vt);
		break;
	case '8': /* DECRC */
		vt_restore_cursor(vt);
		break;
	case 'c': /* RIS */
		reset_state(vt);
		break;
	case 'D': /* IND */
		index_down(vt);
		break;
	case 'E': /* NEL */
		index_down(vt);
		vt->col = 0;
		break;
	default:
		if (b < 0x30)
			vt->state = VT_ESC_INTER; /* e.g. ESC ( B, a character set designation */
		break;
	}
}

/* A control string runs to ST, ESC \ (ECMA-48 5.6), or to BEL as xterm allows. */
static void string_byte(struct vt *vt, uint8_t b)
{
	if (b == VT_BEL || b == VT_CAN || b == VT_SUB)
		vt->state = VT_GROUND;
	else if (b == VT_ESC)
		vt->state = VT_ESC;
}

static void vt_byte(struct vt *vt, uint8_t b)
{
	if (vt->state == VT_GROUND) {
		ground_byte(vt, b);
		return;
	}
	if (vt->state == VT_STRING) {
		string_byte(vt, b);
		return;
	}
	if (b >= 0x80) {
		/* Not part of any 7-bit sequence: drop the sequence, keep the text. */
		vt->state = VT_GROUND;
		ground_byte(vt, b);
	} else if (b < 0x20) {
		control(vt, b);
	} else if (b == VT_DEL) {
		return;
	} else if (vt->state == VT_ESC) {
		esc_byte(vt, b);
	} else if (vt->state == VT_ESC_INTER) {
		if (b >= 0x30)
			vt->state = VT_GROUND;
	} else if (vt->state == VT_CSI) {
		vt_csi_byte(vt, b);
	} else if (b >= 0x40) {
		vt->state = VT_GROUND; /* the final byte of an ignored sequence */
	}
}

int vt_init(struct vt *vt, const struct vt_setup *setup)
{
	const struct vt_ops *ops = setup->ops;

	if (!ops || !ops->draw_cell || !ops->clear || !ops->scroll_up || !setup->cells)
		return -EINVAL;
	if (setup->cols == 0 || setup->cols > VT_MAX_COLS || setup->rows == 0 ||
	    setup->rows > VT_MAX_ROWS)
		return -EINVAL;
	memset(vt, 0, sizeof(*vt));
	vt->s = *setup;
	vt_reset(vt);
	return 0;
}

void vt_write(struct vt *vt, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	hide_cursor(vt);
	while (n--)
		vt_byte(vt, *p++);
	show_cursor(vt);
}

void vt_reset(struct vt *vt)
{
	reset_state(vt);
	show_cursor(vt);
}

void vt_redraw(struct vt *vt)
{
	unsigned r, c;

	for (r = 0; r < vt->s.rows; r++)
		for (c = 0; c < vt->s.cols; c++)
			draw(vt, c, r, false);
	vt->cursor_drawn = false;
	show_cursor(vt);
}

const struct vt_cell *vt_cell_at(const struct vt *vt, unsigned col, unsigned row)
{
	if (col >= vt->s.cols || row >= vt->s.rows)
		return NULL;
	return &vt->s.cells[(size_t)row * vt->s.cols + col];
}

void vt_get_cursor(const struct vt *vt, unsigned *col, unsigned *row)
{
	*col = vt->col;
	*row = vt->row;
}
