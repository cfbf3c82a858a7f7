// SPDX-License-Identifier: MIT
/*
 * Temporary (lane vnet, until the ip lane's netif.c is merged): weak
 * stand-ins for the interface registry so that the virtio-net driver links
 * and its tests run on their own. netif.c's definitions replace them; this
 * file goes when h-ip is merged.
 */
#include "net/netif.h"
#include "net/pkt.h"

__attribute__((weak)) int netif_register(struct netif *nif)
{
	nif->index = 2;
	nif->name[3] = '0';
	nif->name[4] = '\0';
	return 0;
}

__attribute__((weak)) void netif_unregister(struct netif *nif)
{
	(void)nif;
}

__attribute__((weak)) void netif_rx(struct netif *nif, struct pkt *p)
{
	(void)nif;
	pkt_free(p);
}
