// SPDX-License-Identifier: MIT
/*
 * The timers of a connection, all deadlines in the tcb on the caller's
 * clock: retransmission (RFC 6298: the estimator, Karn's rule, exponential
 * backoff between rto_min and rto_max, retry limits ending in ETIMEDOUT),
 * the delayed ACK, the persist timer (tcp_out.c sends the probe),
 * keepalive (RFC 1122 4.2.3.6) and TIME_WAIT's 2 MSL (RFC 9293 3.6.1),
 * which also bounds FIN_WAIT_2 once the application has closed.
 */
#include <cairn/errno.h>

#include "lib/net/tcp_internal.h"

/* RFC 6298 2.4 (clamped below by rto_min) and 2.5 (above by rto_max). */
static uint64_t rto_clamp(const struct tcb *t, uint64_t rto)
{
	if (rto < t->cfg.rto_min_ns)
		rto = t->cfg.rto_min_ns;
	if (rto > t->cfg.rto_max_ns)
		rto = t->cfg.rto_max_ns;
	return rto;
}

void tcp_rtt_sample(struct tcb *t, uint64_t rtt)
{
	uint64_t delta, var;

	if (rtt > t->cfg.rto_max_ns)
		rtt = t->cfg.rto_max_ns;
	if (t->srtt_ns == 0 && t->rttvar_ns == 0) {
		/* RFC 6298 2.2: the first measurement. */
		t->srtt_ns = rtt;
		t->rttvar_ns = rtt / 2;
	} else {
		/* RFC 6298 2.3 with alpha = 1/8 and beta = 1/4. */
		delta = t->srtt_ns > rtt ? t->srtt_ns - rtt : rtt - t->srtt_ns;
		t->rttvar_ns = (3 * t->rttvar_ns + delta) / 4;
		t->srtt_ns = (7 * t->srtt_ns + rtt) / 8;
	}
	/* The clock granularity G is a millisecond: the timestamps' tick. */
	var = 4 * t->rttvar_ns;
	if (var < NS_PER_MS)
		var = NS_PER_MS;
	t->rto_ns = rto_clamp(t, t->srtt_ns + var);
}

void tcp_rtx_arm(struct tcb *t, uint64_t now)
{
	t->rtx_deadline = now + t->rto_ns;
	t->persist_deadline = TCP_NEVER;
}

void tcp_rtx_stop(struct tcb *t)
{
	t->rtx_deadline = TCP_NEVER;
}

static bool synchronized(const struct tcb *t)
{
	switch (t->state) {
	case TCP_CLOSED:
	case TCP_LISTEN:
	case TCP_SYN_SENT:
	case TCP_SYN_RECEIVED:
	case TCP_TIME_WAIT:
		return false;
	default:
		return true;
	}
}

void tcp_keep_reset(struct tcb *t, uint64_t now)
{
	t->keep_probes = 0;
	if (t->cfg.keepalive && synchronized(t))
		t->keep_deadline = t->last_rcv_ns + (uint64_t)t->cfg.keepidle_s * NS_PER_S;
	else
		t->keep_deadline = TCP_NEVER;
	if (t->keep_deadline != TCP_NEVER && t->keep_deadline < now)
		t->keep_deadline = now;
}

void tcp_set_closed(struct tcb *t, int err)
{
	t->state = TCP_CLOSED;
	t->rtx_deadline = t->delack_deadline = t->persist_deadline = TCP_NEVER;
	t->keep_deadline = t->tw_deadline = TCP_NEVER;
	if (err) {
		t->error = err;
		tcp_ev(t, TCP_EV_ERROR | TCP_EV_READABLE | TCP_EV_WRITABLE);
	}
	tcp_ev(t, TCP_EV_CLOSED);
}

void tcp_enter_time_wait(struct tcb *t, uint64_t now)
{
	t->state = TCP_TIME_WAIT;
	t->rtx_deadline = t->delack_deadline = t->persist_deadline = TCP_NEVER;
	t->keep_deadline = TCP_NEVER;
	t->tw_deadline = now + 2 * t->cfg.msl_ns;
}

/* RFC 6298 5.4-5.7: retransmit the earliest segment, back off, restart the timer. */
static void rtx_fire(struct tcb *t, uint64_t now)
{
	bool syn = t->state == TCP_SYN_SENT || t->state == TCP_SYN_RECEIVED;
	uint32_t limit = syn ? t->cfg.syn_retries : t->cfg.data_retries;
	uint32_t end;

	t->rtx_deadline = TCP_NEVER;
	if (t->snd_una == t->snd_max)
		return;
	/*
	 * A peer that closed its window but still answers is alive: its
	 * silence, not the window, decides (Linux does the same).
	 */
	if (!syn && t->snd_wnd == 0 && now - t->last_rcv_ns <= t->cfg.rto_max_ns)
		t->retries = t->retries ? t->retries - 1 : 0;
	if (++t->retries > limit) {
		/* A passive half-open connection just goes: nobody waits for it. */
		tcp_set_closed(t, t->passive && t->state == TCP_SYN_RECEIVED ? 0 : -ETIMEDOUT);
		return;
	}
	t->rto_ns = rto_clamp(t, t->rto_ns * 2);
	t->rtt_timing = false;
	if (!syn)
		tcp_cc_timeout(t);
	/* Go back: everything after the first segment is sent again as the window reopens. */
	t->snd_nxt = t->snd_una;
	end = tcp_retransmit_first(t, now);
	if (seq_gt(end, t->snd_nxt))
		t->snd_nxt = end;
	tcp_rtx_arm(t, now);
}

static void keep_fire(struct tcb *t, uint64_t now)
{
	uint64_t idle = (uint64_t)t->cfg.keepidle_s * NS_PER_S;

	t->keep_deadline = TCP_NEVER;
	if (!t->cfg.keepalive || !synchronized(t))
		return;
	/* Data in flight has its own timer; keepalive is for an idle connection. */
	if (t->snd_una != t->snd_max || now < t->last_rcv_ns + idle) {
		t->keep_deadline =
			(now < t->last_rcv_ns + idle ? t->last_rcv_ns + idle : now + idle);
		return;
	}
	if (t->keep_probes >= t->cfg.keepcnt) {
		tcp_set_closed(t, -ETIMEDOUT);
		return;
	}
	t->keep_probes++;
	/* RFC 1122 4.2.3.6: an old sequence number draws an ACK from a live peer. */
	tcp_send_ctl(t, t->snd_una - 1, TCP_ACK, now);
	t->keep_deadline = now + (uint64_t)t->cfg.keepintvl_s * NS_PER_S;
}

uint64_t tcp_deadline(const struct tcb *t)
{
	uint64_t d = t->rtx_deadline;

	if (t->delack_deadline < d)
		d = t->delack_deadline;
	if (t->persist_deadline < d)
		d = t->persist_deadline;
	if (t->keep_deadline < d)
		d = t->keep_deadline;
	if (t->tw_deadline < d)
		d = t->tw_deadline;
	return d;
}

void tcp_timer(struct tcb *t, uint64_t now)
{
	if (t->tw_deadline <= now) {
		t->tw_deadline = TCP_NEVER;
		if (t->state == TCP_TIME_WAIT || t->state == TCP_FIN_WAIT_2)
			tcp_set_closed(t, 0);
	}
	if (t->state != TCP_CLOSED && t->rtx_deadline <= now)
		rtx_fire(t, now);
	if (t->state != TCP_CLOSED && t->persist_deadline <= now)
		tcp_persist_fire(t, now);
	if (t->state != TCP_CLOSED && t->delack_deadline <= now) {
		t->delack_deadline = TCP_NEVER;
		/* No data came to carry the ACK: not an exchange after all (as Linux). */
		t->pingpong = false;
		tcp_send_ack(t, now);
	}
	if (t->state != TCP_CLOSED && t->keep_deadline <= now)
		keep_fire(t, now);
	tcp_ev_flush(t);
}
