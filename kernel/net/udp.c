// SPDX-License-Identifier: MIT
/*
 * UDP sockets (udp(7)): AF_INET SOCK_DGRAM over the socket layer. bind,
 * connect (which filters the source of what is received and makes a
 * port unreachable come back as ECONNREFUSED), sendmsg with SO_BROADCAST
 * checks, recvmsg through the shared datagram queue (dgram.c), poll,
 * FIONREAD, shutdown and the IPPROTO_IP options TTL and TOS. Receive,
 * ICMP errors and /proc/net/udp are in udp_in.c.
 */
#include "net/udp.h"

#include <cairn/errno.h>

#include <lib/net/wire.h>

#include "fs/file.h"
#include "fs/poll.h"
#include "mm/heap.h"
#include "mm/uaccess.h"
#include "net/inet.h"
#include "net/netif.h"
#include "net/pkt.h"
#include "net/socket.h"
#include "net/udp_internal.h"
#include "proc/proc.h"

/* The largest UDP payload over IPv4: 65535 less the IP and UDP headers. */
#define UDP_MAX_PAYLOAD (65535u - IP4_HLEN_MIN - UDP_HLEN)

#define FIONREAD 0x541bu /* SIOCINQ */
#define SIOCOUTQ 0x5411u

static const struct sock_ops udp_ops;

void udp_get(struct udp_sock *u)
{
	__atomic_fetch_add(&u->refs, 1, __ATOMIC_RELAXED);
}

void udp_put(struct udp_sock *u)
{
	if (__atomic_sub_fetch(&u->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	dgram_queue_free(&u->rq);
	kfree(u);
}

int udp_create(struct socket *s, int protocol)
{
	struct udp_sock *u = kmalloc_flags(sizeof(*u), KM_MAY_FAIL | KM_ZERO);

	(void)protocol;
	if (!u)
		return -ENOMEM;
	u->s = s;
	u->refs = 1;
	u->ttl = IP4_DEFAULT_TTL;
	u->bind.owner = u;
	list_node_init(&u->bind.link);
	dgram_queue_init(&u->rq, s);
	s->ops = &udp_ops;
	s->priv = u;
	return 0;
}

/* Claim @addr:@port (0: an ephemeral port) for @u. */
static int udp_claim_locked(struct socket *s, struct udp_sock *u, uint32_t addr, uint16_t port)
	__must_hold(&s->lock)
{
	int err;

	u->bind.addr = addr;
	u->bind.port = port;
	u->bind.reuseaddr = __atomic_load_n(&s->reuseaddr, __ATOMIC_RELAXED);
	u->bind.reuseport = __atomic_load_n(&s->reuseport, __ATOMIC_RELAXED);
	u->bind.uid = current_cred().euid;
	err = inet_bind_add(SOCK_DGRAM, &u->bind);
	if (err)
		return err;
	u->bound = true;
	__atomic_store_n(&u->laddr, addr, __ATOMIC_RELAXED);
	return 0;
}

static int udp_bind(struct socket *s, const void *addr, size_t len)
{
	struct udp_sock *u = s->priv;
	uint16_t family = len >= 2 ? *(const uint16_t *)addr : 0;
	uint32_t ip;
	uint16_t port;
	int err = inet_addr_parse(addr, len, true, &ip, &port);

	/* AF_UNSPEC is bind()'s old spelling of INADDR_ANY only (Linux's inet_bind_sk). */
	if (!err && family == AF_UNSPEC && ip != INADDR_ANY)
		err = -EAFNOSUPPORT;
	if (!err)
		err = inet_bind_check(ip, port);
	if (err)
		return err;
	mutex_lock(&s->lock);
	err = u->bound ? -EINVAL : udp_claim_locked(s, u, ip, port);
	if (!err)
		u->port_locked = port != 0;
	mutex_unlock(&s->lock);
	return err;
}

static int udp_autobind_locked(struct socket *s, struct udp_sock *u) __must_hold(&s->lock)
{
	return u->bound ? 0
	                : udp_claim_locked(s, u, __atomic_load_n(&u->laddr, __ATOMIC_RELAXED), 0);
}

/* Whether @dst is a broadcast address (limited, or the directed one of @dev's subnet). */
static bool udp_is_broadcast(uint32_t dst, const struct netif *dev)
{
	if (dst == INADDR_BROADCAST)
		return true;
	return dev && dev->netmask && dev->netmask != 0xffffffffu &&
	       dst == (dev->addr | ~dev->netmask);
}

/*
 * A destination of INADDR_ANY means this host (Linux's route output: the
 * local address when one is bound, else 127.0.0.1).
 */
static uint32_t udp_any_is_local(const struct udp_sock *u, uint32_t dst)
{
	uint32_t l = __atomic_load_n(&u->laddr, __ATOMIC_RELAXED);

	if (dst != INADDR_ANY)
		return dst;
	return l != INADDR_ANY && l != INADDR_BROADCAST ? l : INADDR_LOOPBACK;
}

/* connect(AF_UNSPEC): forget the peer, and an address or port bind() did not choose. */
static void udp_disconnect_locked(struct socket *s, struct udp_sock *u) __must_hold(&s->lock)
{
	__atomic_store_n(&u->peer, 0, __ATOMIC_RELAXED);
	/* As Linux's udp_disconnect: what bind() did not fix is given up (SOCK_BIND*_LOCK). */
	__atomic_store_n(&u->laddr, u->bind.addr, __ATOMIC_RELAXED);
	if (u->bound && !u->port_locked) {
		inet_bind_del(SOCK_DGRAM, &u->bind);
		u->bound = false;
	}
}

static int udp_connect(struct socket *s, const void *addr, size_t len, bool nonblock)
{
	struct udp_sock *u = s->priv;
	struct route_result rr;
	uint32_t ip;
	uint16_t port;
	int err;

	(void)nonblock;
	if (len >= 2 && *(const uint16_t *)addr == AF_UNSPEC) {
		mutex_lock(&s->lock);
		udp_disconnect_locked(s, u);
		mutex_unlock(&s->lock);
		return 0;
	}
	err = inet_addr_parse(addr, len, false, &ip, &port);
	if (err)
		return err;
	ip = udp_any_is_local(u, ip);
	err = route_lookup(ip, &rr);
	if (err)
		return err;
	if (udp_is_broadcast(ip, rr.dev) && !__atomic_load_n(&s->broadcast, __ATOMIC_RELAXED))
		return -EACCES;
	mutex_lock(&s->lock);
	err = udp_autobind_locked(s, u);
	if (!err) {
		if (__atomic_load_n(&u->laddr, __ATOMIC_RELAXED) == INADDR_ANY)
			__atomic_store_n(&u->laddr, rr.src, __ATOMIC_RELAXED);
		__atomic_store_n(&u->peer, UDP_PEER(ip, port), __ATOMIC_RELEASE);
	}
	mutex_unlock(&s->lock);
	return err;
}

/* Where a send goes: the message's address or the connected peer. */
static int udp_dest(struct udp_sock *u, const struct sock_msg *m, uint32_t *ip, uint16_t *port)
{
	uint64_t peer = __atomic_load_n(&u->peer, __ATOMIC_ACQUIRE);
	int err;

	if (m->name) {
		err = inet_addr_parse(m->name, m->namelen, true, ip, port);
		if (err)
			return err;
		*ip = udp_any_is_local(u, *ip);
		return *port ? 0 : -EINVAL;
	}
	if (!peer)
		return -EDESTADDRREQ;
	*ip = UDP_PEER_ADDR(peer);
	*port = UDP_PEER_PORT(peer);
	return 0;
}

struct udp_out {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint8_t ttl, tos;
	bool partial; /* the interface completes the checksum (NETIF_F_CSUM_TX) */
};

/* Build the datagram of @len bytes from @m's data and hand it to IP. */
static long udp_transmit(const struct udp_out *o, struct sock_msg *m, size_t len)
{
	struct pkt *p = pkt_alloc(PKT_HEADROOM, UDP_HLEN + len);
	uint8_t *b;
	int err;

	if (!p) {
		__atomic_fetch_add(&udp_stats.sndbuf_errors, 1, __ATOMIC_RELAXED);
		return -ENOBUFS;
	}
	b = pkt_put(p, UDP_HLEN + len);
	if (len && uio_copy_in(m->data, b + UDP_HLEN, len) != len) {
		pkt_free(p);
		return -EFAULT;
	}
	if (o->partial) {
		/* Only the pseudo-header sum here: the device (or lo) does the rest. */
		udp_build_partial(b, o->sport, o->dport, o->src, o->dst, len);
		p->flags |= PKT_CSUM_PARTIAL;
		p->csum_start = 0;
		p->csum_offset = 6; /* the checksum field (RFC 768) */
	} else {
		udp_build(b, o->sport, o->dport, o->src, o->dst, len);
	}
	err = ip4_output(p, o->src, o->dst, IPPROTO_UDP, o->ttl, o->tos, false);
	if (err)
		return err;
	__atomic_fetch_add(&udp_stats.out_datagrams, 1, __ATOMIC_RELAXED);
	return (long)len;
}

/* sendmsg()'s checks and addresses under [O]; fills @o. */
static int udp_prepare_locked(struct socket *s, struct udp_sock *u, const struct sock_msg *m,
                              struct udp_out *o) __must_hold(&s->lock)
{
	struct route_result rr;
	int err;

	if (u->shut_wr)
		return -EPIPE;
	err = udp_dest(u, m, &o->dst, &o->dport);
	if (!err)
		err = route_lookup(o->dst, &rr);
	if (err)
		return err;
	if (udp_is_broadcast(o->dst, rr.dev) && !__atomic_load_n(&s->broadcast, __ATOMIC_RELAXED))
		return -EACCES;
	err = udp_autobind_locked(s, u);
	if (err)
		return err;
	o->src = __atomic_load_n(&u->laddr, __ATOMIC_RELAXED);
	if (o->src == INADDR_ANY || o->src == INADDR_BROADCAST)
		o->src = rr.src;
	o->sport = u->bind.port;
	o->ttl = u->ttl;
	o->tos = u->tos;
	o->partial = rr.dev && (rr.dev->features & NETIF_F_CSUM_TX);
	return 0;
}

static long udp_sendmsg(struct socket *s, struct sock_msg *m, unsigned flags, bool nonblock)
{
	struct udp_sock *u = s->priv;
	size_t len = m->data->resid;
	struct udp_out o;
	long r;

	(void)nonblock;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	/* A pending error (an ICMP port unreachable) is reported once, by the next call. */
	r = dgram_take_error(s);
	if (r)
		return r;
	if (len > UDP_MAX_PAYLOAD)
		return -EMSGSIZE;
	mutex_lock(&s->lock);
	r = udp_prepare_locked(s, u, m, &o);
	mutex_unlock(&s->lock);
	if (r)
		return r;
	return udp_transmit(&o, m, len);
}

static long udp_recvmsg(struct socket *s, struct sock_msg *m, unsigned flags, bool nonblock)
{
	struct udp_sock *u = s->priv;

	return dgram_recvmsg(&u->rq, s, m, flags, nonblock);
}

static int udp_shutdown(struct socket *s, int how)
{
	struct udp_sock *u = s->priv;
	bool connected;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	mutex_lock(&s->lock);
	connected = __atomic_load_n(&u->peer, __ATOMIC_RELAXED) != 0;
	if (how != SHUT_RD)
		u->shut_wr = true;
	mutex_unlock(&s->lock);
	if (how != SHUT_WR)
		dgram_shutdown_rd(&u->rq);
	else
		poll_wake(&s->wq, POLLOUT);
	/* Linux marks even an unconnected socket shut (so pollers see it) but says ENOTCONN. */
	return connected ? 0 : -ENOTCONN;
}

static int udp_getname(struct socket *s, void *addr, size_t *len, bool peer)
{
	struct udp_sock *u = s->priv;
	uint64_t p = __atomic_load_n(&u->peer, __ATOMIC_ACQUIRE);
	uint16_t port;

	if (peer) {
		if (!p)
			return -ENOTCONN;
		inet_addr_fill(addr, len, UDP_PEER_ADDR(p), UDP_PEER_PORT(p));
		return 0;
	}
	mutex_lock(&s->lock);
	port = u->bound ? u->bind.port : 0;
	inet_addr_fill(addr, len, __atomic_load_n(&u->laddr, __ATOMIC_RELAXED), port);
	mutex_unlock(&s->lock);
	return 0;
}

static unsigned udp_poll(struct socket *s, struct poll_table *pt)
{
	struct udp_sock *u = s->priv;
	unsigned ev = dgram_poll_in(&u->rq, s, pt) | POLLOUT | POLLWRNORM | POLLWRBAND;

	if ((ev & POLLRDHUP) && u->shut_wr)
		ev |= POLLHUP;
	return ev;
}

static long udp_ioctl(struct socket *s, unsigned cmd, uintptr_t arg)
{
	struct udp_sock *u = s->priv;
	int v;

	if (cmd == FIONREAD)
		v = (int)dgram_next_len(&u->rq);
	else if (cmd == SIOCOUTQ)
		v = 0; /* sent datagrams leave at once */
	else
		return -ENOIOCTLCMD;
	return copy_to_user((void *)arg, &v, sizeof(v)) ? -EFAULT : 0;
}

int inet_dgram_setsockopt_ip(struct socket *s, int level, int name, const void *val, size_t len,
                             uint8_t *ttl, uint8_t *tos)
{
	int v;

	if (level != SOL_IP || (name != IP_TTL && name != IP_TOS))
		return -ENOPROTOOPT;
	if (len < sizeof(int))
		return -EINVAL;
	__builtin_memcpy(&v, val, sizeof(v));
	/* ip(7): IP_TTL takes 1..255, or -1 for the default. */
	if (name == IP_TTL && (v == 0 || v < -1 || v > 255))
		return -EINVAL;
	mutex_lock(&s->lock);
	if (name == IP_TTL)
		*ttl = (uint8_t)(v == -1 ? (int)IP4_DEFAULT_TTL : v);
	else
		*tos = (uint8_t)v;
	mutex_unlock(&s->lock);
	return 0;
}

static int udp_setsockopt(struct socket *s, int level, int name, const void *val, size_t len)
{
	struct udp_sock *u = s->priv;

	return inet_dgram_setsockopt_ip(s, level, name, val, len, &u->ttl, &u->tos);
}

static int udp_getsockopt(struct socket *s, int level, int name, void *val, size_t *len)
{
	struct udp_sock *u = s->priv;
	int v;

	if (level != SOL_IP || (name != IP_TTL && name != IP_TOS))
		return -ENOPROTOOPT;
	v = name == IP_TTL ? u->ttl : u->tos;
	if (*len > sizeof(v))
		*len = sizeof(v);
	__builtin_memcpy(val, &v, *len);
	return 0;
}

static void udp_release(struct socket *s)
{
	struct udp_sock *u = s->priv;

	mutex_lock(&s->lock);
	if (u->bound)
		inet_bind_del(SOCK_DGRAM, &u->bind);
	u->bound = false;
	mutex_unlock(&s->lock);
	/* The net task may still hold a reference: it finds the socket gone and drops. */
	dgram_queue_detach(&u->rq);
	udp_put(u);
}

static const struct sock_ops udp_ops = {
	.bind = udp_bind,
	.connect = udp_connect,
	.sendmsg = udp_sendmsg,
	.recvmsg = udp_recvmsg,
	.shutdown = udp_shutdown,
	.getname = udp_getname,
	.setsockopt = udp_setsockopt,
	.getsockopt = udp_getsockopt,
	.poll = udp_poll,
	.ioctl = udp_ioctl,
	.release = udp_release,
};
