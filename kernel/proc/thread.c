// SPDX-License-Identifier: MIT
/*
 * Threads: each is a kernel task (sched/task.c) whose task->proc_thread and
 * task->space are set before it first runs, so the context switch loads
 * its address space from the start. Its first code copies the frame it was
 * given (fork, clone) or runs a kernel function that execs (init=, `run`),
 * then enters user mode through the architecture and comes back only
 * through system calls, faults and interrupts.
 */
#include <cairn/errno.h>

#include <lib/format.h>
#include <lib/string.h>

#include "arch/arch.h"
#include "mm/heap.h"
#include "mm/uaccess.h"
#include "mm/uspace.h"
#include "proc/internal.h"
#include "sched/sched.h"
#include "sched/task.h"

/* What the spawn's setup hook needs, from the creator's stack. */
struct thread_setup {
	struct thread *t;
	struct uspace *space;
	const struct thread_start *st;
	const struct thread_sig *parent_sig; /* NULL: a fresh signal state */
};

void thread_switch_space(struct uspace *space)
{
	struct task *task = task_current();

	preempt_disable();
	task->space = space;
	uspace_activate(space);
	preempt_enable();
}

/* Enter user mode through the calling thread's frame, after a last look at its signals. */
static __attribute__((noreturn)) void thread_enter_user(void)
{
	struct arch_uframe *f = arch_uframe(task_current());

	signal_deliver(f);
	arch_enter_user(f);
}

/* The task function of every thread. */
static int thread_main(void *arg)
{
	struct thread *t = arg;
	int tid = t->tid;

	if (t->start_fn)
		t->start_fn(t->start_arg); /* returns only when the thread is to enter user mode */
	if (t->set_child_tid && copy_to_user((void *)t->set_child_tid, &tid, sizeof(tid)))
		t->set_child_tid = 0; /* Linux ignores a bad address here */
	thread_enter_user();
}

/* Link @t into @p's list and the tid table. */
static void thread_publish(struct process *p, struct thread *t)
{
	uint64_t flags = spin_lock_irqsave(&proc_lock);

	tid_hash_add_locked(t);
	if (!p->leader && t->tid == p->pid)
		p->leader = t;
	process_publish_locked(p);
	spin_lock(&p->lock);
	list_add_tail(&p->threads, &t->proc_link);
	p->nthreads++;
	spin_unlock(&p->lock);
	signal_fork_child_locked(p, t); /* a group kill that missed it while it was made */
	spin_unlock_irqrestore(&proc_lock, flags);
}

/* The spawn's setup hook: runs in the creator before the task is queued. */
static void thread_setup(struct task *task, void *ctx)
{
	struct thread_setup *s = ctx;
	const struct thread_start *st = s->st;
	struct thread *t = s->t;

	t->task = task;
	task->proc_thread = t;
	task->space = s->space;
	if (st->frame) {
		struct arch_uframe *f = arch_uframe(task);

		arch_uframe_copy(f, st->frame);
		arch_uframe_set_return(f, 0);
		if (st->sp)
			arch_uframe_set_sp(f, st->sp);
		if (st->set_tls) /* else the copy above carried the creator's */
			arch_task_set_tls(task, st->tls);
	}
	if (s->parent_sig)
		signal_thread_inherit(&t->sig, s->parent_sig, st->share_vm);
	thread_publish(t->proc, t);
}

static struct thread *thread_alloc(struct process *p, int tid, const struct thread_start *st)
{
	struct thread *t = kcalloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->tid = tid;
	t->refs = 1;
	t->proc = p;
	process_get(p);
	signal_thread_init(&t->sig);
	waitq_init(&t->vfork_wq, "proc.vfork");
	t->set_child_tid = st->set_child_tid;
	t->start_fn = st->kernel_fn;
	t->start_arg = st->kernel_arg;
	t->clear_child_tid = st->clear_child_tid;
	return t;
}

int thread_create(struct process *p, int tid, struct uspace *space, const struct thread_start *st,
                  struct thread **out)
{
	struct thread_setup s = { .space = space, .st = st };
	struct task_spawn_opts opts = {
		.prio = TASK_PRIO_DEFAULT,
		.affinity = TASK_CPUS_ANY,
		.cpu = -1,
		.setup = thread_setup,
		.setup_ctx = &s,
	};
	struct task_handle h;
	char name[TASK_NAME_MAX];
	int err;

	s.t = thread_alloc(p, tid, st);
	if (!s.t)
		return -ENOMEM;
	struct thread *self = thread_current();

	s.parent_sig = self && st->frame ? &self->sig : NULL;
	if (space)
		uspace_get(space);
	if (st->same_cpu)
		opts.cpu = (int)task_current()->cpu;
	fmt_snprintf(name, sizeof(name), "%s[%d]", p->comm, tid);
	err = task_spawn_opts(&h, name, thread_main, s.t, &opts);
	if (err) {
		if (space)
			uspace_put(space);
		thread_put(s.t);
		return err;
	}
	(void)task_drop(h); /* the task reaps itself when it ends */
	if (out)
		*out = s.t;
	return 0;
}

struct thread *thread_find(int tid)
{
	struct thread *t;
	uint64_t flags = spin_lock_irqsave(&proc_lock);

	t = tid_hash_find_locked(tid);
	if (t)
		__atomic_fetch_add(&t->refs, 1, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&proc_lock, flags);
	return t;
}

void thread_get(struct thread *t)
{
	__atomic_fetch_add(&t->refs, 1, __ATOMIC_RELAXED);
}

void thread_put(struct thread *t)
{
	if (!t || __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	signal_thread_release(&t->sig);
	process_put(t->proc);
	kfree(t);
}
