// SPDX-License-Identifier: MIT
/*
 * UDP sockets over loopback as Linux has them (udp(7), issue 14): binding
 * and ephemeral ports, datagrams kept whole and in order, truncation and
 * MSG_TRUNC, MSG_PEEK, empty datagrams, FIONREAD, poll readiness,
 * non-blocking EAGAIN, a blocking receive woken by another process, the
 * largest datagram, a bounded receive buffer, connect() filtering the
 * sender, directed broadcast with and without SO_BROADCAST, IP_TTL.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "utest.h"

static char big[65536];
static char buf[65536];

/* Linux boots with lo down; Cairn with lo up. Bring it up quietly either way. */
static void lo_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		(void)ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	if (s >= 0)
		close(s);
}

static struct sockaddr_in sin_of(uint32_t addr, uint16_t port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(addr);
	a.sin_port = htons(port);
	return a;
}

/* A UDP socket bound to 127.0.0.1 and an ephemeral port; its port in *@port. */
static int bound_socket(uint16_t *port)
{
	struct sockaddr_in a = sin_of(INADDR_LOOPBACK, 0);
	socklen_t len = sizeof(a);
	struct timeval tv = { 5, 0 };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	/* No test waits for ever: a lost datagram fails its point after 5 s. */
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &len) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	return s;
}

static long send_to(int s, const void *p, size_t n, uint32_t addr, uint16_t port)
{
	struct sockaddr_in a = sin_of(addr, port);

	return sendto(s, p, n, 0, (struct sockaddr *)&a, sizeof(a));
}

/*
 * Wait until @s has a datagram: loopback delivery may lag the sender's
 * return (Cairn's net task, Linux's softirq), so a non-blocking look waits first.
 */
static bool readable(int s)
{
	struct pollfd pfd = { .fd = s, .events = POLLIN };

	return poll(&pfd, 1, 5000) == 1 && (pfd.revents & POLLIN);
}

/*
 * Whether /proc/net/udp lists 127.0.0.1:@port in state 07 (unconnected),
 * through a /proc of our own (the test init mounts nothing).
 */
static bool proc_lists(uint16_t port)
{
	char want[48], text[8192];
	bool mounted, found = false;
	long n = 0, r;
	int fd;

	(void)mkdir("/proc", 0555);
	mounted = mount("proc", "/proc", "proc", 0, NULL) == 0;
	fd = open("/proc/net/udp", O_RDONLY);
	while (fd >= 0 && n < (long)sizeof(text) - 1 &&
	       (r = read(fd, text + n, sizeof(text) - 1 - (size_t)n)) > 0)
		n += r;
	text[n] = 0;
	snprintf(want, sizeof(want), ": 0100007F:%04X 00000000:0000 07 ", port);
	found = strstr(text, want) != NULL && strncmp(text, "   sl  local_address", 20) == 0;
	if (fd >= 0)
		close(fd);
	if (mounted)
		(void)umount("/proc");
	return found;
}

static void binding(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	uint16_t port = 0;
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	tap_ok(s >= 0, "socket(AF_INET, SOCK_DGRAM, 0)");
	tap_ok(getsockname(s, (struct sockaddr *)&a, &len) == 0 && len == sizeof(a) &&
	               a.sin_family == AF_INET && a.sin_port == 0 && a.sin_addr.s_addr == 0,
	       "getsockname before bind: 0.0.0.0:0");
	close(s);
	s = bound_socket(&port);
	tap_ok(s >= 0 && port >= 32768 && port <= 60999, "bind to port 0: an ephemeral port");
	tap_masked("port %u", port);
	tap_ok(proc_lists(port), "/proc/net/udp lists it");
	close(s);
	s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
	tap_ok(s >= 0, "socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)");
	close(s);
}

static void datagrams(void)
{
	uint16_t pa, pb;
	int a = bound_socket(&pa), b = bound_socket(&pb);
	struct sockaddr_in from;
	socklen_t len = sizeof(from);
	long n;

	tap_ok(a >= 0 && b >= 0, "two bound sockets");
	tap_ok(send_to(b, "hello", 5, INADDR_LOOPBACK, pa) == 5, "sendto: 5 bytes");
	tap_ok(send_to(b, "world!", 6, INADDR_LOOPBACK, pa) == 6, "sendto: 6 more");
	n = recvfrom(a, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
	tap_ok(n == 5 && memcmp(buf, "hello", 5) == 0, "the first datagram whole: %ld", n);
	tap_ok(len == sizeof(from) && from.sin_family == AF_INET &&
	               from.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && ntohs(from.sin_port) == pb,
	       "recvfrom: the sender's address and port");
	n = recv(a, buf, sizeof(buf), 0);
	tap_ok(n == 6 && memcmp(buf, "world!", 6) == 0, "then the second: %ld", n);
	tap_ok(send_to(b, "", 0, INADDR_LOOPBACK, pa) == 0, "an empty datagram");
	tap_ok(recv(a, buf, sizeof(buf), 0) == 0, "arrives as a datagram of 0 bytes");
	tap_errno(recv(a, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN,
	          "MSG_DONTWAIT on an empty queue");
	tap_ok(send_to(b, "any", 3, INADDR_ANY, pa) == 3 && recv(a, buf, sizeof(buf), 0) == 3,
	       "sendto 0.0.0.0 reaches this host");
	close(a);
	close(b);
}

static void truncation_and_peek(void)
{
	uint16_t pa, pb;
	int a = bound_socket(&pa), b = bound_socket(&pb);
	struct iovec iov = { buf, 4 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int avail = -1;

	send_to(b, "0123456789", 10, INADDR_LOOPBACK, pa);
	send_to(b, "abc", 3, INADDR_LOOPBACK, pa);
	tap_ok(readable(a) && ioctl(a, FIONREAD, &avail) == 0 && avail == 10,
	       "FIONREAD: the next datagram");
	tap_ok(recv(a, buf, 4, MSG_PEEK) == 4 && memcmp(buf, "0123", 4) == 0, "MSG_PEEK of 4");
	tap_ok(recv(a, buf, sizeof(buf), MSG_PEEK | MSG_TRUNC) == 10, "MSG_PEEK|MSG_TRUNC: 10");
	tap_ok(recvmsg(a, &mh, 0) == 4 && (mh.msg_flags & MSG_TRUNC) && memcmp(buf, "0123", 4) == 0,
	       "recvmsg into 4 bytes: 4 and MSG_TRUNC");
	tap_ok(recv(a, buf, sizeof(buf), 0) == 3 && memcmp(buf, "abc", 3) == 0,
	       "the rest of a truncated datagram is gone");
	send_to(b, "0123456789", 10, INADDR_LOOPBACK, pa);
	tap_ok(recv(a, buf, 2, MSG_TRUNC) == 10 && memcmp(buf, "01", 2) == 0,
	       "recv(MSG_TRUNC) into 2 bytes: the real length");
	tap_ok(ioctl(a, FIONREAD, &avail) == 0 && avail == 0, "FIONREAD of an empty queue: 0");
	close(a);
	close(b);
}

static void readiness(void)
{
	uint16_t pa, pb;
	int a = bound_socket(&pa), b = bound_socket(&pb);
	struct pollfd pfd = { .fd = a, .events = POLLIN | POLLOUT };
	pid_t pid;
	int st;

	tap_ok(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLOUT, "poll: writable, not readable");
	send_to(b, "x", 1, INADDR_LOOPBACK, pa);
	tap_ok(readable(a) && poll(&pfd, 1, 0) == 1 && pfd.revents == (POLLIN | POLLOUT),
	       "poll: readable");
	recv(a, buf, 1, 0);
	pid = fork();
	if (pid == 0) {
		ut_sleep_ms(100);
		_exit(send_to(b, "wake", 4, INADDR_LOOPBACK, pa) == 4 ? 0 : 1);
	}
	tap_ok(recv(a, buf, sizeof(buf), 0) == 4 && memcmp(buf, "wake", 4) == 0,
	       "a blocking recv woken by another process's datagram");
	st = ut_wait(pid);
	tap_ok(st == 0, "the sender: %s", ut_status(st));
	close(a);
	close(b);
}

static void sizes(void)
{
	uint16_t pa, pb;
	int a = bound_socket(&pa), b = bound_socket(&pb), got = 0, rcv = 4096;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 13 + 1);
	tap_ok(send_to(b, big, 65507, INADDR_LOOPBACK, pa) == 65507, "the largest datagram: 65507");
	tap_ok(recv(a, buf, sizeof(buf), 0) == 65507 && memcmp(buf, big, 65507) == 0,
	       "arrives whole");
	tap_errno(send_to(b, big, 65508, INADDR_LOOPBACK, pa), EMSGSIZE, "65508 bytes");
	tap_ok(setsockopt(a, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv)) == 0, "SO_RCVBUF 4096");
	for (int i = 0; i < 100; i++)
		send_to(b, big, 1000, INADDR_LOOPBACK, pa);
	/* Let every datagram reach the socket (or be dropped) before counting. */
	ut_sleep_ms(300);
	while (recv(a, buf, sizeof(buf), MSG_DONTWAIT) == 1000)
		got++;
	tap_ok(got > 0 && got < 100, "a small receive buffer keeps some, drops the rest");
	tap_masked("kept %d of 100", got);
	close(a);
	close(b);
}

static void connected(void)
{
	uint16_t pa, pb, pc;
	int a = bound_socket(&pa), b = bound_socket(&pb), c = bound_socket(&pc);
	struct sockaddr_in peer = sin_of(INADDR_LOOPBACK, pb), got;
	socklen_t len = sizeof(got);

	tap_errno(getpeername(a, (struct sockaddr *)&got, &len), ENOTCONN,
	          "getpeername unconnected");
	tap_errno(send(a, "x", 1, 0), EDESTADDRREQ, "send without an address or a peer");
	tap_ok(connect(a, (struct sockaddr *)&peer, sizeof(peer)) == 0, "connect to b");
	len = sizeof(got);
	tap_ok(getpeername(a, (struct sockaddr *)&got, &len) == 0 && ntohs(got.sin_port) == pb,
	       "getpeername: b");
	send_to(c, "from c", 6, INADDR_LOOPBACK, pa);
	send_to(b, "from b", 6, INADDR_LOOPBACK, pa);
	tap_ok(recv(a, buf, sizeof(buf), 0) == 6 && memcmp(buf, "from b", 6) == 0,
	       "a connected socket hears its peer only");
	tap_errno(recv(a, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, "c's datagram was not queued");
	tap_ok(send(a, "reply", 5, 0) == 5, "send to the peer");
	tap_ok(recv(b, buf, sizeof(buf), 0) == 5 && memcmp(buf, "reply", 5) == 0, "b has it");
	tap_ok(send_to(a, "to c", 4, INADDR_LOOPBACK, pc) == 4,
	       "sendto another address still works");
	tap_ok(recv(c, buf, sizeof(buf), 0) == 4, "c has it");
	peer.sin_family = AF_UNSPEC;
	tap_ok(connect(a, (struct sockaddr *)&peer, sizeof(peer)) == 0, "connect(AF_UNSPEC)");
	len = sizeof(got);
	tap_errno(getpeername(a, (struct sockaddr *)&got, &len), ENOTCONN, "the peer is gone");
	len = sizeof(got);
	tap_ok(getsockname(a, (struct sockaddr *)&got, &len) == 0 && got.sin_port == 0 &&
	               got.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
	       "and the port bind() did not choose: 127.0.0.1:0");
	close(a);
	close(b);
	close(c);
}

static void broadcast_and_options(void)
{
	uint16_t pb;
	int b = bound_socket(&pb), a = socket(AF_INET, SOCK_DGRAM, 0), on = 1, ttl = -2;
	int c = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in any = sin_of(INADDR_ANY, 0);
	socklen_t len = sizeof(any);

	tap_ok(setsockopt(a, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == 0 &&
	               bind(a, (struct sockaddr *)&any, sizeof(any)) == 0 &&
	               getsockname(a, (struct sockaddr *)&any, &len) == 0,
	       "bind to INADDR_ANY with SO_REUSEADDR");
	tap_ok(setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == 0 &&
	               bind(c, (struct sockaddr *)&any, sizeof(any)) == 0,
	       "a second socket shares the port");
	tap_errno(send_to(b, "bc", 2, 0x7fffffffu, ntohs(any.sin_port)), EACCES,
	          "directed broadcast without SO_BROADCAST");
	tap_ok(setsockopt(b, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)) == 0, "SO_BROADCAST");
	tap_ok(send_to(b, "bc", 2, 0x7fffffffu, ntohs(any.sin_port)) == 2, "127.255.255.255 sent");
	tap_ok(recv(a, buf, sizeof(buf), 0) == 2 && recv(c, buf, sizeof(buf), 0) == 2,
	       "and heard by both sockets on INADDR_ANY");
	len = sizeof(ttl);
	tap_ok(getsockopt(b, IPPROTO_IP, IP_TTL, &ttl, &len) == 0 && ttl == 64, "IP_TTL: 64");
	ttl = 0;
	tap_errno(setsockopt(b, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)), EINVAL, "IP_TTL 0");
	ttl = 7;
	len = sizeof(ttl);
	tap_ok(setsockopt(b, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) == 0 &&
	               getsockopt(b, IPPROTO_IP, IP_TTL, &ttl, &len) == 0 && ttl == 7,
	       "IP_TTL 7");
	close(a);
	close(b);
	close(c);
}

int main(void)
{
	lo_up();
	binding();
	datagrams();
	truncation_and_peek();
	readiness();
	sizes();
	connected();
	broadcast_and_options();
	tap_plan(tap_count); /* the plan at the end, which TAP allows */
	return tap_done(-1);
}
