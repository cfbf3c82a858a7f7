/* SPDX-License-Identifier: MIT */
/*
 * The AF_INET family's shared parts: struct sockaddr_in in and out, the
 * bound-port tables of TCP and UDP with Linux's SO_REUSEADDR and
 * SO_REUSEPORT rules, the ephemeral port allocator, and the constructors
 * the family's create() dispatches to by type (TCP: tcp_sock.c; UDP and
 * raw ICMP: the wire lane's udp.c and raw.c).
 *
 * Locks: [B] the table's spinlock (one per protocol; never held across a
 * copy to or from user memory or anything that sleeps); [O] the owning
 * socket's lock.
 */
#pragma once

#include <cairn/compiler.h>

#include <lib/list/list.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct socket;

/* struct sockaddr_in (ip(7)): port and address in network order. */
struct sockaddr_in {
	uint16_t sin_family;
	uint16_t sin_port;
	uint32_t sin_addr;
	uint8_t sin_zero[8];
};
_Static_assert(sizeof(struct sockaddr_in) == 16, "struct sockaddr_in is 16 bytes");

#define INADDR_ANY       0x00000000u
#define INADDR_LOOPBACK  0x7f000001u
#define INADDR_BROADCAST 0xffffffffu

/* Linux's net.ipv4.ip_local_port_range default. */
#define INET_EPHEMERAL_LO 32768u
#define INET_EPHEMERAL_HI 60999u
/* Ports below this need root to bind (CAP_NET_BIND_SERVICE, ip(7)). */
#define INET_PROT_SOCK    1024u

/*
 * Read the struct sockaddr_in at @addr (@len bytes, kernel memory) into
 * host-order *@ip and *@port. -EINVAL when @len is short, -EAFNOSUPPORT
 * for another family (AF_UNSPEC is accepted when @unspec_ok: bind()'s
 * compatibility case of INADDR_ANY, connect()'s "dissolve").
 */
int __must_check inet_addr_parse(const void *addr, size_t len, bool unspec_ok, uint32_t *ip,
                                 uint16_t *port);
/* Write a struct sockaddr_in of host-order @ip/@port at @out; its length in *@len. */
void inet_addr_fill(void *out, size_t *len, uint32_t ip, uint16_t port);

/*
 * bind()'s checks of a parsed address: -EADDRNOTAVAIL for an address that
 * is not ours (not INADDR_ANY, a local address or a broadcast), -EACCES
 * for a privileged port without root.
 */
int __must_check inet_bind_check(uint32_t ip, uint16_t port);

/* One socket's claim on a local port in a table. */
struct inet_bind {
	uint32_t addr;         /* [B] host order; INADDR_ANY: every address */
	uint16_t port;         /* [B] host order */
	bool reuseaddr;        /* [B] SO_REUSEADDR when it was bound */
	bool reuseport;        /* [B] SO_REUSEPORT when it was bound */
	bool listening;        /* [B] TCP in LISTEN: SO_REUSEADDR shares nothing with it */
	uint32_t uid;          /* [I] SO_REUSEPORT shares only between one user's sockets */
	void *owner;           /* [I] the family's socket (or TIME_WAIT leftover) */
	struct list_node link; /* [B] the table's bucket */
};

/*
 * Claim @b->port (0: the next free ephemeral port, stored in @b->port) on
 * @b->addr in the table of @type (SOCK_STREAM: TCP, SOCK_DGRAM: UDP).
 * -EADDRINUSE when another claim conflicts (socket(7)'s SO_REUSEADDR and
 * SO_REUSEPORT rules), -EAGAIN when no ephemeral port is free, -EINVAL for
 * a type without ports. @b stays claimed until inet_bind_del().
 */
int __must_check inet_bind_add(int type, struct inet_bind *b);
void inet_bind_del(int type, struct inet_bind *b);
/* listen() of a bound TCP socket: -EADDRINUSE when a SO_REUSEADDR sharer already listens. */
int __must_check inet_bind_set_listening(int type, struct inet_bind *b, bool on);

/*
 * A free ephemeral port of @type's table, not claimed (another socket may
 * take it first: inet_bind_add() with port 0 claims atomically). 0,
 * -EAGAIN or -EINVAL.
 */
int __must_check inet_port_alloc(int type, uint16_t *port);

/*
 * Demultiplexing: call @match on the claims of @type on @port that accept
 * @addr (the exact address first, then INADDR_ANY), under [B], until it
 * returns true (it then takes what it needs, a reference, before [B] is
 * dropped). Returns whether one matched. @match must not sleep.
 */
bool inet_bind_find(int type, uint32_t addr, uint16_t port,
                    bool (*match)(struct inet_bind *b, void *ctx), void *ctx);
/* Call @fn on every claim of @type under [B] (/proc/net/udp); @fn must not sleep. */
void inet_bind_foreach(int type, void (*fn)(struct inet_bind *b, void *ctx), void *ctx);

/* ---- the family's constructors, by type (interfaces.md) ---- */

/* SOCK_STREAM with IPPROTO_TCP or 0 (kernel/net/tcp_sock.c). */
int __must_check tcp_sock_create(struct socket *s, int protocol);
/* SOCK_DGRAM with IPPROTO_UDP or 0 (kernel/net/udp.c, wire lane). */
int __must_check udp_create(struct socket *s, int protocol);
/* SOCK_RAW, and SOCK_DGRAM with IPPROTO_ICMP: ping sockets (kernel/net/raw.c, wire lane). */
int __must_check raw_create(struct socket *s, int type, int protocol);

/* Register AF_INET with the socket layer; net_init() calls it once. */
void inet_sock_init(void);
