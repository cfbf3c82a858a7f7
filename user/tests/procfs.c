// SPDX-License-Identifier: MIT
/*
 * /proc as programs read it, compared with Linux: the process's own files
 * (stat, status, cmdline, environ, fd/, cwd, exe, task/) against what the
 * system calls say, a sleeping child, a zombie and a reaped child, the
 * system-wide files against sysinfo, the listing of /proc, and lseek on a
 * generated file. Every line printed is the same on both kernels.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "utest.h"

#define PLAN 40

extern char **environ;

/* The whole of @path into @buf (NUL-terminated): its length, or -1 with errno. */
static long slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	long len = 0, r;

	if (fd < 0)
		return -1;
	while ((size_t)len < size - 1 && (r = read(fd, buf + len, size - 1 - (size_t)len)) > 0)
		len += r;
	close(fd);
	buf[len] = '\0';
	return len;
}

/* The number after "@key" (spaces and tabs skipped) in @text, or -1. */
static long value_after(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static void mount_proc(void)
{
	/* The test initramfs does not mount /proc; an image that did keeps its mount. */
	if (access("/proc/self", F_OK) != 0 && (mkdir("/proc", 0555) == 0 || errno == EEXIST))
		mount("proc", "/proc", "proc", 0, NULL);
}

/* Fields of /proc/PID/stat after the name: state, ppid, pgrp, session; 0 or -1. */
struct stat_head {
	char state;
	int ppid, pgrp, sid;
	long threads;
	unsigned long vsize;
	long rss;
};

static int parse_stat(const char *text, struct stat_head *h)
{
	const char *p = strrchr(text, ')');
	int n;

	if (!p)
		return -1;
	n = sscanf(
		p + 2,
		"%c %d %d %d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %ld %*d %*u %lu %ld",
		&h->state, &h->ppid, &h->pgrp, &h->sid, &h->threads, &h->vsize, &h->rss);
	return n == 7 ? 0 : -1;
}

static void own_stat(void)
{
	char buf[1024], head[32];
	struct stat_head h;

	tap_ok(slurp("/proc/self/stat", buf, sizeof(buf)) > 0, "read /proc/self/stat");
	snprintf(head, sizeof(head), "%d (procfs) R ", (int)getpid());
	tap_ok(strncmp(buf, head, strlen(head)) == 0, "stat starts with pid, (comm) and R");
	tap_ok(parse_stat(buf, &h) == 0 && h.ppid == getppid() && h.pgrp == getpgrp() &&
	               h.sid == getsid(0) && h.threads == 1,
	       "stat's ppid, pgrp, session and threads are the calls'");
	tap_ok(h.vsize > 0 && h.rss > 0, "stat has a size and resident pages");
}

static void own_status(void)
{
	char buf[4096], want[64];
	mode_t mask = umask(027);

	tap_ok(slurp("/proc/self/status", buf, sizeof(buf)) > 0, "read /proc/self/status");
	tap_ok(strncmp(buf, "Name:\tprocfs\nUmask:\t0027\nState:\tR (running)\n", 41) == 0,
	       "status starts with Name, Umask and State");
	umask(mask);
	snprintf(want, sizeof(want), "\nUid:\t%d\t%d\t", (int)getuid(), (int)geteuid());
	tap_ok(value_after(buf, "\nPid:\t") == getpid() &&
	               value_after(buf, "\nPPid:\t") == getppid() && strstr(buf, want) &&
	               value_after(buf, "\nThreads:\t") == 1,
	       "status's Pid, PPid, Uid and Threads are the calls'");
}

static void own_strings(int argc, char **argv)
{
	char buf[4096];
	long len = slurp("/proc/self/cmdline", buf, sizeof(buf)), want = 0;
	int i;

	for (i = 0; i < argc; i++)
		want += (long)strlen(argv[i]) + 1;
	tap_ok(len == want && memcmp(buf, argv[0], strlen(argv[0]) + 1) == 0,
	       "cmdline is argv with its NULs");
	len = slurp("/proc/self/environ", buf, sizeof(buf));
	tap_ok(len > 0 && (!environ[0] || strcmp(buf, environ[0]) == 0),
	       "environ starts with the first variable");
}

/* readlink of @path into @buf, NUL-terminated: its length or -1. */
static long link_of(const char *path, char *buf, size_t size)
{
	long n = readlink(path, buf, size - 1);

	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static void own_places(void)
{
	char path[64], buf[256];
	int fd = open("/", O_RDONLY | O_DIRECTORY), p[2];

	snprintf(path, sizeof(path), "%d", (int)getpid());
	tap_ok(link_of("/proc/self", buf, sizeof(buf)) > 0 && strcmp(buf, path) == 0,
	       "/proc/self names our pid");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	tap_ok(link_of(path, buf, sizeof(buf)) == 1 && strcmp(buf, "/") == 0, "fd/N of / is /");
	close(fd);
	tap_ok(pipe(p) == 0, "pipe");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	tap_ok(link_of(path, buf, sizeof(buf)) > 0 && strncmp(buf, "pipe:[", 6) == 0,
	       "fd/N of a pipe is pipe:[N]");
	close(p[0]);
	close(p[1]);
	tap_ok(chdir("/proc") == 0 && link_of("/proc/self/cwd", buf, sizeof(buf)) > 0 &&
	               strcmp(buf, "/proc") == 0,
	       "cwd follows chdir");
	chdir("/");
	tap_ok(link_of("/proc/self/exe", buf, sizeof(buf)) > 0 && strstr(buf, "procfs"),
	       "exe names the program");
	tap_errno(link_of("/proc/self/fd/999", buf, sizeof(buf)), ENOENT, "fd/999 of no file");
}

/* Whether directory @path lists @name. */
static bool lists(const char *path, const char *name)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while ((e = readdir(d)))
		found |= strcmp(e->d_name, name) == 0;
	closedir(d);
	return found;
}

static void listings(void)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	tap_ok(lists("/proc", pid) && lists("/proc", "self") && lists("/proc", "meminfo"),
	       "/proc lists our pid, self and meminfo");
	tap_ok(lists("/proc/self/task", pid), "task/ lists our thread");
	tap_ok(lists("/proc/self/fd", "0") || lists("/proc/self/fd", "1"), "fd/ lists descriptors");
}

/* The state letter of @pid's stat, or '?' when it has none. */
static char state_of(pid_t pid)
{
	char path[64], buf[1024];
	struct stat_head h;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (slurp(path, buf, sizeof(buf)) <= 0 || parse_stat(buf, &h))
		return '?';
	return h.state;
}

/* Whether process @pid's cmdline is ours (a forked child that did not exec). */
static bool same_cmdline(pid_t pid)
{
	char path[64], mine[1024], theirs[1024];
	long a = slurp("/proc/self/cmdline", mine, sizeof(mine)), b;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	b = slurp(path, theirs, sizeof(theirs));
	return a > 0 && a == b && memcmp(mine, theirs, (size_t)a) == 0;
}

static void children(void)
{
	pid_t sleeper = fork(), zombie;
	char path[64];

	if (sleeper == 0) {
		for (;;)
			pause();
	}
	ut_sleep_ms(50);
	tap_ok(state_of(sleeper) == 'S', "a child in pause() is S");
	tap_ok(same_cmdline(sleeper), "a forked child shows its parent's cmdline");
	kill(sleeper, SIGKILL);
	ut_wait(sleeper);
	snprintf(path, sizeof(path), "/proc/%d", (int)sleeper);
	tap_errno(access(path, F_OK), ENOENT, "a reaped child's directory is gone");
	zombie = fork();
	if (zombie == 0)
		_exit(3);
	ut_sleep_ms(50);
	tap_ok(state_of(zombie) == 'Z', "a child that exited is Z until waited for");
	ut_wait(zombie);
	tap_ok(state_of(zombie) == '?', "and gone after wait");
}

static volatile int thread_tid, thread_stop;

static void *second_thread(void *arg)
{
	(void)arg;
	thread_tid = (int)syscall(SYS_gettid);
	while (!thread_stop)
		ut_sleep_ms(5);
	return NULL;
}

/* Entries of directory @path but "." and "..". */
static int entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void threads(void)
{
	char path[64], buf[1024], head[32];
	pthread_t t;
	int i;

	thread_tid = thread_stop = 0;
	tap_ok(pthread_create(&t, NULL, second_thread, NULL) == 0, "pthread_create");
	while (!thread_tid)
		ut_sleep_ms(5);
	tap_ok(entries("/proc/self/task") == 2, "task/ lists two threads");
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", thread_tid);
	snprintf(head, sizeof(head), "%d (procfs) ", thread_tid);
	tap_ok(slurp(path, buf, sizeof(buf)) > 0 && strncmp(buf, head, strlen(head)) == 0,
	       "task/TID/stat starts with the thread's id");
	tap_ok(slurp("/proc/self/status", buf, sizeof(buf)) > 0 &&
	               value_after(buf, "\nThreads:\t") == 2,
	       "status counts two threads");
	thread_stop = 1;
	pthread_join(t, NULL);
	/* join returns when the thread's id word is cleared, a moment before it is gone. */
	for (i = 0; i < 200 && entries("/proc/self/task") != 1; i++)
		ut_sleep_ms(5);
	tap_ok(entries("/proc/self/task") == 1, "one thread again after the join");
}

static void system_files(void)
{
	char buf[8192];
	struct sysinfo si;
	long cpus = 0;
	double up;
	char *p;

	sysinfo(&si);
	tap_ok(slurp("/proc/meminfo", buf, sizeof(buf)) > 0 &&
	               value_after(buf, "MemTotal:") == (long)(si.totalram * si.mem_unit / 1024),
	       "MemTotal is sysinfo's totalram");
	tap_ok(slurp("/proc/uptime", buf, sizeof(buf)) > 0 && sscanf(buf, "%lf", &up) == 1 &&
	               up >= (double)si.uptime - 1 && up <= (double)si.uptime + 2,
	       "uptime agrees with sysinfo");
	tap_ok(slurp("/proc/stat", buf, sizeof(buf)) > 0 && strncmp(buf, "cpu  ", 5) == 0,
	       "stat starts with the cpu line");
	for (p = buf; (p = strstr(p, "\ncpu")); p++)
		cpus++;
	tap_ok(cpus == sysconf(_SC_NPROCESSORS_ONLN), "stat has a line per CPU");
	tap_ok(slurp("/proc/loadavg", buf, sizeof(buf)) > 0 &&
	               sscanf(buf, "%*d.%*d %*d.%*d %*d.%*d %*d/%*d %*d") == 0,
	       "loadavg reads as five fields");
	tap_ok(slurp("/proc/mounts", buf, sizeof(buf)) > 0 && strstr(buf, " /proc proc "),
	       "mounts has /proc");
	tap_ok(slurp("/proc/filesystems", buf, sizeof(buf)) > 0 && strstr(buf, "nodev\tproc\n"),
	       "filesystems has proc");
}

static void seeking(void)
{
	char a[64], b[64];
	int fd = open("/proc/self/status", O_RDONLY);

	tap_ok(fd >= 0 && read(fd, a, 10) == 10 && lseek(fd, 0, SEEK_SET) == 0 &&
	               read(fd, b, 10) == 10 && memcmp(a, b, 10) == 0,
	       "lseek back reads the same bytes");
	tap_errno(write(fd, "x", 1), EBADF, "write to a file opened for reading");
	close(fd);
	/* Root may open it for writing, as any file; the write itself is refused. */
	fd = open("/proc/self/status", O_WRONLY);
	tap_errno(fd, 0, "root opens status for writing");
	tap_errno(write(fd, "x", 1), EINVAL, "a write to status");
	close(fd);
}

int main(int argc, char **argv)
{
	tap_plan(PLAN);
	mount_proc();
	own_stat();
	own_status();
	own_strings(argc, argv);
	own_places();
	listings();
	children();
	threads();
	system_files();
	seeking();
	return tap_done(PLAN);
}
