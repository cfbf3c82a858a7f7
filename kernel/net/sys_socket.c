// SPDX-License-Identifier: MIT
/*
 * The socket system calls that make, name and connect sockets: socket,
 * socketpair, bind, listen, accept, accept4, connect, shutdown,
 * getsockname and getpeername (socket(2) and friends, Linux's ABI). Every
 * argument is checked and copied here; the family's ops see kernel memory
 * only. Sending and receiving are in sys_socket_msg.c, options in
 * sys_sockopt.c.
 */
#include <cairn/errno.h>

#include "fs/file.h"
#include "mm/uaccess.h"
#include "net/socket.h"
#include "net/socket_internal.h"
#include "syscall/sys_fs.h"
#include "syscall/syscall.h"

int sockfd_get(int fd, struct file **fp, struct socket **out)
{
	struct file *f = fd_get_io(fd);

	if (!f)
		return -EBADF;
	*out = sock_from_file(f);
	if (!*out) {
		file_put(f);
		return -ENOTSOCK;
	}
	*fp = f;
	return 0;
}

int sock_addr_in(void *kaddr, const void *uaddr, int ulen)
{
	if (ulen < 0 || (unsigned)ulen > SOCKADDR_MAX)
		return -EINVAL;
	if (ulen && copy_from_user(kaddr, uaddr, (size_t)ulen))
		return -EFAULT;
	return 0;
}

int sock_addr_out(const void *kaddr, size_t klen, void *uaddr, int *ulenp)
{
	int ulen;

	if (!uaddr)
		return 0;
	if (copy_from_user(&ulen, ulenp, sizeof(ulen)))
		return -EFAULT;
	if (ulen < 0)
		return -EINVAL;
	if ((size_t)ulen > klen)
		ulen = (int)klen;
	if (ulen && copy_to_user(uaddr, kaddr, (size_t)ulen))
		return -EFAULT;
	ulen = (int)klen;
	if (copy_to_user(ulenp, &ulen, sizeof(ulen)))
		return -EFAULT;
	return 0;
}

long sys_socket(uint64_t family, uint64_t type, uint64_t protocol, uint64_t a3, uint64_t a4,
                uint64_t a5)
{
	int flags = (int)type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
	int t = (int)type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct socket *s;
	int err;

	/* Linux: flags beyond the two, or a type past SOCK_PACKET (SOCK_MAX is 11), are EINVAL. */
	if (t & ~SOCK_TYPE_MASK || t >= SOCK_TYPE_MAX)
		return -EINVAL;
	s = sock_create((int)family, t, (int)protocol, &err);
	if (!s)
		return err;
	return sock_install(s, flags);
}

/* Undo an fd_install() of the call (the descriptor is certainly open). */
static void sock_unfd(int fd)
{
	int err = fd_close(fdtable_current(), fd);

	(void)err;
}

long sys_socketpair(uint64_t family, uint64_t type, uint64_t protocol, uint64_t usv, uint64_t a4,
                    uint64_t a5)
{
	int flags = (int)type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
	int t = (int)type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct socket *a, *b;
	int fds[2];
	int err;

	if (t & ~SOCK_TYPE_MASK || t >= SOCK_TYPE_MAX)
		return -EINVAL;
	if (!user_range_ok(usv, sizeof(fds)))
		return -EFAULT;
	err = sock_create_pair((int)family, t, (int)protocol, &a, &b);
	if (err)
		return err;
	fds[0] = sock_install(a, flags);
	if (fds[0] < 0) {
		/* @b's release finds its peer gone, as after a close. */
		if (b->ops->release)
			b->ops->release(b);
		sock_free(b);
		return fds[0];
	}
	fds[1] = sock_install(b, flags);
	if (fds[1] < 0) {
		sock_unfd(fds[0]);
		return fds[1];
	}
	if (copy_to_user((void *)usv, fds, sizeof(fds))) {
		sock_unfd(fds[0]);
		sock_unfd(fds[1]);
		return -EFAULT;
	}
	return 0;
}

long sys_bind(uint64_t fd, uint64_t uaddr, uint64_t len, uint64_t a3, uint64_t a4, uint64_t a5)
{
	uint8_t addr[SOCKADDR_MAX];
	struct socket *s;
	struct file *f;
	long err;

	err = sock_addr_in(addr, (const void *)uaddr, (int)len);
	if (err)
		return err;
	err = sockfd_get((int)fd, &f, &s);
	if (err)
		return err;
	err = s->ops->bind ? s->ops->bind(s, addr, (size_t)(int)len) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

long sys_connect(uint64_t fd, uint64_t uaddr, uint64_t len, uint64_t a3, uint64_t a4, uint64_t a5)
{
	uint8_t addr[SOCKADDR_MAX];
	struct socket *s;
	struct file *f;
	long err;

	err = sock_addr_in(addr, (const void *)uaddr, (int)len);
	if (err)
		return err;
	err = sockfd_get((int)fd, &f, &s);
	if (err)
		return err;
	if (s->ops->connect)
		err = s->ops->connect(s, addr, (size_t)(int)len, sock_nonblock(f, 0));
	else
		err = -EOPNOTSUPP;
	file_put(f);
	return err;
}

long sys_listen(uint64_t fd, uint64_t backlog, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct socket *s;
	struct file *f;
	int b = (int)backlog;
	long err = sockfd_get((int)fd, &f, &s);

	if (err)
		return err;
	/* Linux clamps to net.core.somaxconn (4096); a negative backlog is taken as that too. */
	if (b < 0 || b > 4096)
		b = 4096;
	err = s->ops->listen ? s->ops->listen(s, b) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

/* The peer's address to user memory after accept(); a failure loses the connection as Linux's does. */
static int accept_name(struct socket *ns, uint64_t uaddr, uint64_t ulen)
{
	uint8_t addr[SOCKADDR_MAX];
	size_t len = SOCKADDR_MAX;
	int err;

	if (!uaddr)
		return 0;
	if (!ns->ops->getname)
		return -ENOTCONN;
	err = ns->ops->getname(ns, addr, &len, true);
	if (err)
		return err;
	return sock_addr_out(addr, len, (void *)uaddr, (int *)ulen);
}

long sys_accept4(uint64_t fd, uint64_t uaddr, uint64_t ulen, uint64_t flags, uint64_t a4,
                 uint64_t a5)
{
	struct socket *s, *ns;
	struct file *f;
	long err;
	int nfd;

	if (flags & ~(uint64_t)(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (uaddr && !user_range_ok(ulen, sizeof(int)))
		return -EFAULT;
	err = sockfd_get((int)fd, &f, &s);
	if (err)
		return err;
	err = s->ops->accept ? s->ops->accept(s, &ns, sock_nonblock(f, 0)) : -EOPNOTSUPP;
	file_put(f);
	if (err)
		return err;
	err = accept_name(ns, uaddr, ulen);
	if (err) {
		if (ns->ops->release)
			ns->ops->release(ns);
		sock_free(ns);
		return err;
	}
	nfd = sock_install(ns, (int)flags);
	return nfd;
}

long sys_accept(uint64_t fd, uint64_t uaddr, uint64_t ulen, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return sys_accept4(fd, uaddr, ulen, 0, 0, 0);
}

long sys_shutdown(uint64_t fd, uint64_t how, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct socket *s;
	struct file *f;
	long err;

	if ((int)how < SHUT_RD || (int)how > SHUT_RDWR)
		return -EINVAL;
	err = sockfd_get((int)fd, &f, &s);
	if (err)
		return err;
	err = s->ops->shutdown ? s->ops->shutdown(s, (int)how) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

static long getname(uint64_t fd, uint64_t uaddr, uint64_t ulen, bool peer)
{
	uint8_t addr[SOCKADDR_MAX];
	size_t len = SOCKADDR_MAX;
	struct socket *s;
	struct file *f;
	long err;

	if (!user_range_ok(ulen, sizeof(int)))
		return -EFAULT;
	err = sockfd_get((int)fd, &f, &s);
	if (err)
		return err;
	err = s->ops->getname ? s->ops->getname(s, addr, &len, peer) : -ENOTCONN;
	file_put(f);
	if (err)
		return err;
	if (!uaddr)
		return -EFAULT;
	return sock_addr_out(addr, len, (void *)uaddr, (int *)ulen);
}

long sys_getsockname(uint64_t fd, uint64_t uaddr, uint64_t ulen, uint64_t a3, uint64_t a4,
                     uint64_t a5)
{
	return getname(fd, uaddr, ulen, false);
}

long sys_getpeername(uint64_t fd, uint64_t uaddr, uint64_t ulen, uint64_t a3, uint64_t a4,
                     uint64_t a5)
{
	return getname(fd, uaddr, ulen, true);
}
