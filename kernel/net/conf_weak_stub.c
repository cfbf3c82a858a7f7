// SPDX-License-Identifier: MIT
/*
 * Temporary (lane conf, until the ip lane's netif.c and route.c are
 * merged): weak stand-ins for the IP layer's calls that devioctl.c,
 * procnet.c and netconf.c make, so the kernel links without it. They
 * describe a stack with no interfaces and no routes. Delete this file
 * when merging h-ip.
 */
#include <cairn/errno.h>

#include "net/inet.h"
#include "net/netif.h"

__attribute__((weak)) struct inet_stats inet_stats;

__attribute__((weak)) void netif_foreach(void (*fn)(struct netif *nif, void *ctx), void *ctx)
{
	(void)fn;
	(void)ctx;
}

__attribute__((weak)) struct netif *netif_by_name(const char *name)
{
	(void)name;
	return NULL;
}

__attribute__((weak)) int netif_set_addr(struct netif *nif, uint32_t addr, uint32_t netmask)
{
	(void)nif;
	(void)addr;
	(void)netmask;
	return -ENODEV;
}

__attribute__((weak)) int netif_set_up(struct netif *nif, bool up)
{
	(void)nif;
	(void)up;
	return -ENODEV;
}

__attribute__((weak)) int route_add(const struct route *r)
{
	(void)r;
	return -ENETUNREACH;
}

__attribute__((weak)) int route_del(const struct route *r)
{
	(void)r;
	return -ESRCH;
}

__attribute__((weak)) int route_lookup(uint32_t dst, struct route_result *out)
{
	(void)dst;
	(void)out;
	return -ENETUNREACH;
}

__attribute__((weak)) void route_foreach(void (*fn)(const struct route *r, void *ctx), void *ctx)
{
	(void)fn;
	(void)ctx;
}

__attribute__((weak)) int netif_register(struct netif *nif)
{
	(void)nif;
	return -ENODEV;
}
