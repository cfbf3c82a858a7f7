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

#define RING      (256u * 1024u)
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
	uint64_t total, written, verified;
	bool shut, closed_seen;
	bool listening; /* the glue's listener: a SYN for a CLOSED tcb opens it */
	uint64_t last_progress, max_stall;
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
	at += 10000;
	l->last_tx[to] = at;
	at += MS;
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

static void side_init(struct side *s, struct link *l, int id, uint64_t total)
{
	struct tcp_config cfg;

	memset(s, 0, sizeof(*s));
	s->l = l;
	s->id = id;
	s->total = total;
	s->sndbuf = malloc(RING);
	s->rcvbuf = malloc(RING);
	assert_non_null(s->sndbuf);
	assert_non_null(s->rcvbuf);
	tcp_config_default(&cfg, 1500);
	s->t.laddr = id ? 0xc0a80702 : 0xc0a80701;
	s->t.raddr = id ? 0xc0a80701 : 0xc0a80702;
	s->t.lport = id ? 80 : 40000;
	s->t.rport = id ? 40000 : 80;
	tcp_init(&s->t, &cfg, &link_ops, s, s->sndbuf, RING, s->rcvbuf, RING);
	s->last_progress = l->now;
}

/* The application: write the pattern while there is room, read and check what arrived. */
static void pump(struct side *s)
{
	uint64_t now = s->l->now;
	uint8_t *p[2];
	size_t n[2], done = 0;
	const uint8_t *r[2];
	size_t rn[2], got = 0;

	if (s->t.state == TCP_ESTABLISHED || s->t.state == TCP_CLOSE_WAIT) {
		tcp_send_space(&s->t, &p[0], &n[0], &p[1], &n[1]);
		for (int k = 0; k < 2; k++)
			for (size_t i = 0; i < n[k] && s->written + done < s->total; i++, done++)
				p[k][i] = pattern(s->id, s->written + done);
		if (done) {
			assert_int_equal(tcp_send_commit(&s->t, done, false, now), 0);
			s->written += done;
		}
		if (s->written == s->total && !s->shut) {
			assert_int_equal(tcp_shutdown_wr(&s->t, now), 0);
			s->shut = true;
		}
	}
	tcp_recv_peek(&s->t, &r[0], &rn[0], &r[1], &rn[1]);
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < rn[k]; i++, got++)
			assert_int_equal(r[k][i], pattern(!s->id, s->verified + got));
	if (got) {
		uint64_t stall = now - s->last_progress;

		if (stall > s->max_stall)
			s->max_stall = stall;
		s->last_progress = now;
		s->verified += got;
		tcp_recv_consume(&s->t, got, now);
	}
}

static bool finished(const struct side *s)
{
	return s->verified == s->total && s->t.rcv_fin && s->t.snd_una == s->t.snd_max &&
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
	pump(&sd[0]);
	pump(&sd[1]);
	return true;
}

static void run_transfer(unsigned loss_pm, unsigned dup_pm, unsigned reorder_pm, uint64_t bytes,
                         uint64_t max_stall_ns)
{
	struct link l = { .seed = 0x5eed0000u + loss_pm,
		          .loss_pm = loss_pm,
		          .dup_pm = dup_pm,
		          .reorder_pm = reorder_pm,
		          .now = 1000 * MS };
	struct side sd[2];
	unsigned steps = 0;

	side_init(&sd[0], &l, 0, bytes);
	side_init(&sd[1], &l, 1, bytes);
	/* B listens: the glue hands it the first SYN that arrives. */
	sd[1].listening = true;
	assert_int_equal(tcp_connect(&sd[0].t, l.now, 0xfffff000u), 0);
	while (!(finished(&sd[0]) && finished(&sd[1]))) {
		assert_true(step(&l, sd));
		assert_true(l.now < 3600 * 1000 * MS);
		if (getenv("TCPDBG") && (sd[0].t.error || sd[1].t.error))
			for (int i = 0; i < 2; i++)
				print_message(
					"side %d: st %d err %d una %u nxt %u max %u wnd %u cwnd %u rcv_nxt %u "
					"rcv.len %u ooo %u written %llu verified %llu retries %u\n",
					i, sd[i].t.state, sd[i].t.error, sd[i].t.snd_una,
					sd[i].t.snd_nxt, sd[i].t.snd_max, sd[i].t.snd_wnd,
					sd[i].t.cwnd, sd[i].t.rcv_nxt, sd[i].t.rcv.len,
					sd[i].t.ooo_n, (unsigned long long)sd[i].written,
					(unsigned long long)sd[i].verified, sd[i].t.retries);
		assert_int_equal(sd[0].t.error, 0);
		assert_int_equal(sd[1].t.error, 0);
		steps++;
	}
	print_message(
		"loss %u/1000: %.3f s simulated, %llu segments, %llu dropped, stalls %.3f/%.3f s, "
		"srtt %.1f ms, rto %.0f ms\n",
		loss_pm, (double)(l.now - 1000 * MS) / 1e9, (unsigned long long)l.sent,
		(unsigned long long)l.dropped, (double)sd[0].max_stall / 1e9,
		(double)sd[1].max_stall / 1e9, (double)sd[0].t.srtt_ns / 1e6,
		(double)sd[0].t.rto_ns / 1e6);
	assert_true(sd[0].max_stall <= max_stall_ns);
	assert_true(sd[1].max_stall <= max_stall_ns);
	/* Both wrapped: the ISNs were chosen just below 2^32 and 2^31. */
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
}

static void clean_link(void **state)
{
	(void)state;
	/* Without loss nothing waits for a timer longer than the delayed ACK. */
	run_transfer(0, 0, 0, 10u << 20, 100 * MS);
}

static void lossy_1pct(void **state)
{
	(void)state;
	run_transfer(10, 5, 20, 10u << 20, 3200 * MS);
}

static void lossy_5pct(void **state)
{
	(void)state;
	run_transfer(50, 10, 50, 10u << 20, 6400 * MS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clean_link),
		cmocka_unit_test(lossy_1pct),
		cmocka_unit_test(lossy_5pct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
