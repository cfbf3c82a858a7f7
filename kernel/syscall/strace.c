/* SPDX-License-Identifier: MIT */
/*
 * The system-call trace of strace.h. The dispatcher pays one load while
 * nothing is traced. A traced call is formatted before it runs (its
 * strings read from user memory as they were passed, before an execve
 * replaces them) and logged with its result after; exit and exit_group
 * never return and are logged before, with " = ?" as strace shows them.
 * lib/strace does the formatting.
 */
#include "syscall/strace.h"

#include <cairn/errno.h>
#include <cairn/linux/syscall_nr.h>

#include <lib/format.h>
#include <lib/strace/strace.h>
#include <lib/string.h>

#include "core/cmdline.h"
#include "core/log.h"
#include "proc/proc.h"
#include "sched/task.h"
#include "syscall/internal.h"

enum strace_mode {
	STRACE_UNREAD = -1, /* the command line has not been read yet */
	STRACE_OFF = 0,
	STRACE_ALL = 1,
	STRACE_PID = 2,
	STRACE_NAME = 3,
};

#define STRACE_LINE 320 /* bytes of one trace line, call and result */

/*
 * Locks: [a] atomic. The filter fields are written before the mode that
 * uses them (release) and read after it (acquire); a change while calls
 * run may trace one call by the old filter, which is harmless.
 */
static int strace_mode = STRACE_UNREAD;
static long strace_pid;
static char strace_name[TASK_NAME_MAX];

int strace_set(const char *spec)
{
	long pid = 0;
	const char *p = spec;

	if (!spec || !*spec)
		return -EINVAL;
	if (strcmp(spec, "off") == 0) {
		__atomic_store_n(&strace_mode, STRACE_OFF, __ATOMIC_RELEASE);
		return 0;
	}
	if (strcmp(spec, "all") == 0) {
		__atomic_store_n(&strace_mode, STRACE_ALL, __ATOMIC_RELEASE);
		return 0;
	}
	while (*p >= '0' && *p <= '9' && pid < 100000000)
		pid = pid * 10 + (*p++ - '0');
	if (!*p && pid > 0) {
		strace_pid = pid;
		__atomic_store_n(&strace_mode, STRACE_PID, __ATOMIC_RELEASE);
		return 0;
	}
	if (strlen(spec) >= sizeof(strace_name))
		return -EINVAL;
	__atomic_store_n(&strace_mode, STRACE_OFF, __ATOMIC_RELEASE);
	memcpy(strace_name, spec, strlen(spec) + 1);
	__atomic_store_n(&strace_mode, STRACE_NAME, __ATOMIC_RELEASE);
	return 0;
}

void strace_describe(char *buf, size_t size)
{
	switch (__atomic_load_n(&strace_mode, __ATOMIC_ACQUIRE)) {
	case STRACE_ALL:
		fmt_snprintf(buf, size, "all");
		return;
	case STRACE_PID:
		fmt_snprintf(buf, size, "pid %ld", strace_pid);
		return;
	case STRACE_NAME:
		fmt_snprintf(buf, size, "name %s", strace_name);
		return;
	default:
		fmt_snprintf(buf, size, "off");
		return;
	}
}

bool strace_maybe_on(void)
{
	return __atomic_load_n(&strace_mode, __ATOMIC_RELAXED) != STRACE_OFF;
}

/* Read `strace=` from the command line once, at the first system call. */
static void strace_read_cmdline(void)
{
	const char *v = cmdline_get("strace");
	char word[TASK_NAME_MAX + 8];
	int expected = STRACE_UNREAD;

	if (v) {
		cmdline_word(v, word, sizeof(word));
		if (strace_set(word) == 0)
			return;
		pr_warn("strace: cannot trace \"%s\" (strace=PID|all|NAME)", word);
	}
	__atomic_compare_exchange_n(&strace_mode, &expected, STRACE_OFF, false, __ATOMIC_RELEASE,
	                            __ATOMIC_RELAXED);
}

/* The calling thread's process id and thread id; task ids before processes exist. */
static long caller_id(bool thread)
{
	long id = thread ? sys_gettid(0, 0, 0, 0, 0, 0) : sys_getpid(0, 0, 0, 0, 0, 0);
	struct task *t = task_current();

	return id > 0 ? id : (t ? (long)t->id : 0);
}

static bool strace_wanted(void)
{
	struct process *p;
	struct task *t;

	switch (__atomic_load_n(&strace_mode, __ATOMIC_ACQUIRE)) {
	case STRACE_ALL:
		return true;
	case STRACE_PID:
		return caller_id(false) == strace_pid;
	case STRACE_NAME:
		/* A program by its name (the process's comm), a kernel task by its task name. */
		p = process_current();
		if (p)
			return strncmp(p->comm, strace_name, sizeof(p->comm)) == 0;
		t = task_current();
		return t && strcmp(t->name, strace_name) == 0;
	default:
		return false;
	}
}

/* lib/strace's string reader over user memory: bounded and fault-safe. */
static long strace_read_user_str(void *ctx, uint64_t uaddr, char *buf, size_t size)
{
	long n = strncpy_from_user(buf, (const char *)uaddr, size);

	if (n == -ENAMETOOLONG) {
		buf[size - 1] = 0;
		return (long)size - 1;
	}
	return n;
}

long strace_dispatch(long nr, const uint64_t args[6])
{
	char line[STRACE_LINE], res[48];
	long ret;

	if (__atomic_load_n(&strace_mode, __ATOMIC_RELAXED) == STRACE_UNREAD)
		strace_read_cmdline();
	if (!strace_wanted())
		return syscall_dispatch(nr, args);
	strace_format_call(line, sizeof(line), nr, args, strace_read_user_str, NULL);
	if (nr == __NR_exit || nr == __NR_exit_group)
		pr_info("[pid %ld] %s = ?", caller_id(true), line);
	ret = syscall_dispatch(nr, args);
	strace_format_result(res, sizeof(res), nr, ret);
	pr_info("[pid %ld] %s%s", caller_id(true), line, res);
	return ret;
}
