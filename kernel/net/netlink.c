// SPDX-License-Identifier: MIT
/*
 * The AF_NETLINK socket family (net/netlink.h): SOCK_RAW or SOCK_DGRAM
 * sockets of protocol NETLINK_ROUTE that send requests to the kernel
 * (nl_pid 0) and read the answers, which sendmsg() builds at once
 * (rtnl.c) and queues as datagrams on the socket's receive queue (the
 * datagram queue of kernel/net/dgram.c, bounded by SO_RCVBUF). No
 * multicast groups, no messages between sockets.
 *
 * Locks: [S] s->lock for the bound address; the queue has its own.
 */
#include "net/netlink.h"

#include <cairn/errno.h>

#include <lib/string.h>

#include "fs/file.h"
#include "fs/poll.h"
#include "mm/heap.h"
#include "net/dgram.h"
#include "net/socket.h"
#include "proc/proc.h"
#include "sched/sync.h"

#define NL_REQ_MAX   4096u /* the largest request sendmsg() takes (Linux: the socket buffer) */
#define NL_DGRAM_MAX 4096u /* answers are packed into datagrams of this size */

struct nl_sock {
	struct dgram_queue rq; /* answers waiting for recvmsg() */
	uint32_t pid;          /* [S] the bound port id, 0: not bound yet */
};

static const struct sock_ops nl_ops;

/* A port id for @ns: the process's pid, as Linux gives its first socket. */
static void nl_autobind(struct socket *s, struct nl_sock *ns)
{
	mutex_lock(&s->lock);
	if (!ns->pid)
		ns->pid = (uint32_t)process_current()->pid;
	mutex_unlock(&s->lock);
}

static int nl_bind(struct socket *s, const void *addr, size_t len)
{
	const struct sockaddr_nl_abi *a = addr;
	struct nl_sock *ns = s->priv;

	if (len < sizeof(*a) || a->nl_family != AF_NETLINK)
		return -EINVAL;
	if (a->nl_groups)
		return -EOPNOTSUPP; /* no multicast groups */
	mutex_lock(&s->lock);
	ns->pid = a->nl_pid ? a->nl_pid : (uint32_t)process_current()->pid;
	mutex_unlock(&s->lock);
	return 0;
}

static int nl_getname(struct socket *s, void *addr, size_t *len, bool peer)
{
	struct nl_sock *ns = s->priv;
	struct sockaddr_nl_abi a = { AF_NETLINK, 0, 0, 0 };

	if (!peer) {
		nl_autobind(s, ns);
		a.nl_pid = ns->pid;
	}
	memcpy(addr, &a, sizeof(a));
	*len = sizeof(a);
	return 0;
}

/* Queue the datagram of answers built so far. */
static void nl_flush(struct nl_out *o)
{
	struct nl_sock *ns = o->ctx;

	if (!o->len)
		return;
	if (!dgram_queue_put(&ns->rq, 0, 0, o->buf, o->len, NULL, 0) && !o->err)
		o->err = -ENOBUFS;
	o->len = 0;
}

/* Answer each request in @req (@len bytes); a malformed one ends the walk. */
static int nl_requests(struct nl_sock *ns, const uint8_t *req, size_t len)
{
	struct nl_out o = { 0 };
	size_t at = 0;

	o.buf = kmalloc_flags(NL_DGRAM_MAX, KM_MAY_FAIL);
	if (!o.buf)
		return -ENOMEM;
	o.cap = NL_DGRAM_MAX;
	o.flush = nl_flush;
	o.ctx = ns;
	while (len - at >= sizeof(struct nlmsghdr_abi)) {
		struct nlmsghdr_abi h;

		memcpy(&h, req + at, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > len - at)
			break;
		o.seq = h.nlmsg_seq;
		o.pid = ns->pid;
		if (h.nlmsg_flags & NLM_F_REQUEST)
			rtnl_answer(&o, (const struct nlmsghdr_abi *)(req + at), h.nlmsg_len);
		at += (h.nlmsg_len + 3u) & ~3u;
		if (at > len)
			break;
	}
	nl_flush(&o);
	kfree(o.buf);
	return o.err;
}

static long nl_sendmsg(struct socket *s, struct sock_msg *m, unsigned flags, bool nonblock)
{
	struct nl_sock *ns = s->priv;
	const struct sockaddr_nl_abi *to = m->name;
	size_t len = m->data->resid;
	uint8_t *req;
	int err;

	(void)flags;
	(void)nonblock;
	if (to && (m->namelen < sizeof(*to) || to->nl_family != AF_NETLINK))
		return -EINVAL;
	if (to && to->nl_pid)
		return -ECONNREFUSED; /* only the kernel (pid 0) listens */
	if (len > NL_REQ_MAX)
		return -EMSGSIZE;
	req = kmalloc_flags(len ? len : 1, KM_MAY_FAIL);
	if (!req)
		return -ENOBUFS;
	if (uio_copy_in(m->data, req, len) != len) {
		kfree(req);
		return -EFAULT;
	}
	nl_autobind(s, ns);
	err = nl_requests(ns, req, len);
	kfree(req);
	return err ? err : (long)len;
}

static long nl_recvmsg(struct socket *s, struct sock_msg *m, unsigned flags, bool nonblock)
{
	struct nl_sock *ns = s->priv;
	long r = dgram_recvmsg(&ns->rq, s, m, flags, nonblock);

	/* Every answer comes from the kernel: nl_pid 0 (the queue wrote a sockaddr_in). */
	if (r >= 0 && m->name) {
		struct sockaddr_nl_abi a = { AF_NETLINK, 0, 0, 0 };

		memcpy(m->name, &a, sizeof(a));
		m->namelen = sizeof(a);
	}
	return r;
}

static unsigned nl_poll(struct socket *s, struct poll_table *pt)
{
	struct nl_sock *ns = s->priv;

	return dgram_poll_in(&ns->rq, s, pt) | POLLOUT | POLLWRNORM;
}

/* Netlink's own options (SOL_NETLINK) are accepted and ignored; SOL_SOCKET ones the layer kept. */
static int nl_setsockopt(struct socket *s, int level, int name, const void *val, size_t len)
{
	(void)s;
	(void)name;
	(void)val;
	(void)len;
	return level == 270 /* SOL_NETLINK */ ? 0 : -ENOPROTOOPT;
}

static void nl_release(struct socket *s)
{
	struct nl_sock *ns = s->priv;

	dgram_queue_detach(&ns->rq);
	dgram_queue_free(&ns->rq);
	kfree(ns);
}

static const struct sock_ops nl_ops = {
	.bind = nl_bind,
	.sendmsg = nl_sendmsg,
	.recvmsg = nl_recvmsg,
	.getname = nl_getname,
	.setsockopt = nl_setsockopt,
	.poll = nl_poll,
	.release = nl_release,
};

static int nl_create(struct socket *s, int type, int protocol)
{
	struct nl_sock *ns;

	if (type != SOCK_RAW && type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (protocol != NETLINK_ROUTE)
		return -EPROTONOSUPPORT;
	ns = kmalloc_flags(sizeof(*ns), KM_MAY_FAIL | KM_ZERO);
	if (!ns)
		return -ENOBUFS;
	dgram_queue_init(&ns->rq, s);
	s->ops = &nl_ops;
	s->priv = ns;
	return 0;
}

static const struct sock_family nl_family = { AF_NETLINK, nl_create, NULL };

void netlink_init(void)
{
	sock_register_family(&nl_family);
}
