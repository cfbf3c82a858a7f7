// SPDX-License-Identifier: MIT
/*
 * rtnetlink's answers (rtnetlink(7), Linux's include/uapi/linux/
 * rtnetlink.h, if_link.h, if_addr.h for the layouts): one RTM_NEWLINK per
 * interface, one RTM_NEWADDR per IPv4 address, one RTM_NEWROUTE per route
 * of the main table, each with the attributes busybox's ip prints, all in
 * network order where Linux has them so. Messages are packed into
 * datagrams of one page, as Linux packs a dump.
 */
#include <cairn/errno.h>

#include <lib/net/wire.h>
#include <lib/string.h>

#include "mm/heap.h"
#include "net/devioctl.h"
#include "net/inet.h"
#include "net/netlink.h"

#define NLA_ALIGN(n)  (((n) + 3u) & ~3u)
#define AF_UNSPEC_ABI 0
#define AF_INET_ABI   2

#define IFLA_ADDRESS   1
#define IFLA_BROADCAST 2
#define IFLA_IFNAME    3
#define IFLA_MTU       4
#define IFLA_TXQLEN    13
#define IFLA_OPERSTATE 16
#define IF_OPER_DOWN   2
#define IF_OPER_UP     6
#define IFF_LOWER_UP   0x10000u

#define IFA_ADDRESS     1
#define IFA_LOCAL       2
#define IFA_LABEL       3
#define IFA_BROADCAST   4
#define IFA_F_PERMANENT 0x80u

#define RTA_DST      1
#define RTA_OIF      4
#define RTA_GATEWAY  5
#define RTA_PRIORITY 6
#define RTA_PREFSRC  7
#define RTA_TABLE    15

#define RT_TABLE_MAIN     254
#define RTPROT_KERNEL     2
#define RTPROT_BOOT       3
#define RT_SCOPE_UNIVERSE 0
#define RT_SCOPE_LINK     253
#define RT_SCOPE_HOST     254
#define RTN_UNICAST       1

struct ifinfomsg_abi {
	uint8_t family, pad;
	uint16_t type;
	int32_t index;
	uint32_t flags, change;
};

struct ifaddrmsg_abi {
	uint8_t family, prefixlen, flags, scope;
	uint32_t index;
};

struct rtmsg_abi {
	uint8_t family, dst_len, src_len, tos, table, protocol, scope, type;
	uint32_t flags;
};

_Static_assert(sizeof(struct ifinfomsg_abi) == 16, "struct ifinfomsg is 16 bytes");
_Static_assert(sizeof(struct ifaddrmsg_abi) == 8, "struct ifaddrmsg is 8 bytes");
_Static_assert(sizeof(struct rtmsg_abi) == 12, "struct rtmsg is 12 bytes");

/* The largest single message we build (a header, a body and a few short attributes). */
#define MSG_MAX 256u

/* ---- building ---- */

/* Start a message of @type with @body (@blen bytes) in @m (MSG_MAX bytes); its length so far. */
static size_t msg_start(uint8_t *m, const struct nl_out *o, uint16_t type, uint16_t flags,
                        const void *body, size_t blen)
{
	struct nlmsghdr_abi h = { 0, type, flags, o->seq, o->pid };

	memset(m, 0, MSG_MAX);
	memcpy(m + sizeof(h), body, blen);
	memcpy(m, &h, sizeof(h));
	return sizeof(h) + NLA_ALIGN(blen);
}

static size_t attr(uint8_t *m, size_t at, uint16_t type, const void *v, size_t len)
{
	uint16_t alen = (uint16_t)(4 + len);

	memcpy(m + at, &alen, 2);
	memcpy(m + at + 2, &type, 2);
	memcpy(m + at + 4, v, len);
	return at + NLA_ALIGN(4 + len);
}

static size_t attr_u32(uint8_t *m, size_t at, uint16_t type, uint32_t v)
{
	return attr(m, at, type, &v, 4);
}

/* An IPv4 address attribute: network order, as Linux keeps __be32. */
static size_t attr_in(uint8_t *m, size_t at, uint16_t type, uint32_t addr)
{
	uint8_t b[4];

	net_put32(b, addr);
	return attr(m, at, type, b, 4);
}

/* Finish message @m of @len bytes and append it to @o, flushing a full datagram first. */
static void emit(struct nl_out *o, uint8_t *m, size_t len)
{
	uint32_t l32 = (uint32_t)len;

	memcpy(m, &l32, 4);
	if (o->len + len > o->cap)
		o->flush(o);
	if (o->len + len > o->cap)
		return; /* cannot happen: every message is smaller than a datagram */
	memcpy(o->buf + o->len, m, len);
	o->len += len;
}

/* ---- the dumps ---- */

static void link_msg(struct nl_out *o, const struct netdev_info *d, uint8_t *m)
{
	bool lo = d->flags & IFF_LOOPBACK, up = d->flags & IFF_RUNNING;
	struct ifinfomsg_abi ifi = { AF_UNSPEC_ABI,
		                     0,
		                     lo ? ARPHRD_LOOPBACK : ARPHRD_ETHER,
		                     d->index,
		                     d->flags | (up ? IFF_LOWER_UP : 0),
		                     0 };
	static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[ETH_ALEN];
	uint8_t oper = up ? IF_OPER_UP : IF_OPER_DOWN;
	size_t at = msg_start(m, o, RTM_NEWLINK, NLM_F_MULTI, &ifi, sizeof(ifi));

	at = attr(m, at, IFLA_IFNAME, d->name, strnlen(d->name, IFNAMSIZ - 1) + 1);
	at = attr_u32(m, at, IFLA_MTU, d->mtu);
	at = attr_u32(m, at, IFLA_TXQLEN, 1000); /* what SIOCGIFTXQLEN says */
	at = attr(m, at, IFLA_OPERSTATE, &oper, 1);
	at = attr(m, at, IFLA_ADDRESS, d->mac, ETH_ALEN);
	at = attr(m, at, IFLA_BROADCAST, lo ? zero : bcast, ETH_ALEN);
	emit(o, m, at);
}

static void addr_msg(struct nl_out *o, const struct netdev_info *d, uint8_t *m)
{
	bool lo = d->flags & IFF_LOOPBACK;
	unsigned plen = 0;
	struct ifaddrmsg_abi ifa;
	size_t at;

	for (uint32_t mask = d->netmask; mask; mask <<= 1)
		plen++;
	ifa = (struct ifaddrmsg_abi){ AF_INET_ABI, (uint8_t)plen, IFA_F_PERMANENT,
		                      lo ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE, (uint32_t)d->index };
	at = msg_start(m, o, RTM_NEWADDR, NLM_F_MULTI, &ifa, sizeof(ifa));
	at = attr_in(m, at, IFA_ADDRESS, d->addr);
	at = attr_in(m, at, IFA_LOCAL, d->addr);
	if (!lo)
		at = attr_in(m, at, IFA_BROADCAST, d->addr | ~d->netmask);
	at = attr(m, at, IFA_LABEL, d->name, strnlen(d->name, IFNAMSIZ - 1) + 1);
	emit(o, m, at);
}

struct route_walk {
	struct route *r;
	unsigned n, max;
};

static void route_take(const struct route *r, void *ctx)
{
	struct route_walk *w = ctx;

	/* Routes through lo are Linux's local table, not the main one ip route lists. */
	if (w->n < w->max && r->dev && !(r->dev->flags & IFF_LOOPBACK))
		w->r[w->n++] = *r;
}

static void route_msg(struct nl_out *o, const struct route *r, uint8_t *m)
{
	unsigned plen = 0;
	struct rtmsg_abi rtm;
	size_t at;
	uint32_t src = 0, mask;

	for (uint32_t k = r->mask; k; k <<= 1)
		plen++;
	rtm = (struct rtmsg_abi){ AF_INET_ABI,
		                  (uint8_t)plen,
		                  0,
		                  0,
		                  RT_TABLE_MAIN,
		                  r->gw ? RTPROT_BOOT : RTPROT_KERNEL,
		                  r->gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
		                  RTN_UNICAST,
		                  0 };
	at = msg_start(m, o, RTM_NEWROUTE, NLM_F_MULTI, &rtm, sizeof(rtm));
	at = attr_u32(m, at, RTA_TABLE, RT_TABLE_MAIN);
	if (plen)
		at = attr_in(m, at, RTA_DST, r->dst);
	if (r->gw)
		at = attr_in(m, at, RTA_GATEWAY, r->gw);
	if (r->metric)
		at = attr_u32(m, at, RTA_PRIORITY, r->metric);
	netif_get_addr(r->dev, &src, &mask);
	if (!r->gw && src)
		at = attr_in(m, at, RTA_PREFSRC, src);
	at = attr_u32(m, at, RTA_OIF, (uint32_t)r->dev->index);
	emit(o, m, at);
}

#define ROUTES_MAX 64u /* the IP layer's table size */

static int dump(struct nl_out *o, uint16_t type, uint8_t *m)
{
	struct netdev_info *list = kmalloc_flags(NETDEV_MAX * sizeof(*list), KM_MAY_FAIL);
	struct route *routes = kmalloc_flags(ROUTES_MAX * sizeof(*routes), KM_MAY_FAIL);
	struct route_walk w = { routes, 0, ROUTES_MAX };
	unsigned n = 0;

	if (!list || !routes) {
		kfree(list);
		kfree(routes);
		return -ENOMEM;
	}
	if (type != RTM_GETROUTE)
		n = netdev_list(list, NETDEV_MAX);
	for (unsigned i = 0; i < n; i++) {
		if (type == RTM_GETLINK)
			link_msg(o, &list[i], m);
		else if (list[i].addr)
			addr_msg(o, &list[i], m);
	}
	if (type == RTM_GETROUTE) {
		route_foreach(route_take, &w);
		for (unsigned i = 0; i < w.n; i++)
			route_msg(o, &routes[i], m);
	}
	kfree(list);
	kfree(routes);
	return 0;
}

static void done_or_error(struct nl_out *o, const struct nlmsghdr_abi *h, int err, uint8_t *m)
{
	int32_t e = err;
	size_t at;

	if (!err) {
		at = msg_start(m, o, NLMSG_DONE, NLM_F_MULTI, &e, sizeof(e));
	} else {
		/* struct nlmsgerr: the error, then the request's header. */
		at = msg_start(m, o, NLMSG_ERROR, 0, &e, sizeof(e));
		memcpy(m + at, h, sizeof(*h));
		at += sizeof(*h);
	}
	emit(o, m, at);
}

void rtnl_answer(struct nl_out *o, const struct nlmsghdr_abi *h, size_t len)
{
	uint8_t *m = kmalloc_flags(MSG_MAX, KM_MAY_FAIL);
	bool is_dump = (h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	int err = -EOPNOTSUPP;

	(void)len;
	if (!m) {
		o->err = -ENOMEM;
		return;
	}
	if (is_dump && (h->nlmsg_type == RTM_GETLINK || h->nlmsg_type == RTM_GETADDR ||
	                h->nlmsg_type == RTM_GETROUTE))
		err = dump(o, h->nlmsg_type, m);
	done_or_error(o, h, err, m);
	kfree(m);
}
