/* SPDX-License-Identifier: MIT */
/*
 * The C binding against the golden files of idl/test_all.cidl
 * (tests/cidl/golden/, turned into a table by tools/cidl/golden_c.py): each
 * good golden's value encodes to exactly its bytes and handles and decodes
 * back to its value; each bad one is refused with the error its .json
 * names. tests/cidl/test_cidl.py holds the Python binding to the same files.
 * Each golden is copied to an exact-size heap buffer so ASan sees any read
 * past its end.
 */
#include <lib/cidl/cidl.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

#include "cidl/test_all_golden.h"

#define NGOLDENS (sizeof(goldens) / sizeof(goldens[0]))

static uint8_t out[TEST_ALL_MAX_BYTES];
static struct cairn_handle_xfer outhx[TEST_ALL_MAX_HANDLES];

static int decode_copy(const struct golden *g, void *value)
{
	uint8_t *copy = malloc(g->len ? g->len : 1);
	struct cidl_reader r;
	int err;

	assert_non_null(copy);
	memcpy(copy, g->bytes, g->len);
	cidl_reader_init(&r, copy, g->len, g->hx, g->nhx);
	err = g->decode(&r, value);
	if (!err)
		assert_true(g->equal(value, g->value));
	free(copy);
	return err;
}

static void check_encode(const struct golden *g)
{
	struct cidl_writer w;

	cidl_writer_init(&w, out, sizeof(out), outhx, TEST_ALL_MAX_HANDLES);
	assert_int_equal(g->encode(&w, g->value), 0);
	if (w.len != g->len || memcmp(out, g->bytes, g->len))
		fail_msg("%s: encoding differs from the golden bytes", g->name);
	assert_int_equal(w.nhandles, g->nhx);
	for (uint32_t i = 0; i < w.nhandles; i++) {
		assert_int_equal(outhx[i].handle, g->hx[i].handle);
		assert_true(outhx[i].type == 0 || outhx[i].type == g->hx[i].type);
		assert_int_equal(outhx[i].rights, CAIRN_RIGHT_SAME_RIGHTS);
	}
}

static void test_good(void **state)
{
	unsigned n = 0;

	for (size_t i = 0; i < NGOLDENS; i++) {
		const struct golden *g = &goldens[i];
		void *value;

		if (!g->value)
			continue;
		value = calloc(1, g->size);
		assert_non_null(value);
		check_encode(g);
		if (decode_copy(g, value))
			fail_msg("%s: the golden bytes do not decode", g->name);
		free(value);
		n++;
	}
	assert_true(n >= 10);
}

static void test_bad(void **state)
{
	unsigned n = 0;

	for (size_t i = 0; i < NGOLDENS; i++) {
		const struct golden *g = &goldens[i];
		void *value;
		int err;

		if (g->value)
			continue;
		value = calloc(1, g->size);
		assert_non_null(value);
		err = decode_copy(g, value);
		if (err != g->error)
			fail_msg("%s: decoding returned %d, the golden says %d", g->name, err,
			         g->error);
		free(value);
		n++;
	}
	assert_true(n >= 20);
}

/* Each good golden one byte short (header kept, or fixed up), on the heap. */
static void test_every_cut(void **state)
{
	for (size_t i = 0; i < NGOLDENS; i++) {
		const struct golden *g = &goldens[i];
		void *value = calloc(1, g->size);

		assert_non_null(value);
		for (uint32_t n = 0; g->value && n < g->len; n++) {
			struct golden cut = *g;
			uint8_t *b = malloc(g->len);

			assert_non_null(b);
			memcpy(b, g->bytes, g->len);
			cut.bytes = b;
			cut.len = n;
			assert_int_equal(decode_copy(&cut, value), -CIDL_ENODATA);
			if (n >= CIDL_HEADER_BYTES) {
				uint32_t body = n - CIDL_HEADER_BYTES;

				memcpy(b + 8, &body, 4); /* little-endian host */
				assert_int_equal(decode_copy(&cut, value), -CIDL_ENODATA);
			}
			free(b);
		}
		free(value);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_every_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
