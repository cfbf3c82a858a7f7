// SPDX-License-Identifier: MIT
/*
 * The pure rules of signals (lib/signal/signal.h): tables and arithmetic
 * only, so the kernel and the host tests run the same code.
 */
#include "lib/signal/signal.h"

#include <cairn/errno.h>

#define RED_ZONE  128 /* System V x86_64 ABI, 3.2.2: below sp, not to be clobbered */
#define FPU_ALIGN 64  /* XSAVE needs a 64-byte aligned area (Intel SDM Vol. 1, 13.4) */

bool sig_valid(int sig)
{
	return sig >= 1 && sig <= NSIG;
}

enum sig_action sig_default_action(int sig)
{
	uint64_t bit;

	if (!sig_valid(sig) || sig >= SIGRTMIN)
		return SIG_ACT_TERM;
	bit = SIG_BIT(sig);
	if (bit & (SIG_BIT(SIGCHLD) | SIG_BIT(SIGURG) | SIG_BIT(SIGWINCH)))
		return SIG_ACT_IGN;
	if (bit & SIG_BIT(SIGCONT))
		return SIG_ACT_CONT;
	if (bit & SIG_STOPS)
		return SIG_ACT_STOP;
	if (bit & (SIG_BIT(SIGQUIT) | SIG_BIT(SIGILL) | SIG_BIT(SIGTRAP) | SIG_BIT(SIGABRT) |
	           SIG_BIT(SIGBUS) | SIG_BIT(SIGFPE) | SIG_BIT(SIGSEGV) | SIG_BIT(SIGXCPU) |
	           SIG_BIT(SIGXFSZ) | SIG_BIT(SIGSYS)))
		return SIG_ACT_CORE;
	return SIG_ACT_TERM;
}

int sig_next(uint64_t pending, uint64_t blocked)
{
	uint64_t ready = pending & ~blocked;

	if (!ready)
		return 0;
	/* A fault must be taken before anything else, or its handler would see
	 * another signal's frame first (Linux's SYNCHRONOUS_MASK). */
	if (ready & SIG_SYNCHRONOUS)
		ready &= SIG_SYNCHRONOUS;
	return __builtin_ctzll(ready) + 1;
}

int sig_mask_update(uint64_t old, int how, uint64_t set, uint64_t *out)
{
	uint64_t mask;

	switch (how) {
	case SIG_BLOCK:
		mask = old | set;
		break;
	case SIG_UNBLOCK:
		mask = old & ~set;
		break;
	case SIG_SETMASK:
		mask = set;
		break;
	default:
		return -EINVAL;
	}
	*out = mask & ~SIG_UNCATCHABLE;
	return 0;
}

bool sig_kill_permitted(const struct sig_creds *from, const struct sig_creds *to, int sig,
                        bool same_session)
{
	if (from->euid == 0)
		return true;
	if (sig == SIGCONT && same_session)
		return true;
	return from->euid == to->uid || from->euid == to->suid || from->uid == to->uid ||
	       from->uid == to->suid;
}

bool sig_on_altstack(uintptr_t sp, uintptr_t ss_sp, size_t ss_size)
{
	/* Linux's test: the top of the stack counts as on it, the base does not. */
	return ss_size && sp > ss_sp && sp - ss_sp <= ss_size;
}

int sig_place_frame(const struct sig_stack_req *req, struct sig_stack_place *out)
{
	uintptr_t sp = req->sp - RED_ZONE;
	bool nested = sig_on_altstack(req->sp, req->ss_sp, req->ss_size);
	bool entering = false;
	size_t need = req->fpu_size + req->frame_size + FPU_ALIGN + 16;

	if (req->want_onstack && req->ss_size && !(req->ss_flags & SS_DISABLE) && !nested) {
		sp = req->ss_sp + req->ss_size;
		entering = true;
	}
	if (sp < need || req->sp < RED_ZONE)
		return -EFAULT;
	out->fpu = (sp - req->fpu_size) & ~(uintptr_t)(FPU_ALIGN - 1);
	out->frame = ((out->fpu - req->frame_size) & ~(uintptr_t)15) - 8;
	out->onstack = nested || entering;
	/* On the alternate stack a frame that falls off its bottom is refused, not
	 * written over whatever lies below it. */
	if (out->onstack && !sig_on_altstack(out->frame, req->ss_sp, req->ss_size))
		return -EFAULT;
	return 0;
}

int sig_altstack_check(uintptr_t cur_sp, uintptr_t old_sp, size_t old_size, uint32_t flags,
                       size_t size)
{
	uint32_t mode = flags & ~SS_AUTODISARM;

	if (sig_on_altstack(cur_sp, old_sp, old_size))
		return -EPERM;
	if (mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE)
		return -EINVAL;
	if (mode != SS_DISABLE && size < MINSIGSTKSZ)
		return -ENOMEM;
	return 0;
}

enum sig_restart sig_restart_rule(long ret, bool handler, bool sa_restart)
{
	switch (ret) {
	case -ERESTARTNOINTR:
		return SIG_RESTART_AGAIN;
	case -ERESTARTSYS:
		return !handler || sa_restart ? SIG_RESTART_AGAIN : SIG_RESTART_EINTR;
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		return handler ? SIG_RESTART_EINTR : SIG_RESTART_AGAIN;
	default:
		return SIG_RESTART_NONE;
	}
}
