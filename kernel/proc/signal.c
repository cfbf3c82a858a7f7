// SPDX-License-Identifier: MIT
/*
 * Sending signals: the side effects SIGCONT, SIGKILL and the stop signals
 * have at once, the choice of the thread that takes a process's signal,
 * waking it, forced fault signals, and the handler table's updates. What
 * happens on the way back to user mode is in sigdeliver.c, the queues in
 * sigqueue.c, the rules in lib/signal. Model and locks: docs/signals.md.
 *
 * Locks: [P] the process's lock (its thread list), then [S] its sighand's
 * lock (proc.h's order: proc_lock, then [P], then [S]). Inside [S]: a wait
 * queue's lock, the run-queue locks (task_wake) and the queue pool's lock.
 * Senders may already hold [P] (proc_group_exit_request() does).
 */
#include "proc/signal.h"

#include <cairn/errno.h>

#include <lib/signal/signal.h>
#include <lib/string.h>

#include "core/log.h"
#include "core/percpu.h"
#include "core/smp.h"
#include "proc/proc.h"
#include "proc/sig_internal.h"
#include "sched/sched.h"
#include "sched/task.h"

/* ---- locking ---- */

__no_thread_safety_analysis uint64_t sig_lock(struct process *p, bool *took_p)
{
	uint64_t flags = 0;

	/* The caller may be proc_group_exit_request(), which holds [P] already. */
	*took_p = !spin_held(&p->lock);
	if (*took_p)
		flags = spin_lock_irqsave(&p->lock);
	spin_lock(&p->sighand->lock);
	return flags;
}

__no_thread_safety_analysis void sig_unlock(struct process *p, bool took_p, uint64_t flags)
{
	spin_unlock(&p->sighand->lock);
	if (took_p)
		spin_unlock_irqrestore(&p->lock, flags);
}

/* ---- helpers under [P] and [S] ---- */

/* True when @sig sent now would do nothing at all (Linux's sig_task_ignored). */
static bool sig_ignored_locked(const struct sighand *sh, int sig) __must_hold(&sh->lock)
{
	uint64_t h = sh->action[sig - 1].sa_handler;

	if (SIG_BIT(sig) & SIG_UNCATCHABLE)
		return false;
	if (h == SIG_IGN)
		return true;
	if (h != SIG_DFL)
		return false;
	return sig_default_action(sig) == SIG_ACT_IGN || sig == SIGCONT;
}

void sig_notify_thread(struct thread *t)
{
	struct task *task = t->task;
	unsigned cpu;

	__atomic_store_n(&t->sig.notify, 1, __ATOMIC_RELEASE);
	if (!task || task_wake(task))
		return;
	/*
	 * Running on another CPU, perhaps in user mode: interrupt it so that it
	 * looks at its signals now, not when its time slice ends. A stale read
	 * costs one needless interrupt or leaves the slice timer to do it.
	 */
	if (__atomic_load_n(&task->state, __ATOMIC_ACQUIRE) != TASK_RUNNING)
		return;
	cpu = __atomic_load_n(&task->cpu, __ATOMIC_RELAXED);
	if (cpu != arch_cpu_index())
		(void)arch_smp_send_ipi(percpu_of(cpu), SMP_IPI_RESCHED);
}

void sig_notify_all_locked(struct process *p, const struct thread *except)
	__must_hold(&p->lock, &p->sighand->lock)
{
	struct thread *t;

	list_for_each_entry(t, &p->threads, proc_link) {
		if (t != except)
			sig_notify_thread(t);
	}
}

/* Drop pending signals of @mask from the process and all its threads. */
static void flush_all_locked(struct process *p, uint64_t mask)
	__must_hold(&p->lock, &p->sighand->lock)
{
	struct thread *t;

	sigpending_flush(&p->sig.shared, mask, &p->sig.queued);
	list_for_each_entry(t, &p->threads, proc_link)
		sigpending_flush(&t->sig.pending, mask, &p->sig.queued);
}

/*
 * What sending has to do at once, whatever the handler (Linux's
 * prepare_signal): SIGCONT and SIGKILL end a stop, SIGCONT drops pending
 * stop signals and a stop signal drops a pending SIGCONT. Returns true
 * when a stop ended by SIGCONT must be reported to the parent.
 */
static bool prepare_send_locked(struct process *p, int sig) __must_hold(&p->lock, &p->sighand->lock)
{
	bool continued = false;

	if (sig == SIGCONT || sig == SIGKILL) {
		if (sig == SIGCONT)
			flush_all_locked(p, SIG_STOPS);
		if (p->sig.stop_state == SIG_STOPPED) {
			__atomic_store_n(&p->sig.stop_state, SIG_RUNNING, __ATOMIC_RELEASE);
			p->sig.stop_unreported = false;
			continued = sig == SIGCONT;
			p->sig.cont_unreported = continued;
			waitq_wake_all(&p->sig.stop_wq);
		}
	} else if (SIG_BIT(sig) & SIG_STOPS) {
		flush_all_locked(p, SIG_BIT(SIGCONT));
	}
	return continued;
}

/* A thread of @p that does not block @sig, the caller's own first; NULL if all do. */
static struct thread *pick_thread_locked(struct process *p, int sig)
	__must_hold(&p->lock, &p->sighand->lock)
{
	struct thread *cur = thread_current();
	struct thread *t;

	if (cur && cur->proc == p && !(cur->sig.blocked & SIG_BIT(sig)))
		return cur;
	list_for_each_entry(t, &p->threads, proc_link) {
		if (!(t->sig.blocked & SIG_BIT(sig)))
			return t;
	}
	return NULL;
}

/* ---- sending ---- */

/*
 * A group kill (kill(-pgid), the terminal's signals) sends with proc_lock
 * held by proc_for_each_in_group(), and a SIGCONT to a stopped member
 * lands here: the lock is then already this CPU's.
 */
void signal_notify_parent(struct process *p, int why, int sig) __no_thread_safety_analysis
{
	struct ksiginfo info = { .signo = SIGCHLD, .code = why, .pid = p->pid, .status = sig };
	bool held = spin_held(&proc_lock), quiet;
	struct process *parent;
	uint64_t flags = 0;

	if (!held)
		flags = spin_lock_irqsave(&proc_lock);
	parent = p->parent;
	if (parent)
		process_get(parent);
	if (!held)
		spin_unlock_irqrestore(&proc_lock, flags);
	if (!parent)
		return;
	info.uid = p->cred.uid;
	flags = spin_lock_irqsave(&parent->sighand->lock);
	quiet = parent->sighand->action[SIGCHLD - 1].sa_flags & SA_NOCLDSTOP;
	spin_unlock_irqrestore(&parent->sighand->lock, flags);
	if (!quiet)
		(void)signal_send_process(parent, SIGCHLD, &info);
	/* wait4(WUNTRACED/WCONTINUED) sleeps until a child's news bumps child_gen. */
	__atomic_fetch_add(&parent->child_gen, 1, __ATOMIC_RELEASE);
	waitq_wake_all(&parent->child_wq);
	process_put(parent);
}

/*
 * Make @sig pending for @p, or for its thread @t when @t is not NULL, and
 * wake the thread that will take it. Returns 0 or -EAGAIN.
 */
static int send_signal(struct process *p, struct thread *t, int sig, const struct ksiginfo *info)
{
	struct sigpending *pend = t ? &t->sig.pending : &p->sig.shared;
	struct thread *target;
	bool continued = false, took_p;
	uint64_t flags;
	int err = 0;

	flags = sig_lock(p, &took_p);
	/* A dying process takes nothing but the SIGKILLs that end its threads. */
	if (__atomic_load_n(&p->group_exiting, __ATOMIC_ACQUIRE) && sig != SIGKILL)
		goto out_unlock;
	continued = prepare_send_locked(p, sig);
	target = t ? t : pick_thread_locked(p, sig);
	if (sig_ignored_locked(p->sighand, sig) &&
	    (!target || !(target->sig.blocked & SIG_BIT(sig))))
		goto out_unlock;
	err = sigpending_add(pend, sig, info, &p->sig.queued);
	if (err)
		goto out_unlock;
	if (sig == SIGKILL && !t)
		sig_notify_all_locked(p, NULL);
	else if (target)
		sig_notify_thread(target);
out_unlock:
	sig_unlock(p, took_p, flags);
	if (continued)
		signal_notify_parent(p, CLD_CONTINUED, SIGCONT);
	return err;
}

int signal_send_process(struct process *p, int sig, const struct ksiginfo *info)
{
	if (sig == 0)
		return 0;
	if (!sig_valid(sig))
		return -EINVAL;
	/* A process still being made has no handlers yet: nothing can take a signal. */
	if (!__atomic_load_n(&p->sighand, __ATOMIC_ACQUIRE))
		return -ESRCH;
	return send_signal(p, NULL, sig, info);
}

int signal_send_thread(struct thread *t, int sig, const struct ksiginfo *info)
{
	if (sig == 0)
		return 0;
	if (!sig_valid(sig))
		return -EINVAL;
	if (!__atomic_load_n(&t->proc->sighand, __ATOMIC_ACQUIRE))
		return -ESRCH;
	return send_signal(t->proc, t, sig, info);
}

void signal_fault(int sig, int code, uintptr_t addr)
{
	struct thread *t = thread_current();
	struct ksiginfo info = { .signo = sig, .code = code, .addr = addr };
	struct kernel_sigaction *ka;
	struct sighand *sh;
	uint64_t flags;

	if (!t || !sig_valid(sig))
		return;
	sh = t->proc->sighand;
	flags = spin_lock_irqsave(&sh->lock);
	/* Forced: a fault blocked or ignored would only come back forever. */
	ka = &sh->action[sig - 1];
	if (ka->sa_handler == SIG_IGN || (t->sig.blocked & SIG_BIT(sig)))
		ka->sa_handler = SIG_DFL;
	__atomic_store_n(&t->sig.blocked, t->sig.blocked & ~SIG_BIT(sig), __ATOMIC_RELAXED);
	if (sigpending_add(&t->sig.pending, sig, &info, &t->proc->sig.queued))
		pr_warn("signal: fault signal %d lost", sig); /* cannot happen: not real-time */
	__atomic_store_n(&t->sig.notify, 1, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&sh->lock, flags);
}

bool signal_pending(void)
{
	struct thread *t = thread_current();
	struct process *p;
	uint64_t ready;

	if (!t)
		return false;
	p = t->proc;
	ready = __atomic_load_n(&t->sig.pending.set, __ATOMIC_RELAXED) |
	        __atomic_load_n(&p->sig.shared.set, __ATOMIC_RELAXED);
	if (ready & ~__atomic_load_n(&t->sig.blocked, __ATOMIC_RELAXED))
		return true;
	return __atomic_load_n(&p->sig.stop_state, __ATOMIC_ACQUIRE) != SIG_RUNNING ||
	       __atomic_load_n(&p->group_exiting, __ATOMIC_ACQUIRE) || task_kill_pending();
}

bool signal_fatal_pending(void)
{
	struct thread *t = thread_current();
	struct process *p;

	if (!t)
		return task_kill_pending();
	p = t->proc;
	return ((__atomic_load_n(&t->sig.pending.set, __ATOMIC_RELAXED) |
	         __atomic_load_n(&p->sig.shared.set, __ATOMIC_RELAXED)) &
	        SIG_BIT(SIGKILL)) ||
	       __atomic_load_n(&p->group_exiting, __ATOMIC_ACQUIRE) || task_kill_pending();
}

/* ---- handler table updates ---- */

void signal_action(struct process *p, int sig, const struct kernel_sigaction *act,
                   struct kernel_sigaction *old)
{
	struct sighand *sh;
	uint64_t flags;
	bool took_p;

	flags = sig_lock(p, &took_p);
	sh = p->sighand;
	if (old)
		*old = sh->action[sig - 1];
	if (act) {
		sh->action[sig - 1] = *act;
		sh->action[sig - 1].sa_mask &= ~SIG_UNCATCHABLE;
		/* POSIX: a pending signal whose action becomes "ignore" is discarded. */
		if (sig_ignored_locked(p->sighand, sig))
			flush_all_locked(p, SIG_BIT(sig));
	}
	sig_unlock(p, took_p, flags);
}

void signal_reset_handler(struct process *p, int sig)
{
	uint64_t flags = spin_lock_irqsave(&p->sighand->lock);

	p->sighand->action[sig - 1].sa_handler = SIG_DFL;
	spin_unlock_irqrestore(&p->sighand->lock, flags);
}

int signal_exec_reset(struct process *p)
{
	struct sighand *sh = p->sighand, *fresh = NULL;
	struct thread *t;
	uint64_t flags;
	bool took_p;
	int err;

	/* A table shared with another process (CLONE_SIGHAND) is copied first. */
	if (__atomic_load_n(&sh->refs, __ATOMIC_ACQUIRE) > 1) {
		err = sighand_copy(sh, &fresh);
		if (err)
			return err;
	}
	if (fresh) {
		/* Senders read p->sighand under p->lock (sig_lock()), so swap it there. */
		flags = spin_lock_irqsave(&p->lock);
		p->sighand = fresh;
		spin_unlock_irqrestore(&p->lock, flags);
	}
	flags = sig_lock(p, &took_p);
	for (int i = 0; i < NSIG; i++) {
		struct kernel_sigaction *a = &p->sighand->action[i];

		if (a->sa_handler != SIG_IGN)
			a->sa_handler = SIG_DFL;
		a->sa_flags = 0;
		a->sa_restorer = 0;
		a->sa_mask = 0;
	}
	list_for_each_entry(t, &p->threads, proc_link) {
		t->sig.ss_sp = 0;
		t->sig.ss_size = 0;
		t->sig.ss_flags = SS_DISABLE;
	}
	sig_unlock(p, took_p, flags);
	if (fresh)
		sighand_put(sh);
	return 0;
}

void signal_fork_child_locked(struct process *p, struct thread *t) __must_hold(&proc_lock)
{
	struct thread *me = thread_current();
	struct process *mine;
	uint64_t flags;

	if (!me)
		return; /* the kernel's own spawn: no parent to have been killed */
	mine = me->proc;
	if (!((__atomic_load_n(&me->sig.pending.set, __ATOMIC_ACQUIRE) |
	       __atomic_load_n(&mine->sig.shared.set, __ATOMIC_ACQUIRE)) &
	      SIG_BIT(SIGKILL)) &&
	    !__atomic_load_n(&mine->group_exiting, __ATOMIC_ACQUIRE))
		return;
	/* No task_wake(): @t's task is not queued yet; its first return to user mode looks. */
	flags = spin_lock_irqsave(&p->sighand->lock);
	t->sig.pending.set |= SIG_BIT(SIGKILL);
	__atomic_store_n(&t->sig.notify, 1, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&p->sighand->lock, flags);
}

void signal_thread_release(struct thread_sig *ts)
{
	struct process *p = container_of(ts, struct thread, sig)->proc;
	unsigned uncounted = SIGQUEUE_POOL; /* a count nobody reads: there is no process */
	uint64_t flags;

	/* Nobody can reach the thread any more; its process counts the entries it held. */
	if (!p || !p->sighand) {
		sigpending_flush(&ts->pending, ~0ull, &uncounted);
		return;
	}
	flags = spin_lock_irqsave(&p->sighand->lock);
	sigpending_flush(&ts->pending, ~0ull, &p->sig.queued);
	spin_unlock_irqrestore(&p->sighand->lock, flags);
}

uint64_t signal_pending_set(void)
{
	struct thread *t = thread_current();
	struct sighand *sh = t->proc->sighand;
	uint64_t flags = spin_lock_irqsave(&sh->lock);
	uint64_t set = (t->sig.pending.set | t->proc->sig.shared.set) & t->sig.blocked;

	spin_unlock_irqrestore(&sh->lock, flags);
	return set;
}

void signal_sleep(uint64_t deadline_ns)
{
	/* BLOCKED before the test: a sender sets the bit, then wakes (sched.h). */
	sched_prepare_block();
	if (signal_pending())
		sched_cancel_block();
	else
		sched_block_until(deadline_ns);
}
