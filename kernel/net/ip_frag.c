// SPDX-License-Identifier: MIT
/*
 * IPv4 reassembly (RFC 791 3.2), the kernel's side of lib/net/reass: one
 * engine for the whole stack, bounded in memory and datagrams, whose
 * complete datagrams are copied into a fresh packet and delivered, and
 * whose timed-out datagrams get an ICMP time exceeded (RFC 792, code 1)
 * when their first fragment had arrived.
 *
 * Locks: none: fragments arrive only in the net task, and the engine's
 * timer runs there too ([N] below).
 */
#include <cairn/errno.h>

#include <lib/net/reass.h>

#include "core/log.h"
#include "mm/heap.h"
#include "net/inet.h"
#include "net/ip_internal.h"
#include "net/netif.h"
#include "net/pkt.h"
#include "time/time.h"

/* Linux's defaults (ip-sysctl: ipfrag_high_thresh 4 MiB, ipfrag_time 30 s). */
#define REASS_MEM     (4u << 20)
#define REASS_DGRAMS  256u
#define REASS_TIMEOUT (30 * NSEC_PER_SEC)
#define REASS_TICK    (1 * NSEC_PER_SEC)

static struct reass engine;          /* [N] */
static struct net_timer reass_timer; /* [N] */
static bool ready;                   /* [N] engine initialised */

static void *reass_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return kmalloc_flags(n, KM_MAY_FAIL);
}

static void reass_free(void *ctx, void *p, size_t n)
{
	(void)ctx, (void)n;
	kfree(p);
}

static void reass_timed_out(void *ctx, const uint8_t *hdr, size_t len)
{
	struct ip4_view v;

	(void)ctx;
	if (!ip4_parse_quoted(hdr, len, &v))
		icmp_send_error(&v, ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME);
}

static const struct reass_ops ops = {
	.alloc = reass_alloc,
	.free = reass_free,
	.timeout = reass_timed_out,
};

/* Mirror the engine's counters into inet_stats (only the net task writes them). */
static void sync_stats(void)
{
	__atomic_store_n(&inet_stats.ip_reasm_reqds, engine.stats.reqds, __ATOMIC_RELAXED);
	__atomic_store_n(&inet_stats.ip_reasm_oks, engine.stats.oks, __ATOMIC_RELAXED);
	__atomic_store_n(&inet_stats.ip_reasm_fails, engine.stats.fails + engine.stats.bad,
	                 __ATOMIC_RELAXED);
}

static void reass_tick_fn(struct net_timer *t, void *ctx)
{
	(void)ctx;
	reass_tick(&engine, net_now());
	sync_stats();
	if (reass_busy(&engine))
		net_timer_arm(t, net_now() + REASS_TICK);
}

/* The whole datagram @d in a packet of its own, @ip describing it; NULL without memory. */
static struct pkt *take_whole(struct reass_dgram *d, struct ip4_view *ip)
{
	size_t len = reass_len(d);
	struct pkt *p = pkt_alloc(PKT_HEADROOM, len);

	if (p) {
		reass_copy(d, pkt_put(p, len));
		if (ip4_parse(p->data, p->len, false, ip)) {
			pkt_free(
				p); /* the engine wrote a header that does not parse: a bug, not input */
			p = NULL;
		}
	}
	reass_release(&engine, d);
	return p;
}

struct pkt *ip4_reassemble(struct pkt *p, struct ip4_view *ip)
{
	struct reass_dgram *done = NULL;
	struct netif *dev = p->dev;
	struct pkt *whole = NULL;
	int r;

	if (!ready) {
		reass_init(&engine, &ops, NULL, REASS_MEM, REASS_DGRAMS, REASS_TIMEOUT);
		net_timer_init(&reass_timer, reass_tick_fn, NULL);
		ready = true;
	}
	r = reass_add(&engine, ip, net_now(), &done);
	pkt_free(p); /* the engine copied what it keeps */
	if (r == 1) {
		whole = take_whole(done, ip);
		if (whole)
			whole->dev = dev;
		else
			NET_INC(inet_stats.ip_in_discards);
	} else if (r < 0 && net_log_ok()) {
		pr_info("net: %s: dropped a fragment (%d)", dev->name, r);
	}
	sync_stats();
	if (reass_busy(&engine))
		net_timer_arm_min(&reass_timer, net_now() + REASS_TICK);
	return whole;
}

/* Forget every datagram in progress (tests' leak checks); the net task's context. */
void ip4_reass_flush_for_tests(void)
{
	if (ready)
		reass_flush(&engine);
	sync_stats();
}
