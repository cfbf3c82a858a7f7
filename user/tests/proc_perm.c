// SPDX-License-Identifier: MIT
/*
 * Permissions between processes: what an ordinary user may do to a
 * process of another user (nothing: kill, prlimit and a look inside
 * through /proc are refused) and to one of its own; the rules of setpgid
 * and setsid across parent and child. Compared with Linux.
 */
#include <fcntl.h>
#include <grp.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "utest.h"

static const char *self;

/*
 * A child that waits to be killed, as @uid (0: stays root). It execs this
 * program again after changing its ids: a process whose ids changed is not
 * dumpable (Linux), so not even its own user may look inside it until an
 * exec of an ordinary program.
 */
static pid_t sleeper(uid_t uid)
{
	char *argv[] = { (char *)self, "sleep", NULL };
	pid_t pid = fork();

	if (pid == 0) {
		if (uid &&
		    (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid)))
			_exit(1);
		execv(self, argv);
		_exit(2);
	}
	return pid;
}

/* Run @fn(@arg) in a child as uid/gid 1000 and return its exit code (or 99: died). */
static int as_user(int (*fn)(pid_t), pid_t arg)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(1000, 1000, 1000) ||
		    setresuid(1000, 1000, 1000))
			_exit(98);
		_exit(fn(arg));
	}
	st = ut_wait(pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 99;
}

/* errno of the last call, as a small exit code: 0 success, 1 EPERM, 2 EACCES, 3 ESRCH, 9 other. */
static int code(long r)
{
	if (r != -1)
		return 0;
	return errno == EPERM ? 1 : errno == EACCES ? 2 : errno == ESRCH ? 3 : 9;
}

static int try_kill(pid_t pid)
{
	return code(kill(pid, 0));
}

static int try_prlimit_get(pid_t pid)
{
	struct rlimit r;

	return code(prlimit(pid, RLIMIT_NOFILE, NULL, &r));
}

static int try_prlimit_set(pid_t pid)
{
	struct rlimit r = { 64, 64 };

	return code(prlimit(pid, RLIMIT_NOFILE, &r, NULL));
}

static int try_environ(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	return code(open(path, O_RDONLY));
}

static int try_setpgid(pid_t pid)
{
	return code(setpgid(pid, pid));
}

static const char *name(int c)
{
	static const char *const n[] = { "OK", "EPERM", "EACCES", "ESRCH" };

	return c >= 0 && c < 4 ? n[c] : c == 98 ? "setup failed" : "other";
}

static void check(const char *what, int got, int want)
{
	tap_ok(got == want, "%s: %s", what, name(got));
}

int main(int argc, char **argv)
{
	pid_t root_child, other, own, plain;
	struct rlimit r;
	int st;

	if (argc > 1) {
		for (;;)
			pause();
	}
	self = argv[0];
	tap_plan(13);
	root_child = sleeper(0);
	other = sleeper(2000);
	own = sleeper(1000);
	ut_sleep_ms(50); /* let the sleepers take their ids */
	check("kill a root process", as_user(try_kill, root_child), 1);
	check("kill another user's process", as_user(try_kill, other), 1);
	check("kill one's own process", as_user(try_kill, own), 0);
	check("prlimit read of another user's process", as_user(try_prlimit_get, other), 1);
	check("prlimit write of another user's process", as_user(try_prlimit_set, other), 1);
	check("prlimit of one's own process", as_user(try_prlimit_set, own), 0);
	tap_ok(prlimit(own, RLIMIT_NOFILE, NULL, &r) == 0 && r.rlim_max == 64,
	       "root reads the limit the user set");
	/* The test initramfs does not mount /proc; an image that did keeps its mount. */
	if (access("/proc/self", F_OK) != 0 && (mkdir("/proc", 0555) == 0 || errno == EEXIST))
		mount("proc", "/proc", "proc", 0, NULL);
	check("another user's /proc/PID/environ", as_user(try_environ, other), 2);
	check("one's own process's /proc/PID/environ", as_user(try_environ, own), 0);
	check("setpgid of a process that is not one's child", as_user(try_setpgid, own), 3);
	/* A child that exec'd is out of its parent's reach (EACCES); one that did not is not. */
	tap_errno(setpgid(own, own), EACCES, "setpgid of a child that exec'd");
	plain = fork();
	if (plain == 0) {
		for (;;)
			pause();
	}
	tap_ok(setpgid(plain, plain) == 0 && getpgid(plain) == plain, "setpgid of one's child");
	kill(plain, SIGKILL);
	ut_wait(plain);
	kill(root_child, SIGKILL);
	kill(other, SIGKILL);
	kill(own, SIGKILL);
	ut_wait(root_child);
	ut_wait(other);
	st = ut_wait(own);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "the sleepers end");
	return tap_done(13);
}
