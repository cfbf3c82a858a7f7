// SPDX-License-Identifier: MIT
/*
 * UDP's errors as Linux reports them (udp(7), ip(7), issue 14): a port
 * unreachable coming back as ECONNREFUSED on a connected socket (once,
 * through recv, SO_ERROR, poll's POLLERR or the next send) and never on
 * an unconnected one; bad addresses and lengths (EINVAL, EAFNOSUPPORT,
 * EFAULT, EADDRNOTAVAIL, EADDRINUSE, EINVAL for a second bind, ENOTCONN
 * for shutdown), and SO_REUSEADDR sharing a port.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "utest.h"

static char buf[256];

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

static int udp_socket(void)
{
	struct timeval tv = { 5, 0 };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s >= 0)
		setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return s;
}

/* A loopback port nobody holds: bind one, note it, close it. */
static uint16_t closed_port(void)
{
	struct sockaddr_in a = sin_of(INADDR_LOOPBACK, 0);
	socklen_t len = sizeof(a);
	int s = udp_socket();
	uint16_t port = 0;

	if (bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(s, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(s);
	return port;
}

/* Wait up to 5 s for POLLERR on @s. */
static bool error_pending(int s)
{
	struct pollfd pfd = { .fd = s, .events = POLLIN };

	return poll(&pfd, 1, 5000) == 1 && (pfd.revents & POLLERR);
}

static void refused(void)
{
	struct sockaddr_in dead = sin_of(INADDR_LOOPBACK, closed_port());
	int s = udp_socket(), err = -1;
	socklen_t len = sizeof(err);

	tap_ok(connect(s, (struct sockaddr *)&dead, sizeof(dead)) == 0, "connect to a closed port");
	tap_ok(send(s, "x", 1, 0) == 1, "the first send goes out");
	tap_errno(recv(s, buf, sizeof(buf), 0), ECONNREFUSED, "recv reports the port unreachable");
	tap_ok(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0,
	       "which took the error: SO_ERROR 0");
	tap_ok(send(s, "x", 1, 0) == 1, "a second send");
	tap_ok(error_pending(s), "poll: POLLERR");
	len = sizeof(err);
	tap_ok(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == ECONNREFUSED,
	       "SO_ERROR: ECONNREFUSED");
	tap_ok(send(s, "x", 1, 0) == 1, "a third send");
	tap_ok(error_pending(s), "POLLERR again");
	tap_errno(send(s, "x", 1, 0), ECONNREFUSED, "the next send reports it");
	tap_ok(send(s, "x", 1, 0) == 1, "and the one after goes out");
	close(s);

	s = udp_socket();
	tap_ok(sendto(s, "x", 1, 0, (struct sockaddr *)&dead, sizeof(dead)) == 1,
	       "unconnected: sendto a closed port");
	ut_sleep_ms(200);
	tap_errno(recv(s, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN,
	          "no error on an unconnected socket");
	len = sizeof(err);
	tap_ok(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0, "SO_ERROR 0");
	close(s);
}

static void bad_addresses(void)
{
	struct sockaddr_in a = sin_of(INADDR_LOOPBACK, 9);
	struct sockaddr_in other = sin_of(0x0a090909u, 0);
	int s = udp_socket();

	tap_errno(sendto(s, "x", 1, 0, (struct sockaddr *)&a, 8), EINVAL,
	          "sendto: address too short");
	a.sin_family = AF_INET6;
	tap_errno(sendto(s, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT,
	          "sendto: AF_INET6 address");
	a.sin_family = AF_INET;
	a.sin_port = 0;
	tap_errno(sendto(s, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)), EINVAL, "sendto: port 0");
	a.sin_port = htons(9);
	tap_errno(sendto(s, (void *)8, 1, 0, (struct sockaddr *)&a, sizeof(a)), EFAULT,
	          "sendto: a bad buffer");
	tap_errno(sendto(s, "x", 1, 0, (struct sockaddr *)8, sizeof(a)), EFAULT,
	          "sendto: a bad address pointer");
	tap_errno(bind(s, (struct sockaddr *)&other, sizeof(other)), EADDRNOTAVAIL,
	          "bind to an address that is not ours");
	a.sin_family = AF_INET6;
	tap_errno(bind(s, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT, "bind: AF_INET6");
	a.sin_family = AF_INET;
	tap_errno(bind(s, (struct sockaddr *)&a, 4), EINVAL, "bind: address too short");
	tap_errno(connect(s, (struct sockaddr *)&a, 4), EINVAL, "connect: address too short");
	tap_errno(shutdown(s, SHUT_RDWR), ENOTCONN, "shutdown of an unconnected socket");
	close(s);
}

static void binds(void)
{
	struct sockaddr_in a = sin_of(INADDR_LOOPBACK, 0);
	socklen_t len = sizeof(a);
	int s = udp_socket(), t = udp_socket(), u = udp_socket(), on = 1;

	tap_ok(bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	               getsockname(s, (struct sockaddr *)&a, &len) == 0,
	       "bind");
	tap_errno(bind(s, (struct sockaddr *)&a, sizeof(a)), EINVAL, "a second bind");
	tap_errno(bind(t, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE,
	          "another socket, same port");
	a.sin_addr.s_addr = htonl(INADDR_ANY);
	tap_errno(bind(t, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE,
	          "INADDR_ANY on the same port");
	close(s);
	tap_ok(setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == 0 &&
	               setsockopt(u, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == 0,
	       "SO_REUSEADDR on two sockets");
	tap_ok(bind(t, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	               bind(u, (struct sockaddr *)&a, sizeof(a)) == 0,
	       "both bind the same port");
	close(t);
	close(u);
}

static volatile int sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static void shut(void)
{
	struct sockaddr_in a = sin_of(INADDR_LOOPBACK, 0);
	socklen_t len = sizeof(a);
	int s = udp_socket();
	struct pollfd pfd = { .fd = s, .events = POLLIN | POLLOUT | POLLRDHUP };

	tap_ok(bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	               getsockname(s, (struct sockaddr *)&a, &len) == 0 &&
	               connect(s, (struct sockaddr *)&a, sizeof(a)) == 0,
	       "a socket connected to itself");
	tap_ok(send(s, "me", 2, 0) == 2 && recv(s, buf, sizeof(buf), 0) == 2, "talks to itself");
	tap_ok(shutdown(s, SHUT_RD) == 0, "shutdown(SHUT_RD)");
	tap_ok(recv(s, buf, sizeof(buf), 0) == 0, "recv: 0 at once");
	tap_ok(poll(&pfd, 1, 0) == 1 && pfd.revents == (POLLIN | POLLOUT | POLLRDHUP),
	       "poll: POLLIN|POLLOUT|POLLRDHUP");
	tap_ok(shutdown(s, SHUT_WR) == 0, "shutdown(SHUT_WR)");
	tap_errno(send(s, "x", 1, MSG_NOSIGNAL), EPIPE, "send after SHUT_WR");
	signal(SIGPIPE, on_sigpipe);
	tap_errno(send(s, "x", 1, 0), EPIPE, "again without MSG_NOSIGNAL");
	tap_ok(sigpipes == 0, "a datagram socket raises no SIGPIPE: %d", sigpipes);
	signal(SIGPIPE, SIG_DFL);
	tap_ok(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLHUP), "poll: POLLHUP");
	tap_errno(shutdown(s, 7), EINVAL, "shutdown(7)");
	close(s);
}

int main(void)
{
	lo_up();
	refused();
	bad_addresses();
	binds();
	shut();
	tap_plan(tap_count); /* the plan at the end, which TAP allows */
	return tap_done(-1);
}
