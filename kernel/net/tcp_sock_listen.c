// SPDX-License-Identifier: MIT
/*
 * Listening TCP sockets: a SYN makes a half-open child that answers with
 * a SYN-ACK; the handshake's last ACK moves it to the accept queue. The
 * SYN backlog is bounded per listener and in all (TCP_SYNQ_*): when full,
 * the oldest half-open child is dropped for the new one, so a SYN flood
 * costs bounded memory and a real client's handshake still completes
 * (RFC 4987 3.4 and 3.6 describe both defences). A full accept queue
 * drops SYNs, as Linux does, and the client retransmits.
 */
#include <cairn/errno.h>

#include "core/log.h"
#include "fs/poll.h"
#include "net/inet.h"
#include "net/socket.h"
#include "net/tcp_sock.h"
#include "time/time.h"

/* Half-open children of all listeners. [a] */
static unsigned synq_total;

unsigned tcp_synq_count(void)
{
	return __atomic_load_n(&synq_total, __ATOMIC_RELAXED);
}

static bool match_listener(struct inet_bind *b, void *ctx)
{
	struct tcp_sk **out = ctx;
	struct tcp_sk *tk = b->owner;

	if (!b->listening)
		return false;
	tcp_sk_get(tk);
	*out = tk;
	return true;
}

struct tcp_sk *tcp_listen_lookup(uint32_t addr, uint16_t port)
{
	struct tcp_sk *tk = NULL;

	if (!inet_bind_find(SOCK_STREAM, addr, port, match_listener, &tk))
		return NULL;
	return tk;
}

/* Take the oldest half-open child off @lsn's queue (with its queue reference), or NULL. */
static struct tcp_sk *synq_pop_oldest(struct tcp_listen *lsn)
{
	struct tcp_sk *old;

	spin_lock(&lsn->qlock);
	old = list_first_entry_or_null(&lsn->synq, struct tcp_sk, q_link);
	if (old) {
		list_del(&old->q_link);
		lsn->nsyn--;
		__atomic_fetch_sub(&synq_total, 1, __ATOMIC_RELAXED);
	}
	spin_unlock(&lsn->qlock);
	return old;
}

/* Abort a child taken off its queue; drops the queue's reference. */
static void child_abort(struct tcp_sk *c)
{
	mutex_lock(&c->lock);
	if (c->tcb.state != TCP_CLOSED)
		tcp_abort(&c->tcb, clock_monotonic_ns());
	if (c->parent) {
		tcp_sk_put(c->parent);
		c->parent = NULL;
	}
	tcp_sk_after_locked(c);
	mutex_unlock(&c->lock);
	tcp_sk_put(c);
}

/* Room for one more half-open child: drop the oldest of @l's when a bound is reached. */
static bool synq_make_room(struct tcp_listen *lsn)
{
	unsigned mine, all;

	spin_lock(&lsn->qlock);
	mine = lsn->nsyn;
	spin_unlock(&lsn->qlock);
	all = __atomic_load_n(&synq_total, __ATOMIC_RELAXED);
	if (mine < TCP_SYNQ_PER_LISTENER && all < TCP_SYNQ_TOTAL)
		return true;
	if (mine == 0)
		return false; /* other listeners hold the whole budget: drop this SYN */
	struct tcp_sk *old = synq_pop_oldest(lsn);

	if (old)
		child_abort(old);
	return true;
}

static bool accept_full(struct tcp_listen *lsn)
{
	bool full;

	spin_lock(&lsn->qlock);
	full = lsn->closed || lsn->nacc > (unsigned)lsn->backlog;
	spin_unlock(&lsn->qlock);
	return full;
}

/* A new child of @l for @seg, hashed and queued; NULL without memory or room. */
static struct tcp_sk *child_make(struct tcp_sk *l, const struct tcp_seg *seg,
                                 const struct ip4_view *ip)
{
	struct route_result rr;
	struct tcp_config cfg;
	struct tcp_sk *c;

	if (route_lookup(ip->src, &rr))
		return NULL;
	mutex_lock(&l->lock);
	if (!l->sock) {
		mutex_unlock(&l->lock);
		return NULL;
	}
	tcp_sk_config(&cfg, rr.mtu, l->nodelay, l->user_mss, tcp_ring_size(l->sock->rcvbuf));
	cfg.keepalive = l->sock->keepalive;
	cfg.keepidle_s = l->keepidle_s ? l->keepidle_s : cfg.keepidle_s;
	cfg.keepintvl_s = l->keepintvl_s ? l->keepintvl_s : cfg.keepintvl_s;
	cfg.keepcnt = l->keepcnt ? l->keepcnt : cfg.keepcnt;
	c = tcp_sk_alloc(tcp_ring_size(l->sock->rcvbuf), tcp_ring_size(l->sock->sndbuf), &cfg);
	mutex_unlock(&l->lock);
	if (!c)
		return NULL;
	c->tcb.laddr = ip->dst;
	c->tcb.lport = seg->dport;
	c->tcb.raddr = ip->src;
	c->tcb.rport = seg->sport;
	c->active = true;
	c->nodelay = cfg.nodelay;
	c->user_mss = l->user_mss;
	if (tcp_sk_hash(c)) {
		tcp_sk_put(c);
		return NULL;
	}
	return c;
}

void tcp_listen_syn(struct tcp_sk *l, const struct tcp_seg *seg, const struct ip4_view *ip)
{
	struct tcp_listen *lsn = l->lsn;
	struct tcp_sk *c;
	int err;

	if (!lsn || accept_full(lsn) || !synq_make_room(lsn))
		return;
	c = child_make(l, seg, ip);
	if (!c)
		return;
	mutex_lock(&c->lock);
	tcp_stat_inc(&tcp_stats.passive_opens);
	err = tcp_accept_syn(&c->tcb, seg, clock_monotonic_ns(), tcp_sk_isn(c));
	if (!err) {
		/* The queue's reference is the one tcp_sk_alloc() gave. */
		spin_lock(&lsn->qlock);
		if (lsn->closed) {
			err = -ECONNREFUSED; /* the listener closed meanwhile */
		} else {
			tcp_sk_get(l);
			c->parent = l;
			list_add_tail(&lsn->synq, &c->q_link);
			lsn->nsyn++;
			__atomic_fetch_add(&synq_total, 1, __ATOMIC_RELAXED);
		}
		spin_unlock(&lsn->qlock);
	}
	if (err)
		tcp_abort(&c->tcb, clock_monotonic_ns());
	tcp_sk_after_locked(c);
	mutex_unlock(&c->lock);
	if (err)
		tcp_sk_put(c);
}

void tcp_listen_established_locked(struct tcp_sk *c)
{
	struct tcp_listen *lsn = c->parent->lsn;

	spin_lock(&lsn->qlock);
	if (list_linked(&c->q_link) && !c->on_acceptq && !lsn->closed) {
		list_del(&c->q_link);
		lsn->nsyn--;
		__atomic_fetch_sub(&synq_total, 1, __ATOMIC_RELAXED);
		list_add_tail(&lsn->acceptq, &c->q_link);
		c->on_acceptq = true;
		lsn->nacc++;
		/*
		 * Under [Q]: the listener's socket lives until its close set
		 * lsn->closed under [Q] too (tcp_listen_close_locked()).
		 */
		if (c->parent->sock)
			poll_wake(&c->parent->sock->wq, POLLIN | POLLRDNORM);
	}
	spin_unlock(&lsn->qlock);
}

void tcp_listen_unlink_locked(struct tcp_sk *c)
{
	struct tcp_listen *lsn = c->parent->lsn;
	bool was = false;

	spin_lock(&lsn->qlock);
	if (list_linked(&c->q_link)) {
		list_del(&c->q_link);
		if (c->on_acceptq) {
			lsn->nacc--;
		} else {
			lsn->nsyn--;
			__atomic_fetch_sub(&synq_total, 1, __ATOMIC_RELAXED);
		}
		c->on_acceptq = false;
		was = true;
	}
	spin_unlock(&lsn->qlock);
	if (was) {
		tcp_sk_put(c->parent);
		c->parent = NULL;
		tcp_sk_put(c); /* the queue's reference; the caller holds another */
	}
}

/* The first child of either queue, with the queue's reference, or NULL. */
static struct tcp_sk *queue_pop_any(struct tcp_listen *lsn)
{
	struct tcp_sk *c;

	spin_lock(&lsn->qlock);
	c = list_first_entry_or_null(&lsn->acceptq, struct tcp_sk, q_link);
	if (c) {
		lsn->nacc--;
	} else {
		c = list_first_entry_or_null(&lsn->synq, struct tcp_sk, q_link);
		if (c) {
			lsn->nsyn--;
			__atomic_fetch_sub(&synq_total, 1, __ATOMIC_RELAXED);
		}
	}
	if (c) {
		list_del(&c->q_link);
		c->on_acceptq = false;
	}
	spin_unlock(&lsn->qlock);
	return c;
}

void tcp_listen_close_locked(struct tcp_sk *l)
{
	struct tcp_listen *lsn = l->lsn;
	struct tcp_sk *c;

	spin_lock(&lsn->qlock);
	lsn->closed = true;
	spin_unlock(&lsn->qlock);
	/* Children lock after the listener nowhere else, so [K] of l then of c is safe here. */
	while ((c = queue_pop_any(lsn)))
		child_abort(c);
}
