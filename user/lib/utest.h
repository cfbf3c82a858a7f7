// SPDX-License-Identifier: MIT
/*
 * Helpers the user test programs share: memory shared across fork (the only
 * way for two processes to talk before Cairn has pipes), waiting for a child
 * and describing how it ended, and sleeping in milliseconds. Header-only,
 * like tap.h.
 */
#pragma once

#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "tap.h"

/*
 * Linux constants that musl's headers do not carry (they live in the kernel's
 * uapi headers, which musl-gcc does not see): values from Linux's
 * include/uapi/linux/futex.h and arch/x86/include/uapi/asm/prctl.h.
 */
#define FUTEX_WAIT         0
#define FUTEX_WAKE         1
#define FUTEX_REQUEUE      3
#define FUTEX_CMP_REQUEUE  4
#define FUTEX_WAIT_BITSET  9
#define FUTEX_WAKE_BITSET  10
#define FUTEX_PRIVATE_FLAG 128
#define ARCH_SET_GS        0x1001
#define ARCH_SET_FS        0x1002
#define ARCH_GET_FS        0x1003
#define ARCH_GET_GS        0x1004

/* @size bytes of zeroed memory that a fork()ed child shares with us, or NULL. */
__attribute__((unused)) static void *ut_shared(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Sleep @ms milliseconds, resuming after a signal handler runs. */
__attribute__((unused)) static void ut_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Wait for @pid (retrying on EINTR); returns its status, or -1 with errno set. */
__attribute__((unused)) static int ut_wait(pid_t pid)
{
	int status;
	pid_t got;

	do
		got = waitpid(pid, &status, 0);
	while (got < 0 && errno == EINTR);
	return got == pid ? status : -1;
}

/* "exit N", "signal NAME" or "wait failed: ERR" for a status from ut_wait(). */
__attribute__((unused)) static const char *ut_status(int status)
{
	static char buf[48];
	static const char *const sig[] = {
		[SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",   [SIGQUIT] = "SIGQUIT",
		[SIGILL] = "SIGILL",   [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
		[SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",   [SIGKILL] = "SIGKILL",
		[SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
		[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
		[SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT", [SIGSTOP] = "SIGSTOP",
	};
	int s;

	if (status == -1)
		snprintf(buf, sizeof(buf), "wait failed: %s", tap_errno_name(errno));
	else if (WIFEXITED(status))
		snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status)) {
		s = WTERMSIG(status);
		if (s > 0 && s < (int)(sizeof(sig) / sizeof(sig[0])) && sig[s])
			snprintf(buf, sizeof(buf), "signal %s", sig[s]);
		else
			snprintf(buf, sizeof(buf), "signal %d", s);
	} else
		snprintf(buf, sizeof(buf), "status 0x%x", status);
	return buf;
}

/* Run @fn(@arg) in a child process and return its wait status (-1: fork failed). */
__attribute__((unused)) static int ut_in_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(fn(arg));
	return ut_wait(pid);
}

/* Spin (yielding) until *@flag is at least @want, up to @ms milliseconds. */
__attribute__((unused)) static bool ut_await(volatile int *flag, int want, long ms)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) < want) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >
		    ms)
			return false;
		sched_yield();
	}
	return true;
}

/*
 * The auxiliary vector entry @type as the kernel wrote it, found past the
 * environment strings' pointers on the initial stack (glibc's getauxval
 * answers AT_HWCAP from its own idea of the CPU). 0 when absent. Valid while
 * environ still points at the initial stack (nothing called setenv).
 */
__attribute__((unused)) static unsigned long ut_auxv(unsigned long type)
{
	extern char **environ;
	char **e = environ;
	unsigned long *a;

	while (*e)
		e++;
	for (a = (unsigned long *)(e + 1); a[0] != 0; a += 2)
		if (a[0] == type)
			return a[1];
	return 0;
}
