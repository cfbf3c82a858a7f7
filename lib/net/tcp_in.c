// SPDX-License-Identifier: MIT
/*
 * Segment arrival, RFC 9293 3.10.7 ("SEGMENT ARRIVES") for a connection
 * past LISTEN: SYN_SENT's handshake, then for the other states in the
 * RFC's order the checks of sequence number (with PAWS, RFC 7323 5), RST
 * (RFC 5961 3), SYN (RFC 5961 4), ACK (RFC 5961 5), the data and the FIN.
 * Out-of-order data waits in the receive ring at its offset from rcv_nxt,
 * its ranges in tcb.ooo[].
 */
#include <cairn/errno.h>

#include "lib/net/tcp_internal.h"

static uint32_t seg_seqlen(const struct tcp_seg *seg)
{
	return (uint32_t)seg->len + !!(seg->flags & TCP_SYN) + !!(seg->flags & TCP_FIN);
}

/* RFC 5961 7: challenge ACKs are rate-limited, here per connection (no shared counter to probe). */
static void challenge_ack(struct tcb *t, uint64_t now)
{
	if (now - t->chal_start >= NS_PER_S) {
		t->chal_start = now;
		t->chal_count = 0;
	}
	if (t->chal_count >= TCP_CHALLENGE_PER_S)
		return;
	t->chal_count++;
	tcp_send_ack(t, now);
}

/* ---- SYN_SENT (RFC 9293 3.10.7.3) ---- */

/* Our SYN was acknowledged with the peer's: ESTABLISHED. */
static void synsent_established(struct tcb *t, const struct tcp_seg *seg, uint64_t now)
{
	t->snd_una = seg->ack;
	t->snd_wl2 = seg->ack;
	t->retries = 0;
	tcp_rtx_stop(t);
	if (t->rtt_timing) {
		t->rtt_timing = false;
		tcp_rtt_sample(t, now - t->rtt_start);
	}
	t->state = TCP_ESTABLISHED;
	tcp_ev(t, TCP_EV_CONNECTED | TCP_EV_WRITABLE);
	/* Data on a SYN-ACK is not taken: it is acknowledged nowhere and comes again. */
	tcp_send_ack(t, now);
	tcp_keep_reset(t, now);
	if (t->fin_queued)
		t->state = TCP_FIN_WAIT_1;
	tcp_output(t, now);
}

void tcp_input_synsent(struct tcb *t, const struct tcp_seg *seg, uint64_t now)
{
	bool ack = seg->flags & TCP_ACK;

	if (ack && (seq_le(seg->ack, t->iss) || seq_gt(seg->ack, t->snd_max))) {
		if (!(seg->flags & TCP_RST))
			tcp_send_ctl(t, seg->ack, TCP_RST, now);
		return;
	}
	if (seg->flags & TCP_RST) {
		/* RFC 5961 3.2: only a RST acknowledging our SYN refuses the connection. */
		if (ack)
			tcp_set_closed(t, -ECONNREFUSED);
		return;
	}
	if (!(seg->flags & TCP_SYN))
		return;
	tcp_syn_options(t, seg, now);
	t->last_rcv_ns = now;
	if (ack) {
		synsent_established(t, seg, now);
		return;
	}
	/* Simultaneous open (RFC 9293 figure 7): answer with a SYN-ACK of the same ISS. */
	t->state = TCP_SYN_RECEIVED;
	tcp_send_syn(t, now);
}

/* ---- the checks of RFC 9293 3.10.7.4 ---- */

/* RFC 7323 5.3 (PAWS): an older timestamp than the last in-window one is a stale segment. */
static bool paws_reject(const struct tcb *t, const struct tcp_seg *seg, uint64_t now)
{
	if (!t->ts_ok || !(seg->opt.has & TCP_OPT_TS) || (seg->flags & TCP_RST))
		return false;
	if (!seq_lt(seg->opt.ts_val, t->ts_recent))
		return false;
	/* RFC 7323 5.5: after 24 days idle ts_recent means nothing. */
	return now / NS_PER_S - t->ts_recent_age_s < TCP_PAWS_IDLE_S;
}

/* The receive window for acceptance: all the room in the ring, never less than advertised. */
static uint32_t rcv_room(const struct tcb *t)
{
	return tcp_ring_free(&t->rcv);
}

static bool in_rcv_window(const struct tcb *t, uint32_t x, uint32_t wnd)
{
	return seq_le(t->rcv_nxt, x) && seq_lt(x, t->rcv_nxt + wnd);
}

/* RFC 9293 3.10.7.4's table of the four acceptability cases. */
static bool seg_acceptable(const struct tcb *t, const struct tcp_seg *seg)
{
	uint32_t wnd = rcv_room(t), len = seg_seqlen(seg);

	if (t->rcv_fin)
		wnd = 0;
	if (len == 0)
		return wnd == 0 ? seg->seq == t->rcv_nxt : in_rcv_window(t, seg->seq, wnd);
	if (wnd == 0) {
		/* A FIN at rcv_nxt is taken even into a full ring: it needs no room. */
		return seg->len == 0 && (seg->flags & TCP_FIN) && seg->seq == t->rcv_nxt;
	}
	return in_rcv_window(t, seg->seq, wnd) || in_rcv_window(t, seg->seq + len - 1, wnd);
}

/* RFC 5961 3.2: an exact RST resets, one elsewhere in the window draws a challenge ACK. */
static void rst_in(struct tcb *t, const struct tcp_seg *seg, uint64_t now)
{
	if (seg->seq != t->rcv_nxt) {
		challenge_ack(t, now);
		return;
	}
	switch (t->state) {
	case TCP_SYN_RECEIVED:
		tcp_set_closed(t, t->passive ? 0 : -ECONNREFUSED);
		break;
	case TCP_ESTABLISHED:
	case TCP_FIN_WAIT_1:
	case TCP_FIN_WAIT_2:
	case TCP_CLOSE_WAIT:
		tcp_set_closed(t, -ECONNRESET);
		break;
	case TCP_TIME_WAIT:
		/* RFC 1337: TIME_WAIT ignores RSTs, or an old duplicate could end it early. */
		break;
	default:
		tcp_set_closed(t, 0);
		break;
	}
}

/* RFC 7323 4.3: remember the timestamp of the segment that our next ACK covers. */
static void ts_update(struct tcb *t, const struct tcp_seg *seg, uint64_t now)
{
	if (!t->ts_ok || !(seg->opt.has & TCP_OPT_TS))
		return;
	if (seq_ge(seg->opt.ts_val, t->ts_recent) && seq_le(seg->seq, t->last_ack_sent)) {
		t->ts_recent = seg->opt.ts_val;
		t->ts_recent_age_s = (uint32_t)(now / NS_PER_S);
	}
}

/* ---- the ACK field (RFC 9293 3.10.7.4 "fifth", RFC 5961 5) ---- */

/* SYN_RECEIVED: an ACK of our SYN completes the handshake, any other ACK is answered by RST. */
static bool synrcvd_ack(struct tcb *t, const struct tcp_seg *seg, uint64_t now)
{
	if (!seq_lt(t->snd_una, seg->ack) || seq_gt(seg->ack, t->snd_max)) {
		tcp_send_ctl(t, seg->ack, TCP_RST, now);
		return false;
	}
	t->state = TCP_ESTABLISHED;
	t->snd_wnd = (uint32_t)seg->wnd << t->snd_wscale;
	if (t->snd_wnd > t->max_snd_wnd)
		t->max_snd_wnd = t->snd_wnd;
	t->snd_wl1 = seg->seq;
	t->snd_wl2 = seg->ack;
	tcp_ev(t, TCP_EV_CONNECTED | TCP_EV_WRITABLE);
	tcp_keep_reset(t, now);
	if (t->fin_queued)
		t->state = TCP_FIN_WAIT_1;
	return true;
}

/* RFC 7323 4.1 (timestamps echo the send time) or RFC 6298's one timed segment. */
static void rtt_from_ack(struct tcb *t, const struct tcp_seg *seg, uint64_t now)
{
	if (t->ts_ok && (seg->opt.has & TCP_OPT_TS) && seg->opt.ts_ecr != 0) {
		int32_t d = (int32_t)(tcp_ts_now(t, now) - seg->opt.ts_ecr);

		if (d >= 0)
			tcp_rtt_sample(t, (uint64_t)d * NS_PER_MS);
		t->rtt_timing = false;
		return;
	}
	if (t->rtt_timing && seq_ge(seg->ack, t->rtt_seq)) {
		t->rtt_timing = false;
		tcp_rtt_sample(t, now - t->rtt_start);
	}
}

/* snd_una < ack <= snd_max: bytes leave the send ring, the RTT and cwnd learn. */
static void new_ack(struct tcb *t, const struct tcp_seg *seg, uint64_t now)
{
	uint32_t ack = seg->ack, acked = ack - t->snd_una, n;

	if (seq_gt(ack, t->snd_base)) {
		n = ack - t->snd_base;
		if (n > t->snd.len)
			n = t->snd.len;
		if (n) {
			tcp_ring_drop(&t->snd, n);
			t->snd_base += n;
			tcp_ev(t, TCP_EV_WRITABLE);
		}
	}
	t->snd_una = ack;
	if (seq_lt(t->snd_nxt, ack))
		t->snd_nxt = ack;
	tcp_sack_trim(t);
	t->retries = 0;
	rtt_from_ack(t, seg, now);
	tcp_cc_ack(t, ack, acked, now);
	/* RFC 6298 5.2 and 5.3. */
	if (t->snd_una == t->snd_max)
		tcp_rtx_stop(t);
	else
		tcp_rtx_arm(t, now);
}

/*
 * RFC 5681 2's duplicate ACK: nothing new, no data, same window, data
 * outstanding; with SACK blocks a changed window does not matter (RFC 6675 2).
 */
static bool is_dupack(const struct tcb *t, const struct tcp_seg *seg)
{
	bool sack = t->sack_ok && (seg->opt.has & TCP_OPT_SACK) && seg->opt.nsack > 0;

	return seg->ack == t->snd_una && seg->len == 0 && !(seg->flags & (TCP_SYN | TCP_FIN)) &&
	       t->snd_una != t->snd_max &&
	       (sack || ((uint32_t)seg->wnd << t->snd_wscale) == t->snd_wnd);
}

/* RFC 9293 3.10.7.4: the window comes from the newest segment (snd_wl1, snd_wl2). */
static void window_update(struct tcb *t, const struct tcp_seg *seg)
{
	if (!seq_lt(t->snd_wl1, seg->seq) &&
	    !(t->snd_wl1 == seg->seq && seq_le(t->snd_wl2, seg->ack)))
		return;
	t->snd_wnd = (uint32_t)seg->wnd << t->snd_wscale;
	if (t->snd_wnd > t->max_snd_wnd)
		t->max_snd_wnd = t->snd_wnd;
	t->snd_wl1 = seg->seq;
	t->snd_wl2 = seg->ack;
}

/* The transitions an acknowledged FIN makes; false when the connection is done with. */
static bool fin_acked_step(struct tcb *t, uint64_t now)
{
	if (!t->fin_sent || t->snd_una != tcp_fin_seq(t) + 1)
		return true;
	switch (t->state) {
	case TCP_FIN_WAIT_1:
		t->state = TCP_FIN_WAIT_2;
		/* Nobody will read: do not wait forever for the peer's FIN. */
		if (t->rd_closed)
			t->tw_deadline = now + 2 * t->cfg.msl_ns;
		return true;
	case TCP_CLOSING:
		tcp_enter_time_wait(t, now);
		return false;
	case TCP_LAST_ACK:
		tcp_set_closed(t, 0);
		return false;
	default:
		return true;
	}
}

/* The ACK field; false when the segment is finished with. */
static bool ack_in(struct tcb *t, const struct tcp_seg *seg, uint64_t now)
{
	uint32_t ack = seg->ack, una = t->snd_una;

	if (t->state == TCP_SYN_RECEIVED && !synrcvd_ack(t, seg, now))
		return false;
	/* RFC 5961 5.2: acceptable is snd_una - max_snd_wnd <= ack <= snd_max. */
	if (seq_gt(ack, t->snd_max) || seq_lt(ack, una - t->max_snd_wnd)) {
		tcp_send_ack(t, now);
		return false;
	}
	tcp_sack_update(t, seg);
	if (seq_gt(ack, una))
		new_ack(t, seg, now);
	else if (is_dupack(t, seg))
		tcp_cc_dupack(t, now);
	if (seq_ge(ack, una))
		window_update(t, seg);
	return fin_acked_step(t, now);
}

/* ---- putting it together ---- */

/* RFC 9293 3.10.7.4: a zero window still takes valid ACKs (and RSTs, handled above). */
static void unacceptable(struct tcb *t, const struct tcp_seg *seg, uint64_t now)
{
	if (seg->flags & TCP_RST)
		return;
	if (rcv_room(t) == 0 && seg->seq == t->rcv_nxt && (seg->flags & TCP_ACK) &&
	    !(seg->flags & TCP_SYN) && t->state != TCP_SYN_RECEIVED) {
		if (!ack_in(t, seg, now))
			return;
		tcp_output(t, now);
	}
	if (t->state == TCP_TIME_WAIT && (seg->flags & TCP_FIN))
		t->tw_deadline = now + 2 * t->cfg.msl_ns;
	tcp_send_ack(t, now);
}

static void input_sync(struct tcb *t, const struct tcp_seg *seg, uint64_t now)
{
	if (t->state == TCP_SYN_RECEIVED &&
	    (seg->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN && seg->seq == t->irs) {
		/* The peer's SYN again: our SYN-ACK was lost. */
		tcp_send_syn(t, now);
		return;
	}
	if (paws_reject(t, seg, now) || !seg_acceptable(t, seg)) {
		unacceptable(t, seg, now);
		return;
	}
	t->last_rcv_ns = now;
	if (seg->flags & TCP_RST) {
		rst_in(t, seg, now);
		return;
	}
	tcp_keep_reset(t, now);
	ts_update(t, seg, now);
	if (seg->flags & TCP_SYN) {
		/* RFC 9293: a passive SYN_RECEIVED goes back to the listener (the glue's). */
		if (t->state == TCP_SYN_RECEIVED && t->passive)
			tcp_set_closed(t, 0);
		else
			challenge_ack(t, now); /* RFC 5961 4.2 */
		return;
	}
	if (!(seg->flags & TCP_ACK) || !ack_in(t, seg, now))
		return;
	tcp_data_in(t, seg, now);
	if (t->state != TCP_CLOSED)
		tcp_output(t, now);
}

void tcp_input(struct tcb *t, const struct tcp_seg *seg, uint64_t now)
{
	switch (t->state) {
	case TCP_CLOSED:
	case TCP_LISTEN:
		/* The glue answers for a connection that does not exist (tcp_rst_reply()). */
		break;
	case TCP_SYN_SENT:
		tcp_input_synsent(t, seg, now);
		break;
	default:
		input_sync(t, seg, now);
		break;
	}
	tcp_ev_flush(t);
}
