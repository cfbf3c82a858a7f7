// SPDX-License-Identifier: MIT
/*
 * The tree of /proc: the root with the system-wide files and one
 * directory per process (by pid), and under /proc/sys/kernel the few
 * names tools read. The tables below are the whole layout; the files'
 * text comes from sysfiles.c and pidfiles.c.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "core/cmdline.h"
#include "fs/procfs/internal.h"
#include "proc/proc.h"
#include "proc/procinfo.h"
#include "syscall/uname.h"

#define DIR_MODE (S_IFDIR | 0555)
#define REG_MODE (S_IFREG | 0444)
#define LNK_MODE (S_IFLNK | 0777)

/* ---- small files ---- */

static int show_cmdline(struct seqbuf *s, const struct procfs_node *n)
{
	seq_printf(s, "%s\n", cmdline_all());
	return 0;
}

static int show_swaps(struct seqbuf *s, const struct procfs_node *n)
{
	seq_puts(s, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	return 0;
}

static int show_empty(struct seqbuf *s, const struct procfs_node *n)
{
	return 0;
}

static int show_hostname(struct seqbuf *s, const struct procfs_node *n)
{
	char node[UTSNAME_LEN];

	uts_names(node, NULL);
	seq_printf(s, "%s\n", node);
	return 0;
}

static int show_domainname(struct seqbuf *s, const struct procfs_node *n)
{
	char domain[UTSNAME_LEN];

	uts_names(NULL, domain);
	seq_printf(s, "%s\n", domain);
	return 0;
}

static int show_ostype(struct seqbuf *s, const struct procfs_node *n)
{
	seq_puts(s, CAIRN_UTS_SYSNAME "\n");
	return 0;
}

static int show_osrelease(struct seqbuf *s, const struct procfs_node *n)
{
	seq_puts(s, CAIRN_UTS_RELEASE "\n");
	return 0;
}

static int show_pid_max(struct seqbuf *s, const struct procfs_node *n)
{
	seq_printf(s, "%d\n", PROC_PID_MAX);
	return 0;
}

/* /proc/mounts is a link to the caller's own view, as in Linux. */
static long link_mounts(const struct procfs_node *n, char *buf, size_t size)
{
	static const char target[] = "self/mounts";
	size_t len = sizeof(target) - 1 < size ? sizeof(target) - 1 : size;

	memcpy(buf, target, len);
	return (long)len;
}

/* ---- /proc/sys/kernel ---- */

static const struct procfs_entry sys_kernel_entries[] = {
	{ "domainname", 22, REG_MODE, 0, show_domainname, NULL, NULL, NULL },
	{ "hostname", 18, REG_MODE, 0, show_hostname, NULL, NULL, NULL },
	{ "ostype", 19, REG_MODE, 0, show_ostype, NULL, NULL, NULL },
	{ "osrelease", 20, REG_MODE, 0, show_osrelease, NULL, NULL, NULL },
	{ "pid_max", 21, REG_MODE, 0, show_pid_max, NULL, NULL, NULL },
};

static const struct procfs_dir sys_kernel_dir = { sys_kernel_entries, 5, NULL, NULL, NULL, 0 };

static const struct procfs_entry sys_entries[] = {
	{ "kernel", 17, DIR_MODE, 0, NULL, NULL, &sys_kernel_dir, NULL },
};

static const struct procfs_dir sys_dir = { sys_entries, 1, NULL, NULL, NULL, 0 };

/* ---- the root ---- */

static const struct procfs_entry root_entries[] = {
	{ "self", 2, LNK_MODE, 0, NULL, procfs_link_self, NULL, NULL },
	{ "thread-self", 3, LNK_MODE, 0, NULL, procfs_link_thread_self, NULL, NULL },
	{ "meminfo", 4, REG_MODE, 0, procfs_show_meminfo, NULL, NULL, NULL },
	{ "cpuinfo", 5, REG_MODE, 0, procfs_show_cpuinfo, NULL, NULL, NULL },
	{ "uptime", 6, REG_MODE, 0, procfs_show_uptime, NULL, NULL, NULL },
	{ "loadavg", 7, REG_MODE, 0, procfs_show_loadavg, NULL, NULL, NULL },
	{ "stat", 8, REG_MODE, 0, procfs_show_stat, NULL, NULL, NULL },
	{ "mounts", 9, LNK_MODE, 0, NULL, link_mounts, NULL, NULL },
	{ "filesystems", 10, REG_MODE, 0, procfs_show_filesystems, NULL, NULL, NULL },
	{ "version", 11, REG_MODE, 0, procfs_show_version, NULL, NULL, NULL },
	{ "cmdline", 12, REG_MODE, 0, show_cmdline, NULL, NULL, NULL },
	{ "swaps", 13, REG_MODE, 0, show_swaps, NULL, NULL, NULL },
	{ "partitions", 14, REG_MODE, 0, procfs_show_partitions, NULL, NULL, NULL },
	{ "diskstats", 15, REG_MODE, 0, show_empty, NULL, NULL, NULL },
	{ "sys", 16, DIR_MODE, 0, NULL, NULL, &sys_dir, NULL },
	{ "bus", 40, DIR_MODE, 0, NULL, NULL, &procfs_bus_dir, NULL },
	{ "interrupts", 43, REG_MODE, 0, procfs_show_interrupts, NULL, NULL, NULL },
	{ "net", 78, DIR_MODE, 0, NULL, NULL, &procfs_net_dir, NULL },
	{ "cairn", 120, DIR_MODE, 0, NULL, NULL, &procfs_cairn_dir, NULL },
};

/* The directory of one process, named by its pid. */
static const struct procfs_entry pid_dir_entry = { NULL, 63,   DIR_MODE,        PROCFS_NOCACHE,
	                                           NULL, NULL, &procfs_pid_dir, NULL };

static int next_pid(const struct procfs_node *parent, int from)
{
	int pid = proc_next_pid(from);

	return pid ? pid : -1;
}

static bool pid_exists(const struct procfs_node *parent, int pid)
{
	return proc_pid_exists(pid);
}

static const struct procfs_dir root_dir = {
	root_entries,   sizeof(root_entries) / sizeof(root_entries[0]),
	&pid_dir_entry, next_pid,
	pid_exists,     PROCFS_DYN_PID,
};

const struct procfs_entry procfs_root_entry = { "/",  PROCFS_ROOT_INO, DIR_MODE, 0, NULL,
	                                        NULL, &root_dir,       NULL };
