// SPDX-License-Identifier: MIT
/*
 * AF_INET SOCK_STREAM sockets over lib/net/tcp's state machine. Until the
 * TCP glue lands, no stream socket can be made.
 */
#include <cairn/errno.h>

#include "net/inet_sock.h"

int tcp_sock_create(struct socket *s, int protocol)
{
	(void)s;
	(void)protocol;
	return -ESOCKTNOSUPPORT;
}
