// SPDX-License-Identifier: MIT
/*
 * The bootstrap of kv (kv_boot.h): an AF_UNIX socket carries the first
 * channel end with SCM_RIGHTS, then the socket is closed. Linux's unix(7)
 * and cmsg(3) describe the ancillary data used here.
 */
#include "kv_boot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cairn.h"

/* The one byte that goes with the handle: a version, so a later bootstrap can differ. */
#define KV_BOOT_HELLO 'K'

const char *kv_sock_path(void)
{
	const char *p = getenv("KV_SOCK");

	return p && *p ? p : KV_SOCK_DEFAULT;
}

static int kv_addr(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path))
		return -ENAMETOOLONG;
	strcpy(a->sun_path, path);
	return 0;
}

int kv_boot_listen(const char *path)
{
	struct sockaddr_un a;
	int fd, err = kv_addr(path, &a);

	if (err)
		return err;
	/* Non-blocking: a client gone between poll and accept must not stall kvd. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 16)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* Send @h on @sock with the hello byte. Returns 0 or -errno. */
static int kv_send_handle(int sock, int h)
{
	char hello = KV_BOOT_HELLO;
	struct iovec iov = { .iov_base = &hello, .iov_len = 1 };
	union {
		struct cmsghdr c;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = { .msg_iov = &iov,
		            .msg_iovlen = 1,
		            .msg_control = u.buf,
		            .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	memset(&u, 0, sizeof(u));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &h, sizeof(int));
	return sendmsg(sock, &m, MSG_NOSIGNAL) == 1 ? 0 : -errno;
}

int kv_boot_accept(int lfd)
{
	int32_t ch[2] = { -1, -1 };
	long client;
	int conn, err;

	conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return -errno;
	err = cairn_channel_create(ch, CAIRN_HANDLE_CLOEXEC);
	if (err)
		goto out_conn;
	/* The client gets only what the protocol needs: no DUPLICATE, TRANSFER or INSPECT. */
	client = cairn_handle_dup(ch[1], CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE | CAIRN_RIGHT_WAIT,
	                          CAIRN_HANDLE_CLOEXEC);
	close(ch[1]);
	if (client < 0) {
		err = (int)client;
		goto out_ch;
	}
	err = kv_send_handle(conn, (int)client);
	close((int)client);
	if (err)
		goto out_ch;
	close(conn);
	return ch[0];
out_ch:
	close(ch[0]);
out_conn:
	close(conn);
	return err;
}

/* Receive one handle and the hello byte on @sock. Returns it or -errno. */
static int kv_recv_handle(int sock)
{
	char hello = 0;
	struct iovec iov = { .iov_base = &hello, .iov_len = 1 };
	union {
		struct cmsghdr c;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = { .msg_iov = &iov,
		            .msg_iovlen = 1,
		            .msg_control = u.buf,
		            .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	ssize_t n;
	int h;

	n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int)))
		return n == 0 ? -ECONNRESET : -EPROTO;
	memcpy(&h, CMSG_DATA(c), sizeof(int));
	if (n != 1 || hello != KV_BOOT_HELLO) {
		close(h);
		return -EPROTO;
	}
	return h;
}

int kv_boot_connect(const char *path)
{
	struct sockaddr_un a;
	struct cairn_handle_info info;
	int fd, h, err = kv_addr(path, &a);

	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		err = -errno;
		close(fd);
		return err;
	}
	h = kv_recv_handle(fd);
	close(fd);
	if (h < 0)
		return h;
	/* Whatever came must be a channel end: the socket's owner could be anyone. */
	if (cairn_handle_info(h, &info) || info.type != CAIRN_OBJ_CHANNEL) {
		close(h);
		return -EPROTO;
	}
	return h;
}

int kv_boot_channel(void)
{
	const char *fd = getenv("KV_FD");
	struct cairn_handle_info info;
	char *end;
	long h;

	if (!fd || !*fd)
		return kv_boot_connect(kv_sock_path());
	h = strtol(fd, &end, 10);
	if (*end || h < 0 || h > 1 << 20)
		return -EBADF;
	/* It must be a channel end: the environment could say anything. */
	if (cairn_handle_info((int)h, &info) || info.type != CAIRN_OBJ_CHANNEL)
		return -EBADF;
	return (int)h;
}
