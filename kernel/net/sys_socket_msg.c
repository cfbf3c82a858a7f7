// SPDX-License-Identifier: MIT
/*
 * Sending and receiving: sendto, recvfrom, sendmsg, recvmsg, sendmmsg and
 * recvmmsg. The struct msghdr, its iovecs, its address and its control
 * data are copied in here (bounded: SOCKADDR_MAX, UIO_MAXIOV,
 * SOCK_CONTROL_MAX) and copied back out after the family's op; the data
 * itself moves between user memory and the family directly through a uio.
 */
#include <cairn/errno.h>

#include "fs/file.h"
#include "mm/heap.h"
#include "mm/uaccess.h"
#include "net/socket.h"
#include "net/socket_internal.h"
#include "syscall/syscall.h"

#define UIO_MAXIOV   1024       /* Linux's */
#define MAX_RW_COUNT 0x7ffff000 /* Linux's cap on one transfer: INT_MAX, page aligned */

/* struct msghdr and struct mmsghdr of the x86_64 ABI (include/linux/socket.h). */
struct user_msghdr {
	uint64_t name;
	int32_t namelen;
	uint32_t pad0;
	uint64_t iov;
	uint64_t iovlen;
	uint64_t control;
	uint64_t controllen;
	int32_t flags;
	uint32_t pad1;
};
_Static_assert(sizeof(struct user_msghdr) == 56, "struct msghdr is 56 bytes on x86_64");

struct user_mmsghdr {
	struct user_msghdr hdr;
	uint32_t len;
	uint32_t pad;
};
_Static_assert(sizeof(struct user_mmsghdr) == 64, "struct mmsghdr is 64 bytes on x86_64");

/* A message being moved: what the calls below fill and free. */
struct kmsg {
	struct sock_msg m;
	struct uio u;
	struct uio_seg one;   /* sendto/recvfrom's single buffer */
	struct uio_seg *segs; /* the iovecs (kfree) */
	uint8_t addr[SOCKADDR_MAX];
	void *control; /* kfree */
};

static void kmsg_free(struct kmsg *k)
{
	kfree(k->segs);
	kfree(k->control);
}

/*
 * Copy @cnt iovecs from user @uiov and build k->u over them; the total is
 * capped at MAX_RW_COUNT as Linux caps it. -EMSGSIZE past UIO_MAXIOV,
 * -EINVAL for a negative length, -EFAULT, -ENOMEM.
 */
static int kmsg_iov_in(struct kmsg *k, uint64_t uiov, uint64_t cnt)
{
	uint64_t total = 0;
	struct uio_seg *s;

	if (cnt > UIO_MAXIOV)
		return -EMSGSIZE;
	s = kmalloc_flags((cnt ? cnt : 1) * sizeof(*s), KM_MAY_FAIL);
	if (!s)
		return -ENOMEM;
	k->segs = s;
	/* struct iovec is {base, len}, as struct uio_seg. */
	if (cnt && copy_from_user(s, (const void *)uiov, cnt * sizeof(*s)))
		return -EFAULT;
	for (uint64_t i = 0; i < cnt; i++) {
		if ((int64_t)s[i].len < 0)
			return -EINVAL;
		if (!user_range_ok(s[i].base, s[i].len))
			return -EFAULT;
		if (total + s[i].len > MAX_RW_COUNT)
			s[i].len = MAX_RW_COUNT - total;
		total += s[i].len;
	}
	k->u = (struct uio){ .seg = s, .nseg = (unsigned)cnt, .resid = total, .user = true };
	k->m.data = &k->u;
	return 0;
}

/* Read a struct msghdr: the iovecs, and the address for sending. */
static int kmsg_hdr_in(struct kmsg *k, const struct user_msghdr *h, bool send)
{
	int err;

	if (h->namelen < 0)
		return -EINVAL;
	err = kmsg_iov_in(k, h->iov, h->iovlen);
	if (err)
		return err;
	if (h->controllen > INT32_MAX)
		return -ENOBUFS;
	if (!h->name)
		return 0;
	k->m.name = k->addr;
	k->m.namelen = (size_t)h->namelen > SOCKADDR_MAX ? SOCKADDR_MAX : (size_t)h->namelen;
	if (send) {
		if ((size_t)h->namelen > SOCKADDR_MAX)
			return -EINVAL;
		if (copy_from_user(k->addr, (const void *)h->name, k->m.namelen))
			return -EFAULT;
	}
	return 0;
}

/* sendmsg's control data into kernel memory (at most SOCK_CONTROL_MAX: -ENOBUFS). */
static int kmsg_control_in(struct kmsg *k, const struct user_msghdr *h)
{
	if (!h->controllen)
		return 0;
	if (h->controllen > SOCK_CONTROL_MAX)
		return -ENOBUFS;
	k->control = kmalloc_flags(h->controllen, KM_MAY_FAIL);
	if (!k->control)
		return -ENOMEM;
	if (copy_from_user(k->control, (const void *)h->control, h->controllen))
		return -EFAULT;
	k->m.control = k->control;
	k->m.controllen = h->controllen;
	return 0;
}

/* Room for recvmsg's control data, which the family fills. */
static int kmsg_control_room(struct kmsg *k, const struct user_msghdr *h)
{
	size_t n = h->controllen > SOCK_CONTROL_MAX ? SOCK_CONTROL_MAX : h->controllen;

	if (!n || !h->control)
		return 0;
	k->control = kmalloc_flags(n, KM_MAY_FAIL | KM_ZERO);
	if (!k->control)
		return -ENOMEM;
	k->m.control = k->control;
	k->m.controllen = n;
	return 0;
}

static long do_sendmsg(int fd, const struct user_msghdr *h, unsigned flags)
{
	struct kmsg k = { 0 };
	struct socket *s;
	struct file *f;
	long r;

	r = kmsg_hdr_in(&k, h, true);
	if (!r)
		r = kmsg_control_in(&k, h);
	if (!r)
		r = sockfd_get(fd, &f, &s);
	if (!r) {
		r = sock_sendmsg(f, s, &k.m, flags);
		file_put(f);
	}
	kmsg_free(&k);
	return r;
}

/* After a receive: the source address, the control data and the flags back to user memory. */
static int kmsg_out(struct kmsg *k, const struct user_msghdr *h, struct user_msghdr *uh)
{
	int32_t namelen = 0;
	uint64_t clen = k->control ? k->m.controllen : 0;
	int32_t oflags = (int32_t)k->m.out_flags;

	if (h->name && k->m.namelen) {
		size_t n = k->m.namelen < (size_t)h->namelen ? k->m.namelen : (size_t)h->namelen;

		if (copy_to_user((void *)h->name, k->addr, n))
			return -EFAULT;
		namelen = (int32_t)k->m.namelen;
	}
	if (clen && copy_to_user((void *)h->control, k->control, clen))
		return -EFAULT;
	if (copy_to_user(&uh->namelen, &namelen, sizeof(namelen)) ||
	    copy_to_user(&uh->controllen, &clen, sizeof(clen)) ||
	    copy_to_user(&uh->flags, &oflags, sizeof(oflags)))
		return -EFAULT;
	return 0;
}

static long do_recvmsg(int fd, struct user_msghdr *uh, unsigned flags)
{
	struct user_msghdr h;
	struct kmsg k = { 0 };
	struct socket *s;
	struct file *f;
	long r;

	if (copy_from_user(&h, uh, sizeof(h)))
		return -EFAULT;
	r = kmsg_hdr_in(&k, &h, false);
	if (!r)
		r = kmsg_control_room(&k, &h);
	if (!r)
		r = sockfd_get(fd, &f, &s);
	if (r)
		goto out;
	r = sock_recvmsg(f, s, &k.m, flags);
	file_put(f);
	if (r >= 0) {
		int err = kmsg_out(&k, &h, uh);

		if (err)
			r = err;
	}
out:
	kmsg_free(&k);
	return r;
}

long sys_sendmsg(uint64_t fd, uint64_t umsg, uint64_t flags, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct user_msghdr h;

	if (copy_from_user(&h, (const void *)umsg, sizeof(h)))
		return -EFAULT;
	return do_sendmsg((int)fd, &h, (unsigned)flags);
}

long sys_recvmsg(uint64_t fd, uint64_t umsg, uint64_t flags, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return do_recvmsg((int)fd, (struct user_msghdr *)umsg, (unsigned)flags);
}

long sys_sendto(uint64_t fd, uint64_t buf, uint64_t len, uint64_t flags, uint64_t uaddr,
                uint64_t alen)
{
	struct kmsg k = { 0 };
	struct socket *s;
	struct file *f;
	long r;

	if (len > MAX_RW_COUNT)
		len = MAX_RW_COUNT;
	if (!user_range_ok(buf, len))
		return -EFAULT;
	uio_init1(&k.u, &k.one, buf, len, true);
	k.m.data = &k.u;
	if (uaddr) {
		r = sock_addr_in(k.addr, (const void *)uaddr, (int)alen);
		if (r)
			return r;
		k.m.name = k.addr;
		k.m.namelen = (size_t)(int)alen;
	}
	r = sockfd_get((int)fd, &f, &s);
	if (r)
		return r;
	r = sock_sendmsg(f, s, &k.m, (unsigned)flags);
	file_put(f);
	return r;
}

long sys_recvfrom(uint64_t fd, uint64_t buf, uint64_t len, uint64_t flags, uint64_t uaddr,
                  uint64_t ualen)
{
	struct kmsg k = { 0 };
	struct socket *s;
	struct file *f;
	long r;

	if (len > MAX_RW_COUNT)
		len = MAX_RW_COUNT;
	if (!user_range_ok(buf, len))
		return -EFAULT;
	uio_init1(&k.u, &k.one, buf, len, true);
	k.m.data = &k.u;
	if (uaddr) {
		k.m.name = k.addr;
		k.m.namelen = SOCKADDR_MAX;
	}
	r = sockfd_get((int)fd, &f, &s);
	if (r)
		return r;
	r = sock_recvmsg(f, s, &k.m, (unsigned)flags);
	file_put(f);
	if (r >= 0 && uaddr) {
		int err = sock_addr_out(k.addr, k.m.namelen, (void *)uaddr, (int *)ualen);

		if (err)
			return err;
	}
	return r;
}

long sys_sendmmsg(uint64_t fd, uint64_t uvec, uint64_t vlen, uint64_t flags, uint64_t a4,
                  uint64_t a5)
{
	struct user_mmsghdr *uv = (struct user_mmsghdr *)uvec;
	unsigned n = (unsigned)vlen > UIO_MAXIOV ? UIO_MAXIOV : (unsigned)vlen;
	unsigned i;
	long r = 0;

	for (i = 0; i < n; i++) {
		struct user_msghdr h;
		uint32_t sent;

		if (copy_from_user(&h, &uv[i].hdr, sizeof(h))) {
			r = -EFAULT;
			break;
		}
		r = do_sendmsg((int)fd, &h, (unsigned)flags);
		if (r < 0)
			break;
		sent = (uint32_t)r;
		if (copy_to_user(&uv[i].len, &sent, sizeof(sent))) {
			r = -EFAULT;
			break;
		}
	}
	/* As Linux: the count of messages sent when any was, else the error. */
	return i ? (long)i : r;
}

long sys_recvmmsg(uint64_t fd, uint64_t uvec, uint64_t vlen, uint64_t flags, uint64_t utimeout,
                  uint64_t a5)
{
	struct user_mmsghdr *uv = (struct user_mmsghdr *)uvec;
	unsigned n = (unsigned)vlen > UIO_MAXIOV ? UIO_MAXIOV : (unsigned)vlen;
	unsigned fl = (unsigned)flags & ~(unsigned)MSG_WAITFORONE;
	unsigned i;
	long r = 0;

	/* The timeout is checked only between messages by Linux too; we do not take it. */
	(void)utimeout;
	for (i = 0; i < n; i++) {
		uint32_t got;

		r = do_recvmsg((int)fd, &uv[i].hdr, fl);
		if (r < 0)
			break;
		got = (uint32_t)r;
		if (copy_to_user(&uv[i].len, &got, sizeof(got))) {
			r = -EFAULT;
			break;
		}
		if ((unsigned)flags & MSG_WAITFORONE)
			fl |= MSG_DONTWAIT;
	}
	return i ? (long)i : r;
}
