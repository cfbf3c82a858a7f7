// SPDX-License-Identifier: MIT
/*
 * The small process calls: exit, ids, process groups and sessions with
 * Linux's rules, resource limits, the thread's tid address and robust-list
 * head, CPU affinity, yield, and the CPU-time calls. Each checks and copies
 * its arguments, then acts under proc_lock or the process's lock.
 */
#include <cairn/errno.h>
#include <cairn/linux/prctl.h>
#include <cairn/linux/resource.h>
#include <cairn/linux/wait.h>

#include <lib/string.h>

#include "mm/uaccess.h"
#include "mm/uspace.h"
#include "proc/internal.h"
#include "sched/sched.h"
#include "sched/task.h"
#include "syscall/syscall.h"
#include "time/time.h"

#define NR_OPEN_MAX   1048576u    /* Linux's fs.nr_open: the highest RLIMIT_NOFILE */
#define ROBUST_HEAD   24u         /* sizeof(struct robust_list_head) on x86_64 */
#define CLOCK_TICK_NS 10000000ull /* USER_HZ = 100 */

long sys_exit(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	proc_exit_thread((int)a0);
}

long sys_exit_group(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	proc_exit_group(W_EXITCODE((int)a0, 0));
}

long sys_getpid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct process *p = process_current();

	return p ? p->pid : -ESRCH;
}

long sys_gettid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct thread *t = thread_current();

	return t ? t->tid : -ESRCH;
}

long sys_getppid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct process *p = process_current();
	struct process *parent;

	if (!p)
		return -ESRCH;
	parent = __atomic_load_n(&p->parent, __ATOMIC_ACQUIRE);
	return parent ? parent->pid
	              : 0; /* parent's pid is fixed; a stale read is a race Linux has too */
}

/* @pid or, for 0, the caller; with proc_lock held. */
static struct process *target_locked(int pid) __must_hold(&proc_lock)
{
	struct process *self = process_current();

	if (pid == 0)
		return self;
	return pid_hash_find_locked(pid);
}

/* getpgid / getsid: one field of @pid's process. */
static long get_group_field(int pid, bool sid)
{
	struct process *p;
	uint64_t flags = spin_lock_irqsave(&proc_lock);
	long r;

	p = pid < 0 ? NULL : target_locked(pid);
	r = !p ? -ESRCH : sid ? p->sid : p->pgid;
	spin_unlock_irqrestore(&proc_lock, flags);
	return r;
}

long sys_getpgid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return get_group_field((int)a0, false);
}

long sys_getsid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return get_group_field((int)a0, true);
}

long sys_getpgrp(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return get_group_field(0, false);
}

/* True when some process of session @sid has group @pgid. */
static bool group_in_session_locked(int pgid, int sid) __must_hold(&proc_lock)
{
	struct process *p = pid_hash_find_locked(pgid);

	/* The group's leader usually still exists; else look for any member. */
	if (p && p->pgid == pgid && p->sid == sid)
		return true;
	for (int pid = 1; pid < PROC_PID_MAX; pid++) {
		p = pid_hash_find_locked(pid);
		if (p && p->pgid == pgid && p->sid == sid && p->state != PROC_DEAD)
			return true;
	}
	return false;
}

/* setpgid's checks (Linux's kernel/sys.c order), then the move. */
static int setpgid_locked(struct process *self, int pid, int pgid) __must_hold(&proc_lock)
{
	struct process *p = pid ? pid_hash_find_locked(pid) : self;

	if (!p || (p != self && p->parent != self))
		return -ESRCH;
	if (!pgid)
		pgid = p->pid;
	if (p != self && p->sid != self->sid)
		return -EPERM;
	if (p != self && p->execed)
		return -EACCES;
	if (p->sid == p->pid)
		return -EPERM; /* a session leader keeps its group */
	if (pgid != p->pid && !group_in_session_locked(pgid, self->sid))
		return -EPERM;
	p->pgid = pgid;
	return 0;
}

long sys_setpgid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct process *self = process_current();
	int pid = (int)a0, pgid = (int)a1, err;
	uint64_t flags;

	if (!self)
		return -ESRCH;
	if (pid < 0 || pgid < 0)
		return -EINVAL;
	flags = spin_lock_irqsave(&proc_lock);
	err = setpgid_locked(self, pid, pgid);
	spin_unlock_irqrestore(&proc_lock, flags);
	return err;
}

long sys_setsid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct process *self = process_current();
	uint64_t flags;
	long r;

	if (!self)
		return -EPERM;
	flags = spin_lock_irqsave(&proc_lock);
	/* A group leader, or anyone whose pid names a group, may not start a session. */
	if (self->pgid == self->pid || group_in_session_locked(self->pid, self->sid)) {
		r = -EPERM;
	} else {
		self->pgid = self->sid = self->pid;
		self->ctty = NULL; /* a new session starts without a terminal */
		r = self->pid;
	}
	spin_unlock_irqrestore(&proc_lock, flags);
	return r;
}

/*
 * Linux's check_prlimit_permission(): another process's limits are the
 * caller's business only when its real uid and gid equal all three of the
 * target's (or it is root, which has CAP_SYS_RESOURCE).
 */
static bool prlimit_permitted(struct process *p, const struct cred *me)
{
	struct cred c;

	if (p == process_current() || me->euid == 0)
		return true;
	spin_lock(&p->lock);
	c = p->cred;
	spin_unlock(&p->lock);
	return me->uid == c.uid && me->uid == c.euid && me->uid == c.suid && me->gid == c.gid &&
	       me->gid == c.egid && me->gid == c.sgid;
}

/* prlimit64's core: read and/or set limit @res of @p. */
static int rlimit_access(struct process *p, unsigned res, const struct rlimit64 *nw,
                         struct rlimit64 *old)
{
	struct rlimit64 *r = &p->rlim[res];
	struct cred me = current_cred();
	int err = 0;

	if (!prlimit_permitted(p, &me))
		return -EPERM;
	spin_lock(&p->lock);
	if (old)
		*old = *r;
	if (nw) {
		/* Raising a hard limit takes CAP_SYS_RESOURCE: the caller's, not the target's. */
		if (nw->rlim_max > r->rlim_max && me.euid != 0)
			err = -EPERM;
		else
			*r = *nw;
	}
	spin_unlock(&p->lock);
	if (!err && nw && res == RLIMIT_AS && p->space)
		uspace_set_limit(p->space, nw->rlim_cur == RLIM_INFINITY ? 0 : nw->rlim_cur);
	return err;
}

/* The checks every rlimit call shares; @nw may be NULL. */
static int rlimit_check(unsigned res, const struct rlimit64 *nw)
{
	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	if (nw && nw->rlim_cur > nw->rlim_max)
		return -EINVAL;
	if (nw && res == RLIMIT_NOFILE && nw->rlim_max != RLIM_INFINITY &&
	    nw->rlim_max > NR_OPEN_MAX)
		return -EPERM;
	if (nw && res == RLIMIT_NOFILE && nw->rlim_max == RLIM_INFINITY)
		return -EPERM;
	return 0;
}

long sys_prlimit64(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct rlimit64 nw, old;
	struct process *p;
	int err;

	if (a2 && copy_from_user(&nw, (const void *)a2, sizeof(nw)))
		return -EFAULT;
	err = rlimit_check((unsigned)a1, a2 ? &nw : NULL);
	if (err)
		return err;
	p = a0 ? process_find((int)a0) : process_current();
	if (!p)
		return -ESRCH;
	err = rlimit_access(p, (unsigned)a1, a2 ? &nw : NULL, &old);
	if (a0)
		process_put(p);
	if (!err && a3 && copy_to_user((void *)a3, &old, sizeof(old)))
		return -EFAULT;
	return err;
}

long sys_getrlimit(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return sys_prlimit64(0, a0, 0, a1, 0, 0);
}

long sys_setrlimit(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return sys_prlimit64(0, a0, a1, 0, 0, 0);
}

long sys_set_tid_address(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                         uint64_t a5)
{
	struct thread *t = thread_current();

	if (!t)
		return -ESRCH;
	t->clear_child_tid = a0;
	return t->tid;
}

long sys_set_robust_list(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                         uint64_t a5)
{
	struct thread *t = thread_current();

	if (a1 != ROBUST_HEAD)
		return -EINVAL;
	if (!t)
		return -ESRCH;
	t->robust_list = a0;
	t->robust_len = a1;
	return 0;
}

long sys_get_robust_list(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                         uint64_t a5)
{
	struct thread *t = a0 ? thread_find((int)a0) : thread_current();
	uint64_t head, len;

	if (!t)
		return -ESRCH;
	head = t->robust_list;
	len = t->robust_len;
	if (a0)
		thread_put(t);
	if (copy_to_user((void *)a1, &head, sizeof(head)) ||
	    copy_to_user((void *)a2, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}

/* The task of thread @tid (0: the caller), checked to exist; NULL: -ESRCH. */
static bool affinity_target_ok(int tid)
{
	struct thread *t;

	if (tid == 0)
		return true;
	t = thread_find(tid);
	if (t)
		thread_put(t);
	return t != NULL;
}

long sys_sched_getaffinity(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                           uint64_t a5)
{
	uint64_t mask = sched_cpu_mask();

	/* Linux: the buffer must hold the kernel's mask (64 CPUs here) and be whole longs. */
	if (a1 < sizeof(mask) || (a1 & (sizeof(long) - 1)))
		return -EINVAL;
	if (!affinity_target_ok((int)a0))
		return -ESRCH;
	if (copy_to_user((void *)a2, &mask, sizeof(mask)))
		return -EFAULT;
	return sizeof(mask);
}

long sys_sched_setaffinity(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                           uint64_t a5)
{
	uint64_t mask = 0;
	size_t n = a1 < sizeof(mask) ? a1 : sizeof(mask);

	if (n && copy_from_user(&mask, (const void *)a2, n))
		return -EFAULT;
	if (!affinity_target_ok((int)a0))
		return -ESRCH;
	mask &= sched_cpu_mask();
	if (!mask)
		return -EINVAL;
	if (a0 == 0 || (int)a0 == thread_current()->tid)
		return task_set_affinity(mask);
	return 0; /* another thread's affinity is not kept yet */
}

long sys_sched_yield(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	task_yield();
	return 0;
}

/* CPU time of @p: its ended threads plus the live ones so far. */
static uint64_t process_cpu_ns(struct process *p)
{
	struct thread *t;
	uint64_t ns;

	spin_lock(&p->lock);
	ns = p->cpu_ns;
	list_for_each_entry(t, &p->threads, proc_link)
		ns += sched_task_run_ns(t->task);
	spin_unlock(&p->lock);
	return ns;
}

struct linux_rusage {
	int64_t utime_sec, utime_usec, stime_sec, stime_usec;
	int64_t rest[14];
};

/*
 * getrusage: CPU time only (user and system time are not told apart yet:
 * all of it is reported as user time); the other fields are 0.
 */
long sys_getrusage(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct process *p = process_current();
	struct linux_rusage ru = { 0 };
	int who = (int)a0;
	uint64_t ns;

	if (!p)
		return -EINVAL;
	if (who == RUSAGE_SELF)
		ns = process_cpu_ns(p);
	else if (who == RUSAGE_CHILDREN)
		ns = __atomic_load_n(&p->children_ns, __ATOMIC_RELAXED);
	else if (who == RUSAGE_THREAD)
		ns = sched_task_run_ns(task_current());
	else
		return -EINVAL;
	ru.utime_sec = (int64_t)(ns / 1000000000ull);
	ru.utime_usec = (int64_t)(ns % 1000000000ull / 1000);
	if (copy_to_user((void *)a1, &ru, sizeof(ru)))
		return -EFAULT;
	return 0;
}

/* times: clock ticks (USER_HZ) since boot; the same user/system caveat as getrusage. */
long sys_times(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct process *p = process_current();
	int64_t tms[4] = { 0 };

	if (p && a0) {
		tms[0] = (int64_t)(process_cpu_ns(p) / CLOCK_TICK_NS);
		tms[2] = (int64_t)(__atomic_load_n(&p->children_ns, __ATOMIC_RELAXED) /
		                   CLOCK_TICK_NS);
		if (copy_to_user((void *)a0, tms, sizeof(tms)))
			return -EFAULT;
	}
	return (long)(clock_monotonic_ns() / CLOCK_TICK_NS);
}

/* prctl's name options: the process's comm, 16 bytes with the NUL. */
static long prctl_name(struct process *p, bool set, uintptr_t uaddr)
{
	char name[PROC_COMM_LEN];
	long n;

	if (!set) {
		spin_lock(&p->lock);
		memcpy(name, p->comm, sizeof(name));
		spin_unlock(&p->lock);
		return copy_to_user((void *)uaddr, name, sizeof(name)) ? -EFAULT : 0;
	}
	n = strncpy_from_user(name, (const char *)uaddr, sizeof(name));
	if (n == -ENAMETOOLONG)
		name[sizeof(name) - 1] = '\0'; /* Linux keeps the first 15 bytes */
	else if (n < 0)
		return n;
	spin_lock(&p->lock);
	memcpy(p->comm, name, sizeof(name));
	spin_unlock(&p->lock);
	return 0;
}

/* prctl: the options that concern processes (names, dumpability); others EINVAL as Linux's unknown. */
long sys_prctl(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct process *p = process_current();

	if (!p)
		return -EINVAL;
	switch (a0) {
	case PR_GET_DUMPABLE:
		return proc_dumpable(p) ? 1 : 0;
	case PR_SET_DUMPABLE:
		if (a1 > 1)
			return -EINVAL; /* 2 (root-only core files) is not settable by prctl */
		spin_lock(&p->lock);
		p->undumpable = a1 == 0;
		spin_unlock(&p->lock);
		return 0;
	case PR_SET_NAME:
	case PR_GET_NAME:
		return prctl_name(p, a0 == PR_SET_NAME, a1);
	default:
		return -EINVAL;
	}
}
