/* SPDX-License-Identifier: MIT */
/*
 * UDP sockets (udp.c) and raw/ping ICMP sockets (raw.c): what the rest of
 * the kernel sees of them -- their init functions (net_init() calls them
 * once), their counters for /proc/net/snmp, and the IPPROTO_IP socket
 * options they share (ip(7)).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct socket;

/* Level IPPROTO_IP (SOL_IP) options, Linux's numbers (include/uapi/linux/in.h). */
#define SOL_IP     0
#define IP_TOS     1
#define IP_TTL     2
#define IP_HDRINCL 3
#define IP_RECVERR 11

/* RFC 4113's counters, as /proc/net/snmp's "Udp:" line shows them. [a] each. */
struct udp_stats {
	uint64_t in_datagrams, no_ports, in_errors, out_datagrams, rcvbuf_errors, sndbuf_errors;
	uint64_t in_csum_errors;
};
extern struct udp_stats udp_stats;

/* Register UDP's receive and ICMP error hooks (inet_register); net_init() calls it once. */
void udp_init(void);
/* Register the raw socket hook (inet_register_raw); net_init() calls it once. */
void raw_init(void);
/*
 * IP_TTL and IP_TOS (ip(7)) of a UDP or raw socket, stored in *@ttl and
 * *@tos under s->lock: 0, -EINVAL, or -ENOPROTOOPT for any other option.
 */
int inet_dgram_setsockopt_ip(struct socket *s, int level, int name, const void *val, size_t len,
                             uint8_t *ttl, uint8_t *tos);
