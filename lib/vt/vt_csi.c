/* SPDX-License-Identifier: MIT */
/*
 * Control sequences for lib/vt/vt.c (ECMA-48 5.4): collecting the numeric
 * parameters and acting on the final byte: cursor movement, erasing, SGR,
 * modes and saving the cursor. Parameters saturate at VT_PARAM_MAX and a
 * sequence with more than VT_MAX_PARAMS of them is ignored.
 */
#include <lib/string.h>
#include <lib/vt/vt.h>

#include "vt_internal.h"

/* Private modes (DEC): only DECTCEM, 25, the text cursor. */
static void set_private_modes(struct vt *vt, bool on)
{
	unsigned i;

	for (i = 0; i < vt->nparams; i++)
		if (vt->params[i] == 25)
			vt->cursor_on = on;
}

/* SM/RM (ECMA-48 8.3.125, 8.3.106): only LNM, mode 20 (console_codes(4)). */
static void set_modes(struct vt *vt, bool on)
{
	unsigned i;

	for (i = 0; i < vt->nparams; i++)
		if (vt->params[i] == 20)
			vt->newline_mode = on;
}

/* ED, erase in page (ECMA-48 8.3.39): 0 to the end, 1 from the start, 2 (and 3) all. */
static void erase_display(struct vt *vt, unsigned mode)
{
	unsigned cols = vt->s.cols, rows = vt->s.rows;

	vt->wrap_pending = false;
	if (mode == 0) {
		vt_clear_rect(vt, vt->col, vt->row, cols - vt->col, 1);
		vt_clear_rect(vt, 0, vt->row + 1, cols, rows - vt->row - 1);
	} else if (mode == 1) {
		vt_clear_rect(vt, 0, 0, cols, vt->row);
		vt_clear_rect(vt, 0, vt->row, vt->col + 1, 1);
	} else if (mode == 2 || mode == 3) {
		vt_clear_rect(vt, 0, 0, cols, rows);
	}
}

/* EL, erase in line (ECMA-48 8.3.41): 0 to the end, 1 from the start, 2 all. */
static void erase_line(struct vt *vt, unsigned mode)
{
	vt->wrap_pending = false;
	if (mode == 0)
		vt_clear_rect(vt, vt->col, vt->row, vt->s.cols - vt->col, 1);
	else if (mode == 1)
		vt_clear_rect(vt, 0, vt->row, vt->col + 1, 1);
	else if (mode == 2)
		vt_clear_rect(vt, 0, vt->row, vt->s.cols, 1);
}

/*
 * SGR 38/48 (ISO 8613-6 colours as xterm uses them): "5;n" selects palette
 * entry n, of which 0-15 are ours; "2;r;g;b" is skipped. Returns how many
 * parameters after @i were used; an unknown form swallows the rest.
 */
static unsigned sgr_extended(struct vt *vt, unsigned i)
{
	unsigned n = vt->nparams;

	if (i + 1 >= n)
		return 0;
	if (vt->params[i + 1] == 5) {
		if (i + 2 < n && vt->params[i + 2] < VT_COLOURS) {
			if (vt->params[i] == 38)
				vt->fg = (uint8_t)vt->params[i + 2];
			else
				vt->bg = (uint8_t)vt->params[i + 2];
		}
		return 2;
	}
	if (vt->params[i + 1] == 2)
		return 4;
	return n;
}

/* SGR, select graphic rendition (ECMA-48 8.3.117; 90-97 and 100-107 as xterm). */
static void sgr(struct vt *vt)
{
	unsigned i, p, n = vt->nparams ? vt->nparams : 1;

	for (i = 0; i < n; i++) {
		p = vt->params[i];
		if (p == 0)
			vt_reset_rendition(vt);
		else if (p == 1)
			vt->bold = true;
		else if (p == 22)
			vt->bold = false;
		else if (p == 7)
			vt->reverse = true;
		else if (p == 27)
			vt->reverse = false;
		else if (p >= 30 && p <= 37)
			vt->fg = (uint8_t)(p - 30);
		else if (p == 39)
			vt->fg = VT_DEFAULT_FG;
		else if (p >= 40 && p <= 47)
			vt->bg = (uint8_t)(p - 40);
		else if (p == 49)
			vt->bg = VT_DEFAULT_BG;
		else if (p >= 90 && p <= 97)
			vt->fg = (uint8_t)(p - 90 + 8);
		else if (p >= 100 && p <= 107)
			vt->bg = (uint8_t)(p - 100 + 8);
		else if (p == 38 || p == 48)
			i += sgr_extended(vt, i);
	}
}

/* Parameter @i with its default: absent or 0 means 1 for the cursor functions. */
static unsigned count_param(const struct vt *vt, unsigned i)
{
	return i < vt->nparams && vt->params[i] ? vt->params[i] : 1;
}

static unsigned minus(unsigned a, unsigned b)
{
	return a > b ? a - b : 0;
}

/* Cursor movement (ECMA-48 8.3.18-22, 8.3.9, 8.3.12-13, 8.3.63, 8.3.158). */
static bool csi_cursor(struct vt *vt, uint8_t final)
{
	unsigned n = count_param(vt, 0), col = vt->col, row = vt->row;

	switch (final) {
	case 'A': /* CUU */
		vt_move_to(vt, col, minus(row, n));
		break;
	case 'B': /* CUD */
		vt_move_to(vt, col, row + n);
		break;
	case 'C': /* CUF */
		vt_move_to(vt, col + n, row);
		break;
	case 'D': /* CUB */
		vt_move_to(vt, minus(col, n), row);
		break;
	case 'E': /* CNL */
		vt_move_to(vt, 0, row + n);
		break;
	case 'F': /* CPL */
		vt_move_to(vt, 0, minus(row, n));
		break;
	case 'G': /* CHA */
		vt_move_to(vt, n - 1, row);
		break;
	case 'd': /* VPA */
		vt_move_to(vt, col, n - 1);
		break;
	case 'H': /* CUP */
	case 'f': /* HVP */
		vt_move_to(vt, count_param(vt, 1) - 1, n - 1);
		break;
	default:
		return false;
	}
	return true;
}

static void csi_dispatch(struct vt *vt, uint8_t final)
{
	if (vt->priv) {
		if (vt->priv == '?' && (final == 'h' || final == 'l'))
			set_private_modes(vt, final == 'h');
		return;
	}
	if (csi_cursor(vt, final))
		return;
	switch (final) {
	case 'J':
		erase_display(vt, vt->params[0]);
		break;
	case 'K':
		erase_line(vt, vt->params[0]);
		break;
	case 'm':
		sgr(vt);
		break;
	case 'h':
	case 'l':
		set_modes(vt, final == 'h');
		break;
	case 's': /* SCOSC */
		vt_save_cursor(vt);
		break;
	case 'u': /* SCORC */
		vt_restore_cursor(vt);
		break;
	default:
		break;
	}
}

/* A byte 0x20-0x7e of a control sequence (ECMA-48 5.4). */
void vt_csi_byte(struct vt *vt, uint8_t b)
{
	unsigned *p;

	if (b >= '0' && b <= '9') {
		if (vt->nparams == 0)
			vt->nparams = 1;
		p = &vt->params[vt->nparams - 1];
		*p = *p * 10 + (unsigned)(b - '0');
		if (*p > VT_PARAM_MAX)
			*p = VT_PARAM_MAX;
	} else if (b == ';') {
		if (vt->nparams == 0)
			vt->nparams = 1;
		if (vt->nparams == VT_MAX_PARAMS)
			vt->state = VT_CSI_IGNORE;
		else
			vt->nparams++;
	} else if (b >= 0x3c && b <= 0x3f) {
		/* A private marker may only open the parameter string. */
		if (vt->nparams || vt->priv)
			vt->state = VT_CSI_IGNORE;
		else
			vt->priv = b;
	} else if (b >= 0x40) {
		vt->state = VT_GROUND;
		csi_dispatch(vt, b);
	} else {
		/* ':' sub-parameters and intermediate bytes: nothing we act on. */
		vt->state = VT_CSI_IGNORE;
	}
}

void vt_csi_start(struct vt *vt)
{
	vt->state = VT_CSI;
	vt->priv = 0;
	vt->nparams = 0;
	memset(vt->params, 0, sizeof(vt->params));
}
