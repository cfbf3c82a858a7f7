// SPDX-License-Identifier: MIT
/*
 * The configuration files of /proc/net: dev (interface counters), route
 * (the routing table), arp (the neighbour cache) and snmp (the IP and
 * ICMP counters), each in Linux's format so busybox's ifconfig, route,
 * netstat and arp read them unchanged. Addresses in route are printed as
 * Linux prints a __be32 with %08X on a little-endian machine: the bytes
 * of the address in network order, read as a host-order number.
 */
#include "net/procnet.h"

#include <cairn/errno.h>

#include <lib/format.h>
#include <lib/net/arp.h>
#include <lib/procfs/seq.h>

#include "mm/heap.h"
#include "net/devioctl.h"
#include "net/inet.h"
#include "net/tcp_sock.h"
#include "net/udp.h"

/* The network-order bytes of @a read as a little-endian word (Linux's view of a __be32). */
static uint32_t be32_as_printed(uint32_t a)
{
	return __builtin_bswap32(a);
}

/* ---- /proc/net/dev ---- */

static void dev_line(struct seqbuf *s, const struct netdev_info *d)
{
	const struct netif_stats *st = &d->stats;

	/* The columns nobody counts here (fifo, frame, compressed, multicast, colls, carrier) are 0 on Linux's virtual devices too. */
	seq_printf(s, "%6s:%8llu %7llu %4llu %4llu %4u %5u %10u %9u ", d->name,
	           (unsigned long long)st->rx_bytes, (unsigned long long)st->rx_packets,
	           (unsigned long long)st->rx_errors, (unsigned long long)st->rx_dropped, 0u, 0u,
	           0u, 0u);
	seq_printf(s, "%8llu %7llu %4llu %4llu %4u %5u %7u %10u\n",
	           (unsigned long long)st->tx_bytes, (unsigned long long)st->tx_packets,
	           (unsigned long long)st->tx_errors, (unsigned long long)st->tx_dropped, 0u, 0u,
	           0u, 0u);
}

int procnet_show_dev(struct seqbuf *s, const struct procfs_node *n)
{
	struct netdev_info *list = kmalloc_flags(NETDEV_MAX * sizeof(*list), KM_MAY_FAIL);
	unsigned count, i;

	if (!list)
		return -ENOMEM;
	count = netdev_list(list, NETDEV_MAX);
	seq_puts(s,
	         "Inter-|   Receive                                                |  Transmit\n");
	seq_puts(s, " face |bytes    packets errs drop fifo frame compressed multicast|"
	            "bytes    packets errs drop fifo colls carrier compressed\n");
	for (i = 0; i < count; i++)
		dev_line(s, &list[i]);
	kfree(list);
	return 0;
}

/* ---- /proc/net/route ---- */

#define ROUTE_LINE 127 /* Linux pads every line of /proc/net/route to 127 columns */

static void route_line(const struct route *r, void *ctx)
{
	struct seqbuf *s = ctx;

	/* Linux keeps routes to its own addresses in the local table, which this file does not show. */
	if (!r->dev || (__atomic_load_n(&r->dev->flags, __ATOMIC_RELAXED) & IFF_LOOPBACK))
		return;
	seq_setwidth(s, ROUTE_LINE);
	seq_printf(s, "%s\t%08X\t%08X\t%04X\t%d\t%u\t%u\t%08X\t%d\t%u\t%u", r->dev->name,
	           be32_as_printed(r->dst), be32_as_printed(r->gw), r->flags | RTF_UP, 0, 0u,
	           r->metric, be32_as_printed(r->mask), 0, 0u, 0u);
	seq_pad(s, '\n');
}

int procnet_show_route(struct seqbuf *s, const struct procfs_node *n)
{
	seq_setwidth(s, ROUTE_LINE);
	seq_puts(s,
	         "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\t"
	         "IRTT");
	seq_pad(s, '\n');
	route_foreach(route_line, s);
	return 0;
}

/* ---- /proc/net/arp ---- */

#define ATF_COM 0x2u /* Linux's "completed" flag (include/uapi/linux/if_arp.h) */

static void arp_line(struct netif *dev, const struct arp_entry *e, void *ctx)
{
	struct seqbuf *s = ctx;
	bool known = e->state == ARP_REACHABLE || e->state == ARP_STALE;
	static const uint8_t none[ETH_ALEN];
	const uint8_t *m = known ? e->mac : none;
	char ip[16], hw[18];

	fmt_snprintf(ip, sizeof(ip), "%u.%u.%u.%u", e->ip >> 24, (e->ip >> 16) & 0xff,
	             (e->ip >> 8) & 0xff, e->ip & 0xff);
	fmt_snprintf(hw, sizeof(hw), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
	             m[5]);
	seq_printf(s, "%-16s 0x%-10x0x%-10x%-17s     %-8s %s\n", ip, ARPHRD_ETHER,
	           known ? ATF_COM : 0u, hw, "*", dev->name);
}

int procnet_show_arp(struct seqbuf *s, const struct procfs_node *n)
{
	seq_puts(
		s,
		"IP address       HW type     Flags       HW address            Mask     Device\n");
	arp_foreach(arp_line, s);
	return 0;
}

/* ---- /proc/net/snmp ---- */

static unsigned long long ld(const uint64_t *p)
{
	return (unsigned long long)__atomic_load_n(p, __ATOMIC_RELAXED);
}

/*
 * Linux prints each group as a line of names and a line of values; tools
 * pair them by name. Only the counters the stack keeps are listed: a
 * column Cairn does not count is left out rather than shown as 0.
 */
int procnet_show_snmp(struct seqbuf *s, const struct procfs_node *n)
{
	const struct inet_stats *st = &inet_stats;

	seq_puts(s, "Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors InDiscards "
	            "InDelivers OutRequests OutDiscards OutNoRoutes ReasmReqds ReasmOKs ReasmFails "
	            "FragOKs FragCreates\n");
	/* Forwarding 2: a host, not a router (RFC 1213's ipForwarding). */
	seq_printf(s, "Ip: 2 %u %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu\n",
	           IP4_DEFAULT_TTL, ld(&st->ip_in), ld(&st->ip_in_hdr_errors),
	           ld(&st->ip_in_addr_errors), ld(&st->ip_in_discards), ld(&st->ip_in_delivers),
	           ld(&st->ip_out), ld(&st->ip_out_discards), ld(&st->ip_out_no_routes),
	           ld(&st->ip_reasm_reqds), ld(&st->ip_reasm_oks), ld(&st->ip_reasm_fails),
	           ld(&st->ip_frag_oks), ld(&st->ip_frag_creates));
	seq_puts(s, "Icmp: InMsgs InErrors OutMsgs\n");
	seq_printf(s, "Icmp: %llu %llu %llu\n", ld(&st->icmp_in), ld(&st->icmp_in_errors),
	           ld(&st->icmp_out));
	tcp_snmp_show(s); /* the Tcp lines (sock lane) */
	seq_puts(s, "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors "
	            "InCsumErrors\n");
	seq_printf(s, "Udp: %llu %llu %llu %llu %llu %llu %llu\n", ld(&udp_stats.in_datagrams),
	           ld(&udp_stats.no_ports), ld(&udp_stats.in_errors), ld(&udp_stats.out_datagrams),
	           ld(&udp_stats.rcvbuf_errors), ld(&udp_stats.sndbuf_errors),
	           ld(&udp_stats.in_csum_errors));
	return 0;
}
