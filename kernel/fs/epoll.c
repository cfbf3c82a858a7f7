// SPDX-License-Identifier: MIT
/*
 * epoll: an epoll file keeps interest items, each hooked with callback
 * waiters on the wait queues of the file it watches. A wake of such a
 * queue runs the callback, which puts the item on the epoll's ready list
 * and wakes epoll_wait, so a wait looks only at items that changed, never
 * at every item (hundreds of idle descriptors cost nothing). epoll_wait
 * polls each ready item again for its current events: level-triggered
 * items go back on the list after being reported, EPOLLET ones do not,
 * EPOLLONESHOT ones are disarmed until EPOLL_CTL_MOD. EPOLLEXCLUSIVE and
 * EPOLLWAKEUP are accepted and have no effect (every waiter is woken).
 *
 * Locks: [G] ep_global, a mutex: the items of every epoll and the watch
 * list of every file change only under it (add, delete, release), which
 * also makes the loop check of nested epolls safe; [X] the epoll's mutex
 * (held while its items are polled and reported); [R] the epoll's ready
 * spinlock (the wake callbacks take it under a file's wait-queue lock);
 * [I] fixed once made. Order: ep_global, an epoll's mutex (an outer
 * epoll's before a nested one's), a file's wait-queue lock, the ready
 * lock, the epoll's own wait-queue locks.
 */
#include "fs/epoll.h"

#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/poll.h>

#include <lib/list/list.h>

#include "fs/epoll_internal.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "fs/poll_internal.h"
#include "mm/heap.h"
#include "mm/uaccess.h"
#include "proc/signal.h"
#include "sched/spinlock.h"
#include "sched/sync.h"
#include "syscall/syscall.h"
#include "time/time.h"

#define EP_HASH      256 /* buckets of the (file, fd) -> item table */
#define EP_MAX_NESTS 4   /* epolls inside epolls, as Linux allows */
#define EP_CONTROL   (EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE | EPOLLWAKEUP)
#define EP_ALWAYS    (POLLERR | POLLHUP)
#define EP_EXCL_OK   (POLLIN | POLLOUT | POLLERR | POLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)

struct epitem;

/* One wait queue of the watched file that the item listens on. */
struct ep_hook {
	struct waiter w;      /* [I] a callback waiter on wq */
	struct waitq *wq;     /* [I] */
	struct epitem *it;    /* [I] */
	struct ep_hook *next; /* [X] the item's other hooks */
};

struct eventpoll;

struct epitem {
	struct eventpoll *ep;    /* [I] */
	struct file *file;       /* [I] no reference: the file's release removes the item */
	int fd;                  /* [I] */
	uint32_t events;         /* [X,a] asked for, EP_ALWAYS and the control bits included */
	uint64_t data;           /* [X] */
	struct list_node rdlink; /* [R] on ep->ready (or a scan's list) when queued */
	struct list_node eplink; /* [G] on ep->items */
	struct list_node flink;  /* [G] on the file's watch list */
	struct epitem *hnext;    /* [G] the hash chain */
	struct ep_hook *hooks;   /* [X] */
};

struct eventpoll {
	struct mutex mtx;             /* the [X] lock */
	struct spinlock rlock;        /* the [R] lock */
	struct list_node ready;       /* [R] items with news */
	struct waitq wq;              /* epoll_wait callers */
	struct waitq poll_wq;         /* pollers of the epoll file itself */
	struct list_node items;       /* [G] every item */
	struct epitem *hash[EP_HASH]; /* [G] */
};

/* What f->ep points to: the items watching a file. */
struct ep_watch {
	struct list_node items; /* [G] struct epitem by flink */
};

static struct mutex ep_global = MUTEX_INIT(ep_global, "epoll.global");

static const struct file_ops eventpoll_fops;

static bool is_epoll(const struct file *f)
{
	return f->ops == &eventpoll_fops;
}

static unsigned ep_bucket(const struct file *f, int fd)
{
	uintptr_t h = (uintptr_t)f / 64 + (unsigned)fd * 2654435761u;

	return (unsigned)(h % EP_HASH);
}

static struct epitem *ep_find(struct eventpoll *ep, const struct file *f, int fd)
{
	struct epitem *it = ep->hash[ep_bucket(f, fd)];

	while (it && !(it->file == f && it->fd == fd))
		it = it->hnext;
	return it;
}

static bool ep_has_ready(struct eventpoll *ep)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&ep->ready.next, __ATOMIC_RELAXED) != &ep->ready;
}

/* How much of a wake ep_queue() does. */
enum ep_wake {
	EP_WAKE_NONE,    /* a readiness check put it back: nothing changed */
	EP_WAKE_WAITERS, /* a report put it back: other epoll_wait callers may take it */
	EP_WAKE_ALL,     /* news from the file: waiters and pollers of the epoll too */
};

/* Queue @it on its epoll's ready list (if it is not there) and wake as @wake says. */
static void ep_queue(struct epitem *it, enum ep_wake wake)
{
	struct eventpoll *ep = it->ep;
	uint64_t flags = spin_lock_irqsave(&ep->rlock);

	if (!list_linked(&it->rdlink))
		list_add_tail(&ep->ready, &it->rdlink);
	spin_unlock_irqrestore(&ep->rlock, flags);
	if (wake >= EP_WAKE_WAITERS)
		poll_wake(&ep->wq, POLLIN);
	if (wake == EP_WAKE_ALL)
		poll_wake(&ep->poll_wq, POLLIN);
}

static void ep_queue_ready(struct epitem *it)
{
	ep_queue(it, EP_WAKE_ALL);
}

/* A watched queue was woken (its lock held, any context). */
static void ep_hook_wake(struct waiter *w, unsigned key)
{
	struct ep_hook *h = container_of(w, struct ep_hook, w);
	uint32_t events = __atomic_load_n(&h->it->events, __ATOMIC_RELAXED);

	if (!(events & ~EP_CONTROL))
		return; /* a disarmed EPOLLONESHOT item */
	if (key && !(key & events))
		return;
	ep_queue_ready(h->it);
}

/* The poll table an item registers through, and the item it registers. */
struct ep_pqueue {
	struct poll_table pt;
	struct epitem *it;
};

static void ep_queue_hook(struct poll_table *pt, struct waitq *wq)
{
	struct epitem *it = container_of(pt, struct ep_pqueue, pt)->it;
	struct ep_hook *h = kmalloc_flags(sizeof(*h), KM_MAY_FAIL | KM_ZERO);

	if (!h) {
		pt->error = -ENOMEM;
		return;
	}
	h->w.fn = ep_hook_wake;
	h->wq = wq;
	h->it = it;
	h->next = it->hooks;
	it->hooks = h;
	waitq_add_callback(wq, &h->w);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Unhook, unqueue, unlink and free @it. With [G] and [X] held. */
static void ep_remove_locked(struct eventpoll *ep, struct epitem *it) __must_hold(&ep->mtx)
{
	struct epitem **pp = &ep->hash[ep_bucket(it->file, it->fd)];
	struct ep_hook *h, *next;
	uint64_t flags;

	for (h = it->hooks; h; h = next) {
		next = h->next;
		waitq_remove(h->wq, &h->w); /* after this, its callback runs no more */
		kfree(h);
	}
	flags = spin_lock_irqsave(&ep->rlock);
	if (list_linked(&it->rdlink))
		list_del(&it->rdlink);
	spin_unlock_irqrestore(&ep->rlock, flags);
	while (*pp != it)
		pp = &(*pp)->hnext;
	*pp = it->hnext;
	list_del(&it->eplink);
	list_del(&it->flink);
	kfree(it);
}

void eventpoll_release(struct file *f)
{
	struct ep_watch *wl;
	struct epitem *it;

	mutex_lock(&ep_global);
	wl = f->ep;
	while (wl && (it = list_first_entry_or_null(&wl->items, struct epitem, flink))) {
		struct eventpoll *ep = it->ep;

		mutex_lock(&ep->mtx);
		ep_remove_locked(ep, it);
		mutex_unlock(&ep->mtx);
	}
	f->ep = NULL;
	mutex_unlock(&ep_global);
	kfree(wl);
}

/* ---- reporting ---- */

/* Take the first item off @list (which the ready lock guards), or NULL. */
static struct epitem *ep_pop(struct eventpoll *ep, struct list_node *list)
{
	uint64_t flags = spin_lock_irqsave(&ep->rlock);
	struct epitem *it = list_first_entry_or_null(list, struct epitem, rdlink);

	if (it)
		list_del(&it->rdlink);
	spin_unlock_irqrestore(&ep->rlock, flags);
	return it;
}

/*
 * Poll @it and, if it has events, report it as entry @n of user array @uev
 * (0: only look) and put it back on the list or disarm it by its mode.
 * Returns 1 (ready), 0 (not: it stays off the list) or -EFAULT (it goes
 * back on the list). With [X] held.
 */
static int ep_report_locked(struct eventpoll *ep, struct epitem *it, uint64_t uev, long n)
	__must_hold(&ep->mtx)
{
	struct epoll_event ev;

	ev.events = vfs_poll(it->file, NULL) & it->events & ~EP_CONTROL;
	ev.data = it->data;
	if (!ev.events)
		return 0;
	if (!uev) {
		ep_queue(it, EP_WAKE_NONE); /* a look changes nothing */
		return 1;
	}
	if (copy_to_user((void *)(uev + (uint64_t)n * sizeof(ev)), &ev, sizeof(ev))) {
		ep_queue(it, EP_WAKE_NONE);
		return -EFAULT;
	}
	if (it->events & EPOLLONESHOT)
		__atomic_store_n(&it->events, it->events & EP_CONTROL, __ATOMIC_RELAXED);
	else if (!(it->events & EPOLLET))
		ep_queue(it, EP_WAKE_WAITERS); /* level-triggered: looked at again next time */
	return 1;
}

/*
 * Poll the items on the ready list and report those with events into
 * user array @uev (at most @max); with @uev 0, only say whether one is
 * ready. Returns the count or -EFAULT. With [X] held.
 */
static long ep_scan_ready_locked(struct eventpoll *ep, uint64_t uev, int max) __must_hold(&ep->mtx)
{
	struct list_node txlist;
	struct epitem *it;
	uint64_t flags;
	long n = 0;
	int r;

	list_init(&txlist);
	flags = spin_lock_irqsave(&ep->rlock);
	list_splice_tail(&txlist, &ep->ready);
	spin_unlock_irqrestore(&ep->rlock, flags);
	while (n < max && (it = ep_pop(ep, &txlist))) {
		r = ep_report_locked(ep, it, uev, n);
		if (r < 0) {
			n = n ? n : r;
			break;
		}
		n += r;
	}
	/* What was not looked at goes back in front, in order. */
	flags = spin_lock_irqsave(&ep->rlock);
	list_splice_tail(&txlist, &ep->ready);
	list_splice_tail(&ep->ready, &txlist);
	spin_unlock_irqrestore(&ep->rlock, flags);
	return n;
}

static unsigned ep_poll(struct file *f, struct poll_table *pt)
{
	struct eventpoll *ep = f->priv;
	long n;

	poll_wait(pt, &ep->poll_wq);
	mutex_lock(&ep->mtx);
	n = ep_scan_ready_locked(ep, 0, 1);
	mutex_unlock(&ep->mtx);
	return n > 0 ? POLLIN | POLLRDNORM : 0;
}

static void ep_release(struct file *f)
{
	struct eventpoll *ep = f->priv;
	struct epitem *it;

	mutex_lock(&ep_global);
	mutex_lock(&ep->mtx);
	while ((it = list_first_entry_or_null(&ep->items, struct epitem, eplink)))
		ep_remove_locked(ep, it);
	mutex_unlock(&ep->mtx);
	mutex_unlock(&ep_global);
	kfree(ep);
}

static const struct file_ops eventpoll_fops = {
	.release = ep_release,
	.poll = ep_poll,
};

/* ---- epoll_ctl's work ---- */

/* Whether watching epoll file @f from @ep would make a loop or nest too deep. With [G]. */
static bool ep_loops(const struct eventpoll *ep, const struct file *f, int depth)
{
	const struct eventpoll *inner = f->priv;
	const struct epitem *it;

	if (inner == ep || depth >= EP_MAX_NESTS)
		return true;
	list_for_each_entry(it, &inner->items, eplink) {
		if (is_epoll(it->file) && ep_loops(ep, it->file, depth + 1))
			return true;
	}
	return false;
}

/* The watch list of @f, made on its first item. With [G]. */
static struct ep_watch *ep_watch_of(struct file *f)
{
	struct ep_watch *wl = f->ep;

	if (wl)
		return wl;
	wl = kmalloc_flags(sizeof(*wl), KM_MAY_FAIL);
	if (wl) {
		list_init(&wl->items);
		f->ep = wl;
	}
	return wl;
}

/* EPOLL_CTL_ADD of @f at @fd: hook it on the file's queues, queue it if ready. [G], [X]. */
static int ep_insert_locked(struct eventpoll *ep, struct file *f, int fd,
                            const struct epoll_event *ev) __must_hold(&ep->mtx)
{
	struct ep_watch *wl = ep_watch_of(f);
	struct ep_pqueue epq;
	struct epitem *it;
	unsigned revents;

	it = wl ? kmalloc_flags(sizeof(*it), KM_MAY_FAIL | KM_ZERO) : NULL;
	if (!it)
		return -ENOMEM;
	*it = (struct epitem){ .ep = ep, .file = f, .fd = fd, .data = ev->data };
	it->events = ev->events | EP_ALWAYS;
	it->hnext = ep->hash[ep_bucket(f, fd)];
	ep->hash[ep_bucket(f, fd)] = it;
	list_add_tail(&ep->items, &it->eplink);
	list_add_tail(&wl->items, &it->flink);
	poll_table_init(&epq.pt, true);
	epq.pt.queue = ep_queue_hook;
	epq.it = it;
	revents = vfs_poll(f, &epq.pt);
	if (epq.pt.error) {
		ep_remove_locked(ep, it);
		return epq.pt.error;
	}
	if (revents & it->events & ~EP_CONTROL)
		ep_queue_ready(it);
	return 0;
}

/* EPOLL_CTL_MOD: new events and data; queue it if it is ready for them. [X]. */
static void ep_modify_locked(struct eventpoll *ep, struct epitem *it, const struct epoll_event *ev)
	__must_hold(&ep->mtx)
{
	it->data = ev->data;
	__atomic_store_n(&it->events, ev->events | EP_ALWAYS, __ATOMIC_RELEASE);
	/* Pairs with the wake callbacks: a wake after this sees the new events. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vfs_poll(it->file, NULL) & it->events & ~EP_CONTROL)
		ep_queue_ready(it);
}

/* The argument checks of epoll_ctl that need both files; 0 or -errno. */
static int ep_ctl_check(int op, struct file *epf, struct file *f, const struct epoll_event *ev)
{
	if (!f->ops || !f->ops->poll)
		return -EPERM; /* regular files and directories cannot be watched (Linux) */
	if (op == EPOLL_CTL_ADD && (vfs_poll(f, NULL) & POLLNVAL))
		return -EPERM; /* nor a file that refuses waiters (a handle without WAIT) */
	if (epf == f || !is_epoll(epf))
		return -EINVAL;
	if (op != EPOLL_CTL_DEL && (ev->events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD || is_epoll(f) || (ev->events & ~EP_EXCL_OK))
			return -EINVAL;
	}
	if (op != EPOLL_CTL_ADD && op != EPOLL_CTL_MOD && op != EPOLL_CTL_DEL)
		return -EINVAL;
	return 0;
}

static int ep_ctl(struct eventpoll *ep, int op, struct file *f, int fd,
                  const struct epoll_event *ev)
{
	struct epitem *it;
	int err = 0;

	mutex_lock(&ep_global);
	mutex_lock(&ep->mtx);
	it = ep_find(ep, f, fd);
	if (op == EPOLL_CTL_ADD) {
		if (it)
			err = -EEXIST;
		else if (is_epoll(f) && ep_loops(ep, f, 0))
			err = -ELOOP;
		else
			err = ep_insert_locked(ep, f, fd, ev);
	} else if (!it) {
		err = -ENOENT;
	} else if (op == EPOLL_CTL_DEL) {
		ep_remove_locked(ep, it);
	} else if (it->events & EPOLLEXCLUSIVE) {
		err = -EINVAL; /* Linux: an exclusive item cannot be modified */
	} else {
		ep_modify_locked(ep, it, ev);
	}
	mutex_unlock(&ep->mtx);
	mutex_unlock(&ep_global);
	return err;
}

int ep_ctl_files(int op, struct file *epf, struct file *f, int fd, const struct epoll_event *ev)
{
	int err = ep_ctl_check(op, epf, f, ev);

	return err ? err : ep_ctl(epf->priv, op, f, fd, ev);
}

/* ---- making one, waiting on one ---- */

bool file_is_epoll(const struct file *f)
{
	return is_epoll(f);
}

struct file *ep_file_alloc(void)
{
	struct eventpoll *ep = kmalloc_flags(sizeof(*ep), KM_MAY_FAIL | KM_ZERO);
	struct file *f;

	if (!ep)
		return ERR_PTR_VAL(-ENOMEM);
	mutex_init(&ep->mtx, "epoll");
	spin_init(&ep->rlock, "epoll.ready");
	list_init(&ep->ready);
	list_init(&ep->items);
	waitq_init(&ep->wq, "epoll.wait");
	waitq_init(&ep->poll_wq, "epoll.poll");
	f = file_alloc_anon(&eventpoll_fops, ep, O_RDWR, 0600, "[eventpoll]");
	if (IS_ERR_PTR(f))
		kfree(ep);
	return f;
}

struct ep_wait_ctx {
	struct eventpoll *ep;
	bool signalled;
};

static bool ep_wait_cond(void *ctx)
{
	struct ep_wait_ctx *c = ctx;

	if (ep_has_ready(c->ep))
		return true;
	if (signal_pending()) {
		c->signalled = true;
		return true;
	}
	return false;
}

long ep_wait(struct eventpoll *ep, uint64_t uev, int max, uint64_t deadline)
{
	struct ep_wait_ctx c = { .ep = ep, .signalled = false };
	long n;
	int err;

	for (;;) {
		mutex_lock(&ep->mtx);
		n = ep_scan_ready_locked(ep, uev, max);
		mutex_unlock(&ep->mtx);
		if (n || c.signalled)
			return n ? n : -EINTR;
		if (deadline != TIME_NEVER && clock_monotonic_ns() >= deadline)
			return 0;
		err = waitq_wait(&ep->wq, ep_wait_cond, &c, WAIT_KILLABLE, deadline);
		if (err == -EINTR)
			return -EINTR;
		/* At the deadline, one more look: items may have come with it. */
		if (err == -ETIMEDOUT)
			deadline = 0;
	}
}
