/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/format.c: each conversion, modifier, flag, width and
 * precision, snprintf truncation, and a large generated table checked
 * against the host C library, which serves as the oracle wherever the two
 * are meant to agree.
 */
#include <cairn/compiler.h>

#include <lib/format.h>

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

/* Format with fmt_vsnprintf into a fresh buffer and compare with @want. */
static void check_fmt(const char *want, const char *fmt, ...)
{
	char got[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(got, sizeof(got), fmt, ap);
	va_end(ap);
	if (strcmp(got, want) != 0 || n != (int)strlen(want))
		fail_msg("format \"%s\": got \"%s\" (%d), want \"%s\" (%zu)", fmt, got, n, want,
		         strlen(want));
}

/*
 * Format with both the host vsnprintf and fmt_vsnprintf and require the
 * same text and return value. Not checked with the format attribute on
 * purpose: the generated tables build their formats at run time.
 */
static void check_libc(const char *fmt, ...)
{
	char want[512], got[512];
	va_list ap, aq;
	int wn, gn;

	va_start(ap, fmt);
	va_copy(aq, ap);
	wn = vsnprintf(want, sizeof(want), fmt, ap);
	gn = fmt_vsnprintf(got, sizeof(got), fmt, aq);
	va_end(aq);
	va_end(ap);
	if (wn != gn || strcmp(want, got) != 0)
		fail_msg("format \"%s\": got \"%s\" (%d), libc \"%s\" (%d)", fmt, got, gn, want,
		         wn);
}

/* fmt_vsnprintf without the format attribute, for deliberately bad formats. */
static int raw_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void test_literal_and_percent(void **state)
{
	check_fmt("", "");
	check_fmt("hello, world", "hello, world");
	check_fmt("100%", "100%%");
	check_fmt("%%", "%%%%");
	check_fmt("a%b", "a%%b");
}

static void test_signed(void **state)
{
	check_fmt("0 1 -1 42 -42", "%d %d %d %i %i", 0, 1, -1, 42, -42);
	check_fmt("2147483647 -2147483648", "%d %d", INT_MAX, INT_MIN);
	check_fmt("-9223372036854775808", "%lld", (long long)INT64_MIN);
	check_fmt("-9223372036854775808", "%ld", (long)INT64_MIN);
	check_fmt("9223372036854775807", "%lli", (long long)INT64_MAX);
	check_fmt("-9223372036854775808", "%jd", (intmax_t)INT64_MIN);
	check_fmt("-5 -6", "%zd %td", (ptrdiff_t)-5, (ptrdiff_t)-6);
	check_fmt("[-9223372036854775808]", "[%5lld]", (long long)INT64_MIN);
	check_fmt("[-0009223372036854775808]", "[%.22lld]", (long long)INT64_MIN);
}

static void test_unsigned(void **state)
{
	check_fmt("0 4294967295", "%u %u", 0u, UINT_MAX);
	check_fmt("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
	check_fmt("18446744073709551615", "%lu", (unsigned long)UINT64_MAX);
	check_fmt("18446744073709551615", "%zu", SIZE_MAX);
	check_fmt("ffffffffffffffff", "%zx", SIZE_MAX);
	check_fmt("18446744073709551615", "%ju", (uintmax_t)UINT64_MAX);
	check_fmt("ffffffffffffffff FFFFFFFFFFFFFFFF", "%llx %llX", (unsigned long long)UINT64_MAX,
	          (unsigned long long)UINT64_MAX);
	check_fmt("1777777777777777777777", "%llo", (unsigned long long)UINT64_MAX);
	check_fmt("deadbeef DEADBEEF 17", "%x %X %o", 0xdeadbeefu, 0xdeadbeefu, 15u);
	check_fmt("4294967295", "%u", -1);
}

static void test_short_char_truncation(void **state)
{
	check_fmt("-1 255", "%hhd %hhu", 255, 255);
	check_fmt("52 34", "%hhd %hhx", 0x1234, 0x1234);
	check_fmt("-128 127", "%hhd %hhd", 128, 127);
	check_fmt("-1 65535", "%hd %hu", 65535, 65535);
	check_fmt("22136 5678", "%hd %hx", 0x12345678, 0x12345678);
	check_fmt("-32768", "%hi", 32768);
	check_fmt("ff ffff", "%hhx %hx", -1, -1);
}

static void test_width_and_flags(void **state)
{
	check_fmt("[   42]", "[%5d]", 42);
	check_fmt("[42   ]", "[%-5d]", 42);
	check_fmt("[00042]", "[%05d]", 42);
	check_fmt("[-0042]", "[%05d]", -42);
	check_fmt("[  +42]", "[%+5d]", 42);
	check_fmt("[+0042]", "[%+05d]", 42);
	check_fmt("[ 42]", "[% d]", 42);
	check_fmt("[+42]", "[%+ d]", 42);
	check_fmt("[-42]", "[% d]", -42);
	check_fmt("[42   ]", "[%-05d]", 42);
	check_fmt("[12345]", "[%3d]", 12345);
	check_fmt("[0x00002a]", "[%#08x]", 42);
	check_fmt("[    0x2a]", "[%#8x]", 42);
	check_fmt("[0X2A]", "[%#X]", 42);
	check_fmt("[0]", "[%#x]", 0);
	check_fmt("[052]", "[%#o]", 42);
	check_fmt("[0]", "[%#o]", 0);
	check_fmt("[0]", "[%#.0o]", 0);
	check_fmt("[010]", "[%#.3o]", 8);
	check_fmt("[00000052]", "[%#08o]", 42);
	check_fmt("[42]", "[%+u]", 42u);
}

static void test_precision(void **state)
{
	check_fmt("[00042]", "[%.5d]", 42);
	check_fmt("[-00042]", "[%.5d]", -42);
	check_fmt("[  00042]", "[%7.5d]", 42);
	check_fmt("[  00042]", "[%07.5d]", 42); /* a precision turns the 0 flag off */
	check_fmt("[]", "[%.0d]", 0);
	check_fmt("[]", "[%.d]", 0);
	check_fmt("[   ]", "[%3.0d]", 0);
	check_fmt("[+]", "[%+.0d]", 0);
	check_fmt("[]", "[%.0x]", 0);
	check_fmt("[]", "[%.0u]", 0);
	check_fmt("[1]", "[%.0d]", 1);
	check_fmt("[0000000000ff]", "[%.12x]", 255);
}

static void test_star(void **state)
{
	check_fmt("[   42]", "[%*d]", 5, 42);
	check_fmt("[42   ]", "[%*d]", -5, 42);
	check_fmt("[42   ]", "[%-*d]", -5, 42);
	check_fmt("[00042]", "[%.*d]", 5, 42);
	check_fmt("[42]", "[%.*d]", -3, 42); /* negative precision: as if none */
	check_fmt("[   00042]", "[%*.*d]", 8, 5, 42);
	check_fmt("[ab   ]", "[%-*.*s]", 5, 2, "abcdef");
	check_fmt("[  x]", "[%*c]", 3, 'x');
}

static void test_string(void **state)
{
	const char *null_str = NULL;

	check_fmt("hello", "%s", "hello");
	check_fmt("[  hi]", "[%4s]", "hi");
	check_fmt("[hi  ]", "[%-4s]", "hi");
	check_fmt("[hel]", "[%.3s]", "hello");
	check_fmt("[]", "[%.0s]", "hello");
	check_fmt("[  hel]", "[%5.3s]", "hello");
	check_fmt("[]", "[%s]", "");
	check_fmt("(null)", "%s", null_str);
	check_fmt("[  (null)]", "[%8s]", null_str);
}

/* A precision bounds how much of the string is read, so it need not be terminated. */
static void test_string_precision_no_overread(void **state)
{
	char *raw = malloc(4);
	char buf[16];

	assert_non_null(raw);
	memcpy(raw, "abcd", 4); /* no NUL: ASan catches any read of raw[4] */
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%.4s|%.2s", raw, raw), 7);
	assert_string_equal(buf, "abcd|ab");
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%.*s", 3, raw + 1), 3);
	assert_string_equal(buf, "bcd");
	free(raw);
}

static void test_char(void **state)
{
	check_fmt("a", "%c", 'a');
	check_fmt("[  z]", "[%3c]", 'z');
	check_fmt("[z  ]", "[%-3c]", 'z');
	check_fmt("A", "%c", 0x141); /* converted to unsigned char */
	check_fmt("xyz", "%c%c%c", 'x', 'y', 'z');
}

/* A NUL from %c is part of the output and counts towards the length. */
static void test_char_nul(void **state)
{
	char buf[8];

	memset(buf, 'X', sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "a%cb", 0), 3);
	assert_memory_equal(buf, "a\0b", 4);
}

static void test_pointer(void **state)
{
	check_fmt("0x0000000000000000", "%p", (void *)0);
	check_fmt("0x00000000deadbeef", "%p", (void *)(uintptr_t)0xdeadbeef);
	check_fmt("0xffffffff80000000", "%p", (void *)(uintptr_t)0xffffffff80000000ull);
	check_fmt("[  0x0000000000001000]", "[%20p]", (void *)(uintptr_t)0x1000);
	check_fmt("[0x0000000000001000  ]", "[%-20p]", (void *)(uintptr_t)0x1000);
}

static void test_unknown_conversion(void **state)
{
	char buf[64];

	assert_int_equal(raw_snprintf(buf, sizeof(buf), "a%yb"), 4);
	assert_string_equal(buf, "a%yb");
	assert_int_equal(raw_snprintf(buf, sizeof(buf), "[%-5q] %d", 7), 8);
	assert_string_equal(buf, "[%-5q] 7");
	assert_int_equal(raw_snprintf(buf, sizeof(buf), "%lw %s", "ok"), 6);
	assert_string_equal(buf, "%lw ok");
	/* A conversion cut off by the end of the format is copied too. */
	assert_int_equal(raw_snprintf(buf, sizeof(buf), "abc%"), 4);
	assert_string_equal(buf, "abc%");
	assert_int_equal(raw_snprintf(buf, sizeof(buf), "x%-08l"), 6);
	assert_string_equal(buf, "x%-08l");
}

static void test_snprintf_truncation(void **state)
{
	char buf[8];

	memset(buf, 'X', sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%s", "0123456789"), 10);
	assert_string_equal(buf, "0123456");
	assert_int_equal(fmt_snprintf(buf, 1, "%d", 12345), 5);
	assert_string_equal(buf, "");
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, 4, "ab%dcd", 9), 5);
	assert_string_equal(buf, "ab9");
	assert_int_equal(buf[4], 'X'); /* nothing written past size */
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%20d", 1), 20);
	assert_string_equal(buf, "       ");
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "1234567"), 7);
	assert_string_equal(buf, "1234567");
}

static void test_size_zero(void **state)
{
	char buf[4] = "XYZ";

	assert_int_equal(fmt_snprintf(NULL, 0, "%s-%d", "abc", 42), 6);
	assert_int_equal(fmt_snprintf(buf, 0, "hello"), 5);
	assert_string_equal(buf, "XYZ");
}

/* Counts the sink calls and the text they carried. */
struct sink_log {
	int calls;
	size_t len;
	char text[256];
};

static void log_sink(void *ctx, const char *s, size_t len)
{
	struct sink_log *log = ctx;

	assert_true(len > 0);
	assert_true(log->len + len < sizeof(log->text));
	memcpy(log->text + log->len, s, len);
	log->len += len;
	log->calls++;
}

static void test_sink_batching(void **state)
{
	struct sink_log log = { 0 };

	assert_int_equal(fmt_format(log_sink, &log, "literal text only"), 17);
	assert_int_equal(log.calls, 1);

	memset(&log, 0, sizeof(log));
	assert_int_equal(fmt_format(log_sink, &log, "n=%d.", -123456), 10);
	assert_int_equal(log.calls, 3); /* "n=", "-123456", "." */
	assert_memory_equal(log.text, "n=-123456.", 10);

	memset(&log, 0, sizeof(log));
	assert_int_equal(fmt_format(log_sink, &log, "%08x", 0xbeef), 8);
	assert_int_equal(log.calls, 1); /* zeros come from the same buffer */
	assert_memory_equal(log.text, "0000beef", 8);

	memset(&log, 0, sizeof(log));
	assert_int_equal(fmt_format(log_sink, &log, "%s", ""), 0);
	assert_int_equal(log.calls, 0); /* never called with nothing */
}

/* Widths beyond FMT_MAX_FIELD (4096) are clamped, so this stays cheap. */
static void test_huge_width(void **state)
{
	char buf[16];

	assert_int_equal(raw_snprintf(buf, sizeof(buf), "%999999999999d", 1), 4096);
	assert_string_equal(buf, "               ");
	assert_int_equal(raw_snprintf(buf, sizeof(buf), "%.999999999999d", 1), 4096);
	assert_string_equal(buf, "000000000000000");
	assert_int_equal(raw_snprintf(buf, sizeof(buf), "%*d", INT_MIN, 1), 4096);
	assert_string_equal(buf, "1              ");
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%.*s", INT_MAX, "ok"), 2);
}

/* Many big paddings still come out right across the chunked padding path. */
static void test_long_padding(void **state)
{
	char want[2001], got[2001];

	assert_int_equal(snprintf(want, sizeof(want), "%-1000d|%0998x", -7, 0xab), 1999);
	assert_int_equal(fmt_snprintf(got, sizeof(got), "%-1000d|%0998x", -7, 0xab), 1999);
	assert_string_equal(got, want);
	assert_int_equal(snprintf(want, sizeof(want), "%.300d|%#.300o|%300s", 5, 5u, "s"), 902);
	assert_int_equal(fmt_snprintf(got, sizeof(got), "%.300d|%#.300o|%300s", 5, 5u, "s"), 902);
	assert_string_equal(got, want);
}

static const char *const oracle_flags[] = { "",   "-",  "0",  "+",  " ",   "#",
	                                    "-+", "0+", "0#", "- ", "-#0", "+ " };
static const char *const oracle_widths[] = { "", "1", "3", "8", "21", "25" };
static const char *const oracle_precs[] = { "", ".", ".0", ".1", ".3", ".19", ".24" };
static const char *const oracle_lengths[] = { "hh", "h", "", "l", "ll", "z", "j", "t" };
static const char oracle_convs[] = "diuxXo";

static const uint64_t oracle_values[] = {
	0,
	1,
	7,
	8,
	9,
	10,
	15,
	16,
	42,
	100,
	127,
	128,
	255,
	256,
	32767,
	32768,
	65535,
	65536,
	0x12345678,
	0x7fffffff,
	0x80000000,
	0xffffffff,
	0x100000000ull,
	1000000000000ull,
	0x7fffffffffffffffull,
	0x8000000000000000ull,
	0xfffffffffffffffeull,
	0xffffffffffffffffull,
	0xdeadbeefcafebabeull,
	(uint64_t)-42,
	(uint64_t)-128,
	(uint64_t)-32768,
};

/* Pass @v with the argument type the length modifier @len and conversion @conv expect. */
static void check_libc_int(const char *fmt, const char *len, char conv, uint64_t v)
{
	bool is_signed = conv == 'd' || conv == 'i';

	if (!strcmp(len, "hh") || !strcmp(len, "h") || !strcmp(len, ""))
		is_signed ? check_libc(fmt, (int)v) : check_libc(fmt, (unsigned int)v);
	else if (!strcmp(len, "l"))
		is_signed ? check_libc(fmt, (long)v) : check_libc(fmt, (unsigned long)v);
	else if (!strcmp(len, "ll"))
		is_signed ? check_libc(fmt, (long long)v) : check_libc(fmt, (unsigned long long)v);
	else if (!strcmp(len, "z"))
		is_signed ? check_libc(fmt, (ptrdiff_t)v) : check_libc(fmt, (size_t)v);
	else if (!strcmp(len, "j"))
		is_signed ? check_libc(fmt, (intmax_t)v) : check_libc(fmt, (uintmax_t)v);
	else
		check_libc(fmt, (ptrdiff_t)v);
}

/* Check one generated integer format against every value in oracle_values. */
static void check_oracle_format(const char *flags, const char *width, const char *prec,
                                const char *len, char conv)
{
	char fmt[64];
	size_t v;

	/* '#' is only defined for x, X and o. */
	if (strchr(flags, '#') && !strchr("xXo", conv))
		return;
	snprintf(fmt, sizeof(fmt), "<%%%s%s%s%s%c>", flags, width, prec, len, conv);
	for (v = 0; v < ARRAY_SIZE(oracle_values); v++)
		check_libc_int(fmt, len, conv, oracle_values[v]);
}

/*
 * Every combination of flags, width, precision, length and integer
 * conversion over a set of edge values, against the host libc (about
 * 21,000 formats, 680,000 calls). The index @i is taken apart into one choice of each.
 */
static void test_libc_oracle_integers(void **state)
{
	size_t nconv = sizeof(oracle_convs) - 1;
	size_t total = ARRAY_SIZE(oracle_flags) * ARRAY_SIZE(oracle_widths) *
	               ARRAY_SIZE(oracle_precs) * ARRAY_SIZE(oracle_lengths) * nconv;
	size_t i;

	for (i = 0; i < total; i++) {
		size_t k = i;
		char conv = oracle_convs[k % nconv];
		const char *len, *prec, *width;

		k /= nconv;
		len = oracle_lengths[k % ARRAY_SIZE(oracle_lengths)];
		k /= ARRAY_SIZE(oracle_lengths);
		prec = oracle_precs[k % ARRAY_SIZE(oracle_precs)];
		k /= ARRAY_SIZE(oracle_precs);
		width = oracle_widths[k % ARRAY_SIZE(oracle_widths)];
		k /= ARRAY_SIZE(oracle_widths);
		check_oracle_format(oracle_flags[k], width, prec, len, conv);
	}
}

/* Strings and characters with every width and precision, against the host libc. */
static void test_libc_oracle_strings(void **state)
{
	static const char *const strs[] = {
		"", "a", "hello", "hello, world", "0123456789abcdefghijklmnopqrstuvwxyz",
	};
	static const int chars[] = { 'a', 'Z', ' ', '%', 0xe9 };
	static const char *const flags[] = { "", "-" };
	size_t i, w, p;
	char fmt[64];

	for (i = 0; i < ARRAY_SIZE(flags) * ARRAY_SIZE(oracle_widths); i++) {
		const char *flag = flags[i % 2], *width = oracle_widths[i / 2];

		for (p = 0; p < ARRAY_SIZE(oracle_precs); p++) {
			snprintf(fmt, sizeof(fmt), "[%%%s%s%ss]", flag, width, oracle_precs[p]);
			for (w = 0; w < ARRAY_SIZE(strs); w++)
				check_libc(fmt, strs[w]);
		}
		snprintf(fmt, sizeof(fmt), "[%%%s%sc]", flag, width);
		for (w = 0; w < ARRAY_SIZE(chars); w++)
			check_libc(fmt, chars[w]);
	}
}

/* Mixed formats with several arguments, truncated at every buffer size. */
static void test_libc_oracle_mixed(void **state)
{
	static const char fmt[] = "id=%d name=%-8s|%5.2s|%#x %o %c%% %lld %zu end";
	char want[256], got[256];
	size_t size;

	for (size = 0; size < sizeof(want); size++) {
		int wn, gn;

		memset(want, 'W', sizeof(want));
		memset(got, 'W', sizeof(got));
		wn = snprintf(want, size, fmt, -17, "cairn", "xyz", 0xc0de, 8u, '!',
		              (long long)INT64_MIN, SIZE_MAX);
		gn = fmt_snprintf(got, size, fmt, -17, "cairn", "xyz", 0xc0de, 8u, '!',
		                  (long long)INT64_MIN, SIZE_MAX);
		assert_int_equal(wn, gn);
		assert_memory_equal(want, got, sizeof(want));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_and_percent),
		cmocka_unit_test(test_signed),
		cmocka_unit_test(test_unsigned),
		cmocka_unit_test(test_short_char_truncation),
		cmocka_unit_test(test_width_and_flags),
		cmocka_unit_test(test_precision),
		cmocka_unit_test(test_star),
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_string_precision_no_overread),
		cmocka_unit_test(test_char),
		cmocka_unit_test(test_char_nul),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_unknown_conversion),
		cmocka_unit_test(test_snprintf_truncation),
		cmocka_unit_test(test_size_zero),
		cmocka_unit_test(test_sink_batching),
		cmocka_unit_test(test_huge_width),
		cmocka_unit_test(test_long_padding),
		cmocka_unit_test(test_libc_oracle_integers),
		cmocka_unit_test(test_libc_oracle_strings),
		cmocka_unit_test(test_libc_oracle_mixed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
