// SPDX-License-Identifier: MIT
/*
 * AF_UNIX sockets (unix(7)): the family's registration, the life of a
 * socket, its names (a path in the file system or an abstract name) and
 * the table that finds a socket by name, and what every type shares:
 * waiting, waking, the receive queue, options and ioctls. The types'
 * own calls are in unix_stream.c and unix_dgram.c, control data in
 * unix_scm.c. Locks: unix_internal.h.
 */
#include "net/unix.h"

#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>
#include <cairn/linux/termios.h>

#include <lib/format.h>
#include <lib/string.h>

#include "core/log.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "mm/heap.h"
#include "mm/uaccess.h"
#include "net/unix_internal.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include "sched/spinlock.h"
#include "time/time.h"

#define UNIX_HASH 64u

/* The name table: bound sockets by inode (paths) or by name and type (abstract). [N] */
static struct spinlock names_lock = SPINLOCK_INIT("unix-names");
static struct unix_sock *names[UNIX_HASH] __guarded_by(&names_lock);
static unsigned autobind_next __guarded_by(&names_lock);

/* Every socket, for /proc/net/unix and the counts. [G] */
struct mutex unix_all_lock = MUTEX_INIT(unix_all_lock, "unix-all");
struct list_node unix_all = LIST_INIT(unix_all);
static long nsocks; /* [a] */

static void unix_hook_wake(struct waiter *w, unsigned key);

struct unix_sock *unix_sock_new(struct socket *s, int type)
{
	struct unix_sock *u = kmalloc_flags(sizeof(*u), KM_MAY_FAIL | KM_ZERO);

	if (!u)
		return NULL;
	mutex_init(&u->lock, "unix");
	u->refs = 1;
	u->type = type;
	u->sock = s;
	u->wq = &s->wq;
	u->limit = s->rcvbuf;
	list_init(&u->queue);
	list_init(&u->accq);
	list_node_init(&u->acc_link);
	waitq_init(&u->peer_wait, "unix-peer");
	u->hook.fn = unix_hook_wake;
	mutex_lock(&unix_all_lock);
	list_add_tail(&unix_all, &u->all);
	mutex_unlock(&unix_all_lock);
	__atomic_add_fetch(&nsocks, 1, __ATOMIC_RELAXED);
	return u;
}

void unix_sock_get(struct unix_sock *u)
{
	__atomic_add_fetch(&u->refs, 1, __ATOMIC_RELAXED);
}

void unix_sock_put(struct unix_sock *u)
{
	if (__atomic_sub_fetch(&u->refs, 1, __ATOMIC_ACQ_REL))
		return;
	mutex_lock(&unix_all_lock);
	list_del(&u->all);
	mutex_unlock(&unix_all_lock);
	if (u->addr)
		unix_addr_put(u->addr);
	if (u->path.mnt)
		path_put(&u->path);
	__atomic_sub_fetch(&nsocks, 1, __ATOMIC_RELAXED);
	kfree(u);
}

long unix_sock_count(void)
{
	return __atomic_load_n(&nsocks, __ATOMIC_RELAXED);
}

struct unix_sock *unix_of(struct socket *s)
{
	return s->priv;
}

void unix_addr_get(struct unix_addr *a)
{
	__atomic_add_fetch(&a->refs, 1, __ATOMIC_RELAXED);
}

void unix_addr_put(struct unix_addr *a)
{
	if (!__atomic_sub_fetch(&a->refs, 1, __ATOMIC_ACQ_REL))
		kfree(a);
}

struct unix_cred unix_cred_current(void)
{
	struct cred c = current_cred();
	struct process *p = process_current();

	return (struct unix_cred){ .pid = p ? p->pid : 0, .uid = c.euid, .gid = c.egid };
}

/* ---- names ---- */

int unix_addr_check(const void *addr, size_t len)
{
	const struct sockaddr_unk *sun = addr;

	/* Linux's unix_validate_addr(): the family and at least one byte of name. */
	if (len <= UNIX_ADDR_HDR || len > sizeof(struct sockaddr_unk))
		return -EINVAL;
	if (sun->sun_family != AF_UNIX)
		return -EINVAL;
	return 0;
}

/* The path of a sockaddr_un as a C string (it need not end in a NUL within @len). */
static void unix_path_of(const void *addr, size_t len, char out[UNIX_PATH_MAX + 1])
{
	const struct sockaddr_unk *sun = addr;
	size_t n = len - UNIX_ADDR_HDR;

	memcpy(out, sun->sun_path, n);
	out[n] = 0;
}

static uint32_t unix_hash_bytes(const void *p, size_t n, uint32_t h)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 16777619u; /* FNV-1a */
	return h;
}

static unsigned unix_bucket_inode(const struct inode *ino)
{
	return unix_hash_bytes(&ino, sizeof(ino), 2166136261u) % UNIX_HASH;
}

static unsigned unix_bucket_abstract(const struct unix_addr *a, int type)
{
	return unix_hash_bytes(&a->sun, a->len, 2166136261u + (uint32_t)type) % UNIX_HASH;
}

static bool unix_same_abstract(const struct unix_sock *u, const struct unix_addr *a, int type)
{
	const struct unix_addr *b = u->addr;

	return b && b->abstract && u->type == type && b->len == a->len &&
	       !memcmp(&b->sun, &a->sun, a->len);
}

/* The socket bound to abstract @a for @type, with a reference, or NULL. */
static struct unix_sock *unix_lookup_abstract_locked(const struct unix_addr *a, int type)
	__must_hold(&names_lock)
{
	for (struct unix_sock *u = names[unix_bucket_abstract(a, type)]; u; u = u->bound_next)
		if (unix_same_abstract(u, a, type))
			return u;
	return NULL;
}

static struct unix_sock *unix_lookup_inode(const struct inode *ino)
{
	struct unix_sock *u;

	spin_lock(&names_lock);
	for (u = names[unix_bucket_inode(ino)]; u; u = u->bound_next)
		if (u->path.mnt && u->path.dentry->inode == ino)
			break;
	if (u)
		unix_sock_get(u);
	spin_unlock(&names_lock);
	return u;
}

static void unix_names_insert_locked(struct unix_sock *u, unsigned b) __must_hold(&names_lock)
{
	u->bound_next = names[b];
	names[b] = u;
	u->in_names = true;
	unix_sock_get(u);
}

/* Take @u out of the name table (its release). */
static void unix_names_remove(struct unix_sock *u)
{
	unsigned b;
	bool found = false;

	/* Accepted sockets share their listener's name but are not in the table. */
	if (!u->in_names)
		return;
	b = u->addr->abstract ? unix_bucket_abstract(u->addr, u->type)
	                      : unix_bucket_inode(u->path.dentry->inode);
	spin_lock(&names_lock);
	for (struct unix_sock **pp = &names[b]; *pp; pp = &(*pp)->bound_next) {
		if (*pp == u) {
			*pp = u->bound_next;
			found = true;
			break;
		}
	}
	spin_unlock(&names_lock);
	if (found)
		unix_sock_put(u);
}

static struct unix_addr *unix_addr_new(const void *addr, size_t len)
{
	struct unix_addr *a = kmalloc_flags(sizeof(*a), KM_MAY_FAIL | KM_ZERO);

	if (!a)
		return NULL;
	a->refs = 1;
	a->len = len;
	memcpy(&a->sun, addr, len);
	a->abstract = len > UNIX_ADDR_HDR && a->sun.sun_path[0] == 0;
	return a;
}

/* Publish @a as @u's name (set once: readers load it without the lock). */
static void unix_set_addr_locked(struct unix_sock *u, struct unix_addr *a) __must_hold(&u->lock)
{
	__atomic_store_n(&u->addr, a, __ATOMIC_RELEASE);
}

/* Bind @u to the abstract name @a (whose reference it takes). */
static int unix_bind_abstract_locked(struct unix_sock *u, struct unix_addr *a) __must_hold(&u->lock)
{
	spin_lock(&names_lock);
	if (unix_lookup_abstract_locked(a, u->type)) {
		spin_unlock(&names_lock);
		unix_addr_put(a);
		return -EADDRINUSE;
	}
	unix_set_addr_locked(u, a);
	unix_names_insert_locked(u, unix_bucket_abstract(a, u->type));
	spin_unlock(&names_lock);
	return 0;
}

int unix_autobind(struct unix_sock *u)
{
	struct {
		uint16_t fam;
		char name[6];
	} n = { .fam = AF_UNIX };
	struct unix_addr *a;
	int err = -ENOSPC;

	mutex_lock(&u->lock);
	if (u->addr) {
		mutex_unlock(&u->lock);
		return 0;
	}
	/* Linux's autobind: a NUL and five hex digits, from a counter, until one is free. */
	for (unsigned tries = 0; tries < 0x100000u && err == -ENOSPC; tries++) {
		spin_lock(&names_lock);
		unsigned v = autobind_next++ & 0xfffffu;
		spin_unlock(&names_lock);
		fmt_snprintf(n.name + 1, 6, "%05x", v);
		n.name[0] = 0;
		a = unix_addr_new(&n, UNIX_ADDR_HDR + 6);
		if (!a) {
			err = -ENOMEM;
			break;
		}
		err = unix_bind_abstract_locked(u, a);
		if (err == -EADDRINUSE)
			err = -ENOSPC;
	}
	mutex_unlock(&u->lock);
	return err;
}

/* Make the socket inode at @path and remember it (Linux's unix_bind_bsd). */
static int unix_bind_path_locked(struct unix_sock *u, const void *addr, size_t len)
	__must_hold(&u->lock)
{
	char path[UNIX_PATH_MAX + 1];
	uint32_t mode = S_IFSOCK | (0777 & ~fs_umask(fs_context_current()));
	struct unix_addr *a;
	struct path p;
	int err;

	unix_path_of(addr, len, path);
	err = vfs_mknod(AT_FDCWD, path, mode, 0);
	if (err)
		return err == -EEXIST ? -EADDRINUSE : err;
	err = vfs_walk(AT_FDCWD, path, 0, &p);
	if (err)
		return err;
	/* getsockname gives the path with its NUL, whatever length bind was given. */
	a = unix_addr_new(addr, UNIX_ADDR_HDR);
	if (!a) {
		path_put(&p);
		return -ENOMEM;
	}
	memcpy(a->sun.sun_path, path, strlen(path) + 1);
	a->len = UNIX_ADDR_HDR + strlen(path) + 1;
	u->path = p;
	unix_set_addr_locked(u, a);
	spin_lock(&names_lock);
	unix_names_insert_locked(u, unix_bucket_inode(p.dentry->inode));
	spin_unlock(&names_lock);
	return 0;
}

/*
 * bind(2): a path, an abstract name, or (just the family) an autobind.
 * -EINVAL (a bad address, or already bound), -EADDRINUSE, the walk's errors.
 */
int unix_bind(struct socket *s, const void *addr, size_t len)
{
	struct unix_sock *u = unix_of(s);
	const struct sockaddr_unk *sun = addr;
	int err;

	if (len == UNIX_ADDR_HDR && sun->sun_family == AF_UNIX)
		return unix_autobind(u);
	err = unix_addr_check(addr, len);
	if (err)
		return err;
	mutex_lock(&u->lock);
	if (u->addr) {
		err = -EINVAL;
	} else if (sun->sun_path[0]) {
		err = unix_bind_path_locked(u, addr, len);
	} else {
		struct unix_addr *a = unix_addr_new(addr, len);

		err = a ? unix_bind_abstract_locked(u, a) : -ENOMEM;
	}
	mutex_unlock(&u->lock);
	return err;
}

static int unix_find_path(const void *addr, size_t len, int type, struct unix_sock **out)
{
	char path[UNIX_PATH_MAX + 1];
	struct unix_sock *u;
	struct path p;
	int err;

	unix_path_of(addr, len, path);
	err = vfs_walk(AT_FDCWD, path, LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	err = -ECONNREFUSED;
	if (!S_ISSOCK(p.dentry->inode->mode))
		goto out_put;
	err = inode_permission(p.dentry->inode, MAY_WRITE);
	if (err)
		goto out_put;
	u = unix_lookup_inode(p.dentry->inode);
	err = -ECONNREFUSED;
	if (!u)
		goto out_put;
	err = 0;
	if (u->type != type) {
		unix_sock_put(u);
		err = -EPROTOTYPE;
	} else {
		*out = u;
	}
out_put:
	path_put(&p);
	return err;
}

int unix_find(const void *addr, size_t len, int type, struct unix_sock **out)
{
	const struct sockaddr_unk *sun = addr;
	struct unix_addr a;
	struct unix_sock *u;

	if (sun->sun_path[0])
		return unix_find_path(addr, len, type, out);
	a.len = len;
	memcpy(&a.sun, addr, len);
	spin_lock(&names_lock);
	u = unix_lookup_abstract_locked(&a, type);
	if (u)
		unix_sock_get(u);
	spin_unlock(&names_lock);
	if (!u)
		return -ECONNREFUSED;
	*out = u;
	return 0;
}

int unix_getname(struct socket *s, void *addr, size_t *len, bool peer)
{
	struct unix_sock *u = unix_of(s), *who = u;
	struct unix_addr *a;

	mutex_lock(&u->lock);
	if (peer) {
		who = u->state == UNIX_CONNECTED || u->type == SOCK_DGRAM ? u->peer : NULL;
		if (!who) {
			mutex_unlock(&u->lock);
			return -ENOTCONN;
		}
	}
	a = __atomic_load_n(&who->addr, __ATOMIC_ACQUIRE);
	if (a) {
		memcpy(addr, &a->sun, a->len);
		*len = a->len;
	} else {
		/* Unnamed: the family alone (unix(7)). */
		((struct sockaddr_unk *)addr)->sun_family = AF_UNIX;
		*len = UNIX_ADDR_HDR;
	}
	mutex_unlock(&u->lock);
	return 0;
}

/* ---- waiting and waking ---- */

int unix_wait(struct waitq *wq, bool (*ready)(void *ctx), void *ctx, bool nonblock,
              uint64_t timeout_ns)
{
	return sock_wait_on(wq, ready, ctx, nonblock, timeout_ns);
}

/* Our hook on the peer's peer_wait: room came there, so wake our senders and pollers. */
static void unix_hook_wake(struct waiter *w, unsigned key)
{
	struct unix_sock *u = container_of(w, struct unix_sock, hook);

	(void)key;
	poll_wake(u->wq, POLLOUT | POLLWRNORM | POLLWRBAND);
}

void unix_hook_locked(struct unix_sock *u, struct unix_sock *peer)
{
	if (u->hooked == peer)
		return;
	unix_unhook_locked(u);
	unix_sock_get(peer);
	u->hooked = peer;
	waitq_add_callback(&peer->peer_wait, &u->hook);
}

void unix_unhook_locked(struct unix_sock *u)
{
	struct unix_sock *old = u->hooked;

	if (!old)
		return;
	waitq_remove(&old->peer_wait, &u->hook);
	u->hooked = NULL;
	unix_sock_put(old);
}

void unix_wake_readers(struct unix_sock *u, unsigned events)
{
	if (u->sock && !u->dead)
		poll_wake(u->wq, events);
}

void unix_msg_cred_fill_locked(struct unix_sock *to, struct unix_msg *m)
{
	static const struct unix_scm none;

	if (!m->cred_set && __atomic_load_n(&to->sock->passcred, __ATOMIC_RELAXED)) {
		m->cred = unix_msg_cred(&none, true);
		m->cred_set = true;
	}
}

void unix_wake_senders(struct unix_sock *u)
{
	poll_wake(&u->peer_wait, POLLOUT | POLLWRNORM | POLLWRBAND);
}

/* ---- the receive queue ---- */

bool unix_queue_full(const struct unix_sock *u, bool count_limit)
{
	int limit = __atomic_load_n(&u->limit, __ATOMIC_RELAXED);

	if (count_limit && __atomic_load_n(&u->qlen, __ATOMIC_RELAXED) > UNIX_DGRAM_QLEN)
		return true;
	return __atomic_load_n(&u->qbytes, __ATOMIC_RELAXED) >= (size_t)(limit > 0 ? limit : 1);
}

void unix_queue_add_locked(struct unix_sock *u, struct unix_msg *m)
{
	if (u->sock)
		__atomic_store_n(&u->limit, __atomic_load_n(&u->sock->rcvbuf, __ATOMIC_RELAXED),
		                 __ATOMIC_RELAXED);
	list_add_tail(&u->queue, &m->link);
	__atomic_store_n(&u->qbytes, u->qbytes + m->len + UNIX_MSG_COST, __ATOMIC_RELAXED);
	__atomic_store_n(&u->qlen, u->qlen + 1, __ATOMIC_RELAXED);
	if (m->fds)
		u->inflight_unix += m->fds->nunix;
}

void unix_queue_del_locked(struct unix_sock *u, struct unix_msg *m)
{
	list_del(&m->link);
	__atomic_store_n(&u->qbytes, u->qbytes - m->len - UNIX_MSG_COST, __ATOMIC_RELAXED);
	__atomic_store_n(&u->qlen, u->qlen - 1, __ATOMIC_RELAXED);
	if (m->fds)
		u->inflight_unix -= m->fds->nunix;
}

/* ---- options and ioctls ---- */

int unix_getsockopt(struct socket *s, int level, int name, void *val, size_t *len)
{
	struct unix_sock *u = unix_of(s);
	struct unix_cred c = { .pid = 0, .uid = (uint32_t)-1, .gid = (uint32_t)-1 };
	int v;

	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	mutex_lock(&u->lock);
	switch (name) {
	case SO_PEERCRED:
		if (u->has_peercred)
			c = u->peercred;
		mutex_unlock(&u->lock);
		memcpy(val, &c, sizeof(c));
		*len = sizeof(c);
		return 0;
	case SO_ACCEPTCONN:
		v = u->state == UNIX_LISTENING;
		break;
	case SO_ERROR:
		/* Ours (ECONNRESET), else the layer answers with its own. */
		v = -u->err;
		u->err = 0;
		if (v)
			break;
		mutex_unlock(&u->lock);
		return -ENOPROTOOPT;
	default:
		mutex_unlock(&u->lock);
		return -ENOPROTOOPT;
	}
	mutex_unlock(&u->lock);
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

int unix_setsockopt(struct socket *s, int level, int name, const void *val, size_t len)
{
	(void)s;
	(void)name;
	(void)val;
	(void)len;
	return level == SOL_SOCKET ? -ENOPROTOOPT : -EOPNOTSUPP;
}

/* Bytes waiting: all of a stream's, the next datagram's (Linux's unix_inq_len()). */
static long unix_inq_locked(struct unix_sock *u) __must_hold(&u->lock)
{
	struct unix_msg *m;
	long n = 0;

	if (u->type == SOCK_DGRAM) {
		m = list_first_entry_or_null(&u->queue, struct unix_msg, link);
		return m ? (long)m->len : 0;
	}
	list_for_each_entry(m, &u->queue, link)
		n += (long)(m->len - m->off);
	return n;
}

long unix_ioctl(struct socket *s, unsigned cmd, uintptr_t arg)
{
	struct unix_sock *u = unix_of(s), *peer;
	long n;
	int v;

	if (cmd != FIONREAD && cmd != TIOCOUTQ)
		return -ENOIOCTLCMD;
	mutex_lock(&u->lock);
	if (u->state == UNIX_LISTENING) {
		mutex_unlock(&u->lock);
		return -EINVAL;
	}
	peer = u->peer;
	if (peer)
		unix_sock_get(peer);
	n = cmd == FIONREAD ? unix_inq_locked(u) : 0;
	mutex_unlock(&u->lock);
	if (cmd == TIOCOUTQ && peer) {
		/* What we sent that the peer has not read yet (Linux: our unsent skbs). */
		mutex_lock(&peer->lock);
		n = u->type == SOCK_DGRAM ? 0 : unix_inq_locked(peer);
		mutex_unlock(&peer->lock);
	}
	if (peer)
		unix_sock_put(peer);
	v = n > INT32_MAX ? INT32_MAX : (int)n;
	return copy_to_user((void *)arg, &v, sizeof(v)) ? -EFAULT : 0;
}

/* ---- readiness ---- */

/* Whether a send would find room: Linux's unix_writable() and the datagram peer check. */
static bool unix_poll_writable_locked(struct unix_sock *u) __must_hold(&u->lock)
{
	struct unix_sock *p = u->peer;

	if (u->state == UNIX_LISTENING)
		return false;
	if (!p || p->dead)
		return true;
	return !unix_queue_full(p, u->type == SOCK_DGRAM && p != u && p->peer != u);
}

/*
 * The events of @s as Linux's unix_poll() (streams) and unix_dgram_poll()
 * (datagrams, packets) report them. An unconnected connection-oriented
 * socket shows POLLHUP, as on Linux. Our hook on the peer's peer_wait
 * wakes s->wq when room comes there.
 */
unsigned unix_poll(struct socket *s, struct poll_table *pt)
{
	struct unix_sock *u = unix_of(s);
	unsigned mask = 0;

	poll_wait(pt, u->wq);
	mutex_lock(&u->lock);
	if (u->err)
		mask |= POLLERR;
	if (u->shutdown == UNIX_SHUT_BOTH)
		mask |= POLLHUP;
	if (u->shutdown & UNIX_SHUT_RCV)
		mask |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (u->state == UNIX_LISTENING ? u->naccq != 0 : !list_empty(&u->queue))
		mask |= POLLIN | POLLRDNORM;
	if (u->type != SOCK_DGRAM && u->state == UNIX_UNCONNECTED)
		mask |= POLLHUP;
	if (unix_poll_writable_locked(u))
		mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	mutex_unlock(&u->lock);
	return mask;
}

/* ---- release ---- */

/* Free the messages of a queue taken off a socket. */
static void unix_purge(struct list_node *q)
{
	struct list_node *n;

	while ((n = list_pop_head(q)))
		unix_msg_free(list_entry(n, struct unix_msg, link));
}

/*
 * The last close of @s (or an embryo dropped with its listener): leave
 * the name table, hang up on the peer, free what was queued here.
 */
void unix_release(struct socket *s)
{
	struct unix_sock *u = unix_of(s), *peer;
	struct list_node q;
	bool unread, embryo;

	unix_names_remove(u);
	list_init(&q);
	mutex_lock(&u->lock);
	unix_unhook_locked(u);
	u->dead = true;
	peer = u->peer;
	u->peer = NULL;
	unread = !list_empty(&u->queue);
	embryo = u->embryo;
	list_splice_tail(&q, &u->queue);
	u->qbytes = 0;
	u->qlen = 0;
	u->inflight_unix = 0;
	/*
	 * The layer frees the socket once we return: whoever holds [U] (a
	 * waker) or [G] (/proc/net/unix) sees NULL from now on.
	 */
	mutex_lock(&unix_all_lock);
	u->sock = NULL;
	mutex_unlock(&unix_all_lock);
	mutex_unlock(&u->lock);
	if (u->state == UNIX_LISTENING)
		unix_drop_embryos(u);
	unix_wake_senders(u);
	unix_purge(&q);
	unix_drain();
	if (peer) {
		if (u->type != SOCK_DGRAM)
			unix_peer_closed(peer, u, unread || embryo);
		unix_sock_put(peer);
	}
	s->priv = NULL;
	unix_sock_put(u);
}

/* ---- the family ---- */

static int unix_create(struct socket *s, int type, int protocol)
{
	struct unix_sock *u;

	/* unix(7): protocol 0 (or PF_UNIX); SOCK_RAW is taken as SOCK_DGRAM, as Linux does. */
	if (protocol && protocol != AF_UNIX)
		return -EPROTONOSUPPORT;
	if (type == SOCK_RAW)
		type = SOCK_DGRAM;
	if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	u = unix_sock_new(s, type);
	if (!u)
		return -ENOMEM;
	s->type = type;
	s->ops = unix_ops_for(type);
	s->priv = u;
	return 0;
}

static int unix_pair(struct socket *a, struct socket *b)
{
	struct unix_sock *ua = unix_of(a), *ub = unix_of(b);
	struct unix_cred c = unix_cred_current();

	/* Neither is visible to anyone else yet: no lock order to keep. */
	mutex_lock(&ua->lock);
	mutex_lock(&ub->lock);
	ua->peercred = ub->peercred = c;
	ua->has_peercred = ub->has_peercred = true;
	if (ua->type == SOCK_DGRAM) {
		unix_sock_get(ub);
		unix_sock_get(ua);
		ua->peer = ub;
		ub->peer = ua;
		unix_hook_locked(ua, ub);
		unix_hook_locked(ub, ua);
	} else {
		unix_connect_pair_locked(ua, ub);
	}
	mutex_unlock(&ub->lock);
	mutex_unlock(&ua->lock);
	return 0;
}

const struct sock_ops *unix_ops_for(int type)
{
	if (type == SOCK_STREAM)
		return &unix_stream_ops;
	return type == SOCK_SEQPACKET ? &unix_seqpacket_ops : &unix_dgram_ops;
}

static const struct sock_family unix_family = {
	.family = AF_UNIX,
	.create = unix_create,
	.pair = unix_pair,
};

void unix_init(void)
{
	sock_register_family(&unix_family);
}
