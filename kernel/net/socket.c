// SPDX-License-Identifier: MIT
/*
 * The socket layer: struct socket, the registry of address families, the
 * file every socket is (read and write as recv and send, poll, ioctl,
 * release), and sock_wait(), the one way a family blocks. The system
 * calls are in sys_socket*.c; the families in kernel/net/inet_sock.c,
 * tcp_sock.c, udp.c, raw.c and the unix files. docs/sockets.md has the whole picture.
 */
#include "net/socket.h"

#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/signal.h>
#include <cairn/linux/stat.h>

#include "fs/file.h"
#include "fs/poll.h"
#include "mm/heap.h"
#include "net/socket_internal.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include "sched/spinlock.h"
#include "time/time.h"

#define SOCK_FAMILY_MAX 48 /* Linux's AF_MAX (46) and a little room */

/* Linux's net.core.wmem_default and rmem_default. */
#define SOCK_BUF_DEFAULT 212992

/* The registered families by number; set at boot, read without a lock afterwards. [a] */
static const struct sock_family *families[SOCK_FAMILY_MAX];

static const struct file_ops sock_fops;

static long sockets_alive; /* [a] */

long sock_count(void)
{
	return __atomic_load_n(&sockets_alive, __ATOMIC_RELAXED);
}

void sock_register_family(const struct sock_family *f)
{
	if (f->family <= 0 || f->family >= SOCK_FAMILY_MAX)
		return;
	__atomic_store_n(&families[f->family], f, __ATOMIC_RELEASE);
}

static const struct sock_family *sock_family_get(int family)
{
	if (family <= 0 || family >= SOCK_FAMILY_MAX)
		return NULL;
	return __atomic_load_n(&families[family], __ATOMIC_ACQUIRE);
}

struct socket *sock_alloc(int family, int type, int protocol, const struct sock_ops *ops,
                          void *priv)
{
	struct socket *s = kmalloc_flags(sizeof(*s), KM_MAY_FAIL | KM_ZERO);

	if (!s)
		return NULL;
	__atomic_fetch_add(&sockets_alive, 1, __ATOMIC_RELAXED);
	s->family = family;
	s->type = type;
	s->protocol = protocol;
	s->ops = ops;
	s->priv = priv;
	waitq_init(&s->wq, "socket");
	mutex_init(&s->lock, "socket");
	s->sndbuf = SOCK_BUF_DEFAULT;
	s->rcvbuf = SOCK_BUF_DEFAULT;
	s->linger_s = -1;
	return s;
}

void sock_free(struct socket *s)
{
	if (s)
		__atomic_fetch_sub(&sockets_alive, 1, __ATOMIC_RELAXED);
	kfree(s);
}

/* socket(2)'s checks and the family's constructor, before any file exists. */
struct socket *sock_create(int family, int type, int protocol, int *err)
{
	const struct sock_family *fam = sock_family_get(family);
	struct socket *s;

	if (!fam) {
		*err = -EAFNOSUPPORT;
		return NULL;
	}
	s = sock_alloc(family, type, protocol, NULL, NULL);
	if (!s) {
		*err = -ENOMEM;
		return NULL;
	}
	*err = fam->create(s, type, protocol);
	if (*err) {
		sock_free(s);
		return NULL;
	}
	return s;
}

/* socketpair(): two sockets the family connects. */
int sock_create_pair(int family, int type, int protocol, struct socket **a, struct socket **b)
{
	const struct sock_family *fam = sock_family_get(family);
	int err;

	if (!fam)
		return -EAFNOSUPPORT;
	*a = sock_create(family, type, protocol, &err);
	if (!*a)
		return err;
	*b = sock_create(family, type, protocol, &err);
	if (!*b)
		goto out_release_a;
	err = fam->pair ? fam->pair(*a, *b) : -EOPNOTSUPP;
	if (!err)
		return 0;
	if ((*b)->ops && (*b)->ops->release)
		(*b)->ops->release(*b);
	sock_free(*b);
out_release_a:
	if ((*a)->ops && (*a)->ops->release)
		(*a)->ops->release(*a);
	sock_free(*a);
	return err;
}

struct socket *sock_from_file(struct file *f)
{
	return f && f->ops == &sock_fops ? f->priv : NULL;
}

int sock_install(struct socket *s, int flags)
{
	unsigned oflags = O_RDWR | ((flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0);
	struct file *f;
	int fd;

	f = file_alloc_anon(&sock_fops, s, oflags, S_IFSOCK | 0777, "socket");
	if (IS_ERR_PTR(f)) {
		if (s->ops && s->ops->release)
			s->ops->release(s);
		sock_free(s);
		return (int)PTR_ERR_VAL(f);
	}
	s->file = f;
	fd = fd_install(fdtable_current(), f, 0, flags & SOCK_CLOEXEC);
	if (fd < 0)
		file_put(f); /* the release frees the socket */
	return fd;
}

bool sock_nonblock(struct file *f, unsigned flags)
{
	return (flags & MSG_DONTWAIT) ||
	       (__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & O_NONBLOCK);
}

/*
 * EPIPE: SIGPIPE to the calling thread as Linux's send_sig(SIGPIPE,
 * current, 0) does, unless MSG_NOSIGNAL.
 */
static void sock_sigpipe(void)
{
	struct thread *t = thread_current();
	struct ksiginfo info = { .signo = SIGPIPE, .code = SI_USER };

	if (!t)
		return;
	info.pid = t->proc->pid;
	info.uid = __atomic_load_n(&t->proc->cred.uid, __ATOMIC_RELAXED);
	(void)signal_send_thread(t, SIGPIPE, &info);
}

long sock_sendmsg(struct file *f, struct socket *s, struct sock_msg *m, unsigned flags)
{
	long r;

	if (!s->ops->sendmsg)
		return -EOPNOTSUPP;
	r = s->ops->sendmsg(s, m, flags, sock_nonblock(f, flags));
	/* SIGPIPE only where Linux raises it: stream sockets (udp/raw and unix dgram do not). */
	if (r == -EPIPE && !(flags & MSG_NOSIGNAL) && s->type == SOCK_STREAM)
		sock_sigpipe();
	return r;
}

long sock_recvmsg(struct file *f, struct socket *s, struct sock_msg *m, unsigned flags)
{
	if (!s->ops->recvmsg)
		return -EOPNOTSUPP;
	m->out_flags = 0;
	return s->ops->recvmsg(s, m, flags, sock_nonblock(f, flags));
}

/* ---- control messages ---- */

const struct cmsghdr *sock_cmsg_next(const struct sock_msg *m, const struct cmsghdr *c, int *err)
{
	size_t off = c ? (size_t)((const uint8_t *)c - (const uint8_t *)m->control) +
	                             CMSG_ALIGN(c->cmsg_len)
	               : 0;
	const struct cmsghdr *n;

	*err = 0;
	if (!m->control || off + sizeof(*n) > m->controllen)
		return NULL;
	n = (const struct cmsghdr *)((const uint8_t *)m->control + off);
	if (n->cmsg_len < sizeof(*n) || n->cmsg_len > m->controllen - off) {
		*err = -EINVAL;
		return NULL;
	}
	return n;
}

void sock_cmsg_put(struct sock_msg *m, size_t *used, int level, int type, const void *data,
                   size_t len)
{
	size_t room = m->controllen > *used ? m->controllen - *used : 0;
	struct cmsghdr h = { .cmsg_len = CMSG_LEN(len), .cmsg_level = level, .cmsg_type = type };
	uint8_t *at = (uint8_t *)m->control + *used;

	if (!m->control || room < sizeof(h)) {
		m->out_flags |= MSG_CTRUNC;
		return;
	}
	if (room < h.cmsg_len) {
		m->out_flags |= MSG_CTRUNC;
		h.cmsg_len = room;
	}
	__builtin_memcpy(at, &h, sizeof(h));
	if (h.cmsg_len > CMSG_HDR_LEN)
		__builtin_memcpy(at + CMSG_HDR_LEN, data, h.cmsg_len - CMSG_HDR_LEN);
	*used += CMSG_SPACE(len) < room ? CMSG_SPACE(len) : room;
}

/* ---- the file ---- */

static long sock_read(struct file *f, struct uio *u, int64_t *pos)
{
	struct socket *s = f->priv;
	struct sock_msg m = { .data = u };

	(void)pos;
	return sock_recvmsg(f, s, &m, 0);
}

static long sock_write(struct file *f, struct uio *u, int64_t *pos)
{
	struct socket *s = f->priv;
	struct sock_msg m = { .data = u };

	(void)pos;
	return sock_sendmsg(f, s, &m, 0);
}

static unsigned sock_poll(struct file *f, struct poll_table *pt)
{
	struct socket *s = f->priv;

	if (!s->ops->poll)
		return POLLERR;
	return s->ops->poll(s, pt);
}

/*
 * The family's ioctls first, then the interface and route ioctls every
 * socket answers (0x89xx, SIOCGIFCONF and friends); ENOTTY otherwise.
 */
static long sock_ioctl(struct file *f, unsigned cmd, uintptr_t arg)
{
	struct socket *s = f->priv;
	long r = -ENOIOCTLCMD;

	if (s->ops->ioctl)
		r = s->ops->ioctl(s, cmd, arg);
	if (r == -ENOIOCTLCMD && (cmd & 0xff00u) == 0x8900u)
		r = net_dev_ioctl(cmd, arg);
	return r == -ENOIOCTLCMD ? -ENOTTY : r;
}

static void sock_release(struct file *f)
{
	struct socket *s = f->priv;

	if (!s)
		return;
	if (s->ops && s->ops->release)
		s->ops->release(s);
	sock_free(s);
}

static const struct file_ops sock_fops = {
	.read = sock_read,
	.write = sock_write,
	.poll = sock_poll,
	.ioctl = sock_ioctl,
	.release = sock_release,
};

/* ---- waiting ---- */

struct sock_wait_ctx {
	bool (*ready)(void *ctx);
	void *ctx;
	bool signalled;
};

static bool sock_wait_cond(void *arg)
{
	struct sock_wait_ctx *c = arg;

	/* Pairs with the waker's waitq_active(): our registration, then its state. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (c->ready(c->ctx))
		return true;
	if (signal_pending()) {
		c->signalled = true;
		return true;
	}
	return false;
}

int sock_wait_on(struct waitq *wq, bool (*ready)(void *ctx), void *ctx, bool nonblock,
                 uint64_t timeout_ns)
{
	struct sock_wait_ctx c = { .ready = ready, .ctx = ctx, .signalled = false };
	uint64_t deadline = TIME_NEVER;
	int err;

	if (ready(ctx))
		return 0;
	if (nonblock)
		return -EAGAIN;
	if (timeout_ns)
		deadline = clock_monotonic_ns() + timeout_ns;
	err = waitq_wait(wq, sock_wait_cond, &c, WAIT_KILLABLE, deadline);
	if (err == -ETIMEDOUT)
		return -EAGAIN;
	/* Linux restarts no call that had a timeout option (socket(7), SO_RCVTIMEO). */
	if (err || c.signalled)
		return timeout_ns ? -EINTR : -ERESTARTSYS;
	return 0;
}

int sock_wait(struct socket *s, bool (*ready)(void *ctx), void *ctx, bool nonblock,
              uint64_t timeout_ns)
{
	return sock_wait_on(&s->wq, ready, ctx, nonblock, timeout_ns);
}
