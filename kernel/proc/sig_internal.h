/* SPDX-License-Identifier: MIT */
/*
 * Signals inside kernel/proc: the pending-set and queue operations of
 * sigqueue.c, which signal.c builds the sending and delivery on. They work
 * on the state structs alone, so the kernel tests drive them without
 * processes. Every function here expects the sighand lock [S] held (or a
 * state no other CPU can see).
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stdint.h>

#include "proc/proc.h"
#include "proc/signal.h"

/* Queue entries in the whole kernel, and per process (Linux's RLIMIT_SIGPENDING role). */
#define SIGQUEUE_POOL     2048
#define SIGQUEUE_PER_PROC 512

void sigpending_init(struct sigpending *p);

/*
 * Make @sig pending in @p with @info (NULL: SI_KERNEL). A standard signal
 * already pending is merged into it; a real-time one queues once more.
 * *@queued counts the entries of the owning process. Returns 0, or -EAGAIN
 * when a real-time signal with a si_code below 0 (sigqueue, tkill) finds
 * no entry; other signals are then pending with their information lost.
 * Any context.
 */
int __must_check sigpending_add(struct sigpending *p, int sig, const struct ksiginfo *info,
                                unsigned *queued);

/* Take one instance of pending @sig from @p into *@out (synthesised when none was queued). */
void sigpending_take(struct sigpending *p, int sig, struct ksiginfo *out, unsigned *queued);

/* Drop every pending signal of @mask from @p. */
void sigpending_flush(struct sigpending *p, uint64_t mask, unsigned *queued);

/*
 * Take the next deliverable signal for a thread: its own pending set
 * first, then the process's shared one, faults before all else, lowest
 * number first. Returns the signal (info in *@out) or 0.
 */
int sig_dequeue(struct thread_sig *ts, struct proc_sig *ps, uint64_t blocked, struct ksiginfo *out);

/* Entries free in the pool (for leak tests). */
unsigned sigqueue_pool_free(void);

/* Lay @k out as siginfo_t, zero-filled, the union member chosen by signal and code. */
void sig_info_to_linux(const struct ksiginfo *k, struct linux_siginfo *out);

/*
 * SIGCHLD with @why (CLD_STOPPED, CLD_CONTINUED) for stop signal @sig to
 * @p's parent unless it asked for SA_NOCLDSTOP, and a wake of its wait4
 * callers. No lock held.
 */
void signal_notify_parent(struct process *p, int why, int sig);

/* Put signal @sig of @p back to SIG_DFL (a fault that cannot be handled). */
void signal_reset_handler(struct process *p, int sig);

/*
 * Take @p's lock (unless this CPU holds it already: *@took_p says) and
 * then its sighand's lock; sig_unlock() undoes both. Returns the
 * interrupt state to hand back.
 */
uint64_t sig_lock(struct process *p, bool *took_p) __acquires(&p->lock, &p->sighand->lock);
void sig_unlock(struct process *p, bool took_p, uint64_t flags)
	__releases(&p->lock, &p->sighand->lock);

/* Tell @t something may be deliverable and wake it if it sleeps. Any lock. */
void sig_notify_thread(struct thread *t);
/* The same for every thread of @p but @except; [P] and [S] held. */
void sig_notify_all_locked(struct process *p, const struct thread *except)
	__must_hold(&p->lock, &p->sighand->lock);
