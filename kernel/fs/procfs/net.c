// SPDX-License-Identifier: MIT
/*
 * The /proc/net directory: one text file per table of the network stack,
 * in Linux's formats (busybox's netstat, route, arp and ifconfig read
 * them). The files' text comes from the stack (kernel/net/procnet.h);
 * each lane's line below replaces the comment that names it, so the
 * lanes' additions do not touch the same lines.
 */
#include <lib/procfs/seq.h>

#include "fs/procfs/internal.h"
#include "net/procnet.h"

#define REG_MODE (S_IFREG | 0444)

/*
 * Cairn has no IPv6: its socket tables are empty, headers only, as
 * Linux's are without IPv6 sockets (busybox netstat warns about a missing file).
 */
static int show_tcp6(struct seqbuf *s, const struct procfs_node *n)
{
	seq_puts(
		s,
		"  sl  local_address                         remote_address                        "
		"st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
	return 0;
}

static int show_udp6(struct seqbuf *s, const struct procfs_node *n)
{
	seq_puts(
		s,
		"  sl  local_address                         remote_address                        "
		"st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n");
	return 0;
}

static const struct procfs_entry net_entries[] = {
	{ "tcp", 83, REG_MODE, 0, procnet_show_tcp, NULL, NULL, NULL },
	{ "dev", 79, REG_MODE, 0, procnet_show_dev, NULL, NULL, NULL },
	{ "udp", 84, REG_MODE, 0, procnet_show_udp, NULL, NULL, NULL },
	{ "route", 80, REG_MODE, 0, procnet_show_route, NULL, NULL, NULL },
	{ "raw", 85, REG_MODE, 0, procnet_show_raw, NULL, NULL, NULL },
	{ "arp", 81, REG_MODE, 0, procnet_show_arp, NULL, NULL, NULL },
	{ "unix", 86, REG_MODE, 0, procnet_show_unix, NULL, NULL, NULL },
	{ "snmp", 82, REG_MODE, 0, procnet_show_snmp, NULL, NULL, NULL },
	{ "sockstat", 87, REG_MODE, 0, procnet_show_sockstat, NULL, NULL, NULL },
	{ "tcp6", 88, REG_MODE, 0, show_tcp6, NULL, NULL, NULL },
	{ "udp6", 89, REG_MODE, 0, show_udp6, NULL, NULL, NULL },
	{ "raw6", 90, REG_MODE, 0, show_udp6, NULL, NULL, NULL },
};

const struct procfs_dir procfs_net_dir = {
	net_entries, ARRAY_SIZE(net_entries), NULL, NULL, NULL, 0
};
