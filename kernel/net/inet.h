/* SPDX-License-Identifier: MIT */
/*
 * IPv4 inside the kernel: routes, output, input dispatch to the transport
 * protocols, ICMP errors, and the net task's clock. The IP layer
 * (kernel/net/ip*.c, arp.c, icmp.c) implements it; UDP, TCP and raw
 * sockets register their receive hooks here.
 *
 * Context: protocol receive hooks run in the net task (task context: they
 * may take mutexes but should not sleep long). ip4_output() may be called
 * from any task, under a socket's lock, and never sleeps.
 */
#pragma once

#include <cairn/compiler.h>

#include <lib/list/list.h>
#include <lib/net/wire.h>

#include <stdbool.h>
#include <stdint.h>

struct pkt;
struct netif;

/* ---- routes ---- */

/* RTF_* as Linux's (include/uapi/linux/route.h), for /proc/net/route and SIOCADDRT. */
#define RTF_UP      0x1u
#define RTF_GATEWAY 0x2u
#define RTF_HOST    0x4u

struct route {
	uint32_t dst, mask, gw; /* host order; gw 0: on link */
	struct netif *dev;
	unsigned flags; /* RTF_* */
	unsigned metric;
};
/* Add or delete a route; -EEXIST / -ESRCH; -EINVAL for a mask that is not contiguous. */
int __must_check route_add(const struct route *r);
int __must_check route_del(const struct route *r);
/* Call @fn on every route, longest prefix first (must not sleep). */
void route_foreach(void (*fn)(const struct route *r, void *ctx), void *ctx);

/* Where a packet to @dst goes: the interface, the next hop and the source address to use. */
struct route_result {
	struct netif *dev;
	uint32_t next_hop; /* the gateway, or dst itself */
	uint32_t src;      /* the interface's address */
	unsigned mtu;
};
/* -ENETUNREACH without a route. */
int __must_check route_lookup(uint32_t dst, struct route_result *out);
/* Whether @addr is one of ours (an interface's address, 127/8, or a broadcast we accept). */
bool inet_addr_is_local(uint32_t addr);

/* ---- output ---- */

/*
 * Send @p, whose data starts at the transport header, to @dst: prepend
 * the IPv4 header and the link header (resolving the next hop with ARP;
 * the packet waits in a bounded queue while the request is out) and
 * transmit, fragmenting when it exceeds the MTU unless @df. @src 0: the
 * route's. @ttl 0: IP4_DEFAULT_TTL. Consumes @p. 0 or -errno
 * (-ENETUNREACH, -EMSGSIZE with @df, -ENOBUFS). Never sleeps.
 */
int __must_check ip4_output(struct pkt *p, uint32_t src, uint32_t dst, uint8_t proto, uint8_t ttl,
                            uint8_t tos, bool df);

/* ---- input ---- */

/*
 * A transport protocol's receive hook: @p's data starts at the transport
 * header (the IP header was pulled; @ip describes it and stays valid
 * while @p lives). The hook consumes @p.
 */
typedef void (*inet_rx_fn)(struct pkt *p, const struct ip4_view *ip);
/*
 * An ICMP error about a datagram we sent: @type/@code, and the quoted
 * original IP header and at least 8 bytes after it (@inner).
 */
typedef void (*inet_err_fn)(uint8_t type, uint8_t code, const struct ip4_view *inner);
/* Register the hooks of protocol @proto (IPPROTO_UDP, IPPROTO_TCP); one per protocol. */
void inet_register(uint8_t proto, inet_rx_fn rx, inet_err_fn err);
/*
 * Raw sockets (SOCK_RAW, ping's ICMP): called with every received
 * datagram of @proto before the protocol's own handling; it must copy
 * what it keeps and not consume @p.
 */
void inet_register_raw(void (*raw)(const struct pkt *p, const struct ip4_view *ip));

/* Send an ICMP error about @orig (received; its header and 8 bytes are quoted). Rate-limited. */
void icmp_send_error(const struct ip4_view *orig, uint8_t type, uint8_t code);

/*
 * Call @fn on every ARP cache entry of every interface (/proc/net/arp;
 * struct arp_entry is lib/net/arp.h's). Under the caches' spinlocks: @fn
 * must not sleep.
 */
struct arp_entry;
void arp_foreach(void (*fn)(struct netif *dev, const struct arp_entry *e, void *ctx), void *ctx);

/* ---- counters, for /proc/net/snmp and tests ---- */
struct inet_stats {
	uint64_t ip_in, ip_in_hdr_errors, ip_in_addr_errors, ip_in_discards, ip_in_delivers;
	uint64_t ip_out, ip_out_no_routes, ip_out_discards;
	uint64_t ip_reasm_reqds, ip_reasm_oks, ip_reasm_fails, ip_frag_oks, ip_frag_creates;
	uint64_t icmp_in, icmp_in_errors, icmp_out;
	uint64_t arp_in, arp_out, arp_drops;
	uint64_t eth_in_errors; /* frames too short or of an unknown type */
};
extern struct inet_stats inet_stats; /* [a] each field incremented atomically */

/* The net task's clock: monotonic nanoseconds (the value passed to lib/net's timers). */
uint64_t net_now(void);

/* ---- the net task's timers and work (kernel/net/nettask.c) ---- */

/*
 * A one-shot timer served by the net task: its function runs in the net
 * task (task context, the same one the receive hooks run in, so a
 * protocol needs no extra lock against its own input), never in an
 * interrupt. Locks: [N] the timer list's lock (nettask.c); [I] set by
 * net_timer_init() while not armed.
 */
struct net_timer {
	struct list_node link;                      /* [N] on the list, by deadline */
	uint64_t deadline;                          /* [N] net_now() nanoseconds */
	void (*fn)(struct net_timer *t, void *ctx); /* [I] */
	void *ctx;                                  /* [I] */
	bool armed;                                 /* [N] on the list */
};
void net_timer_init(struct net_timer *t, void (*fn)(struct net_timer *t, void *ctx), void *ctx);
/*
 * Fire @t at @deadline_ns (net_now() time; at the net task's next pass
 * when past). Re-arming an armed timer moves it. Any task context; never
 * sleeps (a spinlock).
 */
void net_timer_arm(struct net_timer *t, uint64_t deadline_ns);
/* Arm @t for @deadline_ns unless it is armed for earlier already. */
void net_timer_arm_min(struct net_timer *t, uint64_t deadline_ns);
/* Disarm @t; true when it was armed. Its function may still be running in the net task. */
bool net_timer_cancel(struct net_timer *t);
/*
 * Disarm @t and wait until its function is not running: afterwards @t
 * may be freed. From the net task itself (a timer function or receive
 * hook) it does not wait. Task context; may sleep briefly.
 */
void net_timer_cancel_sync(struct net_timer *t);
/* Wake the net task for one pass (its timers and queue); any context. */
void net_task_kick(void);
/*
 * Wait until the net task has processed every frame queued before the
 * call (with netif_rx) and run the timers that were due: tests and the
 * boot use it to observe the stack at rest. Task context; sleeps. Not
 * from the net task itself (it returns at once there).
 */
void net_sync(void);
/* Drop every datagram waiting for reassembly (kernel tests); only from the net task. */
void ip4_reass_flush_for_tests(void);
/* True when the caller is the net task. */
bool net_in_task(void);
