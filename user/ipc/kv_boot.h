// SPDX-License-Identifier: MIT
/*
 * How a kv client gets its channel to kvd (docs/ipc.md, "Finding the
 * server"). Channels have no names, so the server listens on an AF_UNIX
 * socket whose file permissions decide who may connect; to each client
 * that connects it sends one end of a fresh channel with SCM_RIGHTS
 * (a handle is a file descriptor, so it travels like one) and hangs up.
 * From then on the two speak kv.cidl over the channel only.
 */
#pragma once

#define KV_SOCK_DEFAULT "/run/kv.sock"
#define KV_FD_DEFAULT   3 /* `kvd -- CMD`: CMD's channel end ($KV_FD) */

/* The socket's path: $KV_SOCK, else KV_SOCK_DEFAULT. */
const char *kv_sock_path(void);

/*
 * Server: listen on @path (removing a stale socket file first). Returns
 * the listening descriptor or -errno.
 */
int kv_boot_listen(const char *path);

/*
 * Server: accept one connection on @lfd and give it one end of a new
 * channel, with the rights a client needs (READ, WRITE, WAIT). Returns the
 * server's end (a handle) or -errno; nothing is left open on failure.
 */
int kv_boot_accept(int lfd);

/* Client: connect to @path and receive a channel end. Returns it or -errno. */
int kv_boot_connect(const char *path);

/*
 * Client: the channel end to use -- descriptor $KV_FD if set (`kvd --
 * CMD` started us), else one from kv_boot_connect(kv_sock_path()).
 * Returns it or -errno.
 */
int kv_boot_channel(void);
