/* SPDX-License-Identifier: MIT */
/*
 * The kernel shell: one task per console reads lines with lib/tty's line
 * editor (history, cursor keys, Tab completion of command names), splits
 * them with shlex quoting and runs each command in a task of its own, so
 * that ^C can end it at its next kill safe point. The dispatcher is usable
 * without a terminal (shell_run_line() with any output sink), which is how
 * tests/kernel/test_shell.c drives it.
 */
#pragma once

#include <lib/format.h>
#include <lib/tty/lineedit.h>

#include <stdbool.h>
#include <stdint.h>

#include "sched/task.h"
#include "sched/wait.h"

#define SHELL_MAX_ARGS     32  /* words in a command line, the command included */
#define SHELL_EXIT_UNKNOWN 127 /* a job's status when the command does not exist */
#define SHELL_EXIT_SYNTAX  2   /* a job's status for a quoting error or bad usage */

/* Where a command's output goes. Locks: [I] set before the command runs. */
struct shell_out {
	fmt_sink_fn sink;         /* [I] receives the text (not NUL-terminated) */
	void *ctx;                /* [I] its context */
	void (*clear)(void *ctx); /* [I] clear the screen; NULL: send ANSI ESC [H ESC [2J */
};

struct shell_cmd;

/*
 * One command line being run. Lives with its shell (or a test) and is
 * reused; fields are private to kernel/shell. Locks: [S] the shell task
 * that owns it; [J] written by the command's task before it sets done;
 * [a] atomic (the ^C callback runs in IRQ context on any CPU).
 */
struct shell_job {
	const struct shell_cmd *cmd; /* [S] what runs, or NULL */
	struct shell_out out;        /* [S] */
	int argc;                    /* [S] */
	char *argv[SHELL_MAX_ARGS];  /* [S] point into buf */
	char buf[LINEEDIT_MAX + 1];  /* [S] the words, NUL-terminated */
	struct task_handle task;     /* [S] the command's task while it runs */
	bool running;                /* [S] task holds a handle to join */
	struct waitq wq;             /* the owner waits here for done or interrupted */
	int done;                    /* [a] the command returned; status is valid */
	int interrupted;             /* [a] ^C (shell_job_interrupt()) */
	int status;                  /* [J] the command's return value */
};

/*
 * Spawn one shell task per console that exists (the serial port, the
 * screen); each is named "shell:<tty>" and runs until the machine stops.
 * Call once after the consoles and the scheduler are up, from task
 * context. Failures are logged.
 */
void shell_start(void);

/*
 * The shell on the struct tty @tty: prompt, edit, run, for ever. The task
 * body of shell_start(). ^D on an empty line only prints a reminder; the
 * shell ends only when its task is killed while it waits for input (tests
 * do that), returning -EINTR with the terminal back in canonical mode, or
 * at once with -ENOMEM. May sleep.
 */
int shell_main(void *tty);

/*
 * The boot flow's work once the shells are started: serve the requests
 * that must run in the boot CPU's own flow and not in a spawned task (the
 * in-kernel tests, the benchmarks, power off and reset), one at a time.
 * Until something calls this, those requests run in a task pinned to CPU
 * 0 instead. Boot CPU's boot flow only; never returns.
 */
__attribute__((noreturn)) void shell_serve_boot_flow(void);

/* Set up @job (once, before its first use). */
void shell_job_init(struct shell_job *job);

/*
 * Split @line and start its command in a new task writing to @out. Returns
 * 0 when a command is running (wait for it with shell_job_wait()), 1 when
 * there was nothing to run (an empty line, or a quoting error or unknown
 * command, already reported to @out), or -ENOMEM. Task context; may sleep.
 */
int shell_job_start(struct shell_job *job, const char *line, const struct shell_out *out);

/*
 * What ^C does: ask the running command of @job to stop. Only sets a flag
 * and wakes the owner, so any context, IRQ included, any CPU.
 */
void shell_job_interrupt(void *job);

/*
 * Wait for the command of @job to end; after shell_job_interrupt() kill
 * it (it ends at its next safe point) unless it cannot be interrupted.
 * Reports a crash or an interruption to the job's output. Returns the
 * command's status (0: success), -EINTR when it was interrupted, -EFAULT
 * when it crashed. Task context of the job's starter; sleeps.
 */
int shell_job_wait(struct shell_job *job);

/*
 * Run one command line to the end with output to @out: shell_job_start()
 * then shell_job_wait() on a private job. Returns the command's status
 * (0 for an empty line, SHELL_EXIT_UNKNOWN or SHELL_EXIT_SYNTAX when it
 * did not run, -EINTR, -EFAULT, -ENOMEM). Task context; sleeps.
 */
int shell_run_line(const char *line, const struct shell_out *out);

/*
 * The Tab completion callback for struct lineedit: offers every command
 * whose name starts with the first word (arguments get no candidates).
 * @ctx is unused. Never sleeps.
 */
void shell_complete(void *ctx, struct lineedit_completion *c);

/* The number of commands and the name of the @i-th (NULL past the end), for tests. */
unsigned shell_command_count(void);
const char *shell_command_name(unsigned i);
