/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/net/tcp: opening (active, passive, simultaneous, with
 * and without options), in-order data both ways, and the close sequences
 * (active, passive, simultaneous through CLOSING) down to CLOSED.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cairn/errno.h>

#include <cmocka.h>

#include "tcp_helpers.h"

static void active_open(void **state)
{
	struct th h;

	(void)state;
	th_init(&h, 8192, 8192);
	assert_int_equal(tcp_send_commit(&h.t, 0, false, h.now), -ENOTCONN);
	th_open_active(&h, 1000, 5000, 4096);
	assert_int_equal(h.t.snd_una, 1001);
	assert_int_equal(h.t.rcv_nxt, 5001);
	assert_int_equal(h.t.snd_wnd, 4096);
	assert_int_equal(tcp_deadline(&h.t), UINT64_MAX);
	assert_int_equal(tcp_connect(&h.t, h.now, 1), -EISCONN);
	th_free(&h);
}

static void syn_options(void **state)
{
	struct th h;
	struct th_cap *c;
	struct tcp_seg sa;

	(void)state;
	th_init(&h, 1 << 20, 1 << 20);
	assert_int_equal(tcp_connect(&h.t, h.now, 77), 0);
	c = th_pop(&h);
	assert_true(c->seg.opt.has & TCP_OPT_MSS);
	assert_int_equal(c->seg.opt.mss, 1460);
	assert_true(c->seg.opt.has & TCP_OPT_WSCALE);
	/* 1 MiB needs a shift of 5 to fit 16 bits. */
	assert_int_equal(c->seg.opt.wscale, 5);
	assert_true(c->seg.opt.has & TCP_OPT_TS);
	assert_int_equal(c->seg.wnd, 65535);
	sa = th_seg(TCP_SYN | TCP_ACK, 9000, 78, 1000);
	sa.opt.has = TCP_OPT_MSS | TCP_OPT_WSCALE | TCP_OPT_TS;
	sa.opt.mss = 1000;
	sa.opt.wscale = 3;
	sa.opt.ts_val = 4242;
	th_input(&h, &sa);
	assert_int_equal(h.t.state, TCP_ESTABLISHED);
	assert_true(h.t.ts_ok && h.t.wscale_ok);
	assert_int_equal(h.t.smss, 1000);
	assert_int_equal(h.t.snd_wnd, 1000); /* a SYN's window is never scaled */
	c = th_pop(&h);
	assert_int_equal(c->seg.flags, TCP_ACK);
	assert_true(c->seg.opt.has & TCP_OPT_TS);
	assert_int_equal(c->seg.opt.ts_ecr, 4242);
	assert_int_equal(c->seg.wnd, (1 << 20) >> 5 > 65535 ? 65535 : (1 << 20) >> 5);
	/* Later windows are scaled by the peer's shift. */
	sa = th_seg(TCP_ACK, 9001, 78, 1000);
	sa.opt.has = TCP_OPT_TS;
	sa.opt.ts_val = 4243;
	th_input(&h, &sa);
	assert_int_equal(h.t.snd_wnd, 8000);
	assert_int_equal(h.t.ts_recent, 4243);
	th_free(&h);
}

static void no_options_peer(void **state)
{
	struct th h;
	struct th_cap *c;
	uint8_t buf[600];

	(void)state;
	th_init(&h, 1 << 20, 1 << 20);
	assert_int_equal(
		tcp_accept_syn(&h.t, &(struct tcp_seg){ .flags = TCP_SYN, .seq = 700, .wnd = 2000 },
	                       h.now, 300),
		0);
	th_in(&h, TCP_ACK, 701, 301, 2000, NULL, 0);
	th_drain(&h);
	assert_false(h.t.ts_ok);
	assert_false(h.t.wscale_ok);
	/* No MSS option: RFC 9293's 536. */
	assert_int_equal(h.t.smss, 536);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(th_send(&h, buf, sizeof(buf)), 0);
	c = th_pop(&h);
	assert_int_equal(c->seg.len, 536);
	assert_int_equal(c->seg.wnd, 65535);
	th_free(&h);
}

static void passive_open_synack_lost(void **state)
{
	struct th h;
	struct tcp_seg syn = th_seg(TCP_SYN, 700, 0, 2000);
	struct th_cap *c;

	(void)state;
	th_init(&h, 4096, 4096);
	assert_int_equal(tcp_accept_syn(&h.t, &syn, h.now, 300), 0);
	th_drain(&h);
	/* The peer's SYN comes again: the SYN-ACK is repeated. */
	th_input(&h, &syn);
	c = th_pop(&h);
	assert_int_equal(c->seg.flags, TCP_SYN | TCP_ACK);
	/* And the retransmission timer repeats it too, after rto_init. */
	th_run_until(&h, h.now + h.cfg.rto_init_ns);
	c = th_pop(&h);
	assert_non_null(c);
	assert_int_equal(c->seg.flags, TCP_SYN | TCP_ACK);
	assert_int_equal(c->seg.seq, 300);
	/* An ACK for something else gets a RST. */
	th_in(&h, TCP_ACK, 701, 555, 2000, NULL, 0);
	c = th_pop(&h);
	assert_int_equal(c->seg.flags & TCP_RST, TCP_RST);
	assert_int_equal(c->seg.seq, 555);
	assert_int_equal(h.t.state, TCP_SYN_RECEIVED);
	th_in(&h, TCP_ACK, 701, 301, 2000, NULL, 0);
	assert_int_equal(h.t.state, TCP_ESTABLISHED);
	th_free(&h);
}

static void simultaneous_open(void **state)
{
	struct th h;
	struct th_cap *c;

	(void)state;
	th_init(&h, 4096, 4096);
	assert_int_equal(tcp_connect(&h.t, h.now, 100), 0);
	th_drain(&h);
	/* Their SYN crosses ours. */
	th_in(&h, TCP_SYN, 900, 0, 3000, NULL, 0);
	assert_int_equal(h.t.state, TCP_SYN_RECEIVED);
	c = th_pop(&h);
	assert_int_equal(c->seg.flags, TCP_SYN | TCP_ACK);
	assert_int_equal(c->seg.seq, 100);
	assert_int_equal(c->seg.ack, 901);
	/* Their SYN-ACK (answer to our SYN) completes it. */
	th_in(&h, TCP_SYN | TCP_ACK, 900, 101, 3000, NULL, 0);
	/* A SYN-ACK at irs is outside the window now: answered by an ACK, no state change. */
	th_drain(&h);
	th_in(&h, TCP_ACK, 901, 101, 3000, NULL, 0);
	assert_int_equal(h.t.state, TCP_ESTABLISHED);
	assert_true(th_events(&h) & TCP_EV_CONNECTED);
	th_free(&h);
}

static void data_both_ways(void **state)
{
	struct th h;
	struct th_cap *c;
	uint8_t buf[3000], got[3000];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = th_pattern(1, i);
	th_init(&h, 8192, 8192);
	th_open_active(&h, 1000, 5000, 8192);
	assert_int_equal(th_send(&h, buf, 3000), 0);
	/* 1460 + 1460 + 80: the short tail leaves at once (nothing else to wait for). */
	c = th_pop(&h);
	assert_int_equal(c->seg.seq, 1001);
	assert_int_equal(c->seg.len, 1460);
	assert_memory_equal(c->seg.payload, buf, 1460);
	c = th_pop(&h);
	assert_int_equal(c->seg.seq, 2461);
	assert_int_equal(c->seg.len, 1460);
	c = th_pop(&h);
	assert_null(c);
	/* Nagle holds the 80 bytes until the ACK. */
	th_in(&h, TCP_ACK, 5001, 3921, 8192, NULL, 0);
	c = th_pop(&h);
	assert_non_null(c);
	assert_int_equal(c->seg.len, 80);
	assert_true(c->seg.flags & TCP_PSH);
	assert_memory_equal(c->seg.payload, buf + 2920, 80);
	assert_int_equal(tcp_send_queued(&h.t), 80);
	th_in(&h, TCP_ACK, 5001, 4001, 8192, NULL, 0);
	assert_int_equal(tcp_send_queued(&h.t), 0);
	assert_int_equal(tcp_deadline(&h.t), UINT64_MAX);
	/* The other way: one segment is acknowledged after the delayed-ACK timer. */
	th_in(&h, TCP_ACK | TCP_PSH, 5001, 4001, 8192, buf, 1000);
	assert_true(th_events(&h) & TCP_EV_READABLE);
	assert_true(tcp_readable(&h.t));
	assert_int_equal(tcp_recv_queued(&h.t), 1000);
	assert_null(th_pop(&h));
	assert_int_equal(tcp_deadline(&h.t), h.now + h.cfg.delack_ns);
	th_run_until(&h, h.now + h.cfg.delack_ns);
	c = th_pop(&h);
	assert_int_equal(c->seg.ack, 6001);
	n = th_recv(&h, got, sizeof(got));
	assert_int_equal(n, 1000);
	assert_memory_equal(got, buf, 1000);
	/* Two full segments: acknowledged at once. */
	th_in(&h, TCP_ACK, 6001, 4001, 8192, buf, 1460);
	assert_null(th_pop(&h));
	th_in(&h, TCP_ACK, 7461, 4001, 8192, buf + 1460, 1460);
	c = th_pop(&h);
	assert_non_null(c);
	assert_int_equal(c->seg.ack, 8921);
	/*
	 * Reading the first 1000 bytes freed less than an MSS: the right edge
	 * stayed at 5001 + 8192 (receiver SWS avoidance), so 1000 less shows.
	 */
	assert_int_equal(c->seg.wnd, 8192 - 2920 - 1000);
	/*
	 * Reading the rest opens more than an MSS, but the peer still has over
	 * half the ring to send into: no update of its own, the next ACK says it.
	 */
	assert_int_equal(th_recv(&h, buf, sizeof(buf)), 2920);
	assert_null(th_pop(&h));
	th_in(&h, TCP_ACK, 8921, 4001, 8192, buf, 100);
	th_run_until(&h, h.now + h.cfg.delack_ns);
	c = th_pop(&h);
	assert_non_null(c);
	assert_int_equal(c->seg.wnd, 8192 - 100);
	th_free(&h);
}

static void active_close(void **state)
{
	struct th h;
	struct th_cap *c;

	(void)state;
	th_init(&h, 4096, 4096);
	th_open_active(&h, 1000, 5000, 4096);
	tcp_close(&h.t, h.now);
	assert_int_equal(h.t.state, TCP_FIN_WAIT_1);
	c = th_pop(&h);
	assert_int_equal(c->seg.flags, TCP_FIN | TCP_ACK);
	assert_int_equal(c->seg.seq, 1001);
	assert_int_equal(tcp_send_commit(&h.t, 0, false, h.now), -EPIPE);
	th_in(&h, TCP_ACK, 5001, 1002, 4096, NULL, 0);
	assert_int_equal(h.t.state, TCP_FIN_WAIT_2);
	th_in(&h, TCP_FIN | TCP_ACK, 5001, 1002, 4096, NULL, 0);
	assert_int_equal(h.t.state, TCP_TIME_WAIT);
	c = th_pop(&h);
	assert_int_equal(c->seg.flags, TCP_ACK);
	assert_int_equal(c->seg.ack, 5002);
	/* A repeated FIN is acknowledged again and restarts 2 MSL. */
	h.now += 10 * 1000000000ull;
	th_in(&h, TCP_FIN | TCP_ACK, 5001, 1002, 4096, NULL, 0);
	c = th_pop(&h);
	assert_int_equal(c->seg.ack, 5002);
	assert_int_equal(tcp_deadline(&h.t), h.now + 2 * h.cfg.msl_ns);
	th_run_until(&h, h.now + 2 * h.cfg.msl_ns - 1);
	assert_int_equal(h.t.state, TCP_TIME_WAIT);
	th_run_until(&h, h.now + 1);
	assert_int_equal(h.t.state, TCP_CLOSED);
	assert_int_equal(h.nevents_closed, 1);
	assert_int_equal(h.t.error, 0);
	th_free(&h);
}

static void passive_close(void **state)
{
	struct th h;
	struct th_cap *c;

	(void)state;
	th_init(&h, 4096, 4096);
	th_open_passive(&h, 1000, 5000, 4096);
	th_in(&h, TCP_FIN | TCP_ACK, 5001, 1001, 4096, "ab", 2);
	assert_int_equal(h.t.state, TCP_CLOSE_WAIT);
	assert_true(h.t.rcv_fin);
	c = th_pop(&h);
	assert_int_equal(c->seg.ack, 5004);
	assert_true(tcp_readable(&h.t));
	/* Still allowed to send in CLOSE_WAIT. */
	assert_int_equal(th_send(&h, "xyz", 3), 0);
	c = th_pop(&h);
	assert_int_equal(c->seg.len, 3);
	assert_int_equal(tcp_shutdown_wr(&h.t, h.now), 0);
	assert_int_equal(h.t.state, TCP_LAST_ACK);
	/* Nagle: the FIN follows the unacknowledged 3 bytes at once (a FIN needs no wait). */
	c = th_pop(&h);
	assert_int_equal(c->seg.flags & TCP_FIN, TCP_FIN);
	assert_int_equal(c->seg.seq, 1004);
	th_in(&h, TCP_ACK, 5004, 1005, 4096, NULL, 0);
	assert_int_equal(h.t.state, TCP_CLOSED);
	assert_true(th_events(&h) & TCP_EV_CLOSED);
	th_free(&h);
}

static void simultaneous_close(void **state)
{
	struct th h;
	struct th_cap *c;

	(void)state;
	th_init(&h, 4096, 4096);
	th_open_active(&h, 1000, 5000, 4096);
	assert_int_equal(tcp_shutdown_wr(&h.t, h.now), 0);
	c = th_pop(&h);
	assert_int_equal(c->seg.flags, TCP_FIN | TCP_ACK);
	/* Their FIN crosses ours: CLOSING. */
	th_in(&h, TCP_FIN | TCP_ACK, 5001, 1001, 4096, NULL, 0);
	assert_int_equal(h.t.state, TCP_CLOSING);
	c = th_pop(&h);
	assert_int_equal(c->seg.ack, 5002);
	th_in(&h, TCP_ACK, 5002, 1002, 4096, NULL, 0);
	assert_int_equal(h.t.state, TCP_TIME_WAIT);
	th_run_until(&h, h.now + 2 * h.cfg.msl_ns);
	assert_int_equal(h.t.state, TCP_CLOSED);
	th_free(&h);
}

static void close_with_unread_data_resets(void **state)
{
	struct th h;
	struct th_cap *c;

	(void)state;
	th_init(&h, 4096, 4096);
	th_open_active(&h, 1000, 5000, 4096);
	th_in(&h, TCP_ACK, 5001, 1001, 4096, "hello", 5);
	th_drain(&h);
	tcp_close(&h.t, h.now);
	c = th_pop(&h);
	assert_int_equal(c->seg.flags & TCP_RST, TCP_RST);
	assert_int_equal(c->seg.seq, 1001);
	assert_int_equal(h.t.state, TCP_CLOSED);
	assert_true(th_events(&h) & TCP_EV_CLOSED);
	th_free(&h);
}

static void close_then_data_resets(void **state)
{
	struct th h;
	struct th_cap *c;

	(void)state;
	th_init(&h, 4096, 4096);
	th_open_active(&h, 1000, 5000, 4096);
	tcp_close(&h.t, h.now);
	th_in(&h, TCP_ACK, 5001, 1002, 4096, NULL, 0);
	assert_int_equal(h.t.state, TCP_FIN_WAIT_2);
	/* Orphaned FIN_WAIT_2 ends by itself. */
	assert_true(tcp_deadline(&h.t) <= h.now + 2 * h.cfg.msl_ns);
	th_drain(&h);
	th_in(&h, TCP_ACK, 5001, 1002, 4096, "late", 4);
	c = th_pop(&h);
	assert_int_equal(c->seg.flags & TCP_RST, TCP_RST);
	assert_int_equal(h.t.state, TCP_CLOSED);
	th_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(active_open),
		cmocka_unit_test(syn_options),
		cmocka_unit_test(no_options_peer),
		cmocka_unit_test(passive_open_synack_lost),
		cmocka_unit_test(simultaneous_open),
		cmocka_unit_test(data_both_ways),
		cmocka_unit_test(active_close),
		cmocka_unit_test(passive_close),
		cmocka_unit_test(simultaneous_close),
		cmocka_unit_test(close_with_unread_data_resets),
		cmocka_unit_test(close_then_data_resets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
