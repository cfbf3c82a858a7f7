/* SPDX-License-Identifier: MIT */
/*
 * End-to-end host test of lib/net/tcp: two connections wired back to back
 * through a simulated link with a fake clock. The link delays every
 * segment, and at set rates drops, duplicates and reorders them, and holds
 * at most a queue's worth in flight (tail drop, like a router). Each side
 * sends 10 MB of a known pattern while receiving the other's, checks every
 * byte, then both close. The test also bounds the longest stall: time
 * without any new byte delivered must stay within what the RTO backoff
 * allows. Deterministic: a seeded generator drives every decision.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cairn/errno.h>

#include <cmocka.h>

#include "lib/net/tcp.h"

#define QUEUE_MAX 300u
#define MS        1000000ull

struct pkt {
	uint64_t at;
	int to; /* 0: A, 1: B */
	struct tcp_seg seg;
	uint8_t *data;
	struct pkt *next;
};

struct link {
	uint64_t latency, per_seg; /* ns: one-way delay, serialisation per segment */
	unsigned mtu;
	uint32_t ring;           /* bytes of each ring */
	bool syscalls;           /* the application moves bytes in tcp_bulk's varying sizes */
	uint64_t call_ns, kb_ns; /* syscalls: each costs call_ns + kb_ns per KiB moved */
	uint64_t seed;
	unsigned loss_pm, dup_pm, reorder_pm; /* per mille */
	uint64_t now;
	struct pkt *q; /* sorted by at */
	unsigned inflight[2];
	uint64_t last_tx[2]; /* serialisation: when the last segment toward each side left */
	uint64_t sent, dropped;
};

struct side {
	struct tcb t;
	struct link *l;
	int id;
	uint8_t *sndbuf, *rcvbuf;
	uint64_t total, written, verified; /* to send, sent, received and checked */
	uint64_t expect;                   /* bytes the peer sends */
	bool shut, closed_seen;
	bool listening; /* the glue's listener: a SYN for a CLOSED tcb opens it */
	uint64_t last_progress, max_stall;
	uint32_t wsz, rsz; /* the next write's and read's size (syscalls) */
	uint64_t app_at;   /* with a cost per call: the application is busy until then */
};

static uint32_t rnd(struct link *l)
{
	/* xorshift64* */
	l->seed ^= l->seed >> 12;
	l->seed ^= l->seed << 25;
	l->seed ^= l->seed >> 27;
	return (uint32_t)((l->seed * 0x2545f4914f6cdd1dull) >> 32);
}

static uint8_t pattern(int id, uint64_t i)
{
	uint64_t x = (i + 7919u * (unsigned)id) * 0x9e3779b97f4a7c15ull;

	return (uint8_t)(x >> 56 ^ x >> 23);
}

static void enqueue(struct link *l, struct pkt *p)
{
	struct pkt **pp = &l->q;

	while (*pp && (*pp)->at <= p->at)
		pp = &(*pp)->next;
	p->next = *pp;
	*pp = p;
	l->inflight[p->to]++;
}

static struct pkt *copy_pkt(const struct tcp_out *o, int to, uint64_t at)
{
	struct pkt *p = calloc(1, sizeof(*p));
	size_t len = o->dlen[0] + o->dlen[1];

	assert_non_null(p);
	p->to = to;
	p->at = at;
	p->seg = o->seg;
	p->data = malloc(len ? len : 1);
	assert_non_null(p->data);
	if (o->dlen[0])
		memcpy(p->data, o->data[0], o->dlen[0]);
	if (o->dlen[1])
		memcpy(p->data + o->dlen[0], o->data[1], o->dlen[1]);
	p->seg.payload = p->data;
	p->seg.len = len;
	return p;
}

static int link_output(void *ctx, const struct tcp_out *o)
{
	struct side *s = ctx;
	struct link *l = s->l;
	int to = !s->id;
	uint64_t at;

	l->sent++;
	if (l->inflight[to] >= QUEUE_MAX || rnd(l) % 1000 < l->loss_pm) {
		l->dropped++;
		return 0;
	}
	/* 1 ms of latency plus 10 us per segment of serialisation toward the receiver. */
	at = l->last_tx[to] > l->now ? l->last_tx[to] : l->now;
	at += l->per_seg;
	l->last_tx[to] = at;
	at += l->latency;
	if (rnd(l) % 1000 < l->reorder_pm)
		at += (rnd(l) % 3000) * 1000;
	enqueue(l, copy_pkt(o, to, at));
	if (rnd(l) % 1000 < l->dup_pm)
		enqueue(l, copy_pkt(o, to, at + (rnd(l) % 2000) * 1000));
	return 0;
}

static void link_event(void *ctx, unsigned ev)
{
	struct side *s = ctx;

	if (ev & TCP_EV_CLOSED)
		s->closed_seen = true;
}

static const struct tcp_ops link_ops = { .output = link_output, .event = link_event };

static void side_init(struct side *s, struct link *l, int id, uint64_t total, uint64_t expect)
{
	struct tcp_config cfg;

	memset(s, 0, sizeof(*s));
	s->l = l;
	s->id = id;
	s->total = total;
	s->expect = expect;
	s->sndbuf = malloc(l->ring);
	s->rcvbuf = malloc(l->ring);
	s->wsz = 1;
	s->rsz = 3;
	assert_non_null(s->sndbuf);
	assert_non_null(s->rcvbuf);
	tcp_config_default(&cfg, l->mtu);
	s->t.laddr = id ? 0xc0a80702 : 0xc0a80701;
	s->t.raddr = id ? 0xc0a80701 : 0xc0a80702;
	s->t.lport = id ? 80 : 40000;
	s->t.rport = id ? 40000 : 80;
	tcp_init(&s->t, &cfg, &link_ops, s, s->sndbuf, l->ring, s->rcvbuf, l->ring);
	s->last_progress = l->now;
}

/* One write of up to @max bytes of the pattern into the send ring; bytes taken. */
static size_t app_write(struct side *s, size_t max)
{
	uint8_t *p[2];
	size_t n[2], done = 0;

	tcp_send_space(&s->t, &p[0], &n[0], &p[1], &n[1]);
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < n[k] && done < max && s->written + done < s->total;
		     i++, done++)
			p[k][i] = pattern(s->id, s->written + done);
	if (done) {
		assert_int_equal(tcp_send_commit(&s->t, done, false, s->l->now), 0);
		s->written += done;
	}
	return done;
}

/* One read of up to @max bytes, checked against the peer's pattern; bytes taken. */
static size_t app_read(struct side *s, size_t max)
{
	const uint8_t *r[2];
	size_t rn[2], got = 0;

	tcp_recv_peek(&s->t, &r[0], &rn[0], &r[1], &rn[1]);
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < rn[k] && got < max; i++, got++)
			assert_int_equal(r[k][i], pattern(!s->id, s->verified + got));
	if (got) {
		uint64_t stall = s->l->now - s->last_progress;

		if (stall > s->max_stall)
			s->max_stall = stall;
		s->last_progress = s->l->now;
		s->verified += got;
		tcp_recv_consume(&s->t, got, s->l->now);
	}
	return got;
}

/*
 * The application: write while there is room, read what arrived, in one
 * go or (syscalls) in tcp_bulk's sizes: writes of 1..64 KiB, reads of
 * 1..32 KiB, each its own commit or consume.
 */
static void pump(struct side *s)
{
	bool sys = s->l->syscalls;

	if (s->t.state == TCP_ESTABLISHED || s->t.state == TCP_CLOSE_WAIT) {
		while (app_write(s, sys ? s->wsz : SIZE_MAX))
			if (sys)
				s->wsz = (s->wsz * 7 + 4093) % 65536 + 1;
		if (s->written == s->total && !s->shut) {
			assert_int_equal(tcp_shutdown_wr(&s->t, s->l->now), 0);
			s->shut = true;
		}
	}
	while (app_read(s, sys ? s->rsz : SIZE_MAX))
		if (sys)
			s->rsz = (s->rsz * 5 + 1) % 32768 + 1;
}

/* With a cost per call: one call at a time, and the application is busy for its cost. */
static void app_call(struct side *s)
{
	struct link *l = s->l;
	size_t n = 0;

	if (l->now < s->app_at)
		return;
	if (s->t.state == TCP_ESTABLISHED || s->t.state == TCP_CLOSE_WAIT) {
		n = app_write(s, s->wsz);
		if (n)
			s->wsz = (s->wsz * 7 + 4093) % 65536 + 1;
		if (s->written == s->total && !s->shut) {
			assert_int_equal(tcp_shutdown_wr(&s->t, l->now), 0);
			s->shut = true;
		}
	}
	if (n == 0) {
		n = app_read(s, s->rsz);
		if (n)
			s->rsz = (s->rsz * 5 + 1) % 32768 + 1;
	}
	/* Idle: it runs again at the next event (a wake-up). */
	s->app_at = n ? l->now + l->call_ns + n * l->kb_ns / 1024 : l->now;
}

static bool finished(const struct side *s)
{
	return s->verified == s->expect && s->t.rcv_fin && s->t.snd_una == s->t.snd_max &&
	       s->t.fin_sent;
}

/* One step: the earliest of the next delivery and the two tcbs' timers. */
static bool step(struct link *l, struct side *sd)
{
	uint64_t next = l->q ? l->q->at : UINT64_MAX;
	uint64_t d0 = tcp_deadline(&sd[0].t), d1 = tcp_deadline(&sd[1].t);

	if (d0 < next)
		next = d0;
	if (d1 < next)
		next = d1;
	for (int i = 0; i < 2; i++)
		if (sd[i].app_at > l->now && sd[i].app_at < next)
			next = sd[i].app_at;
	if (next == UINT64_MAX)
		return false;
	if (next > l->now)
		l->now = next;
	if (l->q && l->q->at <= l->now) {
		struct pkt *p = l->q;

		l->q = p->next;
		l->inflight[p->to]--;
		if (sd[p->to].listening && sd[p->to].t.state == TCP_CLOSED &&
		    (p->seg.flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN)
			assert_int_equal(tcp_accept_syn(&sd[p->to].t, &p->seg, l->now, 0x7ffffff0u),
			                 0);
		else
			tcp_input(&sd[p->to].t, &p->seg, l->now);
		free(p->data);
		free(p);
	}
	for (int i = 0; i < 2; i++)
		if (tcp_deadline(&sd[i].t) <= l->now)
			tcp_timer(&sd[i].t, l->now);
	for (int i = 0; i < 2; i++) {
		if (l->call_ns)
			app_call(&sd[i]);
		else
			pump(&sd[i]);
	}
	return true;
}

/*
 * Side 0 connects to side 1; each sends @bytes0/@bytes1 and checks what it
 * receives; both close. Returns the simulated time the transfer took.
 */
static uint64_t run(struct link l, uint64_t bytes0, uint64_t bytes1, uint64_t max_stall_ns)
{
	struct side sd[2];
	uint64_t t0;

	l.now = t0 = 1000 * MS;
	l.seed += l.loss_pm;
	side_init(&sd[0], &l, 0, bytes0, bytes1);
	side_init(&sd[1], &l, 1, bytes1, bytes0);
	/* B listens: the glue hands it the first SYN that arrives. */
	sd[1].listening = true;
	/* The ISNs sit just below 2^32 and 2^31: both sequence spaces wrap. */
	assert_int_equal(tcp_connect(&sd[0].t, l.now, 0xfffff000u), 0);
	while (!(finished(&sd[0]) && finished(&sd[1]))) {
		if (!step(&l, sd)) {
			for (int i = 0; i < 2; i++)
				print_message(
					"side %d: st %d una %u nxt %u max %u wnd %u cwnd %u rcv_nxt %u "
					"rcv.len %u snd.len %u adv %u written %llu verified %llu\n",
					i, sd[i].t.state, sd[i].t.snd_una, sd[i].t.snd_nxt,
					sd[i].t.snd_max, sd[i].t.snd_wnd, sd[i].t.cwnd,
					sd[i].t.rcv_nxt, sd[i].t.rcv.len, sd[i].t.snd.len,
					sd[i].t.rcv_adv - sd[i].t.rcv_nxt,
					(unsigned long long)sd[i].written,
					(unsigned long long)sd[i].verified);
			fail();
		}
		assert_true(l.now < 3600 * 1000 * MS);
		assert_int_equal(sd[0].t.error, 0);
		assert_int_equal(sd[1].t.error, 0);
	}
	print_message(
		"loss %u/1000: %.3f s simulated, %llu segments, %llu dropped, stalls %.3f/%.3f s, "
		"srtt %.1f ms, rto %.0f ms\n",
		l.loss_pm, (double)(l.now - t0) / 1e9, (unsigned long long)l.sent,
		(unsigned long long)l.dropped, (double)sd[0].max_stall / 1e9,
		(double)sd[1].max_stall / 1e9, (double)sd[0].t.srtt_ns / 1e6,
		(double)sd[0].t.rto_ns / 1e6);
	assert_true(sd[0].max_stall <= max_stall_ns);
	assert_true(sd[1].max_stall <= max_stall_ns);
	t0 = l.now - t0;
	tcp_close(&sd[0].t, l.now);
	tcp_close(&sd[1].t, l.now);
	while (step(&l, sd) && !(sd[0].closed_seen && sd[1].closed_seen))
		;
	assert_true(sd[0].closed_seen && sd[1].closed_seen);
	while (l.q) {
		struct pkt *p = l.q;

		l.q = p->next;
		free(p->data);
		free(p);
	}
	for (int i = 0; i < 2; i++) {
		free(sd[i].sndbuf);
		free(sd[i].rcvbuf);
	}
	return t0;
}

/* An Ethernet link: 1 ms each way, 10 us per segment, 256 KiB rings. */
static struct link ether(unsigned loss_pm, unsigned dup_pm, unsigned reorder_pm)
{
	return (struct link){ .latency = MS,
		              .per_seg = 10000,
		              .mtu = 1500,
		              .ring = 256u << 10,
		              .seed = 0x5eed0000u,
		              .loss_pm = loss_pm,
		              .dup_pm = dup_pm,
		              .reorder_pm = reorder_pm };
}

static void clean_link(void **state)
{
	(void)state;
	/* Without loss nothing waits for a timer longer than the delayed ACK. */
	run(ether(0, 0, 0), 10u << 20, 10u << 20, 100 * MS);
}

static void lossy_1pct(void **state)
{
	(void)state;
	run(ether(10, 5, 20), 10u << 20, 10u << 20, 3200 * MS);
}

static void lossy_5pct(void **state)
{
	(void)state;
	run(ether(50, 10, 50), 10u << 20, 10u << 20, 6400 * MS);
}

/*
 * The kernel's loopback as tcp_sock sets it up (128 KiB rings, an MSS of a
 * quarter of the ring) with tcp_bulk's write and read sizes, 8 MiB one way:
 * 20 us each way and 5 us per segment, so all but a few milliseconds of
 * the time would be spent waiting on a timer (delayed ACK, persist).
 */
static void loopback_syscalls(void **state)
{
	struct link l = { .latency = 20000,
		          .per_seg = 5000,
		          .mtu = 32768 + 40,
		          .ring = 128u << 10,
		          .seed = 0x10,
		          .syscalls = true };
	uint64_t t;

	(void)state;
	t = run(l, 8u << 20, 0, 50 * MS);
	assert_true(t < 50 * MS);
	t = run(l, 0, 8u << 20, 50 * MS);
	assert_true(t < 50 * MS);
}

/*
 * The same with applications that take time: 2 us per call and 5 us per
 * KiB copied (about 200 MB/s), one call at a time. The copies alone take
 * 8 MiB * 5 us/KiB = 41 ms on each side; the transfer may not take much
 * longer (no waiting for the delayed-ACK timer behind Nagle).
 */
static void loopback_busy_apps(void **state)
{
	struct link l = { .latency = 20000,
		          .per_seg = 5000,
		          .mtu = 32768 + 40,
		          .ring = 128u << 10,
		          .seed = 0x10,
		          .syscalls = true,
		          .call_ns = 2000,
		          .kb_ns = 5000 };
	uint64_t t;

	(void)state;
	t = run(l, 8u << 20, 0, 100 * MS);
	print_message("busy apps: %.1f ms\n", (double)t / 1e6);
	assert_true(t < 60 * MS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clean_link),         cmocka_unit_test(lossy_1pct),
		cmocka_unit_test(lossy_5pct),         cmocka_unit_test(loopback_syscalls),
		cmocka_unit_test(loopback_busy_apps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
