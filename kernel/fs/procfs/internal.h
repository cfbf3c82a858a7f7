/* SPDX-License-Identifier: MIT */
/*
 * Private to kernel/fs/procfs: what every /proc file and directory is.
 * An entry is one name with its kind (a directory of fixed entries, a
 * text file generated at open, a symbolic link); a node is an inode's
 * view of an entry for one process, thread or descriptor. Nodes are
 * made afresh at each lookup and freed with their inode, and per-process
 * dentries are not cached past their last use, so /proc follows the
 * processes that come and go. Design: docs/procfs.md.
 */
#pragma once

#include <cairn/compiler.h>
#include <cairn/linux/stat.h>

#include <lib/procfs/seq.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/file.h"
#include "fs/vfs.h"

#ifndef S_IFLNK
#define S_IFLNK 0120000
#endif

#define PROC_SUPER_MAGIC 0x9fa0 /* statfs f_type (Linux's magic.h) */
#define PROCFS_ROOT_INO  1

struct procfs_node;
struct procfs_dir;

/* Entry flags. */
#define PROCFS_PRIVATE 0x1u /* another user's: EACCES unless root (Linux's ptrace read check) */
#define PROCFS_NOCACHE 0x2u /* per-process: the dentry goes with its last use */

struct procfs_entry {
	const char *name;
	uint16_t id;   /* unique among all entries: the low bits of its inode numbers */
	uint32_t mode; /* S_IFDIR/S_IFREG/S_IFLNK | permission bits */
	unsigned flags;
	/* Regular files: print the text into @s; 0 or -errno (-ESRCH: it went away). */
	int (*show)(struct seqbuf *s, const struct procfs_node *n);
	/* Links: the target's text into @buf (@size bytes); its length or -errno. */
	long (*link)(const struct procfs_node *n, char *buf, size_t size);
	/* Directories: what is in them. */
	const struct procfs_dir *dir;
	/*
	 * Magic links (link is procfs_link_place): the place the link stands
	 * for, with references in @out; 0 or -errno. The walk jumps there.
	 */
	int (*place)(const struct procfs_node *n, struct path *out);
};

/*
 * A directory: fixed entries, then (optionally) entries made on the fly
 * (pids, tids, descriptors), found by number.
 */
struct procfs_dir {
	const struct procfs_entry *entries;
	unsigned count;
	/* The entry a number in this directory names (for lookups by name); NULL: none. */
	const struct procfs_entry *dyn_entry;
	/* The lowest number >= @from that exists under @parent, or -1 (iteration). */
	int (*dyn_next)(const struct procfs_node *parent, int from);
	/* Whether @num exists under @parent (lookup). */
	bool (*dyn_exists)(const struct procfs_node *parent, int num);
	/* How a number names its entry: the pid, tid or fd field of the child node. */
	int dyn_kind;
};

enum procfs_dyn { PROCFS_DYN_PID = 1, PROCFS_DYN_TID, PROCFS_DYN_FD };

/* An inode's priv: the entry and whose it is. [I] */
struct procfs_node {
	const struct procfs_entry *entry;
	int pid; /* the process, 0: none (a system-wide file) */
	int tid; /* the thread (task/TID/...), 0: the whole process */
	int fd;  /* the descriptor (fd/N), -1: none */
};

/* ---- super.c ---- */

/* The inode number of @n: the same for the same name as long as its process lives. */
uint64_t procfs_node_ino(const struct procfs_node *n);
/* The inode of @n (copied) in @sb, or NULL without memory. */
struct inode *procfs_make_inode(struct super_block *sb, const struct procfs_node *n);
/* Whether the caller may see a PROCFS_PRIVATE entry of process @pid: root or its owner. */
bool procfs_may_access(int pid);

/* ---- dir.c ---- */

extern const struct inode_ops procfs_dir_iops;
extern const struct file_ops procfs_dir_fops;
extern const struct inode_ops procfs_link_iops;
extern const struct inode_ops procfs_magic_link_iops;

/* ---- text.c ---- */

extern const struct file_ops procfs_text_fops;

/* ---- the trees (root.c, pid.c) ---- */

extern const struct procfs_entry procfs_root_entry;
extern const struct procfs_dir procfs_pid_dir;
extern const struct procfs_dir procfs_tid_dir;

/* The system-wide files (sysfiles.c). */
int procfs_show_meminfo(struct seqbuf *s, const struct procfs_node *n);
int procfs_show_stat(struct seqbuf *s, const struct procfs_node *n);
int procfs_show_uptime(struct seqbuf *s, const struct procfs_node *n);
int procfs_show_loadavg(struct seqbuf *s, const struct procfs_node *n);
int procfs_show_mounts(struct seqbuf *s, const struct procfs_node *n);
int procfs_show_mountinfo(struct seqbuf *s, const struct procfs_node *n);
int procfs_show_filesystems(struct seqbuf *s, const struct procfs_node *n);
int procfs_show_cpuinfo(struct seqbuf *s, const struct procfs_node *n);
int procfs_show_version(struct seqbuf *s, const struct procfs_node *n);
/* /proc/partitions (partitions.c): the block devices. */
int procfs_show_partitions(struct seqbuf *s, const struct procfs_node *n);
/* /proc/interrupts and the /proc/bus tree (pci.c). */
int procfs_show_interrupts(struct seqbuf *s, const struct procfs_node *n);
extern const struct procfs_dir procfs_bus_dir;
/* /proc/cairn (cairn.c): Cairn's own files. */
extern const struct procfs_dir procfs_cairn_dir;
/* /proc/net (net.c): the network stack's tables. */
extern const struct procfs_dir procfs_net_dir;

/* The per-process files (pidfiles.c) and its links (pidlinks.c). */
int procfs_show_pid_stat(struct seqbuf *s, const struct procfs_node *n);
int procfs_show_pid_status(struct seqbuf *s, const struct procfs_node *n);
int procfs_show_pid_statm(struct seqbuf *s, const struct procfs_node *n);
int procfs_show_pid_cmdline(struct seqbuf *s, const struct procfs_node *n);
int procfs_show_pid_environ(struct seqbuf *s, const struct procfs_node *n);
int procfs_show_pid_comm(struct seqbuf *s, const struct procfs_node *n);
int procfs_show_pid_maps(struct seqbuf *s, const struct procfs_node *n);
long procfs_link_self(const struct procfs_node *n, char *buf, size_t size);

/* Places of a process (fd.c): fd/, cwd, root, exe; FDSize and an fd link's mode. */
extern const struct procfs_dir procfs_fd_dir;
/* A magic link's text: its entry's place, named. */
long procfs_link_place(const struct procfs_node *n, char *buf, size_t size);
int procfs_place_cwd(const struct procfs_node *n, struct path *out);
int procfs_place_root(const struct procfs_node *n, struct path *out);
int procfs_place_exe(const struct procfs_node *n, struct path *out);
/* The slots Linux's table would have for process @pid's open fds (64, doubled as needed). */
unsigned procfs_fd_size(int pid);
/* S_IFLNK with r-x / -wx by how fd @fd of process @pid was opened. */
uint32_t procfs_fd_mode(int pid, int fd);
long procfs_link_thread_self(const struct procfs_node *n, char *buf, size_t size);
