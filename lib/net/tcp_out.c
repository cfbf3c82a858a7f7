// SPDX-License-Identifier: MIT
/*
 * Transmission: which bytes of the send ring may leave now (the peer's
 * window, the congestion window, Nagle's rule of RFC 1122 4.2.3.4 and the
 * sender's silly-window avoidance), the segments themselves with the
 * fields every segment carries (ACK, window, timestamps), retransmission
 * of the first unacknowledged segment, and the persist timer that probes
 * a zero window (RFC 9293 3.8.6.1).
 */
#include "lib/net/tcp_internal.h"

uint32_t tcp_mss_data(const struct tcb *t)
{
	uint32_t m = t->smss ? t->smss : TCP_DEFAULT_MSS;

	/* RFC 6691: the MSS option excludes TCP options; ours come off every segment. */
	if (t->ts_ok)
		m -= TCP_TS_OPTLEN;
	return m;
}

uint32_t tcp_fin_seq(const struct tcb *t)
{
	return t->snd_base + t->snd.len;
}

uint32_t tcp_flight(const struct tcb *t)
{
	return t->snd_max - t->snd_una;
}

uint32_t tcp_rcv_window(const struct tcb *t)
{
	uint32_t wnd = tcp_ring_free(&t->rcv), max = 0xffffu << t->rcv_wscale;
	uint32_t cur = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
	uint32_t step = tcp_mss_data(t);

	if (wnd > max)
		wnd = max;
	/* Rounded down to what the scaled field can say, so the right edge never overstates. */
	wnd = wnd >> t->rcv_wscale << t->rcv_wscale;
	/*
	 * RFC 1122 4.2.3.3 (receiver SWS avoidance): the right edge moves only
	 * by min(half the ring, one MSS) at a time, so the peer never sees a
	 * window worth only a tiny segment. It never moves left either.
	 */
	if (step > t->rcv.size / 2)
		step = t->rcv.size / 2;
	if (wnd < cur || wnd - cur < step)
		wnd = cur;
	return wnd;
}

/* Fill in what every segment carries and hand it to the glue. */
static void emit(struct tcb *t, struct tcp_out *o, uint64_t now)
{
	struct tcp_seg *s = &o->seg;
	uint32_t wnd;

	s->sport = t->lport;
	s->dport = t->rport;
	if (s->flags & TCP_SYN) {
		/* RFC 7323 2.2: the window of a SYN is never scaled. */
		wnd = tcp_ring_free(&t->rcv);
		if (wnd > 0xffffu)
			wnd = 0xffffu;
		s->wnd = (uint16_t)wnd;
	} else {
		wnd = tcp_rcv_window(t);
		s->wnd = (uint16_t)(wnd >> t->rcv_wscale);
		if (t->ts_ok)
			s->opt.has |= TCP_OPT_TS;
	}
	if (s->opt.has & TCP_OPT_TS) {
		s->opt.ts_val = tcp_ts_now(t, now);
		s->opt.ts_ecr = t->ts_recent;
	}
	if ((s->flags & (TCP_ACK | TCP_SYN | TCP_RST)) == TCP_ACK)
		tcp_sack_fill(t, &s->opt);
	if (s->flags & TCP_ACK) {
		s->ack = t->rcv_nxt;
		t->last_ack_sent = t->rcv_nxt;
		t->delack_bytes = 0;
		t->delack_deadline = TCP_NEVER;
		if (seq_gt(t->rcv_nxt + wnd, t->rcv_adv))
			t->rcv_adv = t->rcv_nxt + wnd;
	}
	/* A failed output is a lost segment: retransmission covers it. */
	(void)t->ops->output(t->ctx, o);
}

void tcp_send_syn(struct tcb *t, uint64_t now)
{
	struct tcp_out o = { 0 };
	bool synack = t->state == TCP_SYN_RECEIVED;

	o.seg.seq = t->iss;
	o.seg.flags = (uint8_t)(TCP_SYN | (synack ? TCP_ACK : 0));
	o.seg.opt.has = TCP_OPT_MSS;
	o.seg.opt.mss = t->cfg.mss;
	/* A SYN offers what the configuration allows; a SYN-ACK only what the peer offered. */
	if (synack ? t->wscale_ok : t->cfg.wscale) {
		o.seg.opt.has |= TCP_OPT_WSCALE;
		o.seg.opt.wscale = t->rcv_wscale;
	}
	if (synack ? t->ts_ok : t->cfg.timestamps)
		o.seg.opt.has |= TCP_OPT_TS;
	if (synack ? t->sack_ok : t->cfg.sack)
		o.seg.opt.has |= TCP_OPT_SACK_OK;
	emit(t, &o, now);
}

void tcp_send_ctl(struct tcb *t, uint32_t seq, uint8_t flags, uint64_t now)
{
	struct tcp_out o = { 0 };

	o.seg.seq = seq;
	o.seg.flags = flags;
	emit(t, &o, now);
}

void tcp_send_ack(struct tcb *t, uint64_t now)
{
	/*
	 * snd_max, not snd_nxt: after a timeout snd_nxt goes back to resend,
	 * and an ACK below what the peer already holds would be unacceptable
	 * to it (RFC 9293 3.10.7.4), so neither side would hear the other.
	 */
	tcp_send_ctl(t, t->snd_max, TCP_ACK, now);
}

/* @len bytes of the send ring from @seq, with a FIN after them if @fin. */
static void send_data(struct tcb *t, uint32_t seq, uint32_t len, bool fin, uint64_t now)
{
	struct tcp_out o = { 0 };

	o.seg.seq = seq;
	o.seg.flags = (uint8_t)(TCP_ACK | (fin ? TCP_FIN : 0));
	/* PSH on the segment that empties the queue (RFC 9293 3.9.1.2). */
	if (len && seq + len == tcp_fin_seq(t))
		o.seg.flags |= TCP_PSH;
	tcp_ring_pieces(&t->snd, seq - t->snd_base, len, &o.data[0], &o.dlen[0], &o.data[1],
	                &o.dlen[1]);
	emit(t, &o, now);
}

/* States in which sequence space may still leave (new data, a FIN or retransmissions). */
static bool output_state(const struct tcb *t)
{
	switch (t->state) {
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_FIN_WAIT_1:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		return true;
	default:
		return false;
	}
}

/* Bytes the smaller of the peer's window and the congestion window still allow past snd_nxt. */
static uint32_t usable(const struct tcb *t)
{
	uint32_t wnd = t->snd_wnd < t->cwnd ? t->snd_wnd : t->cwnd;
	uint32_t right = t->snd_una + wnd;

	return seq_lt(t->snd_nxt, right) ? right - t->snd_nxt : 0;
}

/*
 * RFC 1122 4.2.3.4: a segment shorter than the MSS leaves only when it is
 * a retransmission, when it carries all the queued data and nothing is
 * outstanding (or TCP_NODELAY), or when it fills half the largest window
 * the peer has offered. The persist timer overrides this after an RTO.
 */
static bool nagle_ok(const struct tcb *t, uint32_t len, uint32_t unsent)
{
	if (len >= tcp_mss_data(t) || seq_lt(t->snd_nxt, t->snd_max))
		return true;
	if (t->corked)
		return false;
	if (len == unsent && (t->cfg.nodelay || t->snd_una == t->snd_max))
		return true;
	return t->max_snd_wnd > 0 && len >= t->max_snd_wnd / 2;
}

/* Send @len bytes at snd_nxt (and the FIN) and advance the send variables. */
static void transmit(struct tcb *t, uint32_t len, bool fin, uint64_t now)
{
	uint32_t seq = t->snd_nxt;

	send_data(t, seq, len, fin, now);
	/* Answering the peer's data quickly: a request/response exchange, ACKs ride on data. */
	if (len && now - t->last_data_ns <= t->cfg.delack_ns)
		t->pingpong = true;
	/* Without timestamps one segment at a time is timed, never a retransmission (Karn). */
	if (!t->ts_ok && !t->rtt_timing && seq == t->snd_max) {
		t->rtt_timing = true;
		t->rtt_seq = seq + len + fin;
		t->rtt_start = now;
	}
	t->snd_nxt = seq + len + fin;
	if (seq_gt(t->snd_nxt, t->snd_max))
		t->snd_max = t->snd_nxt;
	if (fin)
		t->fin_sent = true;
	if (t->rtx_deadline == TCP_NEVER)
		tcp_rtx_arm(t, now);
}

void tcp_output(struct tcb *t, uint64_t now)
{
	uint32_t mss = tcp_mss_data(t);

	if (!output_state(t))
		return;
	for (;;) {
		uint32_t end = tcp_fin_seq(t);
		uint32_t unsent = seq_lt(t->snd_nxt, end) ? end - t->snd_nxt : 0;
		uint32_t len = usable(t);
		bool fin;

		if (len > unsent)
			len = unsent;
		if (len > mss)
			len = mss;
		/* The FIN needs no window: receivers take it at rcv_nxt even when full. */
		fin = t->fin_queued && len == unsent && t->snd_nxt + len == end;
		if (len == 0 && !fin)
			break;
		if (!fin && !nagle_ok(t, len, unsent))
			break;
		transmit(t, len, fin, now);
	}
	tcp_persist_check(t, now);
}

void tcp_send_range(struct tcb *t, uint32_t seq, uint32_t len, uint64_t now)
{
	send_data(t, seq, len, false, now);
}

uint32_t tcp_output_new(struct tcb *t, uint64_t now)
{
	uint32_t end = tcp_fin_seq(t), mss = tcp_mss_data(t), right = t->snd_una + t->snd_wnd;
	uint32_t unsent = seq_lt(t->snd_nxt, end) ? end - t->snd_nxt : 0;
	uint32_t len = seq_lt(t->snd_nxt, right) ? right - t->snd_nxt : 0;
	bool fin;

	if (!output_state(t))
		return 0;
	if (len > unsent)
		len = unsent;
	if (len > mss)
		len = mss;
	fin = t->fin_queued && len == unsent && t->snd_nxt + len == end;
	if ((len == 0 && !fin) || (!fin && !nagle_ok(t, len, unsent)))
		return 0;
	transmit(t, len, fin, now);
	return len + fin;
}

uint32_t tcp_retransmit_first(struct tcb *t, uint64_t now)
{
	uint32_t seq = t->snd_una, end = tcp_fin_seq(t), mss = tcp_mss_data(t);
	uint32_t data_end, len;
	bool fin;

	if (t->state == TCP_SYN_SENT || t->state == TCP_SYN_RECEIVED) {
		tcp_send_syn(t, now);
		return t->iss + 1;
	}
	data_end = seq_lt(t->snd_max, end) ? t->snd_max : end;
	len = seq_lt(seq, data_end) ? data_end - seq : 0;
	if (len > mss)
		len = mss;
	fin = t->fin_sent && seq + len == end;
	if (len == 0 && !fin)
		return seq;
	send_data(t, seq, len, fin, now);
	return seq + len + fin;
}

/* The persist interval: the RTO, doubled per unanswered probe, at most rto_max. */
static uint64_t persist_interval(const struct tcb *t)
{
	uint64_t iv = t->rto_ns;
	uint32_t n = t->probes;

	while (n-- > 0 && iv < t->cfg.rto_max_ns)
		iv *= 2;
	return iv > t->cfg.rto_max_ns ? t->cfg.rto_max_ns : iv;
}

void tcp_persist_check(struct tcb *t, uint64_t now)
{
	bool need = output_state(t) && seq_lt(t->snd_nxt, tcp_fin_seq(t)) &&
	            t->snd_una == t->snd_max && t->rtx_deadline == TCP_NEVER;

	if (!need) {
		t->persist_deadline = TCP_NEVER;
		t->probes = 0;
		return;
	}
	if (t->persist_deadline == TCP_NEVER)
		t->persist_deadline = now + persist_interval(t);
}

void tcp_persist_fire(struct tcb *t, uint64_t now)
{
	uint32_t end = tcp_fin_seq(t), u = usable(t), len;

	t->persist_deadline = TCP_NEVER;
	if (!output_state(t) || !seq_lt(t->snd_nxt, end))
		return;
	t->probes++;
	if (u > 0) {
		/* A small window or a held partial segment: send what fits (RFC 1122 4.2.3.4's override). */
		len = end - t->snd_nxt;
		if (len > u)
			len = u;
		if (len > tcp_mss_data(t))
			len = tcp_mss_data(t);
		transmit(t, len, false, now);
	} else {
		/* An old sequence number: the peer answers with an ACK carrying its window. */
		tcp_send_ctl(t, t->snd_una - 1, TCP_ACK, now);
	}
	tcp_persist_check(t, now);
}
