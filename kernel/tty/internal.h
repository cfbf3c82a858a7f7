/* SPDX-License-Identifier: MIT */
/*
 * What the files of kernel/tty share: the terminal itself. tty.c holds
 * the line-discipline glue, the output path and the log console;
 * tty_console.c the boot consoles and the devices that feed them; keys.c
 * the keyboard's translation into terminal bytes.
 */
#pragma once

#include <cairn/linux/termios.h>

#include <lib/tty/ldisc.h>

#include "core/log.h"
#include "sched/spinlock.h"
#include "sched/wait.h"
#include "tty/tty.h"

struct file;
struct poll_table;
struct pty;

#define TTYAUX_MAJOR 5   /* /dev/tty 5:0, /dev/console 5:1, /dev/ptmx 5:2 */
#define PTY_MAJOR    136 /* /dev/pts/N: Linux's first Unix 98 slave major */

/*
 * Locks: [I] set at creation; [N] in_lock, the input side; [O] out_lock,
 * the output side; [L] the log's console lock; [a] atomic; [G] proc_lock
 * (written under it, read atomically anywhere: the job-control state,
 * tty_job.c). A device that feeds the terminal serializes its draining
 * with src_lock.
 * Order: src_lock -> in_lock -> out_lock -> the backend's own (fbcon);
 * log.console -> out_lock. Wakes and the ^C callback run after in_lock
 * is dropped (src_lock may still be held).
 */
struct tty {
	struct log_console logcon;    /* [L] entry in the log's console list; first member */
	const char *name;             /* [I] */
	uint32_t rdev;                /* [I] device number of its node (DEV_ENCODE); 0: none */
	struct pty *pty;              /* [I] the pseudo-terminal it is the slave of, or NULL */
	bool hungup;                  /* [a] hung up for good: reads see end-of-file, writes EIO */
	struct tty_backend be;        /* [I] */
	struct spinlock src_lock;     /* the feeding device's drain, one CPU at a time */
	struct spinlock in_lock;      /* "tty.in" */
	struct ldisc ld;              /* [N] mode, flags, line being edited, input queue */
	void (*sigint_fn)(void *ctx); /* [N] ^C callback, or NULL */
	void *sigint_ctx;             /* [N] its argument */
	unsigned sigint_busy;         /* [a] ^C callbacks running now */
	struct winsize ws;        /* [N] the size TIOCGWINSZ reports (starts as the backend's) */
	int session;              /* [G] the session it is the controlling tty of; 0: none */
	int pgrp;                 /* [G] the foreground process group; 0: none */
	struct waitq readers;     /* tasks blocked in tty_read() and pollers of input */
	struct spinlock out_lock; /* "tty.out" */
	bool mid_line;            /* [O] the last byte displayed was not '\n' */
	bool showing_log;         /* [I] but for tty_show_log(), which callers serialize */
};

/* Set up @t (zeroed storage) as tty_create() describes. */
void tty_setup(struct tty *t, const char *name, const struct tty_backend *be);

/* Free what tty_setup() made, for a terminal embedded in another object. */
void tty_destroy_embedded(struct tty *t);

/*
 * Hang @t up for good (its pty master closed): its session's leader gets
 * SIGHUP and SIGCONT, the session loses it, readers wake to end-of-file.
 */
void tty_hangup(struct tty *t);
bool tty_hungup(struct tty *t);

/* Pseudo-terminals (pty.c): /dev/ptmx, and the slaves' side of their files. */
void pty_register(void);
/* Open slave @index on @f (f->priv = its tty): 0, -ENXIO (none), -EIO (locked or master gone). */
int pty_slave_open(unsigned index, struct file *f);
void pty_slave_release(struct pty *p);
/* Wait until @p can take @n more output bytes: 0, -EAGAIN, -ERESTARTSYS, -EIO (no master). */
int pty_wait_room(struct pty *p, size_t n, bool nonblock);
/* Whether a slave write would not wait now (registering on the room queue with @pt). */
bool pty_has_room(struct pty *p, struct poll_table *pt);

/* Whether a read of @t would return at once (input, end-of-file). Any context. */
bool tty_input_ready(struct tty *t);

/* Drop the line being edited and the input queued (TCFLSH). Any context. */
void tty_flush_input(struct tty *t);
/* ldisc_read() under the input lock: bytes, 0 (end-of-file mark), -EAGAIN. Any context. */
long tty_take(struct tty *t, void *buf, size_t n);
/* ldisc_read_done() now, under the input lock. */
bool tty_read_done(struct tty *t, const struct ldisc_read_timing *rt, uint64_t *deadline_ns);
bool tty_canonical(struct tty *t);
/* Bytes of input queued for readers (FIONREAD). Any context. */
size_t tty_input_queued(struct tty *t);
/* The file operation behind ioctl(2) (tty_ioctl.c). */
long tty_file_ioctl(struct file *f, unsigned cmd, uintptr_t arg);

/* What a program writes: output processing as the termios says (OPOST, ONLCR). Any context. */
void tty_write_user(struct tty *t, const void *buf, size_t n);
/* Whether TOSTOP is set: background writers are stopped. */
bool tty_tostop(struct tty *t);

/* Char devices and their nodes (tty_file.c): once, from tty_init(). */
void tty_dev_register(void);

/*
 * Job control (tty_job.c). The checks return 0 (go on), -EIO, or
 * -ERESTARTSYS after stopping the caller's group with SIGTTIN/SIGTTOU.
 */
int tty_job_check_read(struct tty *t);
int tty_job_check_change(struct tty *t);
/* A session leader without a terminal opening @t (not O_NOCTTY) acquires it. */
void tty_job_open(struct tty *t);
/* The job-control ioctls: TIOCSCTTY, TIOCNOTTY, TIOCGPGRP, TIOCSPGRP, TIOCGSID. */
long tty_job_ioctl(struct tty *t, unsigned cmd, uintptr_t arg, bool readable);
/* Whether the caller may type on @t (TIOCSTI): its controlling terminal, or root. */
bool tty_job_may_simulate(struct tty *t);
/* ISIG: @sig to the foreground group. Any context, interrupt handlers included. */
void tty_job_signal(struct tty *t, int sig);
/* @t goes away: no process keeps it as its controlling terminal. */
void tty_job_forget(struct tty *t);
