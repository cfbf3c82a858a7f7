// SPDX-License-Identifier: MIT
/*
 * Splitting a shell command line into words, and the bounded edit distance
 * behind the shell's suggestions. The splitter reads the line once, left to
 * right, copying each word's bytes out as its quotes and escapes say.
 */
#include "lib/tty/shlex.h"

#include <lib/string.h>

#include <stdbool.h>

/* The splitter's position in the line and in the output buffer. */
struct shlex_cursor {
	const char *p; /* next byte of the line */
	char *o;       /* next byte of the buffer */
	char *end;     /* end of the buffer */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int sx_put(struct shlex_cursor *s, char c)
{
	if (s->o == s->end)
		return SHLEX_ERR_TOO_LONG;
	*s->o++ = c;
	return 0;
}

/* The inside of '...', the opening quote already read. */
static int sx_single(struct shlex_cursor *s)
{
	int err;

	while (*s->p != '\'') {
		if (!*s->p)
			return SHLEX_ERR_SQUOTE;
		err = sx_put(s, *s->p++);
		if (err)
			return err;
	}
	s->p++;
	return 0;
}

/* The inside of "...", the opening quote already read. */
static int sx_double(struct shlex_cursor *s)
{
	char c;
	int err;

	while (*s->p != '"') {
		c = *s->p;
		if (!c)
			return SHLEX_ERR_DQUOTE;
		if (c == '\\' && (s->p[1] == '"' || s->p[1] == '\\'))
			c = *++s->p;
		s->p++;
		err = sx_put(s, c);
		if (err)
			return err;
	}
	s->p++;
	return 0;
}

/* One word, from its first byte to the blank or NUL after it; NUL-terminates it. */
static int sx_word(struct shlex_cursor *s)
{
	char c;
	int err;

	while (*s->p && !is_blank(*s->p)) {
		c = *s->p++;
		if (c == '\'') {
			err = sx_single(s);
		} else if (c == '"') {
			err = sx_double(s);
		} else if (c == '\\') {
			if (!*s->p)
				return SHLEX_ERR_ESCAPE;
			c = *s->p++;
			err = c == '\n' ? 0 : sx_put(s, c);
		} else {
			err = sx_put(s, c);
		}
		if (err)
			return err;
	}
	return sx_put(s, '\0');
}

int shlex_split(const char *line, char *buf, size_t size, char **argv, size_t max_args)
{
	struct shlex_cursor s = { .p = line, .o = buf, .end = buf + size };
	size_t argc = 0;
	int err;

	if (!line || !argv || !max_args || (!buf && size))
		return SHLEX_ERR_INVAL;
	for (;;) {
		while (is_blank(*s.p))
			s.p++;
		if (!*s.p)
			break;
		if (argc + 1 >= max_args)
			return SHLEX_ERR_TOO_MANY;
		argv[argc] = s.o;
		err = sx_word(&s);
		if (err)
			return err;
		argc++;
	}
	argv[argc] = NULL;
	return (int)argc;
}

const char *shlex_strerror(int err)
{
	switch (err) {
	case SHLEX_ERR_SQUOTE:
		return "unterminated single quote";
	case SHLEX_ERR_DQUOTE:
		return "unterminated double quote";
	case SHLEX_ERR_ESCAPE:
		return "backslash at end of line";
	case SHLEX_ERR_TOO_MANY:
		return "too many arguments";
	case SHLEX_ERR_TOO_LONG:
		return "command line too long";
	case SHLEX_ERR_INVAL:
		return "invalid argument";
	default:
		return err >= 0 ? "success" : "unknown error";
	}
}

static unsigned min3(unsigned a, unsigned b, unsigned c)
{
	unsigned m = a < b ? a : b;

	return m < c ? m : c;
}

/*
 * Optimal string alignment over three rolling rows (the swap looks two rows
 * back): row i holds the distances from a's first i bytes to each prefix of b.
 */
unsigned shlex_distance(const char *a, const char *b, unsigned max)
{
	unsigned rows[3][SHLEX_DIST_MAX_LEN + 1], *prev2, *prev, *cur, d;
	size_t la = strnlen(a, SHLEX_DIST_MAX_LEN + 1), lb = strnlen(b, SHLEX_DIST_MAX_LEN + 1);
	size_t i, j;

	if (max > SHLEX_DIST_MAX_LEN)
		max = SHLEX_DIST_MAX_LEN; /* no distance is larger; keeps max + 1 from wrapping */
	if (la > SHLEX_DIST_MAX_LEN || lb > SHLEX_DIST_MAX_LEN)
		return strcmp(a, b) == 0 ? 0 : max + 1;
	if ((la > lb ? la - lb : lb - la) > max)
		return max + 1;
	for (j = 0; j <= lb; j++)
		rows[0][j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		prev2 = rows[(i + 1) % 3];
		prev = rows[(i - 1) % 3];
		cur = rows[i % 3];
		cur[0] = (unsigned)i;
		for (j = 1; j <= lb; j++) {
			d = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]));
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
		}
	}
	d = rows[la % 3][lb];
	return d > max ? max + 1 : d;
}

void shlex_suggest_init(struct shlex_suggest *s, const char *word)
{
	size_t n = strnlen(word, 7);

	s->word = word;
	s->max = n <= 3 ? 1 : n <= 6 ? 2 : 3;
	s->best = NULL;
	s->dist = s->max + 1;
}

void shlex_suggest_offer(struct shlex_suggest *s, const char *name)
{
	unsigned d = shlex_distance(s->word, name, s->max);

	if (d <= s->max && d < s->dist) {
		s->best = name;
		s->dist = d;
	}
}
