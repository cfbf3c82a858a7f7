/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/exec/shebang.c against what Linux's binfmt_script
 * makes of the same first bytes: the interpreter, the one optional
 * argument with its inner blanks, trailing blanks, a NUL inside the line,
 * a line longer than the 256-byte buffer, and the lines it refuses.
 */
#include <cairn/errno.h>

#include <lib/exec/shebang.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

static struct shebang sb;

static int parse(const char *s)
{
	memset(&sb, 0x55, sizeof(sb));
	return shebang_parse(s, strlen(s), &sb);
}

static void expect_ok(const char *line, const char *interp, const char *arg)
{
	assert_int_equal(parse(line), 0);
	assert_string_equal(sb.interp, interp);
	assert_int_equal(sb.has_arg, arg != NULL);
	if (arg)
		assert_string_equal(sb.arg, arg);
}

static void test_plain(void **state)
{
	expect_ok("#!/bin/sh\necho hi\n", "/bin/sh", NULL);
	expect_ok("#! /bin/sh\n", "/bin/sh", NULL);
	expect_ok("#!\t /bin/sh \t \n", "/bin/sh", NULL);
	expect_ok("#!/bin/sh", "/bin/sh", NULL); /* no newline: the file's end */
	expect_ok("#!sh\n", "sh", NULL);         /* relative: the caller's cwd */
}

static void test_argument(void **state)
{
	expect_ok("#!/bin/sh -x\n", "/bin/sh", "-x");
	expect_ok("#!/usr/bin/env  a b\tc  \n", "/usr/bin/env", "a b\tc");
	expect_ok("#!/bin/busybox sh\nexit 3\n", "/bin/busybox", "sh");
	/* A blank after the name at the file's end: Linux passes an empty argument. */
	expect_ok("#!/bin/sh ", "/bin/sh", "");
}

static void test_nul_inside(void **state)
{
	static const char line[] = "#!/bi\0n/sh\n";

	assert_int_equal(shebang_parse(line, sizeof(line) - 1, &sb), 0);
	assert_string_equal(sb.interp, "/bi");
	assert_false(sb.has_arg);
}

static void test_refused(void **state)
{
	assert_int_equal(parse("#\n"), -ENOEXEC);
	assert_int_equal(parse("!#/bin/sh\n"), -ENOEXEC);
	assert_int_equal(parse("#!\n"), -ENOEXEC);
	assert_int_equal(parse("#!   \n"), -ENOEXEC);
	assert_int_equal(parse("\x7f"
	                       "ELF"),
	                 -ENOEXEC);
	assert_int_equal(shebang_parse("#!", 1, &sb), -ENOEXEC);
	assert_false(shebang_is_script("#", 1));
	assert_true(shebang_is_script("#!", 2));
}

static void test_long_lines(void **state)
{
	char line[600];

	/* A name that does not end inside the 256 bytes is refused. */
	memset(line, 'a', sizeof(line));
	memcpy(line, "#!/", 3);
	line[sizeof(line) - 1] = '\0';
	assert_int_equal(parse(line), -ENOEXEC);
	/* A name that ends inside them runs; its argument is cut at byte 255. */
	memcpy(line, "#!/bin/sh ", 10);
	assert_int_equal(parse(line), 0);
	assert_string_equal(sb.interp, "/bin/sh");
	assert_true(sb.has_arg);
	assert_int_equal(strlen(sb.arg), SHEBANG_BUF - 1 - 10);
	/* A newline past the buffer does not count. */
	memset(line, ' ', 300);
	memcpy(line, "#!/bin/sh", 9);
	strcpy(line + 300, "\n");
	expect_ok(line, "/bin/sh", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),      cmocka_unit_test(test_argument),
		cmocka_unit_test(test_nul_inside), cmocka_unit_test(test_refused),
		cmocka_unit_test(test_long_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
