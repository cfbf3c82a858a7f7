/* SPDX-License-Identifier: MIT */
/*
 * Signals: the per-process handler table (struct sighand, shared by
 * CLONE_SIGHAND), the pending sets of each thread and of the process, the
 * blocked mask of each thread, and the calls other subsystems use to send,
 * check and deliver them. The frame a handler gets is built by the
 * architecture (kernel/arch/x86_64/cpu/signal.c); the system calls are in
 * kernel/syscall/sys_signal.c. Model, rules and locks: docs/signals.md.
 *
 * Locks: [S] the sighand's lock, which guards the handlers, every pending
 * set of the processes sharing it and their threads' blocked masks (each
 * thread writes its own mask only, so it may read it without the lock);
 * [T] the thread itself; [a] atomic.
 */
#pragma once

#include <cairn/compiler.h>
#include <cairn/linux/signal.h>

#include <lib/list/list.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sched/spinlock.h"
#include "sched/wait.h"

struct process;
struct thread;
struct arch_uframe;

/* Signal sets are uint64_t: bit n-1 stands for signal n (lib/signal's SIG_BIT()). */

/* What the kernel knows about one sent signal; laid out as siginfo_t on delivery. */
struct ksiginfo {
	int signo;      /* 1..NSIG */
	int code;       /* SI_*, SEGV_*, CLD_*... */
	int err;        /* si_errno */
	int pid;        /* sender, or the child for SIGCHLD */
	uint32_t uid;   /* the sender's real uid */
	int status;     /* SIGCHLD: exit code or signal */
	uint64_t value; /* sigqueue's sigval */
	uintptr_t addr; /* faults: the address */
	int64_t utime;  /* SIGCHLD: user time in clock ticks */
	int64_t stime;  /* SIGCHLD: system time in clock ticks */
};

/* Pending signals with their queued information, oldest first. */
struct sigpending {
	uint64_t set;           /* [S] signals pending */
	struct list_node queue; /* [S] struct sigqueue by link */
};

/* The handlers of one process (or of several sharing them with CLONE_SIGHAND). */
struct sighand {
	struct spinlock lock;
	int refs;                             /* [a] processes using it */
	struct kernel_sigaction action[NSIG]; /* [S] action[sig - 1] */
};

/* Per-thread signal state; struct thread embeds it as `sig`. */
struct thread_sig {
	uint64_t blocked;          /* [S] written by the thread itself */
	uint64_t saved_mask;       /* [T] mask to restore after a handler (sigsuspend) */
	bool restore_mask;         /* [T] saved_mask is to be restored on delivery */
	int notify;                /* [a] something may be deliverable: the cheap test */
	struct sigpending pending; /* [S] sent to this thread (tkill, faults) */
	uintptr_t ss_sp;           /* [T] sigaltstack base, 0: none */
	size_t ss_size;            /* [T] its size in bytes */
	uint32_t ss_flags;         /* [T] SS_DISABLE or SS_AUTODISARM */
};

/* Stop states of a process (job control). */
enum sig_stop_state {
	SIG_RUNNING = 0, /* not stopped */
	SIG_STOPPED, /* stopped until SIGCONT or SIGKILL: its threads sleep as they reach user mode */
};

/* Per-process signal state; struct process embeds it as `sig`. */
struct proc_sig {
	struct sigpending shared; /* [S] sent to the process (kill) */
	int stop_state;           /* [S] enum sig_stop_state */
	int stop_sig;             /* [S] the signal that stopped it */
	bool stop_unreported;     /* [S] a stop wait4(WUNTRACED) has not seen */
	bool cont_unreported;     /* [S] a continue waitid(WCONTINUED) has not seen */
	unsigned queued;          /* [S] queue entries held by the process and its threads */
	struct waitq stop_wq;     /* stopped threads sleep here until SIGCONT */
};

/* ---- the interface for other subsystems (the contract, i11-interfaces.md) ---- */

/*
 * Send @sig to process @p: one of its threads that does not block it gets
 * it (or it waits in the shared set). @info may be NULL (SI_KERNEL).
 * Signal 0 only checks. No permission check (the caller made it).
 * Returns 0 or -EINVAL (bad number), -EAGAIN (a real-time signal could not
 * be queued), -ESRCH (a process still being made); callers that send
 * standard signals may ignore it. Any context: it takes only spinlocks (the
 * process's, then its sighand's), so interrupt handlers may send (^C).
 */
int signal_send_process(struct process *p, int sig, const struct ksiginfo *info);
/* The same for one thread (tkill, faults). */
int signal_send_thread(struct thread *t, int sig, const struct ksiginfo *info);

/* True when the calling thread has a signal to act on (blocking calls check it). */
bool signal_pending(void);
/*
 * True when the calling thread's process is being ended: a SIGKILL is
 * pending, its group exits, or the kernel asked the task to end. Long
 * copies that are not interrupted by ordinary signals (regular files, as
 * on Linux) stop early for this, so that no call keeps a killed process
 * alive for the length of a 2 GiB transfer.
 */
bool signal_fatal_pending(void);

/*
 * A fault in user mode: send @sig (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP)
 * with @code and si_addr @addr to the calling thread, forced: unblocked,
 * and the default action if it was ignored. The return to user mode
 * delivers it. Called by the trap handler with interrupts on or off.
 */
void signal_fault(int sig, int code, uintptr_t addr);

/*
 * On every return to user mode, after the system call or interrupt: act
 * on the pending signals of the calling thread (default action, stop, or a
 * handler frame on the user stack, rewriting @f) and finish a system call
 * interrupted with -ERESTART* (docs/signals.md). May not return (the
 * process dies). Task context, interrupts on.
 */
void signal_deliver(struct arch_uframe *f);

/* ---- hooks for the process lane ---- */

/* A fresh handler table, all SIG_DFL, one reference. 0 or -ENOMEM. */
int __must_check sighand_create(struct sighand **out);
/* A copy of @src's handlers (fork without CLONE_SIGHAND). 0 or -ENOMEM. */
int __must_check sighand_copy(const struct sighand *src, struct sighand **out);
void sighand_get(struct sighand *sh);
void sighand_put(struct sighand *sh);

/* Empty per-process / per-thread state (no pending signal, nothing blocked). */
void signal_proc_init(struct proc_sig *ps);
void signal_thread_init(struct thread_sig *ts);
/*
 * A new thread made by fork or clone from @parent: it inherits the mask
 * and, unless the clone shares the address space without vfork, the
 * alternate stack (Linux's rule). Pending signals are not inherited.
 */
void signal_thread_inherit(struct thread_sig *ts, const struct thread_sig *parent, bool share_vm);
/*
 * Thread @t of @p becomes visible (fork, clone), created by the calling
 * thread: if a SIGKILL reached the creator while it was making @t (kill of
 * its group, exit_group, exec), @t gets one too, so it cannot slip out of
 * a group kill that could not see it yet (Linux restarts or fails the fork
 * instead). With proc_lock held, which kill(-pgid) holds while it walks
 * the group, and @t's task not yet running.
 */
void signal_fork_child_locked(struct process *p, struct thread *t);

/* Drop what is queued to a thread or a process that goes away. */
void signal_thread_release(struct thread_sig *ts);
void signal_proc_release(struct proc_sig *ps);

/*
 * execve: handled signals go back to SIG_DFL, ignored ones stay ignored,
 * the mask and pending signals stay, the alternate stack is dropped. A
 * table shared with another process (CLONE_SIGHAND) is unshared first.
 * Returns 0 or -ENOMEM (nothing changed). The caller is the only thread.
 */
int __must_check signal_exec_reset(struct process *p);

/*
 * For wait4/waitid: consume an unreported stop (status (sig << 8) | 0x7f)
 * or continue (status 0xffff) of @p. True if there was one. Takes the
 * sighand lock (proc_lock may be held).
 */
bool signal_take_stop_report(struct process *p, int *status);
bool signal_take_cont_report(struct process *p, int *status);

/*
 * Set the calling thread's blocked mask to @mask (SIGKILL and SIGSTOP are
 * never blocked) and hand shared signals it now blocks to another thread.
 */
void signal_set_blocked(uint64_t mask);

/* The wait status a default action would leave, for tests: sig, | 0x80 for core. */
int signal_term_status(int sig);

/* ---- the operations behind the system calls (kernel/syscall/sys_signal.c) ---- */

/*
 * Read the action of @sig of @p into *@old (if not NULL) and set @act (if
 * not NULL; SIGKILL/SIGSTOP are the caller's to refuse). Setting a signal
 * to be ignored drops it where it is pending (POSIX). @sig is valid.
 */
void signal_action(struct process *p, int sig, const struct kernel_sigaction *act,
                   struct kernel_sigaction *old);

/* Pending signals of the calling thread and its process that it blocks (rt_sigpending). */
uint64_t signal_pending_set(void);

/*
 * Sleep until a signal is pending for the calling thread or @deadline_ns
 * (TIME_NEVER: none) passes; may return early, the caller tests again.
 */
void signal_sleep(uint64_t deadline_ns);

/* The calling thread's alternate stack as sigaltstack reports it at user sp @sp. */
void signal_altstack_get(const struct thread_sig *ts, uintptr_t sp, struct linux_stack *out);
/*
 * Set it from @ss (sigaltstack, rt_sigreturn) while the thread runs at
 * user sp @sp. Returns 0, -EPERM (on it now), -EINVAL (flags) or -ENOMEM
 * (smaller than MINSIGSTKSZ).
 */
int __must_check signal_altstack_set(struct thread_sig *ts, const struct linux_stack *ss,
                                     uintptr_t sp);

/*
 * kill(): @pid > 0 one process, 0 the caller's process group, -1 every
 * process it may signal but init and itself, < -1 the group -@pid. Checks
 * permission (kill(2)). @sig 0 checks only. Returns 0, -ESRCH or -EPERM.
 */
int __must_check signal_kill(int pid, int sig, const struct ksiginfo *info);

/*
 * @sig from the kernel itself (no permission check, SI_KERNEL) to every
 * process of group @pgid. Returns 0, -ESRCH (no such group) or -EAGAIN.
 * Any context, interrupt handlers included.
 */
int signal_kill_pgrp(int pgid, int sig);

/* tgkill (@tgid > 0) and tkill (@tgid 0): thread @tid. 0, -ESRCH, -EPERM or -EAGAIN. */
int __must_check signal_kill_thread(int tgid, int tid, int sig, const struct ksiginfo *info);

/*
 * rt_sigtimedwait: take a pending signal of @set (without running its
 * handler), waiting until @deadline_ns. Returns the signal with *@info,
 * -EAGAIN at the deadline, or -EINTR when another signal came.
 */
int signal_wait_set(uint64_t set, uint64_t deadline_ns, struct ksiginfo *info);
