// SPDX-License-Identifier: MIT
/* The TCP test harness (tcp_helpers.h). */
#include "tcp_helpers.h"

#include <cairn/errno.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

static int cap_output(void *ctx, const struct tcp_out *o)
{
	struct th *h = ctx;
	struct th_cap *c;
	size_t len = o->dlen[0] + o->dlen[1];

	if (h->fail_output)
		return -ENOMEM;
	assert_true(h->out_tail - h->out_head < TH_MAXOUT);
	c = &h->out[h->out_tail++ % TH_MAXOUT];
	free(c->data);
	c->seg = o->seg;
	c->data = malloc(len ? len : 1);
	assert_non_null(c->data);
	if (o->dlen[0])
		memcpy(c->data, o->data[0], o->dlen[0]);
	if (o->dlen[1])
		memcpy(c->data + o->dlen[0], o->data[1], o->dlen[1]);
	c->seg.payload = c->data;
	c->seg.len = len;
	return 0;
}

static void cap_event(void *ctx, unsigned ev)
{
	struct th *h = ctx;

	h->events |= ev;
	if (ev & TCP_EV_CLOSED)
		h->nevents_closed++;
}

static const struct tcp_ops th_ops = { .output = cap_output, .event = cap_event };

void th_init(struct th *h, uint32_t sndsz, uint32_t rcvsz)
{
	memset(h, 0, sizeof(*h));
	tcp_config_default(&h->cfg, 1500);
	h->sndbuf = malloc(sndsz);
	h->rcvbuf = malloc(rcvsz);
	assert_non_null(h->sndbuf);
	assert_non_null(h->rcvbuf);
	h->t.laddr = 0x0a000001;
	h->t.raddr = 0x0a000002;
	h->t.lport = TH_LPORT;
	h->t.rport = TH_RPORT;
	tcp_init(&h->t, &h->cfg, &th_ops, h, h->sndbuf, sndsz, h->rcvbuf, rcvsz);
	h->now = 1000 * 1000000ull;
}

void th_free(struct th *h)
{
	for (unsigned i = 0; i < TH_MAXOUT; i++)
		free(h->out[i].data);
	free(h->sndbuf);
	free(h->rcvbuf);
}

struct th_cap *th_pop(struct th *h)
{
	if (h->out_head == h->out_tail)
		return NULL;
	return &h->out[h->out_head++ % TH_MAXOUT];
}

unsigned th_pending(const struct th *h)
{
	return h->out_tail - h->out_head;
}

void th_drain(struct th *h)
{
	h->out_head = h->out_tail;
}

unsigned th_events(struct th *h)
{
	unsigned ev = h->events;

	h->events = 0;
	return ev;
}

struct tcp_seg th_seg(uint8_t flags, uint32_t seq, uint32_t ack, uint16_t wnd)
{
	struct tcp_seg s;

	memset(&s, 0, sizeof(s));
	s.sport = TH_RPORT;
	s.dport = TH_LPORT;
	s.flags = flags;
	s.seq = seq;
	s.ack = ack;
	s.wnd = wnd;
	return s;
}

void th_input(struct th *h, const struct tcp_seg *s)
{
	tcp_input(&h->t, s, h->now);
}

void th_in(struct th *h, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t wnd, const void *data,
           size_t len)
{
	struct tcp_seg s = th_seg(flags, seq, ack, wnd);

	s.payload = data;
	s.len = len;
	th_input(h, &s);
}

void th_run_until(struct th *h, uint64_t t)
{
	for (;;) {
		uint64_t d = tcp_deadline(&h->t);

		if (d > t)
			break;
		if (d > h->now)
			h->now = d;
		tcp_timer(&h->t, h->now);
	}
	if (t > h->now)
		h->now = t;
}

bool th_fire_next(struct th *h)
{
	uint64_t d = tcp_deadline(&h->t);

	if (d == UINT64_MAX)
		return false;
	if (d > h->now)
		h->now = d;
	tcp_timer(&h->t, h->now);
	return true;
}

void th_open_active(struct th *h, uint32_t iss, uint32_t irs, uint16_t wnd)
{
	struct tcp_seg sa;
	struct th_cap *c;

	assert_int_equal(tcp_connect(&h->t, h->now, iss), 0);
	c = th_pop(h);
	assert_non_null(c);
	assert_int_equal(c->seg.flags, TCP_SYN);
	assert_int_equal(c->seg.seq, iss);
	sa = th_seg(TCP_SYN | TCP_ACK, irs, iss + 1, wnd);
	sa.opt.has = TCP_OPT_MSS;
	sa.opt.mss = 1460;
	th_input(h, &sa);
	assert_int_equal(h->t.state, TCP_ESTABLISHED);
	c = th_pop(h);
	assert_non_null(c);
	assert_int_equal(c->seg.flags, TCP_ACK);
	assert_int_equal(c->seg.seq, iss + 1);
	assert_int_equal(c->seg.ack, irs + 1);
	assert_true(th_events(h) & TCP_EV_CONNECTED);
}

void th_open_passive(struct th *h, uint32_t iss, uint32_t irs, uint16_t wnd)
{
	struct tcp_seg syn = th_seg(TCP_SYN, irs, 0, wnd);
	struct th_cap *c;

	syn.opt.has = TCP_OPT_MSS;
	syn.opt.mss = 1460;
	assert_int_equal(tcp_accept_syn(&h->t, &syn, h->now, iss), 0);
	assert_int_equal(h->t.state, TCP_SYN_RECEIVED);
	c = th_pop(h);
	assert_non_null(c);
	assert_int_equal(c->seg.flags, TCP_SYN | TCP_ACK);
	assert_int_equal(c->seg.seq, iss);
	assert_int_equal(c->seg.ack, irs + 1);
	th_in(h, TCP_ACK, irs + 1, iss + 1, wnd, NULL, 0);
	assert_int_equal(h->t.state, TCP_ESTABLISHED);
	assert_true(th_events(h) & TCP_EV_CONNECTED);
	assert_int_equal(th_pending(h), 0);
}

int th_send(struct th *h, const void *data, size_t len)
{
	uint8_t *p1, *p2;
	size_t n1, n2;
	const uint8_t *d = data;

	tcp_send_space(&h->t, &p1, &n1, &p2, &n2);
	assert_true(len <= n1 + n2);
	if (len == 0) {
		/* Nothing to copy: a commit of 0 only pushes. */
	} else if (len <= n1) {
		memcpy(p1, d, len);
	} else {
		memcpy(p1, d, n1);
		memcpy(p2, d + n1, len - n1);
	}
	return tcp_send_commit(&h->t, len, false, h->now);
}

size_t th_recv(struct th *h, void *buf, size_t max)
{
	const uint8_t *p1, *p2;
	size_t n1, n2, got;
	uint8_t *b = buf;

	tcp_recv_peek(&h->t, &p1, &n1, &p2, &n2);
	if (n1 > max)
		n1 = max;
	if (n1)
		memcpy(b, p1, n1);
	got = n1;
	if (n2 > max - got)
		n2 = max - got;
	if (n2)
		memcpy(b + got, p2, n2);
	got += n2;
	tcp_recv_consume(&h->t, got, h->now);
	return got;
}

uint8_t th_pattern(uint32_t seed, uint64_t i)
{
	uint64_t x = (i + seed) * 0x9e3779b97f4a7c15ull;

	return (uint8_t)(x >> 56 ^ x >> 29);
}
