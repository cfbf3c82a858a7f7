// SPDX-License-Identifier: MIT
/*
 * AF_UNIX connections: SOCK_STREAM and SOCK_SEQPACKET sockets (unix(7)).
 * connect() makes the server's end at once (an "embryo", as Linux calls
 * it) and queues it on the listener, where accept() finds it; the client
 * may send before the server accepts. A listener holds at most its
 * backlog + 1 embryos (Linux's rule); connect() then waits, or fails with
 * EAGAIN when non-blocking. Stream bytes go into the peer's queue in
 * messages of at most UNIX_CHUNK_MAX bytes; a read takes bytes across
 * messages, stopping after one that carried files. SEQPACKET sockets
 * connect the same way and send and receive whole packets through the
 * datagram code (unix_dgram.c). Locks: unix_internal.h.
 */
#include <cairn/errno.h>

#include "fs/file.h"
#include "fs/poll.h"
#include "net/unix_internal.h"

/* ---- connecting ---- */

void unix_connect_pair_locked(struct unix_sock *a, struct unix_sock *b)
{
	unix_sock_get(b);
	unix_sock_get(a);
	a->peer = b;
	b->peer = a;
	a->state = b->state = UNIX_CONNECTED;
	unix_hook_locked(a, b);
	unix_hook_locked(b, a);
}

/* A new server end for a connection to listener @l, or NULL without memory. */
static struct unix_sock *unix_embryo_new(struct unix_sock *l)
{
	struct socket *s = sock_alloc(AF_UNIX, l->type, 0, unix_ops_for(l->type), NULL);
	struct unix_sock *e;

	if (!s)
		return NULL;
	e = unix_sock_new(s, l->type);
	if (!e) {
		sock_free(s);
		return NULL;
	}
	s->priv = e;
	return e;
}

static void unix_embryo_free(struct unix_sock *e)
{
	struct socket *s = e->sock;

	unix_release(s);
	sock_free(s);
}

/* connect()'s wait: the listener has room, or is gone. */
static bool unix_listener_room(void *arg)
{
	struct unix_sock *l = arg;

	return __atomic_load_n(&l->naccq, __ATOMIC_ACQUIRE) <=
	               __atomic_load_n(&l->backlog, __ATOMIC_RELAXED) ||
	       __atomic_load_n(&l->dead, __ATOMIC_RELAXED) ||
	       __atomic_load_n(&l->state, __ATOMIC_RELAXED) != UNIX_LISTENING;
}

/*
 * Join @u to the listener @l through the embryo @e, all checked under the
 * locks (Linux's unix_stream_connect()). 0, -EISCONN, -EINVAL,
 * -ECONNREFUSED, or -EAGAIN when the backlog is full (nothing done).
 */
static int unix_join(struct unix_sock *u, struct unix_sock *l, struct unix_sock *e)
{
	int err = 0;

	mutex_lock(&u->lock);
	if (u->state != UNIX_UNCONNECTED) {
		err = u->state == UNIX_CONNECTED ? -EISCONN : -EINVAL;
		goto out_unlock_u;
	}
	mutex_lock(&l->lock);
	if (l->dead || l->state != UNIX_LISTENING || (l->shutdown & UNIX_SHUT_RCV)) {
		err = -ECONNREFUSED;
		goto out_unlock_l;
	}
	if (l->naccq > l->backlog) {
		err = -EAGAIN;
		goto out_unlock_l;
	}
	mutex_lock(&e->lock);
	unix_connect_pair_locked(u, e);
	e->embryo = true;
	e->peercred = unix_cred_current();
	e->has_peercred = true;
	u->peercred = l->peercred;
	u->has_peercred = l->has_peercred;
	if (l->addr) {
		unix_addr_get(l->addr);
		e->addr = l->addr;
	}
	mutex_unlock(&e->lock);
	list_add_tail(&l->accq, &e->acc_link);
	__atomic_store_n(&l->naccq, l->naccq + 1, __ATOMIC_RELEASE);
	unix_wake_readers(l, POLLIN | POLLRDNORM);
out_unlock_l:
	mutex_unlock(&l->lock);
out_unlock_u:
	mutex_unlock(&u->lock);
	return err;
}

static int unix_stream_connect(struct socket *s, const void *addr, size_t len, bool nonblock)
{
	struct unix_sock *u = unix_of(s), *l, *e;
	int err = unix_addr_check(addr, len);

	if (err)
		return err;
	if (__atomic_load_n(&s->passcred, __ATOMIC_RELAXED)) {
		err = unix_autobind(u);
		if (err)
			return err;
	}
	err = unix_find(addr, len, u->type, &l);
	if (err)
		return err;
	e = unix_embryo_new(l);
	if (!e) {
		unix_sock_put(l);
		return -ENOMEM;
	}
	for (;;) {
		err = unix_join(u, l, e);
		if (err != -EAGAIN)
			break;
		err = unix_wait(&l->peer_wait, unix_listener_room, l, nonblock,
		                __atomic_load_n(&s->sndtimeo_ns, __ATOMIC_RELAXED));
		if (err)
			break;
	}
	if (err)
		unix_embryo_free(e);
	unix_sock_put(l);
	return err;
}

static int unix_listen(struct socket *s, int backlog)
{
	struct unix_sock *u = unix_of(s);
	int err = 0;

	if (backlog < 0 || backlog > UNIX_BACKLOG_MAX)
		backlog = UNIX_BACKLOG_MAX; /* listen(2): cut to somaxconn, as unsigned */
	mutex_lock(&u->lock);
	if (!u->addr || (u->state != UNIX_UNCONNECTED && u->state != UNIX_LISTENING)) {
		err = -EINVAL;
		goto out_unlock;
	}
	__atomic_store_n(&u->backlog, (unsigned)backlog, __ATOMIC_RELAXED);
	__atomic_store_n(&u->state, UNIX_LISTENING, __ATOMIC_RELEASE);
	/* The server's credentials, which its clients' SO_PEERCRED read. */
	u->peercred = unix_cred_current();
	u->has_peercred = true;
out_unlock:
	mutex_unlock(&u->lock);
	unix_wake_senders(u); /* a larger backlog may let a connect in */
	return err;
}

static bool unix_accept_ready(void *arg)
{
	struct unix_sock *l = arg;

	return __atomic_load_n(&l->naccq, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&l->state, __ATOMIC_RELAXED) != UNIX_LISTENING;
}

static int unix_accept(struct socket *s, struct socket **out, bool nonblock)
{
	struct unix_sock *l = unix_of(s), *e = NULL;
	int err;

	for (;;) {
		mutex_lock(&l->lock);
		if (l->state != UNIX_LISTENING) {
			mutex_unlock(&l->lock);
			return -EINVAL;
		}
		e = list_first_entry_or_null(&l->accq, struct unix_sock, acc_link);
		if (e) {
			list_del(&e->acc_link);
			__atomic_store_n(&l->naccq, l->naccq - 1, __ATOMIC_RELEASE);
		}
		mutex_unlock(&l->lock);
		if (e)
			break;
		err = unix_wait(l->wq, unix_accept_ready, l, nonblock,
		                __atomic_load_n(&s->rcvtimeo_ns, __ATOMIC_RELAXED));
		if (err)
			return err;
	}
	unix_wake_senders(l);
	mutex_lock(&e->lock);
	e->embryo = false;
	/* Linux's unix_sock_inherit_flags(): SO_PASSCRED comes from the listener. */
	e->sock->passcred = __atomic_load_n(&s->passcred, __ATOMIC_RELAXED);
	mutex_unlock(&e->lock);
	*out = e->sock;
	return 0;
}

void unix_drop_embryos(struct unix_sock *l)
{
	struct list_node q;
	struct list_node *n;

	list_init(&q);
	mutex_lock(&l->lock);
	list_splice_tail(&q, &l->accq);
	__atomic_store_n(&l->naccq, 0, __ATOMIC_RELEASE);
	mutex_unlock(&l->lock);
	while ((n = list_pop_head(&q))) {
		list_node_init(n);
		unix_embryo_free(list_entry(n, struct unix_sock, acc_link));
	}
}

void unix_peer_closed(struct unix_sock *peer, struct unix_sock *u, bool unread)
{
	mutex_lock(&peer->lock);
	if (peer->peer == u) {
		peer->shutdown = UNIX_SHUT_BOTH;
		if (unread)
			peer->err = -ECONNRESET;
		unix_wake_readers(peer, POLLIN | POLLRDNORM | POLLOUT | POLLHUP | POLLRDHUP |
		                                (unread ? POLLERR : 0));
	}
	mutex_unlock(&peer->lock);
}

/* ---- shutdown ---- */

int unix_shutdown(struct socket *s, int how)
{
	struct unix_sock *u = unix_of(s), *peer;
	unsigned mode, pmode;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	mode = (unsigned)how + 1;
	mutex_lock(&u->lock);
	u->shutdown |= mode;
	peer = u->peer;
	if (peer)
		unix_sock_get(peer);
	unix_wake_readers(u, POLLIN | POLLRDNORM | POLLOUT | POLLRDHUP |
	                             (u->shutdown == UNIX_SHUT_BOTH ? POLLHUP : 0));
	mutex_unlock(&u->lock);
	unix_wake_senders(u);
	if (!peer)
		return 0;
	if (u->type != SOCK_DGRAM) {
		/* The peer's read side ends with our write side, and the other way round. */
		pmode = ((mode & UNIX_SHUT_RCV) ? UNIX_SHUT_SEND : 0) |
		        ((mode & UNIX_SHUT_SEND) ? UNIX_SHUT_RCV : 0);
		mutex_lock(&peer->lock);
		if (peer->peer == u) {
			peer->shutdown |= pmode;
			unix_wake_readers(peer,
			                  POLLIN | POLLRDNORM | POLLOUT | POLLRDHUP |
			                          (peer->shutdown == UNIX_SHUT_BOTH ? POLLHUP : 0));
		}
		mutex_unlock(&peer->lock);
		unix_wake_senders(peer);
	}
	unix_sock_put(peer);
	return 0;
}

/* ---- stream send ---- */

struct unix_room {
	struct unix_sock *u, *peer;
};

/* A stream sender may go on: room in the peer's queue, or something ended. */
static bool unix_stream_room(void *arg)
{
	struct unix_room *r = arg;
	struct unix_sock *p = r->peer;

	return !unix_queue_full(p, false) || __atomic_load_n(&p->dead, __ATOMIC_RELAXED) ||
	       (__atomic_load_n(&p->shutdown, __ATOMIC_RELAXED) & UNIX_SHUT_RCV) ||
	       (__atomic_load_n(&r->u->shutdown, __ATOMIC_RELAXED) & UNIX_SHUT_SEND);
}

/*
 * Queue @m on @peer, unless it stopped reading (-EPIPE). Files that are
 * AF_UNIX sockets are checked for cycles under the in-flight lock.
 */
static int unix_stream_queue(struct unix_sock *u, struct unix_sock *peer, struct unix_msg *m)
{
	bool gc = m->fds && m->fds->nunix;
	int err = 0;

	if (gc) {
		unix_gc_lock();
		err = unix_inflight_check_locked(m->fds, peer);
	}
	mutex_lock(&peer->lock);
	if (!err && (peer->dead || (peer->shutdown & UNIX_SHUT_RCV) ||
	             (__atomic_load_n(&u->shutdown, __ATOMIC_RELAXED) & UNIX_SHUT_SEND)))
		err = -EPIPE;
	if (!err) {
		unix_msg_cred_fill_locked(peer, m);
		unix_queue_add_locked(peer, m);
		unix_wake_readers(peer, POLLIN | POLLRDNORM);
	}
	mutex_unlock(&peer->lock);
	if (gc)
		unix_gc_unlock();
	return err;
}

/* The peer to send to, with a reference: -ENOTCONN, -EPIPE after shutdown, a pending error. */
static int unix_stream_peer(struct unix_sock *u, struct unix_sock **out)
{
	int err = 0;

	mutex_lock(&u->lock);
	if (!u->peer || u->state != UNIX_CONNECTED)
		err = -ENOTCONN;
	else if (u->shutdown & UNIX_SHUT_SEND)
		err = -EPIPE;
	if (!err) {
		*out = u->peer;
		unix_sock_get(*out);
	}
	mutex_unlock(&u->lock);
	return err;
}

/* One message of the send: at most @left bytes, the files with the first. */
static long unix_stream_send_one(struct unix_sock *u, struct unix_sock *peer, struct sock_msg *sm,
                                 struct unix_scm *scm, size_t left)
{
	size_t n = left < UNIX_CHUNK_MAX ? left : UNIX_CHUNK_MAX;
	struct unix_msg *m = unix_msg_alloc(n);
	size_t got;
	int err;

	if (!m)
		return -ENOMEM;
	got = uio_copy_in(sm->data, m->data, n);
	if (got < n && uio_faulted(sm->data) && !got) {
		unix_msg_free(m);
		return -EFAULT;
	}
	m->len = got;
	m->cred_set = scm->has_cred || __atomic_load_n(&u->sock->passcred, __ATOMIC_RELAXED);
	m->cred = unix_msg_cred(scm, m->cred_set);
	m->fds = scm->fds;
	scm->fds = NULL;
	err = unix_stream_queue(u, peer, m);
	if (err) {
		unix_msg_free(m);
		return err;
	}
	return (long)got;
}

static long unix_stream_sendmsg(struct socket *s, struct sock_msg *sm, unsigned flags,
                                bool nonblock)
{
	struct unix_sock *u = unix_of(s), *peer;
	struct unix_room room = { .u = u };
	struct unix_scm scm;
	size_t total = sm->data->resid, sent = 0;
	long n = 0;
	int err = unix_scm_parse(sm, &scm);

	if (err)
		return err;
	if (flags & MSG_OOB)
		err = -EOPNOTSUPP;
	else if (sm->name && sm->namelen)
		err = u->state == UNIX_CONNECTED ? -EISCONN : -EOPNOTSUPP;
	else
		err = unix_stream_peer(u, &peer);
	if (err)
		goto out_scm;
	room.peer = peer;
	while (sent < total) {
		n = unix_wait(u->wq, unix_stream_room, &room, nonblock,
		              __atomic_load_n(&s->sndtimeo_ns, __ATOMIC_RELAXED));
		if (!n)
			n = unix_stream_send_one(u, peer, sm, &scm, total - sent);
		if (n < 0)
			break;
		sent += (size_t)n;
		if (uio_faulted(sm->data))
			break;
	}
	unix_sock_put(peer);
	if (sent)
		n = (long)sent;
out_scm:
	unix_scm_destroy(&scm);
	return err ? err : n;
}

/* ---- stream receive ---- */

static bool unix_readable(void *arg)
{
	struct unix_sock *u = arg;

	return !list_empty(&u->queue) || __atomic_load_n(&u->err, __ATOMIC_RELAXED) ||
	       (__atomic_load_n(&u->shutdown, __ATOMIC_RELAXED) & UNIX_SHUT_RCV) ||
	       __atomic_load_n(&u->state, __ATOMIC_RELAXED) != UNIX_CONNECTED;
}

/* What one read gathered besides bytes. */
struct unix_rd {
	size_t copied;
	struct unix_cred cred;
	bool have_cred;
	struct unix_fds *fds; /* taken from a message (or a peek's view of it) */
	bool freed;           /* a message left the queue */
};

/*
 * Copy from the messages queued on @u into @sm, from the oldest, until
 * @sm is full or a message with files was read; @peek leaves them.
 * Returns false when the user's buffer faulted.
 */
static bool unix_stream_take_locked(struct unix_sock *u, struct sock_msg *sm, bool peek,
                                    struct unix_rd *rd) __must_hold(&u->lock)
{
	struct unix_msg *m, *tmp;

	list_for_each_entry_safe(m, tmp, &u->queue, link) {
		size_t want = m->len - m->off, got;

		if (!sm->data->resid)
			break;
		if (want > sm->data->resid)
			want = sm->data->resid;
		got = uio_copy_out(sm->data, m->data + m->off, want);
		if (!got && want)
			return false;
		rd->copied += got;
		if (!rd->have_cred) {
			rd->cred = m->cred;
			rd->have_cred = true;
		}
		if (m->fds && !rd->fds) {
			rd->fds = m->fds;
			if (!peek) {
				/* The files go with the first read that touches their message. */
				u->inflight_unix -= m->fds->nunix;
				m->fds = NULL;
			}
		}
		if (!peek) {
			m->off += got;
			if (m->off == m->len) {
				unix_queue_del_locked(u, m);
				unix_msg_free(m);
				rd->freed = true;
			}
		}
		if (got < want)
			return false;
		if (rd->fds)
			break;
	}
	return true;
}

static long unix_stream_recvmsg(struct socket *s, struct sock_msg *sm, unsigned flags,
                                bool nonblock)
{
	struct unix_sock *u = unix_of(s);
	struct unix_rd rd = { 0 };
	size_t target = (flags & MSG_WAITALL) ? sm->data->resid : 1;
	bool peek = flags & MSG_PEEK, fault = false;
	long err = 0;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	mutex_lock(&u->lock);
	if (u->state != UNIX_CONNECTED) {
		mutex_unlock(&u->lock);
		return -EINVAL;
	}
	for (;;) {
		if (!list_empty(&u->queue) && sm->data->resid) {
			fault = !unix_stream_take_locked(u, sm, peek, &rd);
			if (fault || rd.fds || peek || rd.copied >= target || !sm->data->resid)
				break;
			continue;
		}
		if (rd.copied >= target || !sm->data->resid)
			break;
		if (u->err) {
			err = u->err;
			u->err = 0;
			break;
		}
		if (u->shutdown & UNIX_SHUT_RCV)
			break;
		mutex_unlock(&u->lock);
		err = unix_wait(u->wq, unix_readable, u, nonblock,
		                __atomic_load_n(&s->rcvtimeo_ns, __ATOMIC_RELAXED));
		mutex_lock(&u->lock);
		if (err)
			break;
	}
	/* Under [U]: a peek's files belong to a message still queued. */
	if (rd.copied || rd.fds)
		unix_scm_recv(sm, &rd.cred, rd.fds, __atomic_load_n(&s->passcred, __ATOMIC_RELAXED),
		              flags, peek);
	mutex_unlock(&u->lock);
	unix_drain();
	if (rd.freed)
		unix_wake_senders(u);
	if (rd.copied)
		return (long)rd.copied;
	return fault ? -EFAULT : err;
}

/* ---- SEQPACKET: connected, whole packets ---- */

static long unix_seqpacket_sendmsg(struct socket *s, struct sock_msg *sm, unsigned flags,
                                   bool nonblock)
{
	struct unix_sock *u = unix_of(s);
	int err;

	mutex_lock(&u->lock);
	err = u->err;
	u->err = 0;
	if (!err && u->state != UNIX_CONNECTED)
		err = -ENOTCONN;
	mutex_unlock(&u->lock);
	if (err)
		return err;
	sm->name = NULL; /* Linux ignores a destination here */
	sm->namelen = 0;
	return unix_dgram_sendmsg(s, sm, flags, nonblock);
}

static long unix_seqpacket_recvmsg(struct socket *s, struct sock_msg *sm, unsigned flags,
                                   bool nonblock)
{
	struct unix_sock *u = unix_of(s);

	if (__atomic_load_n(&u->state, __ATOMIC_ACQUIRE) != UNIX_CONNECTED)
		return -ENOTCONN;
	return unix_dgram_recvmsg(s, sm, flags, nonblock);
}

const struct sock_ops unix_stream_ops = {
	.bind = unix_bind,
	.connect = unix_stream_connect,
	.listen = unix_listen,
	.accept = unix_accept,
	.sendmsg = unix_stream_sendmsg,
	.recvmsg = unix_stream_recvmsg,
	.shutdown = unix_shutdown,
	.getname = unix_getname,
	.setsockopt = unix_setsockopt,
	.getsockopt = unix_getsockopt,
	.poll = unix_poll,
	.ioctl = unix_ioctl,
	.release = unix_release,
};

const struct sock_ops unix_seqpacket_ops = {
	.bind = unix_bind,
	.connect = unix_stream_connect,
	.listen = unix_listen,
	.accept = unix_accept,
	.sendmsg = unix_seqpacket_sendmsg,
	.recvmsg = unix_seqpacket_recvmsg,
	.shutdown = unix_shutdown,
	.getname = unix_getname,
	.setsockopt = unix_setsockopt,
	.getsockopt = unix_getsockopt,
	.poll = unix_poll,
	.ioctl = unix_ioctl,
	.release = unix_release,
};
