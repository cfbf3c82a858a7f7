/* SPDX-License-Identifier: MIT */
/*
 * Interface configuration as the tools see it: consistent snapshots of
 * the interfaces (for the ioctls and /proc/net), and the ioctls'
 * kernel-memory halves, which net_dev_ioctl() (socket.h) wraps with the
 * copies from and to user memory and the kernel tests call directly.
 */
#pragma once

#include <cairn/compiler.h>
#include <cairn/linux/sockios.h>

#include <stdbool.h>
#include <stdint.h>

#include "net/netif.h"

#define NETDEV_MAX 32u /* interfaces one snapshot holds (SIOCGIFCONF, /proc/net/dev) */

/* One interface at one moment, copied under netif_cfg_lock. */
struct netdev_info {
	struct netif *nif; /* the interface itself (never freed while the system runs) */
	char name[IFNAMSIZ];
	int index;
	uint8_t mac[ETH_ALEN];
	unsigned mtu, flags;
	uint32_t addr, netmask; /* host order; 0: none */
	struct netif_stats stats;
};

/* Snapshots of up to @max interfaces in index order into @out; how many were stored. */
unsigned netdev_list(struct netdev_info *out, unsigned max);
/* The snapshot of the interface called @name, or of index @index when @name is NULL; -ENODEV. */
int __must_check netdev_find(const char *name, int index, struct netdev_info *out);

/*
 * One struct ifreq command (SIOCGIFFLAGS ... SIOCSIFMTU) on @ifr in kernel
 * memory: reads the name (or the index for SIOCGIFNAME), answers in place.
 * 0 or -errno (-ENODEV, -EADDRNOTAVAIL, -EINVAL, -EPERM for a change by
 * anyone but root); -ENOIOCTLCMD when @cmd is not one. Task context.
 */
int __must_check netdev_ifreq(unsigned cmd, struct linux_ifreq *ifr);

/*
 * SIOCADDRT / SIOCDELRT of @rt in kernel memory; @dev is the interface name
 * rt_dev pointed to (NULL: none, the gateway's route decides). 0 or -errno.
 */
int __must_check netdev_route(unsigned cmd, const struct linux_rtentry *rt, const char *dev);
