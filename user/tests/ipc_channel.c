// SPDX-License-Identifier: MIT
/*
 * Cairn's channels from a user program (include/cairn/ipc.h,
 * docs/channels.md): the rights every call needs, message sizes and
 * handle counts at and past the limits, all-or-nothing writes, -ENOBUFS,
 * back-pressure, the peer closing, calls and their txids with several
 * callers, a server's REPLY_WAIT loop, and poll/epoll on a channel. Every
 * point is skipped on Linux (no such calls there).
 */
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include "chantest.h"
#include "utest.h"

#define RW (CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE)

/* An address no program maps (the compiler cannot see through it). */
static int32_t *bad_ptr(void)
{
	static volatile uintptr_t addr = 8;

	return (int32_t *)addr;
}

static bool t_create(void)
{
	int32_t h[2];

	CT_EQ(cairn_channel_create(h, 0), 0);
	CT_EQ(ct_type(h[0]), CAIRN_OBJ_CHANNEL);
	CT_EQ(ct_rights(h[1]), CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE | CAIRN_RIGHT_DUPLICATE |
	                               CAIRN_RIGHT_TRANSFER | CAIRN_RIGHT_WAIT |
	                               CAIRN_RIGHT_INSPECT);
	CT_EQ(ct_signals(h[0]), CAIRN_SIG_WRITABLE);
	CT_EQ(cairn_channel_create(h, 0x80), -EINVAL);
	CT_EQ(cairn_channel_create(bad_ptr(), 0), -EFAULT);
	close(h[0]);
	close(h[1]);
	return true;
}

/* Send @n bytes of a pattern from h[0], read them at h[1]. */
static bool roundtrip(const int32_t h[2], uint32_t n)
{
	unsigned char *out = malloc(n + 1), *in = malloc(n + 1);
	struct cairn_msg m;
	bool ok;

	for (uint32_t i = 0; i < n; i++)
		out[i] = (unsigned char)(i * 7 + n);
	ok = ct_write(h[0], out, n, NULL, 0, 0) == 0 && ct_read(h[1], in, n, NULL, 0, 0, &m) == 0 &&
	     m.nbytes == n && m.nhandles == 0 && m.txid == 0 && !memcmp(in, out, n);
	free(out);
	free(in);
	return ok;
}

static bool t_sizes(void)
{
	int32_t h[2];
	struct cairn_msg m;
	char b[1];

	CT_EQ(cairn_channel_create(h, 0), 0);
	CT_CHECK(roundtrip(h, 0));
	CT_CHECK(roundtrip(h, 64));
	CT_CHECK(roundtrip(h, CAIRN_MSG_MAX_BYTES));
	CT_EQ(ct_write(h[0], b, CAIRN_MSG_MAX_BYTES + 1, NULL, 0, 0), -EMSGSIZE);
	CT_EQ(ct_read(h[1], b, 1, NULL, 0, 0, &m), -EAGAIN);
	CT_EQ(ct_write(h[0], bad_ptr(), 8, NULL, 0, 0), -EFAULT);
	CT_EQ(ct_read(h[1], b, 1, NULL, 0, 0, &m), -EAGAIN);
	close(h[0]);
	close(h[1]);
	return true;
}

/* Every call's rights: WRITE to send, READ to read, both to call, TRANSFER to move. */
static bool t_rights(void)
{
	struct cairn_call c = { .flags = 0 };
	struct cairn_handle_xfer x;
	struct cairn_msg m;
	int32_t h[2], k[2];
	int ro, wo, nt;
	char b[4];

	CT_EQ(cairn_channel_create(h, 0), 0);
	ro = (int)cairn_handle_dup(h[0], CAIRN_RIGHT_READ | CAIRN_RIGHT_TRANSFER, 0);
	wo = (int)cairn_handle_dup(h[0], CAIRN_RIGHT_WRITE | CAIRN_RIGHT_DUPLICATE, 0);
	CT_CHECK(ro >= 0 && wo >= 0);
	CT_EQ(ct_write(ro, "x", 1, NULL, 0, 0), -EACCES);
	CT_EQ(ct_write(wo, "x", 1, NULL, 0, 0), 0);
	CT_EQ(ct_read(wo, b, 4, NULL, 0, 0, &m), -EACCES);
	CT_EQ(ct_read(h[1], b, 4, NULL, 0, 0, &m), 0);
	CT_EQ(cairn_channel_call(ro, &c, 0), -EACCES);
	CT_EQ(cairn_channel_call(wo, &c, 0), -EACCES);
	/* A duplicate never gains rights, by dup or by transfer. */
	CT_EQ(cairn_handle_dup(wo, RW, 0), -EACCES);
	nt = (int)cairn_handle_dup(wo, CAIRN_RIGHT_WRITE, 0);
	CT_CHECK(nt >= 0);
	x = ct_xfer(nt, CAIRN_RIGHT_SAME_RIGHTS);
	CT_EQ(ct_write(h[1], "", 0, &x, 1, 0), -EACCES); /* nt has no TRANSFER */
	CT_CHECK(ct_open(nt));
	/* Moved through another channel (into its own queue, h[0] would be a loop). */
	CT_EQ(cairn_channel_create(k, 0), 0);
	x = ct_xfer(ro, RW | CAIRN_RIGHT_TRANSFER);
	CT_EQ(ct_write(k[0], "", 0, &x, 1, 0), -EACCES); /* more than ro has */
	x = ct_xfer(ro, CAIRN_RIGHT_READ);
	CT_EQ(ct_write(k[0], "", 0, &x, 1, 0), 0); /* fewer: a new handle with those */
	CT_CHECK(!ct_open(ro));
	CT_EQ(ct_read(k[1], b, 4, &x, 1, 0, &m), 0);
	CT_EQ(m.nhandles, 1);
	CT_EQ(x.rights, CAIRN_RIGHT_READ);
	CT_EQ(x.type, CAIRN_OBJ_CHANNEL);
	CT_EQ(ct_rights(x.handle), CAIRN_RIGHT_READ);
	CT_EQ(ct_write(x.handle, "x", 1, NULL, 0, 0), -EACCES);
	close(x.handle);
	close(k[0]);
	close(k[1]);
	close(nt);
	close(wo);
	close(h[0]);
	close(h[1]);
	return true;
}

/* 64 handles in one message, and 65 refused. */
static bool t_many_handles(void)
{
	struct cairn_handle_xfer x[CAIRN_MSG_MAX_HANDLES + 1];
	struct cairn_msg m;
	int32_t h[2], p[2];
	char b[1];

	CT_EQ(cairn_channel_create(h, 0), 0);
	CT_EQ(cairn_channel_create(p, 0), 0);
	for (unsigned i = 0; i <= CAIRN_MSG_MAX_HANDLES; i++) {
		int d = (int)cairn_handle_dup(p[0], CAIRN_RIGHT_SAME_RIGHTS, 0);

		CT_CHECK(d >= 0);
		x[i] = ct_xfer(d, CAIRN_RIGHT_SAME_RIGHTS);
	}
	CT_EQ(ct_write(h[0], "", 0, x, CAIRN_MSG_MAX_HANDLES + 1, 0), -EMSGSIZE);
	CT_CHECK(ct_open(x[0].handle));
	CT_EQ(ct_write(h[0], "", 0, x, CAIRN_MSG_MAX_HANDLES, 0), 0);
	for (unsigned i = 0; i < CAIRN_MSG_MAX_HANDLES; i++)
		CT_CHECK(!ct_open(x[i].handle));
	close(x[CAIRN_MSG_MAX_HANDLES].handle);
	CT_EQ(ct_read(h[1], b, 1, x, CAIRN_MSG_MAX_HANDLES, 0, &m), 0);
	CT_EQ(m.nhandles, CAIRN_MSG_MAX_HANDLES);
	for (unsigned i = 0; i < CAIRN_MSG_MAX_HANDLES; i++) {
		CT_EQ(ct_type(x[i].handle), CAIRN_OBJ_CHANNEL);
		close(x[i].handle);
	}
	close(p[0]);
	close(p[1]);
	close(h[0]);
	close(h[1]);
	return true;
}

/* A bad handle in the middle: nothing moves, the sender keeps every handle. */
static bool t_all_or_nothing(void)
{
	struct cairn_objcount before, after;
	struct cairn_handle_xfer x[3];
	int32_t h[2], a[2];
	struct cairn_msg m;
	int pfd[2];
	char b[8];

	CT_EQ(cairn_channel_create(h, 0), 0);
	CT_EQ(cairn_channel_create(a, 0), 0);
	CT_EQ(pipe(pfd), 0);
	CT_CHECK(ct_counts(&before));
	x[0] = ct_xfer(a[0], CAIRN_RIGHT_SAME_RIGHTS);
	x[2] = ct_xfer(a[1], CAIRN_RIGHT_SAME_RIGHTS);
	x[1] = ct_xfer(pfd[0], CAIRN_RIGHT_SAME_RIGHTS); /* not a handle */
	CT_EQ(ct_write(h[0], "abc", 3, x, 3, 0), -EBADFD);
	x[1] = ct_xfer(9999, CAIRN_RIGHT_SAME_RIGHTS); /* not open */
	CT_EQ(ct_write(h[0], "abc", 3, x, 3, 0), -EBADF);
	x[1] = ct_xfer(a[0], CAIRN_RIGHT_SAME_RIGHTS); /* twice */
	CT_EQ(ct_write(h[0], "abc", 3, x, 3, 0), -EINVAL);
	x[1] = ct_xfer(h[0], CAIRN_RIGHT_SAME_RIGHTS); /* the channel's own */
	CT_EQ(ct_write(h[0], "abc", 3, x, 3, 0), -EINVAL);
	x[1] = ct_xfer(h[1], CAIRN_RIGHT_SAME_RIGHTS);
	x[1].type = CAIRN_OBJ_VMO; /* the wrong type asked for */
	CT_EQ(ct_write(h[0], "abc", 3, x, 3, 0), -EBADFD);
	x[1].type = 0;
	x[1].reserved = 1;
	CT_EQ(ct_write(h[0], "abc", 3, x, 3, 0), -EINVAL);
	CT_EQ(ct_write(h[0], "abc", 3, (void *)bad_ptr(), 3, 0), -EFAULT);
	CT_CHECK(ct_open(a[0]) && ct_open(a[1]) && ct_open(h[1]) && ct_open(pfd[0]));
	CT_EQ(ct_read(h[1], b, 8, x, 3, 0, &m), -EAGAIN);
	CT_CHECK(ct_counts(&after));
	if (!ct_counts_equal(&before, &after)) {
		ct_counts_show("before", &before);
		ct_counts_show("after", &after);
		return false;
	}
	close(pfd[0]);
	close(pfd[1]);
	close(a[0]);
	close(a[1]);
	close(h[0]);
	close(h[1]);
	return true;
}

/* A read that does not fit: -ENOBUFS with the sizes, the message stays. */
static bool t_nobufs(void)
{
	struct cairn_handle_xfer x[2];
	char b[64], big[100];
	struct cairn_msg m;
	int32_t h[2], a[2];

	CT_EQ(cairn_channel_create(h, 0), 0);
	CT_EQ(cairn_channel_create(a, 0), 0);
	memset(big, 'q', sizeof(big));
	x[0] = ct_xfer(a[0], CAIRN_RIGHT_SAME_RIGHTS);
	CT_EQ(ct_write(h[0], big, 100, x, 1, 0), 0);
	CT_EQ(ct_read(h[1], b, 64, x, 1, 0, &m), -ENOBUFS);
	CT_EQ(m.nbytes, 100);
	CT_EQ(m.nhandles, 1);
	CT_EQ(ct_read(h[1], big, 100, x, 0, 0, &m), -ENOBUFS);
	CT_EQ(ct_signals(h[1]) & CAIRN_SIG_READABLE, CAIRN_SIG_READABLE);
	memset(big, 0, sizeof(big));
	CT_EQ(ct_read(h[1], big, 100, x, 2, 0, &m), 0);
	CT_CHECK(m.nbytes == 100 && m.nhandles == 1 && big[99] == 'q');
	CT_EQ(ct_signals(x[0].handle) & CAIRN_SIG_PEER_CLOSED, 0);
	close(x[0].handle);
	CT_EQ(ct_signals(a[1]) & CAIRN_SIG_PEER_CLOSED, CAIRN_SIG_PEER_CLOSED);
	close(a[1]);
	close(h[0]);
	close(h[1]);
	return true;
}

struct blocked {
	int h;
	volatile long ret;
	volatile int done;
};

static void *blocked_write(void *arg)
{
	struct blocked *b = arg;

	b->ret = ct_write(b->h, "late", 4, NULL, 0, CAIRN_MSG_WAIT);
	__atomic_store_n(&b->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Fill the queue: -EAGAIN, no WRITABLE; a read makes room and releases a waiting writer. */
static bool t_backpressure(void)
{
	struct blocked b = { .ret = 1, .done = 0 };
	struct cairn_msg m;
	pthread_t t;
	int32_t h[2];
	char buf[8];
	int n = 0;

	CT_EQ(cairn_channel_create(h, 0), 0);
	while (ct_write(h[0], "m", 1, NULL, 0, 0) == 0)
		n++;
	tap_masked("queue took %d messages", n);
	CT_CHECK(n == 256);
	CT_EQ(ct_write(h[0], "m", 1, NULL, 0, 0), -EAGAIN);
	CT_EQ(ct_signals(h[0]) & CAIRN_SIG_WRITABLE, 0);
	CT_EQ(ct_signals(h[1]) & CAIRN_SIG_READABLE, CAIRN_SIG_READABLE);
	b.h = h[0];
	CT_EQ(pthread_create(&t, NULL, blocked_write, &b), 0);
	ut_sleep_ms(50);
	CT_EQ(__atomic_load_n(&b.done, __ATOMIC_SEQ_CST), 0);
	CT_EQ(ct_read(h[1], buf, 8, NULL, 0, 0, &m), 0);
	CT_CHECK(ut_await(&b.done, 1, 5000));
	pthread_join(t, NULL);
	CT_EQ(b.ret, 0);
	for (int i = 0; i < 255; i++)
		CT_EQ(ct_read(h[1], buf, 8, NULL, 0, 0, &m), 0);
	CT_EQ(ct_read(h[1], buf, 8, NULL, 0, 0, &m), 0);
	CT_CHECK(m.nbytes == 4 && !memcmp(buf, "late", 4));
	CT_EQ(ct_signals(h[0]) & CAIRN_SIG_WRITABLE, CAIRN_SIG_WRITABLE);
	close(h[0]);
	close(h[1]);
	return true;
}

/* The peer closes: reads drain then -EPIPE, writes -EPIPE, PEER_CLOSED everywhere. */
static bool t_peer_closed(void)
{
	struct cairn_wait_item w = { .want = CAIRN_SIG_PEER_CLOSED };
	struct pollfd pf;
	struct cairn_msg m;
	int32_t h[2];
	char b[8];

	CT_EQ(cairn_channel_create(h, 0), 0);
	CT_EQ(ct_write(h[0], "one", 3, NULL, 0, 0), 0);
	CT_EQ(ct_write(h[0], "two", 3, NULL, 0, 0), 0);
	close(h[0]);
	CT_EQ(ct_signals(h[1]), CAIRN_SIG_READABLE | CAIRN_SIG_PEER_CLOSED);
	w.handle = h[1];
	CT_EQ(cairn_wait_many(&w, 1, 0), 1);
	CT_CHECK(w.got & CAIRN_SIG_PEER_CLOSED);
	pf.fd = h[1];
	pf.events = POLLIN;
	CT_EQ(poll(&pf, 1, 0), 1);
	CT_EQ(pf.revents, POLLIN | POLLHUP);
	CT_EQ(ct_write(h[1], "x", 1, NULL, 0, 0), -EPIPE);
	CT_EQ(ct_read(h[1], b, 8, NULL, 0, 0, &m), 0);
	CT_EQ(ct_read(h[1], b, 8, NULL, 0, CAIRN_MSG_WAIT, &m), 0);
	CT_CHECK(!memcmp(b, "two", 3));
	CT_EQ(ct_read(h[1], b, 8, NULL, 0, CAIRN_MSG_WAIT, &m), -EPIPE);
	close(h[1]);
	return true;
}

/* ---- calls ---- */

#define CALLERS 4
#define CALLS   200

struct server {
	int h;
	int served;
};

/* Echo every request back with its txid, plus one byte: the server's loop. */
static void *serve(void *arg)
{
	struct server *s = arg;
	unsigned char in[256], out[257];
	struct cairn_call c = { .flags = CAIRN_CALL_REPLY_WAIT };
	long r;

	c.rd.bytes = (uint64_t)(uintptr_t)in;
	c.wr.bytes = (uint64_t)(uintptr_t)out;
	for (;;) {
		c.rd.nbytes = sizeof(in);
		c.rd.nhandles = 0;
		r = cairn_channel_call(s->h, &c, CAIRN_DEADLINE_NEVER);
		if (r)
			break;
		memcpy(out, in, c.rd.nbytes);
		out[c.rd.nbytes] = '!';
		c.wr.nbytes = c.rd.nbytes + 1;
		c.wr.txid = c.rd.txid;
		s->served++;
	}
	return (void *)r;
}

struct caller {
	int h, id, good;
};

static void *call_many(void *arg)
{
	struct caller *k = arg;
	unsigned char out[64], in[64];
	struct cairn_call c = { .flags = 0 };

	for (int i = 0; i < CALLS; i++) {
		int n = snprintf((char *)out, sizeof(out), "caller %d call %d", k->id, i);

		c.wr.bytes = (uint64_t)(uintptr_t)out;
		c.wr.nbytes = (uint32_t)n;
		c.rd.bytes = (uint64_t)(uintptr_t)in;
		c.rd.nbytes = sizeof(in);
		c.rd.nhandles = 0;
		if (cairn_channel_call(k->h, &c, CAIRN_DEADLINE_NEVER))
			break;
		if (c.rd.nbytes == (uint32_t)n + 1 && !memcmp(in, out, n) && in[n] == '!' &&
		    (c.rd.txid & CAIRN_TXID_CALL))
			k->good++;
	}
	return NULL;
}

/* Several callers in threads, one REPLY_WAIT server: each gets its own replies. */
static bool t_calls(void)
{
	struct server s = { .served = 0 };
	struct caller k[CALLERS];
	pthread_t ts, tc[CALLERS];
	void *sret;
	int32_t h[2];

	CT_EQ(cairn_channel_create(h, 0), 0);
	s.h = h[1];
	CT_EQ(pthread_create(&ts, NULL, serve, &s), 0);
	for (int i = 0; i < CALLERS; i++) {
		k[i] = (struct caller){ .h = h[0], .id = i, .good = 0 };
		CT_EQ(pthread_create(&tc[i], NULL, call_many, &k[i]), 0);
	}
	for (int i = 0; i < CALLERS; i++) {
		pthread_join(tc[i], NULL);
		if (k[i].good != CALLS)
			CT_FAIL("caller %d: %d of %d replies right", i, k[i].good, CALLS);
	}
	close(h[0]);
	pthread_join(ts, &sret);
	CT_EQ((long)sret, -EPIPE);
	CT_EQ(s.served, CALLERS * CALLS);
	close(h[1]);
	return true;
}

struct reader {
	int h;
	volatile long ret;
	volatile int done;
	char buf[16];
	struct cairn_msg m;
};

static void *blocked_read(void *arg)
{
	struct reader *r = arg;

	r->ret = ct_read(r->h, r->buf, sizeof(r->buf), NULL, 0, CAIRN_MSG_WAIT, &r->m);
	__atomic_store_n(&r->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* A reply goes to its call even while another thread is blocked reading the same end. */
static bool t_reply_not_to_reader(void)
{
	struct reader r = { .ret = 1, .done = 0 };
	struct server s = { .served = 0 };
	struct cairn_call c = { .flags = 0 };
	pthread_t tr, ts;
	char in[16];
	int32_t h[2];

	CT_EQ(cairn_channel_create(h, 0), 0);
	r.h = h[0];
	CT_EQ(pthread_create(&tr, NULL, blocked_read, &r), 0);
	ut_sleep_ms(30); /* the reader is blocked at h[0] */
	s.h = h[1];
	CT_EQ(pthread_create(&ts, NULL, serve, &s), 0);
	c.wr.bytes = (uint64_t)(uintptr_t) "mine";
	c.wr.nbytes = 4;
	c.rd.bytes = (uint64_t)(uintptr_t)in;
	c.rd.nbytes = sizeof(in);
	CT_EQ(cairn_channel_call(h[0], &c, CAIRN_DEADLINE_NEVER), 0);
	CT_CHECK(c.rd.nbytes == 5 && !memcmp(in, "mine!", 5));
	ut_sleep_ms(30);
	CT_EQ(__atomic_load_n(&r.done, __ATOMIC_SEQ_CST), 0); /* the reply was not the reader's */
	CT_EQ(ct_write(h[1], "plain", 5, NULL, 0, 0), 0);     /* this one is */
	CT_CHECK(ut_await(&r.done, 1, 5000));
	pthread_join(tr, NULL);
	CT_EQ(r.ret, 0);
	CT_CHECK(r.m.nbytes == 5 && r.m.txid == 0 && !memcmp(r.buf, "plain", 5));
	close(h[0]);
	pthread_join(ts, NULL);
	CT_EQ(s.served, 1);
	close(h[1]);
	return true;
}

/* A call with no server times out; a reply with a stale txid reaches nobody. */
static bool t_call_timeout(void)
{
	struct cairn_call c = { .flags = 0 };
	unsigned char in[16];
	struct cairn_msg m;
	int32_t h[2];

	CT_EQ(cairn_channel_create(h, 0), 0);
	c.wr.bytes = (uint64_t)(uintptr_t) "ping";
	c.wr.nbytes = 4;
	c.rd.bytes = (uint64_t)(uintptr_t)in;
	c.rd.nbytes = sizeof(in);
	CT_EQ(cairn_channel_call(h[0], &c, cairn_now_ns() + 20000000), -ETIMEDOUT);
	CT_EQ(ct_read(h[1], in, 16, NULL, 0, 0, &m), 0);
	CT_CHECK(m.nbytes == 4 && (m.txid & CAIRN_TXID_CALL));
	m.bytes = (uint64_t)(uintptr_t) "pong";
	m.nbytes = 4;
	CT_EQ(cairn_channel_write(h[1], &m, 0), 0); /* its call is gone: dropped */
	CT_EQ(ct_read(h[0], in, 16, NULL, 0, 0, &m), -EAGAIN);
	m.txid = 5; /* not a call's */
	CT_EQ(cairn_channel_write(h[1], &m, 0), -EINVAL);
	c.flags = 8;
	CT_EQ(cairn_channel_call(h[0], &c, 0), -EINVAL);
	close(h[0]);
	close(h[1]);
	return true;
}

/* poll(2) and epoll on a channel: IN when a message waits, OUT while there is room. */
static bool t_poll(void)
{
	struct epoll_event ev = { .events = EPOLLIN }, got;
	struct pollfd pf;
	struct cairn_msg m;
	int32_t h[2];
	int ep, nw;
	char b[4];

	CT_EQ(cairn_channel_create(h, 0), 0);
	pf.fd = h[1];
	pf.events = POLLIN | POLLOUT;
	CT_EQ(poll(&pf, 1, 0), 1);
	CT_EQ(pf.revents, POLLOUT);
	ep = epoll_create1(0);
	CT_CHECK(ep >= 0);
	ev.data.fd = h[1];
	CT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, h[1], &ev), 0);
	CT_EQ(epoll_wait(ep, &got, 1, 0), 0);
	CT_EQ(ct_write(h[0], "hi", 2, NULL, 0, 0), 0);
	CT_EQ(epoll_wait(ep, &got, 1, 1000), 1);
	CT_CHECK(got.data.fd == h[1] && (got.events & EPOLLIN));
	CT_EQ(poll(&pf, 1, 0), 1);
	CT_EQ(pf.revents, POLLIN | POLLOUT);
	CT_EQ(ct_read(h[1], b, 4, NULL, 0, 0, &m), 0);
	CT_EQ(epoll_wait(ep, &got, 1, 0), 0);
	/* Edge-triggered: each message is an edge, even while one is still unread. */
	ev.events = EPOLLIN | EPOLLET;
	CT_EQ(epoll_ctl(ep, EPOLL_CTL_MOD, h[1], &ev), 0);
	CT_EQ(ct_write(h[0], "a", 1, NULL, 0, 0), 0);
	CT_EQ(epoll_wait(ep, &got, 1, 0), 1);
	CT_EQ(epoll_wait(ep, &got, 1, 0), 0);
	CT_EQ(ct_write(h[0], "b", 1, NULL, 0, 0), 0);
	CT_EQ(epoll_wait(ep, &got, 1, 0), 1);
	CT_EQ(ct_read(h[1], b, 4, NULL, 0, 0, &m), 0);
	CT_EQ(ct_read(h[1], b, 4, NULL, 0, 0, &m), 0);
	/* Without WAIT a handle cannot be watched. */
	nw = (int)cairn_handle_dup(h[1], CAIRN_RIGHT_READ, 0);
	CT_CHECK(nw >= 0);
	CT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, nw, &ev) == -1 ? errno : 0, EPERM);
	close(nw);
	close(ep);
	close(h[0]);
	close(h[1]);
	return true;
}

static const struct ct_test tests[] = {
	{ "channel_create: a connected pair with the default rights", t_create },
	{ "messages of 0 B, 64 B and 64 KiB; 64 KiB + 1 is -EMSGSIZE", t_sizes },
	{ "rights: WRITE to send, READ to read, both to call, TRANSFER to move", t_rights },
	{ "64 handles in one message; 65 is -EMSGSIZE", t_many_handles },
	{ "all or nothing: a bad handle in the list moves nothing", t_all_or_nothing },
	{ "-ENOBUFS gives the sizes and keeps the message", t_nobufs },
	{ "back-pressure: a full queue, -EAGAIN, a blocked writer released", t_backpressure },
	{ "peer closed: reads drain then -EPIPE, writes -EPIPE, PEER_CLOSED", t_peer_closed },
	{ "calls from 4 threads to a REPLY_WAIT server: each reply to its call", t_calls },
	{ "a reply goes to its call, not to a thread blocked reading", t_reply_not_to_reader },
	{ "a call times out; a late reply goes to nobody", t_call_timeout },
	{ "poll and epoll (level and edge) on a channel", t_poll },
};

int main(void)
{
	return ct_run(tests, (int)(sizeof(tests) / sizeof(tests[0])));
}
