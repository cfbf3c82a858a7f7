// SPDX-License-Identifier: MIT
/*
 * How threads and processes end. A thread leaves its process's list,
 * clears its CHILD_CLEARTID word, drops its hold on the address space and
 * ends its task. The last thread out turns the process into a zombie:
 * memory released, children handed to init (or, with no init, left to
 * reap themselves), SIGCHLD to the parent and its wait4 callers woken.
 * exit_group and fatal signals first ask every other thread to go.
 */
#include <cairn/errno.h>
#include <cairn/linux/signal.h>
#include <cairn/linux/wait.h>

#include "acpi/power.h"
#include "core/log.h"
#include "ipc/object.h"
#include "mm/uaccess.h"
#include "mm/uspace.h"
#include "proc/internal.h"
#include "sched/sched.h"
#include "sched/task.h"
#include "tty/tty.h"

/* CHILD_CLEARTID: zero the word and wake one futex waiter (pthread_join). */
static void thread_clear_tid(struct thread *t)
{
	uint32_t zero = 0;
	uintptr_t addr = t->clear_child_tid;

	t->clear_child_tid = 0;
	if (!addr || !uspace_current())
		return;
	if (copy_to_user((void *)addr, &zero, sizeof(zero)) == 0)
		(void)futex_wake_addr(addr, 1);
}

/* A vfork parent waits for its child to exec or end: let it go. */
void proc_vfork_release(struct process *p)
{
	struct thread *parent;
	uint64_t flags = spin_lock_irqsave(&proc_lock);

	parent = p->vfork_parent;
	p->vfork_parent = NULL;
	if (parent) {
		__atomic_store_n(&parent->vfork_done, true, __ATOMIC_RELEASE);
		waitq_wake_all(&parent->vfork_wq);
	}
	spin_unlock_irqrestore(&proc_lock, flags);
}

/* The parent's SIGCHLD disposition asks that children never become zombies. */
static bool parent_autoreaps(struct process *parent)
{
	struct sighand *sh = parent->sighand;
	const struct kernel_sigaction *a;

	if (!sh)
		return false;
	a = &sh->action[SIGCHLD - 1];
	return a->sa_handler == SIG_IGN || (a->sa_flags & SA_NOCLDWAIT);
}

/*
 * Hand @p's children to init, or to nobody when there is no init (or @p is
 * init): those reap themselves, and the ones already zombies are reaped
 * here, collected on @dead for process_put() once proc_lock is dropped.
 */
static void reparent_children_locked(struct process *p, struct list_node *dead)
	__must_hold(&proc_lock)
{
	struct process *init = proc_init_process, *c, *tmp;

	if (init == p || (init && init->state != PROC_ALIVE))
		init = NULL;
	list_for_each_entry_safe(c, tmp, &p->children, sibling) {
		list_del(&c->sibling);
		c->parent = init;
		if (init) {
			list_add_tail(&init->children, &c->sibling);
			continue;
		}
		if (c->state == PROC_ZOMBIE && !c->kernel_child && process_reap_locked(c))
			list_add_tail(dead, &c->sibling);
	}
	if (init && !list_empty(&init->children)) {
		__atomic_fetch_add(&init->child_gen, 1, __ATOMIC_RELEASE);
		waitq_wake_all(&init->child_wq);
	}
}

/*
 * Queue @p's exit signal (SIGCHLD) for @parent, with proc_lock held: in the
 * same hold that makes @p a zombie, so a wait4() that finds the zombie
 * returns with the signal already pending, as on Linux (exit_notify()
 * signals under tasklist_lock). Lock order: proc_lock, then [P], then [S].
 */
static void signal_parent_locked(struct process *parent, struct process *p, int status)
	__must_hold(&proc_lock)
{
	struct ksiginfo info = { .signo = p->exit_signal, .pid = p->pid, .uid = p->cred.uid };

	if ((status & 0x7f) == 0) {
		info.code = CLD_EXITED;
		info.status = (status >> 8) & 0xff;
	} else {
		info.code = (status & W_COREFLAG) ? CLD_DUMPED : CLD_KILLED;
		info.status = status & 0x7f;
	}
	if (p->exit_signal && signal_send_process(parent, p->exit_signal, &info))
		pr_debug("proc: SIGCHLD to %d not queued", parent->pid);
}

/* init ended: there is nothing left to run the system, so stop it (Linux would panic). */
static __attribute__((noreturn)) void init_ended(int status)
{
	if ((status & 0x7f) == 0)
		kprintf("init exited with status %d\n", (status >> 8) & 0xff);
	else
		kprintf("init exited with status %d (killed by signal %d)\n", 128 + (status & 0x7f),
		        status & 0x7f);
	power_off();
}

/* The last thread of @p left with @status: make it a zombie and tell who waits. */
static void process_end(struct process *p, int status)
{
	struct list_node dead = LIST_INIT(dead);
	struct process *parent, *c;
	struct uspace *space;
	bool self_reap = false;
	uint64_t flags;

	proc_vfork_release(p);
	spin_lock(&p->lock);
	space = p->space;
	p->space = NULL;
	spin_unlock(&p->lock);
	if (space)
		uspace_put(space);
	proc_files_exit(p);     /* before the parent can see a zombie */
	itimer_process_exit(p); /* an armed alarm holds a reference to @p */
	if (p == proc_init_process)
		init_ended(status);
	tty_session_leader_exit(p); /* a leader's end hangs up its terminal */

	flags = spin_lock_irqsave(&proc_lock);
	p->exit_status = status;
	p->state = PROC_ZOMBIE;
	reparent_children_locked(p, &dead);
	parent = p->parent;
	if (parent && parent_autoreaps(parent)) {
		self_reap = process_reap_locked(p); /* Linux: SIG_IGN or SA_NOCLDWAIT on SIGCHLD */
		__atomic_fetch_add(&parent->child_gen, 1, __ATOMIC_RELEASE);
		waitq_wake_all(&parent->child_wq);
		parent = NULL;
	} else if (!parent && !p->kernel_child) {
		self_reap = process_reap_locked(p);
	}
	if (parent) {
		signal_parent_locked(parent, p, status);
		process_get(parent);
	}
	spin_unlock_irqrestore(&proc_lock, flags);

	while ((c = list_first_entry_or_null(&dead, struct process, sibling))) {
		list_del(&c->sibling);
		process_put(c);
	}
	process_obj_exited(p); /* handles to it see TERMINATED (ipc/task_obj.c) */
	if (parent) {
		__atomic_fetch_add(&parent->child_gen, 1, __ATOMIC_RELEASE);
		waitq_wake_all(&parent->child_wq);
		process_put(parent);
	}
	if (p->kernel_child)
		waitq_wake_all(&proc_kernel_wq);
	if (self_reap)
		process_put(p); /* the tables' reference; the thread still holds one */
}

/* Take the calling thread @t off its process; true when it was the last. */
static bool thread_unlink(struct thread *t, int *status)
{
	struct process *p = t->proc;
	uint64_t flags = spin_lock_irqsave(&proc_lock);
	bool last;

	spin_lock(&p->lock);
	p->cpu_ns += sched_task_run_ns(t->task);
	list_del(&t->proc_link);
	t->exited = true;
	last = --p->nthreads == 0;
	if (p->group_exiting)
		*status = p->group_status;
	spin_unlock(&p->lock);
	tid_hash_del_locked(t);
	if (t->tid != p->pid)
		pid_free_locked(t->tid); /* the leader's id is the pid: freed at reap */
	if (p->leader == t)
		p->leader = NULL;
	spin_unlock_irqrestore(&proc_lock, flags);
	waitq_wake_all(&p->exit_wq);
	return last;
}

void proc_thread_end(int status)
{
	struct thread *t = thread_current();
	struct task *task = task_current();
	struct uspace *space = task->space;
	struct process *p;

	if (!t)
		task_exit(status);
	p = t->proc;
	task->wake_sync = true;   /* the parent it wakes may take this CPU: no idle CPU needed */
	proc_robust_list_exit(t); /* before CLEARTID, as Linux: a joiner may then take the locks */
	thread_clear_tid(t);
	bool last = thread_unlink(t, &status);

	thread_obj_exited(t);

	thread_switch_space(NULL);
	if (space)
		uspace_put(space);
	if (last)
		process_end(p, status);
	task->proc_thread = NULL;
	thread_put(t);
	task_exit(status);
}

void proc_exit_thread(int code)
{
	proc_thread_end(W_EXITCODE(code, 0));
}

bool proc_group_exit_request(struct process *p, int status)
{
	struct thread *self = thread_current(), *t;
	bool first;

	spin_lock(&p->lock);
	first = !p->group_exiting;
	if (first) {
		p->group_status = status;
		__atomic_store_n(&p->group_exiting, true, __ATOMIC_RELEASE);
		list_for_each_entry(t, &p->threads, proc_link) {
			if (t != self && signal_send_thread(t, SIGKILL, NULL))
				pr_warn("proc: cannot stop thread %d", t->tid);
		}
	}
	spin_unlock(&p->lock);
	return first;
}

void proc_exit_group(int status)
{
	struct process *p = process_current();

	if (p && p->exec_thread && p->exec_thread != thread_current())
		proc_thread_end(status); /* another thread is in exec: only this one goes */
	if (p)
		proc_group_exit_request(p, status);
	proc_thread_end(status);
}

void proc_kill_oom(void)
{
	struct process *p = process_current();

	if (p)
		pr_warn("proc: out of memory: killing process %d (%s)", p->pid, p->comm);
	proc_exit_group(W_EXITCODE(0, SIGKILL));
}

void proc_kill_oom_later(void)
{
	struct process *p = process_current();

	if (!p)
		return;
	pr_warn("proc: out of memory in a copy: killing process %d (%s)", p->pid, p->comm);
	(void)signal_send_process(p, SIGKILL, NULL);
}
