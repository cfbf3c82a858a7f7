// SPDX-License-Identifier: MIT
/*
 * AF_UNIX round trip (issue 15's comparison for channels): a client and a
 * server ping-pong N bytes over one socketpair(AF_UNIX, SOCK_STREAM), N =
 * 1 byte, 64 bytes and 4 KiB; and 1 byte carrying one descriptor each way
 * (SCM_RIGHTS), which the sender closes once sent so that the descriptor
 * moves, as a handle through a channel does. The descriptor is a pipe's
 * read end. Placements: user/lib/pingpong.h.
 */
#include <string.h>
#include <sys/socket.h>

#include "pingpong.h"

#define BIG 4096

struct ux {
	int sv[2];   /* [0] the client's end, [1] the server's */
	size_t n;    /* bytes each way */
	int pass_fd; /* carry one descriptor each way */
	int carry;   /* the client's descriptor to send next */
	int spare;   /* the pipe's write end, kept so the pipe lives */
	char cbuf[BIG], sbuf[BIG];
};

static int read_full(int fd, char *b, size_t n)
{
	ssize_t r;

	while (n) {
		r = read(fd, b, n);
		if (r <= 0)
			return 0;
		b += r;
		n -= (size_t)r;
	}
	return 1;
}

/* Send one byte with descriptor @fd; 1 on success. */
static int send_fd(int sock, int fd)
{
	char c = 'x', cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *h;

	memset(cbuf, 0, sizeof(cbuf));
	m.msg_control = cbuf;
	m.msg_controllen = sizeof(cbuf);
	h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof(int));
	return sendmsg(sock, &m, 0) == 1;
}

/* Receive one byte and the descriptor it carries; the descriptor or -1. */
static int recv_fd(int sock)
{
	char c, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *h;
	int fd;

	m.msg_control = cbuf;
	m.msg_controllen = sizeof(cbuf);
	if (recvmsg(sock, &m, 0) != 1)
		return -1;
	h = CMSG_FIRSTHDR(&m);
	if (!h || h->cmsg_type != SCM_RIGHTS || h->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(&fd, CMSG_DATA(h), sizeof(int));
	return fd;
}

static int ux_open(void *ctx)
{
	struct ux *u = ctx;
	int p[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, u->sv))
		return -1;
	u->carry = u->spare = -1;
	if (!u->pass_fd)
		return 0;
	if (pipe(p))
		return -1;
	u->carry = p[0];
	u->spare = p[1];
	return 0;
}

static void ux_keep(void *ctx, int server)
{
	struct ux *u = ctx;

	close(u->sv[server ? 0 : 1]);
	if (server && u->carry >= 0)
		close(u->carry);
	if (server && u->spare >= 0)
		close(u->spare);
}

static long ux_client(void *ctx, long iters)
{
	struct ux *u = ctx;
	long i;

	for (i = 0; i < iters; i++) {
		if (u->pass_fd) {
			if (!send_fd(u->sv[0], u->carry))
				break;
			close(u->carry);
			u->carry = recv_fd(u->sv[0]);
			if (u->carry < 0)
				break;
		} else if (write(u->sv[0], u->cbuf, u->n) != (ssize_t)u->n ||
		           !read_full(u->sv[0], u->cbuf, u->n)) {
			break;
		}
	}
	return i;
}

static void ux_serve(void *ctx)
{
	struct ux *u = ctx;
	int fd;

	for (;;) {
		if (u->pass_fd) {
			fd = recv_fd(u->sv[1]);
			if (fd < 0 || !send_fd(u->sv[1], fd))
				return;
			close(fd);
		} else if (!read_full(u->sv[1], u->sbuf, u->n) ||
		           write(u->sv[1], u->sbuf, u->n) != (ssize_t)u->n) {
			return;
		}
	}
}

static void ux_close(void *ctx, int server)
{
	struct ux *u = ctx;

	/* The client's side owns the descriptors (the threads share them). */
	close(u->sv[server ? 1 : 0]);
	if (server)
		return;
	if (u->carry >= 0)
		close(u->carry);
	if (u->spare >= 0)
		close(u->spare);
}

static const struct pp_transport ux_ops = { ux_open, ux_keep, ux_client, ux_serve, ux_close };

int main(void)
{
	static struct ux u;
	static const struct {
		const char *name;
		size_t n;
		int pass_fd;
	} figs[] = {
		{ "unix-1B", 1, 0 },
		{ "unix-64B", 64, 0 },
		{ "unix-4KiB", BIG, 0 },
		{ "unix-1fd", 1, 1 },
	};
	unsigned i;

	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < sizeof(figs) / sizeof(figs[0]); i++) {
		u.n = figs[i].n;
		u.pass_fd = figs[i].pass_fd;
		pp_figure(figs[i].name, &ux_ops, &u);
	}
	return 0;
}
