/* SPDX-License-Identifier: MIT */
/*
 * Shell word splitting and "did you mean" suggestions for the kernel shell.
 * shlex_split() turns a command line into an argv with the quoting rules of
 * the POSIX shell reduced to what a shell without variables needs; the edit
 * distance finds the known name nearest to a mistyped one. No allocation:
 * the caller hands in every buffer.
 */
#pragma once

#include <stddef.h>

/*
 * shlex_split() errors. Negative like -errno, but in their own space so the
 * shell can tell the user exactly what is wrong (shlex_strerror()).
 */
enum shlex_error {
	SHLEX_ERR_SQUOTE = -1,   /* a '...' is not closed */
	SHLEX_ERR_DQUOTE = -2,   /* a "..." is not closed */
	SHLEX_ERR_ESCAPE = -3,   /* a backslash ends the line */
	SHLEX_ERR_TOO_MANY = -4, /* more words than argv has room for */
	SHLEX_ERR_TOO_LONG = -5, /* the words do not fit in the buffer */
	SHLEX_ERR_INVAL = -6,    /* a NULL line or argv, or max_args of 0 */
};

/*
 * Split the NUL-terminated @line into words, copied NUL-terminated into @buf
 * (@size bytes; strlen(@line) + 1 always suffices) and pointed to from @argv,
 * which holds @max_args pointers: at most @max_args - 1 words and the NULL
 * after them. Words are separated by unquoted blanks (space, tab, newline, CR,
 * VT, FF). Inside '...' every byte is literal; inside "..." a backslash escapes
 * only " and \; elsewhere a backslash takes the next byte literally (and a
 * backslash-newline pair vanishes). Quoted and unquoted parts run together
 * into one word, so '' is an empty word and a'b'"c" is "abc".
 * Returns the number of words (argc), or a negative enum shlex_error; on
 * error @argv and @buf hold nothing useful.
 */
int shlex_split(const char *line, char *buf, size_t size, char **argv, size_t max_args);

/* A message for a shlex_split() result: "unterminated single quote"... */
const char *shlex_strerror(int err);

/* Strings longer than this are only ever at distance 0 (equal) or "too far". */
#define SHLEX_DIST_MAX_LEN 64

/*
 * The optimal-string-alignment edit distance between @a and @b: insertions,
 * deletions, substitutions and swaps of two neighbouring bytes each cost 1,
 * so "ehco" is 1 from "echo". Bounded: any distance above @max is reported as
 * @max + 1, as is any pair with a string longer than SHLEX_DIST_MAX_LEN.
 * A @max above SHLEX_DIST_MAX_LEN counts as SHLEX_DIST_MAX_LEN.
 */
unsigned shlex_distance(const char *a, const char *b, unsigned max);

/*
 * The nearest of a set of names to a word, for "unknown command 'ehco' - did
 * you mean 'echo'?": shlex_suggest_init(), shlex_suggest_offer() for each
 * known name, then read best (NULL: nothing close enough). Ties go to the
 * first name offered.
 */
struct shlex_suggest {
	const char *word; /* the mistyped word */
	unsigned max;     /* the largest distance worth suggesting */
	const char *best; /* the nearest name offered so far, or NULL */
	unsigned dist;    /* its distance from word */
};

/* Start a search for names near @word; max is 1 for up to 3 bytes, 2 up to 6, then 3. */
void shlex_suggest_init(struct shlex_suggest *s, const char *word);

/* Consider @name. */
void shlex_suggest_offer(struct shlex_suggest *s, const char *name);
