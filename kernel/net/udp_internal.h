/* SPDX-License-Identifier: MIT */
/*
 * What udp.c (the socket operations) and udp_in.c (receive, ICMP errors,
 * /proc/net/udp) share: the UDP socket and its reference count.
 *
 * Locks: [O] s->lock, the socket's mutex (bind, connect, send); [B] the
 * UDP bind table's spinlock (inet_sock.c); [a] atomic, read by the net
 * task without [O]; [I] fixed at creation.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "net/dgram.h"
#include "net/inet_sock.h"

struct socket;

/* A connected peer packed in one word, so the net task reads it whole: */
#define UDP_PEER_ON          (1ull << 48)
#define UDP_PEER(addr, port) (UDP_PEER_ON | (uint64_t)(addr) << 16 | (port))
#define UDP_PEER_ADDR(p)     ((uint32_t)((p) >> 16))
#define UDP_PEER_PORT(p)     ((uint16_t)(p))

struct udp_sock {
	struct socket *s;      /* [I] */
	struct inet_bind bind; /* [B] claimed while bound (owner: this) */
	bool bound;            /* [O] bind is in the table */
	bool port_locked;      /* [O] bind() chose the port (disconnect keeps it) */
	uint32_t laddr;        /* [a] local address: bound, or the route's after connect */
	uint64_t peer;         /* [a] UDP_PEER() or 0 when not connected */
	bool shut_wr;          /* [O] shutdown(SHUT_WR): send answers EPIPE */
	uint8_t ttl, tos;      /* [O] IP_TTL, IP_TOS */
	int refs;              /* [a] the socket's own, and one per receive in progress */
	struct dgram_queue rq;
};

void udp_get(struct udp_sock *u);
/* Drop a reference; the last one frees @u and its queue. */
void udp_put(struct udp_sock *u);
