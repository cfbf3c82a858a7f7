/* SPDX-License-Identifier: MIT */
/*
 * A character-cell terminal emulator as pure mechanism: it parses a byte
 * stream (text in UTF-8, C0 controls, the ECMA-48 control sequences a shell
 * uses) into a grid of cells the caller provides, and tells the caller what
 * to draw through struct vt_ops. It owns no pixels and knows no device, so
 * the kernel's framebuffer console and the host tests share it.
 *
 * Supported: CR LF BS HT (stops every 8) VT FF; autowrap with a deferred
 * wrap at the right margin; scrolling; CSI CUU CUD CUF CUB CNL CPL CHA VPA
 * CUP HVP ED EL SGR, save/restore cursor (CSI s/u, ESC 7/8), ESC c (reset),
 * ESC D/E, DECTCEM (CSI ?25h/l) and LNM (CSI 20h/l). Anything else is
 * parsed to its end and ignored, including OSC/DCS strings.
 *
 * Text: UTF-8 is decoded and each code point takes one cell. The grid
 * holds Latin-1 (U+0000..U+00FF, the code points of kernel/dev/font.h);
 * every other code point, every malformed or overlong UTF-8 sequence and
 * the C1 range U+0080..U+009F shows as VT_REPLACEMENT ('?'), one per
 * code point or per offending sequence.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VT_MAX_COLS   1024 /* grid limits: any real screen fits, cols * rows stays small */
#define VT_MAX_ROWS   1024
#define VT_MAX_PARAMS 8    /* a longer control sequence is ignored */
#define VT_PARAM_MAX  9999 /* larger numeric parameters saturate here */

#define VT_COLOURS    16
#define VT_DEFAULT_FG 7 /* light grey */
#define VT_DEFAULT_BG 0 /* black */

#define VT_REPLACEMENT '?'

/* One character cell: a Latin-1 character and its resolved colours. */
struct vt_cell {
	uint8_t ch;     /* Latin-1 code point */
	uint8_t colour; /* foreground (0-15) in bits 0-3, background in bits 4-7 */
};

/*
 * What the terminal asks of its display. Every coordinate handed to these
 * is inside the grid and every colour is 0-15, whatever bytes were written.
 */
struct vt_ops {
	/* Draw @ch at (@col, @row) in colour @fg on @bg. */
	void (*draw_cell)(void *ctx, unsigned col, unsigned row, uint8_t ch, uint8_t fg,
	                  uint8_t bg);
	/* Fill @ncols cells from @col on each of @nrows rows from @row with @bg (all >= 1). */
	void (*clear)(void *ctx, unsigned col, unsigned row, unsigned ncols, unsigned nrows,
	              uint8_t bg);
	/* Move rows @n..rows-1 up to row 0 and fill the last @n rows with @bg; 1 <= @n < rows. */
	void (*scroll_up)(void *ctx, unsigned n, uint8_t bg);
};

/* How to set up a terminal. */
struct vt_setup {
	const struct vt_ops *ops;
	void *ctx;             /* passed to every op */
	struct vt_cell *cells; /* cols * rows cells, row by row, owned by the caller */
	unsigned cols;         /* 1..VT_MAX_COLS */
	unsigned rows;         /* 1..VT_MAX_ROWS */
	bool newline_mode;     /* LNM after a reset: LF also returns to column 0 */
};

/* The parser's state (ECMA-48 5.3 and 5.4). */
enum vt_state {
	VT_GROUND,     /* text and C0 controls */
	VT_ESC,        /* after ESC */
	VT_ESC_INTER,  /* ESC and intermediate bytes, up to the final byte */
	VT_CSI,        /* a control sequence being collected */
	VT_CSI_IGNORE, /* a control sequence we do not act on, up to its final byte */
	VT_STRING,     /* OSC, DCS, SOS, PM or APC string, up to BEL or ST */
};

/* Cursor and rendition saved by ESC 7 / CSI s. */
struct vt_saved {
	unsigned col, row;
	uint8_t fg, bg;
	bool bold, reverse;
};

/* A terminal. Fields are private to lib/vt/vt.c; the caller provides the memory and the lock. */
struct vt {
	struct vt_setup s;
	unsigned col, row;   /* cursor, always inside the grid */
	bool wrap_pending;   /* the last column was written; wrap before the next character */
	uint8_t fg, bg;      /* SGR colours before bold and reverse, 0-15 */
	bool bold, reverse;  /* SGR 1 (shown as the bright colour) and SGR 7 */
	bool newline_mode;   /* LNM */
	bool cursor_on;      /* DECTCEM */
	bool cursor_drawn;   /* the cursor is shown at (cursor_col, cursor_row) */
	unsigned cursor_col; /* where it is shown */
	unsigned cursor_row;
	struct vt_saved saved;
	enum vt_state state;
	uint8_t priv;     /* private marker of the CSI being collected ('?'), or 0 */
	unsigned nparams; /* parameters started so far */
	unsigned params[VT_MAX_PARAMS];
	uint32_t utf8_cp;   /* code point being decoded */
	uint32_t utf8_min;  /* smallest code point its length may encode */
	unsigned utf8_need; /* continuation bytes still expected */
};

/*
 * Set up @vt as @setup describes, clear the grid and draw the blank screen.
 * Returns 0, or -EINVAL when the geometry is out of range or an op is
 * missing. The caller serializes all calls on one terminal.
 */
int __must_check vt_init(struct vt *vt, const struct vt_setup *setup);

/* Interpret @n bytes of @buf and leave the cursor drawn where it ends. */
void vt_write(struct vt *vt, const void *buf, size_t n);

/* Full reset (as ESC c): default rendition, cursor home, blank screen. */
void vt_reset(struct vt *vt);

/* Draw every cell again and the cursor (after the display lost its contents). */
void vt_redraw(struct vt *vt);

/* The cell at (@col, @row), or NULL outside the grid. */
const struct vt_cell *vt_cell_at(const struct vt *vt, unsigned col, unsigned row);

/* The cursor position. */
void vt_get_cursor(const struct vt *vt, unsigned *col, unsigned *row);
