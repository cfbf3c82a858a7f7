// SPDX-License-Identifier: MIT
/*
 * The socket layer's answers to bad and unusual calls, compared with
 * Linux's (socket(2), bind(2), getsockopt(2), socket(7), ip(7)): unknown
 * families, types and protocols, descriptors that are not sockets, bad
 * addresses and lengths, the SOL_SOCKET options round trip, what fstat
 * and /proc/self/fd say, port claims (EADDRINUSE, SO_REUSEADDR) and the
 * calls an unconnected TCP socket refuses.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "utest.h"

static int tcp_socket(void)
{
	return socket(AF_INET, SOCK_STREAM, 0);
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

static void creating(void)
{
	int fd;

	tap_errno(socket(46, SOCK_STREAM, 0), EAFNOSUPPORT, "socket(46): no such family");
	tap_errno(socket(-1, SOCK_STREAM, 0), EAFNOSUPPORT, "socket(-1)");
	tap_errno(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT,
	          "a stream socket over UDP");
	tap_errno(socket(AF_INET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT, "AF_INET SOCK_SEQPACKET");
	tap_errno(socket(AF_INET, SOCK_STREAM | 0x40, 0), EINVAL, "unknown flag bits in the type");
	tap_errno(socket(AF_INET, 11, 0), EINVAL, "a type past SOCK_PACKET");
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	tap_ok(fd >= 0, "SOCK_NONBLOCK | SOCK_CLOEXEC");
	tap_ok((fcntl(fd, F_GETFL) & O_NONBLOCK) && fcntl(fd, F_GETFD) == FD_CLOEXEC,
	       "both flags are on the descriptor");
	close(fd);
}

static void not_sockets(void)
{
	struct sockaddr_in a = sin_of(INADDR_LOOPBACK, 0);
	int fd = open("/", O_RDONLY);
	char buf[4];

	tap_errno(bind(fd, (struct sockaddr *)&a, sizeof(a)), ENOTSOCK, "bind on a directory");
	tap_errno(listen(fd, 1), ENOTSOCK, "listen on a directory");
	tap_errno(send(fd, buf, 1, 0), ENOTSOCK, "send on a directory");
	tap_errno(getsockopt(fd, SOL_SOCKET, SO_TYPE, buf, &(socklen_t){ 4 }), ENOTSOCK,
	          "getsockopt on a directory");
	close(fd);
	tap_errno(bind(999, (struct sockaddr *)&a, sizeof(a)), EBADF, "bind on a closed fd");
	tap_errno(accept(-1, NULL, NULL), EBADF, "accept on -1");
	tap_errno(shutdown(999, SHUT_RD), EBADF, "shutdown on a closed fd");
}

static void bad_addresses(void)
{
	struct sockaddr_in a = sin_of(INADDR_LOOPBACK, 0);
	struct sockaddr_storage big;
	int fd = tcp_socket();

	tap_errno(bind(fd, (struct sockaddr *)8, sizeof(a)), EFAULT, "bind with a wild pointer");
	tap_errno(bind(fd, (struct sockaddr *)&a, 8), EINVAL, "bind with 8 bytes");
	memset(&big, 0, sizeof(big));
	tap_errno(bind(fd, (struct sockaddr *)&big, sizeof(big) + 1), EINVAL,
	          "bind with more than sockaddr_storage");
	a.sin_family = AF_UNIX;
	tap_errno(bind(fd, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT, "bind AF_UNIX on inet");
	a = sin_of(0x0a090807, 0);
	tap_errno(bind(fd, (struct sockaddr *)&a, sizeof(a)), EADDRNOTAVAIL,
	          "bind to 10.9.8.7, not ours");
	tap_errno(shutdown(fd, 7), EINVAL, "shutdown how 7");
	tap_errno(getsockname(fd, (struct sockaddr *)&a, NULL), EFAULT, "getsockname, NULL length");
	close(fd);
}

static void options(void)
{
	int fd = tcp_socket(), v = -1;
	socklen_t len = sizeof(v);
	struct timeval tv = { 2, 500000 }, tv2;
	struct linger lg = { 1, 7 }, lg2;

	tap_ok(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) == 0 && v == SOCK_STREAM &&
	               len == sizeof(int),
	       "SO_TYPE: SOCK_STREAM");
	tap_ok(getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) == 0 && v == AF_INET, "SO_DOMAIN");
	tap_ok(getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len) == 0 && v == IPPROTO_TCP,
	       "SO_PROTOCOL: IPPROTO_TCP for protocol 0");
	tap_ok(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v == 0,
	       "SO_ACCEPTCONN: 0 before listen");
	tap_ok(getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len) == 0 && v == 0, "SO_ERROR: 0");
	v = 1;
	tap_ok(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)) == 0, "SO_REUSEADDR on");
	v = 0;
	tap_ok(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, &len) == 0 && v == 1, "reads back 1");
	v = 4096;
	tap_ok(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) == 0 &&
	               getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len) == 0 && v == 8192,
	       "SO_RCVBUF 4096 reads back doubled");
	tap_ok(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0, "SO_RCVTIMEO");
	len = sizeof(tv2);
	tap_ok(getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv2, &len) == 0 && tv2.tv_sec == 2 &&
	               tv2.tv_usec == 500000,
	       "SO_RCVTIMEO reads back 2.5 s");
	tv.tv_usec = 1000000;
	tap_errno(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), EDOM,
	          "SO_SNDTIMEO with a million microseconds");
	tap_ok(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0, "SO_LINGER on, 7 s");
	len = sizeof(lg2);
	tap_ok(getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg2, &len) == 0 && lg2.l_onoff &&
	               lg2.l_linger == 7,
	       "SO_LINGER reads back");
	v = 1;
	tap_ok(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)) == 0, "TCP_NODELAY on");
	len = sizeof(v);
	tap_ok(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0 && v == 1, "reads back 1");
	v = 0;
	tap_errno(setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v)), EINVAL,
	          "TCP_KEEPIDLE 0");
	tap_errno(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, 2), EINVAL,
	          "an int option of 2 bytes");
	tap_errno(setsockopt(fd, SOL_SOCKET, 9999, &v, sizeof(v)), ENOPROTOOPT, "option 9999");
	tap_errno(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, NULL), EFAULT, "getsockopt, NULL length");
	len = 2;
	v = 0;
	tap_ok(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) == 0 && len == 2,
	       "a short buffer gets a short answer");
	close(fd);
}

static void files(void)
{
	struct stat pst;

	int fd = tcp_socket();
	char path[64], link[64];
	struct stat st;
	ssize_t n;

	tap_ok(fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode), "fstat: S_IFSOCK");
	/* The test initramfs does not mount /proc; an image that did keeps its mount. */
	if (stat("/proc/self", &pst) < 0) {
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n >= 0)
		link[n] = '\0';
	tap_ok(n > 0 && strncmp(link, "socket:[", 8) == 0, "/proc/self/fd link: socket:[ino]");
	tap_errno(lseek(fd, 0, SEEK_SET), ESPIPE, "lseek on a socket");
	close(fd);
}

static uint16_t port_of(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return 0;
	return ntohs(a.sin_port);
}

static void claims(void)
{
	struct sockaddr_in a = sin_of(INADDR_LOOPBACK, 0);
	int f1 = tcp_socket(), f2 = tcp_socket(), on = 1;
	uint16_t port;

	tap_ok(port_of(f1) == 0, "an unbound socket's port is 0");
	tap_errno(bind(f1, (struct sockaddr *)&a, sizeof(a)), 0, "bind to 127.0.0.1:0");
	port = port_of(f1);
	tap_ok(port >= 32768 && port <= 60999, "an ephemeral port");
	tap_errno(bind(f1, (struct sockaddr *)&a, sizeof(a)), EINVAL, "bind twice");
	a.sin_port = htons(port);
	tap_errno(bind(f2, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE, "the same port again");
	a.sin_addr.s_addr = htonl(INADDR_ANY);
	tap_errno(bind(f2, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE,
	          "INADDR_ANY on that port");
	close(f1);
	close(f2);
	f1 = tcp_socket();
	f2 = tcp_socket();
	setsockopt(f1, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	setsockopt(f2, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	tap_errno(bind(f1, (struct sockaddr *)&a, sizeof(a)), 0, "SO_REUSEADDR: first bind");
	tap_errno(bind(f2, (struct sockaddr *)&a, sizeof(a)), 0, "SO_REUSEADDR: both bound");
	tap_errno(listen(f1, 4), 0, "one listens");
	tap_errno(listen(f2, 4), EADDRINUSE, "the other cannot listen too");
	close(f1);
	close(f2);
}

static void unconnected(void)
{
	int fd = tcp_socket(), v;
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	char c = 'x';

	tap_errno(send(fd, &c, 1, MSG_NOSIGNAL), EPIPE, "send before connect");
	tap_errno(recv(fd, &c, 1, 0), ENOTCONN, "recv before connect");
	tap_errno(getpeername(fd, (struct sockaddr *)&a, &len), ENOTCONN, "getpeername");
	tap_errno(shutdown(fd, SHUT_WR), ENOTCONN, "shutdown before connect");
	tap_errno(accept(fd, NULL, NULL), EINVAL, "accept before listen");
	tap_errno(listen(fd, 1), 0, "listen binds an ephemeral port");
	tap_ok(port_of(fd) >= 32768, "it has one");
	len = sizeof(v);
	tap_ok(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v == 1,
	       "SO_ACCEPTCONN: 1");
	a = sin_of(INADDR_LOOPBACK, 1);
	tap_errno(connect(fd, (struct sockaddr *)&a, sizeof(a)), EISCONN, "connect on a listener");
	close(fd);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	creating();
	not_sockets();
	bad_addresses();
	options();
	files();
	claims();
	unconnected();
	tap_plan(tap_count);
	return tap_done(tap_count);
}
