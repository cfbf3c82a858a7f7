/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/net/tcp's timers and congestion control: RTO timing,
 * exponential backoff and the retry limits (RFC 6298), the RTT estimator
 * with Karn's rule, fast retransmit and NewReno's partial ACKs (RFC 5681,
 * 6582), limited transmit (RFC 3042), SACK blocks and recovery (RFC 2018,
 * 6675), delayed ACK and Nagle with TCP_NODELAY and MSG_MORE, keepalive,
 * and the ISN function (RFC 6528) with SipHash's published vectors.
 */
#include <cairn/errno.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

#include "lib/net/tcp_internal.h"
#include "tcp_helpers.h"

#define MS 1000000ull
#define S  1000000000ull

static uint8_t data[65536];

static void syn_backoff_and_timeout(void **state)
{
	struct th h;
	struct th_cap *c;
	uint64_t t0, expect = S;

	(void)state;
	th_init(&h, 4096, 4096);
	assert_int_equal(tcp_connect(&h.t, h.now, 10), 0);
	th_drain(&h);
	/* syn_retries (6) retransmissions 1, 2, 4, 8, 16, 32 s apart, then ETIMEDOUT. */
	for (unsigned i = 0; i < h.cfg.syn_retries; i++) {
		t0 = h.now;
		assert_true(th_fire_next(&h));
		assert_int_equal(h.now - t0, expect);
		c = th_pop(&h);
		assert_non_null(c);
		assert_int_equal(c->seg.flags, TCP_SYN);
		assert_int_equal(c->seg.seq, 10);
		expect *= 2;
	}
	assert_true(th_fire_next(&h));
	assert_int_equal(h.t.state, TCP_CLOSED);
	assert_int_equal(h.t.error, -ETIMEDOUT);
	assert_true(th_events(&h) & TCP_EV_ERROR);
	th_free(&h);
}

static void data_rto_backoff_limit(void **state)
{
	struct th h;
	struct th_cap *c;
	uint64_t t0, gap, prev = 0;

	(void)state;
	th_init(&h, 8192, 8192);
	th_open_active(&h, 100, 5000, 8192);
	assert_int_equal(th_send(&h, data, 100), 0);
	th_drain(&h);
	for (unsigned i = 0; i < h.cfg.data_retries; i++) {
		t0 = h.now;
		assert_true(th_fire_next(&h));
		gap = h.now - t0;
		c = th_pop(&h);
		assert_non_null(c);
		assert_int_equal(c->seg.seq, 101);
		assert_int_equal(c->seg.len, 100);
		/* Doubling until rto_max. */
		if (prev)
			assert_int_equal(gap,
			                 prev * 2 > h.cfg.rto_max_ns ? h.cfg.rto_max_ns : prev * 2);
		prev = gap;
	}
	assert_int_equal(prev, h.cfg.rto_max_ns);
	assert_true(th_fire_next(&h));
	assert_int_equal(h.t.state, TCP_CLOSED);
	assert_int_equal(h.t.error, -ETIMEDOUT);
	th_free(&h);
}

static void rtt_estimator_and_karn(void **state)
{
	struct th h;

	(void)state;
	th_init(&h, 8192, 8192);
	assert_int_equal(tcp_connect(&h.t, h.now, 100), 0);
	h.now += 50 * MS;
	th_in(&h, TCP_SYN | TCP_ACK, 5000, 101, 8192, NULL, 0);
	/* The SYN's RTT is the first sample: srtt 50 ms, rttvar 25, rto = 150 -> rto_min. */
	assert_int_equal(h.t.srtt_ns, 50 * MS);
	assert_int_equal(h.t.rttvar_ns, 25 * MS);
	assert_int_equal(h.t.rto_ns, h.cfg.rto_min_ns);
	/* A slower sample raises it (RFC 6298 2.3). */
	assert_int_equal(th_send(&h, data, 100), 0);
	h.now += 450 * MS;
	th_in(&h, TCP_ACK, 5001, 201, 8192, NULL, 0);
	/* rttvar = 3/4 * 25 + 1/4 * 400 = 118.75; srtt = 7/8 * 50 + 450/8 = 100. */
	assert_int_equal(h.t.srtt_ns, 100 * MS);
	assert_int_equal(h.t.rttvar_ns, 118750 * 1000);
	assert_int_equal(h.t.rto_ns, 575 * MS);
	/* A retransmitted segment is not timed (Karn): the estimate stays. */
	assert_int_equal(th_send(&h, data, 100), 0);
	assert_true(th_fire_next(&h));
	assert_int_equal(h.t.rto_ns, 1150 * MS);
	h.now += 3 * MS;
	th_in(&h, TCP_ACK, 5001, 301, 8192, NULL, 0);
	assert_int_equal(h.t.srtt_ns, 100 * MS);
	assert_int_equal(h.t.rto_ns, 1150 * MS);
	/* The next fresh segment is timed and resets the backoff. */
	assert_int_equal(th_send(&h, data, 100), 0);
	h.now += 100 * MS;
	th_in(&h, TCP_ACK, 5001, 401, 8192, NULL, 0);
	assert_true(h.t.rto_ns < 1150 * MS);
	th_free(&h);
}

static void timestamps_rtt(void **state)
{
	struct th h;
	struct th_cap *c;
	struct tcp_seg sa, ack;

	(void)state;
	th_init(&h, 8192, 8192);
	assert_int_equal(tcp_connect(&h.t, h.now, 100), 0);
	c = th_pop(&h);
	sa = th_seg(TCP_SYN | TCP_ACK, 5000, 101, 8192);
	sa.opt.has = TCP_OPT_TS | TCP_OPT_MSS;
	sa.opt.mss = 1460;
	sa.opt.ts_val = 1;
	sa.opt.ts_ecr = c->seg.opt.ts_val;
	h.now += 30 * MS;
	th_input(&h, &sa);
	assert_true(h.t.ts_ok);
	assert_int_equal(tcp_mss_data(&h.t), 1448);
	th_drain(&h);
	assert_int_equal(th_send(&h, data, 100), 0);
	c = th_pop(&h);
	/* Retransmitted, then the answer echoes the first transmission: a valid sample (RFC 7323). */
	h.now += 20 * MS;
	ack = th_seg(TCP_ACK, 5001, 201, 8192);
	ack.opt.has = TCP_OPT_TS;
	ack.opt.ts_val = 2;
	ack.opt.ts_ecr = c->seg.opt.ts_val;
	th_input(&h, &ack);
	assert_int_equal(h.t.srtt_ns, (7 * 30 * MS + 20 * MS) / 8);
	/* PAWS: an older timestamp is refused and answered. */
	th_drain(&h);
	ack.opt.ts_val = 1;
	ack.seq = 5001;
	ack.payload = data;
	ack.len = 10;
	th_input(&h, &ack);
	assert_int_equal(tcp_recv_queued(&h.t), 0);
	assert_non_null(th_pop(&h));
	th_free(&h);
}

/* Established with 10 segments of 1000 bytes in flight (mss 1000 to keep numbers round). */
static void ten_in_flight(struct th *h)
{
	struct tcp_seg sa;

	th_init(h, 65536, 65536);
	assert_int_equal(tcp_connect(&h->t, h->now, 0), 0);
	sa = th_seg(TCP_SYN | TCP_ACK, 5000, 1, 60000);
	sa.opt.has = TCP_OPT_MSS;
	sa.opt.mss = 1000;
	th_input(h, &sa);
	th_drain(h);
	assert_int_equal(h->t.cwnd, 10000);
	assert_int_equal(th_send(h, data, 20000), 0);
	assert_int_equal(th_pending(h), 10);
	th_drain(h);
}

static void fast_retransmit_and_newreno(void **state)
{
	struct th h;
	struct th_cap *c;

	(void)state;
	ten_in_flight(&h);
	/*
	 * Segments 1 and 5 (seq 1 and 4001) are lost: ACK 1 comes back for
	 * 2..4. The first two duplicates each let a new segment out (RFC 3042).
	 */
	for (int i = 0; i < 2; i++)
		th_in(&h, TCP_ACK, 5001, 1, 60000, NULL, 0);
	assert_int_equal(th_pending(&h), 2);
	assert_int_equal(th_pop(&h)->seg.seq, 10001);
	assert_int_equal(th_pop(&h)->seg.seq, 11001);
	th_in(&h, TCP_ACK, 5001, 1, 60000, NULL, 0);
	/* Third duplicate: fast retransmit of seq 1, ssthresh = 12000 / 2, cwnd = that + 3. */
	c = th_pop(&h);
	assert_non_null(c);
	assert_int_equal(c->seg.seq, 1);
	assert_int_equal(c->seg.len, 1000);
	assert_true(h.t.in_recovery);
	assert_int_equal(h.t.ssthresh, 6000);
	assert_int_equal(h.t.cwnd, 9000);
	assert_int_equal(h.t.recover, 12001);
	assert_int_equal(th_pending(&h), 0);
	/* More duplicates inflate cwnd: new data leaves once cwnd passes the flight. */
	for (int i = 0; i < 5; i++)
		th_in(&h, TCP_ACK, 5001, 1, 60000, NULL, 0);
	assert_int_equal(h.t.cwnd, 14000);
	assert_int_equal(th_pending(&h), 2);
	th_drain(&h);
	/* A partial ACK (up to the second hole at 4001): that hole is resent at once. */
	th_in(&h, TCP_ACK, 5001, 4001, 60000, NULL, 0);
	c = th_pop(&h);
	assert_non_null(c);
	assert_int_equal(c->seg.seq, 4001);
	assert_true(h.t.in_recovery);
	/* cwnd deflated by the 4000 acknowledged, plus one segment: room for one more. */
	assert_int_equal(h.t.cwnd, 14000 - 4000 + 1000);
	assert_int_equal(h.t.snd_max, 15001);
	th_drain(&h);
	/* The full ACK (past recover) ends it: cwnd = min(ssthresh, max(flight, mss) + mss). */
	th_in(&h, TCP_ACK, 5001, 14001, 60000, NULL, 0);
	assert_false(h.t.in_recovery);
	assert_int_equal(h.t.cwnd, 2000);
	th_free(&h);
}

/* The same losses with SACK: the scoreboard names the holes, both go in one round trip. */
static void sack_recovery(void **state)
{
	struct th h;
	struct th_cap *c;
	struct tcp_seg sa, ack;

	(void)state;
	th_init(&h, 65536, 65536);
	assert_int_equal(tcp_connect(&h.t, h.now, 0), 0);
	c = th_pop(&h);
	assert_true(c->seg.opt.has & TCP_OPT_SACK_OK);
	sa = th_seg(TCP_SYN | TCP_ACK, 5000, 1, 60000);
	sa.opt.has = TCP_OPT_MSS | TCP_OPT_SACK_OK;
	sa.opt.mss = 1000;
	th_input(&h, &sa);
	assert_true(h.t.sack_ok);
	th_drain(&h);
	assert_int_equal(th_send(&h, data, 20000), 0);
	th_drain(&h);
	/* 1..1000 and 4001..5000 lost; the peer SACKs 1001..4001 and then 5001..10001. */
	ack = th_seg(TCP_ACK, 5001, 1, 60000);
	ack.opt.has = TCP_OPT_SACK;
	ack.opt.nsack = 1;
	ack.opt.sack[0].left = 1001;
	ack.opt.sack[0].right = 4001;
	th_input(&h, &ack);
	/* Three segments SACKed count as three duplicates: recovery starts at once. */
	assert_true(h.t.in_recovery);
	c = th_pop(&h);
	assert_non_null(c);
	assert_int_equal(c->seg.seq, 1);
	assert_int_equal(h.t.cwnd, h.t.ssthresh);
	th_drain(&h);
	ack.opt.nsack = 2;
	ack.opt.sack[0].left = 5001;
	ack.opt.sack[0].right = 10001;
	ack.opt.sack[1].left = 1001;
	ack.opt.sack[1].right = 4001;
	th_input(&h, &ack);
	assert_int_equal(h.t.sacked_n, 2);
	/* The second hole goes next, before any new data. */
	c = th_pop(&h);
	assert_non_null(c);
	assert_int_equal(c->seg.seq, 4001);
	assert_int_equal(c->seg.len, 1000);
	/* A SACK block outside what was sent is ignored. */
	ack.opt.nsack = 1;
	ack.opt.sack[0].left = 30001;
	ack.opt.sack[0].right = 31001;
	th_input(&h, &ack);
	assert_int_equal(h.t.sacked_n, 2);
	/* The ACK past recover ends it; the scoreboard empties as snd_una passes it. */
	ack.opt.nsack = 0;
	ack.opt.has = 0;
	ack.ack = h.t.snd_max;
	th_input(&h, &ack);
	assert_false(h.t.in_recovery);
	assert_int_equal(h.t.sacked_n, 0);
	th_free(&h);
}

static void sack_blocks_sent(void **state)
{
	struct th h;
	struct th_cap *c;
	struct tcp_seg syn = th_seg(TCP_SYN, 5000, 0, 8192);

	(void)state;
	th_init(&h, 8192, 8192);
	syn.opt.has = TCP_OPT_SACK_OK | TCP_OPT_MSS;
	syn.opt.mss = 1000;
	assert_int_equal(tcp_accept_syn(&h.t, &syn, h.now, 100), 0);
	c = th_pop(&h);
	assert_true(c->seg.opt.has & TCP_OPT_SACK_OK);
	th_in(&h, TCP_ACK, 5001, 101, 8192, NULL, 0);
	/* Two out-of-order pieces: each ACK lists the latest first. */
	th_in(&h, TCP_ACK, 5101, 101, 8192, data, 100);
	c = th_pop(&h);
	assert_int_equal(c->seg.opt.nsack, 1);
	assert_int_equal(c->seg.opt.sack[0].left, 5101);
	assert_int_equal(c->seg.opt.sack[0].right, 5201);
	th_in(&h, TCP_ACK, 5301, 101, 8192, data, 100);
	c = th_pop(&h);
	assert_int_equal(c->seg.opt.nsack, 2);
	assert_int_equal(c->seg.opt.sack[0].left, 5301);
	assert_int_equal(c->seg.opt.sack[1].left, 5101);
	/* The hole filled: no blocks left. */
	th_in(&h, TCP_ACK, 5001, 101, 8192, data, 100);
	c = th_pop(&h);
	assert_int_equal(c->seg.ack, 5201);
	assert_int_equal(c->seg.opt.nsack, 1);
	th_in(&h, TCP_ACK, 5201, 101, 8192, data, 100);
	c = th_pop(&h);
	assert_int_equal(c->seg.ack, 5401);
	assert_false(c->seg.opt.has & TCP_OPT_SACK);
	th_free(&h);
}

static void no_second_recovery_below_recover(void **state)
{
	struct th h;

	(void)state;
	ten_in_flight(&h);
	/* A timeout: cwnd one segment, recover = snd_max. */
	assert_true(th_fire_next(&h));
	assert_int_equal(h.t.cwnd, 1000);
	assert_int_equal(h.t.recover, 10001);
	th_drain(&h);
	/* Duplicate ACKs for the old window start no fast retransmit (RFC 6582 4). */
	for (int i = 0; i < 5; i++)
		th_in(&h, TCP_ACK, 5001, 1, 60000, NULL, 0);
	assert_false(h.t.in_recovery);
	assert_int_equal(th_pending(&h), 0);
	th_free(&h);
}

static void slow_start_and_avoidance(void **state)
{
	struct th h;

	(void)state;
	ten_in_flight(&h);
	/* Slow start: at most 2 SMSS per ACK (RFC 3465). */
	th_in(&h, TCP_ACK, 5001, 3001, 60000, NULL, 0);
	assert_int_equal(h.t.cwnd, 12000);
	th_in(&h, TCP_ACK, 5001, 3501, 60000, NULL, 0);
	assert_int_equal(h.t.cwnd, 12500);
	/* Congestion avoidance: one SMSS per cwnd's worth of bytes acknowledged. */
	h.t.ssthresh = 10000;
	th_in(&h, TCP_ACK, 5001, 9501, 60000, NULL, 0);
	assert_int_equal(h.t.cwnd, 12500);
	th_in(&h, TCP_ACK, 5001, 16001, 60000, NULL, 0);
	assert_int_equal(h.t.cwnd, 13500);
	th_free(&h);
}

static void nagle_nodelay_and_more(void **state)
{
	struct th h;
	struct th_cap *c;

	(void)state;
	th_init(&h, 8192, 8192);
	th_open_active(&h, 100, 5000, 8192);
	assert_int_equal(th_send(&h, "a", 1), 0);
	assert_int_equal(th_pending(&h), 1);
	/* Nagle: a second small write waits for the first's ACK. */
	assert_int_equal(th_send(&h, "b", 1), 0);
	assert_int_equal(th_pending(&h), 1);
	th_in(&h, TCP_ACK, 5001, 102, 8192, NULL, 0);
	assert_int_equal(th_pending(&h), 2);
	th_drain(&h);
	/* "b" is outstanding: "c" and "d" wait; turning TCP_NODELAY on pushes them as one. */
	assert_int_equal(th_send(&h, "c", 1), 0);
	assert_int_equal(th_send(&h, "d", 1), 0);
	assert_int_equal(th_pending(&h), 0);
	h.t.cfg.nodelay = true;
	tcp_config_changed(&h.t, h.now);
	c = th_pop(&h);
	assert_non_null(c);
	assert_int_equal(c->seg.len, 2);
	assert_memory_equal(c->seg.payload, "cd", 2);
	assert_int_equal(th_send(&h, "e", 1), 0);
	assert_int_equal(th_pending(&h), 1);
	th_in(&h, TCP_ACK, 5001, 106, 8192, NULL, 0);
	th_drain(&h);
	/* MSG_MORE: held even with nothing outstanding, sent by the next plain commit. */
	{
		uint8_t *p1, *p2;
		size_t n1, n2;

		tcp_send_space(&h.t, &p1, &n1, &p2, &n2);
		p1[0] = 'f';
		assert_int_equal(tcp_send_commit(&h.t, 1, true, h.now), 0);
		assert_int_equal(th_pending(&h), 0);
		assert_int_equal(tcp_send_commit(&h.t, 0, false, h.now), 0);
		assert_int_equal(th_pending(&h), 1);
	}
	th_free(&h);
}

static void delayed_ack_piggyback(void **state)
{
	struct th h;
	struct th_cap *c;

	(void)state;
	th_init(&h, 8192, 8192);
	th_open_active(&h, 100, 5000, 8192);
	th_in(&h, TCP_ACK | TCP_PSH, 5001, 101, 8192, "GET /", 5);
	assert_int_equal(th_pending(&h), 0);
	assert_int_equal(tcp_deadline(&h.t), h.now + h.cfg.delack_ns);
	/* The answer carries the ACK; the timer is off. */
	h.now += MS;
	assert_int_equal(th_send(&h, "200", 3), 0);
	c = th_pop(&h);
	assert_int_equal(c->seg.ack, 5006);
	assert_int_equal(c->seg.len, 3);
	assert_int_equal(h.t.delack_deadline, UINT64_MAX);
	th_free(&h);
}

static void ack_when_drained_unless_exchange(void **state)
{
	struct th h;
	struct th_cap *c;
	uint8_t buf[100];

	(void)state;
	th_init(&h, 8192, 8192);
	th_open_active(&h, 100, 5000, 8192);
	/* Bulk-like: one segment, the ACK delayed; the reader empties the ring: ACK now. */
	th_in(&h, TCP_ACK, 5001, 101, 8192, data, 50);
	assert_int_equal(th_pending(&h), 0);
	assert_int_equal(th_recv(&h, buf, 20), 20);
	assert_int_equal(th_pending(&h), 0);
	assert_int_equal(th_recv(&h, buf, 100), 30);
	c = th_pop(&h);
	assert_non_null(c);
	assert_int_equal(c->seg.ack, 5051);
	assert_int_equal(h.t.delack_deadline, UINT64_MAX);
	/* An exchange: we answer right after the peer's data; the next drain waits for our reply. */
	th_in(&h, TCP_ACK, 5051, 101, 8192, data, 10);
	assert_int_equal(th_send(&h, "reply", 5), 0);
	assert_true(h.t.pingpong);
	th_drain(&h);
	th_in(&h, TCP_ACK, 5061, 106, 8192, data, 10);
	assert_int_equal(th_recv(&h, buf, 100), 20);
	assert_int_equal(th_pending(&h), 0);
	/* No reply came: the timer sends the ACK and the connection leaves pingpong. */
	th_run_until(&h, h.now + h.cfg.delack_ns);
	assert_int_equal(th_pop(&h)->seg.ack, 5071);
	assert_false(h.t.pingpong);
	th_free(&h);
}

static void keepalive(void **state)
{
	struct th h;
	struct th_cap *c;

	(void)state;
	th_init(&h, 8192, 8192);
	th_open_active(&h, 100, 5000, 8192);
	assert_int_equal(tcp_deadline(&h.t), UINT64_MAX);
	h.t.cfg.keepalive = true;
	h.t.cfg.keepidle_s = 60;
	h.t.cfg.keepintvl_s = 5;
	h.t.cfg.keepcnt = 3;
	tcp_config_changed(&h.t, h.now);
	assert_int_equal(tcp_deadline(&h.t), h.now + 60 * S);
	/* An answered probe keeps the connection. */
	assert_true(th_fire_next(&h));
	c = th_pop(&h);
	assert_non_null(c);
	assert_int_equal(c->seg.seq, 100);
	assert_int_equal(c->seg.len, 0);
	th_in(&h, TCP_ACK, 5001, 101, 8192, NULL, 0);
	assert_int_equal(tcp_deadline(&h.t), h.now + 60 * S);
	/* Unanswered: keepcnt probes keepintvl apart, then ETIMEDOUT. */
	assert_true(th_fire_next(&h));
	for (int i = 0; i < 2; i++) {
		uint64_t t0 = h.now;

		assert_true(th_fire_next(&h));
		assert_int_equal(h.now - t0, 5 * S);
	}
	assert_int_equal(th_pending(&h), 3);
	assert_true(th_fire_next(&h));
	assert_int_equal(h.t.state, TCP_CLOSED);
	assert_int_equal(h.t.error, -ETIMEDOUT);
	th_free(&h);
}

static void isn_properties(void **state)
{
	uint8_t key[16], msg[15];
	uint32_t a, b, c;

	(void)state;
	for (unsigned i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (unsigned i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	/* The SipHash paper's vectors (Aumasson, Bernstein 2012: appendix A and the test list). */
	assert_true(tcp_siphash24(key, msg, 0) == 0x726fdb47dd0e0e31ull);
	assert_true(tcp_siphash24(key, msg, 15) == 0xa129ca6149be45e5ull);
	/* Different tuples, different ISNs; the same tuple later, a larger one (4 us ticks). */
	a = tcp_isn(key, 0x0a000001, 1000, 0x0a000002, 80, 0);
	b = tcp_isn(key, 0x0a000001, 1001, 0x0a000002, 80, 0);
	c = tcp_isn(key, 0x0a000001, 1000, 0x0a000003, 80, 0);
	assert_true(a != b && a != c && b != c);
	assert_int_equal(tcp_isn(key, 0x0a000001, 1000, 0x0a000002, 80, 4000) - a, 1);
	assert_int_equal(tcp_isn(key, 0x0a000001, 1000, 0x0a000002, 80, 4000000000ull) - a,
	                 1000000);
	key[0] ^= 1;
	assert_true(tcp_isn(key, 0x0a000001, 1000, 0x0a000002, 80, 0) != a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(syn_backoff_and_timeout),
		cmocka_unit_test(data_rto_backoff_limit),
		cmocka_unit_test(rtt_estimator_and_karn),
		cmocka_unit_test(timestamps_rtt),
		cmocka_unit_test(fast_retransmit_and_newreno),
		cmocka_unit_test(sack_recovery),
		cmocka_unit_test(sack_blocks_sent),
		cmocka_unit_test(no_second_recovery_below_recover),
		cmocka_unit_test(slow_start_and_avoidance),
		cmocka_unit_test(nagle_nodelay_and_more),
		cmocka_unit_test(delayed_ack_piggyback),
		cmocka_unit_test(ack_when_drained_unless_exchange),
		cmocka_unit_test(keepalive),
		cmocka_unit_test(isn_properties),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
