/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/cpio/cpio.c: archives built in memory member by member,
 * walked and searched whole, then broken one way at a time (truncated
 * header, bad magic, a name without its NUL, sizes past the end); each
 * copy is exact-size on the heap so ASan catches any read past the end.
 */
#include <cairn/errno.h>

#include <lib/cpio/cpio.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

#define ARC_MAX 4096

struct arc {
	size_t len;
	uint8_t b[ARC_MAX];
};

/* Append one newc member: header, name, pad, data, pad. */
static size_t add(struct arc *a, const char *name, uint32_t mode, const void *data, size_t n)
{
	size_t start = a->len, namesize = strlen(name) + 1;
	char hdr[160];

	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", 1u,
	         mode, 0u, 0u, 1u, 0u, (uint32_t)n, 0u, 0u, 0u, 0u, (uint32_t)namesize, 0u);
	memcpy(a->b + a->len, hdr, CPIO_HDR_SIZE);
	a->len += CPIO_HDR_SIZE;
	memcpy(a->b + a->len, name, namesize);
	a->len += namesize;
	while (a->len % 4)
		a->b[a->len++] = 0;
	memcpy(a->b + a->len, data, n);
	a->len += n;
	while (a->len % 4)
		a->b[a->len++] = 0;
	return start;
}

static void build(struct arc *a)
{
	a->len = 0;
	add(a, ".", CPIO_S_IFDIR | 0755, "", 0);
	add(a, "bin", CPIO_S_IFDIR | 0755, "", 0);
	add(a, "bin/hello", CPIO_S_IFREG | 0755, "HELLO", 5);
	add(a, "./etc/motd", CPIO_S_IFREG | 0644, "motd!\n", 6);
	add(a, "TRAILER!!!", 0, "", 0);
}

/* An exact-size heap copy of the first @len bytes, searched for @path. */
static int find_len(const struct arc *a, size_t len, const char *path, struct cpio_entry *e)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	memcpy(copy, a->b, len);
	r = cpio_find(copy, len, path, e);
	free(copy);
	return r;
}

static int walk_len(const struct arc *a, size_t len, int *count)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct cpio_iter it;
	struct cpio_entry e;
	int r;

	memcpy(copy, a->b, len);
	*count = 0;
	cpio_iter_init(&it, copy, len);
	while ((r = cpio_next(&it, &e)) == 1)
		(*count)++;
	free(copy);
	return r;
}

static void test_walk(void **state)
{
	struct arc a;
	struct cpio_iter it;
	struct cpio_entry e;
	int n;

	build(&a);
	cpio_iter_init(&it, a.b, a.len);
	assert_int_equal(cpio_next(&it, &e), 1);
	assert_string_equal(e.name, ".");
	assert_int_equal(e.mode & CPIO_S_IFMT, CPIO_S_IFDIR);
	assert_int_equal(cpio_next(&it, &e), 1);
	assert_int_equal(cpio_next(&it, &e), 1);
	assert_string_equal(e.name, "bin/hello");
	assert_int_equal(e.namelen, 9);
	assert_int_equal(e.size, 5);
	assert_memory_equal(e.data, "HELLO", 5);
	assert_int_equal(e.mode, CPIO_S_IFREG | 0755);
	assert_int_equal(cpio_next(&it, &e), 1);
	assert_int_equal(cpio_next(&it, &e), 0); /* the trailer */
	assert_int_equal(cpio_next(&it, &e), 0); /* and it stays ended */
	assert_int_equal(walk_len(&a, a.len, &n), 0);
	assert_int_equal(n, 4);
}

static void test_find(void **state)
{
	struct arc a;
	struct cpio_entry e;

	build(&a);
	assert_int_equal(find_len(&a, a.len, "/bin/hello", &e), 0);
	assert_memory_equal(e.data, "HELLO", 5);
	assert_int_equal(find_len(&a, a.len, "bin/hello", &e), 0);
	assert_int_equal(find_len(&a, a.len, "./bin/hello", &e), 0);
	assert_int_equal(find_len(&a, a.len, "/etc/motd", &e), 0);
	assert_int_equal(e.size, 6);
	assert_int_equal(find_len(&a, a.len, "/bin/hell", &e), -ENOENT);
	assert_int_equal(find_len(&a, a.len, "/bin/hello2", &e), -ENOENT);
	assert_int_equal(find_len(&a, a.len, "TRAILER!!!", &e), -ENOENT);
	assert_int_equal(cpio_find(NULL, 0, "/x", &e), -ENOENT);
	assert_int_equal(cpio_find(a.b, a.len, NULL, &e), -EINVAL);
}

static void test_names(void **state)
{
	assert_true(cpio_name_matches("./a/b", "/a/b"));
	assert_true(cpio_name_matches("a/b", "a/b"));
	assert_true(cpio_name_matches("/./a", "./a"));
	assert_false(cpio_name_matches("a/b", "a/bc"));
	assert_false(cpio_name_matches("../a", "/a"));
}

/* No trailer: the walk ends cleanly at the end of the data, also without the last padding. */
static void test_no_trailer(void **state)
{
	struct arc a;
	struct cpio_entry e;
	int n;

	a.len = 0;
	add(&a, "x", CPIO_S_IFREG | 0644, "abc", 3);
	assert_int_equal(walk_len(&a, a.len, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(walk_len(&a, a.len - 1, &n), 0); /* padding cut */
	assert_int_equal(n, 1);
	assert_int_equal(find_len(&a, a.len - 1, "x", &e), 0);
	assert_int_equal(walk_len(&a, a.len - 2, &n), -EINVAL); /* data cut */
}

/* Every truncation of a valid archive ends cleanly or with -EINVAL, never past the end. */
static void test_every_truncation(void **state)
{
	struct arc a;
	size_t len;
	int n, r;

	build(&a);
	for (len = 0; len <= a.len; len++) {
		r = walk_len(&a, len, &n);
		assert_true(r == 0 || r == -EINVAL);
		if (len > 0 && len < CPIO_HDR_SIZE)
			assert_int_equal(r, -EINVAL);
	}
}

static void test_bad_magic(void **state)
{
	struct arc a;
	struct cpio_entry e;
	int n;

	build(&a);
	a.b[5] = '7'; /* 070707 is the old binary-compatible ASCII format */
	assert_int_equal(walk_len(&a, a.len, &n), -EINVAL);
	assert_int_equal(n, 0);
	build(&a);
	a.b[5] = '2'; /* 070702: newc with checksums, accepted */
	assert_int_equal(find_len(&a, a.len, "bin/hello", &e), 0);
}

static void test_bad_hex(void **state)
{
	struct arc a;
	int n;

	build(&a);
	a.b[6 + 8 * 6 + 3] = 'g'; /* filesize of member 0 */
	assert_int_equal(walk_len(&a, a.len, &n), -EINVAL);
}

static void set_field(struct arc *a, size_t member, unsigned field, uint32_t v)
{
	char tmp[16];

	snprintf(tmp, sizeof(tmp), "%08X", v);
	memcpy(a->b + member + 6 + 8 * field, tmp, 8);
}

static void test_huge_sizes(void **state)
{
	struct arc a;
	size_t m;
	int n;

	a.len = 0;
	m = add(&a, "big", CPIO_S_IFREG | 0644, "data", 4);
	add(&a, "TRAILER!!!", 0, "", 0);
	set_field(&a, m, 6, 0xffffffffu);
	assert_int_equal(walk_len(&a, a.len, &n), -EINVAL);
	set_field(&a, m, 6, 4);
	set_field(&a, m, 11, 0xffffffffu); /* namesize */
	assert_int_equal(walk_len(&a, a.len, &n), -EINVAL);
	set_field(&a, m, 11, 0);
	assert_int_equal(walk_len(&a, a.len, &n), -EINVAL);
	set_field(&a, m, 11, 4);
	assert_int_equal(walk_len(&a, a.len, &n), 0);
	assert_int_equal(n, 1);
}

static void test_name_without_nul(void **state)
{
	struct arc a;
	size_t m;
	int n;

	a.len = 0;
	m = add(&a, "name", CPIO_S_IFREG | 0644, "data", 4);
	a.b[m + CPIO_HDR_SIZE + 4] = 'X'; /* the NUL */
	assert_int_equal(walk_len(&a, a.len, &n), -EINVAL);
	a.b[m + CPIO_HDR_SIZE + 4] = 0;
	a.b[m + CPIO_HDR_SIZE + 1] = 0; /* a NUL inside the name */
	assert_int_equal(walk_len(&a, a.len, &n), -EINVAL);
}

/* Every header field reaches the entry; the offset names the member's header. */
static void test_fields(void **state)
{
	struct cpio_iter it;
	struct cpio_entry e;
	struct arc a;
	size_t m;
	unsigned f;

	(void)state;
	a.len = 0;
	add(&a, "first", CPIO_S_IFREG | 0644, "x", 1);
	m = add(&a, "dev/null", CPIO_S_IFCHR | 0666, "", 0);
	for (f = 0; f < 11; f++)
		if (f != 1 && f != 6)
			set_field(&a, m, f, 0x100u + f);
	cpio_iter_init(&it, a.b, a.len);
	assert_int_equal(cpio_next(&it, &e), 1);
	assert_int_equal(e.offset, 0);
	assert_int_equal(cpio_next(&it, &e), 1);
	assert_int_equal(e.offset, m);
	assert_int_equal(e.ino, 0x100);
	assert_int_equal(e.uid, 0x102);
	assert_int_equal(e.gid, 0x103);
	assert_int_equal(e.nlink, 0x104);
	assert_int_equal(e.mtime, 0x105);
	assert_int_equal(e.devmajor, 0x107);
	assert_int_equal(e.devminor, 0x108);
	assert_int_equal(e.rdevmajor, 0x109);
	assert_int_equal(e.rdevminor, 0x10a);
	assert_int_equal(e.mode, CPIO_S_IFCHR | 0666);
}

/* "070702" members carry the sum of their data's bytes; a wrong sum is corruption. */
static void test_checksum(void **state)
{
	struct arc a;
	size_t m;
	int n;

	(void)state;
	a.len = 0;
	m = add(&a, "f", CPIO_S_IFREG | 0644, "\x01\xff", 2);
	a.b[m + 5] = '2';
	set_field(&a, m, 12, 0x100);
	assert_int_equal(walk_len(&a, a.len, &n), 0);
	assert_int_equal(n, 1);
	set_field(&a, m, 12, 0x101);
	assert_int_equal(walk_len(&a, a.len, &n), -EINVAL);
	/* "070701" ignores the field. */
	a.b[m + 5] = '1';
	assert_int_equal(walk_len(&a, a.len, &n), 0);
}

/* A corrupt member stops the walk at its own offset with a reason. */
static void test_error_offset(void **state)
{
	struct cpio_iter it;
	struct cpio_entry e;
	struct arc a;
	size_t m;

	(void)state;
	a.len = 0;
	add(&a, "good", CPIO_S_IFREG | 0644, "abc", 3);
	m = add(&a, "bad", CPIO_S_IFREG | 0644, "", 0);
	add(&a, "TRAILER!!!", 0, "", 0);
	memcpy(a.b + m, "X", 1);
	cpio_iter_init(&it, a.b, a.len);
	while (cpio_next(&it, &e) == 1)
		;
	assert_non_null(it.error);
	assert_string_equal(it.error, "bad magic");
	assert_int_equal(it.off, m);
}

static void expect_name(const char *name, int err, const char *rel)
{
	const char *r = NULL, *why = NULL;

	assert_int_equal(cpio_name_check(name, 64, &r, &why), err);
	if (err)
		assert_non_null(why);
	else
		assert_string_equal(r, rel);
}

static void test_name_check(void **state)
{
	(void)state;
	expect_name(".", 0, "");
	expect_name("./", 0, "");
	expect_name("./bin/sh", 0, "bin/sh");
	expect_name("././etc", 0, "etc");
	expect_name("dir/", 0, "dir/");
	expect_name("a/./b", 0, "a/./b");
	expect_name("..", -EINVAL, NULL);
	expect_name("../etc/passwd", -EINVAL, NULL);
	expect_name("a/../../b", -EINVAL, NULL);
	expect_name("a/..", -EINVAL, NULL);
	expect_name("/etc/passwd", -EINVAL, NULL);
	expect_name("a//b", -EINVAL, NULL);
	expect_name("..a/b..", 0, "..a/b..");
	expect_name("0123456789012345678901234567890123456789012345678901234567890123", 0,
	            "0123456789012345678901234567890123456789012345678901234567890123");
	expect_name("01234567890123456789012345678901234567890123456789012345678901234", -EINVAL,
	            NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_no_trailer),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_bad_hex),
		cmocka_unit_test(test_huge_sizes),
		cmocka_unit_test(test_name_without_nul),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_error_offset),
		cmocka_unit_test(test_name_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
