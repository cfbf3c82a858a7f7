// SPDX-License-Identifier: MIT
/*
 * Selective acknowledgements (RFC 2018) and the loss recovery that uses
 * them, a conservative subset of RFC 6675: our ACKs name the out-of-order
 * ranges the receive ring holds (the latest first); the peer's blocks fill
 * a scoreboard of ranges above snd_una, and during fast recovery the
 * holes below the highest SACKed byte are resent first, then new data,
 * while the estimate of bytes in the network ("pipe") stays under cwnd.
 * The scoreboard is advisory: a timeout forgets it and resends from snd_una.
 */
#include "lib/net/tcp_internal.h"

void tcp_sack_fill(const struct tcb *t, struct tcp_opts *o)
{
	/* 40 option bytes: 3 blocks fit beside timestamps, 4 without (RFC 2018 3). */
	unsigned max = t->ts_ok ? 3 : TCP_MAX_SACK, n = 0;
	int first = -1;

	if (!t->sack_ok || t->ooo_n == 0)
		return;
	for (unsigned i = 0; i < t->ooo_n; i++)
		if (seq_le(t->ooo[i].start, t->last_ooo_seq) &&
		    seq_lt(t->last_ooo_seq, t->ooo[i].end))
			first = (int)i;
	/* RFC 2018 4: the first block holds the segment that triggered the ACK. */
	if (first >= 0) {
		o->sack[n].left = t->ooo[first].start;
		o->sack[n++].right = t->ooo[first].end;
	}
	for (unsigned i = 0; i < t->ooo_n && n < max; i++) {
		if ((int)i == first)
			continue;
		o->sack[n].left = t->ooo[i].start;
		o->sack[n++].right = t->ooo[i].end;
	}
	o->nsack = n;
	o->has |= TCP_OPT_SACK;
}

void tcp_sack_update(struct tcb *t, const struct tcp_seg *seg)
{
	unsigned n = seg->opt.nsack < TCP_MAX_SACK ? seg->opt.nsack : TCP_MAX_SACK;
	/* The floor: this ACK's or an earlier one's, whichever is higher (ACKs reorder). */
	uint32_t base = seq_gt(seg->ack, t->snd_una) ? seg->ack : t->snd_una;

	if (!t->sack_ok || !(seg->opt.has & TCP_OPT_SACK))
		return;
	for (unsigned i = 0; i < n; i++) {
		uint32_t s = seg->opt.sack[i].left, e = seg->opt.sack[i].right;

		/* Only blocks of data we sent and the peer has not acknowledged (no D-SACK). */
		if (!seq_lt(s, e) || !seq_lt(base, e) || seq_gt(e, t->snd_max))
			continue;
		if (seq_lt(s, base))
			s = base;
		(void)tcp_range_insert(t->sacked, &t->sacked_n, ARRAY_SIZE(t->sacked), s, e);
	}
}

void tcp_sack_trim(struct tcb *t)
{
	uint32_t k = 0;

	for (uint32_t i = 0; i < t->sacked_n; i++) {
		if (seq_le(t->sacked[i].end, t->snd_una))
			continue;
		t->sacked[k] = t->sacked[i];
		if (seq_lt(t->sacked[k].start, t->snd_una))
			t->sacked[k].start = t->snd_una;
		k++;
	}
	t->sacked_n = k;
}

/* Bytes of [@a, @b) no SACKed range covers. */
static uint32_t unsacked_in(const struct tcb *t, uint32_t a, uint32_t b)
{
	uint32_t n = b - a;

	for (uint32_t i = 0; i < t->sacked_n; i++) {
		uint32_t s = seq_gt(t->sacked[i].start, a) ? t->sacked[i].start : a;
		uint32_t e = seq_lt(t->sacked[i].end, b) ? t->sacked[i].end : b;

		if (seq_lt(s, e))
			n -= e - s;
	}
	return n;
}

uint32_t tcp_sacked_bytes(const struct tcb *t)
{
	return (t->snd_max - t->snd_una) - unsacked_in(t, t->snd_una, t->snd_max);
}

static uint32_t high_sacked(const struct tcb *t)
{
	return t->sacked_n ? t->sacked[t->sacked_n - 1].end : t->snd_una;
}

static uint32_t rxt_from(const struct tcb *t)
{
	return seq_gt(t->high_rxt, t->snd_una) ? t->high_rxt : t->snd_una;
}

/*
 * RFC 6675 4's pipe, simplified: outstanding bytes neither SACKed nor
 * presumed lost (the holes below the highest SACK not yet resent).
 */
static uint32_t pipe_estimate(const struct tcb *t)
{
	uint32_t out = unsacked_in(t, t->snd_una, t->snd_max);
	uint32_t rx = rxt_from(t), hs = high_sacked(t);

	if (seq_lt(rx, hs))
		out -= unsacked_in(t, rx, hs);
	return out;
}

/* The first hole at or after high_rxt and below the highest SACK. */
static bool next_hole(const struct tcb *t, uint32_t *seq, uint32_t *len)
{
	uint32_t s = rxt_from(t);

	for (uint32_t i = 0; i < t->sacked_n; i++) {
		if (seq_le(t->sacked[i].end, s))
			continue;
		if (seq_lt(s, t->sacked[i].start)) {
			*seq = s;
			*len = t->sacked[i].start - s;
			return true;
		}
		s = t->sacked[i].end;
	}
	return false;
}

void tcp_sack_output(struct tcb *t, uint64_t now)
{
	uint32_t mss = tcp_mss_data(t), p = pipe_estimate(t), seq, len;

	while (p < t->cwnd) {
		if (next_hole(t, &seq, &len)) {
			if (len > mss)
				len = mss;
			tcp_send_range(t, seq, len, now);
			t->high_rxt = seq + len;
			p += len;
			continue;
		}
		len = tcp_output_new(t, now);
		if (len == 0)
			break;
		p += len;
	}
}
