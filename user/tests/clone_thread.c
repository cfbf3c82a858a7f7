// SPDX-License-Identifier: MIT
/*
 * clone(2) without a libc in between: a thread made with CLONE_VM, FS,
 * FILES, SIGHAND, THREAD, SYSVSEM, SETTLS, PARENT_SETTID, CHILD_SETTID and
 * CHILD_CLEARTID, whose exit clears the tid word and wakes the futex on it;
 * arch_prctl for the FS and GS bases; clone as fork and as vfork.
 */
#include <sched.h>

#include "utest.h"

/*
 * long raw_clone(flags, stack, ptid, ctid, tls, fn, arg): the new thread
 * starts on @stack, where fn and arg were pushed, calls fn(arg) and leaves
 * with SYS_exit (only this thread). It never touches the libc. Linux x86-64
 * argument order for clone: flags, newsp, parent_tid, child_tid, tls.
 */
long raw_clone(unsigned long flags, void *stack, int *ptid, int *ctid, unsigned long tls,
               int (*fn)(void *), void *arg);
__asm__(".text\n"
        ".globl raw_clone\n"
        "raw_clone:\n"
        "	subq $16, %rsi\n"
        "	movq %r9, 0(%rsi)\n" /* fn */
        "	movq 8(%rsp), %rax\n"
        "	movq %rax, 8(%rsi)\n" /* arg */
        "	movq %rcx, %r10\n"    /* ctid: the fourth syscall argument */
        "	movl $56, %eax\n"     /* SYS_clone */
        "	syscall\n"
        "	testq %rax, %rax\n"
        "	jnz 1f\n"
        "	popq %rax\n"
        "	popq %rdi\n"
        "	xorl %ebp, %ebp\n"
        "	call *%rax\n"
        "	movl %eax, %edi\n"
        "	movl $60, %eax\n" /* SYS_exit */
        "	syscall\n"
        "	hlt\n"
        "1:	ret\n");

struct tls_block {
	struct tls_block *self; /* %fs:0 points at the block itself, as both libcs do */
	long value;
};

static struct {
	volatile int ran;
	int tid, pid;
	struct tls_block *fs0;
	long fsval;
} seen;

static int thread_fn(void *arg)
{
	struct tls_block *b;
	long v;

	__asm__ volatile("movq %%fs:0, %0" : "=r"(b));
	__asm__ volatile("movq %%fs:8, %0" : "=r"(v));
	seen.fs0 = b;
	seen.fsval = v;
	seen.tid = syscall(SYS_gettid);
	seen.pid = syscall(SYS_getpid);
	__atomic_store_n(&seen.ran, 1, __ATOMIC_RELEASE);
	return (int)(long)arg;
}

/* Wait until the kernel clears *@ctid (CHILD_CLEARTID) and wakes us. */
static bool wait_cleared(volatile int *ctid)
{
	int v, rounds = 0;
	struct timespec ts = { 1, 0 };

	while ((v = __atomic_load_n(ctid, __ATOMIC_ACQUIRE)) != 0 && rounds++ < 30)
		syscall(SYS_futex, ctid, FUTEX_WAIT, v, &ts, NULL, 0);
	return *ctid == 0;
}

static void test_thread(void)
{
	static char stack[65536] __attribute__((aligned(16)));
	static struct tls_block tls = { &tls, 0x5eed };
	unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
	                      CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
	                      CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
	static volatile int ptid, ctid;
	long tid;

	ctid = -1;
	tid = raw_clone(flags, stack + sizeof(stack), (int *)&ptid, (int *)&ctid,
	                (unsigned long)&tls, thread_fn, (void *)7);
	tap_ok(tid > 0, "clone of a thread: %s", tid > 0 ? "ok" : tap_errno_name(-tid));
	if (tid <= 0)
		return;
	tap_ok(wait_cleared(&ctid),
	       "the thread's exit clears the CHILD_CLEARTID word and wakes us");
	tap_ok(seen.ran && ptid == tid && seen.tid == tid, "PARENT_SETTID and gettid agree");
	tap_ok(seen.pid == getpid(), "CLONE_THREAD: the thread has the process's pid");
	tap_ok(seen.fs0 == &tls && seen.fsval == 0x5eed, "CLONE_SETTLS: %%fs points at its block");
}

static int child_fn(void *arg)
{
	return 33;
}

static void test_process_clones(void)
{
	static char stack[65536] __attribute__((aligned(16)));
	long pid;
	int st;

	pid = raw_clone(SIGCHLD, stack + sizeof(stack), NULL, NULL, 0, child_fn, NULL);
	st = pid > 0 ? ut_wait(pid) : -1;
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 33, "clone(SIGCHLD) is a fork: %s",
	       ut_status(st));
	pid = raw_clone(CLONE_VM | CLONE_VFORK | SIGCHLD, stack + sizeof(stack), NULL, NULL, 0,
	                child_fn, NULL);
	st = pid > 0 ? ut_wait(pid) : -1;
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 33, "clone(CLONE_VM | CLONE_VFORK): %s",
	       ut_status(st));
	pid = raw_clone(CLONE_THREAD, stack + sizeof(stack), NULL, NULL, 0, child_fn, NULL);
	if (pid < 0) {
		errno = -pid; /* the raw call returns -errno */
		pid = -1;
	}
	tap_errno(pid, EINVAL, "CLONE_THREAD without CLONE_SIGHAND");
}

static void test_arch_prctl(void)
{
	unsigned long fs = 0, gs = 1, self;
	static unsigned long gs_area[2] = { 0x1234, 0 };

	tap_errno(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs), 0, "ARCH_GET_FS");
	__asm__ volatile("movq %%fs:0, %0" : "=r"(self));
	tap_ok(fs != 0 && fs == self, "the FS base is the libc's thread block");
	syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)gs_area);
	syscall(SYS_arch_prctl, ARCH_GET_GS, &gs);
	__asm__ volatile("movq %%gs:0, %0" : "=r"(self));
	tap_ok(gs == (unsigned long)gs_area && self == 0x1234, "ARCH_SET_GS then %%gs:0 reads it");
	tap_errno(syscall(SYS_arch_prctl, ARCH_SET_FS, 0xffff800000000000ull), EPERM,
	          "ARCH_SET_FS to a kernel address");
	tap_errno(syscall(SYS_arch_prctl, 0x9999, 0), EINVAL, "arch_prctl with a bad code");
}

int main(void)
{
	tap_plan(13);
	test_thread();
	test_process_clones();
	test_arch_prctl();
	return tap_done(13);
}
