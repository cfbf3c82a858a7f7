/* SPDX-License-Identifier: MIT */
/* Host tests of lib/futex: FUTEX_WAKE_OP's encoding, each operation and comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

/* The code under test. */
#include <cairn/linux/futex.h>

#include <lib/futex/futex_op.h>

/* Linux's FUTEX_OP() macro, written out. */
static uint32_t enc(unsigned op, int oparg, unsigned cmp, int cmparg)
{
	return ((op & 0xf) << 28) | ((cmp & 0xf) << 24) | (((uint32_t)oparg & 0xfff) << 12) |
	       ((uint32_t)cmparg & 0xfff);
}

static void ops_apply(void **state)
{
	struct futex_op o;

	(void)state;
	assert_int_equal(futex_op_decode(enc(FUTEX_OP_SET, 7, FUTEX_OP_CMP_EQ, 0), &o), 0);
	assert_int_equal(futex_op_apply(&o, 100), 7);
	assert_int_equal(futex_op_decode(enc(FUTEX_OP_ADD, -1, FUTEX_OP_CMP_EQ, 0), &o), 0);
	assert_int_equal(futex_op_apply(&o, 100), 99);
	assert_int_equal(futex_op_decode(enc(FUTEX_OP_OR, 0x10, FUTEX_OP_CMP_EQ, 0), &o), 0);
	assert_int_equal(futex_op_apply(&o, 1), 0x11);
	assert_int_equal(futex_op_decode(enc(FUTEX_OP_ANDN, 1, FUTEX_OP_CMP_EQ, 0), &o), 0);
	assert_int_equal(futex_op_apply(&o, 3), 2);
	assert_int_equal(futex_op_decode(enc(FUTEX_OP_XOR, 0xff, FUTEX_OP_CMP_EQ, 0), &o), 0);
	assert_int_equal(futex_op_apply(&o, 0xf0), 0x0f);
	/* The shift flag: the operand becomes 1 << oparg. */
	assert_int_equal(
		futex_op_decode(enc(FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT, 31, FUTEX_OP_CMP_EQ, 0),
	                        &o),
		0);
	assert_int_equal(futex_op_apply(&o, 0), 0x80000000u);
	/* Out-of-range shifts are masked, as Linux does: 40 & 31 = 8. */
	assert_int_equal(
		futex_op_decode(enc(FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, 40, FUTEX_OP_CMP_EQ, 0),
	                        &o),
		0);
	assert_int_equal(futex_op_apply(&o, 0), 0x100);
}

static void comparisons_are_signed(void **state)
{
	struct futex_op o;

	(void)state;
	assert_int_equal(futex_op_decode(enc(FUTEX_OP_SET, 0, FUTEX_OP_CMP_GT, -1), &o), 0);
	assert_int_equal(o.cmparg, -1);
	assert_true(futex_op_cmp(&o, 0));
	assert_false(futex_op_cmp(&o, 0xffffffffu));
	assert_false(futex_op_cmp(&o, 0x80000000u));
	assert_int_equal(futex_op_decode(enc(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 5), &o), 0);
	assert_true(futex_op_cmp(&o, 5));
	assert_int_equal(futex_op_decode(enc(FUTEX_OP_SET, 0, FUTEX_OP_CMP_NE, 5), &o), 0);
	assert_false(futex_op_cmp(&o, 5));
	assert_int_equal(futex_op_decode(enc(FUTEX_OP_SET, 0, FUTEX_OP_CMP_LT, 5), &o), 0);
	assert_true(futex_op_cmp(&o, 4) && !futex_op_cmp(&o, 5));
	assert_int_equal(futex_op_decode(enc(FUTEX_OP_SET, 0, FUTEX_OP_CMP_LE, 5), &o), 0);
	assert_true(futex_op_cmp(&o, 5) && !futex_op_cmp(&o, 6));
	assert_int_equal(futex_op_decode(enc(FUTEX_OP_SET, 0, FUTEX_OP_CMP_GE, 5), &o), 0);
	assert_true(futex_op_cmp(&o, 5) && !futex_op_cmp(&o, 4));
	/* 12-bit fields: 2047 is the largest positive operand. */
	assert_int_equal(futex_op_decode(enc(FUTEX_OP_SET, 2047, FUTEX_OP_CMP_EQ, 2047), &o), 0);
	assert_int_equal(o.oparg, 2047);
	assert_int_equal(o.cmparg, 2047);
}

static void unknown_is_enosys(void **state)
{
	struct futex_op o;

	(void)state;
	assert_int_equal(futex_op_decode(enc(5, 0, FUTEX_OP_CMP_EQ, 0), &o), -38);
	assert_int_equal(futex_op_decode(enc(FUTEX_OP_SET, 0, 6, 0), &o), -38);
	assert_int_equal(futex_op_decode(0xffffffffu, &o), -38);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ops_apply),
		cmocka_unit_test(comparisons_are_signed),
		cmocka_unit_test(unknown_is_enosys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
