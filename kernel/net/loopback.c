// SPDX-License-Identifier: MIT
/*
 * The loopback interface "lo" (127.0.0.1/8): what it sends it receives.
 * Its frames carry an Ethernet header of zero addresses so the input
 * path is the same as a NIC's; they never leave memory, so their
 * checksums are taken as verified (PKT_CSUM_OK) and a transport may leave
 * them to the "device" (NETIF_F_CSUM_TX) and skip computing them at all.
 */
#include <cairn/errno.h>

#include "net/inet.h"
#include "net/ip_internal.h"
#include "net/netif.h"
#include "net/pkt.h"

/* Linux's loopback MTU (drivers/net/loopback.c uses 64 KiB). */
#define LOOPBACK_MTU 65536u

struct netif *netif_lo;

static int lo_xmit(struct netif *nif, struct pkt *p)
{
	p->flags = (p->flags & ~PKT_CSUM_PARTIAL) | PKT_CSUM_OK;
	netif_rx(nif, p);
	return 0;
}

static const struct netif_ops lo_ops = { .xmit = lo_xmit };

static struct netif lo = {
	.name = "lo",
	.mtu = LOOPBACK_MTU,
	.flags = IFF_LOOPBACK,
	.features = NETIF_F_CSUM_TX | NETIF_F_CSUM_RX,
	.ops = &lo_ops,
};

int loopback_init(void)
{
	int err = netif_register(&lo);

	if (err)
		return err;
	netif_lo = &lo;
	err = netif_set_addr(&lo, 0x7f000001u, 0xff000000u);
	if (err)
		return err;
	return netif_set_up(&lo, true);
}
