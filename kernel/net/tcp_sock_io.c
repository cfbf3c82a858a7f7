// SPDX-License-Identifier: MIT
/*
 * The data path of TCP sockets: send and receive copy straight between
 * user memory and the connection's rings (tcp_send_space() and
 * tcp_recv_peek() give the free and filled pieces), under the
 * connection's mutex, waiting through sock_wait() with SO_SNDTIMEO and
 * SO_RCVTIMEO. Also poll readiness as Linux's tcp_poll() reports it,
 * FIONREAD and SIOCOUTQ, and the IPPROTO_TCP options of tcp(7).
 */
#include <cairn/errno.h>
#include <cairn/linux/termios.h>

#include "fs/file.h"
#include "fs/poll.h"
#include "mm/uaccess.h"
#include "net/socket.h"
#include "net/tcp_sock.h"
#include "net/udp.h"
#include "time/time.h"

#define SIOCATMARK 0x8905

static struct tcp_sk *tk_of(struct socket *s)
{
	return s->priv;
}

static enum tcp_state st_of(const struct tcp_sk *tk)
{
	return __atomic_load_n(&tk->tcb.state, __ATOMIC_RELAXED);
}

/* Whether sending may move on: room in the ring, or anything that ends the wait. */
static bool send_ready(void *ctx)
{
	struct tcp_sk *tk = ctx;
	enum tcp_state st = st_of(tk);

	if (st != TCP_ESTABLISHED && st != TCP_CLOSE_WAIT)
		return st != TCP_SYN_SENT && st != TCP_SYN_RECEIVED;
	return tk->tcb.error || tk->shut_wr || tcp_send_free(&tk->tcb) > 0;
}

/* Why nothing can be sent now, or 0 when the ring may take bytes. */
static long send_state_locked(struct tcp_sk *tk, bool *wait) __must_hold(&tk->lock)
{
	enum tcp_state st = tk->tcb.state;
	long err = tk->tcb.error;

	*wait = false;
	if (err) {
		tk->tcb.error = 0;
		return err;
	}
	if (tk->shut_wr)
		return -EPIPE;
	if (st == TCP_SYN_SENT || st == TCP_SYN_RECEIVED) {
		*wait = true;
		return 0;
	}
	/* Linux: a stream socket that is not connected answers EPIPE to a send. */
	if (st != TCP_ESTABLISHED && st != TCP_CLOSE_WAIT)
		return -EPIPE;
	return 0;
}

/* Copy from @u into the ring's free pieces and commit; bytes taken or -errno. */
static long send_chunk_locked(struct tcp_sk *tk, struct uio *u, bool more) __must_hold(&tk->lock)
{
	uint8_t *p1, *p2;
	size_t n1, n2, got;
	int err;

	if (!tcp_send_space(&tk->tcb, &p1, &n1, &p2, &n2))
		return 0;
	got = uio_copy_in(u, p1, n1);
	if (got == n1 && n2 && u->resid)
		got += uio_copy_in(u, p2, n2);
	if (!got)
		return uio_faulted(u) ? -EFAULT : 0;
	err = tcp_send_commit(&tk->tcb, got, more, clock_monotonic_ns());
	return err ? err : (long)got;
}

long tcp_sendmsg(struct socket *s, struct sock_msg *m, unsigned flags, bool nonblock)
{
	struct tcp_sk *tk = tk_of(s);
	uint64_t timeo = __atomic_load_n(&s->sndtimeo_ns, __ATOMIC_RELAXED);
	long sent = 0, r = 0;
	bool wait;

	if (m->name && !tk->active)
		return -EPIPE; /* sendto() on an unconnected stream socket */
	mutex_lock(&tk->lock);
	while (m->data->resid) {
		r = send_state_locked(tk, &wait);
		if (r)
			break;
		r = wait ? 0 : send_chunk_locked(tk, m->data, flags & MSG_MORE);
		tcp_sk_after_locked(tk);
		if (r < 0)
			break;
		sent += r;
		if (r)
			continue;
		mutex_unlock(&tk->lock);
		r = sock_wait(s, send_ready, tk, nonblock, timeo);
		mutex_lock(&tk->lock);
		if (r)
			break;
	}
	mutex_unlock(&tk->lock);
	return sent ? sent : r;
}

static bool recv_ready(void *ctx)
{
	struct tcp_sk *tk = ctx;
	enum tcp_state st = st_of(tk);

	return tcp_readable(&tk->tcb) || tk->shut_rd ||
	       (st != TCP_SYN_SENT && st != TCP_SYN_RECEIVED && st != TCP_ESTABLISHED &&
	        st != TCP_FIN_WAIT_1 && st != TCP_FIN_WAIT_2);
}

/* Copy up to what @u holds out of the ring; consume it unless MSG_PEEK. */
static long recv_chunk_locked(struct tcp_sk *tk, struct uio *u, unsigned flags)
	__must_hold(&tk->lock)
{
	const uint8_t *p1, *p2;
	size_t n1, n2, got;

	if (!tcp_recv_peek(&tk->tcb, &p1, &n1, &p2, &n2))
		return 0;
	got = uio_copy_out(u, p1, n1);
	if (got == n1 && n2 && u->resid)
		got += uio_copy_out(u, p2, n2);
	if (!got)
		return uio_faulted(u) ? -EFAULT : 0;
	if (!(flags & MSG_PEEK))
		tcp_recv_consume(&tk->tcb, got, clock_monotonic_ns());
	return (long)got;
}

/* Nothing to read: 0 at the end of the stream, an error, or -EAGAIN to wait. */
static long recv_empty_locked(struct tcp_sk *tk) __must_hold(&tk->lock)
{
	long err = tk->tcb.error;

	if (err) {
		tk->tcb.error = 0;
		return err;
	}
	if (tk->tcb.rcv_fin || tk->shut_rd)
		return 0;
	if (!tk->active)
		return -ENOTCONN;
	if (tk->tcb.state == TCP_CLOSED)
		return 0;
	return -EAGAIN;
}

long tcp_recvmsg(struct socket *s, struct sock_msg *m, unsigned flags, bool nonblock)
{
	struct tcp_sk *tk = tk_of(s);
	uint64_t timeo = __atomic_load_n(&s->rcvtimeo_ns, __ATOMIC_RELAXED);
	long got = 0, r = 0;

	if (flags & MSG_OOB)
		return -EINVAL; /* no urgent data is ever kept */
	if (tk->lsn)
		return -ENOTCONN;
	m->namelen = 0;
	mutex_lock(&tk->lock);
	for (;;) {
		r = recv_chunk_locked(tk, m->data, flags);
		tcp_sk_after_locked(tk);
		if (r < 0)
			break;
		got += r;
		if (!m->data->resid || (got && !(flags & MSG_WAITALL)) || (r && (flags & MSG_PEEK)))
			break;
		if (r)
			continue;
		r = recv_empty_locked(tk);
		if (r != -EAGAIN)
			break;
		mutex_unlock(&tk->lock);
		r = sock_wait(s, recv_ready, tk, nonblock, timeo);
		mutex_lock(&tk->lock);
		if (r)
			break;
	}
	mutex_unlock(&tk->lock);
	return got ? got : r;
}

/* Linux's tcp_poll(): what a connection, a listener or a fresh socket reports. */
unsigned tcp_poll(struct socket *s, struct poll_table *pt)
{
	struct tcp_sk *tk = tk_of(s);
	enum tcp_state st;
	bool rd_shut, wr_shut;
	unsigned mask = 0;

	poll_wait(pt, &s->wq);
	if (tk->lsn)
		return __atomic_load_n(&tk->lsn->nacc, __ATOMIC_RELAXED) ? POLLIN | POLLRDNORM : 0;
	st = st_of(tk);
	rd_shut = tk->shut_rd || tk->tcb.rcv_fin || (tk->active && st == TCP_CLOSED);
	wr_shut = tk->shut_wr || (tk->active && st == TCP_CLOSED);
	if ((rd_shut && wr_shut) || st == TCP_CLOSED)
		mask |= POLLHUP;
	if (rd_shut)
		mask |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (st != TCP_SYN_SENT && st != TCP_SYN_RECEIVED) {
		if (tcp_readable(&tk->tcb))
			mask |= POLLIN | POLLRDNORM;
		if (wr_shut || !tk->active || tcp_send_free(&tk->tcb) > 0)
			mask |= POLLOUT | POLLWRNORM;
	}
	if (tk->tcb.error)
		mask |= POLLERR;
	return mask;
}

static long put_int(uintptr_t arg, int v)
{
	return copy_to_user((void *)arg, &v, sizeof(v)) ? -EFAULT : 0;
}

long tcp_ioctl(struct socket *s, unsigned cmd, uintptr_t arg)
{
	struct tcp_sk *tk = tk_of(s);
	size_t n;

	switch (cmd) {
	case FIONREAD: /* SIOCINQ */
		if (tk->lsn)
			return -EINVAL;
		mutex_lock(&tk->lock);
		n = tk->mem ? tcp_recv_queued(&tk->tcb) : 0;
		mutex_unlock(&tk->lock);
		return put_int(arg, (int)n);
	case TIOCOUTQ: /* SIOCOUTQ */
		if (tk->lsn)
			return -EINVAL;
		mutex_lock(&tk->lock);
		n = tk->mem ? tcp_send_queued(&tk->tcb) : 0;
		mutex_unlock(&tk->lock);
		return put_int(arg, (int)n);
	case SIOCATMARK:
		return put_int(arg, 0);
	default:
		return -ENOIOCTLCMD;
	}
}
