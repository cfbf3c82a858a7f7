/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/nvme/queue.c: the capability register, doorbell
 * offsets, submission ring fullness and the heads a completion may claim,
 * completion ring phase tags over several wraps (a simulated controller
 * posts entries), completion checks, status codes and the identifier
 * bitmap.
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

static void test_cap_parse(void **state)
{
	/* MQES 2047, CQR, TO 15 (7.5 s), DSTRD 0, CSS NVM, MPSMIN 0, MPSMAX 4 (QEMU's). */
	uint64_t cap = 0x004000200f0107ffull;
	struct nvme_cap c;

	assert_int_equal(nvme_cap_parse(cap, &c), 0);
	assert_int_equal(c.max_entries, 2048);
	assert_true(c.contiguous);
	assert_int_equal(c.timeout_ms, 7500);
	assert_int_equal(c.db_stride, 4);
	assert_int_equal(c.page_min, 4096);
	assert_int_equal(c.page_max, 65536);
	/* DSTRD 2: doorbells 16 bytes apart. */
	assert_int_equal(nvme_cap_parse(cap | 2ull << 32, &c), 0);
	assert_int_equal(c.db_stride, 16);
}

static void test_cap_refused(void **state)
{
	uint64_t cap = 0x004000200f0107ffull;
	struct nvme_cap c;

	assert_int_equal(nvme_cap_parse(cap & ~0xffffull, &c), -EINVAL);       /* MQES 0 */
	assert_int_equal(nvme_cap_parse(cap & ~(0xffull << 37), &c), -EINVAL); /* no NVM set */
	assert_int_equal(nvme_cap_parse(cap | 1ull << 48, &c), -EINVAL);       /* 8 KiB pages */
}

static void test_doorbells(void **state)
{
	assert_int_equal(nvme_sq_doorbell(0, 4), 0x1000);
	assert_int_equal(nvme_cq_doorbell(0, 4), 0x1004);
	assert_int_equal(nvme_sq_doorbell(3, 4), 0x1018);
	assert_int_equal(nvme_cq_doorbell(3, 4), 0x101c);
	assert_int_equal(nvme_cq_doorbell(2, 16), 0x1000 + 5 * 16);
}

static void test_sq_full_and_head(void **state)
{
	struct nvme_sq sq;
	uint16_t slot;
	unsigned i;

	nvme_sq_init(&sq, 4);
	assert_int_equal(nvme_sq_space(&sq), 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(nvme_sq_push(&sq, &slot), 0);
		assert_int_equal(slot, i);
	}
	assert_int_equal(nvme_sq_push(&sq, &slot), -EBUSY);
	/* The controller cannot have read past the tail (3) nor move the head back. */
	assert_int_equal(nvme_sq_set_head(&sq, 4), -EIO);
	assert_int_equal(nvme_sq_set_head(&sq, 2), 0);
	assert_int_equal(nvme_sq_space(&sq), 2);
	assert_int_equal(nvme_sq_set_head(&sq, 1), -EIO);
	assert_int_equal(nvme_sq_push(&sq, &slot), 0);
	assert_int_equal(slot, 3);
	assert_int_equal(nvme_sq_push(&sq, &slot), 0);
	assert_int_equal(slot, 0); /* wrapped */
	assert_int_equal(nvme_sq_push(&sq, &slot), -EBUSY);
	assert_int_equal(nvme_sq_set_head(&sq, 1), 0); /* across the wrap */
	assert_int_equal(nvme_sq_set_head(&sq, 1), 0); /* the same head again is fine */
	assert_int_equal(nvme_sq_set_head(&sq, 2), -EIO);
	assert_int_equal(nvme_sq_space(&sq), 3);
}

/* A controller posting completions into a ring, with its own phase. */
struct sim {
	struct nvme_cqe ring[8];
	unsigned tail;
	uint16_t phase;
};

static void sim_post(struct sim *s, uint16_t cid)
{
	struct nvme_cqe e = { .sq_id = 1, .cid = cid, .status = s->phase };

	s->ring[s->tail] = e;
	if (++s->tail == 8) {
		s->tail = 0;
		s->phase ^= 1;
	}
}

static void test_cq_phase_over_wraps(void **state)
{
	struct sim s = { .phase = 1 };
	struct nvme_cq cq;
	struct nvme_cqe e;
	uint16_t next = 0, want = 0;
	unsigned round, k;

	memset(s.ring, 0, sizeof(s.ring));
	nvme_cq_init(&cq, 8);
	assert_false(nvme_cq_peek(&cq, s.ring, &e));
	for (round = 0; round < 50; round++) {
		unsigned burst = 1 + round % 7; /* never more than the ring holds */

		for (k = 0; k < burst; k++)
			sim_post(&s, next++);
		for (k = 0; k < burst; k++) {
			assert_true(nvme_cq_peek(&cq, s.ring, &e));
			assert_int_equal(e.cid, want++);
			assert_int_equal(nvme_cqe_check(&e, 1, 1024), 0);
			nvme_cq_pop(&cq);
		}
		/* An old entry of the last pass must not be taken for a new one. */
		assert_false(nvme_cq_peek(&cq, s.ring, &e));
	}
}

static void test_cqe_check(void **state)
{
	struct nvme_cqe e = { .sq_id = 2, .cid = 5 };

	assert_int_equal(nvme_cqe_check(&e, 2, 6), 0);
	assert_int_equal(nvme_cqe_check(&e, 2, 5), -EIO);
	assert_int_equal(nvme_cqe_check(&e, 1, 6), -EIO);
}

static uint16_t status(unsigned sct, unsigned sc)
{
	return (uint16_t)(sct << 9 | sc << 1);
}

static void test_status(void **state)
{
	assert_int_equal(nvme_status_errno(status(0, 0) | 1), 0);
	assert_int_equal(nvme_status_errno(status(0, NVME_SC_INVALID_OPCODE)), -ENOTSUP);
	assert_int_equal(nvme_status_errno(status(0, NVME_SC_LBA_RANGE)), -EINVAL);
	assert_int_equal(nvme_status_errno(status(0, NVME_SC_CAP_EXCEEDED)), -ENOSPC);
	assert_int_equal(nvme_status_errno(status(2, 0x81)), -EIO);
	assert_int_equal(nvme_status_errno(status(1, 0)), -EIO);
	assert_string_equal(nvme_status_str(status(0, NVME_SC_LBA_RANGE)), "LBA out of range");
	assert_string_equal(nvme_status_str(status(2, 0x81)), "media or data integrity error");
	assert_non_null(nvme_status_str(0xffff));
}

static void test_cids(void **state)
{
	struct nvme_cids c;
	uint16_t id;
	unsigned i;

	assert_int_equal(nvme_cids_init(&c, 0), -EINVAL);
	assert_int_equal(nvme_cids_init(&c, NVME_CID_MAX + 1), -EINVAL);
	assert_int_equal(nvme_cids_init(&c, 70), 0);
	for (i = 0; i < 70; i++) {
		assert_int_equal(nvme_cids_alloc(&c, &id), 0);
		assert_int_equal(id, i);
	}
	assert_int_equal(nvme_cids_alloc(&c, &id), -EBUSY);
	assert_int_equal(nvme_cids_free(&c, 65, false), 0);
	assert_int_equal(nvme_cids_free(&c, 65, false), -EINVAL); /* double free */
	assert_int_equal(nvme_cids_free(&c, 70, false), -EINVAL); /* out of range */
	assert_int_equal(nvme_cids_alloc(&c, &id), 0);
	assert_int_equal(id, 65);
	assert_int_equal(c.inuse, 70);
	assert_true(nvme_cids_busy(&c, 3));
	assert_false(nvme_cids_busy(&c, 1000));
}

/* A full 64-bit word must not be handed past n. */
static void test_cids_exact_word(void **state)
{
	struct nvme_cids c;
	uint16_t id;
	unsigned i;

	assert_int_equal(nvme_cids_init(&c, 64), 0);
	for (i = 0; i < 64; i++)
		assert_int_equal(nvme_cids_alloc(&c, &id), 0);
	assert_int_equal(nvme_cids_alloc(&c, &id), -EBUSY);
	assert_int_equal(nvme_cids_init(&c, NVME_CID_MAX), 0);
	for (i = 0; i < NVME_CID_MAX; i++)
		assert_int_equal(nvme_cids_alloc(&c, &id), 0);
	assert_int_equal(id, NVME_CID_MAX - 1);
	assert_int_equal(nvme_cids_alloc(&c, &id), -EBUSY);
}

/* Completions for commands never sent, sent twice or claiming a wild SQHD change nothing. */
static void test_cqe_accept(void **state)
{
	struct nvme_cqe e = { .sq_id = 1 };
	struct nvme_cids c;
	struct nvme_sq sq;
	uint16_t cid, other, slot;

	nvme_sq_init(&sq, 8);
	assert_int_equal(nvme_cids_init(&c, 7), 0);
	assert_int_equal(nvme_cids_alloc(&c, &cid), 0);
	assert_int_equal(nvme_cids_alloc(&c, &other), 0); /* a record, never sent */
	assert_int_equal(nvme_sq_push(&sq, &slot), 0);
	assert_int_equal(nvme_cids_send(&c, cid), 0);
	assert_int_equal(nvme_cids_send(&c, cid), -EINVAL);
	e.cid = other;
	e.sq_head = 1;
	assert_int_equal(nvme_cqe_accept(&sq, &c, 1, &e), -EIO);
	e.cid = cid;
	e.sq_head = 2; /* past the tail */
	assert_int_equal(nvme_cqe_accept(&sq, &c, 1, &e), -EIO);
	assert_true(nvme_cids_sent(&c, cid));
	e.sq_head = 1;
	assert_int_equal(nvme_cqe_accept(&sq, &c, 2, &e), -EIO);   /* another queue's */
	assert_int_equal(nvme_cids_free(&c, cid, false), -EINVAL); /* still the device's */
	assert_int_equal(nvme_cqe_accept(&sq, &c, 1, &e), 0);
	assert_false(nvme_cids_sent(&c, cid));
	assert_true(nvme_cids_busy(&c, cid));
	assert_int_equal(sq.head, 1);
	assert_int_equal(nvme_cqe_accept(&sq, &c, 1, &e), -EIO); /* the same one twice */
	assert_int_equal(nvme_cids_free(&c, cid, false), 0);
	assert_int_equal(c.inuse, 1);
}

/* A command placed in the ring but never announced by the doorbell can be taken back. */
static void test_cids_cancel(void **state)
{
	struct nvme_cids c;
	uint16_t cid;

	assert_int_equal(nvme_cids_init(&c, 4), 0);
	assert_int_equal(nvme_cids_alloc(&c, &cid), 0);
	assert_int_equal(nvme_cids_send(&c, cid), 0);
	assert_int_equal(c.nsent, 1);
	assert_int_equal(nvme_cids_free(&c, cid, true), 0);
	assert_int_equal(c.nsent, 0);
	assert_int_equal(c.inuse, 0);
	assert_int_equal(nvme_cids_send(&c, cid), -EINVAL); /* free now */
}

/* A disabled controller's commands are abandoned: the records stay until freed. */
static void test_cids_abandon(void **state)
{
	struct nvme_cids c;
	uint16_t a, b;

	assert_int_equal(nvme_cids_init(&c, 4), 0);
	assert_int_equal(nvme_cids_alloc(&c, &a), 0);
	assert_int_equal(nvme_cids_alloc(&c, &b), 0);
	assert_int_equal(nvme_cids_free_count(&c), 2);
	assert_int_equal(nvme_cids_send(&c, a), 0);
	assert_int_equal(nvme_cids_abandon(&c, b), -EINVAL); /* never sent */
	assert_int_equal(nvme_cids_abandon(&c, a), 0);
	assert_false(nvme_cids_sent(&c, a));
	assert_true(nvme_cids_busy(&c, a));
	assert_int_equal(nvme_cids_free(&c, a, false), 0);
	assert_int_equal(nvme_cids_free_count(&c), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cap_parse),
		cmocka_unit_test(test_cap_refused),
		cmocka_unit_test(test_doorbells),
		cmocka_unit_test(test_sq_full_and_head),
		cmocka_unit_test(test_cq_phase_over_wraps),
		cmocka_unit_test(test_cqe_check),
		cmocka_unit_test(test_cqe_accept),
		cmocka_unit_test(test_cids_cancel),
		cmocka_unit_test(test_cids_abandon),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_cids),
		cmocka_unit_test(test_cids_exact_word),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
