/* SPDX-License-Identifier: MIT */
/*
 * What /proc (kernel/fs/procfs) learns about processes: which exist, the
 * numbers of /proc/PID/stat and status, their memory and threads. Each
 * call takes a consistent snapshot under the process locks and returns
 * plain data, so procfs never holds a process lock while it formats.
 */
#pragma once

#include <cairn/compiler.h>

#include <lib/procfs/procfmt.h>

#include <stddef.h>
#include <stdint.h>

struct process;
struct uspace;

/* The lowest pid >= @from of a process that exists (alive or a zombie), or 0 when none. */
int proc_next_pid(int from);
/* The lowest tid >= @from of a live thread of process @pid, or 0 when none. */
int proc_next_tid(int pid, int from);
/* Whether process @pid exists / thread @tid is one of process @pid's. */
bool proc_pid_exists(int pid);
bool proc_tid_in(int pid, int tid);

/*
 * The numbers of /proc/PID/stat and status for process @pid (@tid 0: the
 * whole process, its threads' times summed) or its thread @tid. Returns
 * 0 or -ESRCH. Takes proc_lock, then the process's locks; may sleep (the
 * address space's lock).
 */
int __must_check proc_task_info(int pid, int tid, struct procfmt_task *out);

/*
 * The owner of process @pid's /proc files: its effective uid and gid, or
 * root's when it is not dumpable (proc_dumpable()). 0 or -ESRCH.
 */
int __must_check proc_owner(int pid, uint32_t *uid, uint32_t *gid);

/*
 * The address space of process @pid with a reference (uspace_put() it),
 * or NULL when it has none (a zombie) or does not exist.
 */
struct uspace *proc_space_get(int pid);

/* Processes made since boot, and the last id handed out (/proc/stat, /proc/loadavg). */
uint64_t proc_created(void);
int proc_last_pid(void);
