// SPDX-License-Identifier: MIT
/*
 * Placeholders for the wire lane's UDP and raw ICMP sockets
 * (kernel/net/udp.c, raw.c), so that AF_INET links before they land.
 * The wire lane deletes this file in the commit that adds udp.c/raw.c.
 */
#include <cairn/errno.h>

#include "net/inet_sock.h"

int udp_create(struct socket *s, int protocol)
{
	(void)s;
	(void)protocol;
	return -ESOCKTNOSUPPORT;
}

int raw_create(struct socket *s, int type, int protocol)
{
	(void)s;
	(void)type;
	(void)protocol;
	return -ESOCKTNOSUPPORT;
}
