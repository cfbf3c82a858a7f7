// SPDX-License-Identifier: MIT
/*
 * Received data and FINs: in-order bytes go to the tail of the receive
 * ring, out-of-order ones to their offset past it with their range kept
 * in tcb.ooo[] (sorted, merged, at most eight), and the gap closing moves
 * them all in at once. The ACK policy is here too: every second full
 * segment at once, the rest after delack_ns, and immediately for anything
 * out of order (RFC 5681 4.2, RFC 9293 3.8.6.3).
 */
#include "lib/net/tcp_internal.h"
#include "lib/string.h"

/* What of a segment is new and fits: [seq, seq + len) and a FIN at its end. */
struct piece {
	uint32_t seq, len;
	const uint8_t *p;
	bool fin;
};

/* Cut what is before rcv_nxt (a retransmission's old part) and what the ring has no room for. */
static void trim(const struct tcb *t, const struct tcp_seg *seg, struct piece *pc)
{
	uint32_t room = tcp_ring_free(&t->rcv), off;

	pc->seq = seg->seq;
	pc->len = (uint32_t)seg->len;
	pc->p = seg->payload;
	pc->fin = seg->flags & TCP_FIN;
	if (seq_lt(pc->seq, t->rcv_nxt)) {
		uint32_t d = t->rcv_nxt - pc->seq;

		if (d >= pc->len) {
			pc->fin = pc->fin && d == pc->len;
			pc->len = 0;
		} else {
			pc->p += d;
			pc->len -= d;
		}
		pc->seq = t->rcv_nxt;
	}
	off = pc->seq - t->rcv_nxt;
	if (off + (uint64_t)pc->len > room) {
		pc->len = off < room ? room - off : 0;
		pc->fin = false;
	}
}

/* rcv_nxt moved: ranges it reached join the in-order bytes (they already sit in place). */
static void ooo_advance(struct tcb *t)
{
	while (t->ooo_n > 0 && seq_le(t->ooo[0].start, t->rcv_nxt)) {
		if (seq_gt(t->ooo[0].end, t->rcv_nxt)) {
			uint32_t add = t->ooo[0].end - t->rcv_nxt;

			t->rcv.len += add;
			t->rcv_nxt += add;
		}
		t->ooo_n--;
		memmove(&t->ooo[0], &t->ooo[1], t->ooo_n * sizeof(t->ooo[0]));
	}
}

/* The peer's FIN at rcv_nxt (RFC 9293 3.10.7.4 "eighth"). */
static void fin_in(struct tcb *t, uint64_t now)
{
	t->rcv_nxt++;
	t->rcv_fin = true;
	t->fin_rcv_ooo = false;
	t->ooo_n = 0;
	tcp_ev(t, TCP_EV_READABLE);
	switch (t->state) {
	case TCP_ESTABLISHED:
		t->state = TCP_CLOSE_WAIT;
		break;
	case TCP_FIN_WAIT_1:
		/* Our FIN is not acknowledged yet (else we would be in FIN_WAIT_2). */
		t->state = TCP_CLOSING;
		break;
	case TCP_FIN_WAIT_2:
		tcp_enter_time_wait(t, now);
		break;
	default:
		break;
	}
	tcp_send_ack(t, now);
}

/* Delayed ACK: every second full-sized segment at once, else within delack_ns. */
static void ack_policy(struct tcb *t, uint32_t len, bool at_once, uint64_t now)
{
	if (len > t->rcv_mss)
		t->rcv_mss = len < t->cfg.mss ? len : t->cfg.mss;
	t->delack_bytes += len;
	if (at_once || t->delack_bytes >= 2 * t->rcv_mss) {
		tcp_send_ack(t, now);
		return;
	}
	if (t->delack_deadline == TCP_NEVER)
		t->delack_deadline = now + t->cfg.delack_ns;
}

/* Store @pc's bytes; true when they were in order. */
static bool store(struct tcb *t, const struct piece *pc, uint64_t now)
{
	uint32_t off = pc->seq - t->rcv_nxt;

	if (off == 0) {
		t->last_data_ns = now;
		tcp_ring_write_at(&t->rcv, 0, pc->p, pc->len);
		t->rcv.len += pc->len;
		t->rcv_nxt += pc->len;
		ooo_advance(t);
		tcp_ev(t, TCP_EV_READABLE);
		return true;
	}
	/* Out of order: written only when its range could be recorded. */
	if (tcp_range_insert(t->ooo, &t->ooo_n, ARRAY_SIZE(t->ooo), pc->seq, pc->seq + pc->len)) {
		tcp_ring_write_at(&t->rcv, off, pc->p, pc->len);
		t->last_ooo_seq = pc->seq;
	}
	return false;
}

void tcp_data_in(struct tcb *t, const struct tcp_seg *seg, uint64_t now)
{
	struct piece pc;
	bool had_gap = t->ooo_n > 0, in_order = false;

	if (t->state != TCP_ESTABLISHED && t->state != TCP_FIN_WAIT_1 && t->state != TCP_FIN_WAIT_2)
		return;
	if (seg->len == 0 && !(seg->flags & TCP_FIN))
		return;
	trim(t, seg, &pc);
	if (pc.len > 0 && t->rd_closed) {
		/* Linux's rule: data for an application that closed is answered by RST. */
		tcp_send_ctl(t, t->snd_max, TCP_RST | TCP_ACK, now);
		tcp_set_closed(t, 0);
		return;
	}
	if (pc.len > 0)
		in_order = store(t, &pc, now);
	/* A FIN is remembered at its place; it counts when rcv_nxt reaches it. */
	if (pc.fin && seq_ge(pc.seq + pc.len, t->rcv_nxt)) {
		t->fin_rcv_seq = pc.seq + pc.len;
		t->fin_rcv_ooo = true;
	}
	if (t->fin_rcv_ooo && t->fin_rcv_seq == t->rcv_nxt) {
		fin_in(t, now);
		return;
	}
	ack_policy(t, pc.len, !in_order || had_gap, now);
}
