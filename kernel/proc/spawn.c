// SPDX-License-Identifier: MIT
/*
 * Processes the kernel starts itself: proc_spawn() for the shell's `run`
 * (a child of no process, reaped by proc_wait()) and init= at boot (pid 1,
 * whose end stops the machine). The new process's first thread execs in
 * its own task and reports the result before it enters user mode, so the
 * caller learns whether the program started.
 */
#include <cairn/errno.h>
#include <cairn/linux/wait.h>

#include <lib/string.h>

#include "core/cmdline.h"
#include "core/log.h"
#include "proc/internal.h"
#include "time/time.h"

/* Spawners wait here for their program's exec to finish (one static queue, never on a stack). */
static struct waitq spawn_wq = WAITQ_INIT(spawn_wq, "proc.spawn");

/* A spawn in progress, on the spawner's stack; the new thread writes result then done. */
struct spawn_req {
	const char *path;
	const void *image; /* the ELF file itself, or NULL: @path in the initrd */
	size_t size;       /* its bytes */
	char *const *argv;
	char *const *envp;
	struct file *const *stdio; /* fds 0, 1, 2 (NULL entries or NULL: the console) */
	struct file *const *extra; /* fds 3, 4, ... (none NULL) */
	unsigned nextra;           /* entries of extra */
	int result;                /* exec's result */
	int done;                  /* [a] the thread has finished with this request */
};

/* The new thread's first work: exec, report, then enter user mode or end. */
static int spawn_exec(void *arg)
{
	struct spawn_req *r = arg;
	int err = r->image ? proc_exec_image(r->path, r->image, r->size, r->argv, r->envp)
	                   : proc_exec(r->path, r->argv, r->envp);
	uint64_t flags;

	if (err) {
		/* An init that never ran must not stop the machine on its way out. */
		flags = spin_lock_irqsave(&proc_lock);
		if (proc_init_process == process_current())
			proc_init_process = NULL;
		spin_unlock_irqrestore(&proc_lock, flags);
	}
	r->result = err;
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE); /* @r may be gone after this */
	waitq_wake_all(&spawn_wq);
	if (err)
		proc_thread_end(W_EXITCODE(127, 0)); /* the shell's "cannot execute" status */
	return 0;
}

static bool spawn_done(void *arg)
{
	struct spawn_req *r = arg;

	return __atomic_load_n(&r->done, __ATOMIC_ACQUIRE);
}

/* proc_spawn() with the init flag: init has no waiter and is the orphans' new parent. */
static int spawn(struct spawn_req *rq, bool init, int *pid_out)
{
	struct spawn_req r = *rq;
	struct thread_start st = { .kernel_fn = spawn_exec, .kernel_arg = &r };
	struct process *p;
	uint64_t flags;
	int err, pid;

	err = process_create(NULL, false, &p);
	if (err)
		return err;
	pid = p->pid;
	err = sighand_create(&p->sighand);
	if (!err)
		err = proc_files_spawn_extra(p, r.stdio, r.extra, r.nextra);
	flags = spin_lock_irqsave(&proc_lock);
	p->kernel_child = !init;
	if (init)
		proc_init_process = p;
	spin_unlock_irqrestore(&proc_lock, flags);
	if (!err)
		err = thread_create(p, pid, NULL, &st, NULL);
	if (err) {
		flags = spin_lock_irqsave(&proc_lock);
		bool reaped = process_reap_locked(p);

		spin_unlock_irqrestore(&proc_lock, flags);
		if (reaped)
			process_put(p);
		return err;
	}
	while (waitq_wait(&spawn_wq, spawn_done, &r, 0, TIME_NEVER) != 0)
		; /* no timeout, not killable: exec finishes */
	if (r.result) {
		if (!init && proc_wait_flags(pid, NULL, 0) != 0)
			pr_warn("proc: pid %d left to reap itself", pid);
		return r.result;
	}
	*pid_out = pid;
	return 0;
}

int proc_spawn(const char *path, char *const argv[], char *const envp[], int *pid_out)
{
	return proc_spawn_stdio(path, argv, envp, NULL, pid_out);
}

int proc_spawn_stdio(const char *path, char *const argv[], char *const envp[],
                     struct file *const stdio[3], int *pid_out)
{
	struct spawn_req r = { .path = path, .argv = argv, .envp = envp, .stdio = stdio };

	return spawn(&r, false, pid_out);
}

int proc_spawn_image(const char *name, const void *elf, size_t size, char *const argv[],
                     char *const envp[], int *pid_out)
{
	struct spawn_req r = {
		.path = name, .image = elf, .size = size, .argv = argv, .envp = envp
	};

	return spawn(&r, false, pid_out);
}

int proc_spawn_files(const struct proc_spawn_files *a, int *pid_out)
{
	struct spawn_req r = { .path = a->path,
		               .image = a->image,
		               .size = a->size,
		               .argv = a->argv,
		               .envp = a->envp,
		               .stdio = a->stdio,
		               .extra = a->extra,
		               .nextra = a->nextra };

	if (a->nextra > PROC_SPAWN_MAX_EXTRA || (a->nextra && !a->extra))
		return -EINVAL;
	for (unsigned i = 0; i < a->nextra; i++)
		if (!a->extra[i])
			return -EINVAL;
	return spawn(&r, false, pid_out);
}

bool proc_start_init(void)
{
	static char path[128];
	static char *argv[2] = { path, NULL };
	static char *envp[] = { "HOME=/", "TERM=linux", NULL };
	const char *v = cmdline_get("init");
	int pid, err;

	if (!v || !*v)
		return false;
	struct spawn_req r = { .path = path, .argv = argv, .envp = envp };

	cmdline_word(v, path, sizeof(path));
	if (!strcmp(path, "kshell"))
		return false; /* init=kshell: the kernel's debugging shell instead of a program */
	err = spawn(&r, true, &pid);
	if (err) {
		pr_err("init: cannot run %s (error %d); starting the kernel shell instead", path,
		       err);
		return false;
	}
	pr_info("init: started %s as pid %d", path, pid);
	return true;
}
