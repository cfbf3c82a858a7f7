/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/net/tcp: RST in every state (RFC 9293 3.10.7, RFC
 * 5961 3: exact, in window -> challenge ACK, outside -> dropped), SYN in
 * synchronized states (RFC 5961 4), ACK acceptability (RFC 5961 5), the
 * challenge-ACK rate limit, tcp_rst_reply() for closed ports, abort, and
 * TIME_WAIT's reuse rule.
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

#include "tcp_helpers.h"

#define ISS 1000u
#define IRS 5000u

/* Bring @h to @st: the sequences are ISS/IRS, nothing outstanding unless the state needs it. */
static void reach(struct th *h, enum tcp_state st)
{
	struct tcp_seg syn = th_seg(TCP_SYN, IRS, 0, 4096);

	th_init(h, 4096, 4096);
	switch (st) {
	case TCP_SYN_SENT:
		assert_int_equal(tcp_connect(&h->t, h->now, ISS), 0);
		break;
	case TCP_SYN_RECEIVED:
		assert_int_equal(tcp_accept_syn(&h->t, &syn, h->now, ISS), 0);
		break;
	case TCP_CLOSED:
		break;
	default:
		th_open_active(h, ISS, IRS, 4096);
		break;
	}
	switch (st) {
	case TCP_FIN_WAIT_1:
		assert_int_equal(tcp_shutdown_wr(&h->t, h->now), 0);
		break;
	case TCP_FIN_WAIT_2:
		assert_int_equal(tcp_shutdown_wr(&h->t, h->now), 0);
		th_in(h, TCP_ACK, IRS + 1, ISS + 2, 4096, NULL, 0);
		break;
	case TCP_CLOSE_WAIT:
		th_in(h, TCP_ACK | TCP_FIN, IRS + 1, ISS + 1, 4096, NULL, 0);
		break;
	case TCP_CLOSING:
		assert_int_equal(tcp_shutdown_wr(&h->t, h->now), 0);
		th_in(h, TCP_ACK | TCP_FIN, IRS + 1, ISS + 1, 4096, NULL, 0);
		break;
	case TCP_LAST_ACK:
		th_in(h, TCP_ACK | TCP_FIN, IRS + 1, ISS + 1, 4096, NULL, 0);
		assert_int_equal(tcp_shutdown_wr(&h->t, h->now), 0);
		break;
	case TCP_TIME_WAIT:
		assert_int_equal(tcp_shutdown_wr(&h->t, h->now), 0);
		th_in(h, TCP_ACK | TCP_FIN, IRS + 1, ISS + 2, 4096, NULL, 0);
		break;
	default:
		break;
	}
	assert_int_equal(h->t.state, st);
	th_drain(h);
	th_events(h);
}

static const enum tcp_state synced[] = {
	TCP_ESTABLISHED, TCP_FIN_WAIT_1, TCP_FIN_WAIT_2, TCP_CLOSE_WAIT, TCP_CLOSING, TCP_LAST_ACK,
};

static void rst_exact_in_every_state(void **state)
{
	struct th h;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(synced); i++) {
		enum tcp_state st = synced[i];
		bool open = st == TCP_ESTABLISHED || st == TCP_FIN_WAIT_1 || st == TCP_FIN_WAIT_2 ||
		            st == TCP_CLOSE_WAIT;

		reach(&h, st);
		th_in(&h, TCP_RST, h.t.rcv_nxt, 0, 0, NULL, 0);
		assert_int_equal(h.t.state, TCP_CLOSED);
		assert_int_equal(h.t.error, open ? -ECONNRESET : 0);
		assert_true(th_events(&h) & TCP_EV_CLOSED);
		assert_int_equal(th_pending(&h), 0);
		assert_int_equal(tcp_deadline(&h.t), UINT64_MAX);
		th_free(&h);
	}
}

static void rst_in_window_challenged(void **state)
{
	struct th h;
	struct th_cap *c;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(synced); i++) {
		reach(&h, synced[i]);
		/*
		 * Inside the window but not rcv_nxt: a challenge ACK, the connection
		 * lives. After the peer's FIN the window is closed: only rcv_nxt is
		 * acceptable, the RST is dropped.
		 */
		th_in(&h, TCP_RST, h.t.rcv_nxt + 100, 0, 0, NULL, 0);
		assert_int_equal(h.t.state, synced[i]);
		c = th_pop(&h);
		if (h.t.rcv_fin) {
			assert_null(c);
		} else {
			assert_non_null(c);
			assert_int_equal(c->seg.flags, TCP_ACK);
			assert_int_equal(c->seg.ack, h.t.rcv_nxt);
		}
		/* Outside the window: silently dropped. */
		th_in(&h, TCP_RST, h.t.rcv_nxt + 100000, 0, 0, NULL, 0);
		th_in(&h, TCP_RST, h.t.rcv_nxt - 1, 0, 0, NULL, 0);
		assert_int_equal(h.t.state, synced[i]);
		assert_int_equal(th_pending(&h), 0);
		th_free(&h);
	}
}

static void rst_in_syn_states(void **state)
{
	struct th h;

	(void)state;
	/* SYN_SENT: a RST without ACK, or with a wrong one, is ignored. */
	reach(&h, TCP_SYN_SENT);
	th_in(&h, TCP_RST, 0, 0, 0, NULL, 0);
	assert_int_equal(h.t.state, TCP_SYN_SENT);
	th_in(&h, TCP_RST | TCP_ACK, 0, ISS + 7, 0, NULL, 0);
	assert_int_equal(h.t.state, TCP_SYN_SENT);
	assert_int_equal(th_pending(&h), 0);
	/* ... with the right ACK: refused. */
	th_in(&h, TCP_RST | TCP_ACK, 0, ISS + 1, 0, NULL, 0);
	assert_int_equal(h.t.state, TCP_CLOSED);
	assert_int_equal(h.t.error, -ECONNREFUSED);
	assert_true(th_events(&h) & TCP_EV_ERROR);
	th_free(&h);
	/* SYN_SENT: an ACK for something we never sent is answered by RST. */
	reach(&h, TCP_SYN_SENT);
	th_in(&h, TCP_ACK, 0, ISS + 50, 0, NULL, 0);
	assert_int_equal(th_pop(&h)->seg.flags, TCP_RST);
	assert_int_equal(h.t.state, TCP_SYN_SENT);
	th_free(&h);
	/* SYN_RECEIVED from a listener: the tcb goes quietly, no error for anyone. */
	reach(&h, TCP_SYN_RECEIVED);
	th_in(&h, TCP_RST, IRS + 1, 0, 0, NULL, 0);
	assert_int_equal(h.t.state, TCP_CLOSED);
	assert_int_equal(h.t.error, 0);
	assert_true(th_events(&h) & TCP_EV_CLOSED);
	th_free(&h);
}

static void rst_in_time_wait_ignored(void **state)
{
	struct th h;

	(void)state;
	reach(&h, TCP_TIME_WAIT);
	th_in(&h, TCP_RST, h.t.rcv_nxt, 0, 0, NULL, 0);
	assert_int_equal(h.t.state, TCP_TIME_WAIT);
	th_free(&h);
}

static void syn_in_synced_states_challenged(void **state)
{
	struct th h;
	struct th_cap *c;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(synced); i++) {
		reach(&h, synced[i]);
		th_in(&h, TCP_SYN, h.t.rcv_nxt + 10, 0, 4096, NULL, 0);
		assert_int_equal(h.t.state, synced[i]);
		c = th_pop(&h);
		assert_non_null(c);
		assert_int_equal(c->seg.flags, TCP_ACK);
		th_free(&h);
	}
}

static void ack_acceptability(void **state)
{
	struct th h;
	struct th_cap *c;

	(void)state;
	reach(&h, TCP_ESTABLISHED);
	/* An ACK of data never sent: answered, dropped, the data with it ignored. */
	th_in(&h, TCP_ACK, IRS + 1, ISS + 500, 4096, "zz", 2);
	c = th_pop(&h);
	assert_non_null(c);
	assert_int_equal(c->seg.ack, IRS + 1);
	assert_int_equal(h.t.rcv.len, 0);
	assert_int_equal(h.t.snd_una, ISS + 1);
	/* An ACK too far below snd_una (more than max_snd_wnd): the same. */
	th_in(&h, TCP_ACK, IRS + 1, ISS - 100000, 4096, "zz", 2);
	assert_non_null(th_pop(&h));
	assert_int_equal(h.t.rcv.len, 0);
	/* A mildly old ACK is fine and the data counts. */
	th_in(&h, TCP_ACK, IRS + 1, ISS - 10, 4096, "zz", 2);
	assert_int_equal(h.t.rcv.len, 2);
	/* A segment without ACK in a synchronized state is dropped. */
	th_in(&h, 0, IRS + 3, 0, 4096, "yy", 2);
	assert_int_equal(h.t.rcv.len, 2);
	th_free(&h);
}

static void challenge_rate_limited(void **state)
{
	struct th h;

	(void)state;
	reach(&h, TCP_ESTABLISHED);
	for (int i = 0; i < 50; i++)
		th_in(&h, TCP_RST, IRS + 10 + (uint32_t)i, 0, 0, NULL, 0);
	assert_int_equal(th_pending(&h), 10);
	th_drain(&h);
	h.now += 1000000000ull;
	th_in(&h, TCP_RST, IRS + 10, 0, 0, NULL, 0);
	assert_int_equal(th_pending(&h), 1);
	assert_int_equal(h.t.state, TCP_ESTABLISHED);
	th_free(&h);
}

static void rst_reply_for_closed_port(void **state)
{
	struct tcp_seg in = th_seg(TCP_SYN, 777, 0, 100), out;

	(void)state;
	in.len = 3;
	assert_true(tcp_rst_reply(&in, &out));
	assert_int_equal(out.flags, TCP_RST | TCP_ACK);
	assert_int_equal(out.seq, 0);
	assert_int_equal(out.ack, 777 + 3 + 1);
	assert_int_equal(out.sport, TH_LPORT);
	assert_int_equal(out.dport, TH_RPORT);
	in = th_seg(TCP_ACK | TCP_FIN, 777, 4242, 100);
	assert_true(tcp_rst_reply(&in, &out));
	assert_int_equal(out.flags, TCP_RST);
	assert_int_equal(out.seq, 4242);
	in = th_seg(TCP_RST | TCP_ACK, 777, 4242, 100);
	assert_false(tcp_rst_reply(&in, &out));
}

static void abort_sends_rst_and_no_event(void **state)
{
	struct th h;
	struct th_cap *c;

	(void)state;
	reach(&h, TCP_ESTABLISHED);
	tcp_abort(&h.t, h.now);
	c = th_pop(&h);
	assert_int_equal(c->seg.flags & TCP_RST, TCP_RST);
	assert_int_equal(c->seg.seq, ISS + 1);
	assert_int_equal(h.t.state, TCP_CLOSED);
	assert_int_equal(th_events(&h), 0);
	th_free(&h);
	reach(&h, TCP_SYN_SENT);
	tcp_abort(&h.t, h.now);
	assert_int_equal(th_pending(&h), 0);
	assert_int_equal(tcp_deadline(&h.t), UINT64_MAX);
	th_free(&h);
	reach(&h, TCP_TIME_WAIT);
	tcp_abort(&h.t, h.now);
	assert_int_equal(th_pending(&h), 0);
	th_free(&h);
}

static void time_wait_reuse(void **state)
{
	struct th h;
	struct tcp_seg syn;

	(void)state;
	reach(&h, TCP_TIME_WAIT);
	syn = th_seg(TCP_SYN, h.t.rcv_nxt + 1000, 0, 4096);
	assert_true(tcp_tw_accepts_syn(&h.t, &syn));
	syn.seq = h.t.rcv_nxt - 1000;
	assert_false(tcp_tw_accepts_syn(&h.t, &syn));
	syn.flags |= TCP_ACK;
	syn.seq = h.t.rcv_nxt + 1000;
	assert_false(tcp_tw_accepts_syn(&h.t, &syn));
	th_free(&h);
	reach(&h, TCP_ESTABLISHED);
	syn = th_seg(TCP_SYN, h.t.rcv_nxt + 1000, 0, 4096);
	assert_false(tcp_tw_accepts_syn(&h.t, &syn));
	th_free(&h);
}

static void closed_tcb_ignores_everything(void **state)
{
	struct th h;

	(void)state;
	reach(&h, TCP_CLOSED);
	th_in(&h, TCP_SYN, 1, 0, 100, NULL, 0);
	th_in(&h, TCP_ACK, 1, 2, 100, "x", 1);
	assert_int_equal(th_pending(&h), 0);
	tcp_close(&h.t, h.now);
	assert_int_equal(th_events(&h), 0);
	assert_int_equal(tcp_shutdown_wr(&h.t, h.now), -ENOTCONN);
	th_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rst_exact_in_every_state),
		cmocka_unit_test(rst_in_window_challenged),
		cmocka_unit_test(rst_in_syn_states),
		cmocka_unit_test(rst_in_time_wait_ignored),
		cmocka_unit_test(syn_in_synced_states_challenged),
		cmocka_unit_test(ack_acceptability),
		cmocka_unit_test(challenge_rate_limited),
		cmocka_unit_test(rst_reply_for_closed_port),
		cmocka_unit_test(abort_sends_rst_and_no_event),
		cmocka_unit_test(time_wait_reuse),
		cmocka_unit_test(closed_tcb_ignores_everything),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
