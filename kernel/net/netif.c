// SPDX-License-Identifier: MIT
/*
 * The registry of network interfaces (net/netif.h): names and indexes,
 * IPv4 configuration, up and down, and the counted transmit every layer
 * sends through. Receiving is the net task's (nettask.c).
 *
 * Locks: netif_cfg_lock guards the list and each interface's addr,
 * netmask and mtu; it is a leaf spinlock, never held across a transmit.
 */
#include "net/netif.h"

#include <cairn/errno.h>

#include <lib/format.h>
#include <lib/string.h>

#include "core/log.h"
#include "net/inet.h"
#include "net/ip_internal.h"
#include "net/pkt.h"
#include "sched/spinlock.h"

static struct spinlock netif_cfg_lock = SPINLOCK_INIT("netif.cfg");
static struct list_node netifs __guarded_by(&netif_cfg_lock) = LIST_INIT(netifs);
static int next_index __guarded_by(&netif_cfg_lock) = 1;

static struct netif *by_name_locked(const char *name) __must_hold(&netif_cfg_lock)
{
	struct netif *n;

	list_for_each_entry(n, &netifs, link) {
		if (!strcmp(n->name, name))
			return n;
	}
	return NULL;
}

/* Turn a name ending in '%' into its first free number: "eth%" -> "eth0". */
static int pick_name_locked(struct netif *nif) __must_hold(&netif_cfg_lock)
{
	size_t len = strnlen(nif->name, IFNAMSIZ);
	char prefix[IFNAMSIZ];

	if (len == 0 || len == IFNAMSIZ)
		return -EINVAL;
	if (nif->name[len - 1] != '%')
		return by_name_locked(nif->name) ? -EEXIST : 0;
	memcpy(prefix, nif->name, len - 1);
	prefix[len - 1] = 0;
	for (unsigned i = 0; i < 1000; i++) {
		fmt_snprintf(nif->name, IFNAMSIZ, "%s%u", prefix, i);
		if (!by_name_locked(nif->name))
			return 0;
	}
	return -ENFILE;
}

/*
 * Add @nif to the registry, naming and numbering it. 0, -EINVAL (no ops
 * or a bad name), -EEXIST (the name is taken). Task context.
 */
int netif_register(struct netif *nif)
{
	int err;

	if (!nif->ops || !nif->ops->xmit || nif->mtu < 68)
		return -EINVAL;
	spin_lock(&netif_cfg_lock);
	err = pick_name_locked(nif);
	if (!err) {
		nif->index = next_index++;
		nif->rx_queued = 0;
		list_add_tail(&netifs, &nif->link);
	}
	spin_unlock(&netif_cfg_lock);
	if (!err)
		pr_info("net: %s registered (index %d, mtu %u)", nif->name, nif->index, nif->mtu);
	return err;
}

/* Take @nif out: down, its routes and ARP entries gone. Task context. */
void netif_unregister(struct netif *nif)
{
	if (netif_set_up(nif, false))
		pr_warn("net: %s did not go down cleanly", nif->name);
	route_flush_dev(nif);
	arp_flush_dev(nif);
	spin_lock(&netif_cfg_lock);
	list_del(&nif->link);
	spin_unlock(&netif_cfg_lock);
}

struct netif *netif_by_name(const char *name)
{
	struct netif *n;

	spin_lock(&netif_cfg_lock);
	n = by_name_locked(name);
	spin_unlock(&netif_cfg_lock);
	return n;
}

struct netif *netif_by_index(int index)
{
	struct netif *n, *found = NULL;

	spin_lock(&netif_cfg_lock);
	list_for_each_entry(n, &netifs, link) {
		if (n->index == index) {
			found = n;
			break;
		}
	}
	spin_unlock(&netif_cfg_lock);
	return found;
}

void netif_foreach(void (*fn)(struct netif *nif, void *ctx), void *ctx)
{
	struct netif *n;

	spin_lock(&netif_cfg_lock);
	list_for_each_entry(n, &netifs, link)
		fn(n, ctx);
	spin_unlock(&netif_cfg_lock);
}

/* A netmask is contiguous ones from the top (RFC 4632 prefixes). */
static bool mask_ok(uint32_t mask)
{
	return (~mask & (~mask + 1)) == 0;
}

/*
 * Set @nif's IPv4 address and netmask (0/0: none). Moves the connected
 * route and announces the address with a gratuitous ARP. 0 or -EINVAL.
 */
int netif_set_addr(struct netif *nif, uint32_t addr, uint32_t netmask)
{
	uint32_t old_addr, old_mask;

	if (!mask_ok(netmask) || (addr && ip4_is_multicast(addr)) || addr == IP4_BROADCAST)
		return -EINVAL;
	spin_lock(&netif_cfg_lock);
	old_addr = nif->addr;
	old_mask = nif->netmask;
	nif->addr = addr;
	nif->netmask = netmask;
	spin_unlock(&netif_cfg_lock);
	if (old_addr != addr)
		arp_flush_dev(nif);
	route_ifaddr_changed(nif, old_addr, old_mask);
	if (addr && !(nif->flags & IFF_LOOPBACK) && (nif->flags & IFF_UP))
		arp_announce(nif, addr);
	return 0;
}

/* Bring @nif up or down; the driver's set_up hook decides whether it can. */
int netif_set_up(struct netif *nif, bool up)
{
	unsigned flags = __atomic_load_n(&nif->flags, __ATOMIC_RELAXED);
	int err = 0;

	if (!!(flags & IFF_UP) == up)
		return 0;
	if (nif->ops->set_up)
		err = nif->ops->set_up(nif, up);
	if (err)
		return err;
	if (up) {
		__atomic_or_fetch(&nif->flags, IFF_UP | IFF_RUNNING, __ATOMIC_RELEASE);
		if (nif->addr && !(nif->flags & IFF_LOOPBACK))
			arp_announce(nif, nif->addr);
	} else {
		__atomic_and_fetch(&nif->flags, ~(IFF_UP | IFF_RUNNING), __ATOMIC_RELEASE);
		arp_flush_dev(nif);
	}
	return 0;
}

/* Read @nif's address and mask together (a consistent pair). */
void netif_get_addr(struct netif *nif, uint32_t *addr, uint32_t *mask)
{
	spin_lock(&netif_cfg_lock);
	*addr = nif->addr;
	*mask = nif->netmask;
	spin_unlock(&netif_cfg_lock);
}

/*
 * Whether @addr is one of ours: 127/8, an interface's address, its
 * directed broadcast, or the limited broadcast (RFC 1122 3.3.6).
 */
bool inet_addr_is_local(uint32_t addr)
{
	struct netif *n;
	bool found = false;

	if (ip4_is_loopback(addr) || addr == IP4_BROADCAST)
		return true;
	spin_lock(&netif_cfg_lock);
	list_for_each_entry(n, &netifs, link) {
		if (n->addr && (addr == n->addr || (n->netmask && n->netmask != IP4_BROADCAST &&
		                                    addr == (n->addr | ~n->netmask)))) {
			found = true;
			break;
		}
	}
	spin_unlock(&netif_cfg_lock);
	return found;
}

/* Whether @addr is 127/8 or the address of one of our interfaces. */
bool inet_addr_is_ours(uint32_t addr)
{
	struct netif *n;
	bool found = false;

	if (ip4_is_loopback(addr))
		return true;
	if (!addr)
		return false;
	spin_lock(&netif_cfg_lock);
	list_for_each_entry(n, &netifs, link) {
		if (n->addr == addr) {
			found = true;
			break;
		}
	}
	spin_unlock(&netif_cfg_lock);
	return found;
}

/* Whether @addr is @nif's directed broadcast (its subnet's all-ones host). */
bool netif_is_bcast(struct netif *nif, uint32_t addr)
{
	uint32_t a, m;

	netif_get_addr(nif, &a, &m);
	return a && m && m != IP4_BROADCAST && addr == (a | ~m);
}

/* The first interface that is up, not loopback, for the limited broadcast (DHCP). */
struct netif *netif_first_ether(void)
{
	struct netif *n, *found = NULL;

	spin_lock(&netif_cfg_lock);
	list_for_each_entry(n, &netifs, link) {
		if (!(n->flags & IFF_LOOPBACK) && (n->flags & IFF_UP)) {
			found = n;
			break;
		}
	}
	spin_unlock(&netif_cfg_lock);
	return found;
}

int netif_xmit(struct netif *dev, struct pkt *p)
{
	uint32_t len = p->len;
	int err;

	if (!(__atomic_load_n(&dev->flags, __ATOMIC_RELAXED) & IFF_UP)) {
		NET_INC(dev->stats.tx_dropped);
		pkt_free(p);
		return -ENETDOWN;
	}
	if (!(dev->features & NETIF_F_CSUM_TX))
		pkt_csum_finish(p);
	err = dev->ops->xmit(dev, p);
	if (err) {
		NET_INC(dev->stats.tx_dropped);
		return err;
	}
	NET_INC(dev->stats.tx_packets);
	NET_ADD(dev->stats.tx_bytes, len);
	return 0;
}
