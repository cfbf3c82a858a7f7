// SPDX-License-Identifier: MIT
/*
 * The signal system calls on Linux's x86_64 ABI: rt_sigaction,
 * rt_sigprocmask, rt_sigpending, rt_sigsuspend, pause, rt_sigtimedwait,
 * rt_sigreturn, sigaltstack, kill, tkill, tgkill and rt_sigqueueinfo. Each
 * checks and copies its arguments first, then acts through
 * kernel/proc/signal.h; the errnos are Linux's (docs/signals.md).
 */
#include <cairn/errno.h>
#include <cairn/linux/signal.h>

#include <lib/signal/signal.h>
#include <lib/timespec/timespec.h>

#include "arch/arch.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "proc/sig_internal.h"
#include "proc/signal.h"
#include "proc/signal_arch.h"
#include "sched/task.h"
#include "syscall/syscall.h"
#include "time/time.h"

#define SIGSET_SIZE 8 /* the only sigsetsize Linux's x86_64 calls accept */

/*
 * The calling thread's signal state. Every call here starts with it: a
 * kernel task (a test calling syscall_dispatch()) has none and gets ESRCH.
 */
static struct thread_sig *my_sig(void)
{
	struct thread *t = thread_current();

	return t ? &t->sig : NULL;
}

long sys_rt_sigaction(uint64_t sig_, uint64_t act_, uint64_t oact_, uint64_t size, uint64_t a4,
                      uint64_t a5)
{
	struct kernel_sigaction act, old;
	int sig = (int)sig_;
	int err;

	if (!my_sig())
		return -ESRCH;
	if (size != SIGSET_SIZE || !sig_valid(sig))
		return -EINVAL;
	if (act_ && (SIG_BIT(sig) & SIG_UNCATCHABLE))
		return -EINVAL;
	if (act_ && copy_from_user(&act, (const void *)act_, sizeof(act)))
		return -EFAULT;
	signal_action(process_current(), sig, act_ ? &act : NULL, &old);
	if (oact_) {
		err = copy_to_user((void *)oact_, &old, sizeof(old));
		if (err)
			return err;
	}
	return 0;
}

long sys_rt_sigprocmask(uint64_t how, uint64_t set_, uint64_t oset_, uint64_t size, uint64_t a4,
                        uint64_t a5)
{
	struct thread_sig *ts = my_sig();
	uint64_t old, set, mask;
	int err;

	if (!ts)
		return -ESRCH;
	old = ts->blocked;
	if (size != SIGSET_SIZE)
		return -EINVAL;
	if (set_) {
		if (copy_from_user(&set, (const void *)set_, sizeof(set)))
			return -EFAULT;
		err = sig_mask_update(old, (int)how, set, &mask);
		if (err)
			return err;
		signal_set_blocked(mask);
	}
	if (oset_ && copy_to_user((void *)oset_, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_rt_sigpending(uint64_t set_, uint64_t size, uint64_t a2, uint64_t a3, uint64_t a4,
                       uint64_t a5)
{
	uint64_t set;

	if (!my_sig())
		return -ESRCH;
	if (size > SIGSET_SIZE)
		return -EINVAL;
	set = signal_pending_set();
	if (copy_to_user((void *)set_, &set, size))
		return -EFAULT;
	return 0;
}

/* Sleep until a signal is to be acted on; the caller returns -ERESTARTNOHAND. */
static void sleep_for_signal(void)
{
	while (!signal_pending())
		signal_sleep(TIME_NEVER);
}

long sys_pause(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	if (!my_sig())
		return -ESRCH;
	sleep_for_signal();
	return -ERESTARTNOHAND;
}

long sys_rt_sigsuspend(uint64_t set_, uint64_t size, uint64_t a2, uint64_t a3, uint64_t a4,
                       uint64_t a5)
{
	struct thread_sig *ts = my_sig();
	uint64_t set;

	if (!ts)
		return -ESRCH;
	if (size != SIGSET_SIZE)
		return -EINVAL;
	if (copy_from_user(&set, (const void *)set_, sizeof(set)))
		return -EFAULT;
	/* The old mask comes back after the handler (its frame holds it) or on restart. */
	ts->saved_mask = ts->blocked;
	ts->restore_mask = true;
	signal_set_blocked(set);
	sleep_for_signal();
	return -ERESTARTNOHAND;
}

long sys_rt_sigreturn(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct arch_uframe *f = arch_uframe(task_current());
	struct thread_sig *ts = my_sig();
	struct sig_return r;
	int err;

	if (!ts)
		return -ESRCH;
	if (arch_signal_return(f, &r)) {
		signal_fault(SIGSEGV, SI_KERNEL, 0);
		return 0;
	}
	signal_set_blocked(r.mask);
	/* As Linux: a bad saved stack_t is ignored, the registers stand. */
	err = signal_altstack_set(ts, &r.stack, arch_uframe_sp(f));
	(void)err;
	return r.ret;
}

long sys_sigaltstack(uint64_t ss_, uint64_t oss_, uint64_t a2, uint64_t a3, uint64_t a4,
                     uint64_t a5)
{
	struct thread_sig *ts = my_sig();
	struct linux_stack ss, old;
	uintptr_t sp;
	int err;

	if (!ts)
		return -ESRCH;
	sp = arch_uframe_sp(arch_uframe(task_current()));
	signal_altstack_get(ts, sp, &old);
	if (ss_) {
		if (copy_from_user(&ss, (const void *)ss_, sizeof(ss)))
			return -EFAULT;
		err = signal_altstack_set(ts, &ss, sp);
		if (err)
			return err;
	}
	if (oss_ && copy_to_user((void *)oss_, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/* The siginfo of a kill-type call from the calling process. */
static void sender_info(struct ksiginfo *info, int sig, int code)
{
	struct process *me = process_current();

	*info = (struct ksiginfo){ .signo = sig, .code = code };
	if (me) {
		info->pid = me->pid;
		info->uid = me->cred.uid;
	}
}

long sys_kill(uint64_t pid_, uint64_t sig_, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct ksiginfo info;
	int sig = (int)sig_;

	if (sig != 0 && !sig_valid(sig))
		return -EINVAL;
	sender_info(&info, sig, SI_USER);
	return signal_kill((int)pid_, sig, &info);
}

long sys_tgkill(uint64_t tgid, uint64_t tid, uint64_t sig_, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct ksiginfo info;
	int sig = (int)sig_;

	if ((int)tgid <= 0 || (int)tid <= 0 || (sig != 0 && !sig_valid(sig)))
		return -EINVAL;
	sender_info(&info, sig, SI_TKILL);
	return signal_kill_thread((int)tgid, (int)tid, sig, &info);
}

long sys_tkill(uint64_t tid, uint64_t sig_, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct ksiginfo info;
	int sig = (int)sig_;

	if ((int)tid <= 0 || (sig != 0 && !sig_valid(sig)))
		return -EINVAL;
	sender_info(&info, sig, SI_TKILL);
	return signal_kill_thread(0, (int)tid, sig, &info);
}

long sys_rt_sigqueueinfo(uint64_t pid, uint64_t sig_, uint64_t uinfo, uint64_t a3, uint64_t a4,
                         uint64_t a5)
{
	struct linux_siginfo si;
	struct ksiginfo info;
	int sig = (int)sig_;

	if (!my_sig())
		return -ESRCH;
	if (sig != 0 && !sig_valid(sig))
		return -EINVAL;
	if (copy_from_user(&si, (const void *)uinfo, sizeof(si)))
		return -EFAULT;
	/* Only the kernel may claim SI_USER or a positive code to another process. */
	if ((si.si_code >= 0 || si.si_code == SI_TKILL) && (int)pid != process_current()->pid)
		return -EPERM;
	sender_info(&info, sig, si.si_code);
	info.value = si.proc.value;
	if ((int)pid <= 0)
		return -ESRCH;
	return signal_kill((int)pid, sig, &info);
}

long sys_rt_sigtimedwait(uint64_t set_, uint64_t info_, uint64_t ts_, uint64_t size, uint64_t a4,
                         uint64_t a5)
{
	struct linux_siginfo si;
	struct ksiginfo info;
	uint64_t set, deadline = TIME_NEVER;
	struct timespec tv;
	int sig;

	if (!my_sig())
		return -ESRCH;
	if (size != SIGSET_SIZE)
		return -EINVAL;
	if (copy_from_user(&set, (const void *)set_, sizeof(set)))
		return -EFAULT;
	if (ts_) {
		if (copy_from_user(&tv, (const void *)ts_, sizeof(tv)))
			return -EFAULT;
		if (!timespec_valid(&tv))
			return -EINVAL;
		/* Saturating: a timeout of centuries is a wait without end, not a wrap. */
		deadline = ns_add_sat(clock_monotonic_ns(), timespec_to_ns(&tv));
	}
	sig = signal_wait_set(set & ~SIG_UNCATCHABLE, deadline, &info);
	if (sig < 0)
		return sig;
	if (info_) {
		sig_info_to_linux(&info, &si);
		if (copy_to_user((void *)info_, &si, sizeof(si)))
			return -EFAULT;
	}
	return sig;
}
