// SPDX-License-Identifier: MIT
/*
 * TCP over the loopback interface, compared with Linux (tcp(7),
 * connect(2), accept(2), shutdown(2)): a connection both ways with the
 * names each end sees, ECONNREFUSED blocking and not, a non-blocking
 * connect finished through poll, epoll on a listener, shutdown's half
 * close, MSG_PEEK / MSG_WAITALL / FIONREAD, EPIPE and SIGPIPE after the
 * peer went away, and SO_RCVTIMEO's EAGAIN.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "utest.h"

static struct sockaddr_in lo_addr(uint16_t port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(port);
	return a;
}

/* A listener on 127.0.0.1 and an ephemeral port, stored in *@port. */
static int listener(uint16_t *port)
{
	struct sockaddr_in a = lo_addr(0);
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 8) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

static int connect_to(uint16_t port, int flags)
{
	struct sockaddr_in a = lo_addr(port);
	int fd = socket(AF_INET, SOCK_STREAM | flags, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* A connected pair: *@c the client's end, *@s the server's; 0 or -1. */
static int pair(int *c, int *s)
{
	uint16_t port;
	int l = listener(&port);

	if (l < 0)
		return -1;
	*c = connect_to(port, 0);
	*s = accept(l, NULL, NULL);
	close(l);
	return *c >= 0 && *s >= 0 ? 0 : -1;
}

/* Whether /proc/net/tcp has a line for 127.0.0.1:@lport in state @st (hex, as Linux prints). */
static bool proc_has(uint16_t lport, const char *st)
{
	char want[32], line[256];
	bool found = false;
	FILE *f;

	if (access("/proc/self", F_OK) != 0 && (mkdir("/proc", 0555) == 0 || errno == EEXIST))
		mount("proc", "/proc", "proc", 0, NULL);
	f = fopen("/proc/net/tcp", "r");
	if (!f)
		return false;
	snprintf(want, sizeof(want), "0100007F:%04X", lport);
	while (fgets(line, sizeof(line), f)) {
		char local[32], remote[32], state[8];

		if (sscanf(line, "%*d: %31s %31s %7s", local, remote, state) == 3 &&
		    strcmp(local, want) == 0 && strcmp(state, st) == 0)
			found = true;
	}
	fclose(f);
	return found;
}

static void names(void)
{
	struct sockaddr_in ca, sa, peer, acc;
	socklen_t len;
	uint16_t port;
	int l = listener(&port), c, s;

	tap_ok(l >= 0, "a listener on 127.0.0.1");
	tap_ok(proc_has(port, "0A"), "/proc/net/tcp shows it in LISTEN (0A)");
	c = connect_to(port, 0);
	tap_ok(c >= 0, "connect");
	len = sizeof(acc);
	s = accept(l, (struct sockaddr *)&acc, &len);
	tap_ok(s >= 0 && len == sizeof(acc), "accept, with the peer's address");
	len = sizeof(ca);
	getsockname(c, (struct sockaddr *)&ca, &len);
	len = sizeof(sa);
	getsockname(s, (struct sockaddr *)&sa, &len);
	len = sizeof(peer);
	getpeername(c, (struct sockaddr *)&peer, &len);
	tap_ok(acc.sin_port == ca.sin_port && acc.sin_addr.s_addr == ca.sin_addr.s_addr,
	       "accept's address is the client's name");
	tap_ok(ntohs(sa.sin_port) == port && peer.sin_port == sa.sin_port,
	       "the server end has the listener's port, the client's peer too");
	tap_ok(ntohl(ca.sin_addr.s_addr) == INADDR_LOOPBACK && ntohs(ca.sin_port) >= 32768,
	       "the client got 127.0.0.1 and an ephemeral port");
	tap_ok(proc_has(ntohs(ca.sin_port), "01"),
	       "/proc/net/tcp shows the client ESTABLISHED (01)");
	tap_ok(write(c, "ping", 4) == 4, "client writes");
	char buf[8] = { 0 };
	tap_ok(read(s, buf, sizeof(buf)) == 4 && memcmp(buf, "ping", 4) == 0, "server reads it");
	tap_ok(send(s, "pong!", 5, 0) == 5, "server sends");
	tap_ok(recv(c, buf, sizeof(buf), 0) == 5 && memcmp(buf, "pong!", 5) == 0,
	       "client receives it");
	close(c);
	tap_ok(read(s, buf, sizeof(buf)) == 0, "EOF after the client closed");
	close(s);
	close(l);
}

static void refused(void)
{
	uint16_t port;
	int l = listener(&port), fd, err = -1;
	struct pollfd p;
	socklen_t len = sizeof(err);

	close(l); /* the port is now nobody's */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = lo_addr(port);
	tap_errno(connect(fd, (struct sockaddr *)&a, sizeof(a)), ECONNREFUSED, "connect: refused");
	close(fd);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	tap_ok(r < 0 && (errno == EINPROGRESS || errno == ECONNREFUSED),
	       "a non-blocking connect: EINPROGRESS (or refused at once)");
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	tap_ok(poll(&p, 1, 5000) == 1 && (p.revents & POLLERR) && (p.revents & POLLHUP),
	       "poll: POLLERR | POLLHUP");
	if (errno == ECONNREFUSED)
		err = ECONNREFUSED; /* Linux may report it at once and clear SO_ERROR */
	else
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	tap_ok(err == ECONNREFUSED, "SO_ERROR: ECONNREFUSED");
	close(fd);
}

static void nonblocking(void)
{
	uint16_t port;
	int l = listener(&port), c, s, err = -1, ep;
	struct pollfd p;
	struct epoll_event ev = { .events = EPOLLIN }, got;
	socklen_t len = sizeof(err);

	ep = epoll_create1(0);
	ev.data.fd = l;
	tap_ok(epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev) == 0, "epoll watches the listener");
	tap_ok(epoll_wait(ep, &got, 1, 0) == 0, "nothing to accept yet");
	fcntl(l, F_SETFL, O_NONBLOCK);
	tap_errno(accept(l, NULL, NULL), EAGAIN, "accept on an empty non-blocking listener");
	c = connect_to(port, SOCK_NONBLOCK);
	tap_ok(c >= 0, "non-blocking connect started");
	p = (struct pollfd){ .fd = c, .events = POLLOUT };
	tap_ok(poll(&p, 1, 5000) == 1 && p.revents == POLLOUT, "poll: POLLOUT once connected");
	tap_ok(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0, "SO_ERROR: 0");
	tap_ok(epoll_wait(ep, &got, 1, 5000) == 1 && got.data.fd == l && (got.events & EPOLLIN),
	       "epoll: the listener is readable");
	s = accept4(l, NULL, NULL, SOCK_NONBLOCK);
	tap_ok(s >= 0 && (fcntl(s, F_GETFL) & O_NONBLOCK), "accept4(SOCK_NONBLOCK)");
	char buf[4];
	tap_errno(read(s, buf, sizeof(buf)), EAGAIN, "read with nothing there");
	p = (struct pollfd){ .fd = s, .events = POLLIN | POLLOUT };
	tap_ok(poll(&p, 1, 0) == 1 && p.revents == POLLOUT, "poll: writable, not readable");
	write(c, "x", 1);
	p.events = POLLIN;
	tap_ok(poll(&p, 1, 5000) == 1 && p.revents == POLLIN, "poll: readable after a write");
	close(ep);
	close(c);
	close(s);
	close(l);
}

static void half_close(void)
{
	int c, s, n = -1;
	char buf[16];
	struct pollfd p;

	tap_ok(pair(&c, &s) == 0, "a connected pair");
	tap_ok(write(c, "abc", 3) == 3 && shutdown(c, SHUT_WR) == 0,
	       "write, then shutdown(SHUT_WR)");
	tap_errno(send(c, "d", 1, MSG_NOSIGNAL), EPIPE, "send after SHUT_WR");
	tap_ok(read(s, buf, sizeof(buf)) == 3, "the peer reads the bytes");
	tap_ok(read(s, buf, sizeof(buf)) == 0, "then EOF");
	p = (struct pollfd){ .fd = s, .events = POLLIN | POLLRDHUP };
	tap_ok(poll(&p, 1, 0) == 1 && (p.revents & (POLLIN | POLLRDHUP)) == (POLLIN | POLLRDHUP),
	       "poll: POLLIN | POLLRDHUP at EOF");
	tap_ok(write(s, "back", 4) == 4, "the other direction still works");
	tap_ok(read(c, buf, sizeof(buf)) == 4, "and is read");
	tap_ok(send(s, "peekme", 6, 0) == 6, "six more bytes");
	/* All six are there once they are readable: one segment (wait up to 2 s for it). */
	for (int i = 0; i < 200 && (ioctl(c, FIONREAD, &n) < 0 || n < 6); i++)
		ut_sleep_ms(10);
	tap_ok(ioctl(c, FIONREAD, &n) == 0 && n == 6, "FIONREAD: 6");
	tap_ok(recv(c, buf, 4, MSG_PEEK) == 4 && memcmp(buf, "peek", 4) == 0, "MSG_PEEK");
	tap_ok(recv(c, buf, 6, MSG_WAITALL) == 6 && memcmp(buf, "peekme", 6) == 0,
	       "MSG_WAITALL reads them all, peeked ones included");
	close(s);
	tap_ok(read(c, buf, sizeof(buf)) == 0, "EOF after the peer closed");
	close(c);
}

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static void broken_pipe(void)
{
	int c, s, i, r = 0;
	char buf[1024] = { 0 };

	signal(SIGPIPE, on_sigpipe);
	tap_ok(pair(&c, &s) == 0, "a connected pair");
	close(s);
	/* The first write reaches a closed peer, which answers with a RST. */
	for (i = 0; i < 50 && r >= 0; i++) {
		r = (int)send(c, buf, sizeof(buf), 0);
		ut_sleep_ms(20);
	}
	tap_ok(r < 0 && errno == EPIPE, "a write after the peer closed ends in EPIPE");
	tap_ok(sigpipes > 0, "and SIGPIPE");
	sigpipes = 0;
	tap_errno(send(c, buf, 1, MSG_NOSIGNAL), EPIPE, "MSG_NOSIGNAL: EPIPE");
	tap_ok(sigpipes == 0, "and no signal");
	close(c);
	signal(SIGPIPE, SIG_DFL);
}

static void timeouts(void)
{
	int c, s;
	struct timeval tv = { 0, 100000 };
	char b;

	tap_ok(pair(&c, &s) == 0, "a connected pair");
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	tap_errno(recv(c, &b, 1, 0), EAGAIN, "SO_RCVTIMEO of 100 ms: EAGAIN");
	tap_errno(recv(c, &b, 1, MSG_DONTWAIT), EAGAIN, "MSG_DONTWAIT: EAGAIN");
	close(c);
	close(s);
}

static void lingering(void)
{
	struct linger off = { 1, 0 }, one = { 1, 1 };
	struct pollfd p;
	char buf[128];
	int c, s;

	tap_ok(pair(&c, &s) == 0, "a connected pair");
	setsockopt(c, SOL_SOCKET, SO_LINGER, &one, sizeof(one));
	tap_ok(write(c, buf, 100) == 100, "100 bytes, then close with SO_LINGER of 1 s");
	tap_ok(close(c) == 0, "close returns");
	tap_ok(recv(s, buf, sizeof(buf), MSG_WAITALL) == 100, "the peer reads them all");
	tap_ok(read(s, buf, sizeof(buf)) == 0, "then EOF");
	close(s);
	tap_ok(pair(&c, &s) == 0, "another pair");
	setsockopt(c, SOL_SOCKET, SO_LINGER, &off, sizeof(off));
	close(c);
	p = (struct pollfd){ .fd = s, .events = POLLIN };
	poll(&p, 1, 2000);
	tap_errno(read(s, buf, sizeof(buf)), ECONNRESET, "SO_LINGER 0 s: the peer sees a reset");
	close(s);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	names();
	refused();
	nonblocking();
	half_close();
	broken_pipe();
	timeouts();
	lingering();
	tap_plan(tap_count);
	return tap_done(tap_count);
}
