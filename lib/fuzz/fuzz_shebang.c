/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/exec/shebang.c: the input is a file's first
 * bytes. Checks that a parse succeeds only for "#!" files, that what it
 * returns is terminated, holds no blank at either end of the interpreter,
 * no newline, and is made of bytes of the first line of the input.
 */
#include <lib/exec/shebang.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether @s (NUL-terminated, shorter than SHEBANG_BUF) occurs in the first @n input bytes. */
static int inside(const char *s, const uint8_t *data, size_t n)
{
	size_t len = strlen(s), i;

	if (len == 0)
		return 1;
	for (i = 0; i + len <= n; i++)
		if (memcmp(data + i, s, len) == 0)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct shebang sb;
	size_t n = size < SHEBANG_BUF ? size : SHEBANG_BUF;
	int err = shebang_parse((const char *)data, size, &sb);

	if (err)
		return 0; /* not a script, or a "#!" line Linux refuses too */
	if (!shebang_is_script((const char *)data, size))
		abort();
	if (!memchr(sb.interp, '\0', sizeof(sb.interp)) || !memchr(sb.arg, '\0', sizeof(sb.arg)))
		abort();
	if (strchr(sb.interp, '\n') || strchr(sb.arg, '\n') || strchr(sb.interp, ' ') ||
	    strchr(sb.interp, '\t'))
		abort();
	if (!inside(sb.interp, data, n) || (sb.has_arg && !inside(sb.arg, data, n)))
		abort();
	return 0;
}
