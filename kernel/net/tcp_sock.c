// SPDX-License-Identifier: MIT
/*
 * AF_INET SOCK_STREAM sockets (tcp(7)): making one, bind, connect,
 * listen, accept, shutdown, the names, and the last close, which hands the
 * connection to the kernel to finish (FIN, TIME_WAIT) after the file is
 * gone. Data, poll, ioctls and options are in tcp_sock_io.c; the table,
 * input and output in tcp_sock_conn.c; listeners in tcp_sock_listen.c.
 */
#include "net/tcp_sock.h"

#include <cairn/errno.h>

#include "fs/poll.h"
#include "mm/heap.h"
#include "net/inet.h"
#include "net/socket.h"
#include "proc/proc.h"
#include "time/time.h"

static struct tcp_sk *tk_of(struct socket *s)
{
	return s->priv;
}

uint32_t tcp_ring_size(int buf)
{
	uint32_t n = buf < 0 ? 0 : (uint32_t)buf;

	n = n < TCP_RING_MIN ? TCP_RING_MIN : n > TCP_RING_MAX ? TCP_RING_MAX : n;
	return (n + 4095u) & ~4095u;
}

/* A fresh connection's rings and tcb (replacing any earlier attempt's). */
static int tk_setup_locked(struct tcp_sk *tk, struct socket *s, const struct tcp_config *cfg)
	__must_hold(&tk->lock)
{
	uint32_t rcv = tcp_ring_size(__atomic_load_n(&s->rcvbuf, __ATOMIC_RELAXED));
	uint32_t snd = tcp_ring_size(__atomic_load_n(&s->sndbuf, __ATOMIC_RELAXED));
	uint8_t *mem = kmalloc_flags((size_t)rcv + snd, KM_MAY_FAIL);

	if (!mem)
		return -ENOBUFS;
	kfree(tk->mem);
	tk->mem = mem;
	tcp_init(&tk->tcb, cfg, &tcp_sk_ops, tk, mem + rcv, snd, mem, rcv);
	return 0;
}

/* Claim a local port: @ip/@port (0: an ephemeral one). */
static int tk_claim_locked(struct tcp_sk *tk, struct socket *s, uint32_t ip, uint16_t port)
	__must_hold(&tk->lock)
{
	int err;

	tk->bind.addr = ip;
	tk->bind.port = port;
	tk->bind.reuseaddr = __atomic_load_n(&s->reuseaddr, __ATOMIC_RELAXED);
	tk->bind.reuseport = __atomic_load_n(&s->reuseport, __ATOMIC_RELAXED);
	tk->bind.uid = current_cred().euid;
	tk->bind.owner = tk;
	err = inet_bind_add(SOCK_STREAM, &tk->bind);
	if (!err)
		tk->bound = true;
	return err;
}

static int tcp_bind(struct socket *s, const void *addr, size_t len)
{
	struct tcp_sk *tk = tk_of(s);
	uint32_t ip;
	uint16_t port;
	int err = inet_addr_parse(addr, len, true, &ip, &port);

	if (err)
		return err;
	/* AF_UNSPEC binds only INADDR_ANY, for old programs (Linux's inet_bind). */
	if (((const struct sockaddr_in *)addr)->sin_family == AF_UNSPEC && ip != INADDR_ANY)
		return -EAFNOSUPPORT;
	err = inet_bind_check(ip, port);
	if (err)
		return err;
	mutex_lock(&tk->lock);
	if (tk->bound || tk->active)
		err = -EINVAL;
	else
		err = tk_claim_locked(tk, s, ip, port);
	mutex_unlock(&tk->lock);
	return err;
}

static bool tk_connecting(const struct tcp_sk *tk)
{
	enum tcp_state st = __atomic_load_n(&tk->tcb.state, __ATOMIC_RELAXED);

	return st == TCP_SYN_SENT || st == TCP_SYN_RECEIVED;
}

static bool connect_done(void *ctx)
{
	return !tk_connecting(ctx);
}

/* Start the handshake to @raddr:@rport (under [K], the socket unconnected). */
static int connect_start_locked(struct tcp_sk *tk, struct socket *s, uint32_t raddr, uint16_t rport)
	__must_hold(&tk->lock)
{
	struct route_result rr;
	struct tcp_config cfg;
	int err = route_lookup(raddr, &rr);

	if (err)
		return err;
	if (!tk->bound) {
		err = tk_claim_locked(tk, s, INADDR_ANY, 0);
		if (err)
			return err == -EAGAIN ? -EADDRNOTAVAIL : err;
	}
	tcp_sk_config(&cfg, rr.mtu, tk->nodelay, tk->user_mss,
	              tcp_ring_size(__atomic_load_n(&s->rcvbuf, __ATOMIC_RELAXED)));
	cfg.keepalive = __atomic_load_n(&s->keepalive, __ATOMIC_RELAXED);
	err = tk_setup_locked(tk, s, &cfg);
	if (err)
		return err;
	tk->tcb.laddr = tk->bind.addr != INADDR_ANY ? tk->bind.addr : rr.src;
	tk->tcb.lport = tk->bind.port;
	tk->tcb.raddr = raddr;
	tk->tcb.rport = rport;
	if (tcp_sk_hash(tk))
		return -EADDRNOTAVAIL;
	tcp_stat_inc(&tcp_stats.active_opens);
	err = tcp_connect(&tk->tcb, clock_monotonic_ns(), tcp_sk_isn(tk));
	tk->active = true;
	tcp_sk_after_locked(tk);
	return err;
}

/* The outcome of a finished handshake: 0 or the error it left. */
static int connect_result_locked(struct tcp_sk *tk) __must_hold(&tk->lock)
{
	int err = tk->tcb.error;

	if (err) {
		tk->tcb.error = 0;
		return err;
	}
	return tk->tcb.state == TCP_CLOSED ? -ECONNABORTED : 0;
}

static int tcp_connect_op(struct socket *s, const void *addr, size_t len, bool nonblock)
{
	struct tcp_sk *tk = tk_of(s);
	uint32_t raddr;
	uint16_t rport;
	int err = inet_addr_parse(addr, len, true, &raddr, &rport);

	if (err)
		return err;
	mutex_lock(&tk->lock);
	if (tk->lsn) {
		err = -EISCONN;
	} else if (tk_connecting(tk)) {
		err = nonblock ? -EALREADY : 0;
	} else if (tk->tcb.state != TCP_CLOSED) {
		err = -EISCONN;
	} else if (((const struct sockaddr_in *)addr)->sin_family == AF_UNSPEC) {
		err = 0; /* "dissolve the association" of an unconnected socket: nothing to do */
		mutex_unlock(&tk->lock);
		return err;
	} else {
		/* Linux takes INADDR_ANY as a destination to mean this host. */
		err = connect_start_locked(tk, s, raddr ? raddr : INADDR_LOOPBACK, rport);
	}
	mutex_unlock(&tk->lock);
	if (err)
		return err;
	if (nonblock)
		return -EINPROGRESS;
	err = sock_wait(s, connect_done, tk, false,
	                __atomic_load_n(&s->sndtimeo_ns, __ATOMIC_RELAXED));
	if (err)
		return err == -EAGAIN ? -EINPROGRESS : err;
	mutex_lock(&tk->lock);
	err = connect_result_locked(tk);
	mutex_unlock(&tk->lock);
	return err;
}

static int tcp_listen_op(struct socket *s, int backlog)
{
	struct tcp_sk *tk = tk_of(s);
	struct tcp_listen *lsn;
	int err = 0;

	mutex_lock(&tk->lock);
	if (tk->lsn) {
		spin_lock(&tk->lsn->qlock);
		tk->lsn->backlog = backlog;
		spin_unlock(&tk->lsn->qlock);
		goto out;
	}
	if (tk->active) {
		err = -EINVAL;
		goto out;
	}
	if (!tk->bound) {
		err = tk_claim_locked(tk, s, INADDR_ANY, 0);
		if (err)
			goto out;
	}
	lsn = kmalloc_flags(sizeof(*lsn), KM_MAY_FAIL | KM_ZERO);
	if (!lsn) {
		err = -ENOBUFS;
		goto out;
	}
	spin_init(&lsn->qlock, "tcp_listen");
	list_init(&lsn->synq);
	list_init(&lsn->acceptq);
	lsn->backlog = backlog;
	tk->lsn = lsn;
	err = inet_bind_set_listening(SOCK_STREAM, &tk->bind, true);
	if (err) {
		tk->lsn = NULL;
		kfree(lsn);
	}
out:
	mutex_unlock(&tk->lock);
	return err;
}

static bool accept_ready(void *ctx)
{
	struct tcp_listen *lsn = ctx;

	return __atomic_load_n(&lsn->nacc, __ATOMIC_RELAXED) ||
	       __atomic_load_n(&lsn->closed, __ATOMIC_RELAXED);
}

/* The oldest established child, taken off the accept queue with the queue's reference. */
static struct tcp_sk *acceptq_pop(struct tcp_listen *lsn)
{
	struct tcp_sk *c;

	spin_lock(&lsn->qlock);
	c = list_first_entry_or_null(&lsn->acceptq, struct tcp_sk, q_link);
	if (c) {
		list_del(&c->q_link);
		c->on_acceptq = false;
		lsn->nacc--;
	}
	spin_unlock(&lsn->qlock);
	return c;
}

/* Give accepted child @c a socket, with the listener's options. */
static int accept_adopt(struct socket *ls, struct tcp_sk *c, struct socket **out)
{
	struct socket *ns = sock_alloc(AF_INET, SOCK_STREAM, ls->protocol, &tcp_sock_ops, c);

	if (!ns)
		return -ENOBUFS;
	ns->rcvbuf = ls->rcvbuf;
	ns->sndbuf = ls->sndbuf;
	ns->keepalive = ls->keepalive;
	ns->reuseaddr = ls->reuseaddr;
	mutex_lock(&c->lock);
	if (c->parent) {
		tcp_sk_put(c->parent);
		c->parent = NULL;
	}
	c->sock = ns;
	mutex_unlock(&c->lock);
	*out = ns;
	return 0;
}

static int tcp_accept_op(struct socket *s, struct socket **out, bool nonblock)
{
	struct tcp_sk *tk = tk_of(s);
	struct tcp_sk *c;
	int err;

	if (!tk->lsn)
		return -EINVAL;
	for (;;) {
		c = acceptq_pop(tk->lsn);
		if (c)
			break;
		err = sock_wait(s, accept_ready, tk->lsn, nonblock,
		                __atomic_load_n(&s->rcvtimeo_ns, __ATOMIC_RELAXED));
		if (err)
			return err;
	}
	err = accept_adopt(s, c, out);
	if (err) {
		mutex_lock(&c->lock);
		tcp_abort(&c->tcb, clock_monotonic_ns());
		tcp_sk_after_locked(c);
		mutex_unlock(&c->lock);
		tcp_sk_put(c);
	}
	return err;
}

static int tcp_shutdown_op(struct socket *s, int how)
{
	struct tcp_sk *tk = tk_of(s);
	int err = 0;

	mutex_lock(&tk->lock);
	if (tk->lsn) {
		err = 0; /* a listener has nothing to shut; Linux stops it for SHUT_RD only */
	} else if (!tk->active || tk->tcb.state == TCP_CLOSED) {
		err = -ENOTCONN;
	} else {
		if (how != SHUT_WR)
			tk->shut_rd = true;
		if (how != SHUT_RD && !tk->shut_wr) {
			tk->shut_wr = true;
			err = tcp_shutdown_wr(&tk->tcb, clock_monotonic_ns());
			tcp_sk_after_locked(tk);
		}
	}
	mutex_unlock(&tk->lock);
	poll_wake(&s->wq, POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
	return err == -ENOTCONN && tk->active ? 0 : err;
}

static int tcp_getname(struct socket *s, void *addr, size_t *len, bool peer)
{
	struct tcp_sk *tk = tk_of(s);
	int err = 0;

	mutex_lock(&tk->lock);
	if (peer) {
		if (!tk->active || tk->tcb.state == TCP_CLOSED || tk->tcb.state == TCP_SYN_SENT)
			err = -ENOTCONN;
		else
			inet_addr_fill(addr, len, tk->tcb.raddr, tk->tcb.rport);
	} else if (tk->active) {
		inet_addr_fill(addr, len, tk->tcb.laddr, tk->tcb.lport);
	} else {
		inet_addr_fill(addr, len, tk->bound ? tk->bind.addr : 0,
		               tk->bound ? tk->bind.port : 0);
	}
	mutex_unlock(&tk->lock);
	return err;
}

/* SO_LINGER's wait: every byte and the FIN acknowledged, or the connection gone. */
static bool linger_done(void *ctx)
{
	struct tcp_sk *tk = ctx;
	enum tcp_state st = __atomic_load_n(&tk->tcb.state, __ATOMIC_RELAXED);

	return st == TCP_FIN_WAIT_2 || st == TCP_TIME_WAIT || st == TCP_CLOSED;
}

/*
 * The last close: a listener aborts its children; a connection is closed
 * (FIN after the queued bytes, or RST when unread bytes remain or
 * SO_LINGER says 0 s) and lives on in the kernel until it is CLOSED. With
 * SO_LINGER on for a positive time, close() first waits that long for the
 * peer to acknowledge everything (socket(7)); the file is already gone
 * from the table, so only this task waits.
 */
static void tcp_release(struct socket *s)
{
	struct tcp_sk *tk = tk_of(s);
	int linger = __atomic_load_n(&s->linger_s, __ATOMIC_RELAXED);
	bool wait = false;

	mutex_lock(&tk->lock);
	if (tk->lsn) {
		int err = inet_bind_set_listening(SOCK_STREAM, &tk->bind, false);

		(void)err; /* turning listening off cannot conflict */
		tk->sock = NULL;
		tcp_listen_close_locked(tk);
	} else if (tk->active && tk->tcb.state != TCP_CLOSED) {
		if (linger == 0)
			tcp_abort(&tk->tcb, clock_monotonic_ns());
		else
			tcp_close(&tk->tcb, clock_monotonic_ns());
		tcp_sk_after_locked(tk);
		wait = linger > 0;
	}
	mutex_unlock(&tk->lock);
	if (wait) {
		int err = sock_wait(s, linger_done, tk, false, (uint64_t)linger * 1000000000ull);

		(void)err; /* a timeout or a signal ends the wait; the close goes on regardless */
	}
	mutex_lock(&tk->lock);
	tk->sock = NULL;
	mutex_unlock(&tk->lock);
	tcp_sk_put(tk);
}

int tcp_sock_create(struct socket *s, int protocol)
{
	struct tcp_sk *tk = kmalloc_flags(sizeof(*tk), KM_MAY_FAIL | KM_ZERO);

	(void)protocol;
	if (!tk)
		return -ENOBUFS;
	tcp_sk_count_add(1);
	mutex_init(&tk->lock, "tcp_sk");
	tk->refs = 1;
	tk->timer_at = UINT64_MAX;
	tk->tcb.state = TCP_CLOSED;
	list_node_init(&tk->hash_link);
	list_node_init(&tk->q_link);
	list_node_init(&tk->timer_link);
	list_node_init(&tk->bind.link);
	tk->sock = s;
	s->protocol = IPPROTO_TCP;
	s->rcvbuf = TCP_BUF_DEFAULT;
	s->sndbuf = TCP_BUF_DEFAULT;
	s->ops = &tcp_sock_ops;
	s->priv = tk;
	return 0;
}

const struct sock_ops tcp_sock_ops = {
	.bind = tcp_bind,
	.connect = tcp_connect_op,
	.listen = tcp_listen_op,
	.accept = tcp_accept_op,
	.sendmsg = tcp_sendmsg,
	.recvmsg = tcp_recvmsg,
	.shutdown = tcp_shutdown_op,
	.getname = tcp_getname,
	.setsockopt = tcp_setsockopt,
	.getsockopt = tcp_getsockopt,
	.poll = tcp_poll,
	.ioctl = tcp_ioctl,
	.release = tcp_release,
};
