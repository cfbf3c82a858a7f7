/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/net/tcp: the input is a script run against one
 * connection. The first byte picks how it opens (active, passive, or
 * simultaneous) and small ring sizes; then each step is a segment (flags,
 * sequence and acknowledgement numbers either near the connection's own
 * or arbitrary, window, options, a payload), an application call (send,
 * read, MSG_MORE, shutdown, close, a TCP_NODELAY or keepalive change) or
 * a jump of the clock that runs the timers. After every step the
 * invariants are checked: ring bounds, snd_una <= snd_nxt <= snd_max, the
 * out-of-order ranges sorted inside the window, every output segment's
 * payload inside the send ring and no longer than an MSS, TCP_EV_CLOSED
 * once and only in CLOSED, and a freed tcb staying silent.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/net/tcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct in {
	const uint8_t *p;
	size_t n;
};

static unsigned byte(struct in *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static uint32_t word(struct in *in)
{
	uint32_t v = byte(in);

	v |= byte(in) << 8;
	v |= (uint32_t)byte(in) << 16;
	return v | (uint32_t)byte(in) << 24;
}

static struct tcb t;
static uint8_t sndbuf[8192], rcvbuf[8192], payload[2048];
static uint64_t now;
static bool closed_event, freed;

static void check_at(bool ok, int line)
{
	if (!ok) {
		fprintf(stderr, "fuzz_tcp_input: invariant at line %d broken (state %d)\n", line,
		        t.state);
		abort();
	}
}
#define check(ok) check_at((ok), __LINE__)

static int output(void *ctx, const struct tcp_out *o)
{
	size_t len = o->dlen[0] + o->dlen[1];

	(void)ctx;
	/* A freed tcb (after TCP_EV_CLOSED or abort) never speaks again. */
	check(!freed);
	check(len <= t.cfg.mss);
	for (int i = 0; i < 2; i++) {
		if (o->dlen[i] == 0)
			continue;
		check(o->data[i] >= t.snd.buf && o->data[i] + o->dlen[i] <= t.snd.buf + t.snd.size);
	}
	check(len == 0 || !(o->seg.flags & TCP_SYN));
	return 0;
}

static void event(void *ctx, unsigned ev)
{
	(void)ctx;
	check(!freed);
	if (ev & TCP_EV_CLOSED) {
		check(!closed_event);
		closed_event = true;
		check(t.state == TCP_CLOSED);
	}
}

static const struct tcp_ops ops = { .output = output, .event = event };

static void invariants(void)
{
	check(t.snd.len <= t.snd.size && t.snd.head < t.snd.size);
	check(t.rcv.len <= t.rcv.size && t.rcv.head < t.rcv.size);
	if (t.state == TCP_CLOSED)
		return;
	check(seq_le(t.snd_una, t.snd_nxt) && seq_le(t.snd_nxt, t.snd_max));
	check(seq_le(t.snd_una, t.snd_base + t.snd.len + 1));
	check(t.ooo_n <= 8 && t.sacked_n <= 8);
	for (uint32_t i = 0; i < t.sacked_n; i++) {
		check(seq_le(t.snd_una, t.sacked[i].start) &&
		      seq_lt(t.sacked[i].start, t.sacked[i].end));
		check(seq_le(t.sacked[i].end, t.snd_max));
		if (i > 0)
			check(seq_lt(t.sacked[i - 1].end, t.sacked[i].start));
	}
	for (uint32_t i = 0; i < t.ooo_n; i++) {
		uint32_t free = t.rcv.size - t.rcv.len;

		check(seq_lt(t.rcv_nxt, t.ooo[i].start) && seq_lt(t.ooo[i].start, t.ooo[i].end));
		check(t.ooo[i].end - t.rcv_nxt <= free);
		if (i > 0)
			check(seq_lt(t.ooo[i - 1].end, t.ooo[i].start));
	}
}

/* A sequence number: near one of the connection's own, or anything. */
static uint32_t pick_seq(struct in *in, uint32_t base)
{
	unsigned how = byte(in);

	if (how < 200)
		return base + (uint32_t)(int8_t)byte(in) * (how & 1 ? 1 : 97);
	return word(in);
}

static void segment(struct in *in)
{
	struct tcp_seg s;
	unsigned f = byte(in), o = byte(in);

	memset(&s, 0, sizeof(s));
	s.sport = t.rport;
	s.dport = t.lport;
	s.flags = (uint8_t)f;
	s.seq = pick_seq(in, t.rcv_nxt);
	s.ack = pick_seq(in, t.snd_una);
	s.wnd = (uint16_t)(byte(in) << (o & 8 ? 8 : 0));
	if (o & 1)
		s.opt.has |= TCP_OPT_TS, s.opt.ts_val = pick_seq(in, t.ts_recent),
					 s.opt.ts_ecr = word(in);
	if (o & 2)
		s.opt.has |= TCP_OPT_MSS, s.opt.mss = (uint16_t)word(in);
	if (o & 4)
		s.opt.has |= TCP_OPT_WSCALE | TCP_OPT_SACK_OK,
			s.opt.wscale = (uint8_t)(byte(in) % 15);
	if (f & TCP_URG) {
		/* URG is ignored by the state machine: its bit here asks for SACK blocks. */
		s.opt.has |= TCP_OPT_SACK;
		s.opt.nsack = byte(in) % (TCP_MAX_SACK + 1);
		for (unsigned i = 0; i < s.opt.nsack; i++) {
			s.opt.sack[i].left = pick_seq(in, t.snd_una);
			s.opt.sack[i].right = pick_seq(in, t.snd_una);
		}
	}
	s.len = (o & 0xf0) ? (byte(in) | (o & 0x70) << 4) % sizeof(payload) : 0;
	s.payload = payload;
	if (!freed)
		tcp_input(&t, &s, now);
}

static void app(struct in *in, unsigned op)
{
	uint8_t *p1, *p2;
	const uint8_t *c1, *c2;
	size_t n1, n2, n = byte(in) * 16u;

	switch (op % 8) {
	case 0:
	case 1:
		tcp_send_space(&t, &p1, &n1, &p2, &n2);
		if (n > n1 + n2)
			n = n1 + n2;
		(void)tcp_send_commit(&t, n, op & 8, now);
		break;
	case 2:
		tcp_recv_peek(&t, &c1, &n1, &c2, &n2);
		tcp_recv_consume(&t, n < n1 + n2 ? n : n1 + n2, now);
		break;
	case 3:
		(void)tcp_shutdown_wr(&t, now);
		break;
	case 4:
		tcp_close(&t, now);
		break;
	case 5:
		t.cfg.nodelay = !t.cfg.nodelay;
		t.cfg.keepalive = !t.cfg.keepalive;
		tcp_config_changed(&t, now);
		break;
	case 6:
		tcp_abort(&t, now);
		freed = true;
		break;
	default:
		check(tcp_readable(&t) == (t.rcv.len > 0 || t.rcv_fin || t.error));
		break;
	}
}

static void open_conn(struct in *in)
{
	struct tcp_config cfg;
	unsigned how = byte(in);
	struct tcp_seg syn;

	memset(&t, 0, sizeof(t));
	closed_event = freed = false;
	now = 1000000000ull;
	tcp_config_default(&cfg, 576 + (how >> 4) * 64);
	cfg.timestamps = how & 4;
	cfg.wscale = how & 8;
	cfg.sack = how & 32;
	t.laddr = 1;
	t.raddr = 2;
	t.lport = 3;
	t.rport = 4;
	tcp_init(&t, &cfg, &ops, NULL, sndbuf, 512u << (how & 3), rcvbuf, 8192u >> (how & 3));
	memset(&syn, 0, sizeof(syn));
	syn.flags = TCP_SYN;
	syn.seq = word(in);
	syn.wnd = 1000;
	syn.opt.has = TCP_OPT_MSS | TCP_OPT_TS | TCP_OPT_WSCALE | TCP_OPT_SACK_OK;
	syn.opt.mss = 536;
	syn.opt.wscale = 2;
	if (how & 64)
		(void)tcp_accept_syn(&t, &syn, now, word(in));
	else
		(void)tcp_connect(&t, now, word(in));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)i;
	open_conn(&in);
	invariants();
	while (in.n > 0 && !freed) {
		unsigned op = byte(&in);

		if (op < 128) {
			segment(&in);
		} else if (op < 224) {
			app(&in, op);
		} else {
			uint64_t d = tcp_deadline(&t);

			now += (uint64_t)byte(&in) << (op & 31);
			if (op & 1 && d != UINT64_MAX && d > now)
				now = d;
			tcp_timer(&t, now);
		}
		if (closed_event)
			freed = true;
		invariants();
	}
	return 0;
}
