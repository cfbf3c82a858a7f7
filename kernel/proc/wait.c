// SPDX-License-Identifier: MIT
/*
 * Waiting for children: wait4 and waitid over the caller's process's
 * children (any thread of it may wait), with Linux's selection by pid,
 * group or any, WNOHANG, WUNTRACED, WCONTINUED, WEXITED, WNOWAIT and the
 * __WCLONE/__WALL rule; and proc_wait() for the kernel's own waiters
 * (init=, the shell's `run`). A waiter sleeps on its process's child_wq
 * and wakes for a child's change or a signal (then -ERESTARTSYS).
 */
#include <cairn/errno.h>
#include <cairn/linux/signal.h>
#include <cairn/linux/wait.h>

#include <lib/string.h>

#include "mm/uaccess.h"
#include "proc/internal.h"
#include "sched/task.h"
#include "syscall/syscall.h"
#include "time/time.h"

#ifndef ERESTARTSYS
#define ERESTARTSYS 512 /* until the signal lane's errno.h lands */
#endif

/* Which children a wait selects and how. */
struct wait_sel {
	int type;    /* P_ALL, P_PID or P_PGID */
	int id;      /* the pid or group */
	int options; /* W* */
};

/* What a successful wait found. */
struct wait_found {
	int pid;
	int status; /* wait status */
	int code;   /* CLD_* for waitid */
	uint32_t uid;
};

static bool wait_matches(const struct wait_sel *w, const struct process *c)
{
	bool clone_child = c->exit_signal != SIGCHLD;

	if (w->type == P_PID && c->pid != w->id)
		return false;
	if (w->type == P_PGID && c->pgid != w->id)
		return false;
	if (!(w->options & __WALL) && clone_child != !!(w->options & __WCLONE))
		return false;
	return true;
}

static int code_of(int status)
{
	if ((status & 0x7f) == 0)
		return CLD_EXITED;
	return (status & W_COREFLAG) ? CLD_DUMPED : CLD_KILLED;
}

/*
 * Look once at the children of @self for one @w selects that has
 * something to report. Returns 1 with @f filled (@reaped set to a zombie
 * taken out of the tables, to be put by the caller), 0 if some child
 * matches but none has news, -ECHILD if none matches.
 */
static int wait_scan_locked(struct process *self, const struct wait_sel *w, struct wait_found *f,
                            struct process **reaped) __must_hold(&proc_lock)
{
	struct process *c;
	bool any = false;
	int st;

	list_for_each_entry(c, &self->children, sibling) {
		if (!wait_matches(w, c))
			continue;
		any = true;
		f->pid = c->pid;
		f->uid = c->cred.uid;
		if (c->state == PROC_ZOMBIE && (w->options & WEXITED)) {
			f->status = c->exit_status;
			f->code = code_of(c->exit_status);
			if (!(w->options & WNOWAIT)) {
				self->children_ns += c->cpu_ns + c->children_ns;
				if (process_reap_locked(c))
					*reaped = c;
			}
			return 1;
		}
		if ((w->options & WUNTRACED) && c->state == PROC_ALIVE &&
		    signal_take_stop_report(c, &st)) {
			f->status = st;
			f->code = CLD_STOPPED;
			return 1;
		}
		if ((w->options & WCONTINUED) && c->state == PROC_ALIVE &&
		    signal_take_cont_report(c, &st)) {
			f->status = st;
			f->code = CLD_CONTINUED;
			return 1;
		}
	}
	return any ? 0 : -ECHILD;
}

struct wait_ctx {
	struct process *self;
	unsigned gen;
};

static bool wait_wake_cond(void *arg)
{
	struct wait_ctx *c = arg;

	return __atomic_load_n(&c->self->child_gen, __ATOMIC_ACQUIRE) != c->gen || signal_pending();
}

/* Wait as @w says. Returns 1 (found), 0 (WNOHANG and nothing), -ECHILD or -ERESTARTSYS. */
static int do_wait(const struct wait_sel *w, struct wait_found *f)
{
	struct process *self = process_current(), *reaped = NULL;
	struct wait_ctx ctx = { .self = self };
	uint64_t flags;
	int r;

	if (!self)
		return -ECHILD;
	for (;;) {
		ctx.gen = __atomic_load_n(&self->child_gen, __ATOMIC_ACQUIRE);
		flags = spin_lock_irqsave(&proc_lock);
		r = wait_scan_locked(self, w, f, &reaped);
		spin_unlock_irqrestore(&proc_lock, flags);
		if (reaped)
			process_put(reaped); /* the tables' reference */
		if (r != 0 || (w->options & WNOHANG))
			return r;
		if (signal_pending())
			return -ERESTARTSYS;
		if (waitq_wait(&self->child_wq, wait_wake_cond, &ctx, 0, TIME_NEVER) != 0)
			return -ERESTARTSYS; /* not reached: no deadline and not killable */
	}
}

/* Linux's struct rusage (x86_64): two timevals and 14 longs. */
struct linux_rusage {
	int64_t utime_sec, utime_usec;
	int64_t stime_sec, stime_usec;
	int64_t rest[14];
};
_Static_assert(sizeof(struct linux_rusage) == 144, "struct rusage is 144 bytes");

long sys_wait4(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	int pid = (int)a0, options = (int)a2;
	struct wait_sel w = { .type = P_PID, .id = pid, .options = options | WEXITED };
	struct wait_found f = { 0 };
	struct linux_rusage ru = { 0 };
	int r;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH; /* Linux: -INT_MIN overflows */
	if (pid == -1) {
		w.type = P_ALL;
	} else if (pid < -1) {
		w.type = P_PGID;
		w.id = -pid;
	} else if (pid == 0) {
		w.type = P_PGID;
		w.id = proc_pgid(process_current());
	}
	r = do_wait(&w, &f);
	if (r <= 0)
		return r;
	if (a1 && copy_to_user((void *)a1, &f.status, sizeof(f.status)))
		return -EFAULT;
	if (a3 && copy_to_user((void *)a3, &ru, sizeof(ru)))
		return -EFAULT;
	return f.pid;
}

/* The SIGCHLD part of Linux's siginfo_t as waitid fills it (128 bytes in all). */
struct waitid_info {
	int32_t si_signo, si_errno, si_code, pad;
	int32_t si_pid;
	uint32_t si_uid;
	int32_t si_status, pad2;
	int64_t si_utime, si_stime;
	uint8_t rest[128 - 48];
};
_Static_assert(sizeof(struct waitid_info) == 128, "siginfo_t is 128 bytes");

long sys_waitid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct wait_sel w = { .type = (int)a0, .id = (int)a1, .options = (int)a3 };
	struct wait_found f = { 0 };
	struct waitid_info info = { 0 };
	struct linux_rusage ru = { 0 };
	int r;

	if (w.options & ~(WNOHANG | WEXITED | WSTOPPED | WCONTINUED | WNOWAIT | __WNOTHREAD |
	                  __WCLONE | __WALL))
		return -EINVAL;
	if (!(w.options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	if (w.type == P_PGID && w.id == 0)
		w.id = proc_pgid(process_current());
	if ((w.type != P_ALL && w.type != P_PID && w.type != P_PGID) ||
	    (w.type != P_ALL && w.id < 0))
		return -EINVAL;
	r = do_wait(&w, &f);
	if (r < 0)
		return r;
	if (r > 0) {
		info.si_signo = SIGCHLD;
		info.si_code = f.code;
		info.si_pid = f.pid;
		info.si_uid = f.uid;
		info.si_status = f.code == CLD_EXITED      ? (f.status >> 8) & 0xff
		                 : f.code == CLD_STOPPED   ? (f.status >> 8) & 0xff
		                 : f.code == CLD_CONTINUED ? SIGCONT
		                                           : f.status & 0x7f;
	}
	if (a2 && copy_to_user((void *)a2, &info, sizeof(info)))
		return -EFAULT;
	if (a4 && copy_to_user((void *)a4, &ru, sizeof(ru)))
		return -EFAULT;
	return 0;
}

/* ---- the kernel's own waiters ---- */

static bool kernel_child_ended(void *arg)
{
	struct process *p = arg;

	int state = __atomic_load_n(&p->state, __ATOMIC_ACQUIRE);

	return state == PROC_ZOMBIE || state == PROC_DEAD;
}

/* The kernel waiter gave up: the process reaps itself when it ends (or now). */
static void kernel_child_abandon(struct process *p)
{
	if (!p->kernel_child)
		return;
	uint64_t flags = spin_lock_irqsave(&proc_lock);
	bool put = false;

	p->kernel_child = false;
	if (p->state == PROC_ZOMBIE)
		put = process_reap_locked(p);
	spin_unlock_irqrestore(&proc_lock, flags);
	if (put)
		process_put(p);
}

void proc_release(int pid)
{
	struct process *p = process_find(pid);

	if (p) {
		kernel_child_abandon(p);
		process_put(p);
	}
}

int proc_wait(int pid, int *status)
{
	return proc_wait_flags(pid, status, PROC_WAIT_KILLABLE);
}

int proc_wait_flags(int pid, int *status, unsigned wflags)
{
	struct process *p = process_find(pid);
	bool reaped;
	uint64_t flags;
	int err;

	if (!p)
		return -ECHILD;
	if (!p->kernel_child) {
		process_put(p);
		return -ECHILD;
	}
	err = waitq_wait(&proc_kernel_wq, kernel_child_ended, p,
	                 (wflags & PROC_WAIT_KILLABLE) ? WAIT_KILLABLE : 0, TIME_NEVER);
	if (err) {
		process_put(p);
		return err;
	}
	flags = spin_lock_irqsave(&proc_lock);
	if (status)
		*status = p->exit_status;
	reaped = process_reap_locked(p);
	spin_unlock_irqrestore(&proc_lock, flags);
	if (reaped)
		process_put(p); /* the tables' */
	process_put(p);         /* process_find()'s */
	return 0;
}
