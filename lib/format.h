/* SPDX-License-Identifier: MIT */
/*
 * printf-style formatting for the kernel and the loaders: a single engine
 * that hands finished pieces of text to a caller-supplied sink, so the same
 * code writes to a serial port, a log ring or a buffer.
 * Supports %d %i %u %x %X %o %p %s %c %% with the l, ll, z, h and hh
 * modifiers, the - 0 + space # flags, a width and a precision (each may be *).
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

/* Receives @len bytes of formatted output at @s (not NUL-terminated). */
typedef void (*fmt_sink_fn)(void *ctx, const char *s, size_t len);

/*
 * Format @fmt with @ap, passing the output to @sink in pieces.
 * Returns the number of characters produced. An unknown conversion is
 * copied through literally, so a bad format string never reads a wild
 * argument beyond the one it names.
 */
int fmt_vformat(fmt_sink_fn sink, void *ctx, const char *fmt, va_list ap);
int fmt_format(fmt_sink_fn sink, void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Format into @buf of @size bytes, always NUL-terminated when @size > 0.
 * Returns the length the full output would have had (as C99 snprintf).
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
