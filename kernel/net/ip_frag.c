// SPDX-License-Identifier: MIT
/*
 * IPv4 reassembly glue (RFC 791 3.2). Until lib/net/reass lands every
 * fragment is counted and dropped.
 */
#include "net/inet.h"
#include "net/ip_internal.h"
#include "net/pkt.h"

struct pkt *ip4_reassemble(struct pkt *p, struct ip4_view *ip)
{
	(void)ip;
	NET_INC(inet_stats.ip_reasm_reqds);
	NET_INC(inet_stats.ip_reasm_fails);
	pkt_free(p);
	return NULL;
}
