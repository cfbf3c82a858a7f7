/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/fat against the real tools: images made by mkfs.fat
 * (FAT12, FAT16, FAT32) and filled by mtools are read back through lib/fat
 * and compared byte for byte; images lib/fat writes (long names that share
 * a prefix, directories that grow past a cluster, deletions) must pass
 * `fsck.fat -n` and read back the same through mtools. Skips when
 * dosfstools or mtools is missing.
 */
#include <cairn/errno.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fat_helpers.h"

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

struct ctx {
	char dir[64];
	char img[96];
};

/* Deterministic contents for file @i of @len bytes. */
static void fill(uint8_t *b, size_t len, unsigned i)
{
	uint32_t x = 2654435761u * (i + 1);

	for (size_t k = 0; k < len; k++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		b[k] = (uint8_t)x;
	}
}

static const size_t sizes[] = { 0, 1, 511, 512, 513, 4095, 4096, 4097, 70000, 200003 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static const char *const names[] = {
	"short.txt",
	"A long file name with spaces.data",
	"grüße ☃.bin",
	"MixedCase.Ext",
	"UPPER.TXT",
	"many.dots.in.the.name",
	"x",
	".hidden-ish",
	"name;with,odd=chars[1]",
	"a-name-that-is-exactly-64-characters-long-for-the-test-abcdefgh",
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (!fat_tools_present()) {
		free(c);
		return -1;
	}
	snprintf(c->dir, sizeof(c->dir), "/tmp/cairn-fat-XXXXXX");
	if (!mkdtemp(c->dir))
		return -1;
	snprintf(c->img, sizeof(c->img), "%s/v.img", c->dir);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	if (c)
		hsh("rm -rf %s", c->dir);
	free(c);
	return 0;
}

/* mkfs.fat an image of @kib KiB as FAT@bits, put files in it with mtools, read them back. */
static void read_tools_image(struct ctx *c, int bits, unsigned kib)
{
	struct himg h;
	struct fat_dirent e;
	uint8_t *want, *got;
	size_t len;
	char path[512], host[512];
	unsigned i;

	assert_int_equal(hsh("mkfs.fat -F %d -C %s %u", bits, c->img, kib), 0);
	assert_int_equal(hsh("mmd -i %s ::/sub ::/sub/Deeper\\ Dir", c->img), 0);
	for (i = 0; i < NSIZES; i++) {
		want = malloc(sizes[i] + 1);
		fill(want, sizes[i], i);
		snprintf(host, sizeof(host), "%s/f%u", c->dir, i);
		FILE *f = fopen(host, "wb");
		assert_int_equal(fwrite(want, 1, sizes[i], f), sizes[i]);
		fclose(f);
		free(want);
		snprintf(path, sizeof(path), "%s%s",
		         i & 1   ? "sub/Deeper Dir/"
		         : i & 2 ? "sub/"
		                 : "",
		         names[i % 10]);
		assert_int_equal(hsh("mcopy -i %s %s '::/%s'", c->img, host, path), 0);
	}
	assert_int_equal(himg_open(&h, c->img), 0);
	assert_int_equal((int)h.v.g.type, bits);
	for (i = 0; i < NSIZES; i++) {
		snprintf(path, sizeof(path), "%s%s",
		         i & 1   ? "sub/Deeper Dir/"
		         : i & 2 ? "sub/"
		                 : "",
		         names[i % 10]);
		assert_int_equal(hpath(&h, path, &e), 0);
		assert_string_equal(e.name, names[i % 10]);
		assert_int_equal(hread(&h, &e, &got, &len), 0);
		want = malloc(sizes[i] + 1);
		fill(want, sizes[i], i);
		assert_int_equal(len, sizes[i]);
		assert_memory_equal(got, want, len);
		free(got);
		free(want);
	}
	/* Case-insensitive lookup, as vfat. */
	assert_int_equal(hpath(&h, "SUB/deeper dir/a long file NAME with spaces.DATA", &e), 0);
	assert_int_equal(hpath(&h, "sub/nothing", &e), -ENOENT);
	himg_close(&h);
}

static void test_read_fat32(void **state)
{
	read_tools_image(*state, 32, 65536);
}

static void test_read_fat16(void **state)
{
	read_tools_image(*state, 16, 16384);
}

static void test_read_fat12(void **state)
{
	read_tools_image(*state, 12, 2048);
}

/* The free count lib/fat computes matches the one mkfs.fat and mtools keep in FSInfo. */
static void test_free_count(void **state)
{
	struct ctx *c = *state;
	struct himg h;
	uint32_t from_fsinfo;

	assert_int_equal(hsh("mkfs.fat -F 32 -C %s 40000", c->img), 0);
	assert_int_equal(hsh("mcopy -i %s /etc/passwd ::/p", c->img), 0);
	assert_int_equal(himg_open(&h, c->img), 0);
	from_fsinfo = h.v.free_count;
	assert_int_equal(fat_count_free(&h.v), 0);
	assert_int_equal(h.v.free_count, from_fsinfo);
	himg_close(&h);
}

/* lib/fat writes @nfiles files in two directories, deletes every third; fsck and mtools agree. */
static void write_and_check(struct ctx *c, int bits, unsigned kib, unsigned nfiles)
{
	struct himg h;
	struct hdir d1, d2;
	uint8_t buf[9000], *got;
	char name[128], host[256];
	unsigned i;
	size_t len;
	FILE *f;

	assert_int_equal(hsh("mkfs.fat -F %d -C %s %u", bits, c->img, kib), 0);
	assert_int_equal(himg_open(&h, c->img), 0);
	assert_int_equal(hcreate(&h, himg_root(&h), "Directory One", NULL, 0, true, &d1), 0);
	assert_int_equal(hcreate(&h, d1, "nested directory two", NULL, 0, true, &d2), 0);
	for (i = 0; i < nfiles; i++) {
		snprintf(name, sizeof(name), "a rather long file name, number %04u.text", i);
		fill(buf, (i * 37) % sizeof(buf), i);
		assert_int_equal(hcreate(&h, i & 1 ? d2 : d1, name, buf, (i * 37) % sizeof(buf),
		                         false, NULL),
		                 0);
	}
	for (i = 0; i < nfiles; i += 3) {
		snprintf(name, sizeof(name), "a rather long file name, number %04u.text", i);
		assert_int_equal(hdelete(&h, i & 1 ? d2 : d1, name), 0);
	}
	assert_int_equal(hcreate(&h, himg_root(&h), "readme.txt", "hello\n", 6, false, NULL), 0);
	himg_close(&h);
	assert_int_equal(hsh("fsck.fat -n %s", c->img), 0);
	assert_int_equal(hsh("mcopy -s -i %s ::/ %s/out", c->img, c->dir), 0);
	for (i = 0; i < nfiles; i++) {
		snprintf(host, sizeof(host),
		         "%s/out/Directory One/%s%s/a rather long file name, number %04u.text",
		         c->dir, i & 1 ? "nested directory two" : "", i & 1 ? "/" : "", i);
		f = fopen(host, "rb");
		if (i % 3 == 0) {
			assert_null(f);
			continue;
		}
		assert_non_null(f);
		got = malloc(sizeof(buf) + 1);
		len = fread(got, 1, sizeof(buf) + 1, f);
		fclose(f);
		fill(buf, (i * 37) % sizeof(buf), i);
		assert_int_equal(len, (i * 37) % sizeof(buf));
		assert_memory_equal(got, buf, len);
		free(got);
	}
	/* readme.txt stays lower case without a long name (the NT case bits). */
	assert_int_equal(hsh("test -f %s/out/readme.txt", c->dir), 0);
}

static void test_write_fat32(void **state)
{
	write_and_check(*state, 32, 65536, 400);
}

static void test_write_fat16(void **state)
{
	write_and_check(*state, 16, 16384, 120);
}

/* The dirty bit: fsck.fat notices it set, and clearing it makes the volume clean again. */
static void test_dirty_bit(void **state)
{
	struct ctx *c = *state;
	struct himg h;
	bool clean, errors;

	assert_int_equal(hsh("mkfs.fat -F 32 -C %s 40000", c->img), 0);
	assert_int_equal(himg_open(&h, c->img), 0);
	assert_int_equal(fat_get_state(&h.v, &clean, &errors), 0);
	assert_true(clean);
	assert_false(errors);
	assert_int_equal(fat_set_state(&h.v, false, false), 0);
	assert_int_equal(fat_get_state(&h.v, &clean, &errors), 0);
	assert_false(clean);
	himg_close(&h);
	assert_int_not_equal(hsh("fsck.fat -n %s", c->img), 0);
	assert_int_equal(himg_open(&h, c->img), 0);
	assert_int_equal(fat_set_state(&h.v, true, false), 0);
	himg_close(&h);
	assert_int_equal(hsh("fsck.fat -n %s", c->img), 0);
}

/* A chain that loops, or points past the volume, is reported corrupt, not followed forever. */
static void test_broken_chains(void **state)
{
	struct ctx *c = *state;
	struct himg h;
	struct fat_dirent e;
	uint32_t n, second;
	uint8_t *buf;
	size_t len;

	assert_int_equal(hsh("mkfs.fat -F 32 -s 1 -C %s 40000", c->img), 0);
	assert_int_equal(hsh("mcopy -i %s /bin/sh ::/sh", c->img), 0);
	assert_int_equal(himg_open(&h, c->img), 0);
	assert_int_equal(hpath(&h, "sh", &e), 0);
	assert_int_equal(fat_chain_len(&h.v, e.cluster, &n), 0);
	assert_true(n > 2);
	assert_int_equal(fat_chain_nth(&h.v, e.cluster, 1, &second), 0);
	assert_int_equal(fat_set(&h.v, second, e.cluster), 0);
	assert_int_equal(fat_chain_len(&h.v, e.cluster, &n), -EUCLEAN);
	assert_int_equal(fat_chain_nth(&h.v, e.cluster, h.v.g.nclusters, &n), -EUCLEAN);
	assert_int_equal(fat_set(&h.v, second, FAT_FREE), 0);
	assert_int_equal(hread(&h, &e, &buf, &len), -EUCLEAN);
	free(buf);
	assert_int_equal(fat_set(&h.v, second, h.v.g.nclusters + 2), -EINVAL);
	himg_close(&h);
}

/* Boot sectors broken one field at a time are refused with a reason, never trusted. */
static void test_bad_bpb(void **state)
{
	static const struct {
		unsigned off, len;
		uint32_t val;
	} breaks[] = {
		{ 510, 1, 0 },         /* signature */
		{ 0, 1, 0 },           /* jump */
		{ 11, 2, 500 },        /* bytes per sector */
		{ 13, 1, 3 },          /* sectors per cluster */
		{ 14, 2, 0 },          /* reserved sectors */
		{ 16, 1, 0 },          /* FAT count */
		{ 21, 1, 0x12 },       /* media */
		{ 32, 4, 100 },        /* total sectors: smaller than the metadata */
		{ 36, 4, 1 },          /* FAT size: too small for the clusters */
		{ 44, 4, 0x0fffffff }, /* root cluster */
		{ 42, 2, 1 },          /* version */
		{ 17, 2, 512 },        /* a FAT32 volume with a fixed root */
	};
	struct ctx *c = *state;
	uint8_t sec[512], bad[512];
	struct fat_geom g;
	const char *why;
	FILE *f;

	assert_int_equal(hsh("mkfs.fat -F 32 -C %s 40000", c->img), 0);
	f = fopen(c->img, "rb");
	assert_int_equal(fread(sec, 1, 512, f), 512);
	fclose(f);
	assert_int_equal(fat_parse_bpb(sec, 512, &g, &why), 0);
	assert_int_equal(fat_parse_bpb(sec, 511, &g, &why), -EINVAL);
	for (size_t i = 0; i < sizeof(breaks) / sizeof(breaks[0]); i++) {
		memcpy(bad, sec, 512);
		for (unsigned k = 0; k < breaks[i].len; k++)
			bad[breaks[i].off + k] = (uint8_t)(breaks[i].val >> (8 * k));
		why = NULL;
		assert_int_equal(fat_parse_bpb(bad, 512, &g, &why), -EINVAL);
		assert_non_null(why);
	}
}

/* fat_format() makes volumes fsck.fat finds clean, mtools can fill and lib/fat reads back. */
static void test_format(void **state)
{
	static const struct {
		uint64_t bytes;
		uint32_t spc;
	} shapes[] = { { 64u << 20, 1 }, { 300u << 20, 8 }, { 1100u << 20, 16 } };
	struct ctx *c = *state;
	struct fat_dirent e;
	struct himg h;
	uint8_t *got;
	size_t len;

	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		assert_int_equal(hformat(c->img, shapes[i].bytes, shapes[i].spc), 0);
		assert_int_equal(hsh("fsck.fat -n %s", c->img), 0);
		assert_int_equal(hsh("mmd -i %s '::/made by mtools'", c->img), 0);
		assert_int_equal(
			hsh("mcopy -i %s /etc/passwd '::/made by mtools/Password File'", c->img),
			0);
		assert_int_equal(himg_open(&h, c->img), 0);
		assert_int_equal(h.v.g.type, FAT32);
		assert_int_equal(h.v.g.sec_per_clus, shapes[i].spc);
		assert_int_equal(hpath(&h, "made by mtools/password file", &e), 0);
		assert_int_equal(hread(&h, &e, &got, &len), 0);
		free(got);
		assert_int_equal(
			hcreate(&h, himg_root(&h), "Written by lib-fat.txt", "x", 1, false, NULL),
			0);
		himg_close(&h);
		assert_int_equal(hsh("fsck.fat -n %s", c->img), 0);
	}
	/* Below 65525 clusters mtools balks, but fsck.fat and lib/fat accept it (as Linux). */
	assert_int_equal(hformat(c->img, 5u << 20, 1), 0);
	assert_int_equal(hsh("fsck.fat -n %s", c->img), 0);
	assert_int_equal(himg_open(&h, c->img), 0);
	assert_int_equal(hcreate(&h, himg_root(&h), "small volume file", "x", 1, false, NULL), 0);
	himg_close(&h);
	assert_int_equal(hsh("fsck.fat -n %s", c->img), 0);
	/* Below 65525 clusters mtools balks, but fsck.fat and lib/fat accept it (as Linux). */
	assert_int_equal(hformat(c->img, 5u << 20, 1), 0);
	assert_int_equal(hsh("fsck.fat -n %s", c->img), 0);
	assert_int_equal(himg_open(&h, c->img), 0);
	assert_int_equal(hcreate(&h, himg_root(&h), "small volume file", "x", 1, false, NULL), 0);
	himg_close(&h);
	assert_int_equal(hsh("fsck.fat -n %s", c->img), 0);
	assert_int_equal(hformat(c->img, 4096, 1), -EINVAL);
	assert_int_equal(hformat(c->img, 64u << 20, 3), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_fat32, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_fat16, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_fat12, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_fat32, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_fat16, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dirty_bit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_chains, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_bpb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_format, setup, teardown),
	};
	if (!fat_tools_present()) {
		printf("# SKIP test_fat_image: mkfs.fat, fsck.fat or mtools missing\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
