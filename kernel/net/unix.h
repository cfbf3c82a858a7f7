/* SPDX-License-Identifier: MIT */
/*
 * AF_UNIX sockets (unix(7)): what the rest of the kernel calls. The
 * family itself is in kernel/net/unix*.c (docs/unix-sockets.md).
 */
#pragma once

#include <stdint.h>

struct seqbuf;

/* Register AF_UNIX with the socket layer (net_init(), once at boot). */
void unix_init(void);

/* How many AF_UNIX sockets exist (leak checks in tests). */
long unix_sock_count(void);
/* How many files sit in flight in AF_UNIX queues (SCM_RIGHTS not yet received). */
long unix_inflight_count(void);
