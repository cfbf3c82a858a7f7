/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/nvme/identify.c and lib/nvme/cmd.c: Identify data laid
 * out byte by byte as a controller returns it (NVMe 1.4, 5.15.2), parsed
 * whole, then broken one field at a time; and the dwords of each command
 * Cairn sends, checked against the specification's field positions.
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

static void put(uint8_t *b, unsigned off, uint64_t v, unsigned bytes)
{
	unsigned i;

	for (i = 0; i < bytes; i++)
		b[off + i] = (uint8_t)(v >> (8 * i));
}

static void pad(uint8_t *b, unsigned off, const char *s, unsigned len)
{
	memset(b + off, ' ', len);
	memcpy(b + off, s, strlen(s));
}

/* A controller like QEMU's: 64/16-byte entries, MDTS 7, VWC, DSM. */
static uint8_t *ctrl_buf(void)
{
	uint8_t *b = calloc(1, NVME_IDENTIFY_LEN);

	put(b, NVME_IDC_VID, 0x1b36, 2);
	put(b, NVME_IDC_SSVID, 0x1af4, 2);
	pad(b, NVME_IDC_SN, "cairn0", 20);
	pad(b, NVME_IDC_MN, "QEMU NVMe Ctrl", 40);
	pad(b, NVME_IDC_FR, "8.2.2", 8);
	b[NVME_IDC_MDTS] = 7;
	put(b, NVME_IDC_CNTLID, 1, 2);
	put(b, NVME_IDC_VER, 0x10400, 4);
	b[NVME_IDC_SQES] = 0x66;
	b[NVME_IDC_CQES] = 0x44;
	put(b, NVME_IDC_NN, 256, 4);
	put(b, NVME_IDC_ONCS, 0x5f, 2);
	b[NVME_IDC_VWC] = 1;
	return b;
}

static void test_id_ctrl(void **state)
{
	uint8_t *b = ctrl_buf();
	struct nvme_ctrl_info ci;

	assert_int_equal(nvme_parse_id_ctrl(b, 4096, &ci), 0);
	assert_int_equal(ci.vid, 0x1b36);
	assert_string_equal(ci.serial, "cairn0");
	assert_string_equal(ci.model, "QEMU NVMe Ctrl");
	assert_string_equal(ci.firmware, "8.2.2");
	assert_int_equal(ci.max_xfer, 4096u << 7);
	assert_int_equal(ci.version, 0x10400);
	assert_int_equal(ci.nn, 256);
	assert_true(ci.oncs & NVME_ONCS_DSM);
	assert_true(ci.vwc);
	b[NVME_IDC_MDTS] = 0;
	b[NVME_IDC_SN] = 0x07; /* a control character */
	assert_int_equal(nvme_parse_id_ctrl(b, 4096, &ci), 0);
	assert_int_equal(ci.max_xfer, 0);
	assert_string_equal(ci.serial, "?airn0");
	b[NVME_IDC_MDTS] = 200;
	assert_int_equal(nvme_parse_id_ctrl(b, 4096, &ci), 0);
	assert_int_equal(ci.max_xfer, 1u << 31);
	free(b);
}

static void test_id_ctrl_entry_sizes(void **state)
{
	uint8_t *b = ctrl_buf();
	struct nvme_ctrl_info ci;

	b[NVME_IDC_SQES] = 0x77; /* requires 128-byte entries */
	assert_int_equal(nvme_parse_id_ctrl(b, 4096, &ci), -EINVAL);
	b[NVME_IDC_SQES] = 0x56; /* largest below its minimum */
	assert_int_equal(nvme_parse_id_ctrl(b, 4096, &ci), -EINVAL);
	b[NVME_IDC_SQES] = 0x66;
	b[NVME_IDC_CQES] = 0x33;
	assert_int_equal(nvme_parse_id_ctrl(b, 4096, &ci), -EINVAL);
	b[NVME_IDC_CQES] = 0x54;
	assert_int_equal(nvme_parse_id_ctrl(b, 4096, &ci), 0);
	free(b);
}

/* A namespace of @nsze blocks with formats 0 (512 B) and 1 (4 KiB), format @fmt in use. */
static uint8_t *ns_buf(uint64_t nsze, unsigned fmt)
{
	uint8_t *b = calloc(1, NVME_IDENTIFY_LEN);

	put(b, NVME_IDN_NSZE, nsze, 8);
	put(b, NVME_IDN_NCAP, nsze, 8);
	put(b, NVME_IDN_NUSE, 0, 8);
	b[NVME_IDN_NLBAF] = 1;
	b[NVME_IDN_FLBAS] = (uint8_t)fmt;
	put(b, NVME_IDN_LBAF, 9u << 16, 4);
	put(b, NVME_IDN_LBAF + 4, 12u << 16 | 8u, 4); /* 4 KiB with 8 bytes of metadata */
	return b;
}

static void test_id_ns(void **state)
{
	uint8_t *b = ns_buf(131072, 0);
	struct nvme_ns_info ni;

	assert_int_equal(nvme_parse_id_ns(b, &ni), 0);
	assert_int_equal(ni.nsze, 131072);
	assert_int_equal(ni.lba_shift, 9);
	assert_int_equal(ni.ms, 0);
	b[NVME_IDN_FLBAS] = 1 | 0x10;
	assert_int_equal(nvme_parse_id_ns(b, &ni), 0);
	assert_int_equal(ni.lba_shift, 12);
	assert_int_equal(ni.ms, 8);
	assert_true(ni.meta_inline);
	free(b);
}

static void test_id_ns_refused(void **state)
{
	struct nvme_ns_info ni;
	uint8_t *b;

	b = ns_buf(0, 0);
	assert_int_equal(nvme_parse_id_ns(b, &ni), -ENODEV); /* inactive */
	free(b);
	b = ns_buf(1000, 2); /* format 2 beyond NLBAF */
	assert_int_equal(nvme_parse_id_ns(b, &ni), -EINVAL);
	free(b);
	b = ns_buf(1000, 0);
	put(b, NVME_IDN_LBAF, 8u << 16, 4); /* 256-byte blocks */
	assert_int_equal(nvme_parse_id_ns(b, &ni), -EINVAL);
	put(b, NVME_IDN_LBAF, 40u << 16, 4);
	assert_int_equal(nvme_parse_id_ns(b, &ni), -EINVAL);
	put(b, NVME_IDN_LBAF, 9u << 16, 4);
	put(b, NVME_IDN_NCAP, 1001, 8); /* capacity above the size */
	assert_int_equal(nvme_parse_id_ns(b, &ni), -EINVAL);
	free(b);
	b = ns_buf(1ull << 60, 1); /* 2^72 bytes */
	assert_int_equal(nvme_parse_id_ns(b, &ni), -EINVAL);
	free(b);
}

static void test_ns_list(void **state)
{
	uint8_t *b = calloc(1, NVME_IDENTIFY_LEN);
	uint32_t ids[4];

	assert_int_equal(nvme_parse_ns_list(b, 16, ids, 4), 0);
	put(b, 0, 1, 4);
	put(b, 4, 3, 4);
	put(b, 8, 7, 4);
	assert_int_equal(nvme_parse_ns_list(b, 16, ids, 4), 3);
	assert_int_equal(ids[2], 7);
	assert_int_equal(nvme_parse_ns_list(b, 16, ids, 2), 2);      /* room for two */
	assert_int_equal(nvme_parse_ns_list(b, 6, ids, 4), -EINVAL); /* 7 > NN */
	put(b, 8, 3, 4);
	assert_int_equal(nvme_parse_ns_list(b, 16, ids, 4), -EINVAL); /* not increasing */
	memset(b, 0xff, NVME_IDENTIFY_LEN);
	assert_int_equal(nvme_parse_ns_list(b, 0xffffffffu, ids, 4), -EINVAL);
	free(b);
}

static void test_cmd_rw(void **state)
{
	struct nvme_prp p = { .prp1 = 0x1000, .prp2 = 0x9000, .bytes = 8192 };
	struct nvme_sqe s;

	memset(&s, 0xa5, sizeof(s));
	nvme_cmd_rw(&s, true, 1, 0x123456789ull, 16, true, &p);
	assert_int_equal(s.opcode, NVME_CMD_WRITE);
	assert_int_equal(s.flags, 0); /* PRPs, not fused */
	assert_int_equal(s.nsid, 1);
	assert_int_equal(s.mptr, 0);
	assert_int_equal(s.prp1, 0x1000);
	assert_int_equal(s.prp2, 0x9000);
	assert_int_equal(s.cdw10, 0x23456789);
	assert_int_equal(s.cdw11, 0x1);
	assert_int_equal(s.cdw12, 15 | NVME_RW_FUA);
	assert_int_equal(s.cdw13, 0);
	nvme_cmd_rw(&s, false, 2, 0, NVME_RW_MAX_LB, false, &p);
	assert_int_equal(s.opcode, NVME_CMD_READ);
	assert_int_equal(s.cdw12, 0xffff);
}

static void test_cmd_admin(void **state)
{
	struct nvme_sqe s;

	nvme_cmd_identify(&s, NVME_CNS_CTRL, 0, 0x5000);
	assert_int_equal(s.opcode, NVME_ADMIN_IDENTIFY);
	assert_int_equal(s.cdw10, 1);
	assert_int_equal(s.prp1, 0x5000);
	nvme_cmd_set_queues(&s, 4, 2);
	assert_int_equal(s.cdw10, NVME_FEAT_NUM_QUEUES);
	assert_int_equal(s.cdw11, 1u << 16 | 3u);
	nvme_cmd_create_cq(&s, 3, 64, 0x8000, 2);
	assert_int_equal(s.opcode, NVME_ADMIN_CREATE_CQ);
	assert_int_equal(s.cdw10, 63u << 16 | 3u);
	assert_int_equal(s.cdw11, 2u << 16 | NVME_CQ_IEN | NVME_QUEUE_PC);
	nvme_cmd_create_sq(&s, 3, 64, 0x9000, 3);
	assert_int_equal(s.opcode, NVME_ADMIN_CREATE_SQ);
	assert_int_equal(s.cdw11, 3u << 16 | NVME_QUEUE_PC);
	nvme_cmd_delete_queue(&s, NVME_ADMIN_DELETE_SQ, 3);
	assert_int_equal(s.cdw10, 3);
	nvme_cmd_flush(&s, 1);
	assert_int_equal(s.opcode, NVME_CMD_FLUSH);
	assert_int_equal(s.nsid, 1);
	nvme_cmd_dsm_deallocate(&s, 1, 2, 0xa000);
	assert_int_equal(s.cdw10, 1);
	assert_int_equal(s.cdw11, NVME_DSM_AD);
}

static void test_dsm_ranges(void **state)
{
	struct nvme_dsm_range r[3];

	assert_int_equal(nvme_dsm_ranges(r, 3, 100, 8), 1);
	assert_int_equal(r[0].slba, 100);
	assert_int_equal(r[0].nlb, 8);
	assert_int_equal(nvme_dsm_ranges(r, 3, 0, 0x100000005ull), 2);
	assert_int_equal(r[0].nlb, 0xffffffffu);
	assert_int_equal(r[1].slba, 0xffffffffull);
	assert_int_equal(r[1].nlb, 6);
	assert_int_equal(nvme_dsm_ranges(r, 1, 0, 0x100000005ull), -EINVAL);
	assert_int_equal(nvme_dsm_ranges(r, 3, 5, 0), -EINVAL);
	assert_int_equal(nvme_dsm_ranges(r, 3, UINT64_MAX, 2), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_ctrl),   cmocka_unit_test(test_id_ctrl_entry_sizes),
		cmocka_unit_test(test_id_ns),     cmocka_unit_test(test_id_ns_refused),
		cmocka_unit_test(test_ns_list),   cmocka_unit_test(test_cmd_rw),
		cmocka_unit_test(test_cmd_admin), cmocka_unit_test(test_dsm_ranges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
