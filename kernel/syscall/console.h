/* SPDX-License-Identifier: MIT */
/*
 * Console descriptors until the files issue brings a VFS: every open
 * descriptor of a process stands for the console terminal, and a process
 * only records which numbers are open. 0, 1 and 2 are open at start;
 * dup/dup2/dup3/fcntl(F_DUPFD) may open others below CONSOLE_FDS_MAX, close
 * closes them. The proc lane embeds one struct console_fds in each process
 * (threads share it, as CLONE_FILES wants; fork copies it; exec calls
 * console_fds_exec()) and defines console_fds_current() to return it.
 */
#pragma once

#include <stdint.h>

#define CONSOLE_FDS_MAX 16 /* descriptors 0..15 */

/*
 * Locks: [a] atomic: the threads of a process change these at the same time.
 * All open descriptors share one open file description (the console's),
 * so one status-flags word serves all of them, as after dup() on Linux.
 */
struct console_fds {
	uint32_t open;    /* [a] bit n: descriptor n is open */
	uint32_t cloexec; /* [a] bit n: FD_CLOEXEC on descriptor n */
	uint32_t status;  /* [a] O_APPEND | O_NONBLOCK, the file status flags F_SETFL may change */
};

/* Descriptors 0, 1 and 2 open, nothing else. */
#define CONSOLE_FDS_INIT                              \
	{                                             \
		.open = 7u, .cloexec = 0, .status = 0 \
	}

/* Set @f to CONSOLE_FDS_INIT. */
void console_fds_init(struct console_fds *f);
/* Close the descriptors marked close-on-exec (exec calls it). */
void console_fds_exec(struct console_fds *f);
/*
 * The calling process's descriptors (kernel/proc/process.c); callers with
 * no process (kernel tests, the shell) share one set.
 */
struct console_fds *console_fds_current(void);
