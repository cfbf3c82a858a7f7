// SPDX-License-Identifier: MIT
/*
 * netxfer: one TCP transfer, checked end to end, for the relay tests
 * (tools/e2e_relay.py, docs/net-tests.md). The same static binary runs on
 * Cairn and on the Linux baseline. One side listens (-l PORT), the other
 * connects (-c ADDR:PORT, retried until -w seconds pass); each then sends
 * -s bytes of a seeded pseudo-random stream while it receives -r bytes of the
 * peer's stream, both at once through poll(2), and checks every received
 * byte against the stream the peer's seed makes. The sender shuts its half
 * down when done, so each side ends by reading the peer's end of file.
 *
 * It prints "netxfer: progress ..." every -p seconds and one final line
 *   netxfer: result=ok sent=N recv=N ms=T maxgap_ms=G rxgap_ms=R txgap_ms=X
 * where rxgap is the longest time the connection went without delivering a
 * new byte while more were expected, txgap the longest time the socket
 * refused more bytes while some were left to send, and maxgap their larger.
 * -g PORT first waits for one UDP datagram on PORT (the relay's "go"), so a
 * test can start a connection at a moment of its choosing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (64 * 1024)

struct opts {
	const char *connect_to; /* "ADDR:PORT" or NULL to listen */
	int listen_port;        /* port to listen on */
	int accept_count;       /* connections to serve when listening */
	uint64_t send_bytes;    /* bytes this side sends */
	uint64_t recv_bytes;    /* bytes this side expects */
	uint64_t send_seed;     /* seed of the stream this side sends */
	uint64_t recv_seed;     /* seed of the stream the peer sends */
	int timeout_s;          /* limit for one transfer */
	int connect_wait_s;     /* how long connect() is retried */
	int progress_s;         /* seconds between progress lines */
	int go_port;            /* UDP port to wait on first, or 0 */
};

struct xfer {
	uint64_t sent, recvd;     /* bytes so far */
	long long start_ms;       /* connection established */
	long long last_rx_ms;     /* last time a byte arrived */
	long long last_tx_ms;     /* last time the socket took a byte */
	long long rxgap, txgap;   /* longest gaps so far, ms */
	long long next_report_ms; /* next progress line */
	bool eof, shut;           /* peer's end of file seen; our half shut */
	char why[160];            /* first failure, empty when none */
};

static unsigned char txbuf[BUF_SIZE], rxbuf[BUF_SIZE], want[BUF_SIZE];

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000ll + t.tv_nsec / 1000000;
}

/* SplitMix64 (Steele, Lea, Flood 2014) of one 8-byte block: any offset of the stream is cheap. */
static uint64_t stream_word(uint64_t seed, uint64_t index)
{
	uint64_t z = seed + (index + 1) * 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Fill @buf with bytes [@off, @off + @n) of the stream of @seed (little-endian words). */
static void stream_fill(uint64_t seed, uint64_t off, unsigned char *buf, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint64_t w = stream_word(seed, (off + i) / 8);
		unsigned int b = (off + i) % 8;

		if (b == 0 && n - i >= 8) {
			memcpy(buf + i, &w, 8);
			i += 8;
			continue;
		}
		buf[i++] = (unsigned char)(w >> (8 * b));
	}
}

static void fail(struct xfer *x, const char *what, int err)
{
	if (!x->why[0])
		snprintf(x->why, sizeof(x->why), "%s: %s", what, err ? strerror(err) : "failed");
}

static void gap(long long *last, long long *longest, long long now)
{
	if (now - *last > *longest)
		*longest = now - *last;
	*last = now;
}

/* Receive what is there and compare it with the peer's stream. */
static void do_recv(int fd, struct xfer *x, const struct opts *o)
{
	ssize_t n = recv(fd, rxbuf, sizeof(rxbuf), 0);

	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			fail(x, "recv", errno);
		return;
	}
	if (n == 0) {
		x->eof = true;
		if (x->recvd != o->recv_bytes)
			fail(x, "early end of file", 0);
		return;
	}
	if ((uint64_t)n > o->recv_bytes - x->recvd) {
		fail(x, "more bytes than expected", 0);
		return;
	}
	stream_fill(o->recv_seed, x->recvd, want, n);
	if (memcmp(rxbuf, want, n)) {
		for (ssize_t i = 0; i < n; i++)
			if (rxbuf[i] != want[i]) {
				snprintf(x->why, sizeof(x->why), "data differs at byte %llu",
				         (unsigned long long)(x->recvd + i));
				break;
			}
		return;
	}
	x->recvd += n;
	gap(&x->last_rx_ms, &x->rxgap, now_ms());
}

/* Send as much of our stream as the socket takes; shut our half when done. */
static void do_send(int fd, struct xfer *x, const struct opts *o)
{
	uint64_t left = o->send_bytes - x->sent;
	size_t n = left < sizeof(txbuf) ? left : sizeof(txbuf);
	ssize_t got;

	if (n) {
		stream_fill(o->send_seed, x->sent, txbuf, n);
		got = send(fd, txbuf, n, MSG_NOSIGNAL);
		if (got < 0) {
			if (errno != EAGAIN && errno != EINTR)
				fail(x, "send", errno);
			return;
		}
		x->sent += got;
		gap(&x->last_tx_ms, &x->txgap, now_ms());
	}
	if (x->sent == o->send_bytes && !x->shut) {
		if (shutdown(fd, SHUT_WR))
			fail(x, "shutdown", errno);
		x->shut = true;
	}
}

static void report(const char *what, const struct xfer *x, long long now)
{
	long long rx = x->rxgap, tx = x->txgap;

	printf("netxfer: %s sent=%llu recv=%llu ms=%lld maxgap_ms=%lld rxgap_ms=%lld "
	       "txgap_ms=%lld%s%s\n",
	       what, (unsigned long long)x->sent, (unsigned long long)x->recvd, now - x->start_ms,
	       rx > tx ? rx : tx, rx, tx, x->why[0] ? " why=" : "", x->why);
	fflush(stdout);
}

/* Run one transfer on the connected socket @fd; returns 0 when it checked out. */
static int transfer(int fd, const struct opts *o)
{
	struct xfer x = { 0 };
	long long deadline, now;

	x.start_ms = x.last_rx_ms = x.last_tx_ms = now_ms();
	x.next_report_ms = x.start_ms + o->progress_s * 1000ll;
	deadline = x.start_ms + o->timeout_s * 1000ll;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	do_send(fd, &x, o); /* a zero-byte sender shuts its half at once */
	while (!x.why[0] && !(x.eof && x.shut)) {
		struct pollfd p = { .fd = fd, .events = x.eof ? 0 : POLLIN };

		if (!x.shut)
			p.events |= POLLOUT;
		if (poll(&p, 1, 1000) < 0 && errno != EINTR)
			fail(&x, "poll", errno);
		if (p.revents & (POLLIN | POLLHUP | POLLERR))
			do_recv(fd, &x, o);
		if (!x.why[0] && (p.revents & (POLLOUT | POLLERR)) && !x.shut)
			do_send(fd, &x, o);
		now = now_ms();
		/* The gap still open counts too: a transfer that ends in a stall reports it. */
		if (x.recvd < o->recv_bytes && now - x.last_rx_ms > x.rxgap)
			x.rxgap = now - x.last_rx_ms;
		if (!x.shut && now - x.last_tx_ms > x.txgap)
			x.txgap = now - x.last_tx_ms;
		if (now >= deadline)
			fail(&x, "timeout", 0);
		if (now >= x.next_report_ms) {
			report("progress", &x, now);
			x.next_report_ms = now + o->progress_s * 1000ll;
		}
	}
	report(x.why[0] ? "result=fail" : "result=ok", &x, now_ms());
	return x.why[0] ? -1 : 0;
}

/* Wait for one datagram on UDP port @port (any sender, any content). */
static int wait_go(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	char b[64];
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		printf("netxfer: result=fail why=go socket: %s\n", strerror(errno));
		return -1;
	}
	printf("netxfer: waiting for go on udp %d\n", port);
	fflush(stdout);
	if (recv(fd, b, sizeof(b), 0) < 0) {
		printf("netxfer: result=fail why=go recv: %s\n", strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static int parse_addr(const char *s, struct sockaddr_in *a)
{
	char host[64];
	const char *colon = strrchr(s, ':');

	if (!colon || colon - s >= (long)sizeof(host))
		return -1;
	memcpy(host, s, colon - s);
	host[colon - s] = 0;
	a->sin_family = AF_INET;
	a->sin_port = htons(atoi(colon + 1));
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

/* Connect, retrying refusals and unreachable answers until -w seconds pass. */
static int dial(const struct opts *o)
{
	struct sockaddr_in a;
	long long deadline = now_ms() + o->connect_wait_s * 1000ll;
	int fd, err = 0;

	if (parse_addr(o->connect_to, &a)) {
		printf("netxfer: result=fail why=bad address %s\n", o->connect_to);
		return -1;
	}
	while (now_ms() < deadline) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			break;
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			return fd;
		err = errno;
		close(fd);
		usleep(200 * 1000);
	}
	printf("netxfer: result=fail why=connect: %s\n", strerror(err ? err : errno));
	return -1;
}

/*
 * Close a connection only once the peer has acknowledged every byte and
 * the FIN (SO_LINGER, socket(7)): a plain close() returns with the tail
 * still in flight, and the guest's power-off after the last program would
 * then lose it on a lossy link.
 */
static void close_delivered(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 120 };

	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)))
		printf("netxfer: SO_LINGER: %s\n", strerror(errno));
	close(fd);
}

static int serve(const struct opts *o)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(o->listen_port) };
	int one = 1, lfd = socket(AF_INET, SOCK_STREAM, 0), bad = 0;

	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 16)) {
		printf("netxfer: result=fail why=listen: %s\n", strerror(errno));
		return 1;
	}
	printf("netxfer: listening on %d\n", o->listen_port);
	fflush(stdout);
	for (int i = 0; i < o->accept_count; i++) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		int fd = -1;

		/* Bounded like dial(): a peer that never comes ends the run, not the boot. */
		if (poll(&p, 1, o->connect_wait_s * 1000) > 0)
			fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			printf("netxfer: result=fail why=accept: %s\n",
			       p.revents ? strerror(errno) : "no connection in time");
			return 1;
		}
		bad |= transfer(fd, o);
		close_delivered(fd);
	}
	close(lfd);
	return bad ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr,
	        "usage: netxfer (-l PORT [-k COUNT] | -c ADDR:PORT [-w SECONDS]) [-s BYTES]\n"
	        "       [-r BYTES] [-S SEED] [-R SEED] [-t SECONDS] [-p SECONDS] [-g UDPPORT]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = { .accept_count = 1,
		          .send_seed = 1,
		          .recv_seed = 2,
		          .timeout_s = 600,
		          .connect_wait_s = 60,
		          .progress_s = 10 };
	int c, fd, rc;

	while ((c = getopt(argc, argv, "l:k:c:w:s:r:S:R:t:p:g:")) != -1) {
		switch (c) {
		case 'l':
			o.listen_port = atoi(optarg);
			break;
		case 'k':
			o.accept_count = atoi(optarg);
			break;
		case 'c':
			o.connect_to = optarg;
			break;
		case 'w':
			o.connect_wait_s = atoi(optarg);
			break;
		case 's':
			o.send_bytes = strtoull(optarg, NULL, 0);
			break;
		case 'r':
			o.recv_bytes = strtoull(optarg, NULL, 0);
			break;
		case 'S':
			o.send_seed = strtoull(optarg, NULL, 0);
			break;
		case 'R':
			o.recv_seed = strtoull(optarg, NULL, 0);
			break;
		case 't':
			o.timeout_s = atoi(optarg);
			break;
		case 'p':
			o.progress_s = atoi(optarg) > 0 ? atoi(optarg) : 10;
			break;
		case 'g':
			o.go_port = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (!o.connect_to == !o.listen_port)
		usage();
	if (o.go_port && wait_go(o.go_port))
		return 1;
	if (o.listen_port)
		return serve(&o);
	fd = dial(&o);
	if (fd < 0)
		return 1;
	rc = transfer(fd, &o);
	close_delivered(fd);
	return rc ? 1 : 0;
}
