/* SPDX-License-Identifier: MIT */
/*
 * Sockets as files (socket(2) and friends on Linux's ABI). The socket
 * layer (kernel/net/socket*.c, sys_socket*.c) owns the system calls, the
 * file, the copying of addresses, messages and control data between user
 * and kernel memory, SOL_SOCKET options and blocking; each family
 * (AF_INET in kernel/net/tcp_sock.c, udp.c, raw.c; AF_UNIX in
 * kernel/net/unix*.c) provides the operations below on kernel memory.
 *
 * Locks: [I] fixed after creation; [S] s->lock, the socket's mutex, which
 * the layer does NOT take around ops (each family locks what it needs);
 * [a] atomic.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sched/sync.h"
#include "sched/wait.h"

struct file;
struct poll_table;
struct socket;
struct uio;

/* Linux's numbers (include/linux/socket.h, net.h). */
#define AF_UNSPEC  0
#define AF_UNIX    1
#define AF_INET    2
#define AF_INET6   10
#define AF_NETLINK 16
#define AF_PACKET  17

#define SOCK_STREAM    1
#define SOCK_DGRAM     2
#define SOCK_RAW       3
#define SOCK_SEQPACKET 5
#define SOCK_TYPE_MASK 0xf
#define SOCK_TYPE_MAX  11      /* Linux's SOCK_MAX: types from here on are EINVAL */
#define SOCK_NONBLOCK  0x800   /* O_NONBLOCK */
#define SOCK_CLOEXEC   0x80000 /* O_CLOEXEC */

#define MSG_OOB          0x1
#define MSG_PEEK         0x2
#define MSG_DONTROUTE    0x4
#define MSG_CTRUNC       0x8
#define MSG_TRUNC        0x20
#define MSG_DONTWAIT     0x40
#define MSG_EOR          0x80
#define MSG_WAITALL      0x100
#define MSG_NOSIGNAL     0x4000
#define MSG_MORE         0x8000
#define MSG_WAITFORONE   0x10000 /* recvmmsg: wait for the first message only */
#define MSG_CMSG_CLOEXEC 0x40000000

#define SHUT_RD   0
#define SHUT_WR   1
#define SHUT_RDWR 2

#define SOL_SOCKET    1
#define SO_DEBUG      1
#define SO_REUSEADDR  2
#define SO_TYPE       3
#define SO_ERROR      4
#define SO_DONTROUTE  5
#define SO_BROADCAST  6
#define SO_SNDBUF     7
#define SO_RCVBUF     8
#define SO_KEEPALIVE  9
#define SO_OOBINLINE  10
#define SO_LINGER     13
#define SO_REUSEPORT  15
#define SO_PASSCRED   16
#define SO_PEERCRED   17
#define SO_RCVLOWAT   18
#define SO_SNDLOWAT   19
#define SO_RCVTIMEO   20 /* SO_RCVTIMEO_OLD: struct timeval */
#define SO_SNDTIMEO   21
#define SO_ACCEPTCONN 30
#define SO_PROTOCOL   38
#define SO_DOMAIN     39

#define SCM_RIGHTS      1
#define SCM_CREDENTIALS 2

/* The largest address any family takes (struct sockaddr_storage). */
#define SOCKADDR_MAX     128u
/* The largest control buffer sendmsg() copies in (Linux's optmem_max is 20 KiB). */
#define SOCK_CONTROL_MAX 20480u

/*
 * One message between the layer and a family, all in kernel memory except
 * the data, which is @data (user memory for system calls).
 */
struct sock_msg {
	struct uio *data;
	/* sendmsg: the destination (NULL: none); recvmsg: room for the source, namelen set to what was stored. */
	void *name;
	size_t namelen;
	/* sendmsg: the cmsg buffer copied in; recvmsg: a buffer of controllen bytes to fill, controllen set to what was stored. */
	void *control;
	size_t controllen;
	unsigned out_flags; /* recvmsg: MSG_TRUNC, MSG_CTRUNC, MSG_EOR set by the family */
};

/* ---- control messages (cmsg(3)), in kernel memory ---- */

/* struct cmsghdr of the x86_64 ABI: the data follows at CMSG_ALIGN(sizeof(struct cmsghdr)). */
struct cmsghdr {
	uint64_t cmsg_len; /* header and data, without the padding after it */
	int32_t cmsg_level;
	int32_t cmsg_type;
};
#define CMSG_ALIGN(n) (((size_t)(n) + 7u) & ~(size_t)7u)
#define CMSG_HDR_LEN  CMSG_ALIGN(sizeof(struct cmsghdr))
#define CMSG_LEN(n)   (CMSG_HDR_LEN + (size_t)(n))
#define CMSG_SPACE(n) (CMSG_HDR_LEN + CMSG_ALIGN(n))
#define CMSG_DATA(c)  ((uint8_t *)(c) + CMSG_HDR_LEN)

/*
 * sendmsg: the control message after @c (NULL: the first) of @m's control
 * data, or NULL at the end. A message whose length is shorter than its
 * header or runs past the buffer ends the walk with *@err = -EINVAL (as
 * Linux's CMSG_OK check); *@err is 0 otherwise.
 */
const struct cmsghdr *sock_cmsg_next(const struct sock_msg *m, const struct cmsghdr *c, int *err);
/*
 * recvmsg: append a control message of @len data bytes at offset *@used
 * of @m's control buffer (m->controllen bytes; start *@used at 0), as
 * Linux's put_cmsg(): when it does not fit whole it is cut and
 * MSG_CTRUNC is set in m->out_flags. The family stores *@used in
 * m->controllen when it is done.
 */
void sock_cmsg_put(struct sock_msg *m, size_t *used, int level, int type, const void *data,
                   size_t len);

/* A family's operations. Unset entries answer -EOPNOTSUPP (getname -ENOTCONN; poll: POLLERR). */
struct sock_ops {
	int (*bind)(struct socket *s, const void *addr, size_t len);
	/* @nonblock: -EINPROGRESS instead of waiting. -ERESTARTSYS when a signal ends the wait. */
	int (*connect)(struct socket *s, const void *addr, size_t len, bool nonblock);
	int (*listen)(struct socket *s, int backlog);
	/* A connected socket made with sock_alloc(); -EAGAIN when @nonblock and none is waiting. */
	int (*accept)(struct socket *s, struct socket **out, bool nonblock);
	/* Bytes sent or -errno; @flags MSG_*; @nonblock from the file or MSG_DONTWAIT. */
	long (*sendmsg)(struct socket *s, struct sock_msg *m, unsigned flags, bool nonblock);
	long (*recvmsg)(struct socket *s, struct sock_msg *m, unsigned flags, bool nonblock);
	int (*shutdown)(struct socket *s, int how);
	/* The local (@peer false) or remote address into @addr (SOCKADDR_MAX bytes); its length in *@len. */
	int (*getname)(struct socket *s, void *addr, size_t *len, bool peer);
	/*
	 * Options of the family's levels (IPPROTO_TCP, ...), and SOL_SOCKET
	 * ones after the layer stored them (the family returns -ENOPROTOOPT
	 * for those it ignores). @val/@len in kernel memory; getsockopt
	 * stores at most *@len bytes and sets *@len.
	 */
	int (*setsockopt)(struct socket *s, int level, int name, const void *val, size_t len);
	int (*getsockopt)(struct socket *s, int level, int name, void *val, size_t *len);
	unsigned (*poll)(struct socket *s, struct poll_table *pt);
	/* Family ioctls (FIONREAD, SIOCOUTQ, ...); -ENOIOCTLCMD: not the family's. */
	long (*ioctl)(struct socket *s, unsigned cmd, uintptr_t arg);
	/* The last close: let go of everything (a TCP connection may live on to finish its close). */
	void (*release)(struct socket *s);
};

struct socket {
	int family, type, protocol; /* [I] type without SOCK_NONBLOCK/CLOEXEC */
	const struct sock_ops *ops; /* [I] */
	void *priv;                 /* [I] the family's */
	struct file *file;          /* [I] NULL until the layer made its file */
	struct waitq wq;            /* readiness: families wake it with poll_wake() */
	struct mutex lock;          /* [S] for the family's use */
	/* SOL_SOCKET options the layer keeps; families read them. [a] */
	int sndbuf, rcvbuf;
	uint64_t rcvtimeo_ns, sndtimeo_ns; /* 0: wait for ever */
	bool reuseaddr, reuseport, keepalive, broadcast, passcred;
	int linger_s; /* -1: off */
	int error;    /* SO_ERROR pending (-errno), taken by getsockopt */
};

/* A family's constructor: set s->ops and s->priv for @type/@protocol; -EPROTONOSUPPORT, -ESOCKTNOSUPPORT. */
struct sock_family {
	int family;
	int (*create)(struct socket *s, int type, int protocol);
	/* socketpair(): @a and @b created with create(); connect them. NULL: -EOPNOTSUPP. */
	int (*pair)(struct socket *a, struct socket *b);
};
/* Register a family (at boot, from net_init() or the family's init). */
void sock_register_family(const struct sock_family *f);

/* A socket of the caller's family for accept(): the layer gives it a file when accept() returns it. */
struct socket *sock_alloc(int family, int type, int protocol, const struct sock_ops *ops,
                          void *priv);
/* Free a socket that never got a file (accept() failed after sock_alloc()). */
void sock_free(struct socket *s);

/* The socket behind @f, or NULL when @f is not a socket. */
struct socket *sock_from_file(struct file *f);

/*
 * Wait on s->wq until @ready(@ctx) is true, honouring @nonblock (-EAGAIN),
 * signals (-ERESTARTSYS, or -EINTR after a timeout option) and
 * @timeout_ns (0: none; -EAGAIN when it passes, as Linux's SO_RCVTIMEO).
 * The caller holds no spinlock.
 */
int __must_check sock_wait(struct socket *s, bool (*ready)(void *ctx), void *ctx, bool nonblock,
                           uint64_t timeout_ns);
/* The same on another queue of the family's (a listener's backlog, a peer's room). */
int __must_check sock_wait_on(struct waitq *wq, bool (*ready)(void *ctx), void *ctx, bool nonblock,
                              uint64_t timeout_ns);

/*
 * Interface and route ioctls (SIOCGIFCONF, SIOCGIFFLAGS, SIOCSIFADDR,
 * SIOCADDRT, ...), answered on any socket as Linux does; the layer calls
 * it for cmd 0x89xx after the family's ioctl declined. -ENOIOCTLCMD when
 * it is not one.
 */
long net_dev_ioctl(unsigned cmd, uintptr_t arg);
