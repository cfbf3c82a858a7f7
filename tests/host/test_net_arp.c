/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/net/arp.c, the ARP cache, with a fake clock and ops
 * that record what the cache asked for: resolution with packets waiting,
 * retries and failure after ARP_RETRIES requests, reachable entries going
 * stale and being probed, RFC 826's merge rule (gratuitous ARP only
 * updates), bounded queues, eviction of the oldest entry, flush and
 * delete.
 */
#include <cairn/errno.h>

#include <lib/net/arp.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

#define S   1000000000ull
#define IP1 0x0a000202u
#define IP2 0x0a000203u

struct rec {
	unsigned requests, probes, sent, dropped;
	uint32_t last_ip;
	int last_reason;
	uintptr_t sent_h[64], drop_h[64];
	uint8_t last_mac[6];
};

static void r_request(void *ctx, uint32_t ip, const uint8_t *mac)
{
	struct rec *r = ctx;

	r->last_ip = ip;
	if (mac)
		r->probes++;
	else
		r->requests++;
}

static void r_send(void *ctx, void *h, const uint8_t mac[ETH_ALEN])
{
	struct rec *r = ctx;

	r->sent_h[r->sent++ % 64] = (uintptr_t)h;
	memcpy(r->last_mac, mac, 6);
}

static void r_drop(void *ctx, void *h, uint32_t ip, int reason)
{
	struct rec *r = ctx;

	(void)ip;
	r->drop_h[r->dropped++ % 64] = (uintptr_t)h;
	r->last_reason = reason;
}

static const struct arp_cache_ops ops = { .request = r_request, .send = r_send, .drop = r_drop };
static const uint8_t MAC1[6] = { 0x52, 0x55, 0x0a, 0, 2, 2 };
static const uint8_t MAC2[6] = { 0x52, 0x55, 0x0a, 0, 2, 3 };

struct fx {
	struct arp_cache c;
	struct rec r;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	arp_cache_init(&f->c, &ops, &f->r);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void test_resolve_and_send(void **state)
{
	struct fx *f = *state;
	uint8_t mac[6];

	assert_int_equal(arp_cache_resolve(&f->c, IP1, 0, (void *)1, mac), -EINPROGRESS);
	assert_int_equal(f->r.requests, 1);
	assert_int_equal(f->r.last_ip, IP1);
	/* A second packet waits too, without another request. */
	assert_int_equal(arp_cache_resolve(&f->c, IP1, 1, (void *)2, mac), -EINPROGRESS);
	assert_int_equal(f->r.requests, 1);
	assert_true(arp_cache_busy(&f->c));
	arp_cache_input(&f->c, IP1, MAC1, true, 100);
	assert_int_equal(f->r.sent, 2);
	assert_int_equal(f->r.sent_h[0], 1); /* in order */
	assert_int_equal(f->r.sent_h[1], 2);
	assert_memory_equal(f->r.last_mac, MAC1, 6);
	assert_false(arp_cache_busy(&f->c));
	assert_int_equal(arp_cache_resolve(&f->c, IP1, 200, (void *)3, mac), 0);
	assert_memory_equal(mac, MAC1, 6);
	assert_int_equal(f->r.requests, 1);
	assert_int_equal(arp_cache_resolve(&f->c, 0, 0, (void *)3, mac), -EINVAL);
	assert_int_equal(arp_cache_resolve(&f->c, IP4_BROADCAST, 0, (void *)3, mac), -EINVAL);
}

static void test_retry_then_fail(void **state)
{
	struct fx *f = *state;
	uint8_t mac[6];

	assert_int_equal(arp_cache_resolve(&f->c, IP1, 10 * S, (void *)7, mac), -EINPROGRESS);
	arp_cache_tick(&f->c, 10 * S + S / 2); /* too early */
	assert_int_equal(f->r.requests, 1);
	arp_cache_tick(&f->c, 11 * S);
	assert_int_equal(f->r.requests, 2);
	arp_cache_tick(&f->c, 12 * S);
	assert_int_equal(f->r.requests, 3);
	assert_int_equal(f->r.dropped, 0);
	arp_cache_tick(&f->c, 13 * S);
	assert_int_equal(f->r.requests, 3);
	assert_int_equal(f->r.dropped, 1);
	assert_int_equal(f->r.drop_h[0], 7);
	assert_int_equal(f->r.last_reason, -EHOSTUNREACH);
	assert_int_equal(f->c.failures, 1);
	assert_false(arp_cache_busy(&f->c));
	/* The next packet starts over. */
	assert_int_equal(arp_cache_resolve(&f->c, IP1, 14 * S, NULL, mac), -EINPROGRESS);
	assert_int_equal(f->r.requests, 4);
}

static void test_stale_probe(void **state)
{
	struct fx *f = *state;
	uint8_t mac[6];

	arp_cache_input(&f->c, IP1, MAC1, true, 0);
	arp_cache_tick(&f->c, 29 * S);
	assert_int_equal(arp_cache_resolve(&f->c, IP1, 29 * S, NULL, mac), 0);
	assert_int_equal(f->r.probes, 0);
	/* Past 30 s: still used, with one unicast probe. */
	assert_int_equal(arp_cache_resolve(&f->c, IP1, 31 * S, NULL, mac), 0);
	assert_memory_equal(mac, MAC1, 6);
	assert_int_equal(f->r.probes, 1);
	assert_int_equal(arp_cache_resolve(&f->c, IP1, 31 * S, NULL, mac), 0);
	assert_int_equal(f->r.probes, 1);
	/* Answered: reachable again, no more probes. */
	arp_cache_input(&f->c, IP1, MAC2, false, 31 * S + 5);
	assert_int_equal(arp_cache_resolve(&f->c, IP1, 32 * S, NULL, mac), 0);
	assert_memory_equal(mac, MAC2, 6);
	arp_cache_tick(&f->c, 40 * S);
	assert_int_equal(f->r.probes, 1);
	/* Stale again, probed, never answered: deleted after ARP_RETRIES probes. */
	arp_cache_tick(&f->c, 62 * S);
	assert_int_equal(arp_cache_resolve(&f->c, IP1, 62 * S, NULL, mac), 0);
	arp_cache_tick(&f->c, 63 * S);
	arp_cache_tick(&f->c, 64 * S);
	assert_int_equal(f->r.probes, 4);
	arp_cache_tick(&f->c, 65 * S);
	assert_int_equal(arp_cache_del(&f->c, IP1), -ENOENT);
}

static void test_merge_rule(void **state)
{
	struct fx *f = *state;
	uint8_t mac[6];

	/* Not for us and unknown: nothing learned (gratuitous ARP from a stranger). */
	arp_cache_input(&f->c, IP1, MAC1, false, 0);
	assert_int_equal(arp_cache_del(&f->c, IP1), -ENOENT);
	arp_cache_input(&f->c, IP1, MAC1, true, 0);
	/* Gratuitous ARP updates the known entry. */
	arp_cache_input(&f->c, IP1, MAC2, false, 1);
	assert_int_equal(arp_cache_resolve(&f->c, IP1, 2, NULL, mac), 0);
	assert_memory_equal(mac, MAC2, 6);
	/* Senders that are never learned: 0.0.0.0 probes and multicast MACs. */
	arp_cache_input(&f->c, 0, MAC1, true, 3);
	arp_cache_input(&f->c, IP2, (const uint8_t[6]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, true,
	                3);
	assert_int_equal(arp_cache_del(&f->c, IP2), -ENOENT);
}

static void test_queue_bound(void **state)
{
	struct fx *f = *state;
	uint8_t mac[6];

	for (uintptr_t h = 1; h <= ARP_QUEUE_MAX + 3; h++)
		assert_int_equal(arp_cache_resolve(&f->c, IP1, 0, (void *)h, mac), -EINPROGRESS);
	/* The three oldest gave way. */
	assert_int_equal(f->r.dropped, 3);
	assert_int_equal(f->r.drop_h[0], 1);
	assert_int_equal(f->r.drop_h[2], 3);
	assert_int_equal(f->r.last_reason, -ENOBUFS);
	assert_int_equal(f->c.queue_drops, 3);
	arp_cache_input(&f->c, IP1, MAC1, false, 1);
	assert_int_equal(f->r.sent, ARP_QUEUE_MAX);
	assert_int_equal(f->r.sent_h[0], 4);
	assert_int_equal(f->r.sent_h[ARP_QUEUE_MAX - 1], ARP_QUEUE_MAX + 3);
}

static void count_cb(const struct arp_entry *e, void *ctx)
{
	(void)e;
	(*(unsigned *)ctx)++;
}

static void test_evict_oldest(void **state)
{
	struct fx *f = *state;
	uint8_t mac[6];
	unsigned n = 0;

	for (uint32_t i = 0; i < ARP_CACHE_SIZE; i++)
		arp_cache_input(&f->c, 0x0a000100u + i, MAC1, true, 10 + i);
	/* The oldest, 10.0.1.0, is confirmed again: 10.0.1.1 is now the oldest. */
	arp_cache_input(&f->c, 0x0a000100u, MAC2, false, 1000);
	assert_int_equal(arp_cache_resolve(&f->c, IP1, 2000, (void *)9, mac), -EINPROGRESS);
	assert_int_equal(f->c.evictions, 1);
	assert_int_equal(arp_cache_del(&f->c, 0x0a000101u), -ENOENT);
	assert_int_equal(arp_cache_resolve(&f->c, 0x0a000100u, 2000, NULL, mac), 0);
	arp_cache_foreach(&f->c, count_cb, &n);
	assert_int_equal(n, ARP_CACHE_SIZE);
	/* Evicting an incomplete entry drops its packets. */
	for (uint32_t i = 0; i < ARP_CACHE_SIZE; i++)
		arp_cache_input(&f->c, 0x0a000300u + i, MAC1, true, 5000 + i);
	assert_int_equal(f->r.dropped, 1);
	assert_int_equal(f->r.drop_h[0], 9);
	assert_int_equal(f->r.last_reason, -ENOBUFS);
}

static void test_flush_and_del(void **state)
{
	struct fx *f = *state;
	uint8_t mac[6];
	unsigned n = 0;

	assert_int_equal(arp_cache_resolve(&f->c, IP1, 0, (void *)1, mac), -EINPROGRESS);
	assert_int_equal(arp_cache_resolve(&f->c, IP2, 0, (void *)2, mac), -EINPROGRESS);
	assert_int_equal(arp_cache_del(&f->c, IP2), 0);
	assert_int_equal(f->r.dropped, 1);
	assert_int_equal(f->r.last_reason, -ENETDOWN);
	arp_cache_flush(&f->c);
	assert_int_equal(f->r.dropped, 2);
	arp_cache_foreach(&f->c, count_cb, &n);
	assert_int_equal(n, 0);
	assert_false(arp_cache_busy(&f->c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_resolve_and_send, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_then_fail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evict_oldest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_and_del, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
