/* SPDX-License-Identifier: MIT */
/*
 * What the two halves of the line editor share: lineedit.c (keys, editing,
 * redraw) and lineedit_hist.c (history, Tab completion). Included only from
 * lib/tty/.
 */
#pragma once

#include <lib/tty/lineedit.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Editing keys, decoded from control characters and escape sequences. */
enum le_key {
	LE_KEY_NONE,
	LE_KEY_LEFT,
	LE_KEY_RIGHT,
	LE_KEY_HOME,
	LE_KEY_END,
	LE_KEY_WORD_LEFT,
	LE_KEY_WORD_RIGHT,
	LE_KEY_UP,
	LE_KEY_DOWN,
	LE_KEY_BACKSPACE,
	LE_KEY_DELETE,
	LE_KEY_KILL_END,   /* ^K */
	LE_KEY_KILL_START, /* ^U */
	LE_KEY_KILL_WORD,  /* ^W */
};

/* The editor's state before an edit, to work out what to redraw. */
struct le_before {
	size_t pos;   /* cursor byte offset */
	size_t len;   /* line length */
	size_t shown; /* first byte on screen */
	size_t col;   /* cursor column, counted from the end of the prompt */
};

/* lineedit.c */
void le_put(struct lineedit *le, const char *s, size_t n);
void le_bell(struct lineedit *le);
bool le_is_cont(uint8_t c);
size_t le_text_cols(const char *s, size_t n);
void le_insert(struct lineedit *le, const char *s, size_t n);
void le_load(struct lineedit *le, const char *s);

/* lineedit_hist.c */
void le_history_key(struct lineedit *le, enum le_key key);
void le_complete(struct lineedit *le, bool again);
