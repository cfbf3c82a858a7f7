// SPDX-License-Identifier: MIT
/*
 * fork, vfork and clone: a new process (a copy-on-write copy of the
 * address space, or the same one with CLONE_VM) or a new thread of the
 * caller's process (CLONE_THREAD), starting from a copy of the caller's
 * user registers with 0 in the return register. Flags are checked first,
 * with Linux's errors for the combinations it refuses; nothing is made
 * until they pass.
 */
#include <cairn/errno.h>
#include <cairn/linux/sched.h>
#include <cairn/linux/signal.h>

#include "arch/arch.h"
#include "mm/uaccess.h"
#include "mm/uspace.h"
#include "proc/internal.h"
#include "sched/task.h"
#include "syscall/syscall.h"
#include "time/time.h"

/* Flags clone accepts; the namespaces, ptrace and pidfds are not here yet. */
#define CLONE_SUPPORTED                                                                     \
	(CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_VFORK |        \
	 CLONE_PARENT | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | \
	 CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_UNTRACED | CLONE_CHILD_SETTID | CLONE_IO)

struct clone_args {
	uint64_t flags;
	uintptr_t stack;
	uintptr_t parent_tid;
	uintptr_t child_tid;
	uintptr_t tls;
};

/* Linux's copy_process() refusals, in its order. */
static int clone_check(const struct clone_args *a)
{
	uint64_t f = a->flags;

	if (f & ~(uint64_t)CLONE_SUPPORTED)
		return -EINVAL;
	if ((f & CLONE_THREAD) && !(f & CLONE_SIGHAND))
		return -EINVAL;
	if ((f & CLONE_SIGHAND) && !(f & CLONE_VM))
		return -EINVAL;
	if ((f & CSIGNAL) > NSIG)
		return -EINVAL;
	return 0;
}

/* The new process's space, files and handlers, as the flags say. */
static int clone_process_parts(struct process *child, struct process *parent, uint64_t f)
{
	int err = proc_files_clone(child, parent, f);

	if (err)
		return err;
	if (f & CLONE_VM) {
		uspace_get(parent->space);
		child->space = parent->space;
	} else {
		err = uspace_fork(parent->space, &child->space);
		if (err)
			return err;
	}
	if (f & CLONE_SIGHAND) {
		sighand_get(parent->sighand);
		child->sighand = parent->sighand;
		return 0;
	}
	return sighand_copy(parent->sighand, &child->sighand);
}

/* Undo a process that never ran: out of the tables and freed. */
static void clone_abandon(struct process *child)
{
	uint64_t flags = spin_lock_irqsave(&proc_lock);
	bool reaped = process_reap_locked(child);

	spin_unlock_irqrestore(&proc_lock, flags);
	if (reaped)
		process_put(child);
}

/* A new process for fork/vfork/clone without CLONE_THREAD. */
static int clone_new_process(struct process *parent, const struct clone_args *a,
                             struct process **out)
{
	struct process *child, *link_to = parent;
	uint64_t flags;
	int err;

	flags = spin_lock_irqsave(&proc_lock);
	if ((a->flags & CLONE_PARENT) && parent->parent)
		link_to = parent->parent;
	spin_unlock_irqrestore(&proc_lock, flags);
	err = process_create(link_to, true, &child);
	if (err)
		return err;
	/* creds, limits and name come from the caller even with CLONE_PARENT */
	spin_lock(&parent->lock);
	child->cred = parent->cred;
	spin_unlock(&parent->lock);
	child->exit_signal = (int)(a->flags & CSIGNAL); /* threads have none (Linux: -1) */
	err = clone_process_parts(child, parent, a->flags);
	if (err) {
		clone_abandon(child);
		return err;
	}
	*out = child;
	return 0;
}

static bool vfork_released(void *arg)
{
	struct thread *self = arg;

	return __atomic_load_n(&self->vfork_done, __ATOMIC_ACQUIRE);
}

/* vfork: the parent sleeps until the child execs or ends. */
static void vfork_wait(struct thread *self)
{
	/* No timeout and no kill flag: it returns only when released. */
	while (waitq_wait(&self->vfork_wq, vfork_released, self, 0, TIME_NEVER) != 0)
		;
}

/* RLIMIT_NPROC: an unprivileged user's threads, counted as Linux does (root is exempt). */
static int nproc_check(struct process *p)
{
	uint64_t flags = spin_lock_irqsave(&proc_lock);
	int err = 0;

	if (p->cred.uid != 0 &&
	    proc_count_uid_locked(p->cred.uid) >= p->rlim[RLIMIT_NPROC].rlim_cur)
		err = -EAGAIN;
	spin_unlock_irqrestore(&proc_lock, flags);
	return err;
}

static long do_clone(const struct clone_args *a)
{
	struct thread *self = thread_current(), *t;
	struct process *parent = self ? self->proc : NULL, *p;
	struct thread_start st = { 0 };
	int err, tid;

	if (!parent)
		return -EINVAL;
	err = clone_check(a);
	if (!err)
		err = nproc_check(parent);
	if (err)
		return err;
	if (a->flags & CLONE_THREAD) {
		p = parent;
		process_get(p);
		uint64_t flags = spin_lock_irqsave(&proc_lock);
		tid = pid_alloc_locked();
		spin_unlock_irqrestore(&proc_lock, flags);
		if (tid < 0) {
			process_put(p);
			return tid;
		}
	} else {
		err = clone_new_process(parent, a, &p);
		if (err)
			return err;
		tid = p->pid;
	}
	st.frame = arch_uframe(task_current());
	st.sp = a->stack;
	st.set_tls = a->flags & CLONE_SETTLS;
	st.tls = a->tls;
	st.set_child_tid = (a->flags & CLONE_CHILD_SETTID) ? a->child_tid : 0;
	st.clear_child_tid = (a->flags & CLONE_CHILD_CLEARTID) ? a->child_tid : 0;
	st.share_vm = (a->flags & CLONE_VM) && !(a->flags & CLONE_VFORK);
	/*
	 * A new process starts on this CPU: the parent usually waits or execs
	 * next, and a wake-up on another CPU costs an IPI and that CPU's
	 * wake-up (220 ms a fork+exit+wait on 4 vCPUs of a loaded host against
	 * 0.8 ms on one). Idle CPUs still steal it if this one stays busy. A
	 * thread is meant to run beside its creator: the least loaded CPU.
	 */
	st.same_cpu = !(a->flags & CLONE_THREAD);
	if ((a->flags & CLONE_PARENT_SETTID) &&
	    copy_to_user((void *)a->parent_tid, &tid, sizeof(tid))) {
		err = -EFAULT;
		goto out_undo;
	}
	if (a->flags & CLONE_VFORK) {
		self->vfork_done = false;
		p->vfork_parent = self;
	}
	err = thread_create(p, tid, p->space, &st, &t);
	if (err)
		goto out_undo;
	if (a->flags & CLONE_VFORK)
		vfork_wait(self);
	if (a->flags & CLONE_THREAD)
		process_put(p);
	return tid;

out_undo:
	if (a->flags & CLONE_THREAD) {
		uint64_t flags = spin_lock_irqsave(&proc_lock);

		pid_free_locked(tid);
		spin_unlock_irqrestore(&proc_lock, flags);
		process_put(p);
	} else {
		p->vfork_parent = NULL;
		clone_abandon(p);
	}
	return err;
}

long sys_fork(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct clone_args a = { .flags = SIGCHLD };

	return do_clone(&a);
}

long sys_vfork(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct clone_args a = { .flags = CLONE_VM | CLONE_VFORK | SIGCHLD };

	return do_clone(&a);
}

/* x86_64's argument order: flags, stack, parent_tid, child_tid, tls. */
long sys_clone(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct clone_args a = {
		.flags = a0,
		.stack = a1,
		.parent_tid = a2,
		.child_tid = a3,
		.tls = a4,
	};

	return do_clone(&a);
}
