// SPDX-License-Identifier: MIT
/*
 * getpriority and setpriority with Linux's rules: a process, a process
 * group or a user's processes (who 0: the caller's own); setting another
 * user's process needs the caller's effective uid to be its real or
 * effective uid (else EPERM), lowering a nice value needs root or the
 * target's RLIMIT_NICE (else EACCES), and a later success does not hide
 * an earlier refusal. The value is kept per process, inherited by fork and
 * kept by exec; the scheduler does not weigh it yet (docs/processes.md).
 */
#include <cairn/errno.h>
#include <cairn/linux/resource.h>

#include "proc/internal.h"
#include "syscall/syscall.h"

#define NICE_MIN (-20)
#define NICE_MAX 19

/* One getpriority/setpriority walk over the processes @which/@who names. */
struct prio_walk {
	int which, who;
	struct cred me;
	bool set;
	int nice;    /* the value to set */
	long result; /* -ESRCH until a process matched; then the call's answer */
};

static bool prio_match_locked(struct process *p, const struct prio_walk *w) __must_hold(&p->lock)
{
	if (p->state != PROC_ALIVE)
		return false;
	if (w->which == PRIO_PROCESS)
		return p->pid == w->who;
	if (w->which == PRIO_PGRP)
		return p->pgid == w->who;
	return p->cred.uid == (uint32_t)w->who;
}

/* Linux's set_one_prio(): the permission, then the lowering rule, keeping an earlier error. */
static void prio_set_one_locked(struct process *p, struct prio_walk *w) __must_hold(&p->lock)
{
	bool root = w->me.euid == 0;

	if (!root && p->cred.uid != w->me.euid && p->cred.euid != w->me.euid) {
		w->result = -EPERM;
		return;
	}
	if (w->nice < p->nice && !root &&
	    (uint64_t)(20 - w->nice) > p->rlim[RLIMIT_NICE].rlim_cur) {
		w->result = -EACCES;
		return;
	}
	if (w->result == -ESRCH)
		w->result = 0;
	p->nice = w->nice;
}

static void prio_visit(struct process *p, void *ctx)
{
	struct prio_walk *w = ctx;

	spin_lock(&p->lock);
	if (prio_match_locked(p, w)) {
		if (w->set)
			prio_set_one_locked(p, w);
		else if (20 - p->nice > w->result)
			w->result = 20 - p->nice; /* the raw call's 1..40; libc turns it back */
	}
	spin_unlock(&p->lock);
}

static long prio_walk(int which, int who, bool set, int nice)
{
	struct process *self = process_current();
	struct prio_walk w = { .which = which, .who = who, .set = set, .nice = nice };
	uint64_t flags;

	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	if (!self)
		return -ESRCH;
	w.me = current_cred();
	w.result = -ESRCH;
	if (!who)
		w.who = which == PRIO_PROCESS ? self->pid
		        : which == PRIO_PGRP  ? proc_pgid(self)
		                              : (int)w.me.uid;
	flags = spin_lock_irqsave(&proc_lock);
	proc_for_each_locked(prio_visit, &w);
	spin_unlock_irqrestore(&proc_lock, flags);
	return w.result;
}

long sys_getpriority(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return prio_walk((int)a0, (int)a1, false, 0);
}

long sys_setpriority(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	int nice = (int)a2;

	nice = nice < NICE_MIN ? NICE_MIN : nice > NICE_MAX ? NICE_MAX : nice;
	return prio_walk((int)a0, (int)a1, true, nice);
}
