// SPDX-License-Identifier: MIT
/*
 * Kernel tests of /proc: a proc file system mounted in a scratch
 * directory; the system-wide files parsed back and compared with what
 * the kernel's own counters say; a spinning process's directory (stat,
 * status, statm, cmdline, environ, maps, task/) read and checked; the
 * directory gone once the process is reaped; the listing of the root.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/signal.h>

#include <lib/alloc/alloc.h>
#include <lib/elf/elf.h>
#include <lib/format.h>
#include <lib/string.h>

#include "core/ktest.h"
#include "fs/file.h"
#include "fs/fs_types.h"
#include "fs/procfs/internal.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include "tests/kernel/proc_image.h"
#include "tests/kernel/sig_progs.h"
#include "vfs_testfs.h"

#define TEXT_MAX 8192

static struct proc_image image;

/* @p wrapped in an ELF file in image; returns the file's size. */
static size_t build_image(const struct proc_prog *p)
{
	proc_image_build(&image, p, false);
	return image.size;
}

/* A scratch directory with proc mounted on @dir/proc; its path in @mnt (64 bytes). */
static void procfs_begin(char *dir, char *mnt)
{
	struct path p;

	if (!vfs_find_fs("proc"))
		EXPECT_EQ(procfs_register(), 0);
	vfs_test_scratch(dir);
	fmt_snprintf(mnt, 64, "%s/proc", dir);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, mnt, 0555), 0);
	EXPECT_EQ(vfs_walk(AT_FDCWD, mnt, LOOKUP_FOLLOW, &p), 0);
	EXPECT_EQ(vfs_mount("proc", &p, "proc", 0, NULL), 0);
	path_put(&p);
}

static void procfs_end(const char *dir, const char *mnt)
{
	struct path p;

	EXPECT_EQ(vfs_walk(AT_FDCWD, mnt, LOOKUP_FOLLOW, &p), 0);
	EXPECT_EQ(vfs_umount(&p, 0), 0);
	path_put(&p);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, mnt), 0);
	vfs_test_scratch_done(dir);
}

/* Read all of @mnt/@name into a heap buffer (NUL-terminated); its length or -errno. */
static long slurp(const char *mnt, const char *name, char **out)
{
	char path[128];
	struct file *f;
	long r, len = 0;

	*out = kmalloc(TEXT_MAX);
	fmt_snprintf(path, sizeof(path), "%s/%s", mnt, name);
	f = vfs_open(AT_FDCWD, path, O_RDONLY, 0);
	if (IS_ERR_PTR(f))
		return PTR_ERR_VAL(f);
	/* Small reads, to check the position moves through the generated text. */
	while ((r = kernel_read(f, *out + len, 100 < TEXT_MAX - 1 - len ? 100 : TEXT_MAX - 1 - len,
	                        NULL)) > 0)
		len += r;
	file_put(f);
	(*out)[len] = '\0';
	return r < 0 ? r : len;
}

/* The number after "@key" in @text, or -1. */
static long long value_after(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	long long v = 0;

	if (!p)
		return -1;
	for (p += strlen(key); *p == ' ' || *p == '\t'; p++)
		;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	return v;
}

TEST(procfs, meminfo_matches_the_frame_allocator)
{
	char dir[32], mnt[64], *t;
	struct pmm_stats ps;

	procfs_begin(dir, mnt);
	EXPECT_TRUE(slurp(mnt, "meminfo", &t) > 0);
	pmm_stats(&ps);
	EXPECT_EQ(value_after(t, "MemTotal:"), (long long)(ps.total / 1024));
	EXPECT_TRUE(value_after(t, "MemFree:") > 0);
	EXPECT_TRUE(value_after(t, "MemFree:") <= value_after(t, "MemTotal:"));
	EXPECT_TRUE(strstr(t, "\nHugepagesize:       2048 kB\n") != NULL);
	kfree(t);
	procfs_end(dir, mnt);
}

TEST(procfs, system_files_parse)
{
	char dir[32], mnt[64], *t;

	procfs_begin(dir, mnt);
	EXPECT_TRUE(slurp(mnt, "stat", &t) > 0);
	EXPECT_TRUE(strncmp(t, "cpu  ", 5) == 0);
	EXPECT_TRUE(strstr(t, "\ncpu0 ") != NULL);
	EXPECT_TRUE(value_after(t, "\nctxt") > 0);
	EXPECT_TRUE(value_after(t, "\nbtime") > 1600000000); /* after 2020: the RTC was read */
	EXPECT_TRUE(value_after(t, "\nprocesses") >= 0);
	kfree(t);
	EXPECT_TRUE(slurp(mnt, "uptime", &t) > 0);
	EXPECT_TRUE(value_after(t, "") >= 0 && strchr(t, '.') != NULL);
	kfree(t);
	EXPECT_TRUE(slurp(mnt, "loadavg", &t) > 0);
	EXPECT_TRUE(t[1] == '.' && strchr(t, '/') != NULL);
	kfree(t);
	EXPECT_TRUE(slurp(mnt, "filesystems", &t) > 0);
	EXPECT_TRUE(strstr(t, "nodev\tproc\n") != NULL);
	kfree(t);
	EXPECT_TRUE(slurp(mnt, "cpuinfo", &t) > 0);
	EXPECT_TRUE(strncmp(t, "processor\t: 0\n", 14) == 0);
	EXPECT_TRUE(strstr(t, "\nflags\t\t: fpu") != NULL);
	kfree(t);
	EXPECT_TRUE(slurp(mnt, "sys/kernel/pid_max", &t) > 0);
	EXPECT_EQ(value_after(t, ""), PROC_PID_MAX);
	kfree(t);
	EXPECT_EQ(slurp(mnt, "nosuchfile", &t), -ENOENT);
	kfree(t);
	EXPECT_EQ(slurp(mnt, "self/stat", &t), -ENOENT); /* a kernel task has no self */
	kfree(t);
	procfs_end(dir, mnt);
}

static int spawn_spinner(void)
{
	static char *argv[] = { "spinner", "-x", "arg two", NULL };
	static char *envp[] = { "A=1", "HOME=/", NULL };
	size_t size = build_image(&sig_prog_spin);
	int pid = 0;

	EXPECT_EQ(proc_spawn_image("spinner", image.b, size, argv, envp, &pid), 0);
	return pid;
}

static void kill_and_reap(int pid)
{
	struct process *p = process_find(pid);
	int status = 0;

	EXPECT_TRUE(p != NULL);
	EXPECT_EQ(signal_send_process(p, SIGKILL, NULL), 0);
	process_put(p);
	EXPECT_EQ(proc_wait(pid, &status), 0);
	EXPECT_EQ(status & 0x7f, SIGKILL);
}

/* The target of the link @mnt/@name into @buf (NUL-terminated); its length or -errno. */
static long link_of(const char *mnt, const char *name, char *buf, size_t size)
{
	char path[128];
	struct path p;
	long n;
	int err;

	fmt_snprintf(path, sizeof(path), "%s/%s", mnt, name);
	err = vfs_walk(AT_FDCWD, path, 0, &p);
	if (err)
		return err;
	n = p.dentry->inode->iops->readlink(p.dentry->inode, buf, size - 1);
	path_put(&p);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* Fields 1-4 of stat: pid, (comm), state, ppid. */
static void check_stat(const char *t, int pid)
{
	char head[32];

	fmt_snprintf(head, sizeof(head), "%d (spinner) ", pid);
	EXPECT_TRUE(strncmp(t, head, strlen(head)) == 0);
	EXPECT_TRUE(strchr("RS", t[strlen(head)]) != NULL);
	EXPECT_TRUE(t[strlen(t) - 1] == '\n');
}

TEST(procfs, process_files_and_its_end)
{
	char dir[32], mnt[64], name[64], *t;
	int pid;
	long n;

	procfs_begin(dir, mnt);
	pid = spawn_spinner();
	fmt_snprintf(name, sizeof(name), "%d/stat", pid);
	EXPECT_TRUE(slurp(mnt, name, &t) > 0);
	check_stat(t, pid);
	kfree(t);
	fmt_snprintf(name, sizeof(name), "%d/status", pid);
	EXPECT_TRUE(slurp(mnt, name, &t) > 0);
	EXPECT_TRUE(strncmp(t, "Name:\tspinner\n", 14) == 0);
	EXPECT_EQ(value_after(t, "\nPid:"), pid);
	EXPECT_EQ(value_after(t, "\nThreads:"), 1);
	EXPECT_TRUE(value_after(t, "\nVmSize:") > 0);
	kfree(t);
	fmt_snprintf(name, sizeof(name), "%d/cmdline", pid);
	n = slurp(mnt, name, &t);
	EXPECT_EQ(n, 19);
	EXPECT_TRUE(memcmp(t, "spinner\0-x\0arg two\0", 19) == 0);
	kfree(t);
	fmt_snprintf(name, sizeof(name), "%d/environ", pid);
	EXPECT_EQ(slurp(mnt, name, &t), 11);
	EXPECT_TRUE(memcmp(t, "A=1\0HOME=/\0", 11) == 0);
	kfree(t);
	fmt_snprintf(name, sizeof(name), "%d/maps", pid);
	EXPECT_TRUE(slurp(mnt, name, &t) > 0);
	EXPECT_TRUE(strstr(t, "00400000-00401000 r-xp 00000000 00:00 0 \n") != NULL);
	EXPECT_TRUE(strstr(t, " [stack]\n") != NULL);
	kfree(t);
	fmt_snprintf(name, sizeof(name), "%d/task/%d/stat", pid, pid);
	EXPECT_TRUE(slurp(mnt, name, &t) > 0);
	check_stat(t, pid);
	kfree(t);
	fmt_snprintf(name, sizeof(name), "%d/mounts", pid);
	EXPECT_TRUE(slurp(mnt, name, &t) > 0);
	fmt_snprintf(name, sizeof(name), "proc %s proc rw 0 0\n", mnt);
	EXPECT_TRUE(strstr(t, name) != NULL);
	kfree(t);
	fmt_snprintf(name, sizeof(name), "%d/mountinfo", pid);
	EXPECT_TRUE(slurp(mnt, name, &t) > 0);
	EXPECT_TRUE(strncmp(t, "1 1 0:", 6) == 0); /* the root mount first, its own parent */
	fmt_snprintf(name, sizeof(name), " / %s rw - proc proc rw\n", mnt);
	EXPECT_TRUE(strstr(t, name) != NULL);
	kfree(t);
	kill_and_reap(pid);
	fmt_snprintf(name, sizeof(name), "%d/stat", pid);
	EXPECT_EQ(slurp(mnt, name, &t), -ENOENT);
	kfree(t);
	procfs_end(dir, mnt);
}

/* What a listing of a directory found. */
struct listing {
	struct dir_ctx ctx;
	const char *want[3];
	bool found[3];
	unsigned entries;
	bool zero_ino; /* an entry had inode number 0, which readdir() callers skip */
};

static bool list_emit(struct dir_ctx *ctx, const char *name, size_t len, uint64_t ino,
                      unsigned dtype)
{
	struct listing *l = (struct listing *)ctx;

	l->entries++;
	for (unsigned i = 0; i < 3; i++)
		if (strlen(l->want[i]) == len && !memcmp(l->want[i], name, len))
			l->found[i] = true;
	l->zero_ino |= ino == 0;
	/* Stop after every 5 entries, as a small getdents buffer would. */
	return l->entries % 5 != 0;
}

TEST(procfs, root_lists_files_and_pids)
{
	char dir[32], mnt[64], pidname[16];
	struct listing l = { { list_emit }, { "meminfo", "self", pidname }, { false }, 0, false };
	struct file *f;
	unsigned before;
	int pid;

	procfs_begin(dir, mnt);
	pid = spawn_spinner();
	fmt_snprintf(pidname, sizeof(pidname), "%d", pid);
	f = vfs_open(AT_FDCWD, mnt, O_RDONLY | O_DIRECTORY, 0);
	EXPECT_TRUE(!IS_ERR_PTR(f));
	do {
		before = l.entries;
		EXPECT_EQ(f->ops->iterate(f, &l.ctx), 0);
	} while (l.entries != before);
	file_put(f);
	EXPECT_TRUE(l.found[0] && l.found[1] && l.found[2]);
	EXPECT_TRUE(!l.zero_ino);
	kill_and_reap(pid);
	procfs_end(dir, mnt);
}

TEST(procfs, places_of_a_process)
{
	char dir[32], mnt[64], name[64], target[256];
	struct listing l = { { list_emit }, { "0", "1", "2" }, { false }, 0, false };
	struct file *f;
	unsigned before;
	int pid;

	procfs_begin(dir, mnt);
	pid = spawn_spinner();
	fmt_snprintf(name, sizeof(name), "%d/cwd", pid);
	EXPECT_EQ(link_of(mnt, name, target, sizeof(target)), 1);
	EXPECT_TRUE(strcmp(target, "/") == 0);
	fmt_snprintf(name, sizeof(name), "%d/root", pid);
	EXPECT_EQ(link_of(mnt, name, target, sizeof(target)), 1);
	/* A program from memory has no file: exe names nothing, as for a kernel thread. */
	fmt_snprintf(name, sizeof(name), "%d/exe", pid);
	EXPECT_EQ(link_of(mnt, name, target, sizeof(target)), -ENOENT);
	fmt_snprintf(name, sizeof(name), "%d/fd/0", pid);
	EXPECT_TRUE(link_of(mnt, name, target, sizeof(target)) > 0);
	fmt_snprintf(name, sizeof(name), "%d/fd/7", pid);
	EXPECT_EQ(link_of(mnt, name, target, sizeof(target)), -ENOENT);
	fmt_snprintf(name, sizeof(name), "%s/%d/fd", mnt, pid);
	f = vfs_open(AT_FDCWD, name, O_RDONLY | O_DIRECTORY, 0);
	EXPECT_TRUE(!IS_ERR_PTR(f));
	do {
		before = l.entries;
		EXPECT_EQ(f->ops->iterate(f, &l.ctx), 0);
	} while (l.entries != before);
	file_put(f);
	EXPECT_TRUE(l.found[0] && l.found[1] && l.found[2]);
	EXPECT_TRUE(!l.zero_ino);
	kill_and_reap(pid);
	procfs_end(dir, mnt);
}

/* Read every file of @mnt's root and of process @pid once. */
static void read_everything(const char *mnt, int pid)
{
	static const char *const sys[] = { "meminfo", "stat",       "uptime",
		                           "loadavg", "partitions", "filesystems",
		                           "cpuinfo", "version",    "cmdline" };
	static const char *const own[] = { "stat",    "status", "statm",  "cmdline",
		                           "environ", "maps",   "mounts", "mountinfo" };
	char name[64], target[256], *t;
	unsigned i;

	for (i = 0; i < sizeof(sys) / sizeof(sys[0]); i++) {
		EXPECT_TRUE(slurp(mnt, sys[i], &t) >= 0);
		kfree(t);
	}
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		fmt_snprintf(name, sizeof(name), "%d/%s", pid, own[i]);
		EXPECT_TRUE(slurp(mnt, name, &t) >= 0);
		kfree(t);
	}
	fmt_snprintf(name, sizeof(name), "%d/fd/0", pid);
	EXPECT_TRUE(link_of(mnt, name, target, sizeof(target)) > 0);
	fmt_snprintf(name, sizeof(name), "%d/cwd", pid);
	EXPECT_TRUE(link_of(mnt, name, target, sizeof(target)) > 0);
}

/* Heap blocks in use, the per-CPU magazines' spare blocks left out. */
static size_t live_blocks(void)
{
	struct alloc_stats st;

	heap_cache_reclaim();
	heap_stats(&st);
	return st.live_blocks;
}

TEST(procfs, reading_leaves_nothing_behind)
{
	char dir[32], mnt[64];
	size_t before;
	int pid;

	procfs_begin(dir, mnt);
	pid = spawn_spinner();
	read_everything(mnt, pid); /* the root's fixed entries stay cached from here on */
	before = live_blocks();
	for (int i = 0; i < 20; i++)
		read_everything(mnt, pid);
	EXPECT_EQ(live_blocks(), before);
	kill_and_reap(pid);
	procfs_end(dir, mnt);
}
