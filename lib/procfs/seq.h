/* SPDX-License-Identifier: MIT */
/*
 * A text buffer that /proc's files are printed into: appends never write
 * past its end but remember that they did not fit, so the caller can try
 * again with a bigger buffer (the idea of Linux's seq_file, without its
 * iterator). Also the two helpers /proc's formats need beyond printf:
 * Linux's octal escaping of names and padding a line to a column. Pure:
 * the caller owns the memory.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct seqbuf {
	char *buf;        /* the text; not NUL-terminated */
	size_t cap;       /* bytes of buf */
	size_t len;       /* bytes written (at most cap) */
	size_t line;      /* where the current line started (seq_setwidth) */
	size_t pad_until; /* column seq_pad() pads to, from line */
	bool overflow;    /* something did not fit: the text is cut */
};

/* Start an empty buffer over @cap bytes at @buf. */
void seq_init(struct seqbuf *s, char *buf, size_t cap);
/* Append @n bytes / a string / one character / formatted text. */
void seq_write(struct seqbuf *s, const void *p, size_t n);
void seq_puts(struct seqbuf *s, const char *str);
void seq_putc(struct seqbuf *s, char c);
void seq_printf(struct seqbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Append @str with each byte found in @esc written as a backslash and
 * three octal digits (Linux's seq_escape: "/mnt/a b" -> "/mnt/a\040b").
 */
void seq_escape(struct seqbuf *s, const char *str, const char *esc);
/* Note the current position as a line start and the column seq_pad() pads to. */
void seq_setwidth(struct seqbuf *s, size_t width);
/* Pad with spaces up to the column seq_setwidth() set, then append @c unless it is 0. */
void seq_pad(struct seqbuf *s, char c);
/* Whether some append did not fit. */
bool seq_overflowed(const struct seqbuf *s);
