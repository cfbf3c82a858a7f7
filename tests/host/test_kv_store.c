/* SPDX-License-Identifier: MIT */
/*
 * Host tests of kvd's table (user/ipc/kv_store.c, docs/ipc.md): its
 * limits and errors, and random puts and deletes against a plain model
 * (a key's slot in a fixed array) checking the order and every value,
 * under ASan, which sees any slip in the sorted array's memmoves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

/* The code under test is a user program's: compiled here as it is. */
#include "user/ipc/kv_store.c"

static struct kv_store store;

static int put(const char *key, const char *value)
{
	return kvs_put(&store, key, strlen(key), value, strlen(value));
}

static void clear(void)
{
	while (store.n)
		assert_int_equal(kvs_delete(&store, store.e[0].key, strlen(store.e[0].key)), 0);
}

static void test_put_get_replace_delete(void **state)
{
	const struct kv_entry *e;

	(void)state;
	assert_int_equal(put("b", "2"), 0);
	assert_int_equal(put("a", "1"), 0);
	assert_int_equal(put("b", "two"), 0);
	assert_int_equal(store.n, 2);
	assert_string_equal(store.e[0].key, "a");
	e = kvs_find(&store, "b", 1);
	assert_non_null(e);
	assert_int_equal(e->len, 3);
	assert_memory_equal(e->value, "two", 3);
	/* A key is its bytes: "b" is not a prefix match for "bb". */
	assert_null(kvs_find(&store, "bb", 2));
	assert_int_equal(kvs_delete(&store, "a", 1), 0);
	assert_int_equal(kvs_delete(&store, "a", 1), -ENOENT);
	assert_int_equal(put("empty", ""), 0);
	assert_int_equal(kvs_find(&store, "empty", 5)->len, 0);
	clear();
}

static void test_limits(void **state)
{
	char key[KVS_MAX_KEY + 2];
	int err = 0;

	(void)state;
	assert_int_equal(kvs_put(&store, "", 0, "x", 1), -EINVAL);
	assert_int_equal(kvs_put(&store, "a\0b", 3, "x", 1), -EINVAL);
	memset(key, 'k', sizeof(key));
	assert_int_equal(kvs_put(&store, key, KVS_MAX_KEY + 1, "x", 1), -ENAMETOOLONG);
	assert_int_equal(kvs_put(&store, key, KVS_MAX_KEY, "x", 1), 0);
	assert_string_equal(store.e[0].key,
	                    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk");
	/* Checked before any allocation: the buffer is never read. */
	assert_int_equal(kvs_put(&store, "big", 3, "x", (size_t)KVS_MAX_BYTES + 1), -EFBIG);
	clear();
	for (int i = 0; i < KVS_MAX_KEYS && !err; i++) {
		snprintf(key, sizeof(key), "k%03d", i);
		err = put(key, "v");
	}
	assert_int_equal(err, 0);
	assert_int_equal(put("new", "v"), -ENOSPC);
	assert_int_equal(put("k007", "replaced"), 0); /* a replacement needs no room */
	clear();
}

/* The model: which of NKEYS keys is stored, and its value. */
#define NKEYS 420 /* more than KVS_MAX_KEYS: the limit is reached */

static void test_random_against_model(void **state)
{
	static char model[NKEYS][16];
	static bool in[NKEYS];
	unsigned seed = 20261206, n = 0, full = 0;

	(void)state;
	for (int step = 0; step < 20000; step++) {
		char key[16];
		int k, err;

		seed = seed * 1103515245 + 12345;
		k = (int)((seed >> 8) % NKEYS);
		snprintf(key, sizeof(key), "key%d", k);
		if ((seed >> 20) % 3) {
			char value[16];

			snprintf(value, sizeof(value), "v%d", step);
			err = put(key, value);
			assert_int_equal(err, !in[k] && n == KVS_MAX_KEYS ? -ENOSPC : 0);
			full += err == -ENOSPC;
			if (!err) {
				n += !in[k];
				in[k] = true;
				strcpy(model[k], value);
			}
		} else {
			assert_int_equal(kvs_delete(&store, key, strlen(key)), in[k] ? 0 : -ENOENT);
			n -= in[k];
			in[k] = false;
		}
	}
	assert_int_equal(store.n, n);
	assert_true(full > 0);
	for (size_t i = 1; i < store.n; i++)
		assert_true(strcmp(store.e[i - 1].key, store.e[i].key) < 0);
	for (int k = 0; k < NKEYS; k++) {
		char key[16];
		const struct kv_entry *e;

		snprintf(key, sizeof(key), "key%d", k);
		e = kvs_find(&store, key, strlen(key));
		assert_int_equal(e != NULL, in[k]);
		if (e) {
			assert_int_equal(e->len, strlen(model[k]));
			assert_memory_equal(e->value, model[k], e->len);
		}
	}
	clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_replace_delete),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_random_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
