/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/tty/shlex.c: the input is a command line. Checks
 * that the words stay inside the buffer, that a buffer of strlen + 1 bytes
 * is always enough, that the words quoted again split back into themselves,
 * and that the edit distance between the line's halves is symmetric and
 * within its bounds.
 */
#include <lib/tty/shlex.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ARGS 64

/* Join @argv quoted in '...' (each ' as '\''); @out has room for 4 bytes per input byte. */
static void fuzz_quote(char **argv, int argc, char *out)
{
	const char *p;
	int i;

	for (i = 0; i < argc; i++) {
		*out++ = '\'';
		for (p = argv[i]; *p; p++) {
			if (*p == '\'') {
				memcpy(out, "'\\''", 4);
				out += 4;
			} else {
				*out++ = *p;
			}
		}
		*out++ = '\'';
		*out++ = ' ';
	}
	*out = '\0';
}

static void fuzz_round_trip(char **argv, int argc, size_t len)
{
	char *line = malloc(4 * len + 3 * FUZZ_ARGS + 1), *buf, *argv2[FUZZ_ARGS];
	int i;

	if (!line)
		return;
	fuzz_quote(argv, argc, line);
	buf = malloc(strlen(line) + 1);
	if (buf && shlex_split(line, buf, strlen(line) + 1, argv2, FUZZ_ARGS) != argc)
		abort();
	for (i = 0; buf && i < argc; i++)
		if (strcmp(argv[i], argv2[i]) != 0)
			abort();
	free(buf);
	free(line);
}

static void fuzz_distance(const char *line, size_t len)
{
	char *a = strndup(line, len / 2), *b = strdup(line + len / 2);
	size_t la, lb;
	unsigned d;

	if (a && b) {
		la = strlen(a);
		lb = strlen(b);
		d = shlex_distance(a, b, 8);
		if (d != shlex_distance(b, a, 8) || d > 9 || shlex_distance(a, a, 0) != 0)
			abort();
		if (la <= SHLEX_DIST_MAX_LEN && lb <= SHLEX_DIST_MAX_LEN && d > (la > lb ? la : lb))
			abort();
	}
	free(a);
	free(b);
}

/* libFuzzer entry point: split @data as a command line. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1), *buf = malloc(size + 1), *argv[FUZZ_ARGS];
	size_t len;
	int argc, i;

	if (!line || !buf)
		goto out;
	memcpy(line, data, size);
	line[size] = '\0';
	len = strlen(line);
	argc = shlex_split(line, buf, len + 1, argv, FUZZ_ARGS);
	if (argc == SHLEX_ERR_TOO_LONG || argc == SHLEX_ERR_INVAL || argc < SHLEX_ERR_INVAL ||
	    argc >= FUZZ_ARGS)
		abort();
	for (i = 0; i < argc; i++)
		if (argv[i] < buf || argv[i] + strlen(argv[i]) >= buf + len + 1)
			abort();
	if (argc >= 0 && argv[argc] != NULL)
		abort();
	if (argc >= 0)
		fuzz_round_trip(argv, argc, len);
	fuzz_distance(line, len);
out:
	free(buf);
	free(line);
	return 0;
}
