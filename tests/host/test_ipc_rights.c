/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/ipc/rights: every pair of (have, asked) rights masks,
 * so "a duplicated or transferred handle never gains a right" is checked
 * for all 2^18 of them, plus SAME_RIGHTS, unknown bits and signal masks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

/* The code under test. */
#include <cairn/errno.h>

#include <lib/ipc/rights.h>

/* Every (have, asked) of the nine rights: the result is asked, or EACCES; never more than have. */
static void reduce_every_pair(void **state)
{
	(void)state;
	for (uint32_t have = 0; have <= CAIRN_RIGHTS_ALL; have++) {
		for (uint32_t asked = 0; asked <= CAIRN_RIGHTS_ALL; asked++) {
			uint32_t out = 0xdeadbeef;
			int r = ipc_rights_reduce(have, asked, &out);

			if ((asked & have) == asked) {
				assert_int_equal(r, 0);
				assert_int_equal(out, asked);
				assert_true(ipc_rights_allow(have, out));
			} else {
				assert_int_equal(r, -EACCES);
				assert_int_equal(out, 0xdeadbeef); /* untouched on failure */
				assert_false(ipc_rights_allow(have, asked));
			}
		}
	}
}

/* Reducing twice never gives back what the first step took away. */
static void reduce_is_monotonic(void **state)
{
	(void)state;
	for (uint32_t have = 0; have <= CAIRN_RIGHTS_ALL; have += 7) {
		for (uint32_t mid = 0; mid <= CAIRN_RIGHTS_ALL; mid++) {
			uint32_t a, b;

			if (ipc_rights_reduce(have, mid, &a))
				continue;
			assert_int_equal(ipc_rights_reduce(a, have, &b), have == a ? 0 : -EACCES);
			assert_int_equal(ipc_rights_reduce(a, CAIRN_RIGHT_SAME_RIGHTS, &b), 0);
			assert_int_equal(b, a);
		}
	}
}

static void same_rights_and_unknown_bits(void **state)
{
	uint32_t out = 0;

	(void)state;
	assert_int_equal(ipc_rights_reduce(0x1f, CAIRN_RIGHT_SAME_RIGHTS, &out), 0);
	assert_int_equal(out, 0x1f);
	assert_int_equal(ipc_rights_reduce(0, CAIRN_RIGHT_SAME_RIGHTS, &out), 0);
	assert_int_equal(out, 0);
	/* Stray bits in have never pass through SAME_RIGHTS. */
	assert_int_equal(ipc_rights_reduce(0xffffffffu, CAIRN_RIGHT_SAME_RIGHTS, &out), 0);
	assert_int_equal(out, CAIRN_RIGHTS_ALL);
	assert_int_equal(ipc_rights_reduce(CAIRN_RIGHTS_ALL, CAIRN_RIGHT_SAME_RIGHTS | 1, &out),
	                 -EINVAL);
	for (unsigned bit = 9; bit < 32; bit++)
		assert_int_equal(ipc_rights_reduce(CAIRN_RIGHTS_ALL, 1u << bit, &out),
		                 (1u << bit) == CAIRN_RIGHT_SAME_RIGHTS ? 0 : -EINVAL);
	/* An unknown bit is EINVAL even when the known ones would be EACCES. */
	assert_int_equal(ipc_rights_reduce(0, CAIRN_RIGHT_READ | (1u << 12), &out), -EINVAL);
}

static void signals(void **state)
{
	(void)state;
	assert_true(ipc_signals_known(0));
	assert_true(ipc_signals_known(IPC_SIGS_ALL));
	assert_true(ipc_signals_known(CAIRN_SIG_TERMINATED | CAIRN_SIG_READABLE));
	for (unsigned bit = 5; bit < 32; bit++)
		assert_false(ipc_signals_known(1u << bit));
	assert_true(ipc_rights_allow(CAIRN_RIGHTS_ALL, 0));
	assert_false(ipc_rights_allow(0, CAIRN_RIGHT_WAIT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reduce_every_pair),
		cmocka_unit_test(reduce_is_monotonic),
		cmocka_unit_test(same_rights_and_unknown_bits),
		cmocka_unit_test(signals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
