// SPDX-License-Identifier: MIT
/*
 * Snapshots of processes for /proc (procinfo.h). The tree's fields come
 * under proc_lock, the rest under the process's lock and its handlers'
 * lock, the memory figures under the address space's lock, each taken
 * separately (never one inside another's callback), so procfs formats
 * plain numbers with no lock held.
 */
#include "proc/procinfo.h"

#include <cairn/errno.h>
#include <cairn/linux/signal.h>

#include <lib/string.h>

#include "fs/file.h"
#include "mm/uspace.h"
#include "proc/exec.h"
#include "proc/internal.h"
#include "sched/sched.h"
#include "sched/task.h"
#include "tty/tty.h"

#define PF_FORKNOEXEC 0x00000040u /* forked but did not exec (Linux's PF_*) */
#define PF_RANDOMIZE  0x00400000u /* address-space randomisation on */
#define KIB           1024ull

int proc_next_pid(int from)
{
	struct process *p;
	uint64_t flags = spin_lock_irqsave(&proc_lock);
	int pid;

	p = pid_next_process_locked(from);
	pid = p ? p->pid : 0;
	spin_unlock_irqrestore(&proc_lock, flags);
	return pid;
}

bool proc_pid_exists(int pid)
{
	struct process *p = process_find(pid);

	process_put(p);
	return p != NULL;
}

/* The live thread of @p with the lowest tid >= @from (0: none); with @p's lock. */
static int next_tid_locked(struct process *p, int from) __must_hold(&p->lock)
{
	struct thread *t;
	int best = 0;

	list_for_each_entry(t, &p->threads, proc_link)
		if (t->tid >= from && (!best || t->tid < best))
			best = t->tid;
	return best;
}

int proc_next_tid(int pid, int from)
{
	struct process *p = process_find(pid);
	uint64_t flags;
	int tid;

	if (!p)
		return 0;
	flags = spin_lock_irqsave(&p->lock);
	tid = next_tid_locked(p, from);
	spin_unlock_irqrestore(&p->lock, flags);
	process_put(p);
	return tid;
}

bool proc_tid_in(int pid, int tid)
{
	return tid > 0 && proc_next_tid(pid, tid) == tid;
}

int proc_owner(int pid, uint32_t *uid, uint32_t *gid)
{
	struct process *p = process_find(pid);
	uint64_t flags;

	if (!p)
		return -ESRCH;
	flags = spin_lock_irqsave(&p->lock);
	*uid = p->undumpable ? 0 : p->cred.euid;
	*gid = p->undumpable ? 0 : p->cred.egid;
	spin_unlock_irqrestore(&p->lock, flags);
	process_put(p);
	return 0;
}

struct uspace *proc_space_get(int pid)
{
	struct process *p = process_find(pid);
	struct uspace *s = NULL;
	uint64_t flags;

	if (!p)
		return NULL;
	flags = spin_lock_irqsave(&p->lock);
	if (p->space) {
		s = p->space;
		uspace_get(s);
	}
	spin_unlock_irqrestore(&p->lock, flags);
	process_put(p);
	return s;
}

uint64_t proc_created(void)
{
	return __atomic_load_n(&proc_created_count, __ATOMIC_RELAXED);
}

int proc_last_pid(void)
{
	uint64_t flags = spin_lock_irqsave(&proc_lock);
	int pid = pid_last_locked();

	spin_unlock_irqrestore(&proc_lock, flags);
	return pid;
}

/* Parent, group, session and what a zombie left: the tree's fields. */
static void info_tree(struct process *p, struct procfmt_task *o)
{
	uint64_t flags = spin_lock_irqsave(&proc_lock);

	o->ppid = p->parent ? p->parent->pid : 0;
	o->pgid = p->pgid;
	o->sid = p->sid;
	o->exit_signal = p->exit_signal;
	o->cutime = procfmt_ns_to_ticks(p->children_ns);
	if (p->ctty) {
		o->tty_nr = (int)tty_rdev(p->ctty);
		o->tpgid = tty_foreground_pgrp(p->ctty);
	}
	if (p->state != PROC_ALIVE) {
		o->state = p->state == PROC_ZOMBIE ? 'Z' : 'X';
		o->exit_code = p->exit_status;
	}
	spin_unlock_irqrestore(&proc_lock, flags);
}

/* One thread's part: its state, CPU, time and signal mask; with @p's lock. */
static void info_thread_locked(struct process *p, struct thread *t, struct procfmt_task *o)
	__must_hold(&p->lock)
{
	int st = __atomic_load_n(&t->task->state, __ATOMIC_RELAXED);

	if (st == TASK_RUNNING || st == TASK_RUNNABLE)
		o->state = 'R';
	else if (st == TASK_BLOCKED && o->state != 'R')
		o->state = 'S';
	o->waiting = o->state != 'R';
	o->utime += sched_task_run_ns(t->task);
	o->nvcsw += __atomic_load_n(&t->task->switches, __ATOMIC_RELAXED);
	o->cpu = (int)__atomic_load_n(&t->task->cpu, __ATOMIC_RELAXED);
	o->cpus_allowed = __atomic_load_n(&t->task->affinity, __ATOMIC_RELAXED);
	o->sig_pending |= t->sig.pending.set;
	o->sig_blocked = t->sig.blocked;
}

/* The threads @tid (0: all) of @p: counts, times and state; with @p's lock. */
static void info_threads_locked(struct process *p, int tid, struct procfmt_task *o)
	__must_hold(&p->lock)
{
	struct thread *t;

	o->nthreads = p->nthreads;
	if (!tid)
		o->utime = p->cpu_ns;
	list_for_each_entry(t, &p->threads, proc_link)
		if (!tid || t->tid == tid)
			info_thread_locked(p, t, o);
	o->utime = procfmt_ns_to_ticks(o->utime);
	if (o->state == 'R' || o->state == 'S')
		if (p->sig.stop_state == SIG_STOPPED)
			o->state = 'T';
}

/* Handlers and the process's own pending set; with @p's lock. */
static void info_signals_locked(struct process *p, struct procfmt_task *o) __must_hold(&p->lock)
{
	struct sighand *sh = p->sighand;
	int sig;

	o->sigq = p->sig.queued;
	o->sigq_max = (unsigned)p->rlim[RLIMIT_SIGPENDING].rlim_cur;
	if (!sh)
		return;
	spin_lock(&sh->lock);
	o->shd_pending = p->sig.shared.set;
	for (sig = 1; sig <= NSIG; sig++) {
		uint64_t h = sh->action[sig - 1].sa_handler;

		if (h == SIG_IGN)
			o->sig_ignored |= 1ull << (sig - 1);
		else if (h != SIG_DFL)
			o->sig_caught |= 1ull << (sig - 1);
	}
	spin_unlock(&sh->lock);
}

/* Credentials, name, limits, threads and signals. Returns -ESRCH for a thread not of @p. */
static int info_process(struct process *p, int tid, struct procfmt_task *o)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);
	const struct cred *c = &p->cred;

	if (tid && next_tid_locked(p, tid) != tid) {
		spin_unlock_irqrestore(&p->lock, flags);
		return -ESRCH;
	}
	memcpy(o->comm, p->comm, sizeof(o->comm));
	o->comm[sizeof(o->comm) - 1] = '\0';
	o->uid[0] = c->uid, o->uid[1] = c->euid, o->uid[2] = c->suid, o->uid[3] = c->fsuid;
	o->gid[0] = c->gid, o->gid[1] = c->egid, o->gid[2] = c->sgid, o->gid[3] = c->fsgid;
	o->ngroups = c->ngroups < PROCFMT_NGROUPS ? c->ngroups : PROCFMT_NGROUPS;
	memcpy(o->groups, c->groups, o->ngroups * sizeof(o->groups[0]));
	o->rsslim = p->rlim[RLIMIT_RSS].rlim_cur;
	o->flags = (p->execed ? 0 : PF_FORKNOEXEC) | (exec_randomize() ? PF_RANDOMIZE : 0);
	o->start_time = procfmt_ns_to_ticks(p->start_ns);
	if (!o->state)
		info_threads_locked(p, tid, o);
	info_signals_locked(p, o);
	spin_unlock_irqrestore(&p->lock, flags);
	return 0;
}

/* The umask of @p's file-system context (none once a zombie). */
static void info_umask(struct process *p, struct procfmt_task *o)
{
	struct fs_context *c = proc_fs_get(p);

	if (!c)
		return;
	o->umask = (int)fs_umask(c);
	fs_context_put(c);
}

/* Sizes and layout from the address space (none for a zombie). */
static void info_space(int pid, struct procfmt_task *o)
{
	struct uspace *s = proc_space_get(pid);
	struct uspace_info i;

	if (!s)
		return;
	uspace_get_info(s, &i);
	uspace_put(s);
	o->vsize = i.mapped;
	o->rss = i.resident;
	o->start_stack = i.start_stack;
	o->start_brk = i.brk_start;
	o->arg_start = i.arg_start;
	o->arg_end = o->env_start = i.arg_end;
	o->env_end = i.env_end;
	/* Cairn keeps no peaks: the high-water marks read as the current sizes. */
	o->vm_size = o->vm_peak = i.mapped / KIB;
	o->vm_rss = o->vm_hwm = o->rss_anon = i.resident * 4;
	o->vm_data = i.data / KIB;
	o->vm_stk = i.stack / KIB;
	o->vm_exe = i.exec / KIB;
	o->text_pages = i.exec / 4096;
	o->data_pages = (i.data + i.stack) / 4096;
}

int proc_task_info(int pid, int tid, struct procfmt_task *out)
{
	struct process *p = process_find(pid);
	int err;

	if (!p)
		return -ESRCH;
	memset(out, 0, sizeof(*out));
	out->pid = pid;
	out->tid = tid ? tid : pid;
	out->tpgid = -1;
	out->umask = -1;
	out->priority = 20;
	out->ncpus = sched_cpu_count();
	info_tree(p, out);
	info_umask(p, out);
	err = info_process(p, tid, out);
	process_put(p);
	if (err)
		return err;
	if (!out->state)
		out->state = 'S'; /* alive with no thread on the list yet (being made) */
	out->cpus_allowed &= sched_cpu_mask();
	info_space(pid, out);
	return 0;
}
