// SPDX-License-Identifier: MIT
/*
 * The boot-time DHCP client: one kernel task ("dhcp") runs lib/net/dhcp's
 * state machine for one interface over a kernel UDP socket on port 68
 * (the wire lane's UDP, broadcasting from 0.0.0.0 until it has an
 * address), applies each lease (address, default route, resolv.conf,
 * host name) and keeps renewing it for as long as the system runs. Boot
 * waits for the first lease for a bounded time only (net/netconf.h).
 *
 * Locks: the client state belongs to the task alone; the boot wait is a
 * semaphore the task raises once.
 */
#include <cairn/errno.h>

#include <lib/net/dhcp.h>
#include <lib/net/ipconf.h>
#include <lib/string.h>

#include "core/log.h"
#include "core/random.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "mm/heap.h"
#include "net/inet.h"
#include "net/inet_sock.h"
#include "net/netconf.h"
#include "net/netif.h"
#include "net/socket.h"
#include "sched/sync.h"
#include "sched/task.h"
#include "syscall/uname.h"
#include "time/time.h"

#define DHCP_FIRST_RETRY_NS (1000ull * 1000000ull) /* see dhcp_boot_start() */
#define DHCP_RX_MAX         1500u                  /* one Ethernet payload */

struct dhcp_boot {
	struct netif *dev;       /* [I] */
	struct socket *sock;     /* [I] the UDP socket on port 68 */
	struct dhcp_client c;    /* the task's own */
	struct semaphore bound;  /* raised at the first lease */
	bool told;               /* the task's own: bound raised */
	uint64_t started_ns;     /* [I] */
	uint32_t gw;             /* the task's own: the default route it set */
	uint8_t rx[DHCP_RX_MAX]; /* the task's own */
	struct dhcp_tx tx;       /* the task's own */
};

static uint64_t now_ns(void)
{
	return clock_monotonic_ns();
}

/* Send what the client asked for to @tx->dst port 67; a failure is logged and left to the retransmission. */
static void dhcp_send(struct dhcp_boot *b)
{
	struct uio_seg seg;
	struct uio u;
	uint8_t to[16];
	size_t tolen = sizeof(to);
	struct sock_msg m;
	long n;

	if (!b->tx.len)
		return;
	inet_addr_fill(to, &tolen, b->tx.dst, DHCP_SERVER_PORT);
	uio_init1(&u, &seg, (uintptr_t)b->tx.buf, b->tx.len, false);
	memset(&m, 0, sizeof(m));
	m.data = &u;
	m.name = to;
	m.namelen = tolen;
	n = b->sock->ops->sendmsg(b->sock, &m, 0, true);
	if (n < 0)
		pr_debug("dhcp: send on %s failed (%ld)", b->dev->name, n);
}

static void lease_log(struct dhcp_boot *b, const struct dhcp_lease *l, uint32_t mask, bool renewed)
{
	char a[16], g[16], d[16];
	uint64_t ms = (now_ns() - b->started_ns) / 1000000;

	if (renewed) {
		pr_debug("dhcp: %s renewed %s for %u s", b->dev->name, netconf_ntoa(l->addr, a),
		         l->lease_s);
		return;
	}
	pr_info("net: %s %s/%u gw %s dns %s (dhcp, %llu ms)", b->dev->name,
	        netconf_ntoa(l->addr, a), netconf_prefix_len(mask),
	        l->router ? netconf_ntoa(l->router, g) : "none",
	        l->ndns ? netconf_ntoa(l->dns[0], d) : "none", (unsigned long long)ms);
}

/* A new lease: configure the interface, the route, resolv.conf and the host name. */
static void lease_apply(struct dhcp_boot *b)
{
	const struct dhcp_lease *l = &b->c.lease;
	uint32_t mask = l->netmask;
	int err;

	if (!mask)
		mask = ipconf_class_mask(l->addr); /* a server that sent none: as Linux, by class */
	if (b->gw && b->gw != l->router)
		netconf_unapply(b->dev, b->gw);
	err = netconf_apply(b->dev, l->addr, mask, l->router);
	if (err && err != -EEXIST) {
		pr_err("dhcp: cannot configure %s (%d)", b->dev->name, err);
		return;
	}
	b->gw = l->router;
	if (l->ndns && (err = netconf_write_resolv(l->dns, l->ndns, l->domain, "DHCP")))
		pr_warn("dhcp: cannot write /etc/resolv.conf (%d)", err);
	if (l->hostname[0])
		uts_set_default_node(l->hostname);
	lease_log(b, l, mask, false);
}

static void handle(struct dhcp_boot *b, enum dhcp_event ev)
{
	switch (ev) {
	case DHCP_EV_BOUND:
		lease_apply(b);
		if (!b->told) {
			b->told = true;
			sem_up(&b->bound);
		}
		break;
	case DHCP_EV_RENEWED:
		lease_log(b, &b->c.lease, 0, true);
		break;
	case DHCP_EV_LOST:
		pr_warn("dhcp: %s lost its lease; asking again", b->dev->name);
		netconf_unapply(b->dev, b->gw);
		b->gw = 0;
		break;
	case DHCP_EV_NONE:
		break;
	}
	dhcp_send(b);
}

static bool sock_readable(void *ctx)
{
	struct socket *s = ctx;

	return (s->ops->poll(s, NULL) & POLLIN) != 0;
}

/* Wait until a message comes or @deadline passes; take it into the client. */
static void dhcp_receive(struct dhcp_boot *b, uint64_t deadline)
{
	uint64_t now = now_ns();
	struct uio_seg seg;
	struct uio u;
	struct sock_msg m;
	long n;

	if (deadline <= now)
		return;
	if (sock_wait(b->sock, sock_readable, b->sock, false, deadline - now))
		return; /* the deadline passed */
	uio_init1(&u, &seg, (uintptr_t)b->rx, sizeof(b->rx), false);
	memset(&m, 0, sizeof(m));
	m.data = &u;
	n = b->sock->ops->recvmsg(b->sock, &m, 0, true);
	if (n > 0)
		handle(b, dhcp_input(&b->c, now_ns(), b->rx, (size_t)n, &b->tx));
}

static int dhcp_task(void *arg)
{
	struct dhcp_boot *b = arg;

	for (;;) {
		handle(b, dhcp_tick(&b->c, now_ns(), &b->tx));
		dhcp_receive(b, dhcp_next_event(&b->c));
	}
	return 0;
}

/* The UDP socket on 0.0.0.0:68, allowed to broadcast. */
static int dhcp_socket(struct socket **out)
{
	struct socket *s = sock_alloc(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, NULL);
	uint8_t addr[16];
	size_t len = sizeof(addr);
	int err;

	if (!s)
		return -ENOMEM;
	err = udp_create(s, IPPROTO_UDP);
	if (err) {
		sock_free(s);
		return err;
	}
	s->broadcast = true;
	inet_addr_fill(addr, &len, INADDR_ANY, DHCP_CLIENT_PORT);
	err = s->ops->bind(s, addr, len);
	if (err) {
		s->ops->release(s);
		sock_free(s);
		return err;
	}
	*out = s;
	return 0;
}

/*
 * The first retransmission comes after 1 s rather than RFC 2131's 4 s:
 * a DISCOVER lost while the link came up would otherwise cost the whole
 * boot wait.
 */
int dhcp_boot_start(struct netif *dev, uint64_t wait_ns)
{
	struct dhcp_boot *b = kmalloc_flags(sizeof(*b), KM_MAY_FAIL | KM_ZERO);
	struct task_handle h;
	uint64_t seed;
	int err;

	if (!b)
		return -ENOMEM;
	b->dev = dev;
	b->started_ns = now_ns();
	sem_init(&b->bound, 0, "dhcp.bound");
	err = netif_set_up(dev, true);
	if (!err)
		err = dhcp_socket(&b->sock);
	if (err) {
		kfree(b);
		return err;
	}
	random_bytes(&seed, sizeof(seed));
	dhcp_init(&b->c, dev->mac, seed, DHCP_FIRST_RETRY_NS, b->started_ns);
	err = task_spawn(&h, "dhcp", dhcp_task, b);
	if (err) {
		b->sock->ops->release(b->sock);
		sock_free(b->sock);
		kfree(b);
		return err;
	}
	(void)task_drop(h);
	return sem_down_until(&b->bound, b->started_ns + wait_ns) ? -ETIMEDOUT : 0;
}
