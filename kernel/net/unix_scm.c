// SPDX-License-Identifier: MIT
/*
 * AF_UNIX messages and their control data: SCM_RIGHTS (open files passed
 * from one process to another) and SCM_CREDENTIALS (who sent a message),
 * per unix(7) and cmsg(3). A file in flight is held by the message that
 * carries it until a receiver installs it as a descriptor or the message
 * is freed.
 *
 * Cycles. A socket whose queue holds a reference to its own file (or to
 * a socket whose queue holds it, and so on) would never be released:
 * Linux finds such cycles with a garbage collector. Cairn refuses to make
 * them instead: a send that would queue an AF_UNIX socket on a queue
 * reachable from that socket's own in-flight files (through queued
 * messages and a listener's unaccepted connections) fails with
 * ETOOMANYREFS, and so does one whose search would look at more than
 * UNIX_GC_MAX sockets. With no cycle, closing the last descriptors frees
 * everything, and one task at a time puts the files of freed messages, in
 * a loop, so a long chain of sockets never recurses.
 *
 * Locks: [C] unix_gc_lock (a mutex) is held from the check of a send with
 * AF_UNIX files to its queuing, so no two such sends race to a cycle;
 * [D] defer_lock guards the list of files waiting to be put.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>

#include <lib/string.h>

#include "fs/file.h"
#include "mm/heap.h"
#include "net/unix.h"
#include "net/unix_internal.h"
#include "proc/proc.h"
#include "sched/spinlock.h"
#include "sched/task.h"

#define UNIX_GC_MAX 256 /* sockets one cycle check may look at */

static struct mutex gc_lock = MUTEX_INIT(gc_lock, "unix-gc");
static long inflight; /* [a] files held by messages */

/* Files of freed messages, waiting to be put by the drainer (by unix_fds.next). [D] */
static struct spinlock defer_lock = SPINLOCK_INIT("unix-defer");
static struct unix_fds *defer_list __guarded_by(&defer_lock);
static struct task *drainer __guarded_by(&defer_lock);

void unix_gc_lock(void) __acquires(&gc_lock)
{
	mutex_lock(&gc_lock);
}

void unix_gc_unlock(void) __releases(&gc_lock)
{
	mutex_unlock(&gc_lock);
}

long unix_inflight_count(void)
{
	return __atomic_load_n(&inflight, __ATOMIC_RELAXED);
}

/* The AF_UNIX socket behind @f, or NULL. */
static struct unix_sock *unix_of_file(struct file *f)
{
	struct socket *s = sock_from_file(f);

	return s && s->family == AF_UNIX ? s->priv : NULL;
}

static struct unix_fds *unix_fds_alloc(unsigned n)
{
	struct unix_fds *fds =
		kmalloc_flags(sizeof(*fds) + n * sizeof(struct file *), KM_MAY_FAIL | KM_ZERO);

	return fds;
}

/* Put every file of @fds and free it. */
static void unix_fds_put_now(struct unix_fds *fds)
{
	for (unsigned i = 0; i < fds->n; i++) {
		if (!fds->f[i])
			continue;
		file_put(fds->f[i]);
		__atomic_sub_fetch(&inflight, 1, __ATOMIC_RELAXED);
	}
	kfree(fds);
}

/* Take one deferred list entry, or become no longer the drainer. */
static struct unix_fds *unix_defer_pop(void)
{
	struct unix_fds *fds = NULL;

	spin_lock(&defer_lock);
	fds = defer_list;
	if (fds)
		defer_list = fds->next;
	else
		drainer = NULL;
	spin_unlock(&defer_lock);
	return fds;
}

/* Queue @fds's files to be put by unix_drain() (callers may hold a socket's lock). */
static void unix_fds_release(struct unix_fds *fds)
{
	spin_lock(&defer_lock);
	fds->next = defer_list;
	defer_list = fds;
	spin_unlock(&defer_lock);
}

void unix_drain(void)
{
	struct unix_fds *fds;

	spin_lock(&defer_lock);
	if (drainer || !defer_list) {
		/* Empty, or a task (perhaps this one, further up) is at it and takes ours too. */
		spin_unlock(&defer_lock);
		return;
	}
	drainer = task_current();
	spin_unlock(&defer_lock);
	while ((fds = unix_defer_pop()))
		unix_fds_put_now(fds);
}

struct unix_msg *unix_msg_alloc(size_t len)
{
	struct unix_msg *m = kmalloc_flags(sizeof(*m) + len, KM_MAY_FAIL);

	if (!m)
		return NULL;
	memset(m, 0, sizeof(*m));
	m->len = len;
	return m;
}

void unix_msg_free(struct unix_msg *m)
{
	if (m->from)
		unix_addr_put(m->from);
	if (m->fds)
		unix_fds_release(m->fds);
	kfree(m);
}

/* ---- sendmsg's control data ---- */

/* SCM_RIGHTS: add the descriptors of one cmsg to @scm (Linux's scm_fp_copy()). */
static int unix_scm_rights(const struct cmsghdr *h, struct unix_scm *scm)
{
	size_t num = (h->cmsg_len - CMSG_HDR_LEN) / sizeof(int);
	const int *fd = (const int *)CMSG_DATA(h);
	struct unix_fds *fds;

	if (!num)
		return 0;
	if (!scm->fds) {
		scm->fds = unix_fds_alloc(UNIX_SCM_MAX_FD);
		if (!scm->fds)
			return -ENOMEM;
	}
	fds = scm->fds;
	if (fds->n + num > UNIX_SCM_MAX_FD)
		return -EINVAL;
	for (size_t i = 0; i < num; i++) {
		struct file *f = fd_get(fd[i]);

		if (!f)
			return -EBADF;
		fds->f[fds->n++] = f;
		__atomic_add_fetch(&inflight, 1, __ATOMIC_RELAXED);
		if (unix_of_file(f))
			fds->nunix++;
	}
	return 0;
}

/* SCM_CREDENTIALS: the caller's own ids, or any for root (Linux's scm_check_creds()). */
static int unix_scm_creds(const struct cmsghdr *h, struct unix_scm *scm)
{
	struct cred c = current_cred();
	struct process *p = process_current();
	struct unix_cred u;

	if (h->cmsg_len != CMSG_LEN(sizeof(u)))
		return -EINVAL;
	memcpy(&u, CMSG_DATA(h), sizeof(u));
	if (c.euid != 0) {
		if (u.pid != (p ? p->pid : 0))
			return -EPERM;
		if (u.uid != c.uid && u.uid != c.euid && u.uid != c.suid)
			return -EPERM;
		if (u.gid != c.gid && u.gid != c.egid && u.gid != c.sgid)
			return -EPERM;
	}
	scm->cred = u;
	scm->has_cred = true;
	return 0;
}

int unix_scm_parse(const struct sock_msg *sm, struct unix_scm *scm)
{
	const struct cmsghdr *h = NULL;
	int err = 0;

	memset(scm, 0, sizeof(*scm));
	while (!err && (h = sock_cmsg_next(sm, h, &err))) {
		if (h->cmsg_level != SOL_SOCKET)
			continue;
		if (h->cmsg_type == SCM_RIGHTS)
			err = unix_scm_rights(h, scm);
		else if (h->cmsg_type == SCM_CREDENTIALS)
			err = unix_scm_creds(h, scm);
		else
			err = -EINVAL;
	}
	if (err) {
		unix_scm_destroy(scm);
		return err;
	}
	if (scm->fds && !scm->fds->n) {
		kfree(scm->fds);
		scm->fds = NULL;
	}
	return 0;
}

void unix_scm_destroy(struct unix_scm *scm)
{
	if (scm->fds)
		unix_fds_release(scm->fds);
	scm->fds = NULL;
	unix_drain();
}

/* ---- the in-flight graph ---- */

struct gc_walk {
	struct unix_sock *stack[UNIX_GC_MAX];
	struct unix_sock *seen[UNIX_GC_MAX];
	unsigned depth, nseen;
	bool overflow;
};

static void gc_push(struct gc_walk *w, struct unix_sock *u)
{
	if (w->depth == UNIX_GC_MAX) {
		w->overflow = true;
		return;
	}
	unix_sock_get(u);
	w->stack[w->depth++] = u;
}

static void gc_push_fds(struct gc_walk *w, const struct unix_fds *fds)
{
	for (unsigned i = 0; i < fds->n && fds->nunix; i++) {
		struct unix_sock *u = unix_of_file(fds->f[i]);

		if (u)
			gc_push(w, u);
	}
}

/* Push what @u's queue holds in flight, and a listener's embryos. */
static void gc_expand(struct gc_walk *w, struct unix_sock *u)
{
	struct unix_msg *m;
	struct unix_sock *e;

	mutex_lock(&u->lock);
	if (u->inflight_unix)
		list_for_each_entry(m, &u->queue, link)
			if (m->fds && m->fds->nunix)
				gc_push_fds(w, m->fds);
	list_for_each_entry(e, &u->accq, acc_link)
		gc_push(w, e);
	mutex_unlock(&u->lock);
}

static bool gc_seen(struct gc_walk *w, struct unix_sock *u)
{
	for (unsigned i = 0; i < w->nseen; i++)
		if (w->seen[i] == u)
			return true;
	if (w->nseen == UNIX_GC_MAX) {
		w->overflow = true;
		return true;
	}
	w->seen[w->nseen++] = u;
	return false;
}

int unix_inflight_check_locked(const struct unix_fds *fds, struct unix_sock *to)
	__must_hold(&gc_lock)
{
	struct gc_walk *w;
	bool cycle = false;

	if (!fds || !fds->nunix)
		return 0;
	w = kmalloc_flags(sizeof(*w), KM_MAY_FAIL);
	if (!w)
		return -ENOMEM;
	w->depth = w->nseen = 0;
	w->overflow = false;
	gc_push_fds(w, fds);
	while (w->depth && !cycle && !w->overflow) {
		struct unix_sock *u = w->stack[--w->depth];

		if (u == to)
			cycle = true;
		else if (!gc_seen(w, u))
			gc_expand(w, u);
		unix_sock_put(u);
	}
	cycle = cycle || w->overflow;
	while (w->depth)
		unix_sock_put(w->stack[--w->depth]);
	kfree(w);
	return cycle ? -ETOOMANYREFS : 0;
}

/* ---- recvmsg's control data ---- */

/* Install @fds's files as descriptors as Linux's scm_detach_fds(); the rest are closed. */
static void unix_put_rights(struct sock_msg *sm, size_t *used, struct unix_fds *fds, unsigned flags)
{
	size_t room = sm->control && sm->controllen > *used ? sm->controllen - *used : 0;
	unsigned max = room > CMSG_HDR_LEN ? (unsigned)((room - CMSG_HDR_LEN) / sizeof(int)) : 0;
	int got[UNIX_SCM_MAX_FD];
	unsigned i;

	if (max > fds->n)
		max = fds->n;
	for (i = 0; i < max; i++) {
		int fd = fd_install(fdtable_current(), fds->f[i], 0, flags & MSG_CMSG_CLOEXEC);

		if (fd < 0)
			break;
		got[i] = fd;
		fds->f[i] = NULL; /* the table holds it now */
		__atomic_sub_fetch(&inflight, 1, __ATOMIC_RELAXED);
	}
	if (i)
		sock_cmsg_put(sm, used, SOL_SOCKET, SCM_RIGHTS, got, i * sizeof(int));
	if (i < fds->n)
		sm->out_flags |= MSG_CTRUNC;
	unix_fds_release(fds);
}

/* A copy of @fds with references of its own (MSG_PEEK hands out duplicates). */
static struct unix_fds *unix_fds_dup(const struct unix_fds *fds)
{
	struct unix_fds *d = unix_fds_alloc(fds->n);

	if (!d)
		return NULL;
	for (unsigned i = 0; i < fds->n; i++) {
		d->f[i] = fds->f[i];
		file_get(d->f[i]);
	}
	d->n = fds->n;
	d->nunix = fds->nunix;
	__atomic_add_fetch(&inflight, d->n, __ATOMIC_RELAXED);
	return d;
}

void unix_scm_recv(struct sock_msg *sm, const struct unix_cred *cred, struct unix_fds *fds,
                   bool passcred, unsigned flags, bool peek)
{
	size_t used = 0;

	if (!sm->control)
		sm->controllen = 0;
	if (passcred)
		sock_cmsg_put(sm, &used, SOL_SOCKET, SCM_CREDENTIALS, cred, sizeof(*cred));
	if (fds && peek)
		fds = unix_fds_dup(fds);
	if (fds)
		unix_put_rights(sm, &used, fds, flags);
	sm->controllen = used;
}

struct unix_cred unix_msg_cred(const struct unix_scm *scm, bool passcred)
{
	struct process *p;
	struct cred c;

	if (scm->has_cred)
		return scm->cred;
	if (!passcred)
		return (struct unix_cred){ 0 };
	p = process_current();
	c = current_cred();
	return (struct unix_cred){ .pid = p ? p->pid : 0, .uid = c.uid, .gid = c.gid };
}
