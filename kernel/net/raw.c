// SPDX-License-Identifier: MIT
/*
 * Raw IPv4 sockets (raw(7): SOCK_RAW, for root; busybox ping uses one
 * with IPPROTO_ICMP) and ICMP "ping sockets" (SOCK_DGRAM with
 * IPPROTO_ICMP, icmp(7): echo requests without privilege, the kernel
 * owning the identifier and the checksum). Both see received datagrams
 * through the IP layer's raw hook, which runs in the net task; every
 * socket lives on one list under a mutex, so the hook never races with a
 * socket going away and needs no reference counts. /proc/net/raw.
 */
#include <cairn/errno.h>

#include <lib/net/wire.h>
#include <lib/procfs/seq.h>

#include "core/random.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "mm/uaccess.h"
#include "net/dgram.h"
#include "net/inet.h"
#include "net/inet_sock.h"
#include "net/netif.h"
#include "net/pkt.h"
#include "net/procnet.h"
#include "net/socket.h"
#include "net/udp.h"
#include "proc/proc.h"

#define SOL_RAW     255 /* raw(7) */
#define ICMP_FILTER 1
#define FIONREAD    0x541bu
#define IPPROTO_RAW 255

/* Locks: [L] raw_lock (the list, and the hook's walk); [O] s->lock; [a] atomic. */
struct raw_sock {
	struct socket *s;      /* [I] */
	bool ping;             /* [I] SOCK_DGRAM IPPROTO_ICMP */
	uint8_t proto;         /* [I] the protocol it hears and sends */
	struct list_node link; /* [L] raw_list */
	uint32_t laddr;        /* [L] bound address (0: any) */
	uint32_t peer;         /* [L] connected address (0: none) */
	uint16_t ident;        /* [L] ping: the echo identifier it owns (0: none yet) */
	uint32_t filter;       /* [a] ICMP_FILTER: types not to deliver, one bit each */
	uint8_t ttl, tos;      /* [O] */
	struct dgram_queue rq;
};

static struct mutex raw_lock;
static struct list_node raw_list __guarded_by(&raw_lock);
static uint16_t raw_next_ident __guarded_by(&raw_lock);
/*
 * Sockets on raw_list: written under [L], read without it so that the
 * hook costs nothing on the data path while no raw socket exists. [a]
 */
static unsigned raw_count;
static const struct sock_ops raw_ops;

int raw_create(struct socket *s, int type, int protocol)
{
	struct raw_sock *r;

	if (type == SOCK_DGRAM ? protocol != IPPROTO_ICMP : protocol <= 0 || protocol > 255)
		return -EPROTONOSUPPORT;
	/* raw(7): CAP_NET_RAW. Ping sockets are open to every group (ping_group_range 0..max). */
	if (type == SOCK_RAW && current_cred().euid != 0)
		return -EPERM;
	r = kmalloc_flags(sizeof(*r), KM_MAY_FAIL | KM_ZERO);
	if (!r)
		return -ENOMEM;
	r->s = s;
	r->ping = type == SOCK_DGRAM;
	r->proto = (uint8_t)protocol;
	r->ttl = IP4_DEFAULT_TTL;
	dgram_queue_init(&r->rq, s);
	s->ops = &raw_ops;
	s->priv = r;
	mutex_lock(&raw_lock);
	list_add_tail(&raw_list, &r->link);
	__atomic_store_n(&raw_count, raw_count + 1, __ATOMIC_RELEASE);
	mutex_unlock(&raw_lock);
	return 0;
}

static bool ident_used_locked(uint16_t id) __must_hold(&raw_lock)
{
	struct raw_sock *o;

	list_for_each_entry(o, &raw_list, link)
		if (o->ping && o->ident == id)
			return true;
	return false;
}

/* Give a ping socket an identifier of its own (@want, or a free one for 0). */
static int raw_ident_locked(struct raw_sock *r, uint16_t want) __must_hold(&raw_lock)
{
	if (want) {
		if (ident_used_locked(want))
			return -EADDRINUSE;
		r->ident = want;
		return 0;
	}
	for (unsigned i = 0; i < 65535u; i++) {
		uint16_t id = (uint16_t)(raw_next_ident + i);

		if (id && !ident_used_locked(id)) {
			raw_next_ident = (uint16_t)(id + 1);
			r->ident = id;
			return 0;
		}
	}
	return -EAGAIN;
}

static int raw_bind(struct socket *s, const void *addr, size_t len)
{
	struct raw_sock *r = s->priv;
	uint32_t ip;
	uint16_t port;
	int err = inet_addr_parse(addr, len, false, &ip, &port);

	if (!err)
		err = inet_bind_check(ip, 0);
	if (err)
		return err;
	mutex_lock(&raw_lock);
	if (r->ping && r->ident)
		err = -EINVAL;
	else if (r->ping)
		err = raw_ident_locked(r, port);
	if (!err)
		r->laddr = ip;
	mutex_unlock(&raw_lock);
	return err;
}

static int raw_connect(struct socket *s, const void *addr, size_t len, bool nonblock)
{
	struct raw_sock *r = s->priv;
	uint32_t ip = 0;
	uint16_t port;
	int err = 0;

	(void)nonblock;
	if (!(len >= 2 && *(const uint16_t *)addr == AF_UNSPEC))
		err = inet_addr_parse(addr, len, false, &ip, &port);
	if (err)
		return err;
	mutex_lock(&raw_lock);
	r->peer = ip;
	if (r->ping && !r->ident)
		err = raw_ident_locked(r, 0);
	mutex_unlock(&raw_lock);
	return err;
}

/* The destination of a send: the message's address or the connected one. */
static int raw_dest(struct raw_sock *r, const struct sock_msg *m, uint32_t *dst, uint32_t *src,
                    uint16_t *ident)
{
	uint16_t port;
	int err = 0;

	mutex_lock(&raw_lock);
	if (m->name)
		err = inet_addr_parse(m->name, m->namelen, false, dst, &port);
	else if (r->peer)
		*dst = r->peer;
	else
		err = -EDESTADDRREQ;
	/* INADDR_ANY means this host, as for UDP. */
	if (!err && *dst == INADDR_ANY)
		*dst = r->laddr ? r->laddr : INADDR_LOOPBACK;
	if (!err && r->ping && !r->ident)
		err = raw_ident_locked(r, 0);
	*ident = r->ident;
	*src = r->laddr;
	mutex_unlock(&raw_lock);
	return err;
}

/* A ping socket's echo request: the kernel owns the identifier and the checksum (icmp(7)). */
static int raw_ping_fixup(uint8_t *b, size_t len, uint16_t ident)
{
	if (len < ICMP_HLEN || b[0] != ICMP_ECHO_REQUEST || b[1] != 0)
		return -EINVAL;
	net_put16(b + 4, ident);
	icmp_build(b, ICMP_ECHO_REQUEST, 0, net_get32(b + 4), len - ICMP_HLEN);
	return 0;
}

static long raw_sendmsg(struct socket *s, struct sock_msg *m, unsigned flags, bool nonblock)
{
	struct raw_sock *r = s->priv;
	size_t len = m->data->resid;
	struct pkt *p;
	uint32_t dst, src;
	uint16_t ident;
	uint8_t *b;
	int err;

	(void)nonblock;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (len > 65535u - IP4_HLEN_MIN)
		return -EMSGSIZE;
	err = raw_dest(r, m, &dst, &src, &ident);
	if (err)
		return err;
	if (dst == INADDR_BROADCAST && !__atomic_load_n(&s->broadcast, __ATOMIC_RELAXED))
		return -EACCES;
	p = pkt_alloc(PKT_HEADROOM, len);
	if (!p)
		return -ENOBUFS;
	b = pkt_put(p, len);
	if (len && uio_copy_in(m->data, b, len) != len) {
		pkt_free(p);
		return -EFAULT;
	}
	if (r->ping && (err = raw_ping_fixup(b, len, ident))) {
		pkt_free(p);
		return err;
	}
	err = ip4_output(p, src, dst, r->proto, r->ttl, r->tos, false);
	return err ? err : (long)len;
}

static long raw_recvmsg(struct socket *s, struct sock_msg *m, unsigned flags, bool nonblock)
{
	struct raw_sock *r = s->priv;

	return dgram_recvmsg(&r->rq, s, m, flags, nonblock);
}

static int raw_getname(struct socket *s, void *addr, size_t *len, bool peer)
{
	struct raw_sock *r = s->priv;
	uint32_t ip;
	uint16_t port;

	mutex_lock(&raw_lock);
	ip = peer ? r->peer : r->laddr;
	/* A raw socket's "port" is its protocol; a ping socket's is its identifier. */
	port = peer ? 0 : r->ping ? r->ident : 0;
	mutex_unlock(&raw_lock);
	if (peer && !ip)
		return -ENOTCONN;
	inet_addr_fill(addr, len, ip, port);
	return 0;
}

static int raw_setsockopt(struct socket *s, int level, int name, const void *val, size_t len)
{
	struct raw_sock *r = s->priv;
	int v;

	if (level == SOL_RAW && name == ICMP_FILTER && !r->ping && r->proto == IPPROTO_ICMP) {
		if (len < sizeof(uint32_t))
			return -EINVAL;
		__builtin_memcpy(&v, val, sizeof(v));
		__atomic_store_n(&r->filter, (uint32_t)v, __ATOMIC_RELAXED);
		return 0;
	}
	return inet_dgram_setsockopt_ip(s, level, name, val, len, &r->ttl, &r->tos);
}

static int raw_getsockopt(struct socket *s, int level, int name, void *val, size_t *len)
{
	struct raw_sock *r = s->priv;
	int v;

	if (level == SOL_RAW && name == ICMP_FILTER && !r->ping && r->proto == IPPROTO_ICMP)
		v = (int)__atomic_load_n(&r->filter, __ATOMIC_RELAXED);
	else if (level == SOL_IP && (name == IP_TTL || name == IP_TOS))
		v = name == IP_TTL ? r->ttl : r->tos;
	else
		return -ENOPROTOOPT;
	if (*len > sizeof(v))
		*len = sizeof(v);
	__builtin_memcpy(val, &v, *len);
	return 0;
}

static unsigned raw_poll(struct socket *s, struct poll_table *pt)
{
	struct raw_sock *r = s->priv;

	return dgram_poll_in(&r->rq, s, pt) | POLLOUT | POLLWRNORM | POLLWRBAND;
}

static long raw_ioctl(struct socket *s, unsigned cmd, uintptr_t arg)
{
	struct raw_sock *r = s->priv;
	int v;

	if (cmd != FIONREAD)
		return -ENOIOCTLCMD;
	v = (int)dgram_next_len(&r->rq);
	return copy_to_user((void *)arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static void raw_release(struct socket *s)
{
	struct raw_sock *r = s->priv;

	/* Off the list under [L]: the hook, which holds [L], can no longer reach it. */
	mutex_lock(&raw_lock);
	list_del(&r->link);
	__atomic_store_n(&raw_count, raw_count - 1, __ATOMIC_RELEASE);
	mutex_unlock(&raw_lock);
	dgram_queue_detach(&r->rq);
	dgram_queue_free(&r->rq);
	kfree(r);
}

static const struct sock_ops raw_ops = {
	.bind = raw_bind,
	.connect = raw_connect,
	.sendmsg = raw_sendmsg,
	.recvmsg = raw_recvmsg,
	.getname = raw_getname,
	.setsockopt = raw_setsockopt,
	.getsockopt = raw_getsockopt,
	.poll = raw_poll,
	.ioctl = raw_ioctl,
	.release = raw_release,
};

/* ---- the receive hook (net task) ---- */

/* Whether raw socket @r takes a copy of @p (data at the transport header). */
static bool raw_wants_locked(const struct raw_sock *r, const struct pkt *p,
                             const struct ip4_view *ip) __must_hold(&raw_lock)
{
	if (r->proto != ip->proto || (r->laddr && r->laddr != ip->dst) ||
	    (r->peer && r->peer != ip->src))
		return false;
	if (r->ping) {
		/* Echo replies to this socket's identifier only (icmp(7)). */
		return p->len >= ICMP_HLEN && p->data[0] == ICMP_ECHO_REPLY && r->ident &&
		       net_get16(p->data + 4) == r->ident;
	}
	if (r->proto == IPPROTO_ICMP && p->len >= 1 && p->data[0] < 32 &&
	    (__atomic_load_n(&r->filter, __ATOMIC_RELAXED) >> p->data[0] & 1u))
		return false;
	return true;
}

static void raw_input(const struct pkt *p, const struct ip4_view *ip)
{
	struct raw_sock *r;
	struct icmp_view iv;
	bool icmp_ok;

	/* Every datagram passes here: without raw sockets, take no lock at all. */
	if (!__atomic_load_n(&raw_count, __ATOMIC_ACQUIRE))
		return;
	icmp_ok = ip->proto == IPPROTO_ICMP && icmp_parse(p->data, p->len, &iv) == 0;
	mutex_lock(&raw_lock);
	list_for_each_entry(r, &raw_list, link) {
		if (!raw_wants_locked(r, p, ip))
			continue;
		/* A raw socket reads the IP header too (raw(7)); a ping socket from ICMP on. */
		if (r->ping && icmp_ok)
			(void)dgram_queue_put(&r->rq, ip->src, 0, p->data, p->len, NULL, 0);
		else if (!r->ping)
			(void)dgram_queue_put(&r->rq, ip->src, 0, ip->hdr, ip->hlen, p->data,
			                      p->len);
	}
	mutex_unlock(&raw_lock);
}

void raw_init(void)
{
	mutex_init(&raw_lock, "raw_sockets");
	mutex_lock(&raw_lock);
	list_init(&raw_list);
	raw_next_ident = (uint16_t)random_u64();
	mutex_unlock(&raw_lock);
	inet_register_raw(raw_input);
}

/* ---- /proc/net/raw ---- */

static void raw_show_addr(struct seqbuf *s, uint32_t addr, unsigned port)
{
	uint32_t le =
		(addr >> 24) | ((addr >> 8) & 0xff00u) | ((addr << 8) & 0xff0000u) | (addr << 24);

	seq_printf(s, "%08X:%04X", le, port);
}

int procnet_show_raw(struct seqbuf *s, const struct procfs_node *n)
{
	struct raw_sock *r;
	unsigned sl = 0;

	(void)n;
	seq_setwidth(s, 127);
	seq_puts(s, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
	            "   uid  timeout inode ref pointer drops");
	seq_pad(s, '\n');
	mutex_lock(&raw_lock);
	list_for_each_entry(r, &raw_list, link) {
		struct file *f = r->s->file;

		if (r->ping)
			continue; /* Linux lists them in /proc/net/icmp */
		seq_setwidth(s, 127);
		seq_printf(s, "%4u: ", sl++);
		raw_show_addr(s, r->laddr, r->proto);
		seq_putc(s, ' ');
		raw_show_addr(s, r->peer, 0);
		seq_printf(s,
		           " %02X %08X:%08X 00:00000000 00000000 %5u        0 %llu 2 %016llx %llu",
		           r->peer ? 1u : 7u, 0u, (unsigned)dgram_queued(&r->rq), 0u,
		           (unsigned long long)(f && f->inode ? f->inode->ino : 0), 0ull,
		           (unsigned long long)__atomic_load_n(&r->rq.drops, __ATOMIC_RELAXED));
		seq_pad(s, '\n');
	}
	mutex_unlock(&raw_lock);
	return 0;
}
