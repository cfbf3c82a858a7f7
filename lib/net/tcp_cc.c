// SPDX-License-Identifier: MIT
/*
 * Congestion control: NewReno. Slow start and congestion avoidance per
 * RFC 5681 3.1 (with RFC 3465's byte counting, L = 2 SMSS in slow start),
 * fast retransmit on the third duplicate ACK and fast recovery with
 * RFC 6582's partial-ACK handling, and the loss window after a
 * retransmission timeout. With SACK, recovery sends by RFC 6675's pipe
 * (tcp_sack.c) instead of inflating cwnd.
 */
#include "lib/net/tcp_internal.h"

/* cwnd never grows past this: the window field cannot ask for more (RFC 7323 2.3). */
#define CWND_MAX (0xffffu << 14)

void tcp_cc_init(struct tcb *t)
{
	/* RFC 6928's initial window of 10 segments. */
	t->cwnd = TCP_INIT_CWND * tcp_mss_data(t);
	t->ssthresh = CWND_MAX;
	t->dupacks = 0;
	t->ca_bytes = 0;
	t->in_recovery = false;
	t->recover = t->iss;
}

/* RFC 5681 3.1 eq. 4: half the flight, at least two segments. */
static uint32_t half_flight(const struct tcb *t)
{
	uint32_t half = tcp_flight(t) / 2, two = 2 * tcp_mss_data(t);

	return half > two ? half : two;
}

/* RFC 6582 3.2 step 3 (full ACK) and step 4 (partial ACK). */
static void recovery_ack(struct tcb *t, uint32_t ack, uint32_t acked, uint64_t now)
{
	uint32_t mss = tcp_mss_data(t);

	if (seq_ge(ack, t->recover)) {
		uint32_t flight = tcp_flight(t);

		/* Deflate (step 3, option 1): min(ssthresh, max(FlightSize, SMSS) + SMSS). */
		flight = (flight > mss ? flight : mss) + mss;
		t->cwnd = t->ssthresh < flight ? t->ssthresh : flight;
		t->in_recovery = false;
		t->dupacks = 0;
		return;
	}
	/* A partial ACK: the next hole is lost too; resend it at once unless done already. */
	if (t->sack_ok) {
		if (!seq_gt(t->high_rxt, t->snd_una))
			t->high_rxt = tcp_retransmit_first(t, now);
		tcp_sack_output(t, now);
		return;
	}
	(void)tcp_retransmit_first(t, now);
	t->cwnd = acked < t->cwnd ? t->cwnd - acked : 0;
	if (acked >= mss)
		t->cwnd += mss;
	if (t->cwnd < mss)
		t->cwnd = mss;
}

void tcp_cc_ack(struct tcb *t, uint32_t ack, uint32_t acked, uint64_t now)
{
	uint32_t mss = tcp_mss_data(t);

	if (t->in_recovery) {
		recovery_ack(t, ack, acked, now);
		return;
	}
	t->dupacks = 0;
	if (t->cwnd < t->ssthresh) {
		t->cwnd += acked < 2 * mss ? acked : 2 * mss;
	} else {
		/* RFC 5681 3.1: one segment per window's worth of acknowledged bytes. */
		t->ca_bytes += acked;
		if (t->ca_bytes >= t->cwnd) {
			t->ca_bytes -= t->cwnd;
			t->cwnd += mss;
		}
	}
	if (t->cwnd > CWND_MAX)
		t->cwnd = CWND_MAX;
}

void tcp_cc_dupack(struct tcb *t, uint64_t now)
{
	uint32_t mss = tcp_mss_data(t);

	t->dupacks++;
	if (t->in_recovery && t->sack_ok) {
		tcp_sack_output(t, now);
		return;
	}
	if (t->in_recovery) {
		/* RFC 5681 3.2 step 4: each further duplicate means a segment left the network. */
		if (t->cwnd < CWND_MAX)
			t->cwnd += mss;
		tcp_output(t, now);
		return;
	}
	/*
	 * RFC 6582 3.2 step 2: no new recovery for losses of the window already
	 * recovered (recover is one past the highest byte sent, hence >=).
	 */
	/* RFC 6675 5: three segments' worth SACKed above snd_una counts as three duplicates. */
	if (t->sack_ok && t->dupacks < 3 && tcp_sacked_bytes(t) >= 3 * mss)
		t->dupacks = 3;
	if (t->dupacks < 3) {
		/* RFC 3042 limited transmit: new data keeps the ACK clock going, cwnd + 2 at most. */
		if (tcp_flight(t) + mss <= t->cwnd + 2 * mss)
			(void)tcp_output_new(t, now);
		return;
	}
	if (!seq_ge(t->snd_una, t->recover))
		return;
	t->ssthresh = half_flight(t);
	t->recover = t->snd_max;
	t->in_recovery = true;
	t->rtt_timing = false;
	t->high_rxt = tcp_retransmit_first(t, now);
	if (t->sack_ok) {
		/* RFC 6675 5 step 4: cwnd = ssthresh, then the pipe decides. */
		t->cwnd = t->ssthresh;
		tcp_sack_output(t, now);
		return;
	}
	t->cwnd = t->ssthresh + 3 * mss;
	tcp_output(t, now);
}

void tcp_cc_timeout(struct tcb *t)
{
	t->ssthresh = half_flight(t);
	t->cwnd = tcp_mss_data(t);
	t->ca_bytes = 0;
	t->dupacks = 0;
	t->in_recovery = false;
	/* RFC 2018 8: the receiver may have dropped what it SACKed; resend it all. */
	t->sacked_n = 0;
	t->high_rxt = t->snd_una;
	/* RFC 6582 4: losses of data sent before the timeout start no fast recovery. */
	t->recover = t->snd_max;
}
