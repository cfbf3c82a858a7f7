// SPDX-License-Identifier: MIT
/*
 * Helpers the AF_UNIX user tests (user/tests/unix_*.c) share: the names
 * of the network's errno values (tap.h knows the file system's), socket
 * addresses by path or abstract name with the exact lengths unix(7)
 * describes, and passing descriptors with SCM_RIGHTS. Header-only, like
 * tap.h.
 */
#pragma once

#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "utest.h"

/* The errno's name: the network's here, the rest from tap.h. */
__attribute__((unused)) static const char *ux_errno_name(int e)
{
	static const struct {
		int num;
		const char *name;
	} names[] = {
		{ EDESTADDRREQ, "EDESTADDRREQ" },
		{ EMSGSIZE, "EMSGSIZE" },
		{ EPROTOTYPE, "EPROTOTYPE" },
		{ ENOPROTOOPT, "ENOPROTOOPT" },
		{ EPROTONOSUPPORT, "EPROTONOSUPPORT" },
		{ ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT" },
		{ EAFNOSUPPORT, "EAFNOSUPPORT" },
		{ EADDRINUSE, "EADDRINUSE" },
		{ EADDRNOTAVAIL, "EADDRNOTAVAIL" },
		{ ECONNABORTED, "ECONNABORTED" },
		{ ECONNRESET, "ECONNRESET" },
		{ ENOBUFS, "ENOBUFS" },
		{ EISCONN, "EISCONN" },
		{ ENOTCONN, "ENOTCONN" },
		{ ESHUTDOWN, "ESHUTDOWN" },
		{ ETOOMANYREFS, "ETOOMANYREFS" },
		{ ECONNREFUSED, "ECONNREFUSED" },
		{ EALREADY, "EALREADY" },
		{ EINPROGRESS, "EINPROGRESS" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].num == e)
			return names[i].name;
	return tap_errno_name(e);
}

/* As tap_errno(), with the network's names. */
__attribute__((unused)) static bool ux_errno(long got, int want, const char *what)
{
	int e = got == -1 ? errno : 0;

	return tap_ok(e == want, "%s: %s", what, ux_errno_name(e));
}

/* A path address; returns the length bind/connect take (the path's NUL included). */
__attribute__((unused)) static socklen_t ux_path(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path, path, strnlen(path, sizeof(a->sun_path)));
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

/* An abstract address: a NUL, then @name (not NUL-terminated: the length says where it ends). */
__attribute__((unused)) static socklen_t ux_abstract(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path + 1, name, strlen(name));
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

/*
 * Send @n descriptors and one byte @c over @sock. Returns sendmsg's
 * result. The system call itself: musl's sendmsg() copies the control
 * data into a buffer of its own and fails with ENOMEM before the kernel
 * sees SCM_MAX_FD descriptors.
 */
__attribute__((unused)) static ssize_t ux_send_fds(int sock, const int *fds, int n, char c)
{
	char ctl[CMSG_SPACE(sizeof(int) * 256)];
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr mh;
	struct cmsghdr *cm;

	memset(&mh, 0, sizeof(mh)); /* musl's padding words too */
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	memset(ctl, 0, sizeof(ctl));
	mh.msg_control = ctl;
	mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
	memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)n);
	return syscall(SYS_sendmsg, sock, &mh, 0);
}

/*
 * Receive one byte and up to @max descriptors into @fds with a control
 * buffer of @ctllen bytes (0: room for @max); *@n gets how many came,
 * *@flags the message flags. Returns recvmsg's result.
 */
__attribute__((unused)) static ssize_t ux_recv_fds(int sock, int *fds, int max, int *n,
                                                   size_t ctllen, int rflags, int *flags)
{
	char ctl[CMSG_SPACE(sizeof(int) * 256)];
	char c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl };
	struct cmsghdr *cm;
	ssize_t r;

	memset(ctl, 0, sizeof(ctl));
	mh.msg_controllen = ctllen ? ctllen : CMSG_SPACE(sizeof(int) * (size_t)max);
	*n = 0;
	r = recvmsg(sock, &mh, rflags);
	*flags = mh.msg_flags;
	if (r < 0)
		return r;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		int k = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));

		for (int i = 0; i < k && *n < max; i++)
			memcpy(&fds[(*n)++], CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
	}
	return r;
}

/* Make /tmp for the tests' socket files (the test initramfs may lack it). */
__attribute__((unused)) static void ux_tmp(void)
{
	mkdir("/tmp", 01777);
}
