// SPDX-License-Identifier: MIT
/*
 * The receive path below the transports, run by the net task: Ethernet
 * demultiplexing, IPv4 header checks (RFC 1122 3.2.1), local delivery
 * (we are a host: datagrams for other addresses are counted and dropped,
 * never forwarded), reassembly, and dispatch to ICMP, raw sockets and
 * the protocol hooks of inet_register().
 *
 * Locks: the hook table is written by registration at boot and read
 * with atomic loads; everything else here is the net task's own.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "core/log.h"
#include "net/inet.h"
#include "net/ip_internal.h"
#include "net/netif.h"
#include "net/pkt.h"

struct inet_stats inet_stats;

struct proto_hooks {
	inet_rx_fn rx;   /* [a] */
	inet_err_fn err; /* [a] */
};
static struct proto_hooks hooks[256];
static void (*raw_hook)(const struct pkt *p, const struct ip4_view *ip); /* [a] */

void inet_register(uint8_t proto, inet_rx_fn rx, inet_err_fn err)
{
	__atomic_store_n(&hooks[proto].err, err, __ATOMIC_RELEASE);
	__atomic_store_n(&hooks[proto].rx, rx, __ATOMIC_RELEASE);
}

void inet_register_raw(void (*raw)(const struct pkt *p, const struct ip4_view *ip))
{
	__atomic_store_n(&raw_hook, raw, __ATOMIC_RELEASE);
}

/* The error hook of @proto (icmp.c dispatches ICMP errors with it); NULL when none. */
inet_err_fn inet_err_hook(uint8_t proto)
{
	return __atomic_load_n(&hooks[proto].err, __ATOMIC_ACQUIRE);
}

/* [N] the frame being processed came to a link-layer broadcast or multicast. */
static bool rx_link_bcast;

bool ip_rx_link_bcast(void)
{
	return net_in_task() && rx_link_bcast;
}

static void drop(struct pkt *p, uint64_t *counter, const char *why)
{
	if (counter)
		NET_INC(*counter);
	if (why && net_log_ok())
		pr_info("net: %s: dropped a frame: %s", p->dev->name, why);
	pkt_free(p);
}

/* Whether the frame's destination MAC is ours, a broadcast or a multicast. */
static bool for_us(struct pkt *p, const struct eth_view *e)
{
	if (p->dev->flags & IFF_LOOPBACK)
		return true;
	if (eth_is_multicast(e->dst)) {
		p->flags |= PKT_BCAST;
		return true;
	}
	return memcmp(e->dst, p->dev->mac, ETH_ALEN) == 0;
}

void eth_input(struct pkt *p)
{
	struct eth_view e;

	if (!(__atomic_load_n(&p->dev->flags, __ATOMIC_RELAXED) & IFF_UP))
		return drop(p, NULL, NULL);
	if (eth_parse(p->data, p->len, &e))
		return drop(p, &inet_stats.eth_in_errors, "bad Ethernet header");
	/* Another host's unicast (a switch flooding, a hub): not an error, just not ours. */
	if (!for_us(p, &e))
		return drop(p, NULL, NULL);
	pkt_pull(p, ETH_HLEN);
	rx_link_bcast = p->flags & PKT_BCAST;
	if (e.type == ETHERTYPE_IP)
		ip4_input(p);
	else if (e.type == ETHERTYPE_ARP && !(p->dev->flags & IFF_LOOPBACK))
		arp_input(p);
	else
		drop(p, &inet_stats.eth_in_errors, NULL);
	rx_link_bcast = false;
}

/*
 * Whether a datagram to @dst arriving on @dev is ours to take. An
 * interface without an address takes any unicast to its MAC, so a DHCP
 * client hears an offer sent to the address it is being offered.
 */
static bool dst_accepted(struct netif *dev, uint32_t dst)
{
	uint32_t addr, mask;

	if (ip4_is_loopback(dst) && !(dev->flags & IFF_LOOPBACK))
		return false; /* RFC 1122 3.2.1.3 (g): 127/8 never arrives from a wire */
	if (inet_addr_is_local(dst))
		return true;
	netif_get_addr(dev, &addr, &mask);
	return addr == 0 && !(dev->flags & IFF_LOOPBACK) && !ip4_is_multicast(dst);
}

/* Source addresses no host may send from (RFC 1122 3.2.1.3, RFC 1812 5.3.7). */
static bool src_martian(struct netif *dev, uint32_t src)
{
	if (src == IP4_BROADCAST || ip4_is_multicast(src))
		return true;
	return ip4_is_loopback(src) && !(dev->flags & IFF_LOOPBACK);
}

void ip4_input(struct pkt *p)
{
	bool lo = p->dev->flags & IFF_LOOPBACK;
	struct ip4_view v;
	int err;

	NET_INC(inet_stats.ip_in);
	err = ip4_parse(p->data, p->len, lo, &v);
	if (err)
		return drop(p, &inet_stats.ip_in_hdr_errors,
		            err == -EBADMSG ? "bad IPv4 header checksum" : "malformed IPv4 header");
	/* Ethernet pads short frames: the datagram ends where its header says. */
	pkt_trim(p, v.total_len);
	if (src_martian(p->dev, v.src) || !dst_accepted(p->dev, v.dst))
		return drop(p, &inet_stats.ip_in_addr_errors, NULL);
	if (ip4_is_fragment(&v)) {
		p = ip4_reassemble(p, &v);
		if (!p)
			return; /* kept for later, or dropped and counted */
	}
	ip4_deliver(p, &v);
}

static bool is_bcast_dst(struct pkt *p, uint32_t dst)
{
	return dst == IP4_BROADCAST || (p->flags & PKT_BCAST) || netif_is_bcast(p->dev, dst);
}

void ip4_deliver(struct pkt *p, const struct ip4_view *ip)
{
	void (*raw)(const struct pkt *, const struct ip4_view *);
	inet_rx_fn rx;

	pkt_pull(p, ip->hlen);
	raw = __atomic_load_n(&raw_hook, __ATOMIC_ACQUIRE);
	if (raw)
		raw(p, ip);
	if (ip->proto == IPPROTO_ICMP) {
		NET_INC(inet_stats.ip_in_delivers);
		icmp_input(p, ip);
		return;
	}
	rx = __atomic_load_n(&hooks[ip->proto].rx, __ATOMIC_ACQUIRE);
	if (rx) {
		NET_INC(inet_stats.ip_in_delivers);
		rx(p, ip);
		return;
	}
	/*
	 * No such protocol here (RFC 1122 3.2.2.1). The raw hook cannot say
	 * whether a socket took a copy, so unlike Linux the error goes out
	 * even then: only a protocol spoken over raw sockets alone notices.
	 */
	if (!is_bcast_dst(p, ip->dst))
		icmp_send_error(ip, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH);
	drop(p, &inet_stats.ip_in_discards, NULL);
}
