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

#define KV_MAX_KEYS       256         /* keys the store holds */
#define KV_MAX_KEY        64          /* bytes in a key */
#define KV_MAX_BLOB_BYTES (16u << 20) /* bytes in one value */

struct kv_entry {
	char key[KV_MAX_KEY + 1]; /* NUL-terminated */
	uint8_t *value;           /* malloc'd, @len bytes (NULL when 0) */
	size_t len;               /* bytes in @value */
};

struct kv_store {
	struct kv_entry e[KV_MAX_KEYS]; /* sorted by key, @n used */
	size_t n;                       /* keys stored */
};

/* The entry for @key (@klen bytes), or NULL. */
const struct kv_entry *kv_find(const struct kv_store *s, const char *key, size_t klen);

/*
 * Store a copy of @len bytes at @value under @key, replacing any value it
 * had. Returns 0, -EINVAL (empty key, or a NUL in it), -ENAMETOOLONG,
 * -EFBIG (past KV_MAX_BLOB_BYTES), -ENOSPC (KV_MAX_KEYS already) or -ENOMEM.
 */
int kv_put(struct kv_store *s, const char *key, size_t klen, const void *value, size_t len);

/* Remove @key: 0 or -ENOENT. */
int kv_delete(struct kv_store *s, const char *key, size_t klen);
