/* SPDX-License-Identifier: MIT */
/*
 * TCP sockets inside the kernel (kernel/net/tcp_sock*.c): one struct
 * tcp_sk per connection, listener or TIME_WAIT leftover, around
 * lib/net/tcp's struct tcb. A connection may outlive its file (it finishes
 * its close, TIME_WAIT included) and exists before it has one (a listener's
 * half-open and accept-queue children).
 *
 * Locks, in the order they are taken: [K] tk->lock (a mutex: the tcb and
 * most fields; user copies happen under it), then [Q] the listener's
 * queue spinlock (lsn->qlock), [H] the connection table's spinlock, [T]
 * the timer list's spinlock; [a] atomic; [I] fixed once published.
 */
#pragma once

#include <cairn/compiler.h>

#include <lib/list/list.h>
#include <lib/net/tcp.h>

#include <stdbool.h>
#include <stdint.h>

#include "net/inet_sock.h"
#include "sched/spinlock.h"
#include "sched/sync.h"

/* tcp(7)'s option numbers (include/uapi/linux/tcp.h), level IPPROTO_TCP. */
#define TCP_NODELAY   1
#define TCP_MAXSEG    2
#define TCP_CORK      3
#define TCP_KEEPIDLE  4
#define TCP_KEEPINTVL 5
#define TCP_KEEPCNT   6
#define TCP_INFO      11
#define TCP_QUICKACK  12

struct socket;
struct pkt;
struct ip4_view;
struct seqbuf;

/*
 * Bounds of the SYN backlog (the SYN flood: memory stays bounded).
 * Each half-open child holds its rings (256 KiB by default): 24 of them
 * are 6 MiB, and a real handshake completes long before 24 newer SYNs push
 * it out at any flood rate the relay tests send.
 */
#define TCP_SYNQ_PER_LISTENER 24u /* half-open children of one listener */
#define TCP_SYNQ_TOTAL        64u /* half-open children of all listeners */
#define TCP_RING_MIN          4096u
#define TCP_RING_MAX          (1u << 20)
#define TCP_BUF_DEFAULT       131072 /* SO_RCVBUF / SO_SNDBUF of a new TCP socket */

/* A listening socket's queues. */
struct tcp_listen {
	struct spinlock qlock;    /* the [Q] lock */
	int backlog;              /* [Q] accept queue bound (listen()'s argument) */
	unsigned nsyn, nacc;      /* [Q] children on each queue */
	struct list_node synq;    /* [Q] half-open children, oldest first */
	struct list_node acceptq; /* [Q] established children, oldest first */
	bool closed;              /* [Q] the listener closed: children are aborted */
};

struct tcp_sk {
	struct mutex lock;      /* the [K] lock */
	int refs;               /* [a] table, socket, queue, timer and lookup references */
	struct tcb tcb;         /* [K] */
	struct socket *sock;    /* [K] NULL once the file closed, or before accept() */
	uint8_t *mem;           /* [K] both rings, one allocation (NULL: none yet, or given back) */
	uint8_t tw_ring[2][16]; /* [K] the rings of a TIME_WAIT leftover once mem went back */
	struct inet_bind bind;  /* [K] the port claim (bound, listening or connecting sockets) */
	bool bound;             /* [K] bind is in the table */
	bool active;            /* [K] connect() or accept() made it a connection */
	bool shut_rd, shut_wr;  /* [K] shutdown() */
	bool nodelay;           /* [K] TCP_NODELAY before the tcb exists */
	uint16_t user_mss;      /* [K] TCP_MAXSEG, 0: the route's */
	uint32_t keepidle_s, keepintvl_s, keepcnt; /* [K] TCP_KEEP*, 0: the default */
	bool hashed;                               /* [H] in the connection table */
	struct list_node hash_link;                /* [H] */
	/* A listener's child until accept() takes it. */
	struct tcp_sk *parent;   /* [K] the listener, with a reference; NULL when none */
	struct list_node q_link; /* [Q] on the parent's synq or acceptq */
	bool on_acceptq;         /* [Q] */
	struct tcp_listen *lsn;  /* [K] set while listening */
	/* The timer list. */
	uint64_t timer_at;           /* [T] the deadline it is filed under, UINT64_MAX: none */
	struct list_node timer_link; /* [T] */
	bool timer_busy;             /* [T] on the timer task's private due or idle list */
};

/* ---- tcp_sock.c and tcp_sock_io.c: the socket ops ---- */

extern const struct sock_ops tcp_sock_ops;
/* Ring bytes for a socket buffer option's value (SO_RCVBUF, SO_SNDBUF). */
uint32_t tcp_ring_size(int buf);
struct sock_msg;
struct poll_table;
long tcp_sendmsg(struct socket *s, struct sock_msg *m, unsigned flags, bool nonblock);
long tcp_recvmsg(struct socket *s, struct sock_msg *m, unsigned flags, bool nonblock);
unsigned tcp_poll(struct socket *s, struct poll_table *pt);
long tcp_ioctl(struct socket *s, unsigned cmd, uintptr_t arg);
int tcp_setsockopt(struct socket *s, int level, int name, const void *val, size_t len);
int tcp_getsockopt(struct socket *s, int level, int name, void *val, size_t *len);
/* Boot: the ISN key, the table, the IP hook, the timer task. */
int tcp_sock_init(void);

/* ---- tcp_sock_conn.c: the table, input, output ---- */

/* A connection with a reference, set up (tcp_init) with rings of @rcvsz/@sndsz bytes. */
struct tcp_sk *tcp_sk_alloc(uint32_t rcvsz, uint32_t sndsz, const struct tcp_config *cfg);
void tcp_sk_get(struct tcp_sk *tk);
/* Drop a reference; the last frees the rings, the claim and the struct. */
void tcp_sk_put(struct tcp_sk *tk);
/* File @tk under its 4-tuple: -EADDRINUSE when the tuple is taken. */
int __must_check tcp_sk_hash(struct tcp_sk *tk);
/* After every tcp_* call on @tk (under [K]): re-arm its timer, unhash it once CLOSED. */
void tcp_sk_after_locked(struct tcp_sk *tk) __must_hold(&tk->lock);
/* The config of a new connection: the route's MTU, the socket's options, the receive ring's size. */
void tcp_sk_config(struct tcp_config *cfg, unsigned mtu, bool nodelay, uint16_t user_mss,
                   uint32_t rcvsz);
/* The ISN of RFC 6528 for @tk's tuple. */
uint32_t tcp_sk_isn(const struct tcp_sk *tk);
/* The net task's receive hook and ICMP error hook (inet_register). */
void tcp_sk_rx(struct pkt *p, const struct ip4_view *ip);
/* struct tcp_sk alive now (tests: memory stays bounded); tcp_sk_count_add() counts one in or out. */
long tcp_sk_count(void);
void tcp_sk_count_add(long n);
/* The tcp_ops of every connection. */
extern const struct tcp_ops tcp_sk_ops;
/* Call @fn on every connection in the table under [H] (@fn must not sleep). */
void tcp_sk_foreach(void (*fn)(struct tcp_sk *tk, void *ctx), void *ctx);

/* ---- tcp_sock_listen.c ---- */

/* A SYN for listener @l (a reference held, [K] not held): a half-open child. */
void tcp_listen_syn(struct tcp_sk *l, const struct tcp_seg *seg, const struct ip4_view *ip);
/* A child reached ESTABLISHED (under its [K]): onto the accept queue. */
void tcp_listen_established_locked(struct tcp_sk *child) __must_hold(&child->lock);
/* A child closed before accept() (under its [K]): off the queues. */
void tcp_listen_unlink_locked(struct tcp_sk *child) __must_hold(&child->lock);
/* Close listener @l (under its [K]): abort every child. */
void tcp_listen_close_locked(struct tcp_sk *l) __must_hold(&l->lock);
/* The listener bound to @addr:@port with a reference, or NULL. */
struct tcp_sk *tcp_listen_lookup(uint32_t addr, uint16_t port);

/* Half-open children of all listeners now (tests, /proc/net/sockstat). */
unsigned tcp_synq_count(void);

/* Counters of /proc/net/snmp's Tcp line. [a] */
struct tcp_sk_stats {
	uint64_t in_segs, in_errs, in_csum_errs, out_rsts, out_segs, drops_nomem;
	uint64_t active_opens, passive_opens;
};
extern struct tcp_sk_stats tcp_stats;
void tcp_stat_inc(uint64_t *c);

/* ---- tcp_sock_timer.c ---- */

/* File @tk under deadline @at (UINT64_MAX: none); the timer task serves it. */
void tcp_timer_arm(struct tcp_sk *tk, uint64_t at);
int __must_check tcp_timer_init(void);
/*
 * End every TIME_WAIT now, as if its 2 MSL had passed, and wait up to
 * @timeout_ns for the timer task to free them; true when none is left.
 * For cairn_memstat's counts only: a TIME_WAIT leftover is memory no
 * process holds, kept 60 s. Task context; sleeps.
 */
bool tcp_sock_end_time_wait(uint64_t timeout_ns);

/* ---- tcp_sock_proc.c ---- */
/* /proc/net/snmp's two Tcp lines (procnet_show_snmp() calls it). */
void tcp_snmp_show(struct seqbuf *s);
