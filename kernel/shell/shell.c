// SPDX-License-Identifier: MIT
/*
 * The interactive shell on a console: the terminal in raw mode feeds
 * lib/tty's line editor byte by byte (cursor keys, history, Tab completion
 * of command names); a finished line goes to the dispatcher (job.c), which
 * runs the command in a task of its own. While it runs the terminal is in
 * canonical mode with a ^C callback that asks the shell to kill it. The
 * console shell never exits: ^D on an empty line only says so.
 */
#include "shell/shell.h"

#include <cairn/errno.h>

#include <lib/format.h>

#include "core/log.h"
#include "mm/heap.h"
#include "sched/task.h"
#include "shell/internal.h"
#include "time/time.h"
#include "tty/tty.h"

/* The prompt, bold green; lib/tty/lineedit counts no columns for escape sequences. */
#define PROMPT_COLOURED "\x1b[1;32mcairn>\x1b[0m "
#define INBUF_SIZE      64 /* bytes read from the terminal at a time */

/*
 * One shell. Locks: [S] its own task only; the job's ^C flag is atomic
 * (see struct shell_job).
 */
struct shell {
	struct tty *tty;        /* [S] its terminal */
	struct lineedit le;     /* [S] the editor, with the history */
	struct shell_job job;   /* [S] the command line being run */
	uint8_t in[INBUF_SIZE]; /* [S] bytes read and not yet fed to the editor */
	size_t in_pos, in_len;  /* [S] next byte of in[], bytes in in[] */
};

static void tty_sink(void *ctx, const char *s, size_t n)
{
	tty_write(ctx, s, n);
}

static void tty_clear_cb(void *ctx)
{
	tty_clear(ctx);
}

/*
 * The next byte typed, or -EINTR once the shell's task is asked to end
 * (only a test's shell is). Blocks. Bytes read in one go are kept for the
 * next line.
 */
static int next_byte(struct shell *sh)
{
	long n;

	while (sh->in_pos == sh->in_len) {
		if (task_kill_pending())
			return -EINTR;
		n = tty_read(sh->tty, sh->in, sizeof(sh->in));
		if (n > 0) {
			sh->in_pos = 0;
			sh->in_len = (size_t)n;
		} else if (n == 0) {
			sleep_ns(10 * NSEC_PER_MSEC); /* an end of input: not in raw mode */
		}
	}
	return sh->in[sh->in_pos++];
}

/* What the editor says about the line after one more byte; reacts to ^C, ^D and ^L. */
static enum lineedit_status edit(struct shell *sh, uint8_t c)
{
	enum lineedit_status st = lineedit_feed(&sh->le, c);

	switch (st) {
	case LINEEDIT_CANCEL:
		lineedit_start(&sh->le, PROMPT_COLOURED);
		break;
	case LINEEDIT_EOF:
		tty_printf(sh->tty, "cairn: the console shell does not exit "
		                    "(type 'shutdown' to power off)\n");
		lineedit_start(&sh->le, PROMPT_COLOURED);
		break;
	case LINEEDIT_CLEAR:
		tty_clear(sh->tty);
		lineedit_refresh(&sh->le);
		break;
	default:
		break;
	}
	return st;
}

/* Edit one line with the prompt shown; returns it once Enter is pressed, NULL when killed. */
static const char *read_line(struct shell *sh)
{
	int c;

	tty_set_raw(sh->tty, true);
	lineedit_set_cols(&sh->le, tty_cols(sh->tty));
	lineedit_start(&sh->le, PROMPT_COLOURED);
	while ((c = next_byte(sh)) >= 0)
		if (edit(sh, (uint8_t)c) == LINEEDIT_DONE)
			return lineedit_line(&sh->le);
	return NULL;
}

/* Run @line with the terminal in canonical mode and ^C wired to the job. */
static void run_line(struct shell *sh, const char *line)
{
	struct shell_out out = { .sink = tty_sink, .ctx = sh->tty, .clear = tty_clear_cb };

	tty_set_raw(sh->tty, false);
	/* A ^C that came after the last command ended must not stop this one. */
	__atomic_store_n(&sh->job.interrupted, 0, __ATOMIC_RELEASE);
	tty_set_sigint(sh->tty, shell_job_interrupt, &sh->job);
	if (shell_job_start(&sh->job, line, &out) == 0)
		shell_job_wait(&sh->job);
	tty_set_sigint(sh->tty, NULL, NULL);
}

int shell_main(void *arg)
{
	struct shell *sh = kmalloc_flags(sizeof(*sh), KM_ZERO | KM_MAY_FAIL);
	char line[LINEEDIT_MAX + 1];
	const char *p;

	if (!sh) {
		pr_err("shell: no memory for a shell on %s", tty_name(arg));
		return -ENOMEM;
	}
	sh->tty = arg;
	shell_job_init(&sh->job);
	lineedit_init(&sh->le, tty_sink, sh->tty);
	lineedit_set_completion(&sh->le, shell_complete, NULL);
	tty_printf(sh->tty, "\nCairn shell on %s. Type 'help' for the commands.\n",
	           tty_name(sh->tty));
	for (;;) {
		/* The editor's buffer changes with the next byte fed; keep a copy. */
		p = read_line(sh);
		if (!p)
			break;
		fmt_snprintf(line, sizeof(line), "%s", p);
		run_line(sh, line);
	}
	tty_set_raw(sh->tty, false);
	kfree(sh);
	return -EINTR;
}

void shell_start(void)
{
	char name[TASK_NAME_MAX];
	struct task_handle h;
	unsigned i;
	struct tty *t;

	for (i = 0; i < tty_count(); i++) {
		t = tty_get(i);
		if (!t)
			continue;
		fmt_snprintf(name, sizeof(name), "shell:%s", tty_name(t));
		if (task_spawn(&h, name, shell_main, t) != 0) {
			pr_err("shell: cannot start a shell on %s", tty_name(t));
			continue;
		}
		task_drop(h);
		pr_info("shell: started on %s", tty_name(t));
	}
}
