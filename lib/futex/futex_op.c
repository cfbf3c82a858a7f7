/* SPDX-License-Identifier: MIT */
/* FUTEX_WAKE_OP's operation: decoding and applying (futex_op.h). */
#include "lib/futex/futex_op.h"

#include <cairn/linux/futex.h>

#define FUTEX_OP_ENOSYS (-38)

/* Bits @lo.. of @v, @bits wide, sign-extended. */
static int32_t field_signed(uint32_t v, unsigned lo, unsigned bits)
{
	uint32_t f = (v >> lo) & ((1u << bits) - 1);

	return (f & (1u << (bits - 1))) ? (int32_t)(f | ~((1u << bits) - 1)) : (int32_t)f;
}

int futex_op_decode(uint32_t val3, struct futex_op *out)
{
	unsigned op = (val3 >> 28) & 0xf;
	int32_t oparg = field_signed(val3, 12, 12);

	out->cmp = (val3 >> 24) & 0xf;
	out->cmparg = field_signed(val3, 0, 12);
	if (op & FUTEX_OP_OPARG_SHIFT) {
		op &= ~(unsigned)FUTEX_OP_OPARG_SHIFT;
		oparg = (int32_t)(1u << ((uint32_t)oparg & 31));
	}
	out->op = op;
	out->oparg = (uint32_t)oparg;
	if (op > FUTEX_OP_XOR || out->cmp > FUTEX_OP_CMP_GE)
		return FUTEX_OP_ENOSYS;
	return 0;
}

uint32_t futex_op_apply(const struct futex_op *op, uint32_t old)
{
	switch (op->op) {
	case FUTEX_OP_SET:
		return op->oparg;
	case FUTEX_OP_ADD:
		return old + op->oparg;
	case FUTEX_OP_OR:
		return old | op->oparg;
	case FUTEX_OP_ANDN:
		return old & ~op->oparg;
	default: /* FUTEX_OP_XOR: decode let nothing else through */
		return old ^ op->oparg;
	}
}

bool futex_op_cmp(const struct futex_op *op, uint32_t old)
{
	int32_t v = (int32_t)old;

	switch (op->cmp) {
	case FUTEX_OP_CMP_EQ:
		return v == op->cmparg;
	case FUTEX_OP_CMP_NE:
		return v != op->cmparg;
	case FUTEX_OP_CMP_LT:
		return v < op->cmparg;
	case FUTEX_OP_CMP_LE:
		return v <= op->cmparg;
	case FUTEX_OP_CMP_GT:
		return v > op->cmparg;
	default: /* FUTEX_OP_CMP_GE */
		return v >= op->cmparg;
	}
}
