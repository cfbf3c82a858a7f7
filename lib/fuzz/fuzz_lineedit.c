/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/tty/lineedit.c: the first byte picks the
 * terminal width, the rest are keys. Checks after every byte that the line
 * is NUL-terminated within bounds, that the cursor sits on a character
 * boundary inside it, and that the editor only ever emits the few controls
 * it promises.
 */
#include <lib/tty/lineedit.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_sink(void *ctx, const char *s, size_t len)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c < 0x20 && c != '\r' && c != '\n' && c != '\a' && c != 0x1b)
			abort();
	}
}

static void fuzz_complete(void *ctx, struct lineedit_completion *c)
{
	static const char *const names[] = { "a", "ab", "abc", "b\xc3\xa9", "b\xc3\xaa", "" };
	size_t i;

	if (c->prefix_len > LINEEDIT_MAX || c->prefix + c->prefix_len > c->le->buf + c->le->len)
		abort();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		lineedit_offer(c, names[i]);
}

/* libFuzzer entry point: feed @data to an editor as keys. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lineedit le;
	const char *line;
	size_t i, len, pos;

	if (!size)
		return 0;
	lineedit_init(&le, fuzz_sink, NULL);
	lineedit_set_cols(&le, data[0] % 100);
	lineedit_set_completion(&le, fuzz_complete, NULL);
	lineedit_start(&le, "\x1b[1m>\x1b[0m ");
	for (i = 1; i < size; i++) {
		lineedit_feed(&le, data[i]);
		line = lineedit_line(&le);
		len = strnlen(line, LINEEDIT_MAX + 1);
		pos = lineedit_cursor(&le);
		if (len > LINEEDIT_MAX || pos > len || ((unsigned char)line[pos] & 0xc0) == 0x80)
			abort();
	}
	return 0;
}
