// SPDX-License-Identifier: MIT
/*
 * The directories of one process (/proc/PID) and of its threads
 * (/proc/PID/task/TID): which names they hold and how their numbered
 * children are found. A thread's directory has the process's files
 * without task/, each showing that thread where Linux does (stat,
 * status).
 */
#include <cairn/errno.h>

#include <lib/format.h>
#include <lib/string.h>

#include "fs/procfs/internal.h"
#include "proc/proc.h"
#include "proc/procinfo.h"

#define DIR_MODE  (S_IFDIR | 0555)
#define REG_MODE  (S_IFREG | 0444)
#define OWN_MODE  (S_IFREG | 0400)
#define LNK_MODE  (S_IFLNK | 0777)
#define PER_PID   PROCFS_NOCACHE
#define PER_OWNER (PROCFS_NOCACHE | PROCFS_PRIVATE)

static const struct procfs_entry tid_dir_entry = { NULL, 62,   DIR_MODE,        PER_PID,
	                                           NULL, NULL, &procfs_tid_dir, NULL };

static int next_tid(const struct procfs_node *parent, int from)
{
	int tid = proc_next_tid(parent->pid, from < 1 ? 1 : from);

	return tid ? tid : -1;
}

static bool tid_exists(const struct procfs_node *parent, int tid)
{
	return proc_tid_in(parent->pid, tid);
}

static const struct procfs_dir task_dir = { NULL,     0,          &tid_dir_entry,
	                                    next_tid, tid_exists, PROCFS_DYN_TID };

/* task/ comes first so that a thread's directory can use the rest of the table. */
static const struct procfs_entry pid_entries[] = {
	{ "task", 64, DIR_MODE, PER_PID, NULL, NULL, &task_dir, NULL },
	{ "cmdline", 65, REG_MODE, PER_PID, procfs_show_pid_cmdline, NULL, NULL, NULL },
	{ "cwd", 73, LNK_MODE, PER_OWNER, NULL, procfs_link_place, NULL, procfs_place_cwd },
	{ "comm", 66, REG_MODE, PER_PID, procfs_show_pid_comm, NULL, NULL, NULL },
	{ "environ", 67, OWN_MODE, PER_OWNER, procfs_show_pid_environ, NULL, NULL, NULL },
	{ "exe", 74, LNK_MODE, PER_OWNER, NULL, procfs_link_place, NULL, procfs_place_exe },
	{ "fd", 75, S_IFDIR | 0500, PER_OWNER, NULL, NULL, &procfs_fd_dir, NULL },
	{ "maps", 68, REG_MODE, PER_OWNER, procfs_show_pid_maps, NULL, NULL, NULL },
	{ "mountinfo", 77, REG_MODE, PER_PID, procfs_show_mountinfo, NULL, NULL, NULL },
	{ "mounts", 69, REG_MODE, PER_PID, procfs_show_mounts, NULL, NULL, NULL },
	{ "root", 76, LNK_MODE, PER_OWNER, NULL, procfs_link_place, NULL, procfs_place_root },
	{ "stat", 70, REG_MODE, PER_PID, procfs_show_pid_stat, NULL, NULL, NULL },
	{ "statm", 71, REG_MODE, PER_PID, procfs_show_pid_statm, NULL, NULL, NULL },
	{ "status", 72, REG_MODE, PER_PID, procfs_show_pid_status, NULL, NULL, NULL },
};

#define PID_ENTRIES (sizeof(pid_entries) / sizeof(pid_entries[0]))

const struct procfs_dir procfs_pid_dir = { pid_entries, PID_ENTRIES, NULL, NULL, NULL, 0 };
const struct procfs_dir procfs_tid_dir = { pid_entries + 1, PID_ENTRIES - 1, NULL, NULL, NULL, 0 };

/* The caller's process and thread ids: 0 from a kernel task. */
static void caller_ids(int *pid, int *tid)
{
	struct thread *t = thread_current();

	*pid = t ? t->proc->pid : 0;
	*tid = t ? t->tid : 0;
}

/* Copy the NUL-free text of @tmp (@len bytes) into @buf as readlink wants it. */
static long link_text(const char *tmp, int len, char *buf, size_t size)
{
	size_t n = (size_t)len < size ? (size_t)len : size;

	memcpy(buf, tmp, n);
	return (long)n;
}

long procfs_link_self(const struct procfs_node *n, char *buf, size_t size)
{
	char tmp[16];
	int pid, tid;

	caller_ids(&pid, &tid);
	if (!pid)
		return -ENOENT; /* Linux: a kernel thread has no self either */
	return link_text(tmp, fmt_snprintf(tmp, sizeof(tmp), "%d", pid), buf, size);
}

long procfs_link_thread_self(const struct procfs_node *n, char *buf, size_t size)
{
	char tmp[32];
	int pid, tid;

	caller_ids(&pid, &tid);
	if (!pid)
		return -ENOENT;
	return link_text(tmp, fmt_snprintf(tmp, sizeof(tmp), "%d/task/%d", pid, tid), buf, size);
}
