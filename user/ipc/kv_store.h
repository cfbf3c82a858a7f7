// SPDX-License-Identifier: MIT
/*
 * The key-value store behind kvd (docs/ipc.md): a table of keys, each with
 * a value of bytes, in the server's own memory. It knows nothing of
 * channels or of the wire format, so the protocol's handlers in kvd.c stay
 * a few lines each. Not thread-safe: kvd serves every client from one
 * thread.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define KVS_MAX_KEYS  256         /* keys the store holds */
#define KVS_MAX_KEY   64          /* bytes in a key */
#define KVS_MAX_BYTES (16u << 20) /* bytes in one value */

struct kv_entry {
	char key[KVS_MAX_KEY + 1]; /* NUL-terminated */
	uint8_t *value;            /* malloc'd, @len bytes (NULL when 0) */
	size_t len;                /* bytes in @value */
};

struct kv_store {
	struct kv_entry e[KVS_MAX_KEYS]; /* sorted by key, @n used */
	size_t n;                        /* keys stored */
};

/* Whether @key can be stored: 0, -EINVAL (empty, or a NUL inside) or -ENAMETOOLONG. */
int kvs_key_ok(const char *key, size_t klen);

/* The entry for @key (@klen bytes), or NULL. */
const struct kv_entry *kvs_find(const struct kv_store *s, const char *key, size_t klen);

/*
 * Store a copy of @len bytes at @value under @key, replacing any value it
 * had. Returns 0, -EINVAL (empty key, or a NUL in it), -ENAMETOOLONG,
 * -EFBIG (past KVS_MAX_BYTES), -ENOSPC (KVS_MAX_KEYS already) or -ENOMEM.
 */
int kvs_put(struct kv_store *s, const char *key, size_t klen, const void *value, size_t len);

/*
 * As kvs_put(), but the store takes @value itself (from malloc()) instead of
 * a copy; on failure it is the caller's still.
 */
int kvs_put_owned(struct kv_store *s, const char *key, size_t klen, uint8_t *value, size_t len);

/* Remove @key: 0 or -ENOENT. */
int kvs_delete(struct kv_store *s, const char *key, size_t klen);
