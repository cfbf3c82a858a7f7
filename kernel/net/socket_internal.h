/* SPDX-License-Identifier: MIT */
/*
 * What the socket layer's files share (kernel/net/socket.c and the
 * sys_socket*.c system calls): the file behind a descriptor, the copying
 * of socket addresses between user and kernel memory, and the common
 * send and receive paths that read/write and the *msg calls go through.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/socket.h"

struct file;

/*
 * The socket behind descriptor @fd with a reference on its file in *@fp
 * (file_put() it). -EBADF (not open, or O_PATH) or -ENOTSOCK.
 */
int __must_check sockfd_get(int fd, struct file **fp, struct socket **out);

/*
 * Copy an address of @ulen bytes from user @uaddr into @kaddr
 * (SOCKADDR_MAX bytes). -EINVAL when @ulen is negative or above
 * SOCKADDR_MAX, -EFAULT.
 */
int __must_check sock_addr_in(void *kaddr, const void *uaddr, int ulen);
/*
 * Store @klen bytes of @kaddr at user @uaddr, at most the int at user
 * @ulenp says, and the full length in *@ulenp (Linux truncates silently).
 * @uaddr NULL: nothing stored. -EINVAL for a negative length, -EFAULT.
 */
int __must_check sock_addr_out(const void *kaddr, size_t klen, void *uaddr, int *ulenp);

/* Whether the file's status flags or @flags ask for a call that does not wait. */
bool sock_nonblock(struct file *f, unsigned flags);

/*
 * Send / receive through the family: the op, then EPIPE's SIGPIPE unless
 * MSG_NOSIGNAL. Bytes moved or -errno.
 */
long sock_sendmsg(struct file *f, struct socket *s, struct sock_msg *m, unsigned flags);
long sock_recvmsg(struct file *f, struct socket *s, struct sock_msg *m, unsigned flags);

/*
 * Give @s a file (O_RDWR, @flags: SOCK_NONBLOCK/SOCK_CLOEXEC) and a
 * descriptor. Returns the descriptor, or -errno with @s freed.
 */
int __must_check sock_install(struct socket *s, int flags);

/* Make a socket of @family/@type/@protocol with no file yet; -errno in *@err. */
struct socket *sock_create(int family, int type, int protocol, int *err);

/* socketpair(): two sockets of @family connected by its pair(). 0 or -errno. */
int __must_check sock_create_pair(int family, int type, int protocol, struct socket **a,
                                  struct socket **b);

/* Sockets alive now (/proc/net/sockstat's "sockets: used"). */
long sock_count(void);
