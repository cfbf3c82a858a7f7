// SPDX-License-Identifier: MIT
/*
 * The signal operations behind kill, tkill, tgkill, sigaltstack and
 * rt_sigtimedwait: finding the targets, the permission rule of kill(2),
 * the alternate stack's rules and waiting for chosen signals. The system
 * calls (kernel/syscall/sys_signal.c) copy the arguments and call these.
 */
#include <cairn/errno.h>

#include <lib/signal/signal.h>

#include "proc/proc.h"
#include "proc/sig_internal.h"
#include "proc/signal.h"
#include "time/time.h"

/* ---- kill ---- */

static void creds_of(struct process *p, struct sig_creds *c)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);

	c->uid = p->cred.uid;
	c->euid = p->cred.euid;
	c->suid = p->cred.suid;
	spin_unlock_irqrestore(&p->lock, flags);
}

/* Permission of the calling process (none: the kernel, always allowed) to signal @p. */
static bool may_signal(struct process *p, int sig)
{
	struct process *me = process_current();
	struct sig_creds from, to;

	if (!me || me == p)
		return true;
	creds_of(me, &from);
	creds_of(p, &to);
	return sig_kill_permitted(&from, &to, sig, me->sid == p->sid);
}

static int kill_one(struct process *p, int sig, const struct ksiginfo *info)
{
	if (!may_signal(p, sig))
		return -EPERM;
	return signal_send_process(p, sig, info);
}

struct kill_walk {
	int sig;
	const struct ksiginfo *info;
	bool kernel;   /* sent by the kernel itself: no permission check */
	unsigned sent; /* processes signalled */
	int err;       /* the last error */
};

static void kill_visit(struct process *p, void *ctx)
{
	struct kill_walk *w = ctx;
	int err =
		w->kernel ? signal_send_process(p, w->sig, w->info) : kill_one(p, w->sig, w->info);

	if (err)
		w->err = err;
	else
		w->sent++;
}

/* kill(-1): every process but init and the caller's; EPERM only when none could be signalled. */
static int kill_all(int sig, const struct ksiginfo *info)
{
	struct process *me = process_current();
	unsigned found = 0, sent = 0;
	int err = 0, e;

	for (int pid = PROC_INIT_PID + 1; pid < PROC_PID_MAX; pid++) {
		struct process *p = process_find(pid);

		if (!p)
			continue;
		if (p != me) {
			found++;
			e = kill_one(p, sig, info);
			if (!e)
				sent++;
			else if (e != -EPERM)
				err = e;
		}
		process_put(p);
	}
	if (!found)
		return -ESRCH;
	return sent ? 0 : err;
}

int signal_kill(int pid, int sig, const struct ksiginfo *info)
{
	struct process *me = process_current();
	struct kill_walk w = { .sig = sig, .info = info };
	struct process *p;
	int pgid, err;

	if (pid > 0) {
		p = process_find(pid);
		if (!p)
			return -ESRCH;
		err = kill_one(p, sig, info);
		process_put(p);
		return err;
	}
	if (pid == -1)
		return kill_all(sig, info);
	if (pid == INT32_MIN) /* -pid would overflow: no group has that id */
		return -ESRCH;
	pgid = pid ? -pid : (me ? proc_pgid(me) : 0);
	if (pgid <= 0 || !proc_for_each_in_group(pgid, kill_visit, &w))
		return -ESRCH;
	return w.sent ? 0 : w.err;
}

int signal_kill_pgrp(int pgid, int sig)
{
	struct ksiginfo info = { .signo = sig, .code = SI_KERNEL };
	struct kill_walk w = { .sig = sig, .info = &info, .kernel = true };

	if (pgid <= 0 || !proc_for_each_in_group(pgid, kill_visit, &w))
		return -ESRCH;
	return w.sent ? 0 : w.err;
}

int signal_kill_thread(int tgid, int tid, int sig, const struct ksiginfo *info)
{
	struct thread *t = thread_find(tid);
	int err;

	if (!t)
		return -ESRCH;
	if (tgid && t->proc->pid != tgid)
		err = -ESRCH;
	else if (!may_signal(t->proc, sig))
		err = -EPERM;
	else
		err = signal_send_thread(t, sig, info);
	thread_put(t);
	return err;
}

/* ---- sigaltstack ---- */

void signal_altstack_get(const struct thread_sig *ts, uintptr_t sp, struct linux_stack *out)
{
	out->ss_sp = ts->ss_sp;
	out->ss_size = ts->ss_size;
	out->pad = 0;
	if (!ts->ss_size)
		out->ss_flags = SS_DISABLE;
	else if (!(ts->ss_flags & SS_AUTODISARM) && sig_on_altstack(sp, ts->ss_sp, ts->ss_size))
		out->ss_flags = SS_ONSTACK;
	else
		out->ss_flags = 0;
	out->ss_flags |= (int32_t)(ts->ss_flags & SS_AUTODISARM);
}

int signal_altstack_set(struct thread_sig *ts, const struct linux_stack *ss, uintptr_t sp)
{
	uint32_t flags = (uint32_t)ss->ss_flags;
	/* An SS_AUTODISARM stack does not count as in use (Linux's on_sig_stack()). */
	size_t in_use = ts->ss_flags & SS_AUTODISARM ? 0 : ts->ss_size;
	int err = sig_altstack_check(sp, ts->ss_sp, in_use, flags, ss->ss_size);

	if (err)
		return err;
	if ((flags & ~SS_AUTODISARM) == SS_DISABLE) {
		ts->ss_sp = 0;
		ts->ss_size = 0;
		ts->ss_flags = SS_DISABLE;
		return 0;
	}
	ts->ss_sp = ss->ss_sp;
	ts->ss_size = ss->ss_size;
	ts->ss_flags = flags & SS_AUTODISARM;
	return 0;
}

/* ---- rt_sigtimedwait ---- */

static int take_from(struct thread *t, uint64_t set, struct ksiginfo *info)
{
	struct sighand *sh = t->proc->sighand;
	uint64_t flags = spin_lock_irqsave(&sh->lock);
	int sig = sig_dequeue(&t->sig, &t->proc->sig, ~set, info);

	spin_unlock_irqrestore(&sh->lock, flags);
	return sig;
}

int signal_wait_set(uint64_t set, uint64_t deadline_ns, struct ksiginfo *info)
{
	struct thread *t = thread_current();
	uint64_t saved = t->sig.blocked;
	int sig;

	/* Unblocked while waiting, so that sending one of them wakes this thread. */
	signal_set_blocked(saved & ~set);
	for (;;) {
		sig = take_from(t, set, info);
		if (sig)
			break;
		if (signal_pending()) {
			sig = take_from(t, set, info);
			if (!sig)
				sig = -EINTR;
			break;
		}
		if (deadline_ns != TIME_NEVER && clock_monotonic_ns() >= deadline_ns) {
			sig = -EAGAIN;
			break;
		}
		signal_sleep(deadline_ns);
	}
	signal_set_blocked(saved);
	return sig;
}
