/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of the TCP socket glue over loopback, suite "net_tcp":
 * kernel sockets (the layer's ops on kernel memory) connect, accept and
 * move bytes both ways; a closed port refuses; and a SYN flood from
 * addresses that never answer leaves the half-open children bounded
 * (TCP_SYNQ_*) while a real client still gets through, with every
 * connection gone afterwards.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "core/ktest.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "net/inet.h"
#include "net/inet_sock.h"
#include "net/netif.h"
#include "net/pkt.h"
#include "net/socket.h"
#include "net/socket_internal.h"
#include "net/tcp_sock.h"
#include "time/time.h"

/* The flood's sources: a /16 routed to lo whose replies nobody takes. */
#define FLOOD_NET  0x0a630000u /* 10.99.0.0 */
#define FLOOD_MASK 0xffff0000u
#define FLOOD_SYNS 2000u

static struct socket *ksock(void)
{
	int err;

	return sock_create(AF_INET, SOCK_STREAM, 0, &err);
}

static void kclose(struct socket *s)
{
	if (s->ops->release)
		s->ops->release(s);
	sock_free(s);
}

/* A listener on 127.0.0.1 and an ephemeral port (*@port, host order). */
static struct socket *klisten(uint16_t *port)
{
	struct socket *s = ksock();
	uint8_t addr[SOCKADDR_MAX];
	size_t len;

	if (!s)
		return NULL;
	inet_addr_fill(addr, &len, INADDR_LOOPBACK, 0);
	if (s->ops->bind(s, addr, len) || s->ops->listen(s, 16) ||
	    s->ops->getname(s, addr, &len, false)) {
		kclose(s);
		return NULL;
	}
	*port = net_get16(addr + 2);
	return s;
}

/* Whether @s's poll reports any of @mask within 2 s (the net task runs meanwhile). */
static bool kpoll(struct socket *s, unsigned mask)
{
	uint64_t end = clock_monotonic_ns() + 2000000000ull;

	while (!(s->ops->poll(s, NULL) & mask)) {
		if (clock_monotonic_ns() > end)
			return false;
		sleep_ms(1);
	}
	return true;
}

/*
 * Connect without blocking and poll until the handshake ended: the
 * pending error, or 0. The test task never sleeps on the socket itself.
 */
static int kconnect(struct socket *s, uint16_t port)
{
	uint8_t addr[SOCKADDR_MAX], v[4];
	size_t len, vlen = sizeof(v);
	int err, soerr = 0;

	inet_addr_fill(addr, &len, INADDR_LOOPBACK, port);
	err = s->ops->connect(s, addr, len, true);
	if (err != -EINPROGRESS)
		return err;
	if (!kpoll(s, POLLOUT | POLLERR | POLLHUP))
		return -ETIMEDOUT;
	if (s->ops->getsockopt(s, SOL_SOCKET, SO_ERROR, v, &vlen) == 0)
		memcpy(&soerr, v, sizeof(soerr));
	return -soerr;
}

/* accept() once the child is queued, within 2 s. */
static int kaccept(struct socket *l, struct socket **out)
{
	if (!kpoll(l, POLLIN))
		return -ETIMEDOUT;
	return l->ops->accept(l, out, true);
}

/* Whether the live connections drop to @most within 2 s (closes finish in the net task). */
static bool settles_to(long most)
{
	uint64_t end = clock_monotonic_ns() + 2000000000ull;

	while (tcp_sk_count() > most) {
		if (clock_monotonic_ns() > end)
			return false;
		sleep_ms(1);
	}
	return true;
}

/* Move @n bytes (send everything, or receive until @n or EOF), without blocking, within 2 s. */
static long kio(struct socket *s, void *buf, size_t n, bool send)
{
	uint64_t end = clock_monotonic_ns() + 2000000000ull;
	size_t done = 0;

	while (done < n && clock_monotonic_ns() < end) {
		struct uio_seg seg;
		struct uio u;
		struct sock_msg m = { .data = &u };
		long r;

		uio_init1(&u, &seg, (uintptr_t)buf + done, n - done, false);
		r = send ? s->ops->sendmsg(s, &m, 0, true) : s->ops->recvmsg(s, &m, 0, true);
		if (r == 0 && !send)
			break; /* EOF */
		if (r < 0 && r != -EAGAIN)
			return r;
		if (r > 0)
			done += (size_t)r;
		else
			sleep_ms(1);
	}
	return (long)done;
}

TEST(net_tcp, connect_accept_and_data)
{
	static uint8_t out[100000], in[100000];
	long base = tcp_sk_count();
	struct socket *l, *c, *a = NULL;
	uint16_t port = 0;

	l = klisten(&port);
	EXPECT_TRUE(l != NULL);
	c = ksock();
	EXPECT_EQ(kconnect(c, port), 0);
	EXPECT_EQ(kaccept(l, &a), 0);
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 131 + 7);
	EXPECT_EQ(kio(c, out, sizeof(out), true), (long)sizeof(out));
	EXPECT_EQ(kio(a, in, sizeof(in), false), (long)sizeof(in));
	EXPECT_EQ(memcmp(in, out, sizeof(in)), 0);
	EXPECT_EQ(kio(a, out, 1000, true), 1000);
	EXPECT_EQ(kio(c, in, 1000, false), 1000);
	EXPECT_EQ(memcmp(in, out, 1000), 0);
	kclose(c);
	EXPECT_EQ(kio(a, in, 10, false), 0); /* EOF */
	kclose(a);
	kclose(l);
	/* The active closer's TIME_WAIT (60 s) may remain; nothing else. */
	EXPECT_TRUE(settles_to(base + 1));
}

TEST(net_tcp, closed_port_refuses)
{
	struct socket *l, *c;
	uint16_t port = 0;

	l = klisten(&port);
	EXPECT_TRUE(l != NULL);
	kclose(l);
	c = ksock();
	EXPECT_EQ(kconnect(c, port), -ECONNREFUSED);
	kclose(c);
}

/* One SYN from @src:@sport to 127.0.0.1:@dport, as a client that never answers sends it. */
static void send_syn(uint32_t src, uint16_t sport, uint16_t dport)
{
	struct tcp_seg seg = { .sport = sport,
		               .dport = dport,
		               .seq = src * 7919u + sport,
		               .flags = TCP_SYN,
		               .wnd = 65535 };
	size_t hl;
	struct pkt *p;

	seg.opt.has = TCP_OPT_MSS;
	seg.opt.mss = 1460;
	hl = tcp_hdr_len(&seg.opt);
	p = pkt_alloc(PKT_HEADROOM, hl);
	if (!p)
		return;
	tcp_build(pkt_put(p, hl), &seg, src, INADDR_LOOPBACK, 0, false);
	if (ip4_output(p, src, INADDR_LOOPBACK, IPPROTO_TCP, 0, 0, false))
		return; /* counted by the IP layer; the flood goes on */
}

TEST(net_tcp, syn_flood_stays_bounded)
{
	struct route r = {
		.dst = FLOOD_NET, .mask = FLOOD_MASK, .dev = netif_by_name("lo"), .flags = RTF_UP
	};
	long base = tcp_sk_count();
	struct socket *l, *c, *a = NULL;
	uint16_t port = 0;
	unsigned most = 0;

	EXPECT_TRUE(r.dev != NULL);
	EXPECT_EQ(route_add(&r), 0);
	l = klisten(&port);
	EXPECT_TRUE(l != NULL);
	for (unsigned i = 0; i < FLOOD_SYNS; i++) {
		send_syn(FLOOD_NET | (i & 0xffffu), (uint16_t)(1024 + i), port);
		if (i % 64 == 63) {
			sleep_ms(1); /* the net task takes its share */
			most = tcp_synq_count() > most ? tcp_synq_count() : most;
		}
	}
	sleep_ms(50);
	EXPECT_TRUE(most <= TCP_SYNQ_TOTAL);
	EXPECT_TRUE(tcp_sk_count() <= base + 1 + (long)TCP_SYNQ_TOTAL);
	/* A real client still gets in: its SYN pushes out the oldest half-open child. */
	c = ksock();
	EXPECT_EQ(kconnect(c, port), 0);
	EXPECT_EQ(kaccept(l, &a), 0);
	kclose(c);
	kclose(a);
	kclose(l);
	EXPECT_EQ(tcp_synq_count(), 0u);
	EXPECT_EQ(route_del(&r), 0);
	/* Both ends closed at once: each may sit in TIME_WAIT (simultaneous close); nothing else. */
	EXPECT_TRUE(settles_to(base + 2));
}
