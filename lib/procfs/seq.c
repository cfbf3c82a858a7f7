// SPDX-License-Identifier: MIT
/*
 * The text buffer of /proc's files (seq.h). Every append is cut at the
 * buffer's end and sets the overflow flag, so a caller that sees it can
 * start over with more room and never shows a half-written line.
 */
#include "lib/procfs/seq.h"

#include <lib/format.h>
#include <lib/string.h>

#include <stdarg.h>

void seq_init(struct seqbuf *s, char *buf, size_t cap)
{
	s->buf = buf;
	s->cap = cap;
	s->len = 0;
	s->line = 0;
	s->pad_until = 0;
	s->overflow = false;
}

void seq_write(struct seqbuf *s, const void *p, size_t n)
{
	size_t room = s->cap - s->len;

	if (n > room) {
		s->overflow = true;
		n = room;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

void seq_puts(struct seqbuf *s, const char *str)
{
	seq_write(s, str, strlen(str));
}

void seq_putc(struct seqbuf *s, char c)
{
	seq_write(s, &c, 1);
}

static void seq_sink(void *ctx, const char *str, size_t len)
{
	seq_write(ctx, str, len);
}

void seq_printf(struct seqbuf *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vformat(seq_sink, s, fmt, ap);
	va_end(ap);
}

void seq_escape(struct seqbuf *s, const char *str, const char *esc)
{
	char oct[4];

	for (; *str; str++) {
		if (!strchr(esc, *str)) {
			seq_putc(s, *str);
			continue;
		}
		oct[0] = '\\';
		oct[1] = (char)('0' + ((unsigned char)*str >> 6));
		oct[2] = (char)('0' + (((unsigned char)*str >> 3) & 7));
		oct[3] = (char)('0' + ((unsigned char)*str & 7));
		seq_write(s, oct, sizeof(oct));
	}
}

void seq_setwidth(struct seqbuf *s, size_t width)
{
	s->line = s->len;
	s->pad_until = width;
}

void seq_pad(struct seqbuf *s, char c)
{
	size_t used = s->len - s->line;

	for (; used < s->pad_until; used++)
		seq_putc(s, ' ');
	if (c)
		seq_putc(s, c);
}

bool seq_overflowed(const struct seqbuf *s)
{
	return s->overflow;
}
