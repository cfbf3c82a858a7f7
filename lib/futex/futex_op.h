/* SPDX-License-Identifier: MIT */
/*
 * FUTEX_WAKE_OP's encoded operation (val3), decoded and applied as pure
 * mechanism: the kernel does the atomic read-modify-write of the user word
 * with futex_op_apply() and decides with futex_op_cmp() whether to wake
 * the second futex. Facts of the encoding: Linux's uapi <linux/futex.h>.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct futex_op {
	unsigned op;    /* FUTEX_OP_SET..FUTEX_OP_XOR */
	unsigned cmp;   /* FUTEX_OP_CMP_EQ..FUTEX_OP_CMP_GE */
	uint32_t oparg; /* the operand, already shifted for FUTEX_OP_OPARG_SHIFT */
	int32_t cmparg; /* the comparison's operand, sign-extended */
};

/*
 * Decode @val3 into *@out. Returns 0, or -38 (ENOSYS, as Linux answers)
 * for an unknown operation or comparison. A shift operand outside 0..31 is
 * masked to 5 bits, as Linux does.
 */
int futex_op_decode(uint32_t val3, struct futex_op *out);

/* The new value of a word that held @old. */
uint32_t futex_op_apply(const struct futex_op *op, uint32_t old);

/* Whether the second futex is woken: @old (signed) compared with cmparg. */
bool futex_op_cmp(const struct futex_op *op, uint32_t old);
