// SPDX-License-Identifier: MIT
/*
 * AF_UNIX stream sockets (unix(7)), compared with Linux: socketpair,
 * bytes across writes, shutdown and EOF, EPIPE with and without SIGPIPE,
 * ECONNRESET when a peer closes with unread data, FIONREAD, poll events;
 * a server on a path and one on an abstract name echoing to a forked
 * client; the names getsockname and getpeername give (and their
 * lengths); autobind; SO_PEERCRED; a full backlog (EAGAIN when
 * non-blocking); and the errors of bind, connect, listen and accept.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>

#include "unixsock.h"

static void pair_basics(void)
{
	int sv[2], n = -1;
	char buf[32];
	struct stat st;

	tap_ok(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair(AF_UNIX, SOCK_STREAM)");
	tap_ok(fstat(sv[0], &st) == 0 && S_ISSOCK(st.st_mode), "fstat: S_IFSOCK");
	tap_ok(write(sv[0], "hello", 5) == 5 && write(sv[0], " world", 6) == 6, "two writes");
	tap_ok(ioctl(sv[1], FIONREAD, &n) == 0 && n == 11, "FIONREAD: %d", n);
	tap_ok(recv(sv[1], buf, 3, MSG_PEEK) == 3 && memcmp(buf, "hel", 3) == 0, "MSG_PEEK 3");
	tap_ok(read(sv[1], buf, sizeof(buf)) == 11 && memcmp(buf, "hello world", 11) == 0,
	       "one read takes both writes");
	tap_ok(write(sv[1], "back", 4) == 4 && read(sv[0], buf, 4) == 4, "and the other way");
	ux_errno(recv(sv[1], buf, 1, MSG_DONTWAIT), EAGAIN, "empty, MSG_DONTWAIT");
	ux_errno(lseek(sv[0], 0, SEEK_SET), ESPIPE, "lseek");
	tap_ok(shutdown(sv[0], SHUT_WR) == 0, "shutdown(SHUT_WR)");
	tap_ok(read(sv[1], buf, 1) == 0, "the peer reads EOF");
	ux_errno(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE, "send after SHUT_WR");
	tap_ok(write(sv[1], "ok", 2) == 2 && read(sv[0], buf, 2) == 2, "the other way still works");
	ux_errno(shutdown(sv[0], 7), EINVAL, "shutdown(7)");
	close(sv[0]);
	close(sv[1]);
}

static int write_after_close(void *arg)
{
	int sv[2];

	(void)arg;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 2;
	close(sv[1]);
	(void)!write(sv[0], "x", 1);
	return 3;
}

static void hangups(void)
{
	int sv[2], r;
	char buf[8];
	struct pollfd p;

	r = ut_in_child(write_after_close, NULL);
	tap_ok(WIFSIGNALED(r) && WTERMSIG(r) == SIGPIPE, "write to a closed peer: %s",
	       ut_status(r));
	tap_ok(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	tap_ok(write(sv[1], "ab", 2) == 2 && write(sv[0], "cd", 2) == 2, "data both ways");
	close(sv[1]); /* with "cd" unread */
	p = (struct pollfd){ .fd = sv[0], .events = POLLIN | POLLOUT | POLLRDHUP };
	tap_ok(poll(&p, 1, 0) == 1, "poll after the peer closed");
	tap_line("# revents 0x%x", p.revents);
	tap_ok(p.revents == (POLLIN | POLLOUT | POLLRDHUP | POLLHUP | POLLERR),
	       "POLLIN|POLLOUT|POLLRDHUP|POLLHUP|POLLERR");
	tap_ok(read(sv[0], buf, sizeof(buf)) == 2, "the data left is still read");
	ux_errno(read(sv[0], buf, sizeof(buf)), ECONNRESET, "then ECONNRESET (it had unread data)");
	tap_ok(read(sv[0], buf, sizeof(buf)) == 0, "then EOF");
	ux_errno(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE, "send: EPIPE");
	close(sv[0]);

	tap_ok(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	close(sv[1]);
	tap_ok(read(sv[0], buf, 1) == 0, "a clean close: EOF at once");
	close(sv[0]);
}

static void poll_events(void)
{
	int sv[2], s;
	struct pollfd p[2];

	s = socket(AF_UNIX, SOCK_STREAM, 0);
	p[0] = (struct pollfd){ .fd = s, .events = POLLIN | POLLOUT };
	tap_ok(poll(p, 1, 0) == 1, "poll an unconnected socket");
	tap_ok(p[0].revents == (POLLOUT | POLLHUP), "POLLOUT|POLLHUP (0x%x)", p[0].revents);
	close(s);
	tap_ok(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0,
	       "socketpair(SOCK_NONBLOCK)");
	p[0] = (struct pollfd){ .fd = sv[0], .events = POLLIN | POLLOUT };
	p[1] = (struct pollfd){ .fd = sv[1], .events = POLLIN | POLLOUT };
	tap_ok(poll(p, 2, 0) == 2 && p[0].revents == POLLOUT && p[1].revents == POLLOUT,
	       "connected, nothing queued: POLLOUT");
	tap_ok(write(sv[0], "x", 1) == 1, "write");
	tap_ok(poll(p, 2, 0) == 2 && p[1].revents == (POLLIN | POLLOUT),
	       "the peer: POLLIN|POLLOUT");
	shutdown(sv[1], SHUT_RD);
	p[1].events |= POLLRDHUP;
	tap_ok(poll(&p[1], 1, 0) == 1, "poll after SHUT_RD");
	tap_ok(p[1].revents == (POLLIN | POLLOUT | POLLRDHUP), "POLLIN|POLLOUT|POLLRDHUP (0x%x)",
	       p[1].revents);
	close(sv[0]);
	close(sv[1]);
}

/* Fill a non-blocking stream; the bytes it took before EAGAIN (or -1). */
static long fill(int fd)
{
	static char chunk[4096];
	long total = 0;
	ssize_t n;

	while ((n = write(fd, chunk, sizeof(chunk))) > 0)
		total += n;
	return n < 0 && errno == EAGAIN ? total : -1;
}

static void backpressure(void)
{
	int sv[2];
	struct pollfd p;
	static char buf[65536];
	long n;

	tap_ok(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0, "socketpair");
	n = fill(sv[0]);
	tap_ok(n > 0, "a non-blocking writer fills the peer, then EAGAIN");
	tap_line("#~ it took %ld bytes", n);
	p = (struct pollfd){ .fd = sv[0], .events = POLLOUT };
	tap_ok(poll(&p, 1, 0) == 0, "full: no POLLOUT");
	while (read(sv[1], buf, sizeof(buf)) > 0)
		;
	tap_ok(poll(&p, 1, 1000) == 1 && (p.revents & POLLOUT), "drained: POLLOUT again");
	close(sv[0]);
	close(sv[1]);
}

/* The forked client: connect to @a, send "ping", expect "pong". */
static int echo_client(void *arg)
{
	const struct sockaddr_un *a = arg;
	socklen_t len =
		(socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
	                    (a->sun_path[0] ? strlen(a->sun_path) : strlen(a->sun_path + 1)));
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	char buf[4];

	if (connect(s, (const struct sockaddr *)a, len))
		return 1;
	if (write(s, "ping", 4) != 4 || read(s, buf, 4) != 4 || memcmp(buf, "pong", 4))
		return 2;
	return read(s, buf, 1) == 0 ? 0 : 3;
}

static void serve(const struct sockaddr_un *a, socklen_t len, const char *what)
{
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c;
	struct sockaddr_un got;
	socklen_t glen = sizeof(got);
	char buf[4];
	pid_t pid;

	tap_ok(bind(l, (const struct sockaddr *)a, len) == 0, "%s: bind", what);
	tap_ok(listen(l, 5) == 0, "%s: listen", what);
	tap_ok(getsockname(l, (struct sockaddr *)&got, &glen) == 0, "%s: getsockname", what);
	tap_ok(glen == len && !memcmp(&got, a, len), "%s: the name, length %u", what,
	       (unsigned)glen);
	pid = fork();
	if (pid == 0)
		_exit(echo_client((void *)a));
	c = accept(l, NULL, NULL);
	tap_ok(c >= 0, "%s: accept", what);
	tap_ok(read(c, buf, 4) == 4 && !memcmp(buf, "ping", 4) && write(c, "pong", 4) == 4,
	       "%s: ping, pong", what);
	glen = sizeof(got);
	tap_ok(getsockname(c, (struct sockaddr *)&got, &glen) == 0 && glen == len,
	       "%s: the accepted socket has the listener's name", what);
	glen = sizeof(got);
	tap_ok(getpeername(c, (struct sockaddr *)&got, &glen) == 0, "%s: getpeername", what);
	tap_ok(glen == offsetof(struct sockaddr_un, sun_path),
	       "%s: an unbound client's name is the family alone (%u)", what, (unsigned)glen);
	close(c);
	tap_ok(ut_wait(pid) == 0, "%s: the client saw pong and EOF", what);
	close(l);
}

static void servers(void)
{
	struct sockaddr_un a;
	socklen_t len;
	struct stat st;

	len = ux_path(&a, "/tmp/ux_stream.sock");
	unlink(a.sun_path);
	serve(&a, len, "path");
	tap_ok(stat(a.sun_path, &st) == 0 && S_ISSOCK(st.st_mode),
	       "the socket file stays after close");
	tap_line("#~ mode %o", st.st_mode);
	tap_ok((st.st_mode & 0777) == (0777 & ~022), "its mode: 0777 less the umask");
	unlink(a.sun_path);
	len = ux_abstract(&a, "cairn-ux-stream");
	serve(&a, len, "abstract");
}

static void names(void)
{
	struct sockaddr_un a, got;
	socklen_t len, glen = sizeof(got);
	int s = socket(AF_UNIX, SOCK_STREAM, 0), t;

	tap_ok(getsockname(s, (struct sockaddr *)&got, &glen) == 0 && glen == 2,
	       "unbound: getsockname length 2");
	ux_errno(getpeername(s, (struct sockaddr *)&got, &glen), ENOTCONN,
	         "getpeername unconnected");
	a.sun_family = AF_UNIX;
	tap_ok(bind(s, (struct sockaddr *)&a, offsetof(struct sockaddr_un, sun_path)) == 0,
	       "bind with the family alone: autobind");
	glen = sizeof(got);
	tap_ok(getsockname(s, (struct sockaddr *)&got, &glen) == 0, "getsockname");
	tap_ok(glen == 8 && got.sun_path[0] == 0, "an abstract name of 5 hex digits (length %u)",
	       (unsigned)glen);
	tap_line("#~ name @%.5s", got.sun_path + 1);
	ux_errno(bind(s, (struct sockaddr *)&a, offsetof(struct sockaddr_un, sun_path)), 0,
	         "autobind again: nothing to do");
	len = ux_abstract(&a, "cairn-ux-rebind");
	ux_errno(bind(s, (struct sockaddr *)&a, len), EINVAL, "bind a bound socket");
	close(s);

	ux_tmp();
	len = ux_path(&a, "/tmp/ux_names.sock");
	unlink(a.sun_path);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	t = socket(AF_UNIX, SOCK_STREAM, 0);
	tap_ok(bind(s, (struct sockaddr *)&a, len - 1) == 0, "bind a path without its NUL");
	glen = sizeof(got);
	tap_ok(getsockname(s, (struct sockaddr *)&got, &glen) == 0, "getsockname");
	tap_ok(glen == len, "it counts the NUL (%u)", (unsigned)glen);
	ux_errno(bind(t, (struct sockaddr *)&a, len), EADDRINUSE, "bind to an existing file");
	ux_errno(connect(t, (struct sockaddr *)&a, len), ECONNREFUSED, "connect: not listening");
	close(s);
	ux_errno(connect(t, (struct sockaddr *)&a, len), ECONNREFUSED, "connect: a stale file");
	unlink(a.sun_path);
	ux_errno(connect(t, (struct sockaddr *)&a, len), ENOENT, "connect: no file");
	len = ux_path(&a, "/tmp");
	ux_errno(connect(t, (struct sockaddr *)&a, len), ECONNREFUSED, "connect: a directory");
	len = ux_path(&a, "/nonexistent/dir/x.sock");
	ux_errno(bind(t, (struct sockaddr *)&a, len), ENOENT, "bind in a missing directory");
	ux_errno(bind(t, (struct sockaddr *)&a, 1), EINVAL, "bind: length 1");
	ux_errno(bind(t, (struct sockaddr *)&a, sizeof(a) + 1), EINVAL, "bind: length too long");
	a.sun_family = AF_INET;
	ux_errno(bind(t, (struct sockaddr *)&a, len), EINVAL, "bind: AF_INET family");
	ux_errno(connect(t, (struct sockaddr *)&a, len), EINVAL, "connect: AF_INET family");
	ux_errno(bind(t, (struct sockaddr *)1, len), EFAULT, "bind: a bad pointer");
	ux_errno(listen(t, 1), EINVAL, "listen unbound");
	ux_errno(accept(t, NULL, NULL), EINVAL, "accept not listening");
	ux_errno(read(t, &a, 1), EINVAL, "read unconnected");
	ux_errno(send(t, "x", 1, MSG_NOSIGNAL), ENOTCONN, "send unconnected");
	close(t);
	ux_errno(socket(AF_UNIX, SOCK_STREAM, 6), EPROTONOSUPPORT, "socket with protocol 6");
	ux_errno(socket(AF_UNIX, 4, 0), ESOCKTNOSUPPORT, "socket of type SOCK_RDM");
}

static void peercred_backlog(void)
{
	struct sockaddr_un a;
	socklen_t len = ux_abstract(&a, "cairn-ux-backlog"), clen;
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c[4], sv[2], i, ok = 0;
	struct ucred cr;
	struct pollfd p;

	tap_ok(bind(l, (struct sockaddr *)&a, len) == 0 && listen(l, 1) == 0, "listen(1)");
	p = (struct pollfd){ .fd = l, .events = POLLIN | POLLOUT };
	tap_ok(poll(&p, 1, 0) == 0, "a listener with nobody waiting: no events");
	for (i = 0; i < 3; i++) {
		c[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (connect(c[i], (struct sockaddr *)&a, len) == 0)
			ok++;
	}
	tap_ok(ok == 2, "backlog 1 takes 2 connections (%d)", ok);
	ux_errno(connect(c[2], (struct sockaddr *)&a, len), EAGAIN, "the next: EAGAIN");
	tap_ok(poll(&p, 1, 0) == 1 && p.revents == POLLIN, "the listener: POLLIN");
	clen = sizeof(cr);
	tap_ok(getsockopt(c[0], SOL_SOCKET, SO_PEERCRED, &cr, &clen) == 0 && clen == sizeof(cr) &&
	               cr.pid == getpid() && cr.uid == geteuid() && cr.gid == getegid(),
	       "SO_PEERCRED of a client: the server's");
	i = accept(l, NULL, NULL);
	clen = sizeof(cr);
	tap_ok(i >= 0 && getsockopt(i, SOL_SOCKET, SO_PEERCRED, &cr, &clen) == 0 &&
	               cr.pid == getpid(),
	       "SO_PEERCRED of the accepted socket: the client's");
	ux_errno(connect(c[0], (struct sockaddr *)&a, len), EISCONN, "connect again: EISCONN");
	close(i);
	close(l);
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	ux_errno(connect(l, (struct sockaddr *)&a, len), ECONNREFUSED,
	         "the listener closed: ECONNREFUSED");
	close(l);
	ux_errno(read(c[1], &cr, 1), ECONNRESET, "a client never accepted: ECONNRESET");
	for (i = 0; i < 3; i++)
		close(c[i]);
	tap_ok(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	clen = sizeof(cr);
	tap_ok(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cr, &clen) == 0 && cr.pid == getpid(),
	       "SO_PEERCRED of a socketpair: ourselves");
	close(sv[0]);
	close(sv[1]);
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	clen = sizeof(cr);
	tap_ok(getsockopt(l, SOL_SOCKET, SO_PEERCRED, &cr, &clen) == 0 && cr.pid == 0 &&
	               cr.uid == (uid_t)-1 && cr.gid == (gid_t)-1,
	       "SO_PEERCRED unconnected: pid 0, ids -1");
	close(l);
}

/* A big transfer with a blocked writer: every byte arrives in order. */
static void bulk(void)
{
	enum { TOTAL = 1 << 20 };
	static unsigned char buf[8192];
	int sv[2], bad = 0;
	long got = 0;
	ssize_t n;
	pid_t pid;

	tap_ok(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	pid = fork();
	if (pid == 0) {
		close(sv[1]);
		for (long off = 0; off < TOTAL; off += sizeof(buf)) {
			for (size_t i = 0; i < sizeof(buf); i++)
				buf[i] = (unsigned char)((off + (long)i) * 7);
			if (write(sv[0], buf, sizeof(buf)) != (ssize_t)sizeof(buf))
				_exit(1);
		}
		_exit(0);
	}
	close(sv[0]);
	while ((n = read(sv[1], buf, sizeof(buf) - 3)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != (unsigned char)((got + i) * 7))
				bad++;
		got += n;
	}
	tap_ok(got == TOTAL && !bad, "1 MiB through a blocked writer, in order (%ld bytes)", got);
	tap_ok(ut_wait(pid) == 0, "the writer ended well");
	close(sv[1]);
}

/* The /proc/net/unix line whose path is @path, into @line; false if none. */
static bool proc_line(const char *path, char *line, size_t n)
{
	static char buf[65536];
	int fd = open("/proc/net/unix", O_RDONLY);
	ssize_t got = 0, r;
	char *l, *save = NULL;
	size_t plen = strlen(path);

	if (fd < 0)
		return false;
	while ((r = read(fd, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
		got += r;
	close(fd);
	buf[got] = 0;
	for (l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		size_t len = strlen(l);

		if (len > plen && !strcmp(l + len - plen, path) && l[len - plen - 1] == ' ') {
			snprintf(line, n, "%s", l);
			return true;
		}
	}
	return false;
}

static void proc_net_unix(void)
{
	struct sockaddr_un a;
	socklen_t len = ux_abstract(&a, "cairn-ux-proc");
	int l = socket(AF_UNIX, SOCK_STREAM, 0), d = socket(AF_UNIX, SOCK_DGRAM, 0);
	char line[256], *f;
	unsigned long ino;
	struct stat st;

	/* The test initramfs does not mount /proc; an image that did keeps its mount. */
	mkdir("/proc", 0555);
	if (access("/proc/self", F_OK))
		mount("proc", "/proc", "proc", 0, NULL);
	tap_ok(bind(l, (struct sockaddr *)&a, len) == 0 && listen(l, 1) == 0, "a listener");
	tap_ok(proc_line("@cairn-ux-proc", line, sizeof(line)), "/proc/net/unix lists it");
	tap_line("#~ %s", line);
	f = strchr(line, ':');
	/* RefCount varies; Protocol, Flags, Type, St are Linux's. */
	tap_ok(f && strlen(f) > 30 && !strncmp(f + 10, " 00000000 00010000 0001 01", 26),
	       "protocol 0, __SO_ACCEPTCON, SOCK_STREAM, SS_UNCONNECTED");
	tap_ok(f && sscanf(f + 36, "%lu", &ino) == 1 && fstat(l, &st) == 0 && st.st_ino == ino,
	       "its inode is the socket's");
	len = ux_path(&a, "/tmp/ux_proc.sock");
	unlink(a.sun_path);
	tap_ok(bind(d, (struct sockaddr *)&a, len) == 0, "a datagram socket on a path");
	tap_ok(proc_line("/tmp/ux_proc.sock", line, sizeof(line)), "listed with its path");
	f = strchr(line, ':');
	tap_ok(f && strlen(f) > 30 && !strncmp(f + 10, " 00000000 00000000 0002 01", 26),
	       "SOCK_DGRAM, unconnected");
	close(l);
	close(d);
	unlink(a.sun_path);
}

int main(void)
{
	signal(SIGPIPE, SIG_DFL);
	ux_tmp();
	pair_basics();
	hangups();
	poll_events();
	backpressure();
	servers();
	names();
	peercred_backlog();
	bulk();
	proc_net_unix();
	tap_plan(tap_count);
	return tap_done(tap_count);
}
