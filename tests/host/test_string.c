/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/string.c, which tests/host/build.mk compiles under
 * lib_-prefixed names. Each function is run over many lengths, alignments
 * and byte values and compared with the host C library.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

/* Declare lib/string.h's functions under the names the host build gives them. */
#define memcpy  lib_memcpy
#define memmove lib_memmove
#define memset  lib_memset
#define memcmp  lib_memcmp
#define strlen  lib_strlen
#define strnlen lib_strnlen
#define strcmp  lib_strcmp
#define strncmp lib_strncmp
#define strchr  lib_strchr
#define strstr  lib_strstr
#include <lib/string.h>
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strstr

#define AREA 160

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

/* Fill @n bytes with a pattern that differs at every offset. */
static void fill_pattern(unsigned char *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 31 + seed * 7 + 1);
}

static void test_memcpy(void **state)
{
	unsigned char src[AREA], got[AREA], want[AREA];
	size_t so, dof, n;

	fill_pattern(src, sizeof(src), 1);
	for (so = 0; so < 9; so++)
		for (dof = 0; dof < 9; dof++)
			for (n = 0; n + so < 130 && n + dof < 130; n++) {
				memset(got, 0xaa, sizeof(got));
				memset(want, 0xaa, sizeof(want));
				assert_ptr_equal(lib_memcpy(got + dof, src + so, n), got + dof);
				memcpy(want + dof, src + so, n);
				assert_memory_equal(got, want, sizeof(got));
			}
}

static void test_memmove_overlap(void **state)
{
	unsigned char got[AREA], want[AREA];
	size_t from, to, n;

	for (from = 0; from < 40; from++)
		for (to = 0; to < 40; to++)
			for (n = 0; n < 100; n += 3) {
				fill_pattern(got, sizeof(got), 2);
				fill_pattern(want, sizeof(want), 2);
				assert_ptr_equal(lib_memmove(got + to, got + from, n), got + to);
				memmove(want + to, want + from, n);
				assert_memory_equal(got, want, sizeof(got));
			}
}

static void test_memset(void **state)
{
	static const int values[] = { 0, 1, 0x7f, 0x80, 0xff, -1, 0x1ab, -200 };
	unsigned char got[AREA], want[AREA];
	size_t off, n, v;

	for (v = 0; v < sizeof(values) / sizeof(values[0]); v++)
		for (off = 0; off < 9; off++)
			for (n = 0; n + off < 140; n++) {
				fill_pattern(got, sizeof(got), 3);
				fill_pattern(want, sizeof(want), 3);
				assert_ptr_equal(lib_memset(got + off, values[v], n), got + off);
				memset(want + off, values[v], n);
				assert_memory_equal(got, want, sizeof(got));
			}
}

static void test_memcmp(void **state)
{
	unsigned char a[64], b[64];
	size_t n, diff;

	fill_pattern(a, sizeof(a), 4);
	for (n = 0; n <= sizeof(a); n++) {
		for (diff = 0; diff < sizeof(a); diff++) {
			memcpy(b, a, sizeof(b));
			b[diff] ^= 0x80; /* high bit: the compare must be unsigned */
			assert_int_equal(sign(lib_memcmp(a, b, n)), sign(memcmp(a, b, n)));
			assert_int_equal(sign(lib_memcmp(b, a, n)), sign(memcmp(b, a, n)));
		}
		assert_int_equal(lib_memcmp(a, a, n), 0);
	}
}

static void test_strlen_strnlen(void **state)
{
	char s[80];
	size_t len, max;

	for (len = 0; len < sizeof(s); len++) {
		memset(s, 'x', len);
		s[len] = '\0';
		assert_int_equal(lib_strlen(s), strlen(s));
		for (max = 0; max < sizeof(s); max++)
			assert_int_equal(lib_strnlen(s, max), strnlen(s, max));
	}
	assert_int_equal(lib_strlen(""), 0);
	assert_int_equal(lib_strnlen("abc", SIZE_MAX), 3);
}

/* strnlen stops at @max, so an unterminated buffer is fine (ASan checks it). */
static void test_strnlen_unterminated(void **state)
{
	char raw[4] = { 'a', 'b', 'c', 'd' };

	assert_int_equal(lib_strnlen(raw, sizeof(raw)), 4);
	assert_int_equal(lib_strnlen(raw, 2), 2);
}

static void test_strcmp_strncmp(void **state)
{
	static const char *const strs[] = {
		"",    "a",    "b",    "ab",    "abc",   "abd",  "abcd",
		"ABC", "\x80", "\xff", "a\xff", "a\x01", "zzzz",
	};
	size_t i, j, n;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		for (j = 0; j < sizeof(strs) / sizeof(strs[0]); j++) {
			assert_int_equal(sign(lib_strcmp(strs[i], strs[j])),
			                 sign(strcmp(strs[i], strs[j])));
			for (n = 0; n < 6; n++)
				assert_int_equal(sign(lib_strncmp(strs[i], strs[j], n)),
				                 sign(strncmp(strs[i], strs[j], n)));
		}
	assert_int_equal(lib_strncmp("abcX", "abcY", 3), 0);
	assert_int_equal(lib_strncmp("abc", "abc", SIZE_MAX), 0);
}

static void test_strchr(void **state)
{
	static const char s[] = "hello, w\xe9rld";
	static const int chars[] = { 'h', 'l', 'o', 'd', 'z', ',', 0, 0xe9, -23, 0x100 + 'e' };
	size_t i;

	for (i = 0; i < sizeof(chars) / sizeof(chars[0]); i++)
		assert_ptr_equal(lib_strchr(s, chars[i]), strchr(s, chars[i]));
	assert_ptr_equal(lib_strchr(s, '\0'), s + strlen(s));
	assert_null(lib_strchr("", 'a'));
}

static void test_strstr(void **state)
{
	static const char s[] = "abcabd, abcabcabd";
	static const char empty[] = "";
	static const char *const needles[] = { "abd",  "abcabd", "abcabcabd", "d", ", ",
		                               "abdx", "x",      "",          s };
	size_t i;

	for (i = 0; i < sizeof(needles) / sizeof(needles[0]); i++)
		assert_ptr_equal(lib_strstr(s, needles[i]), strstr(s, needles[i]));
	assert_ptr_equal(lib_strstr(empty, ""), empty);
	assert_null(lib_strstr("", "a"));
	assert_null(lib_strstr("ab", "abc"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcpy),         cmocka_unit_test(test_memmove_overlap),
		cmocka_unit_test(test_memset),         cmocka_unit_test(test_memcmp),
		cmocka_unit_test(test_strlen_strnlen), cmocka_unit_test(test_strnlen_unterminated),
		cmocka_unit_test(test_strcmp_strncmp), cmocka_unit_test(test_strchr),
		cmocka_unit_test(test_strstr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
