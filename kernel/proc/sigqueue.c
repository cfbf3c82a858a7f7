// SPDX-License-Identifier: MIT
/*
 * Pending signals and their queued information. Entries come from one
 * static pool, so sending never allocates and works from interrupt
 * context (^C); a standard signal pending twice is one signal, a
 * real-time signal queues each time, bounded per process and in all.
 * Locks: [S] the caller holds the sighand lock; [P] pool_lock, taken
 * inside [S] and nothing inside it.
 */
#include <cairn/errno.h>

#include <lib/signal/signal.h>
#include <lib/string.h>

#include <stddef.h>

#include "mm/heap.h"
#include "proc/sig_internal.h"

struct sigqueue {
	struct list_node link; /* [S] on a sigpending's queue, or [P] on the free list */
	struct ksiginfo info;  /* [S] */
};

static struct spinlock pool_lock = SPINLOCK_INIT("sig.pool");
static struct sigqueue pool[SIGQUEUE_POOL];
static struct list_node pool_free_list __guarded_by(&pool_lock) = LIST_INIT(pool_free_list);
static unsigned pool_nfree __guarded_by(&pool_lock);
static bool pool_ready __guarded_by(&pool_lock);

/* Fill the free list on first use (the pool is in .bss). Pool lock held. */
static void pool_fill_locked(void) __must_hold(&pool_lock)
{
	for (size_t i = 0; i < SIGQUEUE_POOL; i++)
		list_add_tail(&pool_free_list, &pool[i].link);
	pool_nfree = SIGQUEUE_POOL;
	pool_ready = true;
}

static struct sigqueue *pool_get(void)
{
	uint64_t flags = spin_lock_irqsave(&pool_lock);
	struct sigqueue *q = NULL;
	struct list_node *n;

	if (!pool_ready)
		pool_fill_locked();
	n = list_pop_head(&pool_free_list);
	if (n) {
		q = list_entry(n, struct sigqueue, link);
		pool_nfree--;
	}
	spin_unlock_irqrestore(&pool_lock, flags);
	return q;
}

static void pool_put(struct sigqueue *q)
{
	uint64_t flags = spin_lock_irqsave(&pool_lock);

	list_add_head(&pool_free_list, &q->link);
	pool_nfree++;
	spin_unlock_irqrestore(&pool_lock, flags);
}

unsigned sigqueue_pool_free(void)
{
	uint64_t flags = spin_lock_irqsave(&pool_lock);
	unsigned n = pool_ready ? pool_nfree : SIGQUEUE_POOL;

	spin_unlock_irqrestore(&pool_lock, flags);
	return n;
}

void sigpending_init(struct sigpending *p)
{
	p->set = 0;
	list_init(&p->queue);
}

static void info_default(struct ksiginfo *k, int sig)
{
	memset(k, 0, sizeof(*k));
	k->signo = sig;
	k->code = SI_KERNEL;
}

int sigpending_add(struct sigpending *p, int sig, const struct ksiginfo *info, unsigned *queued)
{
	struct sigqueue *q = NULL;

	if (sig < SIGRTMIN && (p->set & SIG_BIT(sig)))
		return 0; /* standard signals do not queue */
	if (*queued < SIGQUEUE_PER_PROC)
		q = pool_get();
	if (!q) {
		/* Linux's rule: only a real-time signal from sigqueue/tkill may fail. */
		if (sig >= SIGRTMIN && info && info->code < 0)
			return -EAGAIN;
		p->set |= SIG_BIT(sig);
		return 0;
	}
	if (info)
		q->info = *info;
	else
		info_default(&q->info, sig);
	q->info.signo = sig;
	list_add_tail(&p->queue, &q->link);
	(*queued)++;
	p->set |= SIG_BIT(sig);
	return 0;
}

void sigpending_take(struct sigpending *p, int sig, struct ksiginfo *out, unsigned *queued)
{
	struct sigqueue *q, *found = NULL;
	bool more = false;

	list_for_each_entry(q, &p->queue, link) {
		if (q->info.signo != sig)
			continue;
		if (found) {
			more = true;
			break;
		}
		found = q;
	}
	if (!more)
		p->set &= ~SIG_BIT(sig);
	if (!found) {
		/* Pending without an entry: the pool was empty when it was sent. */
		info_default(out, sig);
		out->code = SI_USER;
		return;
	}
	*out = found->info;
	list_del(&found->link);
	(*queued)--;
	pool_put(found);
}

void sigpending_flush(struct sigpending *p, uint64_t mask, unsigned *queued)
{
	struct sigqueue *q, *tmp;

	list_for_each_entry_safe(q, tmp, &p->queue, link) {
		if (!(mask & SIG_BIT(q->info.signo)))
			continue;
		list_del(&q->link);
		(*queued)--;
		pool_put(q);
	}
	p->set &= ~mask;
}

int sig_dequeue(struct thread_sig *ts, struct proc_sig *ps, uint64_t blocked, struct ksiginfo *out)
{
	int sig = sig_next(ts->pending.set, blocked);

	if (sig) {
		sigpending_take(&ts->pending, sig, out, &ps->queued);
		return sig;
	}
	sig = sig_next(ps->shared.set, blocked);
	if (sig)
		sigpending_take(&ps->shared, sig, out, &ps->queued);
	return sig;
}

static bool is_fault_signal(int sig)
{
	return sig_valid(sig) && (SIG_BIT(sig) & SIG_SYNCHRONOUS) && sig != SIGSYS;
}

void sig_info_to_linux(const struct ksiginfo *k, struct linux_siginfo *out)
{
	memset(out, 0, sizeof(*out));
	out->si_signo = k->signo;
	out->si_errno = k->err;
	out->si_code = k->code;
	if (k->code == SI_KERNEL)
		return;
	if (k->code > 0 && is_fault_signal(k->signo)) {
		out->fault.addr = k->addr;
		return;
	}
	out->proc.pid = k->pid;
	out->proc.uid = k->uid;
	if (k->code > 0 && k->signo == SIGCHLD) {
		out->proc.status = k->status;
		out->proc.utime = k->utime;
		out->proc.stime = k->stime;
	} else if (k->code == SI_QUEUE || k->code == SI_TIMER || k->code == SI_MESGQ) {
		out->proc.value = k->value;
	}
}

/* ---- handler tables and the state of new threads and processes ---- */

int sighand_create(struct sighand **out)
{
	struct sighand *sh = kmalloc_flags(sizeof(*sh), KM_ZERO | KM_MAY_FAIL);

	if (!sh)
		return -ENOMEM;
	spin_init(&sh->lock, "sighand");
	sh->refs = 1;
	*out = sh;
	return 0;
}

int sighand_copy(const struct sighand *src, struct sighand **out)
{
	struct sighand *sh;
	int err = sighand_create(&sh);

	if (err)
		return err;
	/* The parent's own thread is the only one changing its handlers during fork. */
	memcpy(sh->action, src->action, sizeof(sh->action));
	*out = sh;
	return 0;
}

void sighand_get(struct sighand *sh)
{
	__atomic_fetch_add(&sh->refs, 1, __ATOMIC_RELAXED);
}

void sighand_put(struct sighand *sh)
{
	if (sh && __atomic_sub_fetch(&sh->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(sh);
}

void signal_proc_init(struct proc_sig *ps)
{
	memset(ps, 0, sizeof(*ps));
	sigpending_init(&ps->shared);
	waitq_init(&ps->stop_wq, "sig.stop");
}

void signal_thread_init(struct thread_sig *ts)
{
	memset(ts, 0, sizeof(*ts));
	sigpending_init(&ts->pending);
	ts->ss_flags = SS_DISABLE;
}

void signal_thread_inherit(struct thread_sig *ts, const struct thread_sig *parent, bool share_vm)
{
	signal_thread_init(ts);
	ts->blocked = parent->blocked;
	if (!share_vm) {
		ts->ss_sp = parent->ss_sp;
		ts->ss_size = parent->ss_size;
		ts->ss_flags = parent->ss_flags;
	}
}

void signal_proc_release(struct proc_sig *ps)
{
	sigpending_flush(&ps->shared, ~0ull, &ps->queued);
}

int signal_term_status(int sig)
{
	return sig_default_action(sig) == SIG_ACT_CORE ? (sig | 0x80) : sig;
}
