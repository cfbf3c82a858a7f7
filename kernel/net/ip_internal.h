/* SPDX-License-Identifier: MIT */
/*
 * What the IP layer's files (netif.c, nettask.c, loopback.c, ip_in.c,
 * ip_out.c, arp.c, route.c, icmp.c) share with each other and nobody else:
 * the input entry points the net task calls, the link-level output, and
 * the rate limit of the layer's log lines. Included only from kernel/net.
 */
#pragma once

#include <cairn/compiler.h>

#include <lib/net/wire.h>

#include <stdbool.h>
#include <stdint.h>

#include "net/inet.h"

struct pkt;
struct netif;

/* nettask.c: the frames a net task run takes from the queue before it looks at timers. */
#define NET_RX_BATCH  64u
/* netif.c: the most frames that wait in the rx queue per interface. */
#define NETIF_RXQ_MAX 1024u

/*
 * icmp.c: parse a quoted IPv4 header (an ICMP error's payload: the header
 * and at least 8 bytes; its total length runs past the quote). 0 or -EINVAL.
 */
int __must_check ip4_parse_quoted(const uint8_t *q, size_t len, struct ip4_view *v);
/* ip_in.c: the error hook of @proto (ICMP errors are handed to it); NULL when none. */
inet_err_fn inet_err_hook(uint8_t proto);
/*
 * ip_in.c: whether the net task is processing a frame sent to a
 * link-layer broadcast or multicast (no ICMP error may answer it, RFC
 * 1122 3.2.2); false outside the net task.
 */
bool ip_rx_link_bcast(void);
/* ip_in.c: one received Ethernet frame (the net task; consumes @p). */
void eth_input(struct pkt *p);
/* ip_in.c: an IPv4 datagram whose data starts at the IP header (consumes @p). */
void ip4_input(struct pkt *p);
/* ip_in.c: hand a whole datagram (reassembled or not) to ICMP or the protocol hooks. */
void ip4_deliver(struct pkt *p, const struct ip4_view *ip);

/* arp.c: a received ARP packet (data at the ARP header; consumes @p). */
void arp_input(struct pkt *p);
/*
 * arp.c: send the IPv4 datagram @p (data at the IP header) to @next_hop
 * on Ethernet interface @dev, resolving its MAC first (the packet waits
 * in a bounded queue while a request is out). Consumes @p. 0 or -errno.
 */
int __must_check arp_output(struct netif *dev, uint32_t next_hop, struct pkt *p);
/* arp.c: announce @addr on @dev (a gratuitous ARP request, RFC 5227 3). */
void arp_announce(struct netif *dev, uint32_t addr);
/* arp.c: forget every entry of @dev (it went down or changed address). */
void arp_flush_dev(struct netif *dev);
/* arp.c: the cache's entries and the frames waiting for one (tests' leak checks). */
unsigned arp_entry_count(void);
void arp_init(void);

/* ip_out.c: push an Ethernet header for @dst_mac and send @p (data at the IP header). */
int __must_check eth_output(struct netif *dev, const uint8_t dst_mac[ETH_ALEN], struct pkt *p);
/* netif.c: whether @addr is 127/8 or an interface's own (unicast) address. */
bool inet_addr_is_ours(uint32_t addr);
/* netif.c: whether @addr is @nif's directed broadcast. */
bool netif_is_bcast(struct netif *nif, uint32_t addr);
/* netif.c: the first interface that is up and not loopback (the limited broadcast's way out). */
struct netif *netif_first_ether(void);
/* ip_out.c: compute a checksum left to the device (PKT_CSUM_PARTIAL) in software. */
void pkt_csum_finish(struct pkt *p);
/*
 * ip_frag.c: a fragment @p (data at its IP header, described by @ip)
 * joins its datagram. Returns the whole datagram (data at its header,
 * @ip rewritten to describe it) when this was the last piece; NULL when
 * it was kept or dropped (counted). Consumes @p.
 */
struct pkt *ip4_reassemble(struct pkt *p, struct ip4_view *ip);

/*
 * icmp.c: parse a quoted IPv4 header (an ICMP error's payload: the header
 * and at least 8 bytes; its total length runs past the quote). 0 or -EINVAL.
 */
int __must_check ip4_parse_quoted(const uint8_t *q, size_t len, struct ip4_view *v);
/* ip_in.c: the error hook of @proto; NULL when none. */
/* netif.c: hand @p to the driver, counting it in @dev's tx statistics. Consumes @p. */
int __must_check netif_xmit(struct netif *dev, struct pkt *p);

/* icmp.c: a received ICMP message (data at the ICMP header; consumes @p). */
void icmp_input(struct pkt *p, const struct ip4_view *ip);

/* route.c: the connected route of @nif's address changed (old 0: none; new 0: removed). */
void route_ifaddr_changed(struct netif *nif, uint32_t old_addr, uint32_t old_mask);
/* route.c: delete every route through @nif. */
void route_flush_dev(struct netif *nif);

/* loopback.c: bring up "lo" with 127.0.0.1/8. */
int __must_check loopback_init(void);
/* The loopback interface (NULL before net_init()). */
extern struct netif *netif_lo;

/* nettask.c: start the task; 0 or -errno. */
int __must_check net_task_start(void);

/*
 * True when a log line about bad input may be printed now: at most a
 * few per second, so a flood of malformed frames cannot flood the log.
 */
bool net_log_ok(void);

/* Add @n to a counter of inet_stats (or a netif's stats) atomically. */
#define NET_INC(field)    __atomic_add_fetch(&(field), 1, __ATOMIC_RELAXED)
#define NET_ADD(field, n) __atomic_add_fetch(&(field), (n), __ATOMIC_RELAXED)

static inline bool ip4_is_multicast(uint32_t a)
{
	return (a >> 28) == 0xe; /* 224.0.0.0/4, RFC 5771 */
}
static inline bool ip4_is_loopback(uint32_t a)
{
	return (a >> 24) == 127; /* 127.0.0.0/8, RFC 1122 3.2.1.3 */
}
