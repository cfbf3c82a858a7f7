/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/format.c: the input is the format string. Each
 * argument slot holds a pointer to a short string, which serves for %s and
 * %p and reads as a (large) integer for the integer conversions and '*',
 * so any format with few enough conversions is safe to run on x86_64.
 * Checks that truncated output is a prefix of the full output.
 */
#include <lib/format.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Three arguments ('*', '*', value) per conversion at most; FUZZ_ARGS slots are passed. */
#define FUZZ_MAX_CONV 5
#define FUZZ_ARGS     16

static int fuzz_format(char *buf, size_t n, const char *fmt, const char *s)
{
	return fmt_snprintf(buf, n, fmt, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s);
}

/* libFuzzer entry point: format @data as a format string two ways and compare. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char arg[] = "fuzz";
	char *fmt, full[1 << 16], part[64];
	size_t i, nconv = 0;
	int n, m;

	for (i = 0; i < size; i++)
		nconv += data[i] == '%';
	if (nconv > FUZZ_MAX_CONV || size > 4096)
		return 0;
	fmt = malloc(size + 1);
	if (!fmt)
		return 0;
	memcpy(fmt, data, size);
	fmt[size] = '\0';

	n = fuzz_format(full, sizeof(full), fmt, arg);
	m = fuzz_format(part, sizeof(part), fmt, arg);
	if (n != m || n < 0)
		abort();
	if (memcmp(part, full, strlen(part)) != 0)
		abort();
	free(fmt);
	return 0;
}
