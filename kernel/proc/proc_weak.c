// SPDX-License-Identifier: MIT
/*
 * Weak stand-ins for what other lanes of issue 11 provide, so that the
 * process layer links and its tests run before they land: the futex wake
 * (sys lane) and the signal hooks (signal lane). Each strong definition
 * replaces its stand-in at link time; this file goes once all have landed.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "mm/heap.h"
#include "proc/internal.h"
#include "sched/sched.h"

#define WEAK __attribute__((weak))

WEAK int futex_wake_addr(uintptr_t uaddr, int n)
{
	(void)uaddr;
	(void)n;
	return 0;
}

/* Without the signal code, a signal to a thread only wakes it (so exits still happen). */
WEAK int signal_send_thread(struct thread *t, int sig, const struct ksiginfo *info)
{
	(void)sig;
	(void)info;
	if (t->task)
		task_wake(t->task);
	return 0;
}

WEAK int signal_send_process(struct process *p, int sig, const struct ksiginfo *info)
{
	(void)p;
	(void)sig;
	(void)info;
	return 0;
}

WEAK bool signal_pending(void)
{
	return false;
}

WEAK int sighand_create(struct sighand **out)
{
	struct sighand *sh = kcalloc(1, sizeof(*sh));

	if (!sh)
		return -ENOMEM;
	spin_init(&sh->lock, "sighand");
	sh->refs = 1;
	*out = sh;
	return 0;
}

WEAK int sighand_copy(const struct sighand *src, struct sighand **out)
{
	int err = sighand_create(out);

	if (!err)
		memcpy((*out)->action, src->action, sizeof(src->action));
	return err;
}

WEAK void sighand_get(struct sighand *sh)
{
	__atomic_fetch_add(&sh->refs, 1, __ATOMIC_RELAXED);
}

WEAK void sighand_put(struct sighand *sh)
{
	if (__atomic_sub_fetch(&sh->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(sh);
}

WEAK void signal_proc_init(struct proc_sig *ps)
{
	memset(ps, 0, sizeof(*ps));
	list_init(&ps->shared.queue);
	waitq_init(&ps->stop_wq, "sig.stop");
}

WEAK void signal_thread_init(struct thread_sig *ts)
{
	memset(ts, 0, sizeof(*ts));
	list_init(&ts->pending.queue);
}

WEAK void signal_thread_inherit(struct thread_sig *ts, const struct thread_sig *parent,
                                bool share_vm)
{
	ts->blocked = parent->blocked;
	if (!share_vm) {
		ts->ss_sp = parent->ss_sp;
		ts->ss_size = parent->ss_size;
		ts->ss_flags = parent->ss_flags;
	}
}

WEAK void signal_thread_release(struct thread_sig *ts)
{
	(void)ts;
}

WEAK void signal_proc_release(struct proc_sig *ps)
{
	(void)ps;
}

WEAK int signal_exec_reset(struct process *p)
{
	(void)p;
	return 0;
}

WEAK bool signal_take_stop_report(struct process *p, int *status)
{
	(void)p;
	(void)status;
	return false;
}

WEAK bool signal_take_cont_report(struct process *p, int *status)
{
	(void)p;
	(void)status;
	return false;
}
