/* SPDX-License-Identifier: MIT */
/*
 * What the files of kernel/tty share: the terminal itself. tty.c holds
 * the line-discipline glue, the output path and the log console;
 * tty_console.c the boot consoles and the devices that feed them; keys.c
 * the keyboard's translation into terminal bytes.
 */
#pragma once

#include <lib/tty/ldisc.h>

#include "core/log.h"
#include "sched/spinlock.h"
#include "sched/wait.h"
#include "tty/tty.h"

/*
 * Locks: [I] set at creation; [N] in_lock, the input side; [O] out_lock,
 * the output side; [L] the log's console lock; [a] atomic. A device that
 * feeds the terminal serializes its draining with src_lock.
 * Order: src_lock -> in_lock -> out_lock -> the backend's own (fbcon);
 * log.console -> out_lock. Wakes and the ^C callback run after in_lock
 * is dropped (src_lock may still be held).
 */
struct tty {
	struct log_console logcon;    /* [L] entry in the log's console list; first member */
	const char *name;             /* [I] */
	struct tty_backend be;        /* [I] */
	struct spinlock src_lock;     /* the feeding device's drain, one CPU at a time */
	struct spinlock in_lock;      /* "tty.in" */
	struct ldisc ld;              /* [N] mode, flags, line being edited, input queue */
	void (*sigint_fn)(void *ctx); /* [N] ^C callback, or NULL */
	void *sigint_ctx;             /* [N] its argument */
	unsigned sigint_busy;         /* [a] ^C callbacks running now */
	struct waitq readers;         /* tasks blocked in tty_read() */
	struct spinlock out_lock;     /* "tty.out" */
	bool mid_line;                /* [O] the last byte displayed was not '\n' */
	bool showing_log;             /* [I] but for tty_show_log(), which callers serialize */
};

/* Set up @t (zeroed storage) as tty_create() describes. */
void tty_setup(struct tty *t, const char *name, const struct tty_backend *be);
