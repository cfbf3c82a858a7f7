// SPDX-License-Identifier: MIT
/*
 * Delivery: what a thread does with its pending signals on the way back
 * to user mode. It takes them one at a time (faults first, then the lowest
 * number), skips ignored ones, stops with its process, dies of a fatal one,
 * or has the architecture build a handler frame and goes to the handler.
 * A system call that a signal interrupted is then finished: -EINTR or
 * restarted, by Linux's rules (lib/signal's sig_restart_rule()).
 * Also the mask changes and the stop reports for wait4.
 * Locks: [P] then [S], as in signal.c.
 */
#include <cairn/errno.h>

#include <lib/signal/signal.h>

#include "arch/arch.h"
#include "proc/internal.h"
#include "proc/proc.h"
#include "proc/sig_internal.h"
#include "proc/signal.h"
#include "proc/signal_arch.h"
#include "sched/sched.h"
#include "sched/task.h"
#include "syscall/syscall.h"
#include "time/time.h"

/* ---- the blocked mask ---- */

static void set_blocked_locked(struct thread *t, uint64_t mask)
	__must_hold(&t->proc->lock, &t->proc->sighand->lock)
{
	struct process *p = t->proc;
	struct thread *o;
	uint64_t newly;

	mask &= ~SIG_UNCATCHABLE;
	newly = mask & ~t->sig.blocked;
	__atomic_store_n(&t->sig.blocked, mask, __ATOMIC_RELAXED);
	if ((t->sig.pending.set | p->sig.shared.set) & ~mask)
		__atomic_store_n(&t->sig.notify, 1, __ATOMIC_RELEASE);
	/* Shared signals this thread now blocks may be taken by another one. */
	if (!(p->sig.shared.set & newly))
		return;
	list_for_each_entry(o, &p->threads, proc_link) {
		if (o != t && (p->sig.shared.set & newly & ~o->sig.blocked))
			sig_notify_thread(o);
	}
}

/*
 * Store @mask when no shared signal needs another thread: then the
 * sighand lock alone is enough (no walk of the thread list). Returns false
 * when the caller must take the slow path.
 */
static bool set_blocked_fast(struct thread *t, uint64_t mask)
{
	struct process *p = t->proc;
	struct sighand *sh = p->sighand;
	uint64_t flags = spin_lock_irqsave(&sh->lock);
	bool done = !(p->sig.shared.set & mask & ~t->sig.blocked);

	if (done) {
		__atomic_store_n(&t->sig.blocked, mask, __ATOMIC_RELAXED);
		if ((t->sig.pending.set | p->sig.shared.set) & ~mask)
			__atomic_store_n(&t->sig.notify, 1, __ATOMIC_RELEASE);
	}
	spin_unlock_irqrestore(&sh->lock, flags);
	return done;
}

void signal_set_blocked(uint64_t mask)
{
	struct thread *t = thread_current();
	uint64_t flags;
	bool took_p;

	if (!t)
		return;
	mask &= ~SIG_UNCATCHABLE;
	if (set_blocked_fast(t, mask))
		return;
	flags = sig_lock(t->proc, &took_p);
	set_blocked_locked(t, mask);
	sig_unlock(t->proc, took_p, flags);
}

/* ---- stops ---- */

static bool stop_over(void *ctx)
{
	struct process *p = ctx;

	return __atomic_load_n(&p->sig.stop_state, __ATOMIC_ACQUIRE) == SIG_RUNNING ||
	       __atomic_load_n(&p->group_exiting, __ATOMIC_ACQUIRE);
}

/* Stop the whole process with @sig; [P] and [S] held on entry, released on return. */
static void stop_process_unlock(struct process *p, struct thread *t, int sig, bool took_p,
                                uint64_t flags) __releases(&p->lock, &p->sighand->lock)
{
	__atomic_store_n(&p->sig.stop_state, SIG_STOPPED, __ATOMIC_RELEASE);
	p->sig.stop_sig = sig;
	p->sig.stop_unreported = true;
	p->sig.cont_unreported = false;
	sig_notify_all_locked(p, t);
	sig_unlock(p, took_p, flags);
	signal_notify_parent(p, CLD_STOPPED, sig);
}

static bool has_handler(const struct kernel_sigaction *ka)
{
	return ka->sa_handler != SIG_DFL && ka->sa_handler != SIG_IGN;
}

/*
 * The next signal the calling thread must run a handler for, with its
 * information and action copied out; 0 when none is left. Ignored
 * signals are dropped here, stops sleep here, fatal ones never return.
 */
static int next_handler(struct thread *t, struct ksiginfo *info, struct kernel_sigaction *ka)
{
	struct process *p = t->proc;
	enum sig_action act;
	uint64_t flags;
	bool took_p;
	int sig;

	for (;;) {
		/* Another thread's exit_group or fatal signal: the first status wins. */
		if (__atomic_load_n(&p->group_exiting, __ATOMIC_ACQUIRE) && p->exec_thread != t)
			proc_exit_group(p->group_status);
		/* cairn_task_kill() of this one thread: it ends, its process goes on. */
		if (__atomic_load_n(&t->kill_alone, __ATOMIC_ACQUIRE))
			proc_thread_end(signal_term_status(SIGKILL));
		flags = sig_lock(p, &took_p);
		if (p->sig.stop_state == SIG_STOPPED) {
			sig_unlock(p, took_p, flags);
			/* Not killable: SIGKILL ends the stop itself (prepare_send_locked()). */
			int err = waitq_wait(&p->sig.stop_wq, stop_over, p, 0, TIME_NEVER);

			(void)err;
			continue;
		}
		sig = sig_dequeue(&t->sig, &p->sig, t->sig.blocked, info);
		if (!sig) {
			__atomic_store_n(&t->sig.notify, 0, __ATOMIC_RELEASE);
			sig_unlock(p, took_p, flags);
			return 0;
		}
		*ka = p->sighand->action[sig - 1];
		if (has_handler(ka) && (ka->sa_flags & SA_RESETHAND))
			p->sighand->action[sig - 1].sa_handler = SIG_DFL;
		act = ka->sa_handler == SIG_DFL ? sig_default_action(sig) : SIG_ACT_IGN;
		if (act == SIG_ACT_STOP) {
			stop_process_unlock(p, t, sig, took_p, flags);
			continue;
		}
		sig_unlock(p, took_p, flags);
		if (has_handler(ka))
			return sig;
		if (act == SIG_ACT_TERM || act == SIG_ACT_CORE)
			proc_exit_group(signal_term_status(sig));
	}
}

/* Finish an interrupted system call of @f by the restart rules; once per delivery. */
static void finish_syscall(struct arch_uframe *f, bool *in_syscall, long ret, bool handler,
                           bool sa_restart)
{
	if (!*in_syscall)
		return;
	*in_syscall = false;
	switch (sig_restart_rule(ret, handler, sa_restart)) {
	case SIG_RESTART_EINTR:
		arch_uframe_set_return(f, -EINTR);
		break;
	case SIG_RESTART_AGAIN:
		arch_signal_restart(f);
		break;
	case SIG_RESTART_NONE:
		break;
	}
}

/*
 * Run the handler of @sig: its frame on the user stack, the mask widened
 * while it runs. Returns false when the frame could not be written (a
 * forced SIGSEGV is pending then).
 */
static bool run_handler(struct thread *t, struct arch_uframe *f, int sig,
                        const struct ksiginfo *info, const struct kernel_sigaction *ka)
{
	struct sig_frame_req req = {
		.sig = sig,
		.info = info,
		.ka = ka,
		.mask = t->sig.restore_mask ? t->sig.saved_mask : t->sig.blocked,
		.ts = &t->sig,
	};
	uint64_t mask = t->sig.blocked | ka->sa_mask;

	if (arch_signal_setup_frame(f, &req)) {
		/* Linux's force_sigsegv(): a SIGSEGV handler that cannot run is reset. */
		if (sig == SIGSEGV)
			signal_reset_handler(t->proc, SIGSEGV);
		signal_fault(SIGSEGV, SI_KERNEL, 0);
		return false;
	}
	t->sig.restore_mask = false;
	if (!(ka->sa_flags & SA_NODEFER))
		mask |= SIG_BIT(sig);
	signal_set_blocked(mask);
	return true;
}

void signal_deliver(struct arch_uframe *f)
{
	struct thread *t = thread_current();
	struct kernel_sigaction ka;
	struct ksiginfo info;
	bool in_syscall, ran = false;
	long ret = 0;
	int sig;

	if (!t)
		return;
	in_syscall = arch_signal_syscall_result(f, &ret) && ret <= -ERESTARTSYS &&
	             ret >= -ERESTART_RESTARTBLOCK;
	if (!__atomic_load_n(&t->sig.notify, __ATOMIC_ACQUIRE) && !t->sig.restore_mask &&
	    !in_syscall)
		return;
	/*
	 * Every deliverable signal gets its frame now, each on top of the one
	 * before (so the last one taken runs first), as Linux does; each
	 * handler's mask decides what is still deliverable after it.
	 */
	while ((sig = next_handler(t, &info, &ka))) {
		finish_syscall(f, &in_syscall, ret, true, ka.sa_flags & SA_RESTART);
		if (run_handler(t, f, sig, &info, &ka))
			ran = true;
	}
	if (ran)
		return;
	finish_syscall(f, &in_syscall, ret, false, false);
	if (t->sig.restore_mask) {
		t->sig.restore_mask = false;
		signal_set_blocked(t->sig.saved_mask);
	}
}

/* ---- stop reports for wait4 ---- */

static bool take_report(struct process *p, bool cont, int *status)
{
	uint64_t flags = spin_lock_irqsave(&p->sighand->lock);
	bool *flag = cont ? &p->sig.cont_unreported : &p->sig.stop_unreported;
	bool found = *flag && (cont || p->sig.stop_state == SIG_STOPPED);

	if (found) {
		*status = cont ? 0xffff : (p->sig.stop_sig << 8) | 0x7f;
		*flag = false;
	}
	spin_unlock_irqrestore(&p->sighand->lock, flags);
	return found;
}

bool signal_take_stop_report(struct process *p, int *status)
{
	return take_report(p, false, status);
}

bool signal_take_cont_report(struct process *p, int *status)
{
	return take_report(p, true, status);
}
