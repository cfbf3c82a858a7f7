// SPDX-License-Identifier: MIT
/*
 * Process objects: creation with what a child inherits from its parent
 * (credentials, limits, group, session, name), reference counting, the
 * lookups other subsystems use, and the defaults of the first process.
 * A process is freed with its last reference: the tables hold one until
 * it is reaped, each thread one, each process_find() caller one; so a
 * parent reaping a child that is still leaving on another CPU never
 * frees what that CPU still touches.
 */
#include <cairn/errno.h>
#include <cairn/linux/signal.h>

#include <lib/string.h>

#include "core/log.h"
#include "mm/heap.h"
#include "mm/uspace.h"
#include "proc/internal.h"
#include "sched/task.h"
#include "time/time.h"

struct spinlock proc_lock = SPINLOCK_INIT("proc.tree");
struct process *proc_init_process __guarded_by(&proc_lock);
struct waitq proc_kernel_wq = WAITQ_INIT(proc_kernel_wq, "proc.kwait");
static unsigned nprocs __guarded_by(&proc_lock);
uint64_t proc_created_count; /* [a] */

#define MIB (1024ull * 1024)

/* Linux's defaults for the first process (init_task.c and the generic resource.h). */
static void rlimit_defaults(struct rlimit64 *r)
{
	unsigned i;

	for (i = 0; i < RLIM_NLIMITS; i++)
		r[i].rlim_cur = r[i].rlim_max = RLIM_INFINITY;
	r[RLIMIT_STACK].rlim_cur = 8 * MIB;
	r[RLIMIT_CORE].rlim_cur = 0;
	r[RLIMIT_NOFILE].rlim_cur = 1024;
	r[RLIMIT_NOFILE].rlim_max = 4096;
	r[RLIMIT_NPROC].rlim_cur = r[RLIMIT_NPROC].rlim_max = PROC_PID_MAX / 2;
	r[RLIMIT_SIGPENDING].rlim_cur = r[RLIMIT_SIGPENDING].rlim_max = 7823;
	r[RLIMIT_MEMLOCK].rlim_cur = r[RLIMIT_MEMLOCK].rlim_max = 8 * MIB;
	r[RLIMIT_MSGQUEUE].rlim_cur = r[RLIMIT_MSGQUEUE].rlim_max = 819200;
	r[RLIMIT_NICE].rlim_cur = r[RLIMIT_NICE].rlim_max = 0;
	r[RLIMIT_RTPRIO].rlim_cur = r[RLIMIT_RTPRIO].rlim_max = 0;
}

/* Copy what a child inherits; @parent NULL: root, the defaults, its own group and session. */
static void inherit(struct process *p, struct process *parent)
{
	if (!parent) {
		rlimit_defaults(p->rlim);
		p->pgid = p->sid = p->pid;
		memcpy(p->comm, "init", 5);
		return;
	}
	spin_lock(&parent->lock);
	p->cred = parent->cred;
	p->undumpable = parent->undumpable;
	p->nice = parent->nice;
	memcpy(p->rlim, parent->rlim, sizeof(p->rlim));
	memcpy(p->comm, parent->comm, sizeof(p->comm));
	spin_unlock(&parent->lock);
	p->pgid = parent->pgid;
	p->sid = parent->sid;
	p->ctty = parent->ctty;
}

static struct process *process_alloc(void)
{
	struct process *p = kcalloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->refs = 1;
	spin_init(&p->lock, "proc");
	p->state = PROC_ALIVE;
	list_init(&p->children);
	list_init(&p->threads);
	waitq_init(&p->child_wq, "proc.child");
	waitq_init(&p->exit_wq, "proc.exit");
	signal_proc_init(&p->sig);
	p->exit_signal = SIGCHLD;
	p->start_ns = clock_monotonic_ns();
	return p;
}

int process_create(struct process *parent, bool link, struct process **out)
{
	struct process *p = process_alloc();
	uint64_t flags;
	int pid;

	if (!p)
		return -ENOMEM;
	flags = spin_lock_irqsave(&proc_lock);
	pid = pid_alloc_locked();
	if (pid < 0) {
		spin_unlock_irqrestore(&proc_lock, flags);
		kfree(p);
		return pid;
	}
	p->pid = pid;
	__atomic_fetch_add(&proc_created_count, 1, __ATOMIC_RELAXED);
	inherit(p, parent);
	if (parent && link)
		p->parent = parent; /* linked as its child by process_publish_locked() */
	spin_unlock_irqrestore(&proc_lock, flags);
	*out = p;
	return 0;
}

void process_publish_locked(struct process *p)
{
	struct process *parent = p->parent;

	if (p->published)
		return;
	p->published = true;
	if (parent && parent->state != PROC_ALIVE) {
		/* The parent died while this child was made: init adopts it, or nobody. */
		parent = proc_init_process && proc_init_process->state == PROC_ALIVE
		                 ? proc_init_process
		                 : NULL;
		p->parent = parent;
	}
	if (parent)
		list_add_tail(&parent->children, &p->sibling);
	pid_hash_add_locked(p);
	nprocs++;
}

bool process_reap_locked(struct process *p)
{
	if (p->state == PROC_DEAD)
		return false;
	p->state = PROC_DEAD;
	if (p->parent && p->published)
		list_del(&p->sibling);
	p->parent = NULL;
	if (p->published) {
		pid_hash_del_locked(p);
		nprocs--;
	}
	pid_free_locked(p->pid);
	if (proc_init_process == p)
		proc_init_process = NULL;
	return true;
}

void process_get(struct process *p)
{
	__atomic_fetch_add(&p->refs, 1, __ATOMIC_RELAXED);
}

/* Free what a process still holds once nobody can reach it. */
static void process_free(struct process *p)
{
	signal_proc_release(&p->sig);
	if (p->sighand)
		sighand_put(p->sighand);
	if (p->space)
		uspace_put(p->space);
	proc_files_exit(p); /* a process that never ran still holds them */
	kfree(p);
}

void process_put(struct process *p)
{
	if (p && __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) == 0)
		process_free(p);
}

struct process *process_find(int pid)
{
	struct process *p;
	uint64_t flags = spin_lock_irqsave(&proc_lock);

	p = pid_hash_find_locked(pid);
	if (p)
		process_get(p);
	spin_unlock_irqrestore(&proc_lock, flags);
	return p;
}

struct thread *thread_current(void)
{
	struct task *t = task_current();

	return t ? t->proc_thread : NULL;
}

struct process *process_current(void)
{
	struct thread *t = thread_current();

	return t ? t->proc : NULL;
}

bool proc_exiting(void)
{
	struct process *p = process_current();

	return p && __atomic_load_n(&p->group_exiting, __ATOMIC_ACQUIRE);
}

int proc_pgid(const struct process *p)
{
	return __atomic_load_n(&p->pgid, __ATOMIC_RELAXED);
}

int proc_for_each_in_group(int pgid, void (*fn)(struct process *p, void *ctx), void *ctx)
{
	struct process *p;
	int pid, n = 0;
	uint64_t flags = spin_lock_irqsave(&proc_lock);

	/* Walk the id space through the table: groups are small and this is rare (kill(-pg)). */
	for (pid = 1; pid < PROC_PID_MAX; pid++) {
		p = pid_hash_find_locked(pid);
		if (p && p->pgid == pgid && p->state == PROC_ALIVE) {
			fn(p, ctx);
			n++;
		}
	}
	spin_unlock_irqrestore(&proc_lock, flags);
	return n;
}

void proc_for_each_locked(void (*fn)(struct process *p, void *ctx), void *ctx)
{
	struct process *p;
	int pid;

	for (pid = 1; pid < PROC_PID_MAX; pid++) {
		p = pid_hash_find_locked(pid);
		if (p && p->state != PROC_DEAD)
			fn(p, ctx);
	}
}

unsigned proc_count(void)
{
	unsigned n;
	uint64_t flags = spin_lock_irqsave(&proc_lock);

	n = nprocs;
	spin_unlock_irqrestore(&proc_lock, flags);
	return n;
}
