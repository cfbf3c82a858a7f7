// SPDX-License-Identifier: MIT
/*
 * AF_UNIX datagrams (unix(7)): SOCK_DGRAM sockets, and the packet path
 * SOCK_SEQPACKET shares. Each send is one message on the receiver's
 * queue, read whole or cut (MSG_TRUNC). A datagram socket may be
 * connected to a default destination, which then is the only socket it
 * hears from... as Linux has it, the other way round: a socket connected
 * to someone refuses datagrams from anyone else (EPERM). A receiver's
 * queue takes at most UNIX_DGRAM_QLEN + 1 datagrams from sockets it is
 * not connected to, and SO_RCVBUF bytes in all; senders then wait or
 * fail with EAGAIN. Also poll() for every type. Locks: unix_internal.h.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "fs/file.h"
#include "fs/poll.h"
#include "net/unix_internal.h"

#define UNIX_DGRAM_SLACK 32 /* Linux's EMSGSIZE bound: SO_SNDBUF - 32 */

/* ---- connect ---- */

/* Forget @u's default destination (connect to AF_UNSPEC, or it went away). */
static void unix_dgram_disconnect(struct unix_sock *u)
{
	struct unix_sock *old;

	mutex_lock(&u->lock);
	old = u->peer;
	u->peer = NULL;
	unix_unhook_locked(u);
	u->state = UNIX_UNCONNECTED;
	mutex_unlock(&u->lock);
	if (old)
		unix_sock_put(old);
}

static int unix_dgram_connect(struct socket *s, const void *addr, size_t len, bool nonblock)
{
	struct unix_sock *u = unix_of(s), *other, *old;
	const struct sockaddr_unk *sun = addr;
	int err;

	(void)nonblock;
	if (len < sizeof(sun->sun_family))
		return -EINVAL;
	if (sun->sun_family == AF_UNSPEC) {
		unix_dgram_disconnect(u);
		return 0;
	}
	err = unix_addr_check(addr, len);
	if (!err && __atomic_load_n(&s->passcred, __ATOMIC_RELAXED))
		err = unix_autobind(u);
	if (!err)
		err = unix_find(addr, len, u->type, &other);
	if (err)
		return err;
	mutex_lock(&other->lock);
	if (other->dead)
		err = -ECONNREFUSED;
	else if (other->peer && other->peer != u)
		err = -EPERM; /* it only hears from its own peer (Linux's unix_may_send) */
	mutex_unlock(&other->lock);
	if (err) {
		unix_sock_put(other);
		return err;
	}
	mutex_lock(&u->lock);
	old = u->peer;
	u->peer = other; /* our reference moves here */
	u->state = UNIX_CONNECTED;
	unix_hook_locked(u, other);
	mutex_unlock(&u->lock);
	if (old)
		unix_sock_put(old);
	return 0;
}

/* ---- send ---- */

struct unix_dest {
	struct unix_sock *u, *to;
};

static bool unix_dest_room(void *arg)
{
	struct unix_dest *d = arg;
	struct unix_sock *to = d->to;

	return !unix_queue_full(to, to != d->u &&
	                                    __atomic_load_n(&to->peer, __ATOMIC_RELAXED) != d->u) ||
	       __atomic_load_n(&to->dead, __ATOMIC_RELAXED) ||
	       (__atomic_load_n(&to->shutdown, __ATOMIC_RELAXED) & UNIX_SHUT_RCV);
}

/*
 * Where a datagram goes: the named socket, or the connected peer, with a
 * reference. -ENOTCONN without either; the lookup's errors.
 */
static int unix_dgram_dest(struct unix_sock *u, struct sock_msg *sm, struct unix_sock **to)
{
	int err = 0;

	if (sm->name && sm->namelen)
		return unix_find(sm->name, sm->namelen, u->type, to);
	mutex_lock(&u->lock);
	*to = u->peer;
	if (*to)
		unix_sock_get(*to);
	else
		err = u->type == SOCK_SEQPACKET ? -EPIPE : -ENOTCONN;
	mutex_unlock(&u->lock);
	return err;
}

/*
 * Queue @m on @to, as Linux's unix_dgram_sendmsg() checks: a dead
 * receiver (-ECONNREFUSED, and a connected sender forgets it; -EPIPE for
 * SEQPACKET), one that hears only its own peer (-EPERM), one that shut
 * its reading side (-EPIPE), a full queue (-EAGAIN: the caller waits).
 */
static int unix_dgram_queue(struct unix_sock *u, struct unix_sock *to, struct unix_msg *m)
{
	bool gc = m->fds && m->fds->nunix;
	int err = 0;

	if (gc) {
		unix_gc_lock();
		err = unix_inflight_check_locked(m->fds, to);
	}
	mutex_lock(&to->lock);
	if (err)
		;
	else if (to->dead)
		err = u->type == SOCK_SEQPACKET ? -EPIPE : -ECONNREFUSED;
	else if (u->type == SOCK_DGRAM && to->peer && to->peer != u)
		err = -EPERM;
	else if (to->shutdown & UNIX_SHUT_RCV)
		err = -EPIPE;
	else if (unix_queue_full(to, to != u && to->peer != u))
		err = -EAGAIN;
	if (!err) {
		unix_msg_cred_fill_locked(to, m);
		unix_queue_add_locked(to, m);
		unix_wake_readers(to, POLLIN | POLLRDNORM);
	}
	mutex_unlock(&to->lock);
	if (gc)
		unix_gc_unlock();
	return err;
}

/* The datagram of @sm's bytes, or an error pointer. */
static struct unix_msg *unix_dgram_build(struct unix_sock *u, struct unix_sock *to,
                                         struct sock_msg *sm, struct unix_scm *scm)
{
	size_t len = sm->data->resid;
	struct unix_msg *m = unix_msg_alloc(len);
	struct unix_addr *a;

	if (!m)
		return ERR_PTR_VAL(-ENOMEM);
	if (uio_copy_in(sm->data, m->data, len) < len) {
		unix_msg_free(m);
		return ERR_PTR_VAL(-EFAULT);
	}
	a = __atomic_load_n(&u->addr, __ATOMIC_ACQUIRE);
	if (a) {
		unix_addr_get(a);
		m->from = a;
	}
	m->cred_set = scm->has_cred || __atomic_load_n(&u->sock->passcred, __ATOMIC_RELAXED);
	m->cred = unix_msg_cred(scm, m->cred_set);
	m->fds = scm->fds;
	scm->fds = NULL;
	return m;
}

/* Send @m to @to, waiting for room unless @nonblock. */
static int unix_dgram_deliver(struct socket *s, struct unix_sock *to, struct unix_msg *m,
                              bool nonblock)
{
	struct unix_sock *u = unix_of(s);
	struct unix_dest d = { .u = u, .to = to };
	int err;

	for (;;) {
		err = unix_dgram_queue(u, to, m);
		if (err != -EAGAIN)
			break;
		err = unix_wait(&to->peer_wait, unix_dest_room, &d, nonblock,
		                __atomic_load_n(&s->sndtimeo_ns, __ATOMIC_RELAXED));
		if (err)
			break;
	}
	if (err == -ECONNREFUSED && __atomic_load_n(&u->peer, __ATOMIC_RELAXED) == to)
		unix_dgram_disconnect(u);
	return err;
}

long unix_dgram_sendmsg(struct socket *s, struct sock_msg *sm, unsigned flags, bool nonblock)
{
	struct unix_sock *u = unix_of(s), *to = NULL;
	size_t len = sm->data->resid;
	struct unix_scm scm;
	struct unix_msg *m;
	int err = unix_scm_parse(sm, &scm);

	if (err)
		return err;
	if (flags & MSG_OOB)
		err = -EOPNOTSUPP;
	else if (sm->name && sm->namelen)
		err = unix_addr_check(sm->name, sm->namelen);
	if (!err && __atomic_load_n(&s->passcred, __ATOMIC_RELAXED))
		err = unix_autobind(u);
	if (!err && len + UNIX_DGRAM_SLACK > (size_t)__atomic_load_n(&s->sndbuf, __ATOMIC_RELAXED))
		err = -EMSGSIZE;
	if (!err)
		err = unix_dgram_dest(u, sm, &to);
	if (err)
		goto out_scm;
	m = unix_dgram_build(u, to, sm, &scm);
	if (IS_ERR_PTR(m)) {
		err = (int)PTR_ERR_VAL(m);
		goto out_put;
	}
	err = unix_dgram_deliver(s, to, m, nonblock);
	if (err)
		unix_msg_free(m);
out_put:
	unix_sock_put(to);
out_scm:
	unix_scm_destroy(&scm);
	return err ? err : (long)len;
}

/* ---- receive ---- */

static bool unix_dgram_readable(void *arg)
{
	struct unix_sock *u = arg;

	return !list_empty(&u->queue) || __atomic_load_n(&u->err, __ATOMIC_RELAXED) ||
	       (__atomic_load_n(&u->shutdown, __ATOMIC_RELAXED) & UNIX_SHUT_RCV);
}

/*
 * Wait for a message; returns with [U] held and the oldest message (left
 * on the queue), or NULL without the lock and *@err (0: end of file).
 */
static struct unix_msg *unix_dgram_next(struct socket *s, struct unix_sock *u, bool nonblock,
                                        long *err) __try_acquires(true, &u->lock)
{
	struct unix_msg *m;

	mutex_lock(&u->lock);
	for (;;) {
		/* A pending error comes first, as Linux's __skb_try_recv_datagram(). */
		*err = u->err;
		u->err = 0;
		if (*err)
			break;
		m = list_first_entry_or_null(&u->queue, struct unix_msg, link);
		if (m)
			return m;
		if (u->shutdown & UNIX_SHUT_RCV)
			break;
		mutex_unlock(&u->lock);
		*err = unix_wait(u->wq, unix_dgram_readable, u, nonblock,
		                 __atomic_load_n(&s->rcvtimeo_ns, __ATOMIC_RELAXED));
		mutex_lock(&u->lock);
		if (*err)
			break;
	}
	mutex_unlock(&u->lock);
	return NULL;
}

/* The source's name into @sm (none: length 0, as Linux for an unnamed sender). */
static void unix_dgram_name(struct sock_msg *sm, const struct unix_msg *m)
{
	if (!sm->name)
		return;
	sm->namelen = m->from ? m->from->len : 0;
	if (m->from)
		memcpy(sm->name, &m->from->sun, m->from->len);
}

long unix_dgram_recvmsg(struct socket *s, struct sock_msg *sm, unsigned flags, bool nonblock)
{
	struct unix_sock *u = unix_of(s);
	bool peek = flags & MSG_PEEK;
	struct unix_msg *m;
	size_t want, got, len;
	long err;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	m = unix_dgram_next(s, u, nonblock, &err);
	if (!m)
		return err;
	/* Copied under [U], so a peek's message cannot be taken and freed meanwhile. */
	len = m->len;
	want = len < sm->data->resid ? len : sm->data->resid;
	got = uio_copy_out(sm->data, m->data, want);
	if (len > want)
		sm->out_flags |= MSG_TRUNC;
	unix_dgram_name(sm, m);
	unix_scm_recv(sm, &m->cred, m->fds, __atomic_load_n(&s->passcred, __ATOMIC_RELAXED), flags,
	              peek);
	if (!peek) {
		if (m->fds)
			u->inflight_unix -= m->fds->nunix;
		m->fds = NULL; /* unix_scm_recv() took them */
		unix_queue_del_locked(u, m);
	}
	mutex_unlock(&u->lock);
	if (!peek) {
		unix_msg_free(m);
		unix_wake_senders(u);
	}
	unix_drain();
	if (got < want && !got)
		return -EFAULT;
	return (flags & MSG_TRUNC) ? (long)len : (long)got;
}

const struct sock_ops unix_dgram_ops = {
	.bind = unix_bind,
	.connect = unix_dgram_connect,
	.sendmsg = unix_dgram_sendmsg,
	.recvmsg = unix_dgram_recvmsg,
	.shutdown = unix_shutdown,
	.getname = unix_getname,
	.setsockopt = unix_setsockopt,
	.getsockopt = unix_getsockopt,
	.poll = unix_poll,
	.ioctl = unix_ioctl,
	.release = unix_release,
};
