/* SPDX-License-Identifier: MIT */
/*
 * One TCP connection as a pure state machine (RFC 9293): segments and the
 * clock go in, segments come out through a callback, and the bytes wait
 * in two rings the caller provides. No allocation, no locks, no clock of
 * its own: the kernel's socket glue (kernel/net/tcp_sock.c) serialises
 * every call on one connection, and the host tests drive it with scripted
 * segments and a fake clock.
 *
 * What it does: the three-way handshake (active, passive, simultaneous
 * open), data transfer with retransmission (RTO per RFC 6298, fast
 * retransmit and recovery per RFC 5681 and NewReno per RFC 6582), window
 * scaling and timestamps (RFC 7323), delayed ACK and Nagle (RFC 9293
 * 3.8.6, RFC 1122 4.2.3), out-of-order data kept in the receive ring,
 * zero-window probes, keepalive (RFC 1122 4.2.3.6), RFC 5961's challenge
 * ACKs, orderly close through TIME_WAIT and abort with RST.
 *
 * Times are nanoseconds on a monotonic clock the caller passes in (@now).
 * Sequence numbers wrap (seq_lt() and friends in lib/net/wire.h).
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/net/wire.h"

/* RFC 9293 3.3.2's states; the numbers are Linux's (its /proc/net/tcp "st" column is state). */
enum tcp_state {
	TCP_CLOSED = 7,
	TCP_LISTEN = 10,
	TCP_SYN_SENT = 2,
	TCP_SYN_RECEIVED = 3,
	TCP_ESTABLISHED = 1,
	TCP_FIN_WAIT_1 = 4,
	TCP_FIN_WAIT_2 = 5,
	TCP_CLOSE_WAIT = 8,
	TCP_CLOSING = 11,
	TCP_LAST_ACK = 9,
	TCP_TIME_WAIT = 6,
};

/* Settings; the glue fills them before tcp_init() and may change the marked ones any time. */
struct tcp_config {
	uint16_t mss;          /* the MSS we announce: the route's MTU - 40 */
	bool nodelay;          /* changeable: TCP_NODELAY, Nagle off */
	bool keepalive;        /* changeable: SO_KEEPALIVE */
	uint32_t keepidle_s;   /* changeable: TCP_KEEPIDLE (7200) */
	uint32_t keepintvl_s;  /* changeable: TCP_KEEPINTVL (75) */
	uint32_t keepcnt;      /* changeable: TCP_KEEPCNT (9) */
	bool wscale;           /* offer window scaling (RFC 7323) */
	bool timestamps;       /* offer timestamps (RFC 7323) */
	bool sack;             /* offer SACK (RFC 2018), a stretch */
	uint64_t delack_ns;    /* delayed-ACK timer (40 ms as Linux's minimum) */
	uint64_t rto_init_ns;  /* 1 s (RFC 6298 2.1) */
	uint64_t rto_min_ns;   /* 200 ms, Linux's; RFC 6298 says 1 s "SHOULD" */
	uint64_t rto_max_ns;   /* 120 s */
	uint64_t msl_ns;       /* TIME_WAIT lasts 2 * msl_ns (Linux: 60 s in all) */
	uint32_t syn_retries;  /* SYN retransmissions before ETIMEDOUT (6) */
	uint32_t data_retries; /* data retransmissions before ETIMEDOUT (15) */
};
/* Linux-like defaults for a connection whose route has @mtu. */
void tcp_config_default(struct tcp_config *c, unsigned mtu);

/* A segment to send: the header fields, and the payload as up to two pieces of the send ring. */
struct tcp_out {
	struct tcp_seg seg; /* ports, seq, ack, flags, wnd, opt; seg.payload unused */
	const uint8_t *data[2];
	size_t dlen[2]; /* payload bytes = dlen[0] + dlen[1] */
};

/* TCP_EV_*: what changed, for tcp_ops.event (the glue wakes its waiters). */
#define TCP_EV_READABLE  (1u << 0) /* data, a FIN or an error to read */
#define TCP_EV_WRITABLE  (1u << 1) /* send-ring space */
#define TCP_EV_CONNECTED (1u << 2) /* reached ESTABLISHED */
#define TCP_EV_ERROR     (1u << 3) /* tcb.error set (reset, refused, timed out) */
#define TCP_EV_CLOSED    (1u << 4) /* reached CLOSED: the glue may free the tcb */

struct tcp_ops {
	/*
	 * Put @o on the wire: the glue builds the TCP header (tcp_build())
	 * and the IP header and copies the payload. Called from inside the
	 * tcp_* calls, under whatever lock the caller holds: it must not
	 * sleep. A failure (no memory, no route) is a lost segment: TCP's
	 * retransmission covers it.
	 */
	int (*output)(void *ctx, const struct tcp_out *o);
	/* Something in TCP_EV_* happened; same context as output. */
	void (*event)(void *ctx, unsigned ev);
};

/* A byte ring of the caller's memory. */
struct tcp_ring {
	uint8_t *buf;
	uint32_t size; /* bytes */
	uint32_t head; /* offset of the oldest byte */
	uint32_t len;  /* bytes held */
};

/* A range of sequence numbers [start, end). */
struct tcp_range {
	uint32_t start, end;
};

/*
 * The connection. The glue reads the fields marked [g] and sets the
 * addresses and ports before tcp_connect()/tcp_accept_syn(); everything
 * else is the state machine's. The lane that implements this file adds
 * its own fields below the marker.
 */
struct tcb {
	enum tcp_state state;  /* [g] */
	uint32_t laddr, raddr; /* [g] set by the glue, host order */
	uint16_t lport, rport; /* [g] set by the glue */
	int error;             /* [g] the pending socket error (-errno), 0: none */
	bool rcv_fin;          /* [g] the peer's FIN arrived and every byte before it */
	struct tcp_config cfg; /* [g] */
	const struct tcp_ops *ops;
	void *ctx;
	struct tcp_ring snd, rcv;
	/* ---- the state machine's own ---- */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2;
	uint32_t irs, rcv_nxt, rcv_wnd, rcv_adv;
	uint8_t snd_wscale, rcv_wscale;
	bool ts_ok, sack_ok, wscale_ok, fin_queued, fin_sent;
	uint16_t smss;
	uint32_t cwnd, ssthresh, recover, dupacks;
	uint32_t ts_recent, ts_recent_age_s;
	uint64_t srtt_ns, rttvar_ns, rto_ns;
	uint64_t rtx_deadline, delack_deadline, persist_deadline, keep_deadline, tw_deadline;
	uint32_t retries;
	uint64_t last_rcv_ns;
	uint32_t ooo_n; /* out-of-order ranges held in the receive ring */
	struct tcp_range ooo[8];
	/* ---- added by the tcp lane (lib/net/tcp*.c) ---- */
	uint32_t snd_base;      /* sequence number of the send ring's head byte */
	uint32_t max_snd_wnd;   /* the largest window the peer offered (RFC 5961 5) */
	uint32_t rcv_mss;       /* the largest payload received (delayed ACK's "full segment") */
	uint32_t delack_bytes;  /* bytes received since our last ACK */
	uint32_t last_ack_sent; /* rcv_nxt of our last ACK (RFC 7323 4.3) */
	uint32_t fin_rcv_seq;   /* the peer's FIN when it came ahead of data (fin_rcv_ooo) */
	uint32_t rtt_seq;       /* the timed segment's end, without timestamps (rtt_timing) */
	uint64_t rtt_start;     /* when the timed segment left */
	uint32_t probes;        /* persist probes sent since the window last opened */
	uint32_t keep_probes;   /* keepalive probes unanswered */
	uint32_t ca_bytes;      /* bytes acked toward the next congestion-avoidance step */
	uint32_t chal_count;    /* challenge ACKs sent since chal_start (RFC 5961 7) */
	uint64_t chal_start;
	unsigned ev;           /* TCP_EV_* queued for the end of the current call */
	bool passive;          /* opened by tcp_accept_syn() */
	bool in_recovery;      /* NewReno fast recovery until snd_una passes recover */
	bool fin_rcv_ooo;      /* fin_rcv_seq is valid */
	bool rtt_timing;       /* rtt_seq/rtt_start time a segment */
	bool rd_closed;        /* tcp_close() ran: new data is answered with RST */
	bool corked;           /* MSG_MORE: hold a partial segment */
	uint32_t last_ooo_seq; /* the latest out-of-order segment (its SACK block goes first) */
	uint32_t high_rxt;     /* SACK recovery: holes below this were retransmitted (RFC 6675) */
	uint32_t sacked_n;     /* the peer's SACK scoreboard: ranges above snd_una, sorted */
	struct tcp_range sacked[8];
	uint64_t last_data_ns; /* when in-order data last arrived */
	bool pingpong;         /* interactive: our data follows the peer's within delack_ns */
};

/*
 * Set up @t in CLOSED with @cfg, the callbacks and the rings (@sndsz and
 * @rcvsz bytes of the caller's memory, alive until TCP_EV_CLOSED or
 * tcp_abort()). The receive ring bounds the advertised window.
 */
void tcp_init(struct tcb *t, const struct tcp_config *cfg, const struct tcp_ops *ops, void *ctx,
              uint8_t *sndbuf, uint32_t sndsz, uint8_t *rcvbuf, uint32_t rcvsz);

/* Active open: send a SYN with sequence @iss (tcp_isn()); SYN_SENT. -EISCONN unless CLOSED. */
int __must_check tcp_connect(struct tcb *t, uint64_t now, uint32_t iss);
/*
 * Passive open: @t is fresh (tcp_init()), @syn a SYN that reached a
 * listening socket (the glue checked that it is a SYN without ACK or RST).
 * Sends the SYN-ACK; SYN_RECEIVED. TCP_EV_CONNECTED when the handshake
 * completes: the glue then queues it for accept().
 */
int __must_check tcp_accept_syn(struct tcb *t, const struct tcp_seg *syn, uint64_t now,
                                uint32_t iss);
/* A segment whose 4-tuple is this connection's (RFC 9293 3.10.7). */
void tcp_input(struct tcb *t, const struct tcp_seg *seg, uint64_t now);

/*
 * Sending: the free space of the send ring as up to two pieces; the glue
 * copies the application's bytes there and commits how many it wrote.
 * tcp_send_commit() may transmit (Nagle permitting; @more: MSG_MORE, hold
 * a partial segment). -EPIPE after shutdown(SHUT_WR) or close, -ENOTCONN
 * before the handshake, t->error when one is pending.
 */
size_t tcp_send_space(struct tcb *t, uint8_t **p1, size_t *n1, uint8_t **p2, size_t *n2);
int __must_check tcp_send_commit(struct tcb *t, size_t n, bool more, uint64_t now);
/*
 * Receiving: the in-order bytes as up to two pieces; the glue copies out
 * and consumes what it took (MSG_PEEK: it does not consume). Consuming
 * may send a window update.
 */
size_t tcp_recv_peek(struct tcb *t, const uint8_t **p1, size_t *n1, const uint8_t **p2, size_t *n2);
void tcp_recv_consume(struct tcb *t, size_t n, uint64_t now);

/* shutdown(SHUT_WR): a FIN after the queued bytes. */
int __must_check tcp_shutdown_wr(struct tcb *t, uint64_t now);
/*
 * close(): as shutdown(SHUT_WR), except that unread received bytes make it
 * an abort with RST (RFC 9293 3.10.4 permits; Linux does it). The glue
 * keeps the tcb until TCP_EV_CLOSED (through TIME_WAIT).
 */
void tcp_close(struct tcb *t, uint64_t now);
/* Send a RST (unless CLOSED, LISTEN or SYN_SENT) and go to CLOSED at once. */
void tcp_abort(struct tcb *t, uint64_t now);

/*
 * The glue changed a field of t->cfg marked "changeable" (TCP_NODELAY,
 * the keepalive settings): re-arm the keepalive timer, push data Nagle held.
 */
void tcp_config_changed(struct tcb *t, uint64_t now);
/*
 * A SYN for the 4-tuple of @t in TIME_WAIT may open a new incarnation
 * (RFC 9293 3.6.1, RFC 6191: its timestamp, or else its sequence number, is
 * above the old connection's). The glue then frees @t (tcp_abort()) and
 * hands the SYN to the listener; otherwise it passes the SYN to tcp_input().
 */
bool tcp_tw_accepts_syn(const struct tcb *t, const struct tcp_seg *syn);

/* The earliest timer of @t (retransmission, delayed ACK, persist, keepalive, TIME_WAIT); UINT64_MAX: none. */
uint64_t tcp_deadline(const struct tcb *t);
/* Run every timer of @t due at @now. */
void tcp_timer(struct tcb *t, uint64_t now);

/* Readiness, for poll. */
bool tcp_readable(const struct tcb *t); /* bytes to read, the FIN, or an error */
size_t tcp_send_free(const struct tcb *t);
size_t tcp_recv_queued(const struct tcb *t); /* FIONREAD, /proc/net/tcp rx_queue */
size_t tcp_send_queued(const struct tcb *t); /* SIOCOUTQ, /proc/net/tcp tx_queue */

/*
 * The answer RFC 9293 3.10.7.1 gives a segment for no connection (a
 * CLOSED port): false when none is due (the segment is itself a RST).
 * Fills @rst's seq, ack, flags and ports (swapped).
 */
bool tcp_rst_reply(const struct tcp_seg *in, struct tcp_seg *rst);

/*
 * An initial sequence number per RFC 6528: a 4-microsecond clock plus a
 * keyed hash (SipHash-2-4) of the connection's addresses and ports under
 * @key, a secret the kernel draws once at boot.
 */
uint32_t tcp_isn(const uint8_t key[16], uint32_t laddr, uint16_t lport, uint32_t raddr,
                 uint16_t rport, uint64_t now);
