// SPDX-License-Identifier: MIT
/*
 * The driver host: keeps one user-space driver running. A kernel task per
 * driver starts the program with its handles at fds 3, 4, ... (fresh
 * handle files each life, with the spec's rights), waits for it to end,
 * logs how, and starts it again. A driver that keeps dying young (within
 * DRVHOST_YOUNG_NS of its start, by exit or by a fault) gets a delay that
 * doubles up to DRVHOST_BACKOFF_MAX_MS; one that lived long starts again
 * at once. A SIGKILL is someone's order, not the driver failing: it
 * restarts at once and does not count, so an operator (or a test) can kill
 * it as often as it likes; lives are still never closer than
 * DRVHOST_MIN_LIFE_NS, so a driver that kills itself cannot make the host
 * spin. docs/drvhost.md.
 *
 * Locks: [I] set before the host task starts; [L] the host's lock; [T]
 * only the host task; [G] hosts_lock (the list /proc/cairn/drivers walks).
 */
#include <cairn/errno.h>
#include <cairn/ipc.h>
#include <cairn/linux/signal.h>
#include <cairn/linux/wait.h>

#include <lib/procfs/seq.h>
#include <lib/string.h>

#include "core/log.h"
#include "fs/file.h"
#include "ipc/devobj.h"
#include "ipc/object.h"
#include "mm/heap.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include "sched/spinlock.h"
#include "sched/task.h"
#include "sched/wait.h"
#include "time/time.h"

#define DRVHOST_YOUNG_NS         (1000ull * NSEC_PER_MSEC) /* a shorter life is "dying young" */
#define DRVHOST_FREE_RESTARTS    3    /* young deaths in a row restarted at once */
#define DRVHOST_BACKOFF_FIRST_MS 25   /* then this delay, doubling... */
#define DRVHOST_BACKOFF_MAX_MS   1000 /* ...up to this */
#define DRVHOST_MIN_LIFE_NS      (20ull * NSEC_PER_MSEC) /* starts never closer than this */
#define DRVHOST_NAME_MAX         32
#define DRVHOST_PATH_MAX         128

struct drvhost {
	struct drvhost_spec spec;    /* [I] a copy; name and path point at the arrays below */
	char name[DRVHOST_NAME_MAX]; /* [I] */
	char path[DRVHOST_PATH_MAX]; /* [I] */
	struct spinlock lock;        /* guards [L] */
	struct waitq wq;             /* the host task waits here between lives */
	bool stopping;               /* [L] drvhost_stop() asked */
	int pid;                     /* [L] the driver now, 0: between lives */
	uint64_t starts, restarts;   /* [L] */
	int last_status;             /* [L] wait status of the last death */
	uint32_t backoff_ms;         /* [L] the delay before the next start */
	unsigned young;              /* [T] young deaths in a row (SIGKILL aside) */
	uint64_t started_ns;         /* [T] when the current life began */
	int exited;                  /* [a] the host task is done with this struct */
	struct drvhost *next;        /* [G] */
};

static struct spinlock hosts_lock = SPINLOCK_INIT("drvhost.list");
static struct drvhost *hosts __guarded_by(&hosts_lock);
/* drvhost_stop() waits here for the host task's last touch (never a queue inside the host). */
static struct waitq hosts_exit_wq = WAITQ_INIT(hosts_exit_wq, "drvhost.exit");

/* ---- one life ---- */

/*
 * Start the driver: fresh handle files with the spec's rights at fds 3...,
 * the console at 0-2. Returns the pid, or -errno (nothing left behind).
 */
static int drvhost_spawn(struct drvhost *h)
{
	struct file *files[DRVHOST_MAX_HANDLES] = { 0 };
	char *argv[2] = { h->path, NULL };
	char *envp[] = { "HOME=/", "PATH=/sbin:/bin:/usr/sbin:/usr/bin", NULL };
	struct proc_spawn_files a = { .path = h->path,
		                      .image = h->spec.image,
		                      .size = h->spec.image_size,
		                      .argv = argv,
		                      .envp = envp,
		                      .extra = files,
		                      .nextra = h->spec.nhandles };
	int pid = 0, err = 0;
	unsigned i;

	for (i = 0; i < h->spec.nhandles && !err; i++) {
		files[i] = handle_file_create(h->spec.handles[i].obj, h->spec.handles[i].rights);
		if (!files[i])
			err = -ENOMEM;
	}
	if (!err)
		err = proc_spawn_files(&a, &pid);
	for (i = 0; i < h->spec.nhandles; i++)
		if (files[i])
			file_put(files[i]); /* the driver's table holds its own references */
	return err ? err : pid;
}

static void drvhost_kill_pid(int pid)
{
	struct process *p = process_find(pid);

	if (p) {
		(void)signal_send_process(p, SIGKILL, NULL);
		process_put(p);
	}
}

/* Start a life and publish it; a stop that came meanwhile kills it at once. */
static int drvhost_begin_life(struct drvhost *h)
{
	int pid = drvhost_spawn(h);
	uint64_t flags;
	bool stop;

	h->started_ns = clock_monotonic_ns();
	if (pid < 0)
		return pid;
	flags = spin_lock_irqsave(&h->lock);
	h->pid = pid;
	if (h->starts++ > 0)
		h->restarts++;
	stop = h->stopping;
	spin_unlock_irqrestore(&h->lock, flags);
	if (stop)
		drvhost_kill_pid(pid);
	return pid;
}

/* ---- deaths and delays ---- */

static bool killed_by_order(int status)
{
	return (status & 0x7f) == SIGKILL;
}

/* The delay before the next life, from how the last one ended and how long it lasted. */
static uint32_t drvhost_backoff(struct drvhost *h, int status, uint64_t life_ns)
{
	uint32_t ms;

	if (killed_by_order(status))
		ms = 0;
	else if (life_ns >= DRVHOST_YOUNG_NS)
		h->young = 0, ms = 0;
	else if (++h->young <= DRVHOST_FREE_RESTARTS)
		ms = 0;
	else if (h->young - DRVHOST_FREE_RESTARTS > 6)
		ms = DRVHOST_BACKOFF_MAX_MS;
	else
		ms = DRVHOST_BACKOFF_FIRST_MS << (h->young - DRVHOST_FREE_RESTARTS - 1);
	if (ms > DRVHOST_BACKOFF_MAX_MS)
		ms = DRVHOST_BACKOFF_MAX_MS;
	/* Never two starts closer than DRVHOST_MIN_LIFE_NS, whatever the reason. */
	if (life_ns < DRVHOST_MIN_LIFE_NS && ms * NSEC_PER_MSEC < DRVHOST_MIN_LIFE_NS - life_ns)
		ms = (uint32_t)((DRVHOST_MIN_LIFE_NS - life_ns + NSEC_PER_MSEC - 1) /
		                NSEC_PER_MSEC);
	return ms;
}

static void drvhost_log_death(struct drvhost *h, int pid, int status, uint64_t life_ns, uint32_t ms)
{
	unsigned long long life_ms = life_ns / NSEC_PER_MSEC;

	if (status & 0x7f)
		pr_info("drvhost: %s (pid %d) killed by signal %d after %llu ms; restart in %u ms",
		        h->name, pid, status & 0x7f, life_ms, ms);
	else
		pr_info("drvhost: %s (pid %d) exited with status %d after %llu ms; restart in %u ms",
		        h->name, pid, (status >> 8) & 0xff, life_ms, ms);
}

static bool drvhost_stopping(void *arg)
{
	struct drvhost *h = arg;
	uint64_t flags = spin_lock_irqsave(&h->lock);
	bool stop = h->stopping;

	spin_unlock_irqrestore(&h->lock, flags);
	return stop;
}

/* The life of @pid ended (or never began: @pid < 0): record it, return the delay. */
static uint32_t drvhost_end_life(struct drvhost *h, int pid, int status)
{
	uint64_t life_ns = clock_monotonic_ns() - h->started_ns;
	uint32_t ms = drvhost_backoff(h, status, life_ns);
	uint64_t flags;

	if (pid > 0 && drvhost_stopping(h))
		pr_info("drvhost: %s (pid %d) ended: the host stops", h->name, pid);
	else if (pid > 0)
		drvhost_log_death(h, pid, status, life_ns, ms);
	else
		pr_warn("drvhost: %s: cannot start %s (error %d); again in %u ms", h->name, h->path,
		        pid, ms);
	flags = spin_lock_irqsave(&h->lock);
	h->pid = 0;
	h->last_status = status;
	h->backoff_ms = ms;
	spin_unlock_irqrestore(&h->lock, flags);
	return ms;
}

/* ---- the host task ---- */

/* Wait for the driver @pid to end, then start the next life, until stopped. */
static int drvhost_main(void *arg)
{
	struct drvhost *h = arg;
	int pid = h->pid, status;
	uint32_t ms;

	for (;;) {
		status = W_EXITCODE(127, 0); /* a life that never began: "cannot execute" */
		if (pid > 0 && proc_wait_flags(pid, &status, 0) != 0)
			pr_warn("drvhost: %s: pid %d could not be waited for", h->name, pid);
		/* What the driver forked (its process group: it led one) goes with it. */
		if (pid > 0)
			(void)signal_kill_pgrp(pid, SIGKILL);
		ms = drvhost_end_life(h, pid, status);
		if (waitq_wait(&h->wq, drvhost_stopping, h, 0,
		               clock_monotonic_ns() + ms * NSEC_PER_MSEC) == 0)
			break; /* stopping */
		pid = drvhost_begin_life(h);
	}
	__atomic_store_n(&h->exited, 1, __ATOMIC_RELEASE); /* @h may be freed after this */
	waitq_wake_all(&hosts_exit_wq);
	return 0;
}

/* ---- the interface ---- */

/* Copy @spec into @h, taking the host's kernel handle on each object. */
static int drvhost_copy_spec(struct drvhost *h, const struct drvhost_spec *spec)
{
	if (!spec->name || !spec->path || spec->nhandles > DRVHOST_MAX_HANDLES ||
	    strlen(spec->name) >= sizeof(h->name) || strlen(spec->path) >= sizeof(h->path))
		return -EINVAL;
	for (unsigned i = 0; i < spec->nhandles; i++)
		if (!spec->handles[i].obj || (spec->handles[i].rights & ~CAIRN_RIGHTS_ALL))
			return -EINVAL;
	h->spec = *spec;
	memcpy(h->name, spec->name, strlen(spec->name) + 1);
	memcpy(h->path, spec->path, strlen(spec->path) + 1);
	h->spec.name = h->name;
	h->spec.path = h->path;
	for (unsigned i = 0; i < spec->nhandles; i++)
		kobject_handle_get(h->spec.handles[i].obj);
	return 0;
}

static void drvhost_free(struct drvhost *h)
{
	for (unsigned i = 0; i < h->spec.nhandles; i++)
		kobject_handle_put(h->spec.handles[i].obj);
	kfree(h);
}

int drvhost_start(const struct drvhost_spec *spec, struct drvhost **out)
{
	struct drvhost *h = kmalloc_flags(sizeof(*h), KM_ZERO | KM_MAY_FAIL);
	struct task_handle t;
	uint64_t flags;
	int err, pid;

	if (!h)
		return -ENOMEM;
	spin_init(&h->lock, "drvhost");
	waitq_init(&h->wq, "drvhost");
	err = drvhost_copy_spec(h, spec);
	if (err) {
		kfree(h);
		return err;
	}
	/* The first life here, so that a missing or broken program is the caller's error. */
	pid = drvhost_begin_life(h);
	if (pid < 0) {
		drvhost_free(h);
		return pid;
	}
	err = task_spawn(&t, "drvhost", drvhost_main, h);
	if (!err)
		err = task_drop(t);
	if (err) {
		drvhost_kill_pid(pid);
		if (proc_wait_flags(pid, NULL, 0) != 0)
			pr_warn("drvhost: %s: pid %d left to reap itself", h->name, pid);
		drvhost_free(h);
		return err;
	}
	pr_info("drvhost: %s started as pid %d (%s, %u handles)", h->name, pid, h->path,
	        h->spec.nhandles);
	flags = spin_lock_irqsave(&hosts_lock);
	h->next = hosts;
	hosts = h;
	spin_unlock_irqrestore(&hosts_lock, flags);
	*out = h;
	return 0;
}

static bool drvhost_exited(void *arg)
{
	return __atomic_load_n(&((struct drvhost *)arg)->exited, __ATOMIC_ACQUIRE);
}

void drvhost_stop(struct drvhost *h)
{
	struct drvhost **pp;
	uint64_t flags;
	int pid;

	flags = spin_lock_irqsave(&hosts_lock);
	for (pp = &hosts; *pp; pp = &(*pp)->next)
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	spin_unlock_irqrestore(&hosts_lock, flags);
	flags = spin_lock_irqsave(&h->lock);
	h->stopping = true;
	pid = h->pid;
	spin_unlock_irqrestore(&h->lock, flags);
	waitq_wake_all(&h->wq);
	if (pid > 0)
		drvhost_kill_pid(pid);
	while (waitq_wait(&hosts_exit_wq, drvhost_exited, h, 0, TIME_NEVER) != 0)
		; /* not killable: the driver is killed and the host ends */
	pr_info("drvhost: %s stopped", h->name);
	drvhost_free(h);
}

void drvhost_get_stats(struct drvhost *h, struct drvhost_stats *out)
{
	uint64_t flags = spin_lock_irqsave(&h->lock);

	out->pid = h->pid;
	out->starts = h->starts;
	out->restarts = h->restarts;
	out->last_status = h->last_status;
	out->backoff_ms = h->backoff_ms;
	spin_unlock_irqrestore(&h->lock, flags);
}

/* One line of /proc/cairn/drivers. */
static void drvhost_show_one(struct seqbuf *s, struct drvhost *h)
{
	struct drvhost_stats st;

	drvhost_get_stats(h, &st);
	seq_printf(s, "%-12s %6d %7llu %8llu ", h->name, st.pid, (unsigned long long)st.starts,
	           (unsigned long long)st.restarts);
	if (st.starts == 1 && st.pid)
		seq_puts(s, "-         ");
	else if (st.last_status & 0x7f)
		seq_printf(s, "signal %-3d", st.last_status & 0x7f);
	else
		seq_printf(s, "exit %-5d", (st.last_status >> 8) & 0xff);
	seq_printf(s, " %7u %s\n", st.backoff_ms, h->path);
}

void drvhost_show(struct seqbuf *s)
{
	uint64_t flags;

	seq_puts(s, "name            pid  starts restarts last       backoff path\n");
	flags = spin_lock_irqsave(&hosts_lock);
	for (struct drvhost *h = hosts; h; h = h->next)
		drvhost_show_one(s, h);
	spin_unlock_irqrestore(&hosts_lock, flags);
}
