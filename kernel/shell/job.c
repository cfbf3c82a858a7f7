// SPDX-License-Identifier: MIT
/*
 * The shell's dispatcher: a command line is split with lib/tty/shlex, its
 * first word looked up in the command table (with a "did you mean" for a
 * near miss), and the command run in a task of its own that the shell
 * holds the handle of. The shell waits on the job's wait queue for "the
 * command returned" or "^C"; on ^C it kills the task, which ends at its
 * next safe point (task_sleep_ns(), a killable wait). No terminal is
 * involved here: output goes to whatever struct shell_out names.
 */
#include <cairn/errno.h>

#include <lib/string.h>
#include <lib/tty/shlex.h>

#include <stdarg.h>

#include "mm/heap.h"
#include "sched/task.h"
#include "shell/internal.h"
#include "time/time.h"

/* How often a waiting shell checks whether its command died without returning. */
#define JOB_POLL_NS (500ull * NSEC_PER_MSEC)

void shell_out_printf(const struct shell_out *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vformat(out->sink, out->ctx, fmt, ap);
	va_end(ap);
}

void shell_write(const struct shell_args *a, const char *s, size_t n)
{
	a->out->sink(a->out->ctx, s, n);
}

void shell_printf(const struct shell_args *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vformat(a->out->sink, a->out->ctx, fmt, ap);
	va_end(ap);
}

int shell_usage(const struct shell_args *a)
{
	const char *name = a->argv[0];
	unsigned i;

	for (i = 0; i < shell_ncmds; i++)
		if (strcmp(shell_cmds[i].name, name) == 0)
			shell_printf(a, "usage: %s %s\n", name, shell_cmds[i].usage);
	return SHELL_EXIT_SYNTAX;
}

static const struct shell_cmd *lookup(const char *name)
{
	unsigned i;

	for (i = 0; i < shell_ncmds; i++)
		if (strcmp(shell_cmds[i].name, name) == 0)
			return &shell_cmds[i];
	return NULL;
}

/* "cairn: unknown command 'ehco' - did you mean 'echo'?" */
static void report_unknown(const struct shell_out *out, const char *name)
{
	struct shlex_suggest s;
	unsigned i;

	shlex_suggest_init(&s, name);
	for (i = 0; i < shell_ncmds; i++)
		shlex_suggest_offer(&s, shell_cmds[i].name);
	if (s.best)
		shell_out_printf(out, "cairn: unknown command '%s' - did you mean '%s'?\n", name,
		                 s.best);
	else
		shell_out_printf(out, "cairn: unknown command '%s'\n", name);
}

void shell_job_init(struct shell_job *job)
{
	memset(job, 0, sizeof(*job));
	waitq_init(&job->wq, "shell.job");
}

void shell_job_interrupt(void *arg)
{
	struct shell_job *job = arg;

	__atomic_store_n(&job->interrupted, 1, __ATOMIC_RELEASE);
	waitq_wake_all(&job->wq);
}

/* The command's task: run it, then tell the owner it returned. */
static int job_main(void *arg)
{
	struct shell_job *job = arg;
	struct shell_args a = { .out = &job->out, .argc = job->argc, .argv = job->argv };

	job->status = job->cmd->fn(&a);
	__atomic_store_n(&job->done, 1, __ATOMIC_RELEASE);
	waitq_wake_all(&job->wq);
	return job->status;
}

/* Split @line into job->argv; 0 when a known command is ready to run, else its status. */
static int job_parse(struct shell_job *job, const char *line)
{
	int argc = shlex_split(line, job->buf, sizeof(job->buf), job->argv, SHELL_MAX_ARGS);

	if (argc < 0) {
		shell_out_printf(&job->out, "cairn: %s\n", shlex_strerror(argc));
		return SHELL_EXIT_SYNTAX;
	}
	if (argc == 0)
		return 0;
	job->argc = argc;
	job->cmd = lookup(job->argv[0]);
	if (!job->cmd) {
		report_unknown(&job->out, job->argv[0]);
		return SHELL_EXIT_UNKNOWN;
	}
	return 0;
}

int shell_job_start(struct shell_job *job, const char *line, const struct shell_out *out)
{
	int err;

	job->out = *out;
	job->cmd = NULL;
	job->argc = 0;
	job->status = job_parse(job, line);
	if (!job->cmd) {
		__atomic_store_n(&job->interrupted, 0, __ATOMIC_RELAXED);
		return 1;
	}
	__atomic_store_n(&job->done, 0, __ATOMIC_RELAXED);
	err = task_spawn(&job->task, job->cmd->name, job_main, job);
	if (err) {
		shell_out_printf(out, "cairn: cannot start '%s': out of memory\n", job->cmd->name);
		job->status = err;
		return err;
	}
	job->running = true;
	return 0;
}

static bool job_cond(void *arg)
{
	struct shell_job *job = arg;

	return __atomic_load_n(&job->done, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&job->interrupted, __ATOMIC_ACQUIRE);
}

/*
 * True when task @id exists and has ended: a command that panicked never
 * sets done. A snapshot of every task, so called only now and then.
 */
static bool task_has_died(uint64_t id)
{
	size_t max = task_count() + 16, n, i;
	struct task_info *ti = kmalloc_flags(max * sizeof(*ti), KM_MAY_FAIL);
	bool dead = false;

	if (!ti)
		return false;
	n = task_list(ti, max);
	for (i = 0; i < n && i < max; i++)
		if (ti[i].id == id)
			dead = ti[i].state == TASK_DEAD;
	kfree(ti);
	return dead;
}

/* What shell_job_wait() reports once the task is joined. */
static int job_result(struct shell_job *job, const struct task_result *res)
{
	switch (res->how) {
	case TASK_END_RETURNED:
	case TASK_END_EXITED:
		return res->value;
	case TASK_END_KILLED:
		shell_out_printf(&job->out, "cairn: %s: interrupted\n", job->cmd->name);
		return -EINTR;
	default:
		shell_out_printf(&job->out, "cairn: %s: crashed (see the log)\n", job->cmd->name);
		return -EFAULT;
	}
}

int shell_job_wait(struct shell_job *job)
{
	struct task_result res = { TASK_END_NONE, 0 };
	bool told = false;
	int err;

	if (!job->running)
		return job->status;
	for (;;) {
		err = waitq_wait(&job->wq, job_cond, job, 0, clock_monotonic_ns() + JOB_POLL_NS);
		if (__atomic_load_n(&job->done, __ATOMIC_ACQUIRE))
			break;
		if (__atomic_exchange_n(&job->interrupted, 0, __ATOMIC_ACQ_REL)) {
			if (!(job->cmd->flags & SHELL_CMD_NOINTR)) {
				task_kill(job->task);
				break;
			}
			if (!told)
				shell_out_printf(&job->out, "cairn: %s cannot be interrupted\n",
				                 job->cmd->name);
			told = true;
		}
		if (err == -ETIMEDOUT && task_has_died(job->task.id))
			break;
	}
	if (task_join(job->task, &res) != 0)
		res.how = TASK_END_PANICKED; /* cannot happen: this task holds the handle */
	job->running = false;
	__atomic_store_n(&job->interrupted, 0, __ATOMIC_RELEASE);
	job->status = job_result(job, &res);
	return job->status;
}

int shell_run_line(const char *line, const struct shell_out *out)
{
	struct shell_job *job = kmalloc_flags(sizeof(*job), KM_MAY_FAIL);
	int rc;

	if (!job)
		return -ENOMEM;
	shell_job_init(job);
	rc = shell_job_start(job, line, out);
	if (rc == 0)
		rc = shell_job_wait(job);
	else if (rc == 1)
		rc = job->status;
	kfree(job);
	return rc;
}

void shell_complete(void *ctx, struct lineedit_completion *c)
{
	unsigned i;

	if (c->word != 0)
		return;
	for (i = 0; i < shell_ncmds; i++)
		lineedit_offer(c, shell_cmds[i].name);
}

unsigned shell_command_count(void)
{
	return shell_ncmds;
}

const char *shell_command_name(unsigned i)
{
	return i < shell_ncmds ? shell_cmds[i].name : NULL;
}
