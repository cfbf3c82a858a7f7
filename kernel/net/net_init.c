// SPDX-License-Identifier: MIT
/*
 * The network's boot (net/netif.h's net_init): the IP layer, the
 * loopback interface, the net task, then each socket family's own init.
 * kmain calls it once, before the drivers probe (docs/net.md).
 */
#include <cairn/errno.h>

#include "core/log.h"
#include "net/inet.h"
#include "net/inet_sock.h"
#include "net/ip_internal.h"
#include "net/netif.h"
#include "net/netlink.h"
#include "net/udp.h"
#include "net/unix.h"

int net_init(void)
{
	int err;

	arp_init();
	err = net_task_start();
	if (err)
		goto out;
	err = loopback_init();
	if (err)
		goto out;

	/* The socket families and protocols, one line each (their lanes add them). */
	inet_sock_init(); /* AF_INET: TCP sockets, the port tables (sock lane) */
	udp_init();
	raw_init();
	netlink_init(); /* AF_NETLINK: rtnetlink's dumps for busybox ip (conf lane) */
	unix_init();    /* AF_UNIX (unix lane) */

	pr_info("net: lo up, 127.0.0.1/8");
	return 0;
out:
	pr_err("net: initialisation failed (%d); no network", err);
	return err;
}
