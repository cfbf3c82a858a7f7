/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/nvme/prp.c. Each command's PRP entries are read back
 * the way a controller reads them (NVMe 1.4, 4.3): PRP entry 1 with its
 * offset, then whole pages from PRP entry 2 or the list it points to. The
 * memory they name, command after command, must be exactly the request's
 * segments in order; every command must carry a block multiple within the
 * limits. Fixed layouts first, then thousands of random ones.
 */
#include <cairn/errno.h>

#include <lib/nvme/nvme.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

#define PG      4096u
#define LIST_PA 0x7770000ull
#define MAXR    4096

/* A byte range of physical memory, and a sequence of them merged where they touch. */
struct range {
	uint64_t a, len;
};
struct ranges {
	unsigned n;
	struct range r[MAXR];
};

static void ranges_add(struct ranges *rs, uint64_t a, uint64_t len)
{
	if (len == 0)
		return;
	if (rs->n && rs->r[rs->n - 1].a + rs->r[rs->n - 1].len == a) {
		rs->r[rs->n - 1].len += len;
		return;
	}
	assert_true(rs->n < MAXR);
	rs->r[rs->n].a = a;
	rs->r[rs->n].len = len;
	rs->n++;
}

/* What a controller reads for a command of p->bytes, checking the entries' form. */
static void device_walk(const struct nvme_prp *p, const uint64_t *list, struct ranges *rs)
{
	uint64_t left = p->bytes, first = PG - (p->prp1 % PG), n;
	unsigned i, pages;

	assert_int_equal(p->prp1 % 4, 0);
	n = left < first ? left : first;
	ranges_add(rs, p->prp1, n);
	left -= n;
	pages = (unsigned)((left + PG - 1) / PG);
	if (pages == 0) {
		assert_int_equal(p->list_used, 0);
		return;
	}
	if (pages == 1) {
		assert_int_equal(p->list_used, 0);
		assert_int_equal(p->prp2 % PG, 0);
		ranges_add(rs, p->prp2, left);
		return;
	}
	assert_int_equal(p->prp2, LIST_PA);
	assert_int_equal(p->list_used, pages);
	for (i = 0; i < pages; i++) {
		assert_int_equal(list[i] % PG, 0);
		n = left < PG ? left : PG;
		ranges_add(rs, list[i], n);
		left -= n;
	}
}

/* Run the whole transfer; returns the number of commands, or -EINVAL where it stopped. */
static int transfer(const struct nvme_seg *segs, unsigned nseg, const struct nvme_prp_limits *lim,
                    struct ranges *got)
{
	uint64_t *list = calloc(lim->list_cap + 1, sizeof(*list));
	struct nvme_prp_cursor c;
	struct nvme_prp p;
	int cmds = 0, err;

	nvme_prp_start(&c, segs, nseg);
	got->n = 0;
	for (;;) {
		err = nvme_prp_next(&c, lim, list, LIST_PA, &p);
		if (err) {
			cmds = err;
			break;
		}
		if (p.bytes == 0)
			break;
		assert_int_equal(p.bytes % lim->block, 0);
		assert_true(p.bytes <= lim->max_bytes);
		assert_true(p.list_used <= lim->list_cap);
		device_walk(&p, list, got);
		cmds++;
	}
	free(list);
	/* The dry count the driver reserves identifiers by must agree. */
	assert_int_equal(nvme_prp_pieces(segs, nseg, lim), cmds);
	return cmds;
}

static void expect_same(const struct nvme_seg *segs, unsigned nseg, const struct ranges *got)
{
	struct ranges want = { 0 };
	unsigned i;

	for (i = 0; i < nseg; i++)
		ranges_add(&want, segs[i].pa, segs[i].len);
	assert_int_equal(want.n, got->n);
	for (i = 0; i < want.n; i++) {
		assert_int_equal(want.r[i].a, got->r[i].a);
		assert_int_equal(want.r[i].len, got->r[i].len);
	}
}

static const struct nvme_prp_limits lim_std = {
	.page = PG, .block = 512, .max_bytes = 1u << 20, .list_cap = PG / 8
};

static struct ranges got;

static void test_one_page(void **state)
{
	struct nvme_seg s[] = { { 0x10000 + 1024, 1024 } };

	assert_int_equal(transfer(s, 1, &lim_std, &got), 1);
	expect_same(s, 1, &got);
}

static void test_two_pages_use_prp2(void **state)
{
	struct nvme_seg s[] = { { 0x10000 + 2048, 2048 }, { 0x55000, 4096 } };
	struct nvme_prp_cursor c;
	struct nvme_prp p;
	uint64_t list[4];

	nvme_prp_start(&c, s, 2);
	assert_int_equal(nvme_prp_next(&c, &lim_std, list, LIST_PA, &p), 0);
	assert_int_equal(p.bytes, 6144);
	assert_int_equal(p.prp1, 0x10800);
	assert_int_equal(p.prp2, 0x55000);
	assert_int_equal(p.list_used, 0);
	assert_int_equal(nvme_prp_next(&c, &lim_std, list, LIST_PA, &p), 0);
	assert_int_equal(p.bytes, 0);
}

static void test_list_for_many_pages(void **state)
{
	struct nvme_seg s[8];
	unsigned i;

	for (i = 0; i < 8; i++) {
		s[i].pa = 0x100000 + 0x3000 * i; /* scattered pages */
		s[i].len = PG;
	}
	assert_int_equal(transfer(s, 8, &lim_std, &got), 1);
	expect_same(s, 8, &got);
}

static void test_contiguous_segment_spanning_pages(void **state)
{
	struct nvme_seg s[] = { { 0x200200, 5 * PG } };

	assert_int_equal(transfer(s, 1, &lim_std, &got), 1);
	expect_same(s, 1, &got);
}

/* A piece that starts inside a page can only begin a command. */
static void test_gap_splits_commands(void **state)
{
	struct nvme_seg s[] = { { 0x10000, 1024 }, { 0x20000 + 1024, 1024 }, { 0x30000, 512 } };

	assert_int_equal(transfer(s, 3, &lim_std, &got), 3);
	expect_same(s, 3, &got);
}

static void test_max_bytes_splits(void **state)
{
	struct nvme_prp_limits lim = lim_std;
	struct nvme_seg s[] = { { 0x400000, 64 * PG } };

	lim.max_bytes = 16 * PG;
	assert_int_equal(transfer(s, 1, &lim, &got), 4);
	expect_same(s, 1, &got);
}

static void test_list_cap_splits(void **state)
{
	struct nvme_prp_limits lim = lim_std;
	struct nvme_seg s[] = { { 0x400000, 20 * PG } };

	lim.list_cap = 3; /* four pages per command */
	assert_int_equal(transfer(s, 1, &lim, &got), 5);
	expect_same(s, 1, &got);
}

static void test_misaligned_start_refused(void **state)
{
	struct nvme_seg s[] = { { 0x10002, 512 } };

	assert_int_equal(transfer(s, 1, &lim_std, &got), -EINVAL);
}

/* 4 KiB blocks in 1 KiB pieces of different pages cannot be described. */
static void test_no_block_multiple_refused(void **state)
{
	struct nvme_prp_limits lim = lim_std;
	struct nvme_seg s[] = { { 0x10c00, 1024 }, { 0x20400, 3072 } };

	lim.block = 4096;
	assert_int_equal(transfer(s, 2, &lim, &got), -EINVAL);
}

static void test_empty_segments_skipped(void **state)
{
	struct nvme_seg s[] = { { 0x10000, 0 }, { 0x20000, 512 }, { 0x30000, 0 } };

	assert_int_equal(transfer(s, 3, &lim_std, &got), 1);
	expect_same(s, 3, &got);
	assert_int_equal(transfer(s, 0, &lim_std, &got), 0);
}

static void test_wrapping_segment_refused(void **state)
{
	struct nvme_seg s[] = { { UINT64_MAX - 511, 1024 } };

	assert_int_equal(transfer(s, 1, &lim_std, &got), -EINVAL);
}

/* A random request: 512-byte granules in random pages, sometimes contiguous. */
static unsigned random_request(struct nvme_seg *s, unsigned max)
{
	unsigned n = 1 + (unsigned)rand() % max, i;
	uint64_t next = 0;

	for (i = 0; i < n; i++) {
		unsigned off = 512u * (unsigned)(rand() % 8), len;

		if (i && rand() % 3 && next % PG == 0) {
			s[i].pa = next; /* continue into the next page */
			off = 0;
		} else {
			s[i].pa = 0x100000ull * (1 + (unsigned)rand() % 1000) + off;
		}
		len = 512u * (1 + (unsigned)rand() % ((PG - off) / 512));
		s[i].len = len;
		next = s[i].pa + len;
	}
	return n;
}

static void test_random_layouts(void **state)
{
	struct nvme_prp_limits lim = lim_std;
	struct nvme_seg s[64];
	unsigned iter, n;
	int cmds;

	srand(13);
	for (iter = 0; iter < 20000; iter++) {
		n = random_request(s, 64);
		lim.list_cap = 1 + (unsigned)rand() % 8;
		lim.max_bytes = 512u * (1 + (unsigned)rand() % 64);
		cmds = transfer(s, n, &lim, &got);
		assert_true(cmds >= 1); /* 512-byte blocks always fit */
		expect_same(s, n, &got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_page),
		cmocka_unit_test(test_two_pages_use_prp2),
		cmocka_unit_test(test_list_for_many_pages),
		cmocka_unit_test(test_contiguous_segment_spanning_pages),
		cmocka_unit_test(test_gap_splits_commands),
		cmocka_unit_test(test_max_bytes_splits),
		cmocka_unit_test(test_list_cap_splits),
		cmocka_unit_test(test_misaligned_start_refused),
		cmocka_unit_test(test_no_block_multiple_refused),
		cmocka_unit_test(test_empty_segments_skipped),
		cmocka_unit_test(test_wrapping_segment_refused),
		cmocka_unit_test(test_random_layouts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
