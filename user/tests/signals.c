// SPDX-License-Identifier: MIT
/*
 * Signals: handlers and their siginfo, masks and pending sets, the default
 * actions (terminate, stop, continue, ignore), SIGCHLD, sigaltstack,
 * sigsuspend, and a signal that interrupts a blocked read with EINTR or,
 * under SA_RESTART, lets a blocked wait4 carry on.
 */
#include "utest.h"

static volatile int hits;
static volatile int last_sig;
static volatile siginfo_t last_info;
static volatile int blocked_in_handler;
static volatile uintptr_t handler_sp;

static void on_signal(int sig)
{
	sigset_t cur;

	hits++;
	last_sig = sig;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	blocked_in_handler = sigismember(&cur, sig) && sigismember(&cur, SIGUSR2);
	handler_sp = (uintptr_t)&cur;
}

static void on_info(int sig, siginfo_t *si, void *uc)
{
	hits++;
	last_sig = sig;
	last_info.si_signo = si->si_signo;
	last_info.si_code = si->si_code;
	last_info.si_pid = si->si_pid;
	last_info.si_uid = si->si_uid;
	last_info.si_errno = uc != NULL;
}

static int handle(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	return sigaction(sig, &sa, NULL);
}

static void test_handlers(void)
{
	struct sigaction sa;

	hits = 0;
	handle(SIGUSR1, on_signal, 0);
	raise(SIGUSR1);
	tap_ok(hits == 1 && last_sig == SIGUSR1, "a handler runs once for raise (%d)", hits);
	tap_ok(blocked_in_handler, "the signal and sa_mask are blocked inside the handler");
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR2, &sa, NULL);
	kill(getpid(), SIGUSR2);
	tap_ok(hits == 2 && last_info.si_signo == SIGUSR2 && last_info.si_code == SI_USER &&
	               last_info.si_pid == getpid() && last_info.si_uid == getuid() &&
	               last_info.si_errno,
	       "SA_SIGINFO: signo %d, code %d (SI_USER), pid and uid of the sender, a ucontext",
	       last_info.si_signo, last_info.si_code);
	syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2);
	tap_ok(hits == 3 && last_info.si_code == SI_TKILL, "tgkill: code %d (SI_TKILL)",
	       last_info.si_code);
	syscall(SYS_tkill, gettid(), SIGUSR1);
	tap_ok(hits == 4 && last_sig == SIGUSR1, "tkill reaches the handler");
	signal(SIGUSR1, SIG_IGN);
	raise(SIGUSR1);
	tap_ok(hits == 4, "SIG_IGN: nothing runs");
}

static void test_masks(void)
{
	sigset_t set, pend, old;

	hits = 0;
	handle(SIGUSR1, on_signal, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	raise(SIGUSR1);
	raise(SIGUSR1);
	sigpending(&pend);
	tap_ok(hits == 0 && sigismember(&pend, SIGUSR1), "a blocked signal stays pending");
	sigprocmask(SIG_SETMASK, &old, NULL);
	tap_ok(hits == 1, "unblocking delivers it once (standard signals do not queue): %d", hits);
	sigfillset(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigprocmask(SIG_BLOCK, NULL, &set);
	tap_ok(!sigismember(&set, SIGKILL) && !sigismember(&set, SIGSTOP),
	       "SIGKILL and SIGSTOP cannot be blocked");
	sigprocmask(SIG_SETMASK, &old, NULL);
	tap_errno(sigprocmask(99, &set, NULL), EINVAL, "sigprocmask with a bad how");
	tap_errno(sigaction(SIGKILL, &(struct sigaction){ .sa_handler = on_signal }, NULL), EINVAL,
	          "sigaction(SIGKILL)");
	tap_errno(syscall(SYS_rt_sigaction, 65, NULL, NULL, 8), EINVAL, "rt_sigaction(65)");
	tap_errno(syscall(SYS_rt_sigaction, SIGUSR1, NULL, NULL, 4), EINVAL,
	          "rt_sigaction with a wrong sigset size");
	tap_errno(kill(getpid(), 99), EINVAL, "kill with signal 99");
	tap_errno(kill(0x3ffffff, SIGUSR1), ESRCH, "kill of a pid that does not exist");
}

/* Default actions, each in a child: the wait status shows how it ended. */
static int die_by(void *arg)
{
	signal((int)(long)arg, SIG_DFL);
	raise((int)(long)arg);
	return 0;
}

static void test_defaults(void)
{
	static const int sigs[] = { SIGTERM, SIGKILL, SIGUSR1, SIGABRT, SIGCHLD, SIGCONT };
	pid_t pid;
	size_t i;
	int st;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		st = ut_in_child(die_by, (void *)(long)sigs[i]);
		tap_ok(st != -1, "default action of %d: %s", sigs[i], ut_status(st));
	}
	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	tap_ok(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "SIGSTOP stops the child");
	kill(pid, SIGCONT);
	waitpid(pid, &st, WCONTINUED);
	tap_ok(WIFCONTINUED(st), "SIGCONT continues it");
	kill(pid, SIGTERM);
	st = ut_wait(pid);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "then SIGTERM ends it: %s",
	       ut_status(st));
}

static void test_sigchld(void)
{
	pid_t pid;
	int st;

	hits = 0;
	handle(SIGCHLD, on_signal, SA_RESTART);
	pid = fork();
	if (pid == 0)
		_exit(0);
	st = ut_wait(pid);
	tap_ok(WIFEXITED(st) && hits == 1 && last_sig == SIGCHLD, "SIGCHLD reaches the parent (%d)",
	       hits);
	signal(SIGCHLD, SIG_DFL);
}

/* The child sends @sig to its parent after @ms, then exits with @code after @ms more. */
static pid_t poke_parent(int sig, long ms, int code)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		ut_sleep_ms(ms);
		kill(parent, sig);
		ut_sleep_ms(ms);
		_exit(code);
	}
	return pid;
}

static void test_interrupt(void)
{
	char c;
	pid_t pid;
	long r;
	int st;

	hits = 0;
	handle(SIGUSR1, on_signal, 0);
	pid = poke_parent(SIGUSR1, 200, 0);
	r = read(0, &c, 1); /* the console: nothing is ever typed */
	tap_ok(r == -1 && errno == EINTR && hits == 1, "a signal interrupts a blocked read: %s",
	       r == -1 ? tap_errno_name(errno) : "returned");
	ut_wait(pid);
	hits = 0;
	pid = poke_parent(SIGUSR1, 200, 5);
	r = waitpid(pid, &st, 0);
	tap_ok(r == -1 && errno == EINTR && hits == 1, "without SA_RESTART wait4 fails: %s",
	       r == -1 ? tap_errno_name(errno) : "returned");
	ut_wait(pid);
	hits = 0;
	handle(SIGUSR1, on_signal, SA_RESTART);
	pid = poke_parent(SIGUSR1, 200, 6);
	r = waitpid(pid, &st, 0);
	tap_ok(r == pid && WIFEXITED(st) && WEXITSTATUS(st) == 6 && hits == 1,
	       "under SA_RESTART wait4 carries on: %s", r == pid ? ut_status(st) : "failed");
}

static void test_altstack_suspend(void)
{
	static char alt[65536];
	stack_t ss = { .ss_sp = alt, .ss_size = sizeof(alt) }, old;
	sigset_t set, empty;
	pid_t pid;
	int r;

	tap_errno(sigaltstack(&ss, &old), 0, "sigaltstack");
	hits = 0;
	handle(SIGUSR1, on_signal, SA_ONSTACK);
	raise(SIGUSR1);
	tap_ok(hits == 1 && handler_sp >= (uintptr_t)alt &&
	               handler_sp < (uintptr_t)alt + sizeof(alt),
	       "SA_ONSTACK runs the handler on the alternate stack");
	ss.ss_size = 1024;
	tap_errno(sigaltstack(&ss, NULL), ENOMEM, "sigaltstack smaller than MINSIGSTKSZ");
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	hits = 0;
	pid = poke_parent(SIGUSR1, 100, 0);
	sigemptyset(&empty);
	r = sigsuspend(&empty);
	tap_ok(r == -1 && errno == EINTR && hits == 1,
	       "sigsuspend returns EINTR after the handler");
	ut_wait(pid);
}

int main(void)
{
	tap_plan(32);
	test_handlers();
	test_masks();
	test_defaults();
	test_sigchld();
	test_interrupt();
	test_altstack_suspend();
	return tap_done(32);
}
