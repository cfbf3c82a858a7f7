/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/net/tcp's data path: out-of-order, overlapping and
 * duplicate segments into the receive ring, a FIN ahead of data, the
 * eight-range limit, sequence numbers wrapping past 2^32 both ways, the
 * window we advertise and its update on reading, a peer's shrinking
 * window, and zero-window probing with backoff.
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

static uint8_t stream[65536];

static void fill_stream(void)
{
	for (size_t i = 0; i < sizeof(stream); i++)
		stream[i] = th_pattern(9, i);
}

/* Peer data at stream offset @off (sequence IRS + 1 + off). */
static void peer_data(struct th *h, uint32_t irs, uint32_t off, uint32_t len, uint8_t extra)
{
	th_in(h, (uint8_t)(TCP_ACK | extra), irs + 1 + off, h->t.snd_nxt, 8192, stream + off, len);
}

static void expect_stream(struct th *h, uint32_t from, uint32_t len)
{
	uint8_t *buf = malloc(len + 1);

	assert_non_null(buf);
	assert_int_equal(th_recv(h, buf, len + 1), len);
	assert_memory_equal(buf, stream + from, len);
	free(buf);
}

static void out_of_order_and_overlap(void **state, uint32_t irs)
{
	struct th h;
	struct th_cap *c;

	(void)state;
	fill_stream();
	th_init(&h, 8192, 8192);
	th_open_active(&h, 100, irs, 8192);
	/* 0..99 missing; 300..399 first, then 100..199: two ranges, ACKed at once (dup ACKs). */
	peer_data(&h, irs, 300, 100, 0);
	c = th_pop(&h);
	assert_non_null(c);
	assert_int_equal(c->seg.ack, irs + 1);
	peer_data(&h, irs, 100, 100, 0);
	assert_int_equal(th_pop(&h)->seg.ack, irs + 1);
	assert_int_equal(h.t.ooo_n, 2);
	assert_false(tcp_readable(&h.t));
	/* 150..349 overlaps both and fills the gap between them: one range 100..399. */
	peer_data(&h, irs, 150, 200, 0);
	assert_int_equal(h.t.ooo_n, 1);
	assert_int_equal(h.t.ooo[0].start, irs + 101);
	assert_int_equal(h.t.ooo[0].end, irs + 401);
	/* A duplicate inside it changes nothing. */
	peer_data(&h, irs, 200, 50, 0);
	assert_int_equal(h.t.ooo_n, 1);
	th_drain(&h);
	/* 0..119 closes the hole and overlaps: 400 bytes readable, ACK at once. */
	peer_data(&h, irs, 0, 120, 0);
	c = th_pop(&h);
	assert_non_null(c);
	assert_int_equal(c->seg.ack, irs + 401);
	assert_int_equal(h.t.ooo_n, 0);
	assert_int_equal(tcp_recv_queued(&h.t), 400);
	expect_stream(&h, 0, 400);
	/* An old retransmission overlapping the front is trimmed. */
	peer_data(&h, irs, 350, 100, 0);
	assert_int_equal(tcp_recv_queued(&h.t), 50);
	expect_stream(&h, 400, 50);
	/* Entirely old: acknowledged, nothing queued. */
	th_drain(&h);
	peer_data(&h, irs, 0, 100, 0);
	assert_int_equal(th_pop(&h)->seg.ack, irs + 451);
	assert_int_equal(tcp_recv_queued(&h.t), 0);
	th_free(&h);
}

static void ooo_plain(void **state)
{
	out_of_order_and_overlap(state, 5000);
}

static void ooo_across_wrap(void **state)
{
	/* The receive sequence crosses 2^32 in the middle of the gap. */
	out_of_order_and_overlap(state, 0xffffff00u);
}

static void fin_ahead_of_data(void **state)
{
	struct th h;

	(void)state;
	fill_stream();
	th_init(&h, 8192, 8192);
	th_open_active(&h, 100, 5000, 8192);
	peer_data(&h, 5000, 100, 50, TCP_FIN);
	assert_int_equal(h.t.state, TCP_ESTABLISHED);
	assert_false(h.t.rcv_fin);
	peer_data(&h, 5000, 0, 100, 0);
	assert_int_equal(h.t.state, TCP_CLOSE_WAIT);
	assert_true(h.t.rcv_fin);
	assert_int_equal(h.t.rcv_nxt, 5000 + 1 + 150 + 1);
	expect_stream(&h, 0, 150);
	assert_true(tcp_readable(&h.t));
	th_free(&h);
}

static void ooo_range_limit(void **state)
{
	struct th h;

	(void)state;
	fill_stream();
	th_init(&h, 8192, 8192);
	th_open_active(&h, 100, 5000, 8192);
	/* Nine disjoint ranges: the ninth is not kept. */
	for (uint32_t i = 0; i < 9; i++)
		peer_data(&h, 5000, 100 + 200 * i, 50, 0);
	assert_int_equal(h.t.ooo_n, 8);
	/* A range that merges with a kept one is still taken at the limit. */
	peer_data(&h, 5000, 150, 50, 0);
	assert_int_equal(h.t.ooo_n, 8);
	peer_data(&h, 5000, 0, 100, 0);
	/* 0..199 in order, then the hole at 200. */
	assert_int_equal(tcp_recv_queued(&h.t), 200);
	assert_int_equal(h.t.ooo_n, 7);
	th_free(&h);
}

static void receive_window_and_update(void **state)
{
	struct th h;
	struct th_cap *c;
	uint8_t buf[4096];

	(void)state;
	fill_stream();
	th_init(&h, 8192, 4096);
	th_open_active(&h, 100, 5000, 8192);
	/* Fill the ring: the window closes. */
	peer_data(&h, 5000, 0, 1460, 0);
	peer_data(&h, 5000, 1460, 1460, 0);
	c = th_pop(&h);
	assert_int_equal(c->seg.wnd, 4096 - 2920);
	peer_data(&h, 5000, 2920, 1176, 0);
	th_run_until(&h, h.now + h.cfg.delack_ns);
	c = th_pop(&h);
	assert_int_equal(c->seg.ack, 5001 + 4096);
	assert_int_equal(c->seg.wnd, 0);
	/* More data into a zero window is refused and answered. */
	peer_data(&h, 5000, 4096, 10, 0);
	c = th_pop(&h);
	assert_int_equal(c->seg.ack, 5001 + 4096);
	assert_int_equal(tcp_recv_queued(&h.t), 4096);
	/* The window probe (an old sequence number) is answered with the window. */
	th_in(&h, TCP_ACK, 5000 + 4096, 101, 8192, NULL, 0);
	c = th_pop(&h);
	assert_int_equal(c->seg.wnd, 0);
	/* Reading a little opens less than a segment: no update yet. */
	assert_int_equal(th_recv(&h, buf, 1000), 1000);
	assert_int_equal(th_pending(&h), 0);
	/* Reading a segment's worth sends the update. */
	assert_int_equal(th_recv(&h, buf, 1000), 1000);
	c = th_pop(&h);
	assert_non_null(c);
	assert_int_equal(c->seg.wnd, 2000);
	th_free(&h);
}

static void shrinking_window(void **state)
{
	struct th h;
	struct th_cap *c;
	uint8_t buf[6000];

	(void)state;
	memset(buf, 'a', sizeof(buf));
	th_init(&h, 16384, 8192);
	th_open_active(&h, 100, 5000, 8000);
	assert_int_equal(th_send(&h, buf, 6000), 0);
	/* IW 10 segments, window 8000: 4 full segments go, Nagle holds the last 160 bytes. */
	assert_int_equal(th_pending(&h), 4);
	th_drain(&h);
	/* The peer takes 1460 and shrinks its window to 1000: right edge moves left. */
	th_in(&h, TCP_ACK, 5001, 1561, 1000, NULL, 0);
	assert_int_equal(h.t.snd_wnd, 1000);
	assert_int_equal(h.t.snd_una, 1561);
	assert_int_equal(th_pending(&h), 0);
	/* More data waits: beyond the window. */
	assert_int_equal(th_send(&h, buf, 1000), 0);
	assert_int_equal(th_pending(&h), 0);
	/* The timer retransmits the first segment even past the shrunken window. */
	th_fire_next(&h);
	c = th_pop(&h);
	assert_non_null(c);
	assert_int_equal(c->seg.seq, 1561);
	assert_int_equal(c->seg.len, 1460);
	/* An ACK past snd_max is not taken. */
	th_in(&h, TCP_ACK, 5001, 6101, 16000, NULL, 0);
	assert_int_equal(h.t.snd_una, 1561);
	th_drain(&h);
	/* The window opens again with everything acknowledged: the rest goes at once. */
	th_in(&h, TCP_ACK, 5001, 5941, 16000, NULL, 0);
	c = th_pop(&h);
	assert_non_null(c);
	assert_int_equal(c->seg.seq, 5941);
	assert_int_equal(c->seg.len, 1160);
	th_free(&h);
}

static void zero_window_probes(void **state)
{
	struct th h;
	struct th_cap *c;
	uint8_t buf[3000];
	uint64_t t0, gap1, gap2;

	(void)state;
	memset(buf, 'b', sizeof(buf));
	th_init(&h, 8192, 8192);
	th_open_active(&h, 100, 5000, 0);
	assert_int_equal(th_send(&h, buf, 3000), 0);
	assert_int_equal(th_pending(&h), 0);
	/* Nothing in flight and no window: the persist timer is armed. */
	t0 = h.now;
	assert_true(th_fire_next(&h));
	c = th_pop(&h);
	assert_non_null(c);
	assert_int_equal(c->seg.seq, 100);
	assert_int_equal(c->seg.len, 0);
	gap1 = h.now - t0;
	/* The peer answers, window still zero: the next probe comes twice as late. */
	th_in(&h, TCP_ACK, 5001, 101, 0, NULL, 0);
	t0 = h.now;
	assert_true(th_fire_next(&h));
	c = th_pop(&h);
	assert_non_null(c);
	assert_int_equal(c->seg.seq, 100);
	gap2 = h.now - t0;
	assert_int_equal(gap2, 2 * gap1);
	assert_int_equal(h.t.state, TCP_ESTABLISHED);
	/* Many probes later the connection still stands (probes are answered). */
	for (int i = 0; i < 30; i++) {
		th_in(&h, TCP_ACK, 5001, 101, 0, NULL, 0);
		assert_true(th_fire_next(&h));
		assert_true(tcp_deadline(&h.t) - h.now <= h.cfg.rto_max_ns);
	}
	th_drain(&h);
	/* The window opens: the data flows. */
	th_in(&h, TCP_ACK, 5001, 101, 8192, NULL, 0);
	c = th_pop(&h);
	assert_non_null(c);
	assert_int_equal(c->seg.seq, 101);
	assert_int_equal(c->seg.len, 1460);
	th_free(&h);
}

static void window_closed_with_data_in_flight(void **state)
{
	struct th h;
	uint8_t buf[3000];

	(void)state;
	memset(buf, 'd', sizeof(buf));
	th_init(&h, 8192, 8192);
	th_open_active(&h, 100, 5000, 8192);
	assert_int_equal(th_send(&h, buf, 2920), 0);
	th_drain(&h);
	/* The peer takes nothing and shrinks its window to 0 (RFC 9293 3.8.6 discourages it). */
	th_in(&h, TCP_ACK, 5001, 101, 0, NULL, 0);
	/* It keeps answering every retransmission: no ETIMEDOUT, however long. */
	for (unsigned i = 0; i < 3 * h.cfg.data_retries; i++) {
		assert_true(th_fire_next(&h));
		th_in(&h, TCP_ACK, 5001, 101, 0, NULL, 0);
		assert_int_equal(h.t.state, TCP_ESTABLISHED);
	}
	/* Silent after that: the retry limit applies again. */
	for (unsigned i = 0; i <= h.cfg.data_retries + 1 && h.t.state != TCP_CLOSED; i++)
		assert_true(th_fire_next(&h));
	assert_int_equal(h.t.state, TCP_CLOSED);
	assert_int_equal(h.t.error, -ETIMEDOUT);
	th_free(&h);
}

static void small_window_forced_by_persist(void **state)
{
	struct th h;
	struct th_cap *c;
	uint8_t buf[3000];

	(void)state;
	memset(buf, 'c', sizeof(buf));
	th_init(&h, 8192, 8192);
	th_open_active(&h, 100, 5000, 8192);
	/* The largest window seen is 8192; now only 100 bytes open: SWS avoidance waits. */
	th_in(&h, TCP_ACK, 5001, 101, 100, NULL, 0);
	assert_int_equal(th_send(&h, buf, 3000), 0);
	assert_int_equal(th_pending(&h), 0);
	/* ...until the persist timer forces what fits. */
	assert_true(th_fire_next(&h));
	c = th_pop(&h);
	assert_non_null(c);
	assert_int_equal(c->seg.len, 100);
	th_free(&h);
}

static void send_sequence_wrap(void **state)
{
	struct th h;
	struct th_cap *c;
	uint8_t buf[5000];
	uint32_t iss = 0xfffffa00u;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = th_pattern(3, i);
	th_init(&h, 8192, 8192);
	th_open_active(&h, iss, 5000, 8192);
	assert_int_equal(th_send(&h, buf, 5000), 0);
	for (uint32_t off = 0; off < 4380; off += 1460) {
		c = th_pop(&h);
		assert_non_null(c);
		assert_int_equal(c->seg.seq, iss + 1 + off);
		assert_int_equal(c->seg.len, 1460);
		assert_memory_equal(c->seg.payload, buf + off, 1460);
	}
	assert_null(th_pop(&h));
	/* An ACK past the wrap frees the first two segments. */
	th_in(&h, TCP_ACK, 5001, iss + 1 + 2920, 8192, NULL, 0);
	assert_int_equal(tcp_send_queued(&h.t), 5000 - 2920);
	assert_null(th_pop(&h));
	/* All sent data acknowledged: Nagle lets the tail go. */
	th_in(&h, TCP_ACK, 5001, iss + 1 + 4380, 8192, NULL, 0);
	c = th_pop(&h);
	assert_non_null(c);
	assert_int_equal(c->seg.seq, iss + 1 + 4380);
	assert_int_equal(c->seg.len, 620);
	assert_memory_equal(c->seg.payload, buf + 4380, 620);
	th_in(&h, TCP_ACK, 5001, iss + 1 + 5000, 8192, NULL, 0);
	assert_int_equal(tcp_send_queued(&h.t), 0);
	assert_int_equal(h.t.snd_una, iss + 5001);
	assert_true(h.t.snd_una < iss);
	assert_int_equal(tcp_deadline(&h.t), UINT64_MAX);
	th_free(&h);
}

static void ring_wraps_many_times(void **state)
{
	struct th h;
	uint8_t buf[1000], got[1000];
	uint32_t seq = 5001;

	(void)state;
	th_init(&h, 3000, 3000);
	th_open_active(&h, 100, 5000, 8192);
	for (uint32_t round = 0; round < 40; round++) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = th_pattern(round, i);
		th_in(&h, TCP_ACK, seq, 101, 8192, buf, 700);
		th_in(&h, TCP_ACK, seq + 700, 101, 8192, buf + 700, 300);
		seq += 1000;
		assert_int_equal(th_recv(&h, got, sizeof(got)), 1000);
		assert_memory_equal(got, buf, 1000);
	}
	th_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ooo_plain),
		cmocka_unit_test(ooo_across_wrap),
		cmocka_unit_test(fin_ahead_of_data),
		cmocka_unit_test(ooo_range_limit),
		cmocka_unit_test(receive_window_and_update),
		cmocka_unit_test(shrinking_window),
		cmocka_unit_test(zero_window_probes),
		cmocka_unit_test(window_closed_with_data_in_flight),
		cmocka_unit_test(small_window_forced_by_persist),
		cmocka_unit_test(send_sequence_wrap),
		cmocka_unit_test(ring_wraps_many_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
