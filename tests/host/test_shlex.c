/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/tty/shlex.c: word splitting with each kind of quote and
 * escape, every error, the caller's limits, a round trip of random words
 * through quoting and splitting, and the edit distance against a plain
 * unbounded implementation written here, with the suggestions built on it.
 */
#include <lib/tty/shlex.h>

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

#define MAX_ARGS 32

/*
 * Split @line with a buffer of exactly strlen(@line) + 1 bytes and require
 * the NULL-terminated word list @want.
 */
static void check_split(const char *line, const char *const *want)
{
	size_t size = strlen(line) + 1, n;
	char *buf = malloc(size), *argv[MAX_ARGS];
	int argc, i;

	assert_non_null(buf);
	for (n = 0; want[n]; n++)
		;
	argc = shlex_split(line, buf, size, argv, MAX_ARGS);
	if (argc != (int)n)
		fail_msg("split \"%s\": %d words (%s), want %zu", line, argc,
		         argc < 0 ? shlex_strerror(argc) : "", n);
	for (i = 0; i < argc; i++)
		assert_string_equal(argv[i], want[i]);
	assert_null(argv[argc]);
	free(buf);
}

/* Split @line with plenty of room and require the error @err. */
static void check_error(const char *line, int err)
{
	char buf[256], *argv[MAX_ARGS];

	assert_int_equal(shlex_split(line, buf, sizeof(buf), argv, MAX_ARGS), err);
}

#define WORDS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NO_WORDS   ((const char *const[]){ NULL })

static void blanks_separate(void **state)
{
	check_split("", NO_WORDS);
	check_split(" \t\r\n\v\f ", NO_WORDS);
	check_split("ls", WORDS("ls"));
	check_split("  ls   -l\t/tmp \n", WORDS("ls", "-l", "/tmp"));
	check_split("a\tb\nc\rd\ve\ff", WORDS("a", "b", "c", "d", "e", "f"));
}

static void single_quotes(void **state)
{
	check_split("echo 'a  b'", WORDS("echo", "a  b"));
	check_split("'a\\b' '\"' '\\'", WORDS("a\\b", "\"", "\\"));
	check_split("'it''s'", WORDS("its"));
	check_split("''", WORDS(""));
	check_split("'' ''", WORDS("", ""));
	check_split("'\t\n'", WORDS("\t\n"));
}

static void double_quotes(void **state)
{
	check_split("\"a \\\" b\"", WORDS("a \" b"));
	check_split("\"\\\\\"", WORDS("\\"));
	check_split("\"a\\nb\" \"\\'\"", WORDS("a\\nb", "\\'"));
	check_split("\"it's\"", WORDS("it's"));
	check_split("\"\" \"\"", WORDS("", ""));
	check_split("\"a\"\"b\"", WORDS("ab"));
}

static void backslashes(void **state)
{
	check_split("a\\ b", WORDS("a b"));
	check_split("\\'x\\\" \\\\", WORDS("'x\"", "\\"));
	check_split("\\a\\b", WORDS("ab"));
	check_split("a\\\nb", WORDS("ab"));
	check_split("\\ ", WORDS(" "));
}

static void parts_join(void **state)
{
	check_split("a'b'\"c\"d\\ e", WORDS("abcd e"));
	check_split("--name='x y' \"$HOME\"", WORDS("--name=x y", "$HOME"));
	check_split("x'' ''y", WORDS("x", "y"));
}

static void errors(void **state)
{
	char buf[8], *argv[4];

	check_error("echo 'abc", SHLEX_ERR_SQUOTE);
	check_error("'", SHLEX_ERR_SQUOTE);
	check_error("echo \"abc", SHLEX_ERR_DQUOTE);
	check_error("\"abc\\\"", SHLEX_ERR_DQUOTE);
	check_error("\"'\" '\"", SHLEX_ERR_SQUOTE);
	check_error("echo abc\\", SHLEX_ERR_ESCAPE);
	check_error("\\", SHLEX_ERR_ESCAPE);
	assert_int_equal(shlex_split(NULL, buf, sizeof(buf), argv, 4), SHLEX_ERR_INVAL);
	assert_int_equal(shlex_split("a", buf, sizeof(buf), NULL, 4), SHLEX_ERR_INVAL);
	assert_int_equal(shlex_split("a", buf, sizeof(buf), argv, 0), SHLEX_ERR_INVAL);
	assert_int_equal(shlex_split("a", NULL, 8, argv, 4), SHLEX_ERR_INVAL);
}

static void limits(void **state)
{
	char buf[16], *argv[3];

	/* argv holds max_args pointers, the NULL included. */
	assert_int_equal(shlex_split("a b", buf, sizeof(buf), argv, 3), 2);
	assert_null(argv[2]);
	assert_int_equal(shlex_split("a b c", buf, sizeof(buf), argv, 3), SHLEX_ERR_TOO_MANY);
	assert_int_equal(shlex_split("", buf, sizeof(buf), argv, 1), 0);
	assert_null(argv[0]);
	assert_int_equal(shlex_split("a", buf, sizeof(buf), argv, 1), SHLEX_ERR_TOO_MANY);
	/* The buffer: each word and its NUL. */
	assert_int_equal(shlex_split("ab cd", buf, 6, argv, 3), 2);
	assert_int_equal(shlex_split("ab cd", buf, 5, argv, 3), SHLEX_ERR_TOO_LONG);
	assert_int_equal(shlex_split(" ab ", buf, 2, argv, 3), SHLEX_ERR_TOO_LONG);
	assert_int_equal(shlex_split("  ", NULL, 0, argv, 3), 0);
	assert_int_equal(shlex_split("x", NULL, 0, argv, 3), SHLEX_ERR_TOO_LONG);
}

static void messages(void **state)
{
	static const int errs[] = { SHLEX_ERR_SQUOTE,   SHLEX_ERR_DQUOTE,   SHLEX_ERR_ESCAPE,
		                    SHLEX_ERR_TOO_MANY, SHLEX_ERR_TOO_LONG, SHLEX_ERR_INVAL };
	size_t i, j;

	assert_string_equal(shlex_strerror(SHLEX_ERR_SQUOTE), "unterminated single quote");
	assert_string_equal(shlex_strerror(SHLEX_ERR_DQUOTE), "unterminated double quote");
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		for (j = 0; j < i; j++)
			assert_string_not_equal(shlex_strerror(errs[i]), shlex_strerror(errs[j]));
	assert_string_equal(shlex_strerror(3), "success");
	assert_string_equal(shlex_strerror(-99), "unknown error");
}

/* Append @word to @line quoted for shlex_split: in '...', each ' as '\''. */
static void quote_word(char *line, const char *word)
{
	char *p = line + strlen(line);

	*p++ = '\'';
	for (; *word; word++) {
		if (*word == '\'') {
			memcpy(p, "'\\''", 4);
			p += 4;
		} else {
			*p++ = *word;
		}
	}
	*p++ = '\'';
	*p++ = ' ';
	*p = '\0';
}

/* Random words, quoted and joined, must split back into themselves. */
static void random_round_trip(void **state)
{
	static const char alphabet[] = "ab '\"\\ \t\n$";
	char words[8][16], line[1024], buf[1024], *argv[MAX_ARGS];
	int round, n, i, len, argc;

	srand(8);
	for (round = 0; round < 20000; round++) {
		n = rand() % 8;
		line[0] = '\0';
		for (i = 0; i < n; i++) {
			len = rand() % 15;
			words[i][len] = '\0';
			while (len--)
				words[i][len] = alphabet[rand() % (sizeof(alphabet) - 1)];
			quote_word(line, words[i]);
		}
		argc = shlex_split(line, buf, strlen(line) + 1, argv, MAX_ARGS);
		assert_int_equal(argc, n);
		for (i = 0; i < n; i++) {
			assert_string_equal(argv[i], words[i]);
			assert_true(argv[i] >= buf && argv[i] < buf + strlen(line) + 1);
		}
	}
}

/* Random bytes: never a crash, never an overrun, and errors only for real faults. */
static void random_lines(void **state)
{
	static const char alphabet[] = "a '\"\\\t";
	char line[64], buf[64], *argv[MAX_ARGS];
	int round, len, argc, i;

	srand(9);
	for (round = 0; round < 50000; round++) {
		len = rand() % 40;
		line[len] = '\0';
		for (i = 0; i < len; i++)
			line[i] = alphabet[rand() % (sizeof(alphabet) - 1)];
		argc = shlex_split(line, buf, (size_t)len + 1, argv, MAX_ARGS);
		assert_true(argc >= SHLEX_ERR_ESCAPE);
		for (i = 0; i < argc; i++)
			assert_true(argv[i] >= buf && argv[i] + strlen(argv[i]) < buf + len + 1);
	}
}

/* The textbook optimal-string-alignment distance, unbounded, for comparison. */
static unsigned osa(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	unsigned d[80][80], v;

	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

static void distance_examples(void **state)
{
	assert_int_equal(shlex_distance("echo", "echo", 3), 0);
	assert_int_equal(shlex_distance("ehco", "echo", 3), 1);
	assert_int_equal(shlex_distance("ech", "echo", 3), 1);
	assert_int_equal(shlex_distance("echoo", "echo", 3), 1);
	assert_int_equal(shlex_distance("ecjo", "echo", 3), 1);
	assert_int_equal(shlex_distance("kitten", "sitting", 5), 3);
	assert_int_equal(shlex_distance("", "abc", 5), 3);
	assert_int_equal(shlex_distance("abc", "", 5), 3);
	assert_int_equal(shlex_distance("", "", 0), 0);
	/* Optimal string alignment: no edits inside a swapped pair. */
	assert_int_equal(shlex_distance("ca", "abc", 5), 3);
	/* Bounded: anything past max is max + 1, found early when lengths differ. */
	assert_int_equal(shlex_distance("kitten", "sitting", 2), 3);
	assert_int_equal(shlex_distance("a", "abcdef", 2), 3);
	assert_int_equal(shlex_distance("abc", "xyz", 0), 1);
	assert_int_equal(shlex_distance("abc", "abd", 1000), 1);
}

static void distance_long_strings(void **state)
{
	char a[SHLEX_DIST_MAX_LEN + 2], b[SHLEX_DIST_MAX_LEN + 2];

	memset(a, 'x', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	memcpy(b, a, sizeof(a));
	assert_int_equal(shlex_distance(a, b, 3), 0);
	b[0] = 'y';
	assert_int_equal(shlex_distance(a, b, 3), 4);
	assert_int_equal(shlex_distance(a, b, 100000), SHLEX_DIST_MAX_LEN + 1);
	/* At the limit itself the distance is exact. */
	a[SHLEX_DIST_MAX_LEN] = '\0';
	b[SHLEX_DIST_MAX_LEN] = '\0';
	assert_int_equal(shlex_distance(a, b, 3), 1);
	assert_int_equal(shlex_distance(a, "", 100), SHLEX_DIST_MAX_LEN);
}

static void distance_random(void **state)
{
	char a[24], b[24];
	unsigned max, want;
	int round, la, lb, i;

	srand(10);
	for (round = 0; round < 20000; round++) {
		la = rand() % 12;
		lb = rand() % 12;
		for (i = 0; i < la; i++)
			a[i] = (char)('a' + rand() % 3);
		for (i = 0; i < lb; i++)
			b[i] = (char)('a' + rand() % 3);
		a[la] = b[lb] = '\0';
		max = (unsigned)(rand() % 14);
		want = osa(a, b);
		if (want > max)
			want = max + 1;
		assert_int_equal(shlex_distance(a, b, max), want);
		assert_int_equal(shlex_distance(b, a, max), want);
	}
}

static void suggestions(void **state)
{
	static const char *const names[] = { "echo", "exit", "help", "ls", "reboot", "mem", NULL };
	static const struct {
		const char *word, *want;
	} cases[] = {
		{ "ehco", "echo" },      { "lss", "ls" },           { "l", "ls" },
		{ "rebot", "reboot" },   { "hlep", "help" },        { "xyz", NULL },
		{ "mme", "mem" },        { "exot", "exit" },        { "cd", NULL },
		{ "reboots", "reboot" }, { "rebootnow", "reboot" }, { "shutdown", NULL },
	};
	struct shlex_suggest s;
	size_t i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		shlex_suggest_init(&s, cases[i].word);
		for (j = 0; names[j]; j++)
			shlex_suggest_offer(&s, names[j]);
		if (!cases[i].want)
			assert_null(s.best);
		else
			assert_string_equal(s.best, cases[i].want);
	}
	/* Ties go to the first name offered; the distance is reported. */
	shlex_suggest_init(&s, "ab");
	shlex_suggest_offer(&s, "ac");
	shlex_suggest_offer(&s, "ad");
	assert_string_equal(s.best, "ac");
	assert_int_equal(s.dist, 1);
	assert_int_equal(s.max, 1);
	shlex_suggest_init(&s, "abcdef");
	assert_int_equal(s.max, 2);
	shlex_suggest_init(&s, "abcdefg");
	assert_int_equal(s.max, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(blanks_separate),
		cmocka_unit_test(single_quotes),
		cmocka_unit_test(double_quotes),
		cmocka_unit_test(backslashes),
		cmocka_unit_test(parts_join),
		cmocka_unit_test(errors),
		cmocka_unit_test(limits),
		cmocka_unit_test(messages),
		cmocka_unit_test(random_round_trip),
		cmocka_unit_test(random_lines),
		cmocka_unit_test(distance_examples),
		cmocka_unit_test(distance_long_strings),
		cmocka_unit_test(distance_random),
		cmocka_unit_test(suggestions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
