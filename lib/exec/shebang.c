// SPDX-License-Identifier: MIT
/*
 * "#!" lines (lib/exec/shebang.h). The file's first bytes are copied into a
 * zero-filled buffer of Linux's size first, so a short file reads as if
 * padded with NULs, which is what Linux's parser sees too.
 */
#include <cairn/errno.h>

#include <lib/exec/shebang.h>
#include <lib/string.h>

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The first of [@p, @last] that is not a blank, or NULL. */
static const char *skip_blanks(const char *p, const char *last)
{
	for (; p <= last; p++)
		if (!blank(*p))
			return p;
	return NULL;
}

/* The first of [@p, @last] that ends a word (a blank or NUL), or NULL. */
static const char *word_end(const char *p, const char *last)
{
	for (; p <= last; p++)
		if (blank(*p) || !*p)
			return p;
	return NULL;
}

/* The first newline of @buf before any NUL, or NULL. */
static const char *find_newline(const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n && buf[i]; i++)
		if (buf[i] == '\n')
			return buf + i;
	return NULL;
}

/* Copy [@from, @to) into @dst (SHEBANG_BUF bytes) up to the first NUL, terminated. */
static void copy_word(char *dst, const char *from, const char *to)
{
	size_t n = 0;

	while (from + n < to && from[n] && n < SHEBANG_BUF - 1) {
		dst[n] = from[n];
		n++;
	}
	dst[n] = '\0';
}

bool shebang_is_script(const char *head, size_t n)
{
	return n >= 2 && head[0] == '#' && head[1] == '!';
}

/* Where the line's useful part ends (exclusive), trailing blanks dropped; NULL: -ENOEXEC. */
static const char *line_end(const char *buf)
{
	const char *last = buf + SHEBANG_BUF - 1, *end = find_newline(buf, SHEBANG_BUF), *name;

	if (!end) {
		/* No newline in the buffer: the name must still end inside it. */
		name = skip_blanks(buf + 2, last);
		if (!name || !word_end(name, last))
			return NULL;
		end = last;
	}
	while (blank(end[-1]))
		end--;
	return end;
}

int shebang_parse(const char *head, size_t n, struct shebang *out)
{
	char buf[SHEBANG_BUF];
	const char *end, *name, *sep, *arg = NULL;

	if (!shebang_is_script(head, n))
		return -ENOEXEC;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, head, n < SHEBANG_BUF ? n : SHEBANG_BUF);
	end = line_end(buf);
	if (!end)
		return -ENOEXEC;
	name = skip_blanks(buf + 2, end);
	if (!name || name == end)
		return -ENOEXEC;
	sep = word_end(name, end);
	if (sep && *sep)
		arg = skip_blanks(sep, end);
	/* The name runs to the separator, or to the line's end when there is none. */
	copy_word(out->interp, name, sep && sep < end ? sep : end);
	out->has_arg = arg != NULL && arg < end;
	copy_word(out->arg, out->has_arg ? arg : end, end);
	return 0;
}
