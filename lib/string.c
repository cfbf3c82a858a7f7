/* SPDX-License-Identifier: MIT */
/*
 * The C memory and string functions for freestanding code: the kernel and
 * the loaders link this file, and the compiler may call memcpy, memmove,
 * memset and memcmp on its own. Plain C; the host tests build it under
 * lib_-prefixed names and compare it with the C library.
 */
#include <lib/string.h>

#include <stdint.h>

/*
 * Keep GCC from recognising these loops as memset/memcpy and turning them
 * into calls to themselves. Clang does not do that inside functions with
 * these names and does not know the attribute.
 */
#if defined(__clang__)
#define STRING_NO_LOOP_CALLS
#else
#define STRING_NO_LOOP_CALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif

/* A word that may alias anything, for the aligned fast paths. */
typedef uint64_t __attribute__((may_alias)) string_word_t;

#define STRING_WORD sizeof(string_word_t)

static int string_aligned(const void *a, const void *b)
{
	return (((uintptr_t)a | (uintptr_t)b) & (STRING_WORD - 1)) == 0;
}

/*
 * Copy @n bytes from @src to @dst, which must not overlap. Returns @dst.
 * Whole words when both are 8-byte aligned, bytes otherwise.
 */
STRING_NO_LOOP_CALLS void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (string_aligned(d, s)) {
		for (; n >= STRING_WORD; n -= STRING_WORD, d += STRING_WORD, s += STRING_WORD)
			*(string_word_t *)d = *(const string_word_t *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

/*
 * Copy @n bytes from @src to @dst; the two may overlap. Returns @dst.
 * Copies backwards when @dst lies above @src so no byte is overwritten
 * before it is read.
 */
STRING_NO_LOOP_CALLS void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* Copying forwards is safe when @dst starts at or below @src. */
	if ((uintptr_t)d <= (uintptr_t)s || (uintptr_t)d - (uintptr_t)s >= n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

/* Fill @n bytes at @dst with the byte @c. Returns @dst. */
STRING_NO_LOOP_CALLS void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	unsigned char b = (unsigned char)c;

	if (string_aligned(d, d)) {
		string_word_t w = 0x0101010101010101ull * b, *p = (string_word_t *)d;

		/* Four words a turn: the kernel clears megabytes at boot (frame records). */
		for (; n >= 4 * STRING_WORD; n -= 4 * STRING_WORD, p += 4) {
			p[0] = w;
			p[1] = w;
			p[2] = w;
			p[3] = w;
		}
		for (; n >= STRING_WORD; n -= STRING_WORD)
			*p++ = w;
		d = (unsigned char *)p;
	}
	while (n--)
		*d++ = b;
	return dst;
}

/*
 * Compare @n bytes as unsigned chars. Returns <0, 0 or >0 as @a sorts
 * before, equal to or after @b.
 */
int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	size_t i;

	for (i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] - y[i];
	}
	return 0;
}

/* Return the number of characters before the NUL at the end of @s. */
size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* As strlen(), but read at most @max characters and return at most @max. */
size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

/* Compare two strings as unsigned chars; returns <0, 0 or >0 like memcmp(). */
int strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return *x - *y;
}

/* As strcmp(), but compare at most @n characters. */
int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
	size_t i;

	for (i = 0; i < n; i++) {
		if (x[i] != y[i] || !x[i])
			return x[i] - y[i];
	}
	return 0;
}

/*
 * Return the first occurrence of (char)@c in @s, or NULL. The terminating
 * NUL counts as part of the string, so strchr(s, 0) finds the end.
 */
char *strchr(const char *s, int c)
{
	char ch = (char)c;

	for (;; s++) {
		if (*s == ch)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

/*
 * Return the first occurrence of @needle in @hay, or NULL. An empty needle
 * is found at the start, as in ISO C. Quadratic at worst, which suits the
 * short strings (test reports, command lines) it is used on.
 */
char *strstr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (;; hay++) {
		if (strncmp(hay, needle, n) == 0)
			return (char *)hay;
		if (!*hay)
			return NULL;
	}
}
