// SPDX-License-Identifier: MIT
/*
 * Readiness (fs/poll.h): the poll table that lets one task sleep on the
 * wait queues of many files, the scan-and-sleep loop poll, ppoll, select
 * and pselect6 share, and the poll and ppoll system calls. Each entry of
 * a table is a callback waiter that stays on its queue for the whole
 * call; its callback only marks the table and wakes the poller, so a
 * file's wake-up costs a few stores however many pollers listen.
 * Semantics and errnos: docs/pipes-poll.md.
 */
#include "fs/poll.h"

#include <cairn/compiler.h>
#include <cairn/errno.h>
#include <cairn/linux/poll.h>
#include <cairn/linux/resource.h>

#include <lib/timespec/timespec.h>

#include "fs/file.h"
#include "fs/poll_internal.h"
#include "mm/heap.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include "sched/sched.h"
#include "sched/task.h"
#include "syscall/syscall.h"
#include "time/time.h"

/* Entries beyond the inline ones come in heap chunks of this many. */
#define POLL_CHUNK_ENTRIES 32
/* A cap on nfds whatever RLIMIT_NOFILE says, so the kernel copy stays small. */
#define POLL_NFDS_MAX      65536

struct poll_chunk {
	struct poll_chunk *next;
	unsigned n; /* entries in use */
	struct poll_entry e[POLL_CHUNK_ENTRIES];
};

/* Events a file without a poll op reports: always ready (Linux's DEFAULT_POLLMASK). */
#define POLL_DEFAULT (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

unsigned vfs_poll(struct file *f, struct poll_table *pt)
{
	if (!f->ops || !f->ops->poll)
		return POLL_DEFAULT;
	if (pt)
		pt->file = f;
	return f->ops->poll(f, pt);
}

void poll_wake(struct waitq *wq, unsigned events)
{
	if (waitq_active(wq))
		waitq_wake_key(wq, events);
}

/* A registered queue was woken: mark the table and wake its task. Under the queue's lock. */
static void poll_entry_wake(struct waiter *w, unsigned key)
{
	struct poll_entry *e = container_of(w, struct poll_entry, w);

	(void)key;
	__atomic_store_n(&e->pt->triggered, 1, __ATOMIC_RELEASE);
	task_wake(e->pt->task);
}

static struct poll_entry *poll_entry_alloc(struct poll_table *pt)
{
	struct poll_chunk *c = pt->chunks;

	if (pt->n_inline < POLL_INLINE_ENTRIES)
		return &pt->inline_e[pt->n_inline++];
	if (!c || c->n == POLL_CHUNK_ENTRIES) {
		c = kmalloc_flags(sizeof(*c), KM_MAY_FAIL);
		if (!c)
			return NULL;
		c->n = 0;
		c->next = pt->chunks;
		pt->chunks = c;
	}
	return &c->e[c->n++];
}

/* poll's way to register: one entry per queue, holding the file. */
static void poll_queue_entry(struct poll_table *pt, struct waitq *wq)
{
	struct poll_entry *e = poll_entry_alloc(pt);

	if (!e) {
		pt->error = -ENOMEM;
		return;
	}
	*e = (struct poll_entry){ .wq = wq, .pt = pt, .file = pt->file };
	e->w.fn = poll_entry_wake;
	e->w.task = pt->task;
	file_get(e->file);
	waitq_add_callback(wq, &e->w);
	/* Pairs with waitq_active() of the waker: see the state after registering. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void poll_wait(struct poll_table *pt, struct waitq *wq)
{
	if (pt && pt->queue && wq)
		pt->queue(pt, wq);
}

void poll_table_init(struct poll_table *pt, bool wait)
{
	pt->queue = wait ? poll_queue_entry : NULL;
	pt->file = NULL;
	pt->task = task_current();
	pt->triggered = 0;
	pt->error = 0;
	pt->n_inline = 0;
	pt->chunks = NULL;
}

static void poll_entry_free(struct poll_entry *e)
{
	waitq_remove(e->wq, &e->w);
	file_put(e->file);
}

void poll_table_free(struct poll_table *pt)
{
	struct poll_chunk *c, *next;

	for (unsigned i = 0; i < pt->n_inline; i++)
		poll_entry_free(&pt->inline_e[i]);
	for (c = pt->chunks; c; c = next) {
		next = c->next;
		for (unsigned i = 0; i < c->n; i++)
			poll_entry_free(&c->e[i]);
		kfree(c);
	}
	pt->n_inline = 0;
	pt->chunks = NULL;
}

uint64_t poll_deadline(uint64_t ns)
{
	return ns_add_sat(clock_monotonic_ns(), ns);
}

uint64_t poll_time_left(uint64_t deadline_ns)
{
	uint64_t now = clock_monotonic_ns();

	return deadline_ns > now ? deadline_ns - now : 0;
}

/*
 * Sleep until a registered queue is woken, a signal comes or the deadline
 * passes (or spuriously). The state is BLOCKED before the tests, so a wake
 * in between makes sched_block_until() return at once.
 */
static void poll_sleep(struct poll_table *pt, uint64_t deadline_ns)
{
	sched_prepare_block();
	if (__atomic_load_n(&pt->triggered, __ATOMIC_ACQUIRE) || signal_pending()) {
		sched_cancel_block();
		return;
	}
	sched_block_until(deadline_ns);
}

long poll_run(long (*scan)(void *ctx, struct poll_table *pt), void *ctx, uint64_t deadline_ns)
{
	struct poll_table pt;
	long n;

	poll_table_init(&pt, deadline_ns != 0);
	for (;;) {
		__atomic_store_n(&pt.triggered, 0, __ATOMIC_RELAXED);
		n = scan(ctx, &pt);
		pt.queue = NULL; /* registered once: the entries stay until the end */
		if (n)
			break;
		if (pt.error) {
			n = pt.error;
			break;
		}
		if (signal_pending()) {
			n = -ERESTARTNOHAND;
			break;
		}
		if (deadline_ns != TIME_NEVER && clock_monotonic_ns() >= deadline_ns)
			break;
		poll_sleep(&pt, deadline_ns);
	}
	poll_table_free(&pt);
	return n;
}

/* ---- signal masks of ppoll, pselect6 and epoll_pwait ---- */

int poll_sigmask_set(uint64_t umask, uint64_t size)
{
	struct thread *t = thread_current();
	uint64_t set;

	if (!umask)
		return 0;
	if (size != sizeof(set))
		return -EINVAL;
	if (copy_from_user(&set, (const void *)umask, sizeof(set)))
		return -EFAULT;
	if (!t)
		return 0;
	t->sig.saved_mask = t->sig.blocked;
	signal_set_blocked(set);
	return 0;
}

void poll_sigmask_restore(uint64_t umask, long ret)
{
	struct thread *t = thread_current();

	if (!umask || !t)
		return;
	/* Interrupted: the handler runs with the call's mask, the old one comes back after it. */
	if (ret == -EINTR || ret == -ERESTARTNOHAND) {
		t->sig.restore_mask = true;
		return;
	}
	signal_set_blocked(t->sig.saved_mask);
}

/* ---- poll and ppoll ---- */

/* The largest nfds poll accepts: RLIMIT_NOFILE's soft limit (Linux). */
static uint64_t poll_nfds_limit(void)
{
	struct process *p = process_current();
	uint64_t lim = p ? p->rlim[RLIMIT_NOFILE].rlim_cur : FDTABLE_MAX;

	return lim;
}

struct poll_req {
	struct pollfd *fds; /* kernel copy */
	unsigned n;
};

/* The revents of one pollfd, registering through @pt. */
static unsigned poll_one(const struct pollfd *p, struct poll_table *pt)
{
	/* POLLERR, POLLHUP and POLLNVAL are always reported (poll(2)); a file may say POLLNVAL. */
	unsigned want = (uint16_t)p->events | POLLERR | POLLHUP | POLLNVAL;
	struct file *f;
	unsigned ev;

	if (p->fd < 0)
		return 0;
	f = fd_get(p->fd);
	if (!f)
		return POLLNVAL;
	ev = vfs_poll(f, pt) & want;
	file_put(f);
	return ev;
}

static long poll_scan(void *ctx, struct poll_table *pt)
{
	struct poll_req *r = ctx;
	long count = 0;

	for (unsigned i = 0; i < r->n; i++) {
		unsigned ev = poll_one(&r->fds[i], count ? NULL : pt);

		r->fds[i].revents = (int16_t)ev;
		if (ev)
			count++;
	}
	return count;
}

/* Write the revents back to the user's array (only that field, as Linux does). */
static int poll_copy_back(uint64_t ufds, const struct poll_req *r)
{
	for (unsigned i = 0; i < r->n; i++) {
		uint64_t at = ufds + i * sizeof(struct pollfd) + offsetof(struct pollfd, revents);

		if (copy_to_user((void *)at, &r->fds[i].revents, sizeof(int16_t)))
			return -EFAULT;
	}
	return 0;
}

/* poll over @nfds pollfds at @ufds until @deadline_ns (0: no wait). */
static long do_poll(uint64_t ufds, uint64_t nfds, uint64_t deadline_ns)
{
	struct poll_req r = { .n = (unsigned)nfds };
	long ret;

	if (nfds > poll_nfds_limit() || nfds > POLL_NFDS_MAX)
		return -EINVAL;
	if (!user_range_ok(ufds, nfds * sizeof(struct pollfd)))
		return -EFAULT;
	if (nfds) {
		r.fds = kmalloc_flags(nfds * sizeof(struct pollfd), KM_MAY_FAIL);
		if (!r.fds)
			return -ENOMEM;
		if (copy_from_user(r.fds, (const void *)ufds, nfds * sizeof(struct pollfd))) {
			kfree(r.fds);
			return -EFAULT;
		}
	}
	ret = poll_run(poll_scan, &r, deadline_ns);
	if (ret >= 0 && poll_copy_back(ufds, &r))
		ret = -EFAULT;
	kfree(r.fds);
	return ret;
}

long sys_poll(uint64_t ufds, uint64_t nfds, uint64_t timeout_ms, uint64_t a3, uint64_t a4,
              uint64_t a5)
{
	int ms = (int)timeout_ms;
	uint64_t deadline = TIME_NEVER;

	if (ms >= 0)
		deadline = ms ? poll_deadline((uint64_t)ms * 1000000ull) : 0;
	return do_poll(ufds, nfds, deadline);
}

/* A user timespec as a deadline (NULL: none); 0 or -EFAULT/-EINVAL. */
int poll_timespec_deadline(uint64_t uts, uint64_t *deadline)
{
	struct timespec ts;

	*deadline = TIME_NEVER;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, (const void *)uts, sizeof(ts)))
		return -EFAULT;
	if (!timespec_valid(&ts))
		return -EINVAL;
	*deadline = (ts.tv_sec || ts.tv_nsec) ? poll_deadline(timespec_to_ns(&ts)) : 0;
	return 0;
}

/* Write the time left until @deadline back to the user's timespec (Linux does; errors ignored). */
void poll_timespec_update(uint64_t uts, uint64_t deadline)
{
	struct timespec ts;

	if (!uts || !deadline || deadline == TIME_NEVER)
		return;
	ts = ns_to_timespec(poll_time_left(deadline));
	if (copy_to_user((void *)uts, &ts, sizeof(ts)))
		return;
}

long sys_ppoll(uint64_t ufds, uint64_t nfds, uint64_t uts, uint64_t umask, uint64_t size,
               uint64_t a5)
{
	uint64_t deadline;
	long ret;

	ret = poll_timespec_deadline(uts, &deadline);
	if (ret)
		return ret;
	ret = poll_sigmask_set(umask, size);
	if (ret)
		return ret;
	ret = do_poll(ufds, nfds, deadline);
	poll_timespec_update(uts, deadline);
	poll_sigmask_restore(umask, ret);
	return ret;
}
