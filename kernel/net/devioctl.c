// SPDX-License-Identifier: MIT
/*
 * The interface and route ioctls every socket answers (netdevice(7),
 * route(8)'s SIOCADDRT): what busybox's ifconfig and route use to read
 * and change the configuration. Reads work on snapshots taken under the
 * interface lock; changes go through the IP layer's own calls
 * (netif_set_up, netif_set_addr, route_add), so its routes follow.
 * Changes need root, as CAP_NET_ADMIN does on Linux.
 */
#include "net/devioctl.h"

#include <cairn/errno.h>

#include <lib/net/ipconf.h>
#include <lib/string.h>

#include "core/log.h"
#include "mm/heap.h"
#include "mm/uaccess.h"
#include "net/inet.h"
#include "net/socket.h"
#include "proc/proc.h"

#define AF_INET_ABI 2   /* sin_family of struct sockaddr_in */
#define MTU_MIN     68u /* RFC 791: every host takes 68-byte datagrams */
#define MTU_MAX_LO  65536u
/* Ethernet devices keep the 1500 bytes of IEEE 802.3 (their receive buffers are sized for it). */
#define MTU_MAX_ETH ETH_MTU
#define TXQLEN      1000 /* what Linux reports for lo and Ethernet */

/* ---- snapshots ---- */

struct list_ctx {
	struct netdev_info *out;
	unsigned max, n;
	const char *name; /* netdev_find: the one wanted */
	int index;
};

static uint64_t stat_load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* Called under netif_cfg_lock by netif_foreach: the [C] fields are stable here. */
static void info_fill(struct netdev_info *d, struct netif *nif)
{
	memcpy(d->name, nif->name, IFNAMSIZ);
	d->name[IFNAMSIZ - 1] = '\0';
	d->nif = nif;
	d->index = nif->index;
	memcpy(d->mac, nif->mac, ETH_ALEN);
	d->mtu = nif->mtu;
	d->flags = __atomic_load_n(&nif->flags, __ATOMIC_RELAXED);
	d->addr = nif->addr;
	d->netmask = nif->netmask;
	d->stats.rx_bytes = stat_load(&nif->stats.rx_bytes);
	d->stats.rx_packets = stat_load(&nif->stats.rx_packets);
	d->stats.rx_errors = stat_load(&nif->stats.rx_errors);
	d->stats.rx_dropped = stat_load(&nif->stats.rx_dropped);
	d->stats.tx_bytes = stat_load(&nif->stats.tx_bytes);
	d->stats.tx_packets = stat_load(&nif->stats.tx_packets);
	d->stats.tx_errors = stat_load(&nif->stats.tx_errors);
	d->stats.tx_dropped = stat_load(&nif->stats.tx_dropped);
}

static void list_one(struct netif *nif, void *ctx)
{
	struct list_ctx *c = ctx;

	if (c->n >= c->max)
		return;
	if (c->name && strncmp(nif->name, c->name, IFNAMSIZ) != 0)
		return;
	if (!c->name && c->index > 0 && nif->index != c->index)
		return;
	info_fill(&c->out[c->n++], nif);
}

unsigned netdev_list(struct netdev_info *out, unsigned max)
{
	struct list_ctx c = { out, max, 0, NULL, 0 };

	netif_foreach(list_one, &c);
	return c.n;
}

int netdev_find(const char *name, int index, struct netdev_info *out)
{
	struct list_ctx c = { out, 1, 0, name, index };

	if (!name && index <= 0)
		return -ENODEV;
	netif_foreach(list_one, &c);
	return c.n ? 0 : -ENODEV;
}

/* ---- struct ifreq commands ---- */

static void put_in_addr(struct linux_sockaddr *sa, uint32_t addr)
{
	struct linux_sockaddr_in *sin = (struct linux_sockaddr_in *)sa;

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET_ABI;
	net_put32(sin->sin_addr, addr);
}

/* The IPv4 address in @sa; -EINVAL unless it is AF_INET. */
static int get_in_addr(const struct linux_sockaddr *sa, uint32_t *addr)
{
	const struct linux_sockaddr_in *sin = (const struct linux_sockaddr_in *)sa;

	if (sin->sin_family != AF_INET_ABI)
		return -EINVAL;
	*addr = net_get32(sin->sin_addr);
	return 0;
}

/* Whether @mask is contiguous ones from the top (RFC 4632's prefixes). */
static bool mask_ok(uint32_t mask)
{
	uint32_t inv = ~mask;

	return (inv & (inv + 1)) == 0;
}

static uint32_t brd_of(const struct netdev_info *d)
{
	return d->addr | ~d->netmask;
}

/* The read-only commands: answer from the snapshot @d. */
static int ifreq_get(unsigned cmd, const struct netdev_info *d, struct linux_ifreq *ifr)
{
	memset(&ifr->u, 0, sizeof(ifr->u));
	switch (cmd) {
	case SIOCGIFFLAGS:
		ifr->u.flags = (int16_t)(d->flags & 0xffffu);
		return 0;
	case SIOCGIFADDR:
	case SIOCGIFDSTADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFBRDADDR:
		if (!d->addr)
			return -EADDRNOTAVAIL;
		put_in_addr(&ifr->u.addr, cmd == SIOCGIFNETMASK   ? d->netmask
		                          : cmd == SIOCGIFBRDADDR ? brd_of(d)
		                                                  : d->addr);
		return 0;
	case SIOCGIFHWADDR:
		ifr->u.addr.sa_family = (d->flags & IFF_LOOPBACK) ? ARPHRD_LOOPBACK : ARPHRD_ETHER;
		memcpy(ifr->u.addr.sa_data, d->mac, ETH_ALEN);
		return 0;
	case SIOCGIFMTU:
		ifr->u.ivalue = (int32_t)d->mtu;
		return 0;
	case SIOCGIFINDEX:
		ifr->u.ivalue = d->index;
		return 0;
	case SIOCGIFMETRIC:
	case SIOCGIFMAP:
		return 0;
	case SIOCGIFTXQLEN:
		ifr->u.ivalue = TXQLEN;
		return 0;
	}
	return -ENOIOCTLCMD;
}

struct mtu_ctx {
	struct netif *nif;
	unsigned mtu;
};

/* Under netif_cfg_lock (netif_foreach): mtu is a [C] field. */
static void mtu_store(struct netif *nif, void *ctx)
{
	struct mtu_ctx *c = ctx;

	if (nif == c->nif)
		nif->mtu = c->mtu;
}

static int set_mtu(const struct netdev_info *d, int32_t mtu)
{
	unsigned max = (d->flags & IFF_LOOPBACK) ? MTU_MAX_LO : MTU_MAX_ETH;
	struct mtu_ctx c = { d->nif, (unsigned)mtu };

	if (mtu < (int32_t)MTU_MIN || (unsigned)mtu > max)
		return -EINVAL;
	netif_foreach(mtu_store, &c);
	return 0;
}

/* SIOCSIFADDR: a new address takes its classful mask, as on Linux; 0.0.0.0 removes it. */
static int set_addr(const struct netdev_info *d, const struct linux_ifreq *ifr)
{
	uint32_t addr;
	int err = get_in_addr(&ifr->u.addr, &addr);

	if (err)
		return err;
	if (addr == d->addr && addr)
		return 0;
	return netif_set_addr(d->nif, addr, addr ? ipconf_class_mask(addr) : 0);
}

static int set_netmask(const struct netdev_info *d, const struct linux_ifreq *ifr)
{
	uint32_t mask;
	int err = get_in_addr(&ifr->u.addr, &mask);

	if (err)
		return err;
	if (!d->addr)
		return -EADDRNOTAVAIL;
	if (!mask_ok(mask))
		return -EINVAL;
	return netif_set_addr(d->nif, d->addr, mask);
}

/* SIOCSIFBRDADDR: Cairn derives the broadcast address; only that one is accepted. */
static int set_brdaddr(const struct netdev_info *d, const struct linux_ifreq *ifr)
{
	uint32_t brd;
	int err = get_in_addr(&ifr->u.addr, &brd);

	if (err)
		return err;
	if (!d->addr)
		return -EADDRNOTAVAIL;
	return brd == brd_of(d) ? 0 : -EINVAL;
}

static int ifreq_set(unsigned cmd, const struct netdev_info *d, const struct linux_ifreq *ifr)
{
	if (current_cred().euid != 0)
		return -EPERM;
	switch (cmd) {
	case SIOCSIFFLAGS:
		return netif_set_up(d->nif, ((uint16_t)ifr->u.flags & IFF_UP) != 0);
	case SIOCSIFADDR:
		return set_addr(d, ifr);
	case SIOCSIFNETMASK:
		return set_netmask(d, ifr);
	case SIOCSIFBRDADDR:
		return set_brdaddr(d, ifr);
	case SIOCSIFMTU:
		return set_mtu(d, ifr->u.ivalue);
	}
	return -ENOIOCTLCMD;
}

static bool ifreq_is_set(unsigned cmd)
{
	return cmd == SIOCSIFFLAGS || cmd == SIOCSIFADDR || cmd == SIOCSIFNETMASK ||
	       cmd == SIOCSIFBRDADDR || cmd == SIOCSIFMTU;
}

static bool ifreq_is_get(unsigned cmd)
{
	switch (cmd) {
	case SIOCGIFNAME:
	case SIOCGIFFLAGS:
	case SIOCGIFADDR:
	case SIOCGIFDSTADDR:
	case SIOCGIFBRDADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFMETRIC:
	case SIOCGIFMTU:
	case SIOCGIFHWADDR:
	case SIOCGIFINDEX:
	case SIOCGIFTXQLEN:
	case SIOCGIFMAP:
		return true;
	}
	return false;
}

int netdev_ifreq(unsigned cmd, struct linux_ifreq *ifr)
{
	struct netdev_info d;
	int err;

	if (!ifreq_is_get(cmd) && !ifreq_is_set(cmd))
		return -ENOIOCTLCMD;
	ifr->ifr_name[LINUX_IFNAMSIZ - 1] = '\0';
	if (cmd == SIOCGIFNAME) {
		err = netdev_find(NULL, ifr->u.ivalue, &d);
		if (!err)
			memcpy(ifr->ifr_name, d.name, LINUX_IFNAMSIZ);
		return err;
	}
	err = netdev_find(ifr->ifr_name, 0, &d);
	if (err)
		return err;
	if (ifreq_is_set(cmd))
		return ifreq_set(cmd, &d, ifr);
	return ifreq_get(cmd, &d, ifr);
}

/* ---- SIOCGIFCONF ---- */

/*
 * netdevice(7): with a NULL buffer, the length every entry needs; else as
 * many whole entries as fit, one per interface with an IPv4 address, and
 * the length used.
 */
static long dev_ifconf(uintptr_t arg)
{
	struct linux_ifconf ifc;
	struct netdev_info *list;
	struct linux_ifreq r;
	unsigned n, i;
	int32_t used = 0;
	long err = 0;

	if (copy_from_user(&ifc, (const void *)arg, sizeof(ifc)))
		return -EFAULT;
	list = kmalloc_flags(NETDEV_MAX * sizeof(*list), KM_MAY_FAIL);
	if (!list)
		return -ENOMEM;
	n = netdev_list(list, NETDEV_MAX);
	for (i = 0; i < n && !err; i++) {
		if (!list[i].addr)
			continue;
		if (ifc.ifc_buf && (ifc.ifc_len < 0 || ifc.ifc_len - used < (int32_t)sizeof(r)))
			break;
		if (ifc.ifc_buf) {
			memset(&r, 0, sizeof(r));
			memcpy(r.ifr_name, list[i].name, LINUX_IFNAMSIZ);
			put_in_addr(&r.u.addr, list[i].addr);
			err = copy_to_user((void *)(uintptr_t)(ifc.ifc_buf + (uint64_t)used), &r,
			                   sizeof(r));
		}
		used += (int32_t)sizeof(r);
	}
	kfree(list);
	if (err)
		return err;
	ifc.ifc_len = used;
	if (copy_to_user((void *)arg, &ifc, sizeof(ifc)))
		return -EFAULT;
	return 0;
}

/* ---- routes ---- */

/* The device a route goes out of: the named one, else the one the gateway is reached on. */
static int route_dev(const char *dev, uint32_t gw, struct netif **out)
{
	struct netdev_info d;
	struct route_result rr;
	int err;

	if (dev) {
		err = netdev_find(dev, 0, &d);
		if (!err)
			*out = d.nif;
		return err;
	}
	if (!gw)
		return -ENODEV;
	err = route_lookup(gw, &rr);
	if (err)
		return err;
	if (rr.next_hop != gw)
		return -ENETUNREACH; /* Linux: the gateway must be on a connected network */
	*out = rr.dev;
	return 0;
}

int netdev_route(unsigned cmd, const struct linux_rtentry *rt, const char *dev)
{
	struct route r;
	int err;

	if (current_cred().euid != 0)
		return -EPERM;
	memset(&r, 0, sizeof(r));
	if (get_in_addr(&rt->rt_dst, &r.dst))
		return -EAFNOSUPPORT;
	r.flags = rt->rt_flags & (RTF_UP | RTF_GATEWAY | RTF_HOST);
	r.mask = 0xffffffffu;
	if (!(rt->rt_flags & RTF_HOST) && get_in_addr(&rt->rt_genmask, &r.mask))
		r.mask = r.dst ? ipconf_class_mask(r.dst) : 0; /* no mask: as Linux, by class */
	if (!mask_ok(r.mask) || (r.dst & ~r.mask))
		return -EINVAL;
	if ((rt->rt_flags & RTF_GATEWAY) && get_in_addr(&rt->rt_gateway, &r.gw))
		return -EINVAL;
	r.metric = rt->rt_metric > 0 ? (unsigned)(rt->rt_metric - 1) : 0;
	if (cmd == SIOCDELRT) {
		/* Without a device, any route to dst/mask matches (r.dev NULL). */
		if (dev) {
			err = route_dev(dev, 0, &r.dev);
			if (err)
				return err;
		}
		return route_del(&r);
	}
	err = route_dev(dev, r.gw, &r.dev);
	if (err)
		return err;
	return route_add(&r);
}

static long dev_rtentry(unsigned cmd, uintptr_t arg)
{
	struct linux_rtentry rt;
	char name[IFNAMSIZ];
	long n;

	if (copy_from_user(&rt, (const void *)arg, sizeof(rt)))
		return -EFAULT;
	if (!rt.rt_dev)
		return netdev_route(cmd, &rt, NULL);
	n = strncpy_from_user(name, (const char *)(uintptr_t)rt.rt_dev, sizeof(name));
	if (n < 0)
		return n == -ENAMETOOLONG ? -ENODEV : n;
	return netdev_route(cmd, &rt, name);
}

/* ---- the entry point ---- */

long net_dev_ioctl(unsigned cmd, uintptr_t arg)
{
	struct linux_ifreq ifr;
	int err;

	if (cmd == SIOCGIFCONF)
		return dev_ifconf(arg);
	if (cmd == SIOCADDRT || cmd == SIOCDELRT)
		return dev_rtentry(cmd, arg);
	if (!ifreq_is_get(cmd) && !ifreq_is_set(cmd))
		return -ENOIOCTLCMD;
	if (copy_from_user(&ifr, (const void *)arg, sizeof(ifr)))
		return -EFAULT;
	err = netdev_ifreq(cmd, &ifr);
	if (err || !ifreq_is_get(cmd))
		return err;
	if (copy_to_user((void *)arg, &ifr, sizeof(ifr)))
		return -EFAULT;
	return 0;
}
