/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/part: GPT images made by sgdisk at test time (read
 * as made, with the primary header or entry array damaged so the backup
 * is read, with both damaged, with 4 KiB blocks built by hand), and MBRs
 * built as byte arrays (primaries, an extended chain of logical
 * partitions, a chain that loops, entries past the disk, a file-system
 * boot sector that is no table). CRC-32 against known values.
 */
#include <cairn/errno.h>

#include <lib/part/part.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

struct mdisk {
	uint8_t *data;
	uint32_t lbsize;
	uint64_t nblocks;
};

static int mread(void *ctx, uint64_t lba, void *buf)
{
	struct mdisk *d = ctx;

	assert_true(lba < d->nblocks);
	memcpy(buf, d->data + lba * d->lbsize, d->lbsize);
	return 0;
}

static int scan(struct mdisk *d, struct part_table *t)
{
	static uint8_t buf[4096];
	struct part_dev dev = { mread, d, d->lbsize, d->nblocks, buf };

	return part_scan(&dev, t);
}

static void test_crc32(void **state)
{
	(void)state;
	assert_int_equal(part_crc32(0, "123456789", 9), 0xcbf43926u);
	assert_int_equal(part_crc32(part_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
	assert_int_equal(part_crc32(0, "", 0), 0);
}

/* ---- GPT from sgdisk ---- */

#define IMG_SECTORS 16384u /* 8 MiB */

static bool have_sgdisk(void)
{
	return system("command -v sgdisk > /dev/null 2>&1") == 0;
}

/* Make an image with sgdisk @args; returns it in memory (NULL: sgdisk failed). */
static uint8_t *sgdisk_image(const char *args, char *path)
{
	char cmd[512];
	uint8_t *img;
	FILE *f;
	int fd;

	strcpy(path, "/tmp/cairn-part-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)IMG_SECTORS * 512), 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "sgdisk %s %s > /dev/null 2>&1", args, path);
	if (system(cmd) != 0)
		return NULL;
	img = malloc((size_t)IMG_SECTORS * 512);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(img, 512, IMG_SECTORS, f), IMG_SECTORS);
	fclose(f);
	return img;
}

/* sgdisk's own idea of partition @n's first and last sector ("sgdisk -i"). */
static void sgdisk_info(const char *path, int n, uint64_t *first, uint64_t *last)
{
	char cmd[512], line[256];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "sgdisk -i %d %s", n, path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		unsigned long long v;

		if (sscanf(line, "First sector: %llu", &v) == 1)
			*first = v;
		if (sscanf(line, "Last sector: %llu", &v) == 1)
			*last = v;
	}
	pclose(p);
}

static const char *gpt_args = "-n 1:2048:+1M -t 1:ef00 -n 2:0:+2M -n 5:0:0 -t 5:8300";

static void expect_sgdisk_parts(struct part_table *t, const char *path)
{
	static const unsigned numbers[3] = { 1, 2, 5 };

	assert_int_equal(t->kind, PART_GPT);
	assert_int_equal(t->n, 3);
	for (unsigned i = 0; i < 3; i++) {
		uint64_t first = 0, last = 0;

		sgdisk_info(path, (int)numbers[i], &first, &last);
		assert_int_equal(t->e[i].number, numbers[i]);
		assert_int_equal(t->e[i].start, first);
		assert_int_equal(t->e[i].count, last - first + 1);
	}
	/* EFI System Partition type C12A7328-F81F-11D2-BA4B-00A0C93EC93B, stored mixed-endian. */
	assert_int_equal(t->e[0].type[0], 0x28);
	assert_int_equal(t->e[0].type[3], 0xc1);
	assert_int_equal(t->e[0].type[15], 0x3b);
}

static void test_gpt_sgdisk(void **state)
{
	struct mdisk d = { NULL, 512, IMG_SECTORS };
	struct part_table t;
	char path[64];

	(void)state;
	if (!have_sgdisk())
		skip();
	d.data = sgdisk_image(gpt_args, path);
	assert_non_null(d.data);
	assert_int_equal(scan(&d, &t), 0);
	expect_sgdisk_parts(&t, path);
	assert_false(t.gpt_backup_used);
	/* A damaged primary header: the backup at the last block is read. */
	d.data[512 + 40] ^= 1;
	assert_int_equal(scan(&d, &t), 0);
	assert_true(t.gpt_backup_used);
	expect_sgdisk_parts(&t, path);
	d.data[512 + 40] ^= 1;
	/* A damaged primary entry array (an entry's name byte): the backup too. */
	d.data[2 * 512 + 128 + 60] ^= 0x40;
	assert_int_equal(scan(&d, &t), 0);
	assert_true(t.gpt_backup_used);
	expect_sgdisk_parts(&t, path);
	/* Both damaged: refused. */
	d.data[(IMG_SECTORS - 1) * 512 + 16] ^= 1;
	assert_int_equal(scan(&d, &t), -EINVAL);
	assert_int_equal(t.n, 0);
	unlink(path);
	free(d.data);
}

static void test_gpt_bad_headers(void **state)
{
	struct mdisk d = { NULL, 512, IMG_SECTORS };
	struct part_table t;
	char path[64];
	uint8_t hdr[512];

	(void)state;
	if (!have_sgdisk())
		skip();
	d.data = sgdisk_image(gpt_args, path);
	assert_non_null(d.data);
	memcpy(hdr, d.data + 512, 512);
	/* An entry array said to be huge, with the CRC made right: refused, backup used. */
	uint32_t n = 1u << 30, crc;

	memcpy(d.data + 512 + 80, &n, 4);
	memset(d.data + 512 + 16, 0, 4);
	crc = part_crc32(0, d.data + 512, 92);
	memcpy(d.data + 512 + 16, &crc, 4);
	assert_int_equal(scan(&d, &t), 0);
	assert_true(t.gpt_backup_used);
	assert_int_equal(t.n, 3);
	/* A disk smaller than the table says: neither header fits, so no table. */
	memcpy(d.data + 512, hdr, 512);
	d.nblocks = 4096;
	assert_int_equal(scan(&d, &t), -EINVAL);
	unlink(path);
	free(d.data);
}

/* ---- GPT built by hand (4 KiB blocks) ---- */

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* A GPT header at @lba pointing at entries at @elba (@n entries of 128 bytes). */
static void gpt_put_header(struct mdisk *d, uint64_t lba, uint64_t alt, uint64_t elba, uint32_t n)
{
	uint8_t *h = d->data + lba * d->lbsize;
	uint32_t ecrc = part_crc32(0, d->data + elba * d->lbsize, (size_t)n * 128);

	memset(h, 0, d->lbsize);
	memcpy(h, "EFI PART", 8);
	put32(h + 8, 0x10000);
	put32(h + 12, 92);
	put64(h + 24, lba);
	put64(h + 32, alt);
	put64(h + 40, 6);
	put64(h + 48, d->nblocks - 6);
	put64(h + 72, elba);
	put32(h + 80, n);
	put32(h + 84, 128);
	put32(h + 88, ecrc);
	put32(h + 16, part_crc32(0, h, 92));
}

static void test_gpt_4k(void **state)
{
	struct mdisk d = { calloc(1024, 4096), 4096, 1024 };
	uint8_t *pm = d.data, *e;
	struct part_table t;

	(void)state;
	/* Protective MBR: one 0xEE entry over the disk (UEFI 2.x 5.2.3). */
	pm[446 + 4] = 0xee;
	put32(pm + 446 + 8, 1);
	put32(pm + 446 + 12, 1023);
	pm[510] = 0x55;
	pm[511] = 0xaa;
	/* 64 entries in block 2 (two 4 KiB blocks), mirrored before the backup header. */
	e = d.data + 2 * 4096;
	memset(e, 0x11, 16); /* a type GUID */
	e[16] = 0x99;
	put64(e + 32, 10);
	put64(e + 40, 109);
	e += 128 * 40; /* entry 41 */
	memset(e, 0x22, 16);
	put64(e + 32, 200);
	put64(e + 40, 1017);
	e = d.data + 2 * 4096 + 128 * 3; /* entry 4: past the usable range: skipped */
	memset(e, 0x33, 16);
	put64(e + 32, 1000);
	put64(e + 40, 1020);
	memcpy(d.data + 1021 * 4096, d.data + 2 * 4096, 2 * 4096);
	gpt_put_header(&d, 1, 1023, 2, 64);
	gpt_put_header(&d, 1023, 1, 1021, 64);
	assert_int_equal(scan(&d, &t), 0);
	assert_int_equal(t.kind, PART_GPT);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.skipped, 1);
	assert_int_equal(t.e[0].number, 1);
	assert_int_equal(t.e[0].start, 10);
	assert_int_equal(t.e[0].count, 100);
	assert_int_equal(t.e[0].guid[0], 0x99);
	assert_int_equal(t.e[1].number, 41);
	assert_int_equal(t.e[1].count, 818);
	/* The primary's array damaged: the mirror behind the backup header serves. */
	d.data[2 * 4096 + 5] ^= 1;
	assert_int_equal(scan(&d, &t), 0);
	assert_true(t.gpt_backup_used);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.e[0].type[5], 0x11);
	free(d.data);
}

/* ---- MBR ---- */

static void mbr_put(uint8_t *blk, int slot, uint8_t status, uint8_t type, uint32_t start,
                    uint32_t count)
{
	uint8_t *e = blk + 446 + 16 * slot;

	e[0] = status;
	e[4] = type;
	put32(e + 8, start);
	put32(e + 12, count);
	blk[510] = 0x55;
	blk[511] = 0xaa;
}

static void test_mbr_primary_and_logical(void **state)
{
	struct mdisk d = { calloc(4096, 512), 512, 4096 };
	struct part_table t;

	(void)state;
	mbr_put(d.data, 0, 0x80, 0x83, 63, 100);
	mbr_put(d.data, 1, 0, 0x0c, 200, 300);
	mbr_put(d.data, 2, 0, 0x05, 1000, 2000); /* extended */
	mbr_put(d.data, 3, 0, 0x83, 3500, 1000); /* runs past the disk: skipped */
	/* EBR 1 at 1000: logical 5 at +10, next EBR at ext+500. */
	mbr_put(d.data + 1000 * 512, 0, 0, 0x83, 10, 90);
	mbr_put(d.data + 1000 * 512, 1, 0, 0x05, 500, 600);
	/* EBR 2 at 1500: logical 6 at +2, end of chain. */
	mbr_put(d.data + 1500 * 512, 0, 0, 0x82, 2, 400);
	assert_int_equal(scan(&d, &t), 0);
	assert_int_equal(t.kind, PART_MBR);
	assert_int_equal(t.n, 5);
	assert_int_equal(t.skipped, 1);
	assert_int_equal(t.e[0].number, 1);
	assert_int_equal(t.e[0].start, 63);
	assert_int_equal(t.e[0].mbr_type, 0x83);
	assert_int_equal(t.e[2].number, 3);
	assert_int_equal(t.e[2].count, 2); /* the extended partition shows as 1 KiB */
	assert_int_equal(t.e[3].number, 5);
	assert_int_equal(t.e[3].start, 1010);
	assert_int_equal(t.e[3].count, 90);
	assert_int_equal(t.e[4].number, 6);
	assert_int_equal(t.e[4].start, 1502);
	assert_int_equal(t.e[4].mbr_type, 0x82);
	/* A chain that links back to itself ends instead of looping. */
	mbr_put(d.data + 1500 * 512, 1, 0, 0x05, 0, 600);
	assert_int_equal(scan(&d, &t), 0);
	assert_int_equal(t.n, 5);
	free(d.data);
}

static void test_not_a_table(void **state)
{
	struct mdisk d = { calloc(64, 512), 512, 64 };
	struct part_table t;

	(void)state;
	/* Blank disk. */
	assert_int_equal(scan(&d, &t), 0);
	assert_int_equal(t.kind, PART_NONE);
	/* A file system's boot sector: signature, but boot code where the entries would be. */
	memcpy(d.data + 446, "This is not a bootable disk", 27);
	d.data[510] = 0x55;
	d.data[511] = 0xaa;
	assert_int_equal(scan(&d, &t), 0);
	assert_int_equal(t.kind, PART_NONE);
	/* A protective MBR with no GPT behind it: refused. */
	memset(d.data + 446, 0, 64);
	mbr_put(d.data, 0, 0, 0xee, 1, 63);
	assert_int_equal(scan(&d, &t), -EINVAL);
	free(d.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_gpt_sgdisk),
		cmocka_unit_test(test_gpt_bad_headers),
		cmocka_unit_test(test_gpt_4k),
		cmocka_unit_test(test_mbr_primary_and_logical),
		cmocka_unit_test(test_not_a_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
