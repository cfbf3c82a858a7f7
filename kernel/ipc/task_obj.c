// SPDX-License-Identifier: MIT
/*
 * Process and thread objects (object.h): the kernel object behind a
 * handle to a process or a thread. One is made the first time a handle is
 * asked for and lives until its last reference goes; the process or
 * thread points at it without a reference (cleared by destroy), and the
 * object holds a reference to the process or thread the way a pidfd
 * would, so neither outlives the other's memory. TERMINATED is raised
 * when it ends; cairn_task_kill() ends it (needs MANAGE).
 *
 * Locks: [P] the process's lock guards p->kobj and, for each of its
 * threads, t->kobj; a task_obj is [I] once made.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/signal.h>

#include "fs/file.h"
#include "ipc/object.h"
#include "mm/heap.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include "syscall/syscall.h"

struct task_obj {
	struct kobject ko;
	struct process *proc;  /* [I] holds a reference */
	struct thread *thread; /* [I] a thread object's thread (holds a reference); else NULL */
};

#define TASK_RIGHTS                                                                              \
	(CAIRN_RIGHT_DUPLICATE | CAIRN_RIGHT_TRANSFER | CAIRN_RIGHT_WAIT | CAIRN_RIGHT_INSPECT | \
	 CAIRN_RIGHT_MANAGE)

static struct task_obj *to_task(struct kobject *o)
{
	return container_of(o, struct task_obj, ko);
}

/* The slot that points at @to's object: p->kobj or t->kobj. Under [P]. */
static struct kobject **task_slot(struct task_obj *to)
{
	return to->thread ? &to->thread->kobj : &to->proc->kobj;
}

static uint32_t process_obj_signals(struct kobject *o)
{
	struct process *p = to_task(o)->proc;

	return __atomic_load_n(&p->state, __ATOMIC_ACQUIRE) != PROC_ALIVE ? CAIRN_SIG_TERMINATED
	                                                                  : 0;
}

static uint32_t thread_obj_signals(struct kobject *o)
{
	struct thread *t = to_task(o)->thread;

	return __atomic_load_n(&t->exited, __ATOMIC_ACQUIRE) ? CAIRN_SIG_TERMINATED : 0;
}

/* The last reference went: unhook from the process or thread, let go of it, free. */
static void task_obj_destroy(struct kobject *o)
{
	struct task_obj *to = to_task(o);
	struct process *p = to->proc;
	struct kobject **slot;

	spin_lock(&p->lock);
	slot = task_slot(to);
	if (*slot == o)
		*slot = NULL;
	spin_unlock(&p->lock);
	if (to->thread)
		thread_put(to->thread);
	process_put(p);
	kfree(to);
}

static const struct kobject_ops process_obj_ops = {
	.type = CAIRN_OBJ_PROCESS,
	.name = "process",
	.default_rights = TASK_RIGHTS,
	.signals = process_obj_signals,
	.destroy = task_obj_destroy,
};

static const struct kobject_ops thread_obj_ops = {
	.type = CAIRN_OBJ_THREAD,
	.name = "thread",
	.default_rights = TASK_RIGHTS,
	.signals = thread_obj_signals,
	.destroy = task_obj_destroy,
};

/*
 * A process or thread keeps one koid for its life, though its object may
 * go with its last handle and a new one be made later: the first object's
 * koid is kept in @kept and every later object takes it. Under [P].
 */
static void task_obj_keep_koid(struct kobject *o, uint64_t *kept)
{
	if (*kept)
		o->koid = *kept;
	else
		*kept = o->koid;
}

/*
 * The object of process @p (@t NULL) or of its thread @t, made if there is
 * none, with a reference for the caller; NULL without memory. May sleep.
 */
static struct kobject *task_obj_get(struct process *p, struct thread *t)
{
	struct task_obj *fresh = kmalloc_flags(sizeof(*fresh), KM_MAY_FAIL | KM_ZERO);
	struct kobject **slot, *o;

	spin_lock(&p->lock);
	slot = t ? &t->kobj : &p->kobj;
	o = *slot;
	if (o && kobject_tryget(o)) {
		spin_unlock(&p->lock);
		kfree(fresh);
		return o;
	}
	if (fresh) {
		/* None, or one on its way to destroy (which checks before it clears the slot). */
		kobject_init(&fresh->ko, t ? &thread_obj_ops : &process_obj_ops);
		task_obj_keep_koid(&fresh->ko, t ? &t->koid : &p->koid);
		fresh->proc = p;
		fresh->thread = t;
		process_get(p);
		if (t)
			thread_get(t);
		*slot = &fresh->ko;
	}
	spin_unlock(&p->lock);
	return fresh ? &fresh->ko : NULL;
}

int process_handle_install(struct process *p, uint32_t flags)
{
	struct kobject *o = task_obj_get(p, NULL);
	int fd;

	if (!o)
		return -ENOMEM;
	fd = handle_install(o, TASK_RIGHTS, flags);
	kobject_put(o);
	return fd;
}

int thread_handle_install(struct thread *t, uint32_t flags)
{
	struct kobject *o = task_obj_get(t->proc, t);
	int fd;

	if (!o)
		return -ENOMEM;
	fd = handle_install(o, TASK_RIGHTS, flags);
	kobject_put(o);
	return fd;
}

/*
 * The rights of a handle pidfd_open(2) gives: waiting and looking, never
 * MANAGE, since any process may open one (Linux's pidfd_open has no
 * permission check; killing goes through kill(2)'s rules instead).
 */
#define PIDFD_RIGHTS \
	(CAIRN_RIGHT_DUPLICATE | CAIRN_RIGHT_TRANSFER | CAIRN_RIGHT_WAIT | CAIRN_RIGHT_INSPECT)
#define PIDFD_NONBLOCK O_NONBLOCK /* pidfd_open(2) */

/*
 * pidfd_open(2): a process handle to @pid, close-on-exec, readable
 * (POLLIN) once the process ended. -EINVAL (flags, pid <= 0), -ESRCH,
 * -ENOMEM, -EMFILE.
 */
long sys_pidfd_open(uint64_t pid, uint64_t flags, uint64_t a2, uint64_t a3, uint64_t a4,
                    uint64_t a5)
{
	struct process *p;
	struct kobject *o;
	struct file *f;
	int fd;

	if ((uint32_t)flags & ~(uint32_t)PIDFD_NONBLOCK || (int)pid <= 0)
		return -EINVAL;
	p = process_find((int)pid);
	if (!p)
		return -ESRCH;
	o = task_obj_get(p, NULL);
	process_put(p); /* the object holds its own reference */
	if (!o)
		return -ENOMEM;
	f = handle_file_create(o, PIDFD_RIGHTS);
	kobject_put(o);
	if (!f)
		return -ENOMEM;
	if ((uint32_t)flags & PIDFD_NONBLOCK)
		__atomic_or_fetch(&f->flags, O_NONBLOCK, __ATOMIC_RELAXED);
	fd = fd_install(fdtable_current(), f, 0, true);
	if (fd < 0)
		file_put(f);
	return fd;
}

/* Raise TERMINATED on the object in @slot of @p, if there is one. Task context. */
static void task_obj_ended(struct process *p, struct kobject **slot)
{
	struct kobject *o;

	spin_lock(&p->lock);
	o = *slot;
	if (o && !kobject_tryget(o))
		o = NULL;
	spin_unlock(&p->lock);
	if (!o)
		return;
	kobject_signal(o, CAIRN_SIG_TERMINATED);
	kobject_put(o);
}

/* @p became a zombie (its state already says so): wake who waits on its object. */
void process_obj_exited(struct process *p)
{
	task_obj_ended(p, &p->kobj);
}

/* @t left its process (t->exited already set). */
void thread_obj_exited(struct thread *t)
{
	task_obj_ended(t->proc, &t->kobj);
}

long sys_cairn_process_self(uint64_t flags, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                            uint64_t a5)
{
	struct process *p = process_current();

	if ((uint32_t)flags & ~CAIRN_HANDLE_CLOEXEC)
		return -EINVAL;
	return p ? process_handle_install(p, (uint32_t)flags) : -ESRCH;
}

long sys_cairn_thread_self(uint64_t flags, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                           uint64_t a5)
{
	struct thread *t = thread_current();

	if ((uint32_t)flags & ~CAIRN_HANDLE_CLOEXEC)
		return -EINVAL;
	return t ? thread_handle_install(t, (uint32_t)flags) : -ESRCH;
}

/*
 * End the process or thread of @to: a process as by SIGKILL; a thread by
 * a SIGKILL that only it takes (signal_deliver() sees kill_alone and ends
 * the thread instead of the process). One that already ended: 0.
 */
static int task_obj_kill(struct task_obj *to)
{
	if (!to->thread) {
		if (__atomic_load_n(&to->proc->state, __ATOMIC_ACQUIRE) != PROC_ALIVE)
			return 0;
		return signal_send_process(to->proc, SIGKILL, NULL);
	}
	if (__atomic_load_n(&to->thread->exited, __ATOMIC_ACQUIRE))
		return 0;
	__atomic_store_n(&to->thread->kill_alone, true, __ATOMIC_RELEASE);
	return signal_send_thread(to->thread, SIGKILL, NULL);
}

/* cairn_task_kill(h): 0, -EBADF, -EBADFD (not a process or thread), -EACCES (no MANAGE). */
long sys_cairn_task_kill(uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                         uint64_t a5)
{
	struct kobject *o;
	uint32_t rights;
	int err = handle_get((int)fd, CAIRN_OBJ_NONE, 0, &o, &rights);

	if (err)
		return err;
	if (o->ops != &process_obj_ops && o->ops != &thread_obj_ops)
		err = -EBADFD;
	else if (!(rights & CAIRN_RIGHT_MANAGE))
		err = -EACCES;
	else
		err = task_obj_kill(to_task(o));
	kobject_put(o);
	return err;
}
