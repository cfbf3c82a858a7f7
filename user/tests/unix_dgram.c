// SPDX-License-Identifier: MIT
/*
 * AF_UNIX datagram and sequenced-packet sockets (unix(7)), compared with
 * Linux: message boundaries, MSG_TRUNC both ways, FIONREAD of the next
 * datagram, sendto a path and an abstract name with the sender's name
 * seen by recvfrom, connected datagram sockets (EPERM from a stranger,
 * ECONNREFUSED once the peer closed, then ENOTCONN), EMSGSIZE, a full
 * queue (EAGAIN, then room after a read), zero-length datagrams; and
 * SOCK_SEQPACKET: listen/accept, packets kept whole, EOF at close.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>

#include "unixsock.h"

static void boundaries(void)
{
	int sv[2], n = -1;
	char buf[64];
	struct iovec iov = { .iov_base = buf, .iov_len = 4 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	tap_ok(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair(AF_UNIX, SOCK_DGRAM)");
	tap_ok(send(sv[0], "first", 5, 0) == 5 && send(sv[0], "second!", 7, 0) == 7 &&
	               send(sv[0], "", 0, 0) == 0,
	       "three datagrams, one empty");
	tap_ok(ioctl(sv[1], FIONREAD, &n) == 0, "FIONREAD");
	tap_ok(n == 5, "the next datagram's size: %d", n);
	tap_ok(recv(sv[1], buf, sizeof(buf), 0) == 5, "one recv, one datagram");
	tap_ok(recvmsg(sv[1], &mh, 0) == 4, "a short buffer takes 4");
	tap_ok(mh.msg_flags == MSG_TRUNC, "and says MSG_TRUNC (0x%x)", mh.msg_flags);
	tap_ok(recv(sv[1], buf, sizeof(buf), 0) == 0, "the empty datagram");
	ux_errno(recv(sv[1], buf, 1, MSG_DONTWAIT), EAGAIN, "then nothing");
	tap_ok(send(sv[0], "0123456789", 10, 0) == 10, "send 10");
	tap_ok(recv(sv[1], buf, 3, MSG_TRUNC | MSG_PEEK) == 10,
	       "MSG_TRUNC|MSG_PEEK: the full size");
	tap_ok(recv(sv[1], buf, 3, MSG_TRUNC) == 10 && !memcmp(buf, "012", 3),
	       "MSG_TRUNC: the full size, 3 bytes copied");
	ux_errno(recv(sv[1], buf, 1, MSG_DONTWAIT), EAGAIN, "the rest is gone");
	close(sv[1]);
	ux_errno(send(sv[0], "x", 1, 0), ECONNREFUSED, "send to a closed pair: ECONNREFUSED");
	ux_errno(send(sv[0], "x", 1, 0), ENOTCONN, "then ENOTCONN");
	close(sv[0]);
}

static void named(void)
{
	struct sockaddr_un a, b, from;
	socklen_t alen = ux_path(&a, "/tmp/ux_dgram_a.sock"), blen = ux_abstract(&b, "cairn-ux-dg");
	socklen_t flen;
	int s = socket(AF_UNIX, SOCK_DGRAM, 0), t = socket(AF_UNIX, SOCK_DGRAM, 0);
	int u = socket(AF_UNIX, SOCK_DGRAM, 0), st = socket(AF_UNIX, SOCK_STREAM, 0);
	char buf[16];

	unlink(a.sun_path);
	tap_ok(bind(s, (struct sockaddr *)&a, alen) == 0, "bind a path");
	tap_ok(bind(t, (struct sockaddr *)&b, blen) == 0, "bind an abstract name");
	tap_ok(sendto(u, "anon", 4, 0, (struct sockaddr *)&a, alen) == 4, "sendto the path");
	flen = sizeof(from);
	tap_ok(recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen) == 4, "recvfrom");
	tap_ok(flen == 0, "an unbound sender: no name (%u)", (unsigned)flen);
	tap_ok(sendto(t, "named", 5, 0, (struct sockaddr *)&a, alen) == 5, "sendto from a name");
	flen = sizeof(from);
	tap_ok(recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen) == 5, "recvfrom");
	tap_ok(flen == blen && !memcmp(&from, &b, blen), "the sender's abstract name (%u)",
	       (unsigned)flen);
	tap_ok(sendto(s, "back", 4, 0, (struct sockaddr *)&from, flen) == 4, "answer to it");
	tap_ok(recv(t, buf, sizeof(buf), 0) == 4, "it arrives");
	ux_errno(send(u, "x", 1, 0), ENOTCONN, "send without a destination");
	ux_errno(sendto(u, "x", 1, 0, (struct sockaddr *)&a, 1), EINVAL, "sendto: length 1");
	tap_ok(bind(st, (struct sockaddr *)&b, blen) == 0,
	       "a stream socket may take the same abstract name");
	ux_errno(sendto(u, "x", 1, 0, (struct sockaddr *)&b, blen), 0,
	         "sendto still finds the dgram one");
	alen = ux_path(&a, "/tmp/ux_dgram_none.sock");
	unlink(a.sun_path);
	ux_errno(sendto(u, "x", 1, 0, (struct sockaddr *)&a, alen), ENOENT,
	         "sendto a missing path");
	ux_errno(connect(u, (struct sockaddr *)&a, alen), ENOENT, "connect a missing path");
	close(st);
	st = socket(AF_UNIX, SOCK_STREAM, 0);
	tap_ok(bind(st, (struct sockaddr *)&a, alen) == 0 && listen(st, 1) == 0,
	       "a stream listener on a path");
	ux_errno(sendto(u, "x", 1, 0, (struct sockaddr *)&a, alen), EPROTOTYPE,
	         "sendto it: EPROTOTYPE");
	close(st);
	unlink(a.sun_path);
	unlink("/tmp/ux_dgram_a.sock");
	close(s);
	close(t);
	close(u);
}

static void connected(void)
{
	struct sockaddr_un a, c;
	socklen_t alen = ux_abstract(&a, "cairn-ux-conn-a"),
		  clen = ux_abstract(&c, "cairn-ux-conn-c");
	int s = socket(AF_UNIX, SOCK_DGRAM, 0), t = socket(AF_UNIX, SOCK_DGRAM, 0);
	int x = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un got;
	socklen_t glen = sizeof(got);
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	char buf[8];

	tap_ok(bind(s, (struct sockaddr *)&a, alen) == 0 &&
	               bind(t, (struct sockaddr *)&c, clen) == 0,
	       "two named datagram sockets");
	tap_ok(connect(s, (struct sockaddr *)&c, clen) == 0, "s connects to t");
	tap_ok(getpeername(s, (struct sockaddr *)&got, &glen) == 0, "getpeername");
	tap_ok(glen == clen, "t's name (%u)", (unsigned)glen);
	tap_ok(send(s, "hi", 2, 0) == 2 && recv(t, buf, sizeof(buf), 0) == 2, "send to the peer");
	tap_ok(sendto(x, "x", 1, 0, (struct sockaddr *)&c, clen) == 1,
	       "a stranger may send to t (t is not connected)");
	ux_errno(sendto(x, "x", 1, 0, (struct sockaddr *)&a, alen), EPERM,
	         "a stranger to s (connected elsewhere): EPERM");
	ux_errno(connect(x, (struct sockaddr *)&a, alen), EPERM, "nor connect to it");
	tap_ok(sendto(t, "y", 1, 0, (struct sockaddr *)&a, alen) == 1, "but its peer may");
	tap_ok(connect(s, &unspec, sizeof(unspec)) == 0, "connect to AF_UNSPEC: disconnect");
	ux_errno(send(s, "x", 1, 0), ENOTCONN, "then send: ENOTCONN");
	tap_ok(sendto(x, "x", 1, 0, (struct sockaddr *)&a, alen) == 1, "and strangers may send");
	close(s);
	close(t);
	close(x);
}

static void limits(void)
{
	static char big[300000];
	struct sockaddr_un a;
	socklen_t alen = ux_abstract(&a, "cairn-ux-full");
	int r = socket(AF_UNIX, SOCK_DGRAM, 0), w = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	int n = 0, sv[2];
	struct pollfd p;
	char buf[8];

	tap_ok(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair");
	ux_errno(send(sv[0], big, sizeof(big), 0), EMSGSIZE, "a datagram above SO_SNDBUF");
	tap_ok(send(sv[0], big, 100000, 0) == 100000 && recv(sv[1], big, sizeof(big), 0) == 100000,
	       "100000 bytes in one datagram");
	close(sv[0]);
	close(sv[1]);
	tap_ok(bind(r, (struct sockaddr *)&a, alen) == 0 &&
	               connect(w, (struct sockaddr *)&a, alen) == 0,
	       "a writer connected to an unconnected reader");
	while (send(w, "d", 1, 0) == 1 && n < 1000)
		n++;
	tap_ok(errno == EAGAIN, "small datagrams until EAGAIN");
	tap_ok(n == 11, "max_dgram_qlen 10: 11 fit (%d)", n);
	p = (struct pollfd){ .fd = w, .events = POLLOUT };
	tap_ok(poll(&p, 1, 0) == 0, "the writer: no POLLOUT");
	tap_ok(recv(r, buf, sizeof(buf), 0) == 1, "the reader takes one");
	tap_ok(poll(&p, 1, 1000) == 1 && p.revents == POLLOUT, "POLLOUT again");
	tap_ok(send(w, "d", 1, 0) == 1, "and one more fits");
	close(r);
	close(w);
}

static int seq_client(void *arg)
{
	struct sockaddr_un a;
	socklen_t alen = ux_abstract(&a, "cairn-ux-seq");
	int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	char buf[16];

	(void)arg;
	if (connect(s, (struct sockaddr *)&a, alen))
		return 1;
	if (send(s, "one", 3, 0) != 3 || send(s, "two!", 4, 0) != 4)
		return 2;
	if (recv(s, buf, sizeof(buf), 0) != 5 || memcmp(buf, "three", 5))
		return 3;
	return 0;
}

static void seqpacket(void)
{
	struct sockaddr_un a;
	socklen_t alen = ux_abstract(&a, "cairn-ux-seq");
	int l = socket(AF_UNIX, SOCK_SEQPACKET, 0), c, sv[2];
	char buf[16];
	struct iovec iov = { .iov_base = buf, .iov_len = 2 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	pid_t pid;

	tap_ok(bind(l, (struct sockaddr *)&a, alen) == 0 && listen(l, 4) == 0,
	       "a SEQPACKET listener");
	ux_errno(send(l, "x", 1, MSG_NOSIGNAL), ENOTCONN, "send on the listener");
	pid = fork();
	if (pid == 0)
		_exit(seq_client(NULL));
	c = accept(l, NULL, NULL);
	tap_ok(c >= 0, "accept");
	tap_ok(recv(c, buf, sizeof(buf), 0) == 3, "the first packet whole");
	tap_ok(recvmsg(c, &mh, 0) == 2 && (mh.msg_flags & MSG_TRUNC), "the second cut: MSG_TRUNC");
	tap_ok(send(c, "three", 5, 0) == 5, "answer");
	tap_ok(ut_wait(pid) == 0, "the client got it");
	tap_ok(recv(c, buf, sizeof(buf), 0) == 0, "EOF once it exited");
	ux_errno(send(c, "x", 1, MSG_NOSIGNAL), EPIPE, "send then: EPIPE");
	close(c);
	close(l);
	tap_ok(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0, "socketpair(SOCK_SEQPACKET)");
	tap_ok(send(sv[0], "ab", 2, 0) == 2 && send(sv[0], "cd", 2, 0) == 2, "two packets");
	tap_ok(recv(sv[1], buf, sizeof(buf), 0) == 2 && recv(sv[1], buf, sizeof(buf), 0) == 2,
	       "read one at a time");
	close(sv[0]);
	close(sv[1]);
	l = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ux_errno(send(l, "x", 1, MSG_NOSIGNAL), ENOTCONN, "an unconnected SEQPACKET send");
	ux_errno(recv(l, buf, 1, 0), ENOTCONN, "and recv");
	close(l);
	l = socket(AF_UNIX, SOCK_DGRAM, 0);
	ux_errno(listen(l, 1), EOPNOTSUPP, "listen on a datagram socket");
	ux_errno(accept(l, NULL, NULL), EOPNOTSUPP, "accept on one");
	close(l);
}

/* In a child: send on a @type pair whose other end is closed (@shut_rd: shut for reading). */
static int send_to_gone(void *arg)
{
	int how = *(int *)arg, sv[2];

	if (socketpair(AF_UNIX, how >> 1, 0, sv))
		return 2;
	if (how & 1)
		shutdown(sv[1], SHUT_RD);
	else
		close(sv[1]);
	return send(sv[0], "x", 1, 0) == -1 && errno == EPIPE ? 0 : 1;
}

/* Linux raises SIGPIPE on the stream paths only: datagram and packet EPIPEs are quiet. */
static void no_sigpipe(void)
{
	static const struct {
		int how;
		const char *what;
	} cases[] = {
		{ SOCK_SEQPACKET << 1, "SEQPACKET, peer closed" },
		{ SOCK_SEQPACKET << 1 | 1, "SEQPACKET, peer shut its reading side" },
		{ SOCK_DGRAM << 1 | 1, "DGRAM, peer shut its reading side" },
		{ SOCK_STREAM << 1 | 1, "STREAM, peer shut its reading side" },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = ut_in_child(send_to_gone, (void *)&cases[i].how);

		tap_ok(true, "%s: %s", cases[i].what, ut_status(r));
	}
}

int main(void)
{
	signal(SIGPIPE, SIG_DFL);
	ux_tmp();
	boundaries();
	named();
	connected();
	limits();
	seqpacket();
	no_sigpipe();
	tap_plan(tap_count);
	return tap_done(tap_count);
}
