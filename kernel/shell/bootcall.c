// SPDX-License-Identifier: MIT
/*
 * Running shell requests in the boot CPU's boot flow ("main"). The test
 * runner expects what ktest= mode gives it: CPU 0, a flow that is not a
 * spawned task (a spawned task that faults is ended by the scheduler
 * before the runner can catch the fault a test expects), and power_off()
 * and power_reboot() want the boot CPU. So once the shells are started
 * the boot flow sits in shell_serve_boot_flow() and runs such calls one at
 * a time; before that (or in a test kernel, where the boot flow runs the
 * tests) they run in a task pinned to CPU 0.
 */
#include <cairn/errno.h>

#include "sched/sync.h"
#include "sched/task.h"
#include "shell/internal.h"

/* One call. Locks: [I] set by the caller before it is posted; [a] atomic. */
struct boot_call {
	int (*fn)(void *arg); /* [I] */
	void *arg;            /* [I] */
	int result;           /* written by the boot flow before done */
	int done;             /* [a] the boot flow is finished with this call */
};

/* Locks: [M] call_mutex, held by the one caller whose call is posted; [a] atomic. */
static struct mutex call_mutex = MUTEX_INIT(call_mutex, "shell.boot_call");
static struct waitq serve_wq = WAITQ_INIT(serve_wq, "shell.serve"); /* the boot flow waits here */
static struct waitq done_wq = WAITQ_INIT(done_wq, "shell.done");    /* callers wait here */
static struct boot_call *posted;                                    /* [a][M] the call to run */
static int serving;                                                 /* [a] the boot flow serves */

static bool have_call(void *unused)
{
	return __atomic_load_n(&posted, __ATOMIC_ACQUIRE) != NULL;
}

static bool call_done(void *arg)
{
	struct boot_call *c = arg;

	return __atomic_load_n(&c->done, __ATOMIC_ACQUIRE) != 0;
}

void shell_serve_boot_flow(void)
{
	struct boot_call *c;

	__atomic_store_n(&serving, 1, __ATOMIC_RELEASE);
	for (;;) {
		if (waitq_wait(&serve_wq, have_call, NULL, 0, TIME_NEVER) != 0)
			continue;
		c = __atomic_load_n(&posted, __ATOMIC_ACQUIRE);
		c->result = c->fn(c->arg);
		__atomic_store_n(&posted, NULL, __ATOMIC_RELEASE);
		/* After this store the caller may return and its stack frame go. */
		__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
		waitq_wake_all(&done_wq);
	}
}

/* No boot flow serves: a task pinned to CPU 0 runs the call; its result is the call's. */
static int pinned_call(int (*fn)(void *arg), void *arg)
{
	struct task_spawn_opts o = { .prio = TASK_PRIO_DEFAULT, .affinity = 1, .cpu = 0 };
	struct task_result res;
	struct task_handle h;

	if (task_spawn_opts(&h, "shell:cpu0", fn, arg, &o) != 0)
		return -ENOMEM;
	if (task_join(h, &res) != 0 || res.how == TASK_END_PANICKED)
		return -EFAULT;
	return res.value;
}

int shell_boot_call(int (*fn)(void *arg), void *arg)
{
	struct boot_call c = { .fn = fn, .arg = arg, .result = 0, .done = 0 };
	int rc;

	mutex_lock(&call_mutex);
	if (!__atomic_load_n(&serving, __ATOMIC_ACQUIRE)) {
		rc = pinned_call(fn, arg);
		goto out_unlock;
	}
	__atomic_store_n(&posted, &c, __ATOMIC_RELEASE);
	waitq_wake_all(&serve_wq);
	while (waitq_wait(&done_wq, call_done, &c, 0, TIME_NEVER) != 0)
		;
	rc = c.result;
out_unlock:
	mutex_unlock(&call_mutex);
	return rc;
}
