/* SPDX-License-Identifier: MIT */
/*
 * What lib/vt/vt.c and lib/vt/vt_csi.c share: the grid and cursor primitives the
 * control sequences act through. Included by those two files only.
 */
#pragma once

#include <lib/vt/vt.h>

#include <stdint.h>

/* Put the cursor at (@col, @row), clamped to the grid; cancels a pending wrap. */
void vt_move_to(struct vt *vt, unsigned col, unsigned row);
/* Blank a rectangle inside the grid in the current background, grid and display. */
void vt_clear_rect(struct vt *vt, unsigned col, unsigned row, unsigned ncols, unsigned nrows);
/* Save and restore the cursor position and rendition (DECSC/DECRC, SCOSC/SCORC). */
void vt_save_cursor(struct vt *vt);
void vt_restore_cursor(struct vt *vt);
/* SGR 0: default colours, no bold, no reverse. */
void vt_reset_rendition(struct vt *vt);

/* Start collecting a control sequence (after ESC [). */
void vt_csi_start(struct vt *vt);
/* Feed a byte 0x20-0x7e of a control sequence; dispatches it at its final byte. */
void vt_csi_byte(struct vt *vt, uint8_t b);
