// SPDX-License-Identifier: MIT
/*
 * Faults become signals: a null-pointer write kills only the child that made
 * it; a SIGSEGV handler sees the faulting address and the reason (no mapping
 * or no permission); kernel and non-canonical addresses, a divide by zero
 * and an invalid opcode give the signals Linux gives.
 */
#include <setjmp.h>

#include "utest.h"

static sigjmp_buf env;
static volatile siginfo_t got;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	got.si_signo = sig;
	got.si_code = si->si_code;
	got.si_addr = si->si_addr;
	siglongjmp(env, 1);
}

/* Run @fn under a handler for @sig; true when it faulted (details in @got). */
static bool faults(int sig, void (*fn)(void *), void *arg)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(sig, &sa, NULL);
	memset((void *)&got, 0, sizeof(got));
	if (sigsetjmp(env, 1) == 0) {
		fn(arg);
		return false;
	}
	return true;
}

static void write_at(void *p)
{
	*(volatile int *)p = 1;
}

static void read_at(void *p)
{
	(void)*(volatile int *)p;
}

static void divide(void *p)
{
	volatile int zero = (int)(long)p;
	volatile int sink;

	sink = 100 / zero;
	(void)sink;
}

static void bad_opcode(void *p)
{
	__asm__ volatile("ud2");
}

static int null_write(void *arg)
{
	write_at(NULL);
	return 0;
}

static const char *code_name(int sig, int code)
{
	if (sig == SIGSEGV && code == SEGV_MAPERR)
		return "SEGV_MAPERR";
	if (sig == SIGSEGV && code == SEGV_ACCERR)
		return "SEGV_ACCERR";
	if (code == SI_KERNEL)
		return "SI_KERNEL";
	if (sig == SIGFPE && code == FPE_INTDIV)
		return "FPE_INTDIV";
	if (sig == SIGILL && code == ILL_ILLOPN)
		return "ILL_ILLOPN";
	return "other";
}

/* Expect @fn(@arg) to raise @sig at address @want_addr (for a trap: the instruction's, unknown). */
static void check(const char *what, int sig, void (*fn)(void *), void *arg, void *want_addr)
{
	bool f = faults(sig, fn, arg);

	if (sig != SIGSEGV)
		want_addr = got.si_addr;
	tap_ok(f && got.si_signo == sig && got.si_addr == want_addr, "%s: signal %d, %s, addr %s",
	       what, got.si_signo, code_name(got.si_signo, got.si_code),
	       got.si_addr == want_addr ? "as expected" : "wrong");
}

int main(void)
{
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *kernel = (void *)0xffff800000000000ull, *noncanon = (void *)0x8000000000000000ull;
	int st;

	tap_plan(9);
	st = ut_in_child(null_write, NULL);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "a null write kills the child: %s",
	       ut_status(st));
	tap_ok(getpid() > 0, "and only the child");
	check("null write", SIGSEGV, write_at, NULL, NULL);
	check("read of an unmapped page", SIGSEGV, read_at, (void *)0x1000, (void *)0x1000);
	check("write to a read-only page", SIGSEGV, write_at, ro + 8, ro + 8);
	check("read of a kernel address", SIGSEGV, read_at, kernel, kernel);
	/* A non-canonical address raises #GP, which carries no address. */
	check("read of a non-canonical address", SIGSEGV, read_at, noncanon, NULL);
	check("divide by zero", SIGFPE, divide, NULL, (void *)0);
	check("ud2", SIGILL, bad_opcode, NULL, NULL);
	return tap_done(9);
}
