// SPDX-License-Identifier: MIT
/*
 * Signal queues without processes: standard signals merge, real-time ones
 * queue in order with their values, a thread's own signals and faults go
 * before the process's, the per-process bound refuses only what Linux
 * refuses, every entry goes back to the pool, and siginfo is laid out as
 * Linux lays it out.
 */
#include <cairn/errno.h>
#include <cairn/linux/signal.h>
#include <cairn/linux/syscall_nr.h>

#include <lib/signal/signal.h>
#include <lib/string.h>

#include "core/ktest.h"
#include "proc/sig_internal.h"
#include "proc/signal.h"
#include "syscall/syscall.h"

struct sigtest {
	struct thread_sig ts;
	struct proc_sig ps;
	unsigned pool_before;
};

static void sigtest_init(struct sigtest *s)
{
	s->pool_before = sigqueue_pool_free();
	signal_thread_init(&s->ts);
	signal_proc_init(&s->ps);
}

/* Flush everything and check nothing leaked from the pool. */
static void sigtest_done(struct sigtest *s)
{
	sigpending_flush(&s->ts.pending, ~0ull, &s->ps.queued);
	sigpending_flush(&s->ps.shared, ~0ull, &s->ps.queued);
	EXPECT_EQ(s->ps.queued, 0);
	EXPECT_EQ(sigqueue_pool_free(), s->pool_before);
}

static struct ksiginfo value_info(int sig, int code, uint64_t value)
{
	return (struct ksiginfo){ .signo = sig, .code = code, .pid = 7, .value = value };
}

TEST(signal, standard_signals_merge)
{
	struct sigtest s;
	struct ksiginfo info = value_info(SIGUSR1, SI_USER, 0), out;

	sigtest_init(&s);
	EXPECT_EQ(sigpending_add(&s.ps.shared, SIGUSR1, &info, &s.ps.queued), 0);
	EXPECT_EQ(sigpending_add(&s.ps.shared, SIGUSR1, &info, &s.ps.queued), 0);
	EXPECT_EQ(s.ps.queued, 1);
	EXPECT_EQ(sig_dequeue(&s.ts, &s.ps, 0, &out), SIGUSR1);
	EXPECT_EQ(out.pid, 7);
	EXPECT_EQ(sig_dequeue(&s.ts, &s.ps, 0, &out), 0);
	sigtest_done(&s);
}

TEST(signal, realtime_signals_queue_in_order)
{
	struct sigtest s;
	struct ksiginfo info, out;

	sigtest_init(&s);
	for (uint64_t v = 1; v <= 3; v++) {
		info = value_info(SIGRTMIN + 1, SI_QUEUE, v);
		EXPECT_EQ(sigpending_add(&s.ps.shared, SIGRTMIN + 1, &info, &s.ps.queued), 0);
	}
	info = value_info(SIGRTMIN, SI_QUEUE, 9);
	EXPECT_EQ(sigpending_add(&s.ps.shared, SIGRTMIN, &info, &s.ps.queued), 0);
	/* The lower number first, then each instance in the order sent. */
	EXPECT_EQ(sig_dequeue(&s.ts, &s.ps, 0, &out), SIGRTMIN);
	EXPECT_EQ(out.value, 9);
	for (uint64_t v = 1; v <= 3; v++) {
		EXPECT_TRUE(s.ps.shared.set & SIG_BIT(SIGRTMIN + 1));
		EXPECT_EQ(sig_dequeue(&s.ts, &s.ps, 0, &out), SIGRTMIN + 1);
		EXPECT_EQ(out.value, v);
	}
	EXPECT_EQ(s.ps.shared.set, 0);
	sigtest_done(&s);
}

TEST(signal, thread_and_fault_signals_first)
{
	struct sigtest s;
	struct ksiginfo out;

	sigtest_init(&s);
	EXPECT_EQ(sigpending_add(&s.ps.shared, SIGHUP, NULL, &s.ps.queued), 0);
	EXPECT_EQ(sigpending_add(&s.ts.pending, SIGTERM, NULL, &s.ps.queued), 0);
	EXPECT_EQ(sigpending_add(&s.ts.pending, SIGSEGV, NULL, &s.ps.queued), 0);
	EXPECT_EQ(sig_dequeue(&s.ts, &s.ps, 0, &out), SIGSEGV);
	EXPECT_EQ(out.code, SI_KERNEL);
	/* The thread's own before the process's, even with a higher number. */
	EXPECT_EQ(sig_dequeue(&s.ts, &s.ps, SIG_BIT(SIGHUP), &out), SIGTERM);
	/* Blocked stays pending. */
	EXPECT_EQ(sig_dequeue(&s.ts, &s.ps, SIG_BIT(SIGHUP), &out), 0);
	EXPECT_EQ(s.ps.shared.set, SIG_BIT(SIGHUP));
	EXPECT_EQ(sig_dequeue(&s.ts, &s.ps, 0, &out), SIGHUP);
	sigtest_done(&s);
}

TEST(signal, queue_bound_refuses_only_sigqueue)
{
	struct sigtest s;
	struct ksiginfo q = value_info(SIGRTMAX, SI_QUEUE, 1), u = value_info(SIGRTMAX, SI_USER, 2);
	struct ksiginfo out;
	unsigned n;

	sigtest_init(&s);
	for (n = 0; n < SIGQUEUE_PER_PROC; n++)
		EXPECT_EQ(sigpending_add(&s.ps.shared, SIGRTMAX, &q, &s.ps.queued), 0);
	EXPECT_EQ(s.ps.queued, SIGQUEUE_PER_PROC);
	EXPECT_EQ(sigpending_add(&s.ps.shared, SIGRTMAX, &q, &s.ps.queued), -EAGAIN);
	/* kill() still gets through, without its information; standard ones too. */
	EXPECT_EQ(sigpending_add(&s.ps.shared, SIGRTMAX - 1, &u, &s.ps.queued), 0);
	EXPECT_EQ(sigpending_add(&s.ps.shared, SIGINT, &u, &s.ps.queued), 0);
	EXPECT_EQ(s.ps.queued, SIGQUEUE_PER_PROC);
	EXPECT_EQ(sig_dequeue(&s.ts, &s.ps, 0, &out), SIGINT);
	EXPECT_EQ(out.code, SI_USER);
	EXPECT_EQ(sig_dequeue(&s.ts, &s.ps, 0, &out), SIGRTMAX - 1);
	EXPECT_EQ(out.value, 0);
	sigpending_flush(&s.ps.shared, SIG_BIT(SIGRTMAX), &s.ps.queued);
	EXPECT_EQ(s.ps.shared.set, 0);
	sigtest_done(&s);
}

TEST(signal, siginfo_layout_matches_linux)
{
	struct ksiginfo chld = { .signo = SIGCHLD,
		                 .code = CLD_EXITED,
		                 .pid = 42,
		                 .uid = 1000,
		                 .status = 3,
		                 .utime = 5,
		                 .stime = 6 };
	struct ksiginfo segv = { .signo = SIGSEGV, .code = SEGV_MAPERR, .pid = 1, .addr = 0x1234 };
	struct ksiginfo kern = { .signo = SIGINT, .code = SI_KERNEL, .pid = 9 };
	struct linux_siginfo si;
	const uint8_t *raw = (const uint8_t *)&si;
	int32_t i32;
	uint64_t u64;

	sig_info_to_linux(&chld, &si);
	memcpy(&i32, raw + 16, 4);
	EXPECT_EQ(i32, 42);
	memcpy(&i32, raw + 24, 4);
	EXPECT_EQ(i32, 3);
	memcpy(&u64, raw + 40, 8);
	EXPECT_EQ(u64, 6);
	sig_info_to_linux(&segv, &si);
	memcpy(&u64, raw + 16, 8);
	EXPECT_EQ(u64, 0x1234);
	EXPECT_EQ(si.si_code, SEGV_MAPERR);
	sig_info_to_linux(&kern, &si);
	EXPECT_EQ(si.proc.pid, 0);
	EXPECT_EQ(si.si_signo, SIGINT);
}

TEST(signal, calls_from_a_kernel_task_are_refused)
{
	static const long calls[] = {
		__NR_rt_sigaction, __NR_rt_sigprocmask,  __NR_rt_sigpending,
		__NR_pause,        __NR_rt_sigsuspend,   __NR_rt_sigreturn,
		__NR_sigaltstack,  __NR_rt_sigtimedwait, __NR_rt_sigqueueinfo
	};
	const uint64_t args[6] = { SIGUSR1, 0, 0, 8, 0, 0 };

	/* No thread, no signal state: every call says so instead of touching NULL. */
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		EXPECT_EQ(syscall_dispatch(calls[i], args), -ESRCH);
	/* kill() of a group from no process: there is no group 0 to name. */
	EXPECT_EQ(syscall_dispatch(__NR_kill, (const uint64_t[6]){ 0, 0 }), -ESRCH);
}
