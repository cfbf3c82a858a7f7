/* SPDX-License-Identifier: MIT */
/* Host tests of lib/timespec: validity, conversions both ways, saturation at the edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

/* The code under test. */
#include <lib/timespec/timespec.h>

static void validity(void **state)
{
	const struct timespec ok[] = { { 0, 0 }, { 0, 999999999 }, { INT64_MAX, 0 } };
	const struct timespec bad[] = { { -1, 0 }, { 0, -1 }, { 0, 1000000000 }, { 5, INT64_MIN } };

	(void)state;
	for (size_t i = 0; i < 3; i++)
		assert_true(timespec_valid(&ok[i]));
	for (size_t i = 0; i < 4; i++)
		assert_false(timespec_valid(&bad[i]));
}

static void conversions(void **state)
{
	struct timespec ts = { 3, 141592653 };
	struct timespec back;
	struct timeval tv;

	(void)state;
	assert_int_equal(timespec_to_ns(&ts), 3141592653ull);
	back = ns_to_timespec(3141592653ull);
	assert_int_equal(back.tv_sec, 3);
	assert_int_equal(back.tv_nsec, 141592653);
	tv = ns_to_timeval(3141592653ull);
	assert_int_equal(tv.tv_sec, 3);
	assert_int_equal(tv.tv_usec, 141592);
	back = ns_to_timespec(UINT64_MAX);
	assert_int_equal(back.tv_sec, 18446744073ll);
	assert_int_equal(back.tv_nsec, 709551615);
}

static void saturation(void **state)
{
	struct timespec huge = { INT64_MAX, 999999999 };
	struct timespec edge = { 18446744073ll, 709551615 };
	struct timespec over = { 18446744073ll, 709551616 };

	(void)state;
	assert_true(timespec_to_ns(&huge) == UINT64_MAX);
	assert_true(timespec_to_ns(&edge) == UINT64_MAX);
	assert_true(timespec_to_ns(&over) == UINT64_MAX);
	edge.tv_nsec = 709551614;
	assert_true(timespec_to_ns(&edge) == UINT64_MAX - 1);
	assert_true(ns_add_sat(UINT64_MAX - 1, 1) == UINT64_MAX);
	assert_true(ns_add_sat(UINT64_MAX - 1, 2) == UINT64_MAX);
	assert_true(ns_add_sat(5, 7) == 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(validity),
		cmocka_unit_test(conversions),
		cmocka_unit_test(saturation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
