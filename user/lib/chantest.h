// SPDX-License-Identifier: MIT
/*
 * Helpers of the channel tests (user/tests/ipc_channel.c, ipc_chan_edge.c):
 * short wrappers over user/lib/cairn.h and a table runner whose points
 * print "# SKIP not Cairn" on Linux, so both kernels print the same lines.
 * Failure details go to "#~" lines, which are never compared.
 */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cairn.h"
#include "tap.h"

#define CT_FAIL(...)                     \
	do {                             \
		tap_masked(__VA_ARGS__); \
		return false;            \
	} while (0)
/* Fail the point when @cond is false, saying where. */
#define CT_CHECK(cond)                                                   \
	do {                                                             \
		if (!(cond))                                             \
			CT_FAIL("%s:%d: %s", __func__, __LINE__, #cond); \
	} while (0)
/* Fail unless the call @expr returned @want (a value or -errno). */
#define CT_EQ(expr, want)                                                                        \
	do {                                                                                     \
		long ct_got_ = (long)(expr), ct_want_ = (long)(want);                            \
		if (ct_got_ != ct_want_)                                                         \
			CT_FAIL("%s:%d: %s = %ld, want %ld", __func__, __LINE__, #expr, ct_got_, \
			        ct_want_);                                                       \
	} while (0)

struct ct_test {
	const char *name;
	bool (*fn)(void);
};

/* Run @n tests of @t as TAP points: each skipped on a kernel without Cairn's calls. */
static inline int ct_run(const struct ct_test *t, int n)
{
	bool on = cairn_present();

	tap_plan(n);
	for (int i = 0; i < n; i++) {
		if (on)
			tap_ok(t[i].fn(), "%s", t[i].name);
		else
			tap_ok(true, "%s # SKIP not Cairn", t[i].name);
	}
	return tap_done(n);
}

/* Write @n bytes of @b and @nh handles of @x on @h. */
static inline long ct_write(int h, const void *b, uint32_t n, struct cairn_handle_xfer *x,
                            uint32_t nh, uint32_t flags)
{
	struct cairn_msg m = { .bytes = (uint64_t)(uintptr_t)b,
		               .handles = (uint64_t)(uintptr_t)x,
		               .nbytes = n,
		               .nhandles = nh };

	return cairn_channel_write(h, &m, flags);
}

/* Read into @b (@cap bytes) and @x (@hcap handles); *@m gets the lengths and txid. */
static inline long ct_read(int h, void *b, uint32_t cap, struct cairn_handle_xfer *x, uint32_t hcap,
                           uint32_t flags, struct cairn_msg *m)
{
	m->bytes = (uint64_t)(uintptr_t)b;
	m->handles = (uint64_t)(uintptr_t)x;
	m->nbytes = cap;
	m->nhandles = hcap;
	m->txid = 0;
	m->reserved = 0;
	return cairn_channel_read(h, m, flags);
}

/* A handle transfer record moving @h with @rights (CAIRN_RIGHT_SAME_RIGHTS: all it has). */
static inline struct cairn_handle_xfer ct_xfer(int h, uint32_t rights)
{
	struct cairn_handle_xfer x = { .handle = h, .type = 0, .rights = rights, .reserved = 0 };

	return x;
}

static inline uint32_t ct_rights(int h)
{
	struct cairn_handle_info i;

	return cairn_handle_info(h, &i) ? 0 : i.rights;
}

static inline uint32_t ct_signals(int h)
{
	struct cairn_handle_info i;

	return cairn_handle_info(h, &i) ? 0 : i.signals;
}

static inline uint32_t ct_type(int h)
{
	struct cairn_handle_info i;

	return cairn_handle_info(h, &i) ? 0 : i.type;
}

/* Whether @fd is an open descriptor. */
static inline bool ct_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static inline bool ct_counts(struct cairn_objcount *c)
{
	memset(c, 0, sizeof(*c));
	return cairn_object_count(c) == 0;
}

/* Whether every count of @a and @b but the ones the test expects to move are equal. */
static inline bool ct_counts_equal(const struct cairn_objcount *a, const struct cairn_objcount *b)
{
	for (int i = 0; i < CAIRN_OBJ_TYPES; i++)
		if (a->objects[i] != b->objects[i])
			return false;
	return a->handles == b->handles && a->messages == b->messages &&
	       a->message_bytes == b->message_bytes &&
	       a->handles_in_flight == b->handles_in_flight && a->vmo_pages == b->vmo_pages;
}

static inline void ct_counts_show(const char *what, const struct cairn_objcount *c)
{
	tap_masked("%s: chan %llu vmo %llu proc %llu thr %llu handles %llu msgs %llu bytes %llu "
	           "fly %llu pages %llu",
	           what, (unsigned long long)c->objects[CAIRN_OBJ_CHANNEL],
	           (unsigned long long)c->objects[CAIRN_OBJ_VMO],
	           (unsigned long long)c->objects[CAIRN_OBJ_PROCESS],
	           (unsigned long long)c->objects[CAIRN_OBJ_THREAD], (unsigned long long)c->handles,
	           (unsigned long long)c->messages, (unsigned long long)c->message_bytes,
	           (unsigned long long)c->handles_in_flight, (unsigned long long)c->vmo_pages);
}
