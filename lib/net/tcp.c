// SPDX-License-Identifier: MIT
/*
 * One TCP connection (lib/net/tcp.h): setting up, the calls the socket
 * layer makes on behalf of the application (open, send, receive, close)
 * and the answers for poll. Segment arrival is tcp_in.c, transmission
 * tcp_out.c, the timers tcp_timer.c, congestion control tcp_cc.c.
 */
#include <cairn/errno.h>

#include "lib/net/tcp_internal.h"
#include "lib/string.h"

void tcp_config_default(struct tcp_config *c, unsigned mtu)
{
	memset(c, 0, sizeof(*c));
	/* RFC 9293 3.7.1: the MSS counts neither the IP nor the TCP header. */
	c->mss = (uint16_t)(mtu > 40 + 64 ? mtu - 40 : 64);
	c->keepidle_s = 7200; /* RFC 1122 4.2.3.6: no less than two hours by default */
	c->keepintvl_s = 75;
	c->keepcnt = 9;
	c->wscale = true;
	c->timestamps = true;
	c->sack = true;
	c->delack_ns = 40 * NS_PER_MS;
	c->rto_init_ns = NS_PER_S;
	c->rto_min_ns = 200 * NS_PER_MS;
	c->rto_max_ns = 120 * NS_PER_S;
	c->msl_ns = 30 * NS_PER_S;
	c->syn_retries = 6;
	c->data_retries = 15;
}

void tcp_init(struct tcb *t, const struct tcp_config *cfg, const struct tcp_ops *ops, void *ctx,
              uint8_t *sndbuf, uint32_t sndsz, uint8_t *rcvbuf, uint32_t rcvsz)
{
	uint32_t laddr = t->laddr, raddr = t->raddr;
	uint16_t lport = t->lport, rport = t->rport;

	/* The glue may have set the addresses before or after this call: keep them. */
	memset(t, 0, sizeof(*t));
	t->laddr = laddr;
	t->raddr = raddr;
	t->lport = lport;
	t->rport = rport;
	t->state = TCP_CLOSED;
	t->cfg = *cfg;
	t->ops = ops;
	t->ctx = ctx;
	t->snd.buf = sndbuf;
	t->snd.size = sndsz;
	t->rcv.buf = rcvbuf;
	t->rcv.size = rcvsz;
	t->rto_ns = cfg->rto_init_ns;
	t->rtx_deadline = t->delack_deadline = t->persist_deadline = TCP_NEVER;
	t->keep_deadline = t->tw_deadline = TCP_NEVER;
}

void tcp_ev_flush(struct tcb *t)
{
	unsigned ev = t->ev;

	t->ev = 0;
	if (ev && t->ops && t->ops->event)
		t->ops->event(t->ctx, ev);
}

uint32_t tcp_ts_now(const struct tcb *t, uint64_t now)
{
	/* RFC 7323 5.4: a per-connection offset hides the host's clock; the ISN serves. */
	return (uint32_t)(now / NS_PER_MS) + t->iss;
}

/* The smallest shift that fits the receive ring in a 16-bit window (RFC 7323 2.3). */
static uint8_t wscale_for(uint32_t size)
{
	uint8_t s = 0;

	while (s < 14 && (size >> s) > 0xffffu)
		s++;
	return s;
}

/* Sequence variables of a fresh connection whose SYN is @iss. */
static void start_seq(struct tcb *t, uint32_t iss, uint64_t now)
{
	t->iss = iss;
	t->snd_una = iss;
	t->snd_nxt = t->snd_max = iss + 1;
	t->snd_base = iss + 1;
	t->recover = iss;
	t->error = 0;
	t->rcv_wscale = t->cfg.wscale ? wscale_for(t->rcv.size) : 0;
	t->rtt_timing = true;
	t->rtt_seq = iss + 1;
	t->rtt_start = now;
	t->last_rcv_ns = now;
}

void tcp_syn_options(struct tcb *t, const struct tcp_seg *syn, uint64_t now)
{
	const struct tcp_opts *o = &syn->opt;
	uint32_t mss = (o->has & TCP_OPT_MSS) ? o->mss : TCP_DEFAULT_MSS;

	/* Our own MSS bounds what we send too; a tiny MSS would make headers the whole stream. */
	if (mss > t->cfg.mss)
		mss = t->cfg.mss;
	if (mss < 64)
		mss = 64;
	t->smss = (uint16_t)mss;
	t->wscale_ok = t->cfg.wscale && (o->has & TCP_OPT_WSCALE);
	t->snd_wscale = t->wscale_ok ? (o->wscale > 14 ? 14 : o->wscale) : 0;
	if (!t->wscale_ok)
		t->rcv_wscale = 0;
	t->ts_ok = t->cfg.timestamps && (o->has & TCP_OPT_TS);
	t->sack_ok = t->cfg.sack && (o->has & TCP_OPT_SACK_OK);
	if (t->ts_ok) {
		t->ts_recent = o->ts_val;
		t->ts_recent_age_s = (uint32_t)(now / NS_PER_S);
	}
	/* RFC 7323 2.2: the window of a SYN is never scaled. */
	t->snd_wnd = t->max_snd_wnd = syn->wnd;
	t->snd_wl1 = syn->seq;
	t->irs = syn->seq;
	t->rcv_nxt = t->rcv_adv = t->last_ack_sent = syn->seq + 1;
	t->rcv_mss = tcp_mss_data(t);
	tcp_cc_init(t);
}

int tcp_connect(struct tcb *t, uint64_t now, uint32_t iss)
{
	if (t->state != TCP_CLOSED)
		return -EISCONN;
	t->passive = false;
	start_seq(t, iss, now);
	t->state = TCP_SYN_SENT;
	tcp_send_syn(t, now);
	tcp_rtx_arm(t, now);
	tcp_ev_flush(t);
	return 0;
}

int tcp_accept_syn(struct tcb *t, const struct tcp_seg *syn, uint64_t now, uint32_t iss)
{
	if (t->state != TCP_CLOSED)
		return -EISCONN;
	if ((syn->flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
		return -EINVAL;
	t->passive = true;
	start_seq(t, iss, now);
	tcp_syn_options(t, syn, now);
	t->snd_wl2 = iss;
	t->state = TCP_SYN_RECEIVED;
	tcp_send_syn(t, now);
	tcp_rtx_arm(t, now);
	tcp_ev_flush(t);
	return 0;
}

/* Why the application may not send now, or 0. */
static int send_check(const struct tcb *t)
{
	if (t->error)
		return t->error;
	if (t->fin_queued)
		return -EPIPE;
	if (t->state != TCP_ESTABLISHED && t->state != TCP_CLOSE_WAIT)
		return -ENOTCONN;
	return 0;
}

size_t tcp_send_space(struct tcb *t, uint8_t **p1, size_t *n1, uint8_t **p2, size_t *n2)
{
	uint32_t free = tcp_ring_free(&t->snd);
	const uint8_t *c1, *c2;

	/* The free space starts at the tail: offset len from the head. */
	tcp_ring_pieces(&t->snd, t->snd.len, free, &c1, n1, &c2, n2);
	*p1 = (uint8_t *)(uintptr_t)c1;
	*p2 = (uint8_t *)(uintptr_t)c2;
	return free;
}

int tcp_send_commit(struct tcb *t, size_t n, bool more, uint64_t now)
{
	int err = send_check(t);

	if (err)
		return err;
	if (n > tcp_ring_free(&t->snd))
		return -EINVAL;
	t->snd.len += (uint32_t)n;
	t->corked = more;
	tcp_output(t, now);
	tcp_ev_flush(t);
	return 0;
}

size_t tcp_recv_peek(struct tcb *t, const uint8_t **p1, size_t *n1, const uint8_t **p2, size_t *n2)
{
	tcp_ring_pieces(&t->rcv, 0, t->rcv.len, p1, n1, p2, n2);
	return t->rcv.len;
}

/* Whether reading opened the window enough to tell the peer (RFC 1122 4.2.3.3's SWS rule). */
static bool window_update_due(const struct tcb *t)
{
	uint32_t adv = t->rcv_adv - t->rcv_nxt;
	uint32_t now_wnd = tcp_rcv_window(t);
	uint32_t half = t->rcv.size / 2, step = tcp_mss_data(t);

	if (t->rcv_fin || (t->state != TCP_ESTABLISHED && t->state != TCP_FIN_WAIT_1 &&
	                   t->state != TCP_FIN_WAIT_2))
		return false;
	/* A peer held to less than half the ring hears as soon as a segment's worth opens. */
	if (step > half)
		step = half;
	return adv < half && now_wnd > adv && now_wnd - adv >= step;
}

void tcp_recv_consume(struct tcb *t, size_t n, uint64_t now)
{
	if (n > t->rcv.len)
		n = t->rcv.len;
	tcp_ring_drop(&t->rcv, (uint32_t)n);
	/*
	 * The application took everything while an ACK was being delayed: no
	 * reply is coming to carry it unless this is an exchange (pingpong),
	 * so it goes now and the sender need not wait for the timer (Linux's
	 * "pushed" ACK on an emptied queue does the same).
	 */
	if (window_update_due(t) ||
	    (t->delack_deadline != TCP_NEVER && t->rcv.len == 0 && !t->pingpong))
		tcp_send_ack(t, now);
	tcp_ev_flush(t);
}

/* Queue our FIN behind the data: the state moves now, the FIN leaves when Nagle and the window let it. */
static int queue_fin(struct tcb *t, uint64_t now)
{
	if (t->fin_queued)
		return 0;
	switch (t->state) {
	case TCP_ESTABLISHED:
		t->state = TCP_FIN_WAIT_1;
		break;
	case TCP_CLOSE_WAIT:
		t->state = TCP_LAST_ACK;
		break;
	case TCP_SYN_RECEIVED:
		/* RFC 9293 3.10.4: the FIN waits for ESTABLISHED (tcp_in.c moves on to FIN_WAIT_1). */
		break;
	default:
		return -ENOTCONN;
	}
	t->fin_queued = true;
	t->corked = false;
	tcp_output(t, now);
	return 0;
}

int tcp_shutdown_wr(struct tcb *t, uint64_t now)
{
	int err = queue_fin(t, now);

	tcp_ev_flush(t);
	return err;
}

void tcp_close(struct tcb *t, uint64_t now)
{
	t->rd_closed = true;
	switch (t->state) {
	case TCP_CLOSED:
		return;
	case TCP_LISTEN:
	case TCP_SYN_SENT:
		tcp_set_closed(t, 0);
		break;
	default:
		if (t->rcv.len > 0) {
			/* RFC 9293 3.10.4 allows it, Linux does it: unread data means the peer must know. */
			tcp_send_ctl(t, t->snd_max, TCP_RST | TCP_ACK, now);
			tcp_set_closed(t, 0);
			break;
		}
		if (queue_fin(t, now) == 0 && t->state == TCP_FIN_WAIT_2)
			t->tw_deadline = now + 2 * t->cfg.msl_ns;
		break;
	}
	tcp_ev_flush(t);
}

void tcp_abort(struct tcb *t, uint64_t now)
{
	switch (t->state) {
	case TCP_CLOSED:
	case TCP_LISTEN:
	case TCP_SYN_SENT:
	case TCP_TIME_WAIT:
		break;
	default:
		tcp_send_ctl(t, t->snd_max, TCP_RST | TCP_ACK, now);
		break;
	}
	tcp_set_closed(t, 0);
	/* The caller frees the rings on return: no event, in particular no TCP_EV_CLOSED. */
	t->ev = 0;
}

void tcp_config_changed(struct tcb *t, uint64_t now)
{
	tcp_keep_reset(t, now);
	if (t->cfg.nodelay)
		tcp_output(t, now);
	tcp_ev_flush(t);
}

bool tcp_tw_accepts_syn(const struct tcb *t, const struct tcp_seg *syn)
{
	if (t->state != TCP_TIME_WAIT || (syn->flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
		return false;
	if (t->ts_ok && (syn->opt.has & TCP_OPT_TS))
		return seq_gt(syn->opt.ts_val, t->ts_recent);
	return seq_gt(syn->seq, t->rcv_nxt);
}

bool tcp_readable(const struct tcb *t)
{
	return t->rcv.len > 0 || t->rcv_fin || t->error != 0;
}

size_t tcp_send_free(const struct tcb *t)
{
	return tcp_ring_free(&t->snd);
}

size_t tcp_recv_queued(const struct tcb *t)
{
	return t->rcv.len;
}

size_t tcp_send_queued(const struct tcb *t)
{
	return t->snd.len;
}

bool tcp_rst_reply(const struct tcp_seg *in, struct tcp_seg *rst)
{
	if (in->flags & TCP_RST)
		return false;
	memset(rst, 0, sizeof(*rst));
	rst->sport = in->dport;
	rst->dport = in->sport;
	if (in->flags & TCP_ACK) {
		rst->seq = in->ack;
		rst->flags = TCP_RST;
	} else {
		rst->ack = in->seq + (uint32_t)in->len + !!(in->flags & TCP_SYN) +
		           !!(in->flags & TCP_FIN);
		rst->flags = TCP_RST | TCP_ACK;
	}
	return true;
}
