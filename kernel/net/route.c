// SPDX-License-Identifier: MIT
/*
 * The IPv4 routing table (net/inet.h): a small array kept in order of
 * prefix length, longest first, then metric, so a lookup takes the first
 * match (longest-prefix match, RFC 1812 5.2.4.3). Addresses of our own
 * go through the loopback interface, as Linux's local table does.
 *
 * Locks: route_lock, a leaf spinlock over the table; never held across
 * a transmit or a call into another layer except netif's leaf lock.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "core/log.h"
#include "net/inet.h"
#include "net/ip_internal.h"
#include "net/netif.h"
#include "sched/spinlock.h"

#define ROUTE_MAX 64u

static struct spinlock route_lock = SPINLOCK_INIT("net.route");
static struct route routes[ROUTE_MAX] __guarded_by(&route_lock);
static unsigned nroutes __guarded_by(&route_lock);

static unsigned prefix_len(uint32_t mask)
{
	/* Masks are contiguous (checked on entry): count the ones from the top. */
	return mask ? 32u - (unsigned)__builtin_ctz(mask) : 0;
}

static bool mask_contiguous(uint32_t mask)
{
	return (~mask & (~mask + 1)) == 0;
}

/* The slot of a route equal to @r in destination, mask, gateway and device; -1: none. */
static int find_locked(const struct route *r, bool match_gw_dev) __must_hold(&route_lock)
{
	for (unsigned i = 0; i < nroutes; i++) {
		const struct route *e = &routes[i];

		if (e->dst != r->dst || e->mask != r->mask || e->metric != r->metric)
			continue;
		if (match_gw_dev && ((r->gw && e->gw != r->gw) || (r->dev && e->dev != r->dev)))
			continue;
		return (int)i;
	}
	return -1;
}

/*
 * Add @r (dst is masked). -EINVAL (mask not contiguous, no device),
 * -EEXIST (the same destination and metric), -ENOBUFS (table full).
 */
int route_add(const struct route *r)
{
	struct route e = *r;
	unsigned i;
	int err = 0;

	if (!mask_contiguous(r->mask) || !r->dev)
		return -EINVAL;
	e.dst &= e.mask;
	e.flags |= RTF_UP | (e.gw ? RTF_GATEWAY : 0) | (e.mask == IP4_BROADCAST ? RTF_HOST : 0);
	spin_lock(&route_lock);
	if (find_locked(&e, false) >= 0) {
		err = -EEXIST;
		goto out_unlock;
	}
	if (nroutes == ROUTE_MAX) {
		err = -ENOBUFS;
		goto out_unlock;
	}
	for (i = 0; i < nroutes; i++) {
		unsigned pl = prefix_len(routes[i].mask), npl = prefix_len(e.mask);

		if (pl < npl || (pl == npl && routes[i].metric > e.metric))
			break;
	}
	memmove(&routes[i + 1], &routes[i], (nroutes - i) * sizeof(routes[0]));
	routes[i] = e;
	nroutes++;
out_unlock:
	spin_unlock(&route_lock);
	return err;
}

static void remove_locked(unsigned i) __must_hold(&route_lock)
{
	memmove(&routes[i], &routes[i + 1], (nroutes - i - 1) * sizeof(routes[0]));
	nroutes--;
}

/* Delete the route matching @r (its gw and dev too when set); -ESRCH when none. */
int route_del(const struct route *r)
{
	struct route e = *r;
	int i;

	if (!mask_contiguous(r->mask))
		return -EINVAL;
	e.dst &= e.mask;
	spin_lock(&route_lock);
	i = find_locked(&e, true);
	if (i >= 0)
		remove_locked((unsigned)i);
	spin_unlock(&route_lock);
	return i >= 0 ? 0 : -ESRCH;
}

void route_foreach(void (*fn)(const struct route *r, void *ctx), void *ctx)
{
	spin_lock(&route_lock);
	for (unsigned i = 0; i < nroutes; i++)
		fn(&routes[i], ctx);
	spin_unlock(&route_lock);
}

void route_flush_dev(struct netif *nif)
{
	spin_lock(&route_lock);
	for (unsigned i = 0; i < nroutes;) {
		if (routes[i].dev == nif)
			remove_locked(i);
		else
			i++;
	}
	spin_unlock(&route_lock);
}

void route_ifaddr_changed(struct netif *nif, uint32_t old_addr, uint32_t old_mask)
{
	struct route r = { .dev = nif };
	uint32_t addr, mask;

	if (old_addr) {
		r.dst = old_addr & old_mask;
		r.mask = old_mask;
		if (route_del(&r) == -ESRCH)
			pr_debug("net: the connected route of %s was already deleted", nif->name);
	}
	netif_get_addr(nif, &addr, &mask);
	if (!addr)
		return;
	r.dst = addr & mask;
	r.mask = mask;
	if (route_add(&r) == -ENOBUFS)
		pr_warn("net: routing table full; %s has no connected route", nif->name);
}

/* Destinations of our own: through lo, from themselves (Linux's local routes). */
static int local_route(uint32_t dst, struct route_result *out)
{
	struct netif *lo = netif_lo;

	if (!lo || dst == IP4_BROADCAST)
		return -ENETUNREACH;
	out->dev = lo;
	out->next_hop = dst;
	out->src = dst;
	out->mtu = lo->mtu;
	return 0;
}

/*
 * Where a datagram to @dst goes. 0 with @out filled, or -ENETUNREACH.
 * Any task context; never sleeps.
 */
int route_lookup(uint32_t dst, struct route_result *out)
{
	struct netif *dev = NULL;
	uint32_t gw = 0, addr, mask;

	if (inet_addr_is_ours(dst))
		return local_route(dst, out);
	spin_lock(&route_lock);
	for (unsigned i = 0; i < nroutes; i++) {
		if ((dst & routes[i].mask) == routes[i].dst && (routes[i].dev->flags & IFF_UP)) {
			dev = routes[i].dev;
			gw = routes[i].gw;
			break;
		}
	}
	spin_unlock(&route_lock);
	if (!dev && dst == IP4_BROADCAST)
		dev = netif_first_ether();
	if (!dev)
		return -ENETUNREACH;
	netif_get_addr(dev, &addr, &mask);
	out->dev = dev;
	out->next_hop = gw ? gw : dst;
	out->src = addr;
	out->mtu = dev->mtu;
	return 0;
}
