/* SPDX-License-Identifier: MIT */
/*
 * Formatted output for the loaders: lib/format.c does the formatting and
 * this file collects the pieces into short chunks for the loader's puts
 * callback (serial port, firmware console), which only takes C strings.
 */
#include <lib/format.h>

#include "boot/common/loader.h"

#define PRINTF_CHUNK 128

struct printf_buf {
	const struct loader_env *env;
	size_t len;
	char text[PRINTF_CHUNK];
};

static void printf_flush(struct printf_buf *b)
{
	if (b->len == 0)
		return;
	b->text[b->len] = '\0';
	b->env->puts(b->env->ctx, b->text);
	b->len = 0;
}

/* fmt_sink_fn: copy the piece in, flushing whenever the chunk fills up. */
static void printf_sink(void *ctx, const char *s, size_t len)
{
	struct printf_buf *b = ctx;

	for (size_t i = 0; i < len; i++) {
		if (b->len == PRINTF_CHUNK - 1)
			printf_flush(b);
		b->text[b->len++] = s[i];
	}
}

/*
 * Format @fmt and hand the text to env->puts in chunks. Lines carry no
 * prefix: each loader's puts adds its own ("uefi: ") at the start of a line.
 */
void loader_printf(const struct loader_env *env, const char *fmt, ...)
{
	struct printf_buf b = { .env = env, .len = 0 };
	va_list ap;

	va_start(ap, fmt);
	fmt_vformat(printf_sink, &b, fmt, ap);
	va_end(ap);
	printf_flush(&b);
}
