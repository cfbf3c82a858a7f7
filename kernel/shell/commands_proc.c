// SPDX-License-Identifier: MIT
/*
 * The shell's command for user programs: `run PATH [args...]` starts PATH
 * from the initrd as a new process, waits for it in the foreground and
 * prints how it ended. ^C while it runs sends it SIGINT (the job's task is
 * asked to stop, which ends the first wait; the program then gets the
 * signal and the shell waits for it to go, as a shell waits for its
 * foreground job).
 */
#include <cairn/errno.h>
#include <cairn/linux/signal.h>

#include "core/log.h"
#include "proc/proc.h"
#include "shell/internal.h"
#include "tty/tty.h"

static char *const run_envp[] = { "HOME=/", "PATH=/bin:/sbin:/usr/bin:/usr/sbin", "TERM=linux",
	                          NULL };

/* Send SIGINT to process @pid (the ^C of a foreground job). */
static void run_interrupt(int pid)
{
	struct process *p = process_find(pid);

	if (!p)
		return;
	if (signal_send_process(p, SIGINT, NULL))
		pr_warn("run: cannot send SIGINT to %d", pid);
	process_put(p);
}

/* "exit status N" or "killed by signal N", like a shell's $? (128 + N for signals). */
static int run_report(const struct shell_args *a, int status)
{
	if ((status & 0x7f) == 0) {
		if ((status >> 8) & 0xff)
			shell_printf(a, "run: %s: exit status %d\n", a->argv[1],
			             (status >> 8) & 0xff);
		return (status >> 8) & 0xff;
	}
	shell_printf(a, "run: %s: killed by signal %d%s\n", a->argv[1], status & 0x7f,
	             (status & 0x80) ? " (core dumped)" : "");
	return 128 + (status & 0x7f);
}

int shell_cmd_run(const struct shell_args *a)
{
	int pid, status = 0, err;

	if (a->argc < 2)
		return shell_usage(a);
	err = proc_spawn(a->argv[1], &a->argv[1], run_envp, &pid);
	if (err) {
		shell_printf(a, "run: %s: %s\n", a->argv[1],
		             err == -ENOENT    ? "not found"
		             : err == -ENOEXEC ? "not an executable this kernel runs"
		             : err == -EACCES  ? "permission denied"
		             : err == -E2BIG   ? "argument list too long"
		                               : "cannot start it");
		return err == -ENOENT ? SHELL_EXIT_UNKNOWN : 126;
	}
	/* Its own group (pid) is the console's foreground: ^C there reaches it directly too. */
	tty_set_foreground_pgrp(console_tty(), pid);
	err = proc_wait_flags(pid, &status, PROC_WAIT_KILLABLE);
	if (err == -EINTR) {
		run_interrupt(pid); /* from any terminal; a second SIGINT merges with the first */
		err = proc_wait_flags(pid, &status, 0);
	}
	tty_set_foreground_pgrp(console_tty(), 0);
	if (err) {
		shell_printf(a, "run: %s: lost (error %d)\n", a->argv[1], err);
		return 1;
	}
	return run_report(a, status);
}
