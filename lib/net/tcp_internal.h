/* SPDX-License-Identifier: MIT */
/*
 * What the files of lib/net/tcp*.c share and nobody else sees: the ring
 * helpers, the output engine, the timers and the congestion control hooks.
 * The public interface is lib/net/tcp.h.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/net/tcp.h"

/* A timer that is not armed. */
#define TCP_NEVER UINT64_MAX

/* The MSS assumed when the peer's SYN carries none (RFC 9293 3.7.1). */
#define TCP_DEFAULT_MSS     536u
/* Bytes the timestamps option takes in every segment: 2 NOPs + 10 (RFC 7323 appendix A). */
#define TCP_TS_OPTLEN       12u
/* RFC 6928's initial window, in segments. */
#define TCP_INIT_CWND       10u
/* The most challenge ACKs one connection sends in a second (RFC 5961 7). */
#define TCP_CHALLENGE_PER_S 10u
/* RFC 7323 5.5: a ts_recent older than 24 days is not trusted for PAWS. */
#define TCP_PAWS_IDLE_S     (24u * 24u * 3600u)

#define NS_PER_MS 1000000ull
#define NS_PER_S  1000000000ull

/* ---- tcp_ring.c ---- */
uint32_t tcp_ring_free(const struct tcp_ring *r);
/* Copy @n bytes to offset @off past the ring's tail (head + len + off); the caller checked room. */
void tcp_ring_write_at(struct tcp_ring *r, uint32_t off, const uint8_t *src, uint32_t n);
/* Up to two pieces of the @n bytes at offset @off from the head. */
void tcp_ring_pieces(const struct tcp_ring *r, uint32_t off, uint32_t n, const uint8_t **p1,
                     size_t *n1, const uint8_t **p2, size_t *n2);
void tcp_ring_drop(struct tcp_ring *r, uint32_t n);
/* The most ranges a list holds (tcb.ooo, tcb.sacked). */
#define TCP_RANGES_MAX 8u
/*
 * Merge [@s, @e) into the sorted, disjoint, non-adjacent ranges @r (*@n of
 * them, at most @max <= TCP_RANGES_MAX); false, nothing changed, when it
 * would need one more than @max.
 */
bool tcp_range_insert(struct tcp_range *r, uint32_t *n, unsigned max, uint32_t s, uint32_t e);

/* ---- tcp_isn.c ---- */
/* SipHash-2-4 of @len bytes at @m under @key (exposed for its test vectors). */
uint64_t tcp_siphash24(const uint8_t key[16], const uint8_t *m, size_t len);

/* ---- tcp_out.c ---- */
/* Send what the windows, Nagle and the state allow. */
void tcp_output(struct tcb *t, uint64_t now);
/* Our SYN (SYN_SENT) or SYN-ACK (SYN_RECEIVED) with its options, at iss. */
void tcp_send_syn(struct tcb *t, uint64_t now);
/* An ACK now (carrying the window and timestamps). */
void tcp_send_ack(struct tcb *t, uint64_t now);
/* A bare segment with @flags at @seq (RSTs, SYNs, probes). */
void tcp_send_ctl(struct tcb *t, uint32_t seq, uint8_t flags, uint64_t now);
/* Retransmit the first unacknowledged segment; returns the sequence number after it. */
uint32_t tcp_retransmit_first(struct tcb *t, uint64_t now);
/* Arm or stop the persist timer as the send state asks (RFC 9293 3.8.6.1). */
void tcp_persist_check(struct tcb *t, uint64_t now);
/* The persist timer fired: a window probe, or a forced small segment. */
void tcp_persist_fire(struct tcb *t, uint64_t now);
/* The window we advertise, unscaled bytes. */
uint32_t tcp_rcv_window(const struct tcb *t);
/* Payload bytes per segment: the peer's MSS less our options. */
uint32_t tcp_mss_data(const struct tcb *t);
/* Sequence number of the FIN (valid when fin_queued). */
uint32_t tcp_fin_seq(const struct tcb *t);
/* Bytes in flight (snd_max - snd_una, SYN and FIN included). */
uint32_t tcp_flight(const struct tcb *t);

/* Resend [@seq, @seq + @len) of the send ring (a SACK hole). */
void tcp_send_range(struct tcb *t, uint32_t seq, uint32_t len, uint64_t now);
/* One new segment as the peer's window and Nagle allow, cwnd not asked; its length or 0. */
uint32_t tcp_output_new(struct tcb *t, uint64_t now);

/* ---- tcp_sack.c (RFC 2018, RFC 6675) ---- */
/* Our SACK blocks for an outgoing ACK. */
void tcp_sack_fill(const struct tcb *t, struct tcp_opts *o);
/* Take an acceptable ACK's blocks into the scoreboard. */
void tcp_sack_update(struct tcb *t, const struct tcp_seg *seg);
/* Drop what snd_una passed. */
void tcp_sack_trim(struct tcb *t);
uint32_t tcp_sacked_bytes(const struct tcb *t);
/* Send in fast recovery: holes first, then new data, while pipe < cwnd. */
void tcp_sack_output(struct tcb *t, uint64_t now);

/* ---- tcp_timer.c ---- */
void tcp_rtt_sample(struct tcb *t, uint64_t rtt_ns);
void tcp_rtx_arm(struct tcb *t, uint64_t now);
void tcp_rtx_stop(struct tcb *t);
void tcp_keep_reset(struct tcb *t, uint64_t now);
void tcp_enter_time_wait(struct tcb *t, uint64_t now);
/* Mark @t CLOSED with error @err (0: none) and queue the events. */
void tcp_set_closed(struct tcb *t, int err);

/* ---- tcp_cc.c (NewReno: RFC 5681, RFC 6582) ---- */
void tcp_cc_init(struct tcb *t);
/* A new ACK that advanced snd_una by @acked bytes; @ack the new snd_una. */
void tcp_cc_ack(struct tcb *t, uint32_t ack, uint32_t acked, uint64_t now);
/* A duplicate ACK (RFC 5681 2). */
void tcp_cc_dupack(struct tcb *t, uint64_t now);
/* The retransmission timer fired (RFC 5681 3.1 eq. 4). */
void tcp_cc_timeout(struct tcb *t);

/* ---- tcp_in.c, tcp_rcv.c ---- */
void tcp_input_synsent(struct tcb *t, const struct tcp_seg *seg, uint64_t now);
/* The segment's text and FIN, once its ACK is processed (RFC 9293 3.10.7.4 "seventh", "eighth"). */
void tcp_data_in(struct tcb *t, const struct tcp_seg *seg, uint64_t now);

/* ---- tcp.c ---- */
/* Queue events for the end of the current call. */
static inline void tcp_ev(struct tcb *t, unsigned ev)
{
	t->ev |= ev;
}
/* Deliver the queued events: the last thing a public call does (the glue may free @t). */
void tcp_ev_flush(struct tcb *t);
/* Take the peer's SYN options: MSS, window scale, timestamps. */
void tcp_syn_options(struct tcb *t, const struct tcp_seg *syn, uint64_t now);
/* The timestamp clock (RFC 7323 5.4): milliseconds plus a per-connection offset. */
uint32_t tcp_ts_now(const struct tcb *t, uint64_t now);
