// SPDX-License-Identifier: MIT
/*
 * Interface configuration on a fake Ethernet interface that drops what
 * it sends: the ifreq ioctls' kernel halves read and change it (flags,
 * address with its classful mask, netmask, broadcast, MTU, names and
 * indexes), routes added and deleted as route(8) does, and /proc/net's
 * dev and route text showing the result in Linux's format.
 */
#include <cairn/errno.h>

#include <lib/net/wire.h>
#include <lib/procfs/seq.h>
#include <lib/string.h>

#include "core/ktest.h"
#include "mm/heap.h"
#include "net/devioctl.h"
#include "net/inet.h"
#include "net/netif.h"
#include "net/pkt.h"
#include "net/procnet.h"

static int fake_xmit(struct netif *nif, struct pkt *p)
{
	(void)nif;
	pkt_free(p);
	return 0;
}

static const struct netif_ops fake_ops = { .xmit = fake_xmit };

static struct netif fake = {
	.name = "kconf%",
	.mac = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef },
	.mtu = 1500,
	.flags = IFF_BROADCAST | IFF_MULTICAST,
	.ops = &fake_ops,
};
static bool fake_registered;

/*
 * The fake interface, registered once for every test of the suite
 * (interfaces are never freed), up and without an address at the start
 * of each test.
 */
static struct netif *fake_get(void)
{
	if (!netif_by_name("lo"))
		ktest_skip("no IP layer (no lo interface)");
	if (!fake_registered) {
		EXPECT_EQ(netif_register(&fake), 0);
		fake_registered = true;
	}
	EXPECT_EQ(netif_set_addr(&fake, 0, 0), 0);
	EXPECT_EQ(netif_set_up(&fake, true), 0);
	return &fake;
}

static void ifr_named(struct linux_ifreq *r, const char *name)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->ifr_name, name, strnlen(name, sizeof(r->ifr_name) - 1));
}

static void ifr_in(struct linux_ifreq *r, const char *name, uint32_t addr)
{
	struct linux_sockaddr_in *sin = (struct linux_sockaddr_in *)&r->u.addr;

	ifr_named(r, name);
	sin->sin_family = 2;
	net_put32(sin->sin_addr, addr);
}

static uint32_t ifr_addr(const struct linux_ifreq *r)
{
	return net_get32(((const struct linux_sockaddr_in *)&r->u.addr)->sin_addr);
}

static void rt_in(struct linux_sockaddr *sa, uint32_t addr)
{
	struct linux_sockaddr_in *sin = (struct linux_sockaddr_in *)sa;

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = 2;
	net_put32(sin->sin_addr, addr);
}

/* @fn's text in a heap buffer (NUL-terminated), or NULL. */
static char *show(int (*fn)(struct seqbuf *, const struct procfs_node *))
{
	size_t cap = 16384;
	char *buf = kmalloc(cap + 1);
	struct seqbuf s;

	seq_init(&s, buf, cap);
	EXPECT_EQ(fn(&s, NULL), 0);
	EXPECT_TRUE(!seq_overflowed(&s));
	buf[s.len] = '\0';
	return buf;
}

TEST(net_conf, names_indexes_and_flags)
{
	struct netif *nif = fake_get();
	struct linux_ifreq r;

	ifr_named(&r, nif->name);
	EXPECT_EQ(netdev_ifreq(SIOCGIFINDEX, &r), 0);
	EXPECT_EQ(r.u.ivalue, nif->index);
	memset(&r, 0, sizeof(r));
	r.u.ivalue = nif->index;
	EXPECT_EQ(netdev_ifreq(SIOCGIFNAME, &r), 0);
	EXPECT_STREQ(r.ifr_name, nif->name);
	r.u.ivalue = 30000;
	EXPECT_EQ(netdev_ifreq(SIOCGIFNAME, &r), -ENODEV);
	ifr_named(&r, "nosuch9");
	EXPECT_EQ(netdev_ifreq(SIOCGIFFLAGS, &r), -ENODEV);
	ifr_named(&r, nif->name);
	EXPECT_EQ(netdev_ifreq(SIOCGIFHWADDR, &r), 0);
	EXPECT_EQ(r.u.addr.sa_family, ARPHRD_ETHER);
	EXPECT_EQ(memcmp(r.u.addr.sa_data, nif->mac, ETH_ALEN), 0);
	r.u.flags = IFF_UP;
	EXPECT_EQ(netdev_ifreq(SIOCSIFFLAGS, &r), 0);
	EXPECT_EQ(netdev_ifreq(SIOCGIFFLAGS, &r), 0);
	EXPECT_EQ((unsigned)r.u.flags & (IFF_UP | IFF_RUNNING | IFF_BROADCAST),
	          IFF_UP | IFF_RUNNING | IFF_BROADCAST);
	EXPECT_EQ(netdev_ifreq(0x89ff, &r), -ENOIOCTLCMD);
}

TEST(net_conf, address_netmask_broadcast_mtu)
{
	struct netif *nif = fake_get();
	struct linux_ifreq r;

	ifr_in(&r, nif->name, 0x0a010203); /* 10.1.2.3 takes class A's mask */
	EXPECT_EQ(netdev_ifreq(SIOCSIFADDR, &r), 0);
	EXPECT_EQ(netdev_ifreq(SIOCGIFNETMASK, &r), 0);
	EXPECT_EQ(ifr_addr(&r), 0xff000000u);
	ifr_in(&r, nif->name, 0xffff00ffu);
	EXPECT_EQ(netdev_ifreq(SIOCSIFNETMASK, &r), -EINVAL);
	ifr_in(&r, nif->name, 0xffffff00u);
	EXPECT_EQ(netdev_ifreq(SIOCSIFNETMASK, &r), 0);
	EXPECT_EQ(netdev_ifreq(SIOCGIFADDR, &r), 0);
	EXPECT_EQ(ifr_addr(&r), 0x0a010203u);
	EXPECT_EQ(netdev_ifreq(SIOCGIFBRDADDR, &r), 0);
	EXPECT_EQ(ifr_addr(&r), 0x0a0102ffu);
	r.u.addr.sa_family = 1; /* not AF_INET */
	EXPECT_EQ(netdev_ifreq(SIOCSIFADDR, &r), -EINVAL);
	ifr_named(&r, nif->name);
	r.u.ivalue = 1400;
	EXPECT_EQ(netdev_ifreq(SIOCSIFMTU, &r), 0);
	EXPECT_EQ(netdev_ifreq(SIOCGIFMTU, &r), 0);
	EXPECT_EQ(r.u.ivalue, 1400);
	r.u.ivalue = 9000; /* more than Ethernet's receive buffers take */
	EXPECT_EQ(netdev_ifreq(SIOCSIFMTU, &r), -EINVAL);
	r.u.ivalue = 1500;
	EXPECT_EQ(netdev_ifreq(SIOCSIFMTU, &r), 0);
}

TEST(net_conf, routes_and_proc_net)
{
	struct netif *nif = fake_get();
	struct linux_rtentry rt;
	struct route_result rr;
	struct linux_ifreq r;
	char *t;

	ifr_in(&r, nif->name, 0x0a010203);
	EXPECT_EQ(netdev_ifreq(SIOCSIFADDR, &r), 0);
	ifr_in(&r, nif->name, 0xffffff00u);
	EXPECT_EQ(netdev_ifreq(SIOCSIFNETMASK, &r), 0);
	memset(&rt, 0, sizeof(rt));
	rt_in(&rt.rt_dst, 0xc6336400);     /* 198.51.100.0/24 (RFC 5737) */
	rt_in(&rt.rt_genmask, 0xffffff00); /* via 10.1.2.1 */
	rt_in(&rt.rt_gateway, 0x0a010201);
	rt.rt_flags = RTF_UP | RTF_GATEWAY;
	EXPECT_EQ(netdev_route(SIOCADDRT, &rt, NULL), 0);
	EXPECT_EQ(route_lookup(0xc6336407, &rr), 0);
	EXPECT_TRUE(rr.dev == nif && rr.next_hop == 0x0a010201);
	t = show(procnet_show_route);
	EXPECT_TRUE(strstr(t, "Iface\tDestination\tGateway \tFlags") == t);
	/* 198.51.100.0 is printed as the little-endian word of its network-order bytes. */
	EXPECT_TRUE(strstr(t, "\t006433C6\t0102010A\t0003\t0\t0\t0\t00FFFFFF\t") != NULL);
	kfree(t);
	rt_in(&rt.rt_genmask, 0xffff0000); /* the address has bits outside the mask */
	EXPECT_EQ(netdev_route(SIOCADDRT, &rt, NULL), -EINVAL);
	rt_in(&rt.rt_genmask, 0xffffff00);
	EXPECT_EQ(netdev_route(SIOCDELRT, &rt, nif->name), 0);
	EXPECT_EQ(netdev_route(SIOCDELRT, &rt, NULL), -ESRCH);
	EXPECT_EQ(netdev_route(SIOCADDRT, &rt, "nosuch9"), -ENODEV);
	t = show(procnet_show_arp);
	EXPECT_TRUE(strstr(t, "IP address       HW type     Flags       HW address") == t);
	kfree(t);
	t = show(procnet_show_dev);
	EXPECT_TRUE(strstr(t, "Inter-|   Receive") == t);
	EXPECT_TRUE(strstr(t, "    lo: ") != NULL);
	EXPECT_TRUE(strstr(t, nif->name) != NULL);
	kfree(t);
	ifr_in(&r, nif->name, 0);
	EXPECT_EQ(netdev_ifreq(SIOCSIFADDR, &r), 0);
	EXPECT_EQ(netdev_ifreq(SIOCGIFADDR, &r), -EADDRNOTAVAIL);
}
