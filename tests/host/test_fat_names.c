/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/fat's pure parts: the long-name checksum against the
 * specification's algorithm worked by hand, names planned for new entries
 * (8.3 with case bits, basis names, numeric tails), long-name entries fed
 * back through the directory walker, broken long-name sequences, and
 * timestamps both ways.
 */
#include <cairn/errno.h>

#include <lib/fat/fat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

/* Plan @name, write its entries, feed them back: the walker must give the name again. */
static void roundtrip(const char *name, const char *want)
{
	struct fat_name_plan p;
	uint8_t ents[(FAT_LFN_SLOTS + 1) * FAT_DIRENT_SIZE];
	struct fat_lfn_state st;
	struct fat_dirent d;
	unsigned i, n;

	assert_int_equal(fat_name_plan(name, strlen(name), &p), 0);
	n = fat_plan_slots(&p);
	fat_plan_entries(&p, FAT_ATTR_ARCH, ents);
	fat_lfn_reset(&st);
	for (i = 0; i + 1 < n; i++)
		assert_int_equal(fat_dir_feed(&st, ents + i * 32, &d), FAT_FEED_SKIP);
	assert_int_equal(fat_dir_feed(&st, ents + i * 32, &d), FAT_FEED_ENTRY);
	assert_string_equal(d.name, want);
	assert_int_equal(d.namelen, strlen(want));
	assert_int_equal(d.nslots, n);
	assert_int_equal(d.attr, FAT_ATTR_ARCH);
}

static void test_checksum(void **state)
{
	(void)state;
	/* Worked by hand from spec section 7.2's loop: rotate right, add. */
	uint8_t sum = 0;
	const uint8_t *sn = (const uint8_t *)"README  TXT";
	for (int i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + sn[i]);
	assert_int_equal(fat_lfn_checksum(sn), sum);
	assert_int_not_equal(fat_lfn_checksum((const uint8_t *)"README  TXU"), sum);
}

static void test_plan_exact(void **state)
{
	struct fat_name_plan p;

	(void)state;
	assert_int_equal(fat_name_plan("readme.txt", 10, &p), 0);
	assert_false(p.need_lfn);
	assert_memory_equal(p.sn, "README  TXT", 11);
	assert_int_equal(p.ntres, FAT_CASE_BASE | FAT_CASE_EXT);
	assert_int_equal(fat_name_plan("KERNEL.ELF", 10, &p), 0);
	assert_false(p.need_lfn);
	assert_int_equal(p.ntres, 0);
	assert_int_equal(fat_name_plan("BOOT.efi", 8, &p), 0);
	assert_false(p.need_lfn);
	assert_int_equal(p.ntres, FAT_CASE_EXT);
	/* Mixed case in one part, a leading dot, two dots, too long: a long name. */
	assert_int_equal(fat_name_plan("Makefile", 8, &p), 0);
	assert_true(p.need_lfn);
	assert_memory_equal(p.sn, "MAKEFILE   ", 11);
	assert_int_equal(fat_name_plan(".bashrc", 7, &p), 0);
	assert_true(p.need_lfn);
	assert_memory_equal(p.sn, "BASHRC     ", 11);
	assert_int_equal(fat_name_plan("a.tar.gz", 8, &p), 0);
	assert_true(p.need_lfn);
	assert_memory_equal(p.sn, "A       GZ ", 11);
	assert_int_equal(fat_name_plan("a+b long.html", 13, &p), 0);
	assert_memory_equal(p.sn, "A_BLONG HTM", 11);
}

static void test_plan_refused(void **state)
{
	struct fat_name_plan p;
	char big[300];

	(void)state;
	assert_int_equal(fat_name_plan("a:b", 3, &p), -EINVAL);
	assert_int_equal(fat_name_plan("a\\b", 3, &p), -EINVAL);
	assert_int_equal(fat_name_plan("...", 3, &p), -EINVAL);
	assert_int_equal(fat_name_plan("\xc0\xaf", 2, &p), -EINVAL);     /* overlong '/' */
	assert_int_equal(fat_name_plan("\xed\xa0\x80", 3, &p), -EINVAL); /* a surrogate */
	memset(big, 'x', sizeof(big));
	assert_int_equal(fat_name_plan(big, 256, &p), -ENAMETOOLONG);
	assert_int_equal(fat_name_plan(big, 255, &p), 0);
	/* Trailing dots and spaces go, as in Linux's vfat. */
	assert_int_equal(fat_name_plan("abc. .", 6, &p), 0);
	assert_memory_equal(p.sn, "ABC        ", 11);
}

static void test_tails(void **state)
{
	uint8_t out[11];

	(void)state;
	fat_short_tail((const uint8_t *)"LONGNAMETXT", 1, 0, out);
	assert_memory_equal(out, "LONGNA~1TXT", 11);
	fat_short_tail((const uint8_t *)"AB      C  ", 3, 0, out);
	assert_memory_equal(out, "AB~3    C  ", 11);
	fat_short_tail((const uint8_t *)"LONGNAMETXT", 5, 0xbeef, out);
	assert_memory_equal(out, "LOBEEF~1TXT", 11);
	fat_short_tail((const uint8_t *)"LONGNAMETXT", 20, 0x1234, out);
	assert_memory_equal(out, "LO123~16TXT", 11);
}

static void test_roundtrip(void **state)
{
	char big[256];

	(void)state;
	roundtrip("readme.txt", "readme.txt");
	roundtrip("README.TXT", "README.TXT");
	roundtrip("Makefile", "Makefile");
	roundtrip("a file with spaces and a long name.text",
	          "a file with spaces and a long name.text");
	roundtrip("grüße-☃-𝄞.txt", "grüße-☃-𝄞.txt");
	roundtrip("exactly13char", "exactly13char");
	memset(big, 'q', 255);
	big[255] = 0;
	roundtrip(big, big);
}

/* Long-name parts with a wrong checksum or order are ignored: the short name shows. */
static void test_broken_lfn(void **state)
{
	struct fat_name_plan p;
	uint8_t ents[4 * 32];
	struct fat_lfn_state st;
	struct fat_dirent d;
	unsigned i;

	(void)state;
	assert_int_equal(fat_name_plan("A long file name", 16, &p), 0);
	memcpy(p.sn, "ALONGF~1   ", 11);
	assert_int_equal(fat_plan_slots(&p), 3);
	fat_plan_entries(&p, 0, ents);
	ents[32 + 13] ^= 1; /* the second part's checksum */
	fat_lfn_reset(&st);
	for (i = 0; i < 2; i++)
		assert_int_equal(fat_dir_feed(&st, ents + i * 32, &d), FAT_FEED_SKIP);
	assert_int_equal(fat_dir_feed(&st, ents + 64, &d), FAT_FEED_ENTRY);
	assert_string_equal(d.name, "ALONGF~1");
	assert_int_equal(d.nslots, 1);
	/* Without the last part first. */
	fat_plan_entries(&p, 0, ents);
	fat_lfn_reset(&st);
	assert_int_equal(fat_dir_feed(&st, ents + 32, &d), FAT_FEED_SKIP);
	assert_int_equal(fat_dir_feed(&st, ents + 64, &d), FAT_FEED_ENTRY);
	assert_string_equal(d.name, "ALONGF~1");
	/* A free entry and the end mark. */
	ents[0] = FAT_DELETED;
	assert_int_equal(fat_dir_feed(&st, ents, &d), FAT_FEED_SKIP);
	ents[0] = 0;
	assert_int_equal(fat_dir_feed(&st, ents, &d), FAT_FEED_END);
}

static void test_equal(void **state)
{
	(void)state;
	assert_true(fat_name_equal("ReadMe.TXT", 10, "readme.txt", 10));
	assert_true(fat_name_equal("abc.", 4, "abc", 3));
	assert_false(fat_name_equal(".", 1, "..", 2));
	assert_false(fat_name_equal("...", 3, ".", 1));
	assert_false(fat_name_equal("abc", 3, "abd", 3));
}

static void test_time(void **state)
{
	uint16_t d, t;

	(void)state;
	/* 2000-02-29 12:34:56 UTC = 951827696. */
	fat_time_from_unix(951827696, &d, &t);
	assert_int_equal(d, ((2000 - 1980) << 9) | (2 << 5) | 29);
	assert_int_equal(t, (12 << 11) | (34 << 5) | 28);
	assert_int_equal(fat_time_to_unix(d, t), 951827696);
	/* Before 1980 clamps to the FAT epoch; a zero date reads as 0. */
	fat_time_from_unix(0, &d, &t);
	assert_int_equal(fat_time_to_unix(d, t), 315532800);
	assert_int_equal(fat_time_to_unix(0, 0), 0);
	for (int64_t s = 315532800; s < 4354819198LL; s += 86399 * 37 + 7) {
		fat_time_from_unix(s, &d, &t);
		assert_int_equal(fat_time_to_unix(d, t), s & ~1LL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum),     cmocka_unit_test(test_plan_exact),
		cmocka_unit_test(test_plan_refused), cmocka_unit_test(test_tails),
		cmocka_unit_test(test_roundtrip),    cmocka_unit_test(test_broken_lfn),
		cmocka_unit_test(test_equal),        cmocka_unit_test(test_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
