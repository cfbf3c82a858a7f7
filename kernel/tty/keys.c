// SPDX-License-Identifier: MIT
/*
 * Key events (lib/input/input.h) to the bytes a terminal sends for them.
 * The cursor and editing keys send the sequences of a VT220 / xterm in
 * normal cursor mode (xterm's ctlseqs, "PC-Style Function Keys": CSI A..D
 * for the arrows, CSI H and CSI F for Home and End, CSI 2/3/5/6 ~ for
 * Insert, Delete, Page Up, Page Down), which is what a serial terminal
 * sends too, so the shell's line editor sees the same bytes from either
 * console. Pure: it touches no device and takes no lock.
 */
#include <lib/input/input.h>
#include <lib/string.h>

#include "tty/tty.h"

/* The escape sequence @key sends, or NULL for a key that has none. */
static const char *key_sequence(uint16_t key)
{
	switch (key) {
	case KEY_UP:
		return "\x1b[A";
	case KEY_DOWN:
		return "\x1b[B";
	case KEY_RIGHT:
		return "\x1b[C";
	case KEY_LEFT:
		return "\x1b[D";
	case KEY_HOME:
		return "\x1b[H";
	case KEY_END:
		return "\x1b[F";
	case KEY_INSERT:
		return "\x1b[2~";
	case KEY_DELETE:
		return "\x1b[3~";
	case KEY_PAGE_UP:
		return "\x1b[5~";
	case KEY_PAGE_DOWN:
		return "\x1b[6~";
	default:
		return NULL;
	}
}

/* The keypad's second meaning, with Num Lock off (or Shift held): the key it stands in for. */
static uint16_t keypad_as_cursor(uint16_t key)
{
	switch (key) {
	case KEY_KP_8:
		return KEY_UP;
	case KEY_KP_2:
		return KEY_DOWN;
	case KEY_KP_6:
		return KEY_RIGHT;
	case KEY_KP_4:
		return KEY_LEFT;
	case KEY_KP_7:
		return KEY_HOME;
	case KEY_KP_1:
		return KEY_END;
	case KEY_KP_0:
		return KEY_INSERT;
	case KEY_KP_DOT:
		return KEY_DELETE;
	case KEY_KP_9:
		return KEY_PAGE_UP;
	case KEY_KP_3:
		return KEY_PAGE_DOWN;
	default:
		return KEY_NONE;
	}
}

size_t tty_key_bytes(const struct key_event *ev, char out[TTY_KEY_BYTES_MAX])
{
	uint16_t key = ev->key;
	const char *seq;
	size_t n;

	if (!ev->pressed)
		return 0;
	if (!ev->ascii && keypad_as_cursor(key) != KEY_NONE)
		key = keypad_as_cursor(key);
	seq = key_sequence(key);
	if (seq) {
		n = strlen(seq);
		memcpy(out, seq, n);
		return n;
	}
	switch (key) {
	case KEY_ENTER:
	case KEY_KP_ENTER:
		/* What a terminal's Return sends; canonical mode reads '\n' (ICRNL). */
		out[0] = '\r';
		return 1;
	case KEY_BACKSPACE:
		out[0] = 0x7f; /* DEL, as xterm and Linux's console send for Backspace */
		return 1;
	default:
		break;
	}
	if (!ev->ascii)
		return 0;
	out[0] = ev->ascii;
	return 1;
}
