/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/vt/vt.c and lib/vt/vt_csi.c: the input is a byte
 * stream written to a small terminal in pieces. The first input byte picks
 * the geometry and the newline mode. Every op aborts on a cell, rectangle,
 * scroll count or colour outside the grid, and the display the ops built
 * must match the terminal's grid at the end.
 */
#include <lib/vt/vt.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_COLS 24
#define FUZZ_ROWS 8

static struct vt_cell cells[FUZZ_COLS * FUZZ_ROWS];
static uint8_t shown[FUZZ_ROWS][FUZZ_COLS][3]; /* ch, fg, bg */
static unsigned cols, rows;

static void op_draw(void *ctx, unsigned col, unsigned row, uint8_t ch, uint8_t fg, uint8_t bg)
{
	if (col >= cols || row >= rows || fg > 15 || bg > 15)
		abort();
	shown[row][col][0] = ch;
	shown[row][col][1] = fg;
	shown[row][col][2] = bg;
}

static void op_clear(void *ctx, unsigned col, unsigned row, unsigned ncols, unsigned nrows,
                     uint8_t bg)
{
	unsigned r, c;

	if (ncols == 0 || nrows == 0 || col >= cols || row >= rows || ncols > cols - col ||
	    nrows > rows - row || bg > 15)
		abort();
	for (r = row; r < row + nrows; r++)
		for (c = col; c < col + ncols; c++) {
			shown[r][c][0] = ' ';
			shown[r][c][2] = bg;
		}
}

static void op_scroll(void *ctx, unsigned n, uint8_t bg)
{
	unsigned c;

	if (n == 0 || n >= rows || bg > 15)
		abort();
	memmove(shown[0], shown[n], sizeof(shown[0]) * (rows - n));
	for (c = 0; c < cols; c++) {
		shown[rows - n][c][0] = ' ';
		shown[rows - n][c][2] = bg;
	}
}

static const struct vt_ops ops = { op_draw, op_clear, op_scroll };

/* The display must show the grid: characters and backgrounds, the cursor cell inverted. */
static void check(const struct vt *vt)
{
	unsigned r, c;

	for (r = 0; r < rows; r++)
		for (c = 0; c < cols; c++) {
			const struct vt_cell *g = vt_cell_at(vt, c, r);
			bool cur = vt->cursor_drawn && c == vt->cursor_col && r == vt->cursor_row;
			uint8_t bg = cur ? shown[r][c][1] : shown[r][c][2];

			if (!g || g->ch != shown[r][c][0] || bg != g->colour >> 4)
				abort();
		}
}

/* libFuzzer entry point: write @data to a fresh terminal in pieces of varying size. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vt vt;
	struct vt_setup s = { &ops, NULL, cells, 0, 0, false };
	size_t i, n;

	if (size < 1)
		return 0;
	cols = s.cols = 1 + data[0] % FUZZ_COLS;
	rows = s.rows = 1 + (data[0] >> 3) % FUZZ_ROWS;
	s.newline_mode = data[0] & 0x80;
	if (vt_init(&vt, &s))
		abort();
	for (i = 1; i < size; i += n) {
		n = 1 + (size - i) % 7;
		if (n > size - i)
			n = size - i;
		vt_write(&vt, data + i, n);
	}
	check(&vt);
	return 0;
}
