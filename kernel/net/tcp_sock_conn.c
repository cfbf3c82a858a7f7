// SPDX-License-Identifier: MIT
/*
 * TCP connections in the kernel: their lifetime (references), the table
 * that finds a connection by its 4-tuple, the segments the state machine
 * sends (TCP and IP headers around the ring's bytes, checksum offload
 * when the interface completes it) and the demultiplexing of received
 * segments: to a connection, to a listener's SYN handling, or a RST for a
 * port nobody holds (RFC 9293 3.10.7.1).
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "core/log.h"
#include "core/random.h"
#include "fs/poll.h"
#include "mm/heap.h"
#include "net/inet.h"
#include "net/netif.h"
#include "net/pkt.h"
#include "net/socket.h"
#include "net/tcp_sock.h"
#include "time/time.h"

#define CONN_BUCKETS 1024u

static struct spinlock conn_lock = SPINLOCK_INIT("tcp_conn"); /* the [H] lock */
static struct list_node conn_table[CONN_BUCKETS] __guarded_by(&conn_lock);
static bool conn_ready;
static uint8_t isn_key[16]; /* [I] RFC 6528's secret, drawn at boot */

/* Counters for /proc/net/snmp-like reporting and tests. [a] */
struct tcp_sk_stats tcp_stats;

void tcp_stat_inc(uint64_t *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}
static long tcp_sk_live; /* struct tcp_sk allocated now [a] */

void tcp_sk_count_add(long n)
{
	__atomic_fetch_add(&tcp_sk_live, n, __ATOMIC_RELAXED);
}

long tcp_sk_count(void)
{
	return __atomic_load_n(&tcp_sk_live, __ATOMIC_RELAXED);
}

static unsigned conn_hash(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport)
{
	uint32_t h = laddr * 0x9e3779b1u ^ raddr * 0x85ebca6bu ^ ((uint32_t)lport << 16 | rport);

	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	h ^= h >> 12;
	return h % CONN_BUCKETS;
}

static void conn_table_init(void)
{
	spin_lock(&conn_lock);
	for (unsigned i = 0; i < CONN_BUCKETS; i++)
		list_init(&conn_table[i]);
	conn_ready = true;
	spin_unlock(&conn_lock);
}

/* ---- lifetime ---- */

struct tcp_sk *tcp_sk_alloc(uint32_t rcvsz, uint32_t sndsz, const struct tcp_config *cfg)
{
	struct tcp_sk *tk = kmalloc_flags(sizeof(*tk), KM_MAY_FAIL | KM_ZERO);

	if (!tk)
		return NULL;
	tk->mem = kmalloc_flags((size_t)rcvsz + sndsz, KM_MAY_FAIL);
	if (!tk->mem) {
		kfree(tk);
		return NULL;
	}
	tcp_sk_count_add(1);
	mutex_init(&tk->lock, "tcp_sk");
	tk->refs = 1;
	tk->timer_at = UINT64_MAX;
	list_node_init(&tk->hash_link);
	list_node_init(&tk->q_link);
	list_node_init(&tk->timer_link);
	list_node_init(&tk->bind.link);
	tcp_init(&tk->tcb, cfg, &tcp_sk_ops, tk, tk->mem + rcvsz, sndsz, tk->mem, rcvsz);
	return tk;
}

void tcp_sk_get(struct tcp_sk *tk)
{
	__atomic_fetch_add(&tk->refs, 1, __ATOMIC_RELAXED);
}

void tcp_sk_put(struct tcp_sk *tk)
{
	if (__atomic_sub_fetch(&tk->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (tk->bound)
		inet_bind_del(SOCK_STREAM, &tk->bind);
	kfree(tk->lsn);
	kfree(tk->mem);
	kfree(tk);
	tcp_sk_count_add(-1);
}

/* ---- the table ---- */

static struct tcp_sk *conn_find_locked(uint32_t laddr, uint16_t lport, uint32_t raddr,
                                       uint16_t rport) __must_hold(&conn_lock)
{
	struct list_node *b = &conn_table[conn_hash(laddr, lport, raddr, rport)];
	struct tcp_sk *tk;

	list_for_each_entry(tk, b, hash_link) {
		const struct tcb *t = &tk->tcb;

		if (t->lport == lport && t->rport == rport && t->laddr == laddr &&
		    t->raddr == raddr)
			return tk;
	}
	return NULL;
}

int tcp_sk_hash(struct tcp_sk *tk)
{
	const struct tcb *t = &tk->tcb;
	int err = 0;

	spin_lock(&conn_lock);
	if (conn_find_locked(t->laddr, t->lport, t->raddr, t->rport)) {
		err = -EADDRINUSE;
	} else {
		list_add_tail(&conn_table[conn_hash(t->laddr, t->lport, t->raddr, t->rport)],
		              &tk->hash_link);
		tk->hashed = true;
		tcp_sk_get(tk);
	}
	spin_unlock(&conn_lock);
	return err;
}

static bool conn_unhash(struct tcp_sk *tk)
{
	bool was;

	spin_lock(&conn_lock);
	was = tk->hashed;
	if (was) {
		list_del(&tk->hash_link);
		tk->hashed = false;
	}
	spin_unlock(&conn_lock);
	return was;
}

/* The connection of a received segment, with a reference; NULL: none. */
static struct tcp_sk *conn_lookup(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport)
{
	struct tcp_sk *tk;

	spin_lock(&conn_lock);
	tk = conn_ready ? conn_find_locked(laddr, lport, raddr, rport) : NULL;
	if (tk)
		tcp_sk_get(tk);
	spin_unlock(&conn_lock);
	return tk;
}

void tcp_sk_foreach(void (*fn)(struct tcp_sk *tk, void *ctx), void *ctx)
{
	struct tcp_sk *tk;

	spin_lock(&conn_lock);
	for (unsigned i = 0; conn_ready && i < CONN_BUCKETS; i++)
		list_for_each_entry(tk, &conn_table[i], hash_link)
			fn(tk, ctx);
	spin_unlock(&conn_lock);
}

/*
 * A connection whose file is gone waits out TIME_WAIT (60 s) with both
 * rings empty: the FIN was acknowledged both ways and no text is taken
 * any more (RFC 9293 3.10.7.4). Its ring memory goes back at once for a
 * few bytes of its own, so a busy server's thousands of TIME_WAIT
 * connections cost their struct only.
 */
static void tw_shrink_locked(struct tcp_sk *tk) __must_hold(&tk->lock)
{
	struct tcb *t = &tk->tcb;

	if (tk->sock || !tk->mem || t->state != TCP_TIME_WAIT || t->snd.len || t->rcv.len ||
	    t->ooo_n)
		return;
	t->snd = (struct tcp_ring){ .buf = tk->tw_ring[0], .size = sizeof(tk->tw_ring[0]) };
	t->rcv = (struct tcp_ring){ .buf = tk->tw_ring[1], .size = sizeof(tk->tw_ring[1]) };
	kfree(tk->mem);
	tk->mem = NULL;
}

void tcp_sk_after_locked(struct tcp_sk *tk)
{
	if (tk->tcb.state == TCP_CLOSED) {
		tcp_timer_arm(tk, UINT64_MAX);
		if (tk->parent)
			tcp_listen_unlink_locked(tk);
		if (conn_unhash(tk))
			tcp_sk_put(tk); /* the table's reference; the caller still holds one */
		return;
	}
	tw_shrink_locked(tk);
	tcp_timer_arm(tk, tcp_deadline(&tk->tcb));
}

/* ---- configuration ---- */

void tcp_sk_config(struct tcp_config *cfg, unsigned mtu, bool nodelay, uint16_t user_mss,
                   uint32_t rcvsz)
{
	/* An IPv4 datagram holds at most 65535 bytes (RFC 791): lo's MTU of 65536 is one more. */
	if (mtu > 0xffffu)
		mtu = 0xffffu;
	tcp_config_default(cfg, mtu);
	cfg->nodelay = nodelay;
	if (user_mss && user_mss < cfg->mss)
		cfg->mss = user_mss;
	/*
	 * At least four segments fit the receive ring, so the peer can send two
	 * full ones and draw an ACK at once (lo's 64 KiB MTU would otherwise
	 * leave every ACK to the delayed-ACK timer).
	 */
	if (rcvsz / 4 < cfg->mss)
		cfg->mss = (uint16_t)(rcvsz / 4 < 536 ? 536 : rcvsz / 4);
}

uint32_t tcp_sk_isn(const struct tcp_sk *tk)
{
	const struct tcb *t = &tk->tcb;

	return tcp_isn(isn_key, t->laddr, t->lport, t->raddr, t->rport, clock_monotonic_ns());
}

/* ---- output ---- */

/*
 * One segment on the wire: the payload pieces copied behind the header
 * tcp_build() writes, then IP. With an interface that completes
 * checksums, only the pseudo-header sum is stored (PKT_CSUM_PARTIAL;
 * csum_start counts from the TCP header: the IP layer adds what it
 * pushes in front).
 */
static int tcp_xmit(uint32_t src, uint32_t dst, const struct tcp_out *o)
{
	size_t hl = tcp_hdr_len(&o->seg.opt), dl = o->dlen[0] + o->dlen[1];
	struct route_result rr;
	bool partial;
	struct pkt *p;
	uint8_t *h;

	if (route_lookup(dst, &rr))
		return -ENETUNREACH;
	partial = rr.dev && (rr.dev->features & NETIF_F_CSUM_TX);
	p = pkt_alloc(PKT_HEADROOM, hl + dl);
	if (!p) {
		tcp_stat_inc(&tcp_stats.drops_nomem);
		return -ENOBUFS;
	}
	h = pkt_put(p, hl + dl);
	if (o->dlen[0])
		memcpy(h + hl, o->data[0], o->dlen[0]);
	if (o->dlen[1])
		memcpy(h + hl + o->dlen[0], o->data[1], o->dlen[1]);
	tcp_build(h, &o->seg, src, dst, dl, partial);
	if (partial) {
		p->flags |= PKT_CSUM_PARTIAL;
		p->csum_start = 0;
		p->csum_offset = 16; /* the checksum field (RFC 9293 3.1) */
	}
	tcp_stat_inc(&tcp_stats.out_segs);
	return ip4_output(p, src, dst, IPPROTO_TCP, 0, 0, true);
}

static int tk_output(void *ctx, const struct tcp_out *o)
{
	struct tcp_sk *tk = ctx;

	return tcp_xmit(tk->tcb.laddr, tk->tcb.raddr, o);
}

/*
 * What changed: wake the socket's waiters; a listener's child moves to the
 * accept queue. The state machine calls it from inside a tcp_* call, so
 * under the [K] the analysis cannot see through the callback.
 */
static __no_thread_safety_analysis void tk_event(void *ctx, unsigned ev)
{
	struct tcp_sk *tk = ctx;
	unsigned pe = 0;

	if ((ev & TCP_EV_CONNECTED) && tk->parent)
		tcp_listen_established_locked(tk);
	if (!tk->sock)
		return;
	if (ev & (TCP_EV_READABLE | TCP_EV_CLOSED))
		pe |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (ev & (TCP_EV_WRITABLE | TCP_EV_CONNECTED))
		pe |= POLLOUT | POLLWRNORM;
	if (ev & (TCP_EV_ERROR | TCP_EV_CLOSED))
		pe |= POLLERR | POLLHUP | POLLIN | POLLOUT;
	poll_wake(&tk->sock->wq, pe);
}

const struct tcp_ops tcp_sk_ops = {
	.output = tk_output,
	.event = tk_event,
};

/* ---- input ---- */

/* RFC 9293 3.10.7.1: a segment for no connection gets a RST unless it is one. */
static void send_rst(const struct tcp_seg *in, const struct ip4_view *ip)
{
	struct tcp_out o = { 0 };

	if (!tcp_rst_reply(in, &o.seg))
		return;
	tcp_stat_inc(&tcp_stats.out_rsts);
	(void)tcp_xmit(ip->dst, ip->src, &o);
}

/* A segment for an existing connection. */
static void conn_input(struct tcp_sk *tk, const struct tcp_seg *seg, const struct ip4_view *ip)
{
	enum tcp_state was;

	mutex_lock(&tk->lock);
	if (tk->tcb.state == TCP_CLOSED) {
		mutex_unlock(&tk->lock);
		send_rst(seg, ip);
		return;
	}
	was = tk->tcb.state;
	tcp_input(&tk->tcb, seg, clock_monotonic_ns());
	/* A reset in CLOSE_WAIT is EPIPE to the writer, as Linux's tcp_reset() has it. */
	if (was == TCP_CLOSE_WAIT && tk->tcb.error == -ECONNRESET)
		tk->tcb.error = -EPIPE;
	tcp_sk_after_locked(tk);
	mutex_unlock(&tk->lock);
}

/*
 * A SYN for a connection in TIME_WAIT that may open a new incarnation
 * (RFC 6191, tcp_tw_accepts_syn()): the old one goes (no RST is sent
 * from TIME_WAIT) and the SYN is the listener's. True when that happened.
 */
static bool tw_reuse(struct tcp_sk *tk, const struct tcp_seg *seg)
{
	bool reuse;

	if ((seg->flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
		return false;
	mutex_lock(&tk->lock);
	reuse = tk->tcb.state == TCP_TIME_WAIT && tcp_tw_accepts_syn(&tk->tcb, seg);
	if (reuse) {
		tcp_abort(&tk->tcb, clock_monotonic_ns());
		tcp_sk_after_locked(tk);
	}
	mutex_unlock(&tk->lock);
	return reuse;
}

void tcp_sk_rx(struct pkt *p, const struct ip4_view *ip)
{
	struct tcp_seg seg;
	int err;
	struct tcp_sk *tk;

	tcp_stat_inc(&tcp_stats.in_segs);
	err = tcp_parse(p->data, p->len, ip->src, ip->dst, p->flags & PKT_CSUM_OK, &seg);
	if (err) {
		tcp_stat_inc(&tcp_stats.in_errs);
		if (err == -EBADMSG)
			tcp_stat_inc(&tcp_stats.in_csum_errs);
		goto out;
	}
	/* Broadcast and multicast destinations never carry TCP (RFC 9293 3.9.1.3, RFC 1122 4.2.3.10). */
	if ((p->flags & PKT_BCAST) || ip->dst == INADDR_BROADCAST)
		goto out;
	tk = conn_lookup(ip->dst, seg.dport, ip->src, seg.sport);
	if (tk && !tw_reuse(tk, &seg)) {
		conn_input(tk, &seg, ip);
		tcp_sk_put(tk);
		goto out;
	}
	if (tk)
		tcp_sk_put(tk);
	tk = tcp_listen_lookup(ip->dst, seg.dport);
	if (tk && (seg.flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN) {
		tcp_listen_syn(tk, &seg, ip);
	} else if (!tk || !(seg.flags & TCP_RST)) {
		/* RFC 9293 3.10.7.2: an ACK to a listener is answered by a RST too. */
		send_rst(&seg, ip);
	}
	if (tk)
		tcp_sk_put(tk);
out:
	pkt_free(p);
}

/* ICMP errors: hard errors for a connection being opened are reported (RFC 1122 4.2.3.9). */
static void tcp_sk_err(uint8_t type, uint8_t code, const struct ip4_view *inner)
{
	struct tcp_sk *tk;
	uint16_t sport, dport;

	if (inner->len < 8 || type != ICMP_DEST_UNREACH)
		return;
	sport = net_get16(inner->payload);
	dport = net_get16(inner->payload + 2);
	tk = conn_lookup(inner->src, sport, inner->dst, dport);
	if (!tk)
		return;
	mutex_lock(&tk->lock);
	if (tk->tcb.state == TCP_SYN_SENT &&
	    (code == ICMP_PORT_UNREACH || code == ICMP_PROT_UNREACH || code == ICMP_HOST_UNREACH)) {
		tk->tcb.error = code == ICMP_HOST_UNREACH ? -EHOSTUNREACH : -ECONNREFUSED;
		tcp_abort(&tk->tcb, clock_monotonic_ns());
		tk_event(tk, TCP_EV_ERROR | TCP_EV_CLOSED);
		tcp_sk_after_locked(tk);
	}
	mutex_unlock(&tk->lock);
	tcp_sk_put(tk);
}

int tcp_sock_init(void)
{
	random_bytes(isn_key, sizeof(isn_key));
	conn_table_init();
	inet_register(IPPROTO_TCP, tcp_sk_rx, tcp_sk_err);
	return tcp_timer_init();
}
