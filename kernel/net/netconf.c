// SPDX-License-Identifier: MIT
/*
 * Boot-time network configuration (net/netconf.h): ip= on the command
 * line picks DHCP (the default), a static address or nothing, for the
 * interface it names or the first Ethernet one. What this file sets is
 * what a user could set with ifconfig and route: the address, the
 * default route, /etc/resolv.conf and the host name.
 */
#include "net/netconf.h"

#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>

#include <lib/format.h>
#include <lib/net/ipconf.h>
#include <lib/string.h>

#include "core/cmdline.h"
#include "core/log.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "net/inet.h"
#include "net/netif.h"
#include "syscall/uname.h"

#define RESOLV_PATH "/etc/resolv.conf"
#define RESOLV_MAX  512

const char *netconf_ntoa(uint32_t a, char buf[16])
{
	fmt_snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
	return buf;
}

static struct route default_route(struct netif *dev, uint32_t gw)
{
	struct route r;

	memset(&r, 0, sizeof(r));
	r.gw = gw;
	r.dev = dev;
	r.flags = RTF_UP | RTF_GATEWAY;
	return r;
}

int netconf_apply(struct netif *dev, uint32_t addr, uint32_t mask, uint32_t gw)
{
	struct route r = default_route(dev, gw);
	int err;

	err = netif_set_up(dev, true);
	if (!err)
		err = netif_set_addr(dev, addr, mask);
	if (err || !gw)
		return err;
	/* One default route: whoever held it gives way to the new lease or ip=. */
	r.gw = 0;
	r.dev = NULL;
	while (route_del(&r) == 0)
		;
	r = default_route(dev, gw);
	return route_add(&r);
}

void netconf_unapply(struct netif *dev, uint32_t gw)
{
	struct route r = default_route(dev, gw);
	int err = 0;

	if (gw)
		err = route_del(&r);
	if (err && err != -ESRCH) /* already gone is fine: the address's removal may take it */
		pr_warn("net: %s: removing the default route failed (%d)", dev->name, err);
	err = netif_set_addr(dev, 0, 0);
	if (err)
		pr_warn("net: %s: removing the address failed (%d)", dev->name, err);
}

int netconf_write_resolv(const uint32_t *dns, unsigned n, const char *domain, const char *source)
{
	char text[RESOLV_MAX], ip[16];
	size_t len;
	struct file *f;
	int64_t pos = 0;
	long wrote;

	len = (size_t)fmt_snprintf(text, sizeof(text), "# Written by the Cairn kernel from %s.\n",
	                           source);
	for (unsigned i = 0; i < n && len < sizeof(text); i++)
		len += (size_t)fmt_snprintf(text + len, sizeof(text) - len, "nameserver %s\n",
		                            netconf_ntoa(dns[i], ip));
	if (domain[0] && len < sizeof(text))
		len += (size_t)fmt_snprintf(text + len, sizeof(text) - len, "search %s\n", domain);
	if (len >= sizeof(text))
		return -ENAMETOOLONG;
	f = vfs_open(AT_FDCWD, RESOLV_PATH, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (IS_ERR_PTR(f))
		return (int)PTR_ERR_VAL(f);
	wrote = kernel_write(f, text, len, &pos);
	file_put(f);
	if (wrote < 0)
		return (int)wrote;
	return (size_t)wrote == len ? 0 : -EIO;
}

struct first_eth {
	struct netif *found;
};

static void find_first_eth(struct netif *nif, void *ctx)
{
	struct first_eth *c = ctx;

	if (!c->found && !(nif->flags & IFF_LOOPBACK))
		c->found = nif;
}

/* The interface ip= names, else the first that is not loopback; NULL: none. */
static struct netif *config_dev(const struct ipconf *c)
{
	struct first_eth f = { NULL };

	if (c->dev[0])
		return netif_by_name(c->dev);
	netif_foreach(find_first_eth, &f);
	return f.found;
}

unsigned netconf_prefix_len(uint32_t mask)
{
	unsigned n = 0;

	for (; mask; mask <<= 1)
		n++;
	return n;
}

static void config_static(struct netif *dev, const struct ipconf *c)
{
	char a[16], g[16], d[16];
	unsigned ndns = c->dns[1] ? 2 : c->dns[0] ? 1 : 0;
	int err = netconf_apply(dev, c->addr, c->netmask, c->gw);

	if (err) {
		pr_err("net: ip=: configuring %s failed (%d)", dev->name, err);
		return;
	}
	if (c->hostname[0])
		uts_set_default_node(c->hostname);
	if (ndns && (err = netconf_write_resolv(c->dns, ndns, "", "ip=")))
		pr_warn("net: cannot write " RESOLV_PATH " (%d)", err);
	pr_info("net: %s %s/%u gw %s dns %s (static)", dev->name, netconf_ntoa(c->addr, a),
	        netconf_prefix_len(c->netmask), c->gw ? netconf_ntoa(c->gw, g) : "none",
	        ndns ? netconf_ntoa(c->dns[0], d) : "none");
}

void net_config_boot(void)
{
	const char *v = cmdline_get("ip");
	char word[256];
	struct ipconf c;
	struct netif *dev;
	int err;

	word[0] = '\0';
	/* Kernel tests drive the interfaces themselves: no DHCP unless ip= asks for it. */
	if (!v && cmdline_get("ktest"))
		return;
	if (v)
		cmdline_word(v, word, sizeof(word));
	err = ipconf_parse(word, &c);
	if (err) {
		pr_err("net: ip=%s not understood (%d); using DHCP", word, err);
		memset(&c, 0, sizeof(c));
	}
	if (c.mode == IPCONF_OFF)
		return;
	dev = config_dev(&c);
	if (!dev) {
		if (v)
			pr_warn("net: ip=%s: no interface %s", word,
			        c.dev[0] ? c.dev : "to configure");
		return; /* no NIC: nothing waits */
	}
	if (c.mode == IPCONF_STATIC) {
		config_static(dev, &c);
		return;
	}
	if (c.hostname[0])
		uts_set_default_node(c.hostname);
	err = dhcp_boot_start(dev, NETCONF_DHCP_WAIT_NS);
	if (err == -ETIMEDOUT)
		pr_info("net: %s: no DHCP lease yet; still asking in the background", dev->name);
	else if (err)
		pr_err("net: %s: DHCP client not started (%d)", dev->name, err);
}
