// SPDX-License-Identifier: MIT
/*
 * The signal frame and rt_sigreturn: a SIGSEGV handler that reads the
 * faulting registers from its ucontext and resumes past the fault, the
 * FPU/SSE state saved in the frame and a clean one in the handler,
 * real-time signals queued in order with their values, sigtimedwait,
 * SA_RESETHAND and SA_NODEFER, and forged frames handed to rt_sigreturn
 * (kernel code segment, kernel or non-canonical address, a bad MXCSR),
 * each of which must end only the child that tried it.
 */
#include <string.h>
#include <ucontext.h>

#include "utest.h"

#define R12_MARK  0x1122334455667788ull
#define FAULT_VA  0x10ul
#define XMM0_OFF  160 /* xmm0 in the FXSAVE image (Intel SDM Vol. 1, 10.5.1) */
#define MXCSR_OFF 24

static volatile int hits;
static volatile unsigned long seen_r12, seen_addr, seen_rip;
static volatile int seen_code;
static volatile unsigned seen_mxcsr;

extern char sf_fault_ip[], sf_fault_next[];

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	hits++;
	seen_addr = (unsigned long)si->si_addr;
	seen_code = si->si_code;
	seen_r12 = uc->uc_mcontext.gregs[REG_R12];
	seen_rip = uc->uc_mcontext.gregs[REG_RIP];
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)sf_fault_next;
	uc->uc_mcontext.gregs[REG_RAX] = 42;
}

static void test_fault_frame(void)
{
	struct sigaction sa = { 0 };
	unsigned long rax;

	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	hits = 0;
	__asm__ volatile("movabsq %1, %%r12\n\t"
	                 "xorl %%eax, %%eax\n\t"
	                 ".globl sf_fault_ip\nsf_fault_ip:\n\t"
	                 "movl $1, 0x10\n\t"
	                 ".globl sf_fault_next\nsf_fault_next:\n\t"
	                 : "=a"(rax)
	                 : "i"(R12_MARK)
	                 : "r12", "memory");
	tap_ok(hits == 1 && seen_code == SEGV_MAPERR && seen_addr == FAULT_VA,
	       "SIGSEGV handler: si_code %d, si_addr %#lx", seen_code, seen_addr);
	tap_ok(seen_rip == (unsigned long)sf_fault_ip && seen_r12 == R12_MARK,
	       "uc_mcontext holds the faulting rip and the registers");
	tap_ok(rax == 42, "registers changed in uc_mcontext come back (rax %lu)", rax);
	signal(SIGSEGV, SIG_DFL);
}

static void set_xmm0(const void *v)
{
	__asm__ volatile("movdqu (%0), %%xmm0" : : "r"(v) : "xmm0");
}

static void get_xmm0(void *v)
{
	__asm__ volatile("movdqu %%xmm0, (%0)" : : "r"(v) : "memory");
}

static void on_fpu(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	static const unsigned char junk[16] = { 0xde, 0xad };
	unsigned mx;

	(void)sig;
	(void)si;
	__asm__ volatile("stmxcsr %0" : "=m"(mx));
	seen_mxcsr = mx;
	set_xmm0(junk);
	/* xmm0 of the interrupted code, in the saved image: change its first byte. */
	((unsigned char *)uc->uc_mcontext.fpregs)[XMM0_OFF] ^= 0xff;
	hits++;
}

static void test_fpu_state(void)
{
	struct sigaction sa = { 0 };
	unsigned char want[16], got[16];
	unsigned mx = 0x1f80 | (3u << 13), mx_after; /* round toward zero */

	for (int i = 0; i < 16; i++)
		want[i] = (unsigned char)(0x40 + i);
	sa.sa_sigaction = on_fpu;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	hits = 0;
	__asm__ volatile("ldmxcsr %0" : : "m"(mx));
	set_xmm0(want);
	raise(SIGUSR1);
	get_xmm0(got);
	__asm__ volatile("stmxcsr %0" : "=m"(mx_after));
	want[0] ^= 0xff;
	tap_ok(hits == 1 && memcmp(got, want, 16) == 0,
	       "xmm0 comes back from the frame, with the handler's edit");
	tap_ok(seen_mxcsr == 0x1f80 && mx_after == mx,
	       "the handler starts with a clean MXCSR (%#x), the program's comes back (%#x)",
	       seen_mxcsr, mx_after);
	mx = 0x1f80;
	__asm__ volatile("ldmxcsr %0" : : "m"(mx));
	signal(SIGUSR1, SIG_DFL);
}

static volatile int rt_values[8];

static void on_rt(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (hits < 8)
		rt_values[hits] = si->si_value.sival_int * 100 + sig - SIGRTMIN;
	hits++;
}

static void test_realtime(void)
{
	struct sigaction sa = { 0 };
	sigset_t set, old;
	siginfo_t si;
	struct timespec zero = { 0, 0 };
	int got;

	sa.sa_sigaction = on_rt;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGRTMIN, &sa, NULL);
	sigaction(SIGRTMIN + 1, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &set, &old);
	hits = 0;
	sigqueue(getpid(), SIGRTMIN + 1, (union sigval){ .sival_int = 1 });
	sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 2 });
	sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 3 });
	sigprocmask(SIG_SETMASK, &old, NULL);
	/*
	 * All three are delivered at once, each frame on the one before: SIGRTMIN
	 * (value 2) is taken first, which blocks it, so SIGRTMIN + 1's frame goes
	 * on top and runs first; SIGRTMIN's second one waits for the first sigreturn.
	 */
	tap_ok(hits == 3 && rt_values[0] == 101 && rt_values[1] == 200 && rt_values[2] == 300,
	       "real-time signals queue in order sent, delivered as Linux nests them (%d %d %d)",
	       rt_values[0], rt_values[1], rt_values[2]);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, &old);
	kill(getpid(), SIGUSR2);
	got = sigtimedwait(&set, &si, &zero);
	tap_ok(got == SIGUSR2 && si.si_code == SI_USER,
	       "sigtimedwait takes a blocked pending signal (code %d)", si.si_code);
	tap_errno(sigtimedwait(&set, &si, &zero), EAGAIN, "sigtimedwait with nothing pending");
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGRTMIN, SIG_DFL);
	signal(SIGRTMIN + 1, SIG_DFL);
}

static void on_count(int sig)
{
	hits++;
	if (hits == 1)
		raise(sig); /* nested at once only under SA_NODEFER */
}

static int reset_twice(void *arg)
{
	struct sigaction sa = { 0 };

	(void)arg;
	sa.sa_handler = on_count;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigaction(SIGUSR1, &sa, NULL);
	hits = 0;
	raise(SIGUSR1); /* the handler's own raise meets SIG_DFL: the child dies */
	return 3;
}

static void test_flags(void)
{
	struct sigaction sa = { 0 };
	int st;

	sa.sa_handler = on_count;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGUSR2, &sa, NULL);
	hits = 0;
	raise(SIGUSR2);
	tap_ok(hits == 2, "SA_NODEFER lets the handler take its own signal (%d runs)", hits);
	sa.sa_flags = 0;
	sigaction(SIGUSR2, &sa, NULL);
	hits = 0;
	raise(SIGUSR2);
	tap_ok(hits == 2, "without it the second one waits until the handler returns (%d)", hits);
	signal(SIGUSR2, SIG_DFL);
	st = ut_in_child(reset_twice, NULL);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1, "SA_RESETHAND: the next one kills: %s",
	       ut_status(st));
}

/* A forged frame for rt_sigreturn: what the stack pointer points at when it runs. */
struct forged {
	ucontext_t uc;
	unsigned char fp[1024] __attribute__((aligned(64)));
};

static struct forged frame;
static unsigned char forged_stack[16384] __attribute__((aligned(16)));

static void land(void)
{
	_exit(7);
}

/* Build a frame resuming at land() on forged_stack, then change it by @how and sigreturn. */
static int sigreturn_with(void *arg)
{
	int how = (int)(long)arg;
	greg_t *g = frame.uc.uc_mcontext.gregs;

	memset(&frame, 0, sizeof(frame));
	g[REG_RIP] = (greg_t)land;
	g[REG_RSP] = (greg_t)(forged_stack + sizeof(forged_stack) - 8);
	g[REG_CSGSFS] = 0x33; /* Linux's user code segment */
	frame.uc.uc_mcontext.fpregs = NULL;
	if (how == 1)
		g[REG_CSGSFS] = 0x08; /* the kernel's code segment */
	if (how == 2)
		g[REG_RIP] = (greg_t)0xffffffff80001000ull;
	if (how == 3)
		g[REG_RIP] = (greg_t)0x8000000000001000ull;
	if (how == 4) {
		unsigned bad = 0xffff0000u;

		__asm__ volatile("fxsave64 %0" : "=m"(frame.fp));
		memcpy(frame.fp + MXCSR_OFF, &bad, sizeof(bad));
		frame.uc.uc_mcontext.fpregs = (fpregset_t)frame.fp;
	}
	__asm__ volatile("movq %0, %%rsp\n\tmovl $15, %%eax\n\tsyscall"
	                 :
	                 : "r"(&frame.uc)
	                 : "memory");
	return 9;
}

static void test_forged_frames(void)
{
	static const char *const what[] = { "a clean frame resumes where it says",
		                            "a kernel code segment", "a kernel address",
		                            "a non-canonical address", "a bad MXCSR" };
	int st;

	st = ut_in_child(sigreturn_with, (void *)0L);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 7, "forged rt_sigreturn, %s: %s", what[0],
	       ut_status(st));
	for (long how = 1; how <= 3; how++) {
		st = ut_in_child(sigreturn_with, (void *)how);
		tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "forged rt_sigreturn, %s: %s",
		       what[how], ut_status(st));
	}
	/*
	 * Reserved MXCSR bits make FXRSTOR fault on a real CPU (Intel SDM Vol. 1,
	 * 11.6.6), so Linux refuses the frame; QEMU's TCG loads them without a
	 * fault, so Linux under it resumes the program. Either way the kernel
	 * survives and only the child is concerned; both outcomes print alike.
	 */
	st = ut_in_child(sigreturn_with, (void *)4L);
	tap_ok((WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV) ||
	               (WIFEXITED(st) && WEXITSTATUS(st) == 7),
	       "forged rt_sigreturn, %s: refused, or loaded as the CPU allows", what[4]);
}

static void exit5(int sig)
{
	(void)sig;
	_exit(5);
}

/*
 * SIGILL with the stack pointer on an unmapped page: a handler on the
 * alternate stack still runs (@alt), without one the frame cannot be
 * written and SIGSEGV ends the process.
 */
static int ill_on_a_bad_stack(void *alt)
{
	static char stack[65536];
	stack_t ss = { .ss_sp = stack, .ss_size = sizeof(stack) };
	struct sigaction sa = { 0 };

	sa.sa_handler = exit5;
	sa.sa_flags = alt ? SA_ONSTACK : 0;
	sigaction(SIGILL, &sa, NULL);
	if (alt)
		sigaltstack(&ss, NULL);
	__asm__ volatile("movq $0x1000, %rsp\n\tud2");
	return 9;
}

static void test_bad_stack(void)
{
	int st = ut_in_child(ill_on_a_bad_stack, (void *)1L);

	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 5,
	       "a fault with a bad stack pointer: the handler runs on the alternate stack: %s",
	       ut_status(st));
	st = ut_in_child(ill_on_a_bad_stack, NULL);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	       "without one the frame cannot be written: %s", ut_status(st));
}

int main(void)
{
	tap_plan(18);
	test_fault_frame();
	test_fpu_state();
	test_realtime();
	test_flags();
	test_forged_frames();
	test_bad_stack();
	return tap_done(18);
}
