// SPDX-License-Identifier: MIT
/*
 * The datagram receive queue of UDP, raw and ping sockets (see dgram.h).
 * Each datagram is one heap block charged at its size plus bookkeeping,
 * as Linux charges an skb's truesize, so a flood of tiny datagrams cannot
 * pin more memory than SO_RCVBUF allows.
 */
#include "net/dgram.h"

#include <cairn/errno.h>

#include "fs/file.h"
#include "fs/poll.h"
#include "mm/heap.h"
#include "net/inet_sock.h"
#include "net/socket.h"

/* What a datagram costs beyond its data: its header and the allocator's share. */
#define DGRAM_OVERHEAD 256u

/* MSG_ERRQUEUE (Linux's include/linux/socket.h). */
#define DGRAM_MSG_ERRQUEUE 0x2000u

void dgram_queue_init(struct dgram_queue *dq, struct socket *s)
{
	spin_init(&dq->lock, "dgram_queue");
	mutex_init(&dq->rlock, "dgram_recv");
	list_init(&dq->q);
	dq->bytes = 0;
	dq->sock = s;
	dq->shut_rd = false;
	dq->drops = 0;
}

static size_t dgram_cost(const struct dgram *d)
{
	return d->len + DGRAM_OVERHEAD;
}

bool dgram_queue_put(struct dgram_queue *dq, uint32_t src, uint16_t sport, const void *a,
                     size_t alen, const void *b, size_t blen)
{
	struct dgram *d = kmalloc_flags(sizeof(*d) + alen + blen, KM_MAY_FAIL);
	bool queued = false;

	if (!d)
		goto out;
	list_node_init(&d->link);
	d->src = src;
	d->sport = sport;
	d->len = alen + blen;
	if (alen)
		__builtin_memcpy(d->data, a, alen);
	if (blen)
		__builtin_memcpy(d->data + alen, b, blen);
	spin_lock(&dq->lock);
	/* Linux accepts a datagram while the queue is under the limit (sock_queue_rcv_skb). */
	if (dq->sock && !dq->shut_rd &&
	    dq->bytes < (size_t)__atomic_load_n(&dq->sock->rcvbuf, __ATOMIC_RELAXED)) {
		list_add_tail(&dq->q, &d->link);
		dq->bytes += dgram_cost(d);
		poll_wake(&dq->sock->wq, POLLIN | POLLRDNORM);
		queued = true;
	}
	spin_unlock(&dq->lock);
out:
	if (!queued) {
		__atomic_fetch_add(&dq->drops, 1, __ATOMIC_RELAXED);
		kfree(d);
	}
	return queued;
}

int dgram_take_error(struct socket *s)
{
	return __atomic_exchange_n(&s->error, 0, __ATOMIC_RELAXED);
}

void dgram_set_error(struct dgram_queue *dq, int err)
{
	spin_lock(&dq->lock);
	if (dq->sock) {
		__atomic_store_n(&dq->sock->error, err, __ATOMIC_RELAXED);
		poll_wake(&dq->sock->wq, POLLERR);
	}
	spin_unlock(&dq->lock);
}

struct dgram_ready {
	struct dgram_queue *dq;
	struct socket *s;
};

static bool dgram_readable(void *arg)
{
	struct dgram_ready *r = arg;
	bool ready;

	spin_lock(&r->dq->lock);
	ready = !list_empty(&r->dq->q) || r->dq->shut_rd;
	spin_unlock(&r->dq->lock);
	return ready || __atomic_load_n(&r->s->error, __ATOMIC_RELAXED) != 0;
}

/* Copy the head datagram @d out as recvmsg() asks; returns bytes or -EFAULT. */
static long dgram_copy_out(struct dgram *d, struct sock_msg *m, unsigned flags)
{
	size_t want = m->data->resid;
	size_t n = d->len < want ? d->len : want;

	if (n && uio_copy_out(m->data, d->data, n) != n && uio_faulted(m->data))
		return -EFAULT;
	if (n < d->len)
		m->out_flags |= MSG_TRUNC;
	if (m->name) {
		size_t len = 0;

		inet_addr_fill(m->name, &len, d->src, d->sport);
		m->namelen = len;
	}
	m->controllen = 0;
	/* MSG_TRUNC asks for the real length of the datagram (udp(7), raw(7)). */
	return (long)((flags & MSG_TRUNC) ? d->len : n);
}

/* Take the head datagram (or look at it with MSG_PEEK) under [R]; -EAGAIN when empty. */
static long dgram_recv_one_locked(struct dgram_queue *dq, struct socket *s, struct sock_msg *m,
                                  unsigned flags) __must_hold(&dq->rlock)
{
	struct dgram *d = NULL;
	int err = dgram_take_error(s);
	long r;

	if (err)
		return err;
	spin_lock(&dq->lock);
	if (!list_empty(&dq->q)) {
		d = list_entry(list_first(&dq->q), struct dgram, link);
		if (!(flags & MSG_PEEK)) {
			list_del(&d->link);
			dq->bytes -= dgram_cost(d);
		}
	}
	r = d ? 0 : (dq->shut_rd ? 0 : -EAGAIN);
	spin_unlock(&dq->lock);
	if (!d)
		return r;
	/* The head stays put under [R] even when peeked: only [R] holders take it off. */
	r = dgram_copy_out(d, m, flags);
	if (!(flags & MSG_PEEK))
		kfree(d);
	return r;
}

long dgram_recvmsg(struct dgram_queue *dq, struct socket *s, struct sock_msg *m, unsigned flags,
                   bool nonblock)
{
	struct dgram_ready ready = { dq, s };
	uint64_t timeout = __atomic_load_n(&s->rcvtimeo_ns, __ATOMIC_RELAXED);
	long r;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	/* No error queue is kept (IP_RECVERR is not supported): it is always empty. */
	if (flags & DGRAM_MSG_ERRQUEUE)
		return -EAGAIN;
	for (;;) {
		int err = sock_wait(s, dgram_readable, &ready, nonblock, timeout);

		if (err)
			return err;
		mutex_lock(&dq->rlock);
		r = dgram_recv_one_locked(dq, s, m, flags);
		mutex_unlock(&dq->rlock);
		/* Another reader took it first: wait again (or say so when not blocking). */
		if (r != -EAGAIN || nonblock)
			return r;
	}
}

unsigned dgram_poll_in(struct dgram_queue *dq, struct socket *s, struct poll_table *pt)
{
	unsigned ev = 0;

	poll_wait(pt, &s->wq);
	spin_lock(&dq->lock);
	if (!list_empty(&dq->q))
		ev |= POLLIN | POLLRDNORM;
	if (dq->shut_rd)
		ev |= POLLRDHUP | POLLIN | POLLRDNORM;
	spin_unlock(&dq->lock);
	if (__atomic_load_n(&s->error, __ATOMIC_RELAXED))
		ev |= POLLERR;
	return ev;
}

size_t dgram_next_len(struct dgram_queue *dq)
{
	size_t n = 0;

	spin_lock(&dq->lock);
	if (!list_empty(&dq->q))
		n = list_entry(list_first(&dq->q), struct dgram, link)->len;
	spin_unlock(&dq->lock);
	return n;
}

size_t dgram_queued(struct dgram_queue *dq)
{
	size_t n;

	spin_lock(&dq->lock);
	n = dq->bytes;
	spin_unlock(&dq->lock);
	return n;
}

void dgram_shutdown_rd(struct dgram_queue *dq)
{
	spin_lock(&dq->lock);
	dq->shut_rd = true;
	if (dq->sock)
		poll_wake(&dq->sock->wq, POLLIN | POLLRDHUP);
	spin_unlock(&dq->lock);
}

void dgram_queue_detach(struct dgram_queue *dq)
{
	spin_lock(&dq->lock);
	dq->sock = NULL;
	spin_unlock(&dq->lock);
}

void dgram_queue_free(struct dgram_queue *dq)
{
	while (!list_empty(&dq->q)) {
		struct dgram *d = list_entry(list_first(&dq->q), struct dgram, link);

		list_del(&d->link);
		kfree(d);
	}
	dq->bytes = 0;
}
