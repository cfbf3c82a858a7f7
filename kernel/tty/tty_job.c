// SPDX-License-Identifier: MIT
/*
 * Job control: a terminal's session and foreground process group, a
 * process's controlling terminal, and the rules that join them (POSIX.1
 * "General Terminal Interface" 11.1.3 and 11.1.4; Linux's choices where
 * POSIX leaves them open): acquiring a terminal (TIOCSCTTY, or a session
 * leader's open), giving it up (TIOCNOTTY, the leader's exit), the
 * foreground group (TIOCGPGRP, TIOCSPGRP), the signals typed keys send,
 * and the stops of background groups that read their terminal (SIGTTIN)
 * or change it (SIGTTOU). The links on both sides are written under
 * proc_lock, which also guards the process tree these rules read.
 */
#include <cairn/errno.h>
#include <cairn/linux/signal.h>
#include <cairn/linux/termios.h>

#include <lib/signal/signal.h>

#include "mm/uaccess.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include "tty/internal.h"
#include "tty/tty.h"

int tty_foreground_pgrp(struct tty *t)
{
	return __atomic_load_n(&t->pgrp, __ATOMIC_RELAXED);
}

void tty_set_foreground_pgrp(struct tty *t, int pgid)
{
	uint64_t flags = spin_lock_irqsave(&proc_lock);

	__atomic_store_n(&t->pgrp, pgid, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&proc_lock, flags);
}

void tty_ctty_info(struct process *p, uint32_t *rdev, int *tpgid)
{
	uint64_t flags = spin_lock_irqsave(&proc_lock);
	struct tty *t = p->ctty;

	*rdev = t ? t->rdev : 0;
	*tpgid = t && t->pgrp ? t->pgrp : -1;
	spin_unlock_irqrestore(&proc_lock, flags);
}

void tty_job_signal(struct tty *t, int sig)
{
	int pgid = tty_foreground_pgrp(t);

	if (pgid > 0)
		(void)signal_kill_pgrp(pgid, sig);
}

/* @p takes @t as its controlling terminal, and @t @p's session with its group in front. */
static void set_ctty_locked(struct process *p, struct tty *t) __must_hold(&proc_lock)
{
	p->ctty = t;
	__atomic_store_n(&t->session, p->sid, __ATOMIC_RELAXED);
	__atomic_store_n(&t->pgrp, p->pgid, __ATOMIC_RELAXED);
}

static void drop_ctty(struct process *p, void *ctx)
{
	if (p->ctty == ctx)
		p->ctty = NULL;
}

/* No process keeps @t and @t keeps no session: what a hang-up and TIOCNOTTY leave. */
static void forget_locked(struct tty *t) __must_hold(&proc_lock)
{
	proc_for_each_locked(drop_ctty, t);
	__atomic_store_n(&t->session, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&t->pgrp, 0, __ATOMIC_RELAXED);
}

void tty_job_forget(struct tty *t)
{
	uint64_t flags = spin_lock_irqsave(&proc_lock);

	forget_locked(t);
	spin_unlock_irqrestore(&proc_lock, flags);
}

/* What a leaving session leader does to its terminal's foreground group (Linux: SIGHUP, SIGCONT). */
static void hangup_signals(int pgid)
{
	if (pgid <= 0)
		return;
	(void)signal_kill_pgrp(pgid, SIGHUP);
	(void)signal_kill_pgrp(pgid, SIGCONT);
}

void tty_session_leader_exit(struct process *p)
{
	uint64_t flags = spin_lock_irqsave(&proc_lock);
	struct tty *t = p->ctty;
	int fg = 0;

	if (t && p->sid == p->pid && __atomic_load_n(&t->session, __ATOMIC_RELAXED) == p->sid) {
		fg = t->pgrp;
		forget_locked(t);
	}
	p->ctty = NULL;
	spin_unlock_irqrestore(&proc_lock, flags);
	hangup_signals(fg);
}

void tty_hangup(struct tty *t)
{
	uint64_t flags = spin_lock_irqsave(&proc_lock);
	int sid = t->session;
	struct process *leader;

	__atomic_store_n(&t->hungup, true, __ATOMIC_RELEASE);
	if (sid)
		forget_locked(t);
	spin_unlock_irqrestore(&proc_lock, flags);
	waitq_wake_all(&t->readers);
	/* Linux's tty_signal_session_leader(): the leader hears of it. */
	leader = sid ? process_find(sid) : NULL;
	if (leader) {
		(void)signal_send_process(leader, SIGHUP, NULL);
		(void)signal_send_process(leader, SIGCONT, NULL);
		process_put(leader);
	}
}

void tty_job_open(struct tty *t)
{
	struct process *p = process_current();
	uint64_t flags;

	if (!p)
		return;
	flags = spin_lock_irqsave(&proc_lock);
	if (p->sid == p->pid && !p->ctty && !t->session)
		set_ctty_locked(p, t);
	spin_unlock_irqrestore(&proc_lock, flags);
}

/* Whether the calling thread blocks @sig or its process ignores it: a stop cannot work. */
static bool sig_refused(struct process *p, int sig)
{
	struct thread *th = thread_current();
	uint64_t flags;
	bool ign;

	if (th && (__atomic_load_n(&th->sig.blocked, __ATOMIC_RELAXED) & SIG_BIT(sig)))
		return true;
	flags = spin_lock_irqsave(&p->lock);
	spin_lock(&p->sighand->lock);
	ign = p->sighand->action[sig - 1].sa_handler == SIG_IGN;
	spin_unlock(&p->sighand->lock);
	spin_unlock_irqrestore(&p->lock, flags);
	return ign;
}

/* An orphaned group's walk: does a member have a parent in the session but outside it? */
struct orphan_walk {
	int pgid;
	bool anchored;
};

static void orphan_visit(struct process *p, void *ctx)
{
	struct orphan_walk *w = ctx;
	struct process *q = p->parent;

	/* Linux's will_become_orphaned_pgrp(): init as the parent does not count. */
	if (q && q->state == PROC_ALIVE && q->pid != PROC_INIT_PID && q->pgid != w->pgid &&
	    q->sid == p->sid)
		w->anchored = true;
}

static bool pgrp_orphaned(int pgid)
{
	struct orphan_walk w = { .pgid = pgid, .anchored = false };

	(void)proc_for_each_in_group(pgid, orphan_visit, &w);
	return !w.anchored;
}

/*
 * The background check of POSIX 11.1.4 for the caller on @t: a member of
 * a group other than @t's foreground group, @t being its controlling
 * terminal, gets @sig sent to its whole group and the call restarts once
 * it continues; when @sig cannot stop it (blocked, ignored) SIGTTIN
 * fails with EIO and SIGTTOU lets the call go on; an orphaned group,
 * which nobody would continue, gets EIO.
 */
static int job_check(struct tty *t, int sig)
{
	struct process *p = process_current();
	uint64_t flags;
	int pgid, fg;
	bool mine;

	if (!p)
		return 0;
	flags = spin_lock_irqsave(&proc_lock);
	mine = p->ctty == t;
	pgid = p->pgid;
	fg = t->pgrp;
	spin_unlock_irqrestore(&proc_lock, flags);
	if (!mine || !fg || pgid == fg)
		return 0;
	if (sig_refused(p, sig))
		return sig == SIGTTIN ? -EIO : 0;
	if (pgrp_orphaned(pgid))
		return -EIO;
	(void)signal_kill_pgrp(pgid, sig);
	return -ERESTARTSYS;
}

int tty_job_check_read(struct tty *t)
{
	return job_check(t, SIGTTIN);
}

int tty_job_check_change(struct tty *t)
{
	return job_check(t, SIGTTOU);
}

static bool caller_is_root(struct process *p)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);
	bool root = p->cred.euid == 0;

	spin_unlock_irqrestore(&p->lock, flags);
	return root;
}

bool tty_job_may_simulate(struct tty *t)
{
	struct process *p = process_current();
	uint64_t flags;
	bool mine;

	if (!p)
		return true; /* the kernel itself */
	flags = spin_lock_irqsave(&proc_lock);
	mine = p->ctty == t;
	spin_unlock_irqrestore(&proc_lock, flags);
	return mine || caller_is_root(p);
}

/*
 * TIOCSCTTY: a session leader without a terminal takes @t, unless @t is
 * another session's; root may take it from that session with @arg 1.
 * Without read access only root may (Linux). Already ours: nothing to do.
 */
static long job_sctty(struct process *p, struct tty *t, uintptr_t arg, bool readable)
{
	bool root = caller_is_root(p);
	uint64_t flags = spin_lock_irqsave(&proc_lock);
	long err = 0;

	if (p->sid == p->pid && t->session == p->sid)
		goto out_unlock;
	if (p->sid != p->pid || p->ctty || (!readable && !root)) {
		err = -EPERM;
		goto out_unlock;
	}
	if (t->session) {
		if (arg != 1 || !root) {
			err = -EPERM;
			goto out_unlock;
		}
		forget_locked(t);
	}
	set_ctty_locked(p, t);
out_unlock:
	spin_unlock_irqrestore(&proc_lock, flags);
	return err;
}

/* TIOCNOTTY: give @t up; a session leader takes the whole session off it (hang-up signals). */
static long job_notty(struct process *p, struct tty *t)
{
	uint64_t flags = spin_lock_irqsave(&proc_lock);
	int fg = 0;

	if (p->ctty != t) {
		spin_unlock_irqrestore(&proc_lock, flags);
		return -ENOTTY;
	}
	if (p->sid == p->pid) {
		fg = t->pgrp;
		forget_locked(t);
	}
	p->ctty = NULL;
	spin_unlock_irqrestore(&proc_lock, flags);
	hangup_signals(fg);
	return 0;
}

/* The session of group @pgid's members (they share it): for TIOCSPGRP. */
struct group_walk {
	int pgid;
	int sid; /* 0: no member found */
};

static void group_visit(struct process *p, void *ctx)
{
	struct group_walk *w = ctx;

	if (p->pgid == w->pgid && p->state == PROC_ALIVE)
		w->sid = p->sid;
}

/* TIOCSPGRP: put group @pgid of the caller's session in front of its terminal @t. */
static long job_spgrp(struct process *p, struct tty *t, uintptr_t arg)
{
	struct group_walk w = { .sid = 0 };
	long err = tty_job_check_change(t);
	uint64_t flags;
	int pgid;

	if (err)
		return err == -EIO ? -ENOTTY : err;
	if (copy_from_user(&pgid, (const void *)arg, sizeof(pgid)))
		return -EFAULT;
	if (pgid < 0)
		return -EINVAL;
	w.pgid = pgid;
	flags = spin_lock_irqsave(&proc_lock);
	if (p->ctty != t || t->session != p->sid) {
		err = -ENOTTY;
	} else {
		proc_for_each_locked(group_visit, &w);
		err = !w.sid ? -ESRCH : w.sid != p->sid ? -EPERM : 0;
		if (!err)
			__atomic_store_n(&t->pgrp, pgid, __ATOMIC_RELAXED);
	}
	spin_unlock_irqrestore(&proc_lock, flags);
	return err;
}

/* TIOCGPGRP and TIOCGSID: only on the caller's own controlling terminal. */
static long job_get(struct process *p, struct tty *t, unsigned cmd, uintptr_t arg)
{
	uint64_t flags = spin_lock_irqsave(&proc_lock);
	int v = cmd == TIOCGSID ? t->session : t->pgrp;
	bool mine = p->ctty == t;

	spin_unlock_irqrestore(&proc_lock, flags);
	if (!mine || (cmd == TIOCGSID && !v))
		return -ENOTTY;
	return copy_to_user((void *)arg, &v, sizeof(v));
}

long tty_job_ioctl(struct tty *t, unsigned cmd, uintptr_t arg, bool readable)
{
	struct process *p = process_current();

	/* The kernel's own tasks have no session and no terminal. */
	if (!p)
		return cmd == TIOCSCTTY ? -EPERM : -ENOTTY;
	switch (cmd) {
	case TIOCSCTTY:
		return job_sctty(p, t, arg, readable);
	case TIOCNOTTY:
		return job_notty(p, t);
	case TIOCSPGRP:
		return job_spgrp(p, t, arg);
	case TIOCGPGRP:
	case TIOCGSID:
		return job_get(p, t, cmd, arg);
	default:
		return -ENOTTY;
	}
}
