// SPDX-License-Identifier: MIT
/*
 * fork, execve and the wait family: a tree of processes that report their
 * size through exit statuses, exec chains with argv and envp, vfork, zombies,
 * orphans reparented to init, and the errors of waitpid and waitid.
 */
#include <sys/resource.h>

#include "utest.h"

#define TREE_DEPTH 3 /* a binary tree of 2^(3+1) - 1 = 15 processes */

/* Fork a binary tree below this process; returns how many processes it holds. */
static int tree(int depth)
{
	pid_t kids[2];
	int i, total = 1, st;

	if (depth == 0)
		return 1;
	for (i = 0; i < 2; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			_exit(tree(depth - 1));
	}
	for (i = 0; i < 2; i++) {
		st = kids[i] < 0 ? -1 : ut_wait(kids[i]);
		total += (st != -1 && WIFEXITED(st)) ? WEXITSTATUS(st) : 100;
	}
	return total;
}

/* The exec'd side: "exec-child N" exits with N after checking its environment. */
static int exec_child(int argc, char **argv)
{
	const char *v = getenv("CAIRN_TEST");
	int n = atoi(argv[2]);

	if (!v || strcmp(v, "exec") != 0 || argc != 4 || strcmp(argv[3], "last arg") != 0)
		return 99;
	if (n > 0) {
		/* Exec again, one step down the chain, in this same process. */
		char num[16];
		char *args[] = { argv[0], "exec-child", num, "last arg", NULL };
		char *envp[] = { "CAIRN_TEST=exec", NULL };

		snprintf(num, sizeof(num), "%d", n - 1);
		execve(argv[0], args, envp);
		return 98;
	}
	return 42;
}

static void test_exec(const char *self)
{
	char *args[] = { (char *)self, "exec-child", "3", "last arg", NULL };
	char *envp[] = { "CAIRN_TEST=exec", NULL };
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		execve(self, args, envp);
		_exit(97);
	}
	st = ut_wait(pid);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 42, "exec chain of 4 with argv and envp: %s",
	       ut_status(st));
}

static void test_vfork(void)
{
	static volatile int touched;
	pid_t pid;
	int st;

	touched = 0;
	pid = vfork();
	if (pid == 0) {
		touched = 1; /* vfork shares the memory until _exit */
		_exit(3);
	}
	st = ut_wait(pid);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 3 && touched == 1,
	       "vfork: parent resumes after the child's _exit, sharing memory (%s)", ut_status(st));
}

static void test_zombie(void)
{
	pid_t pid = fork();
	siginfo_t si;
	int r;

	if (pid == 0)
		_exit(7);
	/* The child is a zombie until reaped: WNOWAIT looks without reaping. */
	memset(&si, 0, sizeof(si));
	r = waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	tap_ok(r == 0 && si.si_pid == pid && si.si_code == CLD_EXITED && si.si_status == 7,
	       "waitid WNOWAIT sees the zombie (code %d, status %d)", si.si_code, si.si_status);
	tap_ok(kill(pid, 0) == 0, "a zombie still exists for kill(pid, 0)");
	memset(&si, 0, sizeof(si));
	r = waitid(P_ALL, 0, &si, WEXITED);
	tap_ok(r == 0 && si.si_pid == pid && si.si_status == 7, "waitid P_ALL reaps it");
	r = kill(pid, 0);
	tap_errno(r, ESRCH, "kill(pid, 0) after the reap");
}

static void test_wait_errors(void)
{
	struct rusage ru;
	pid_t pid;
	int st, r;

	r = waitpid(-1, &st, 0);
	tap_errno(r, ECHILD, "waitpid with no children");
	r = waitpid(-1, &st, WNOHANG);
	tap_errno(r, ECHILD, "waitpid WNOHANG with no children");
	r = waitpid(-1, &st, 0x100);
	tap_errno(r, EINVAL, "waitpid with an unknown option");
	pid = fork();
	if (pid == 0) {
		ut_sleep_ms(100);
		_exit(5);
	}
	r = waitpid(pid, &st, WNOHANG);
	tap_ok(r == 0, "WNOHANG on a running child returns 0 (got %d)", r);
	memset(&ru, 0, sizeof(ru));
	r = wait4(pid, &st, 0, &ru);
	tap_ok(r == pid && WIFEXITED(st) && WEXITSTATUS(st) == 5, "wait4 with rusage: %s",
	       ut_status(st));
}

/* A grandchild whose parent exits first must be adopted by init (pid 1). */
static void test_orphan(void)
{
	volatile int *shared = ut_shared(4096);
	pid_t pid;
	int st, i;
	bool done;

	pid = fork();
	if (pid == 0) {
		if (fork() == 0) {
			for (i = 0; i < 500 && getppid() != 1; i++)
				ut_sleep_ms(10);
			shared[1] = getppid();
			__atomic_store_n(&shared[0], 1, __ATOMIC_RELEASE);
			_exit(0);
		}
		_exit(0);
	}
	st = ut_wait(pid);
	tap_ok(WIFEXITED(st), "the middle process exits first: %s", ut_status(st));
	done = ut_await(&shared[0], 1, 10000);
	tap_ok(done && shared[1] == 1, "the orphan's parent is now pid %d", shared[1]);
}

int main(int argc, char **argv)
{
	int n;

	if (argc >= 3 && strcmp(argv[1], "exec-child") == 0)
		return exec_child(argc, argv);
	tap_plan(15);
	n = tree(TREE_DEPTH);
	tap_ok(n == 15, "a tree of depth %d counts %d processes", TREE_DEPTH, n);
	test_exec(argv[0]);
	test_vfork();
	test_zombie();
	test_wait_errors();
	test_orphan();
	tap_ok(getppid() != 0, "still running with a parent");
	return tap_done(15);
}
