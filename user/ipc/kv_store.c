// SPDX-License-Identifier: MIT
/*
 * The key-value store behind kvd: a sorted array searched by bisection,
 * values copied into memory of their own (kv_store.h).
 */
#include "kv_store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Compare @key (@klen bytes) with the NUL-terminated @stored, as strcmp. */
static int key_cmp(const char *key, size_t klen, const char *stored)
{
	size_t slen = strlen(stored), n = klen < slen ? klen : slen;
	/* An empty key decodes as NULL: memcmp must not see it even for 0 bytes. */
	int c = n ? memcmp(key, stored, n) : 0;

	if (c)
		return c;
	return klen < slen ? -1 : klen > slen;
}

/* The index of @key, or of where it would go (*@found says which). */
static size_t kv_index(const struct kv_store *s, const char *key, size_t klen, int *found)
{
	size_t lo = 0, hi = s->n;

	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = key_cmp(key, klen, s->e[mid].key);

		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

const struct kv_entry *kvs_find(const struct kv_store *s, const char *key, size_t klen)
{
	int found;
	size_t i = kv_index(s, key, klen, &found);

	return found ? &s->e[i] : NULL;
}

int kvs_key_ok(const char *key, size_t klen)
{
	if (klen == 0 || memchr(key, 0, klen))
		return -EINVAL;
	return klen > KVS_MAX_KEY ? -ENAMETOOLONG : 0;
}

int kvs_put_owned(struct kv_store *s, const char *key, size_t klen, uint8_t *value, size_t len)
{
	int found, err = kvs_key_ok(key, klen);
	size_t i;

	if (err)
		return err;
	if (len > KVS_MAX_BYTES)
		return -EFBIG;
	i = kv_index(s, key, klen, &found);
	if (!found && s->n == KVS_MAX_KEYS)
		return -ENOSPC;
	if (found) {
		free(s->e[i].value);
	} else {
		memmove(&s->e[i + 1], &s->e[i], (s->n - i) * sizeof(s->e[0]));
		memcpy(s->e[i].key, key, klen);
		s->e[i].key[klen] = 0;
		s->n++;
	}
	s->e[i].value = len ? value : NULL;
	s->e[i].len = len;
	if (!len)
		free(value);
	return 0;
}

int kvs_put(struct kv_store *s, const char *key, size_t klen, const void *value, size_t len)
{
	uint8_t *copy = NULL;
	int err;

	if (len > KVS_MAX_BYTES)
		return -EFBIG;
	if (len) {
		copy = malloc(len);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, value, len);
	}
	err = kvs_put_owned(s, key, klen, copy, len);
	if (err)
		free(copy);
	return err;
}

int kvs_delete(struct kv_store *s, const char *key, size_t klen)
{
	int found;
	size_t i = kv_index(s, key, klen, &found);

	if (!found)
		return -ENOENT;
	free(s->e[i].value);
	memmove(&s->e[i], &s->e[i + 1], (s->n - i - 1) * sizeof(s->e[0]));
	s->n--;
	return 0;
}
