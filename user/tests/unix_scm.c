// SPDX-License-Identifier: MIT
/*
 * Control messages on AF_UNIX sockets (unix(7), cmsg(3)), compared with
 * Linux: SCM_RIGHTS passing a pipe end and an open file (its offset
 * shared), to another process; MSG_CMSG_CLOEXEC; a short control buffer
 * (MSG_CTRUNC, the files that did not fit closed); a read() that drops
 * them; MSG_PEEK handing out duplicates; 253 descriptors (SCM_MAX_FD) and
 * one more (EINVAL); bad descriptors (EBADF); a socket sent over itself
 * and closed; where a stream read stops around files; SCM_CREDENTIALS with
 * SO_PASSCRED, explicit credentials and forged ones (EPERM); malformed
 * control data.
 */
#include <fcntl.h>
#include <signal.h>

#include "unixsock.h"

/* Whether @fd is open. */
static bool is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

static void pass_pipe_and_file(void)
{
	int sv[2], p[2], fd, got[4], n, flags;
	char buf[16];
	pid_t pid;

	tap_ok(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	tap_ok(pipe(p) == 0, "pipe");
	fd = open("/tmp/ux_scm_file", O_RDWR | O_CREAT | O_TRUNC, 0600);
	tap_ok(fd >= 0 && write(fd, "0123456789", 10) == 10 && lseek(fd, 2, SEEK_SET) == 2,
	       "a file at offset 2");
	pid = fork();
	if (pid == 0) {
		int in[2], k, fl;

		close(sv[0]);
		if (ux_recv_fds(sv[1], in, 2, &k, 0, 0, &fl) != 1 || k != 2)
			_exit(1);
		if (write(in[0], "via pipe", 8) != 8)
			_exit(2);
		if (read(in[1], buf, 3) != 3 || memcmp(buf, "234", 3))
			_exit(3);
		_exit(0);
	}
	close(sv[1]);
	int two[2] = { p[1], fd };
	tap_ok(ux_send_fds(sv[0], two, 2, 'x') == 1, "send a pipe's write end and the file");
	tap_ok(ut_wait(pid) == 0, "the child wrote to the pipe and read the file");
	tap_ok(read(p[0], buf, 8) == 8 && !memcmp(buf, "via pipe", 8),
	       "the pipe carried its bytes");
	tap_ok(lseek(fd, 0, SEEK_CUR) == 5, "the file's offset moved: one open description");
	close(sv[0]);

	tap_ok(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "a datagram socketpair");
	tap_ok(ux_send_fds(sv[0], &fd, 1, 'y') == 1, "send the file");
	tap_ok(ux_recv_fds(sv[1], got, 1, &n, 0, MSG_CMSG_CLOEXEC, &flags) == 1 && n == 1,
	       "receive it with MSG_CMSG_CLOEXEC");
	tap_ok(fcntl(got[0], F_GETFD) == FD_CLOEXEC, "close-on-exec is set");
	tap_ok(lseek(got[0], 0, SEEK_CUR) == 5, "the same description");
	close(got[0]);
	tap_ok(ux_send_fds(sv[0], &fd, 1, 'z') == 1, "again");
	tap_ok(ux_recv_fds(sv[1], got, 1, &n, 0, 0, &flags) == 1 && n == 1, "without the flag");
	tap_ok(fcntl(got[0], F_GETFD) == 0, "close-on-exec is clear");
	close(got[0]);
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
	close(fd);
	unlink("/tmp/ux_scm_file");
}

static void truncation(void)
{
	int sv[2], fds[3], got[3], n, flags, before;
	char c;

	tap_ok(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair");
	before = dup(0);
	close(before);
	for (int i = 0; i < 3; i++)
		fds[i] = dup(1);
	tap_ok(ux_send_fds(sv[0], fds, 3, 'a') == 1, "send 3 descriptors");
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	tap_ok(ux_recv_fds(sv[1], got, 3, &n, CMSG_SPACE(sizeof(int)), 0, &flags) == 1,
	       "receive with room for one");
	/* CMSG_SPACE(sizeof(int)) has padding: room for two, as Linux counts it. */
	tap_ok(n == 2 && (flags & MSG_CTRUNC), "two came, MSG_CTRUNC (%d, 0x%x)", n, flags);
	tap_ok(got[0] == before && got[1] == before + 1, "at the lowest free descriptors");
	tap_ok(!is_open(before + 2), "the third was closed");
	close(got[0]);
	close(got[1]);
	for (int i = 0; i < 3; i++)
		fds[i] = dup(1);
	tap_ok(ux_send_fds(sv[0], fds, 3, 'b') == 1, "send 3 again");
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	tap_ok(read(sv[1], &c, 1) == 1 && c == 'b', "read() the byte");
	tap_ok(!is_open(before) && !is_open(before + 1) && !is_open(before + 2),
	       "the descriptors were dropped");
	fds[0] = dup(1);
	tap_ok(ux_send_fds(sv[0], fds, 1, 'c') == 1, "send one");
	close(fds[0]);
	tap_ok(ux_recv_fds(sv[1], got, 1, &n, 8, 0, &flags) == 1, "a buffer smaller than a header");
	tap_ok(n == 0 && (flags & MSG_CTRUNC) && !is_open(before), "MSG_CTRUNC, nothing installed");
	close(sv[0]);
	close(sv[1]);
}

static void peek_and_limits(void)
{
	int sv[2], got[256], many[254], n, flags, i, nul, pp[2];
	char c;
	struct msghdr mh;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	char ctl[CMSG_SPACE(sizeof(int))];
	struct cmsghdr *cm;

	tap_ok(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair");
	tap_ok(pipe(pp) == 0, "a pipe");
	nul = pp[0];
	tap_ok(ux_send_fds(sv[0], &nul, 1, 'p') == 1, "send its read end");
	tap_ok(ux_recv_fds(sv[1], got, 1, &n, 0, MSG_PEEK, &flags) == 1 && n == 1,
	       "MSG_PEEK: a duplicate");
	tap_ok(ux_recv_fds(sv[1], &got[1], 1, &n, 0, 0, &flags) == 1 && n == 1,
	       "then the real one");
	tap_ok(got[0] != got[1] && is_open(got[0]) && is_open(got[1]), "two descriptors");
	close(got[0]);
	close(got[1]);
	for (i = 0; i < 254; i++)
		many[i] = nul;
	tap_ok(ux_send_fds(sv[0], many, 253, 'm') == 1, "253 descriptors in one message");
	tap_ok(ux_recv_fds(sv[1], got, 256, &n, 0, 0, &flags) == 1 && n == 253 && !flags,
	       "all 253 arrive");
	for (i = 0; i < n; i++)
		close(got[i]);
	ux_errno(ux_send_fds(sv[0], many, 254, 'm'), EINVAL, "254: EINVAL");
	many[1] = 999;
	ux_errno(ux_send_fds(sv[0], many, 2, 'm'), EBADF, "a bad descriptor: EBADF");
	ux_errno(recv(sv[1], &c, 1, MSG_DONTWAIT), EAGAIN, "nothing was sent");

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl;
	mh.msg_controllen = sizeof(ctl);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = 77;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	ux_errno(sendmsg(sv[0], &mh, 0), EINVAL, "an unknown SOL_SOCKET type: EINVAL");
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = sizeof(ctl) + 8;
	ux_errno(sendmsg(sv[0], &mh, 0), EINVAL, "cmsg_len past the buffer: EINVAL");
	cm->cmsg_len = 4;
	ux_errno(sendmsg(sv[0], &mh, 0), EINVAL, "cmsg_len below a header: EINVAL");
	cm->cmsg_level = 6; /* IPPROTO_TCP: not ours, skipped */
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	tap_ok(sendmsg(sv[0], &mh, 0) == 1, "another level is skipped");
	mh.msg_controllen = 8;
	tap_ok(sendmsg(sv[0], &mh, 0) == 1, "a buffer shorter than a header is ignored");
	mh.msg_control = (void *)16;
	mh.msg_controllen = sizeof(ctl);
	/* The system call itself: musl's sendmsg() would copy the control data first. */
	ux_errno(syscall(SYS_sendmsg, sv[0], &mh, 0), EFAULT, "control at a bad address: EFAULT");
	close(pp[0]);
	close(pp[1]);
	close(sv[0]);
	close(sv[1]);
}

static void sockets_in_flight(void)
{
	int sv[2], s2[2], got, n, flags;
	char buf[8];

	tap_ok(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	tap_ok(ux_send_fds(sv[0], &sv[0], 1, 's') == 1, "send a socket over itself");
	close(sv[0]);
	close(sv[1]); /* the in-flight socket goes with the queue that holds it */
	tap_ok(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	tap_ok(socketpair(AF_UNIX, SOCK_STREAM, 0, s2) == 0, "another");
	tap_ok(ux_send_fds(sv[0], &s2[1], 1, 't') == 1, "send one end of the other pair");
	close(s2[1]);
	tap_ok(ux_recv_fds(sv[1], &got, 1, &n, 0, 0, &flags) == 1 && n == 1, "receive it");
	tap_ok(write(s2[0], "over", 4) == 4 && read(got, buf, 4) == 4 && !memcmp(buf, "over", 4),
	       "it still talks to its peer");
	close(got);
	close(s2[0]);

	/* A stream read takes bytes across messages but stops after one with files. */
	tap_ok(write(sv[0], "ab", 2) == 2, "plain bytes");
	tap_ok(ux_send_fds(sv[0], &sv[0], 1, 'c') == 1, "a byte with a descriptor");
	tap_ok(write(sv[0], "de", 2) == 2, "more plain bytes");
	{
		char ctl[CMSG_SPACE(sizeof(int))];
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = { .msg_iov = &iov,
			             .msg_iovlen = 1,
			             .msg_control = ctl,
			             .msg_controllen = sizeof(ctl) };
		ssize_t r = recvmsg(sv[1], &mh, 0);

		tap_ok(r == 3 && !memcmp(buf, "abc", 3), "the first read: \"abc\" (%zd)", r);
		tap_ok(mh.msg_controllen == CMSG_SPACE(sizeof(int)), "with the descriptor");
		memcpy(&got, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof(int));
		close(got);
	}
	tap_ok(read(sv[1], buf, sizeof(buf)) == 2, "the second: the rest");
	close(sv[0]);
	close(sv[1]);
}

/* The SCM_CREDENTIALS of one received message, via @fd; false if none. */
static bool recv_creds(int fd, struct ucred *uc)
{
	char ctl[CMSG_SPACE(sizeof(struct ucred))], c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)
	};
	struct cmsghdr *cm;

	if (recvmsg(fd, &mh, 0) != 1)
		return false;
	cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_type != SCM_CREDENTIALS || cm->cmsg_len != CMSG_LEN(sizeof(*uc)))
		return false;
	memcpy(uc, CMSG_DATA(cm), sizeof(*uc));
	return true;
}

static ssize_t send_creds(int fd, const struct ucred *uc)
{
	char ctl[CMSG_SPACE(sizeof(struct ucred))], c = 'c';
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_CREDENTIALS;
	cm->cmsg_len = CMSG_LEN(sizeof(*uc));
	memcpy(CMSG_DATA(cm), uc, sizeof(*uc));
	return sendmsg(fd, &mh, 0);
}

static int forge(void *arg)
{
	int fd = *(int *)arg;
	struct ucred uc = { .pid = getpid(), .uid = 0, .gid = 0 };

	if (setgid(1234) || setuid(1234))
		return 1;
	if (send_creds(fd, &uc) != -1 || errno != EPERM)
		return 2;
	uc.uid = 1234;
	uc.gid = 1234;
	if (send_creds(fd, &uc) != 1)
		return 3;
	uc.pid = 1;
	return send_creds(fd, &uc) == -1 && errno == EPERM ? 0 : 4;
}

static void credentials(void)
{
	int sv[2], on = 1, r;
	struct ucred uc, mine = { .pid = getpid(), .uid = getuid(), .gid = getgid() };

	tap_ok(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair");
	tap_ok(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) == 0, "SO_PASSCRED");
	tap_ok(send(sv[0], "x", 1, 0) == 1, "a plain send");
	tap_ok(recv_creds(sv[1], &uc), "SCM_CREDENTIALS arrive");
	tap_ok(uc.pid == mine.pid && uc.uid == mine.uid && uc.gid == mine.gid, "our pid and ids");
	uc = (struct ucred){ .pid = 1, .uid = 77, .gid = 88 };
	tap_ok(send_creds(sv[0], &uc) == 1, "root sends any credentials");
	tap_ok(recv_creds(sv[1], &uc) && uc.pid == 1 && uc.uid == 77 && uc.gid == 88,
	       "and they arrive as sent");
	r = ut_in_child(forge, &sv[0]);
	tap_ok(r == 0, "another user may send only its own (%s)", ut_status(r));
	tap_ok(recv_creds(sv[1], &uc) && uc.uid == 1234 && uc.gid == 1234, "which arrive");
	close(sv[0]);
	close(sv[1]);
	tap_ok(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "a stream socketpair");
	tap_ok(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) == 0, "SO_PASSCRED");
	tap_ok(write(sv[0], "y", 1) == 1 && recv_creds(sv[1], &uc) && uc.pid == getpid(),
	       "a stream read carries them too");
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	signal(SIGPIPE, SIG_DFL);
	ux_tmp();
	pass_pipe_and_file();
	truncation();
	peek_and_limits();
	sockets_in_flight();
	credentials();
	tap_plan(tap_count);
	return tap_done(tap_count);
}
