/* SPDX-License-Identifier: MIT */
/*
 * The pure rules of signals, kept apart from the kernel so the host tests
 * can check them against Linux's behaviour: default actions, which pending
 * signal goes first, the mask updates of rt_sigprocmask, who may signal
 * whom, where a handler's frame goes on the stack, and what becomes of a
 * system call a signal interrupted. Freestanding; no kernel header.
 */
#pragma once

#include <cairn/compiler.h>
#include <cairn/linux/signal.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bit of signal @sig in a 64-bit set (bit n-1 for signal n). */
#define SIG_BIT(sig) (1ull << ((sig)-1))

/* SIGKILL and SIGSTOP: never caught, blocked or ignored. */
#define SIG_UNCATCHABLE (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))
/* Faults the thread caused itself; they are taken before any other signal. */
#define SIG_SYNCHRONOUS                                                            \
	(SIG_BIT(SIGSEGV) | SIG_BIT(SIGBUS) | SIG_BIT(SIGILL) | SIG_BIT(SIGTRAP) | \
	 SIG_BIT(SIGFPE) | SIG_BIT(SIGSYS))
/* The stop signals (SIGSTOP and the terminal ones). */
#define SIG_STOPS (SIG_BIT(SIGSTOP) | SIG_BIT(SIGTSTP) | SIG_BIT(SIGTTIN) | SIG_BIT(SIGTTOU))

enum sig_action {
	SIG_ACT_TERM = 1, /* end the process */
	SIG_ACT_CORE,     /* end it "with a core dump": Cairn writes none, the status says so */
	SIG_ACT_STOP,     /* stop the process until SIGCONT */
	SIG_ACT_CONT,     /* continue a stopped process (nothing more) */
	SIG_ACT_IGN,      /* nothing */
};

/* True for 1..NSIG. */
bool sig_valid(int sig);

/* The default action of signal @sig (signal(7)); SIG_ACT_TERM for real-time ones. */
enum sig_action sig_default_action(int sig);

/*
 * The next signal to take from @pending that @blocked does not block:
 * synchronous faults first, then the lowest number. 0 when there is none.
 */
int sig_next(uint64_t pending, uint64_t blocked);

/*
 * rt_sigprocmask's update of @old by @how (SIG_BLOCK, SIG_UNBLOCK,
 * SIG_SETMASK) with @set, into *@out; SIGKILL and SIGSTOP are never
 * blocked. Returns 0 or -EINVAL (unknown @how; *@out untouched).
 */
int __must_check sig_mask_update(uint64_t old, int how, uint64_t set, uint64_t *out);

/* The credentials that decide whether kill() is allowed (kill(2), "Permissions"). */
struct sig_creds {
	uint32_t uid, euid, suid;
};

/*
 * May a sender with @from signal a process with @to? Yes for a privileged
 * sender (euid 0), when the sender's uid or euid equals the target's uid
 * or saved uid, and for SIGCONT within one session (@same_session).
 */
bool sig_kill_permitted(const struct sig_creds *from, const struct sig_creds *to, int sig,
                        bool same_session);

/* Where a handler runs: the thread's registers and alternate stack. */
struct sig_stack_req {
	uintptr_t sp;      /* the interrupted user stack pointer */
	uintptr_t ss_sp;   /* alternate stack base, 0: none */
	size_t ss_size;    /* its size */
	uint32_t ss_flags; /* SS_DISABLE, SS_AUTODISARM */
	bool want_onstack; /* the handler has SA_ONSTACK */
	size_t frame_size; /* bytes of the frame proper (return address, ucontext, siginfo) */
	size_t fpu_size;   /* bytes of the FPU state stored above it (64-byte aligned) */
};

struct sig_stack_place {
	uintptr_t frame; /* the handler's stack pointer: the frame starts here */
	uintptr_t fpu;   /* the FPU state's address */
	bool onstack;    /* the frame is on the alternate stack */
};

/* True when @sp lies on the alternate stack [@ss_sp, @ss_sp + @ss_size). */
bool sig_on_altstack(uintptr_t sp, uintptr_t ss_sp, size_t ss_size);

/*
 * Place a handler's frame (x86_64 System V rules, as Linux does): skip the
 * 128-byte red zone unless switching to the alternate stack, put the FPU
 * state 64-byte aligned at the top, then the frame so that the handler
 * starts with (sp + 8) 16-byte aligned, as after a call. Returns 0 or
 * -EFAULT (the frame would wrap, or overflow the alternate stack it is on).
 */
int __must_check sig_place_frame(const struct sig_stack_req *req, struct sig_stack_place *out);

/*
 * sigaltstack's checks of a new stack (@sp, @size, @flags) while the
 * thread runs at @cur_sp on the stack it has now (@old_sp, @old_size):
 * 0, -EPERM (the thread is on it now), -EINVAL (unknown flags) or -ENOMEM
 * (smaller than MINSIGSTKSZ).
 */
int __must_check sig_altstack_check(uintptr_t cur_sp, uintptr_t old_sp, size_t old_size,
                                    uint32_t flags, size_t size);

enum sig_restart {
	SIG_RESTART_NONE = 0, /* not an interrupted call: leave the result */
	SIG_RESTART_EINTR,    /* return -EINTR */
	SIG_RESTART_AGAIN,    /* run the call again */
};

/*
 * What becomes of a system call that returned @ret when a signal is taken:
 * @handler says whether a handler runs now, @sa_restart whether it has
 * SA_RESTART. With no handler (ignored, stop and continue) every
 * -ERESTART* call is restarted.
 */
enum sig_restart sig_restart_rule(long ret, bool handler, bool sa_restart);
