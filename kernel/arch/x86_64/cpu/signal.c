// SPDX-License-Identifier: MIT
/*
 * The x86_64 signal frame, laid out as Linux lays it out so that glibc and
 * musl read it (include/cairn/linux/signal.h): the restorer's address, a
 * ucontext with the registers in uc_mcontext, the siginfo, and the FPU
 * state above them, 64-byte aligned (FXSAVE image, then the XSAVE area
 * with its software bytes and end marker when the CPU uses XSAVE).
 * rt_sigreturn reads it back and trusts nothing in it: the segments are
 * forced to the user ones, only user flags come back, the addresses must
 * lie in user space and the FPU image must be one XRSTOR/FXRSTOR accepts.
 */
#include <cairn/compiler.h>
#include <cairn/errno.h>

#include <lib/signal/signal.h>
#include <lib/string.h>

#include "arch/arch.h"
#include "arch/x86_64/x86.h"
#include "mm/uaccess.h"
#include "proc/sig_internal.h"
#include "proc/signal_arch.h"
#include "sched/task.h"

#define USER_LIMIT         0x00007ffffffff000ull /* the first byte above user space (mm's USER_TOP) */
#define MXCSR_DEFAULT_MASK 0xffbfu /* when FXSAVE reports 0 (Intel SDM Vol. 1, 11.6.6) */
#define XFEATURE_SSE       (1ull << 1)
#define XFEATURE_X87       (1ull << 0)
/*
 * Linux's user code selector (__USER_CS, GDT entry 6). A frame built for
 * Linux may name it; it means "user code" like Cairn's own X86_SEL_UCODE.
 */
#define LINUX_USER_CS      0x33

/* The bytes the FPU state takes in a frame: the image, plus the end marker with XSAVE. */
static size_t fpu_frame_size(void)
{
	if (!x86_fpu_uses_xsave())
		return FXSAVE_SIZE;
	return x86_fpu_image_size() + FP_XSTATE_MAGIC2_SIZE;
}

/* XCR0: the state components XSAVE saves (Intel SDM Vol. 1, 13.3). */
static uint64_t xcr0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

/* The MXCSR bits this CPU accepts; FXRSTOR/XRSTOR raise #GP for any other (Vol. 1, 11.6.6). */
static uint32_t mxcsr_mask(void)
{
	static uint32_t mask;
	uint8_t img[TASK_FPU_SIZE] __aligned(64);
	uint32_t m = __atomic_load_n(&mask, __ATOMIC_RELAXED);

	if (m)
		return m;
	memset(img, 0, sizeof(img));
	x86_fpu_save_current(img);
	memcpy(&m, img + FXSAVE_MXCSR_MASK, sizeof(m));
	if (!m)
		m = MXCSR_DEFAULT_MASK;
	__atomic_store_n(&mask, m, __ATOMIC_RELAXED);
	return m;
}

/* Save the live FPU state into @img as a signal frame holds it. */
static void fpu_to_frame(uint8_t *img)
{
	struct linux_fpx_sw_bytes sw = { 0 };
	uint32_t magic2 = FP_XSTATE_MAGIC2;
	unsigned size = x86_fpu_image_size();

	memset(img, 0, TASK_FPU_SIZE);
	x86_fpu_save_current(img);
	if (!x86_fpu_uses_xsave())
		return;
	sw.magic1 = FP_XSTATE_MAGIC1;
	sw.extended_size = size + FP_XSTATE_MAGIC2_SIZE;
	sw.xfeatures = xcr0();
	sw.xstate_size = size;
	memcpy(img + FXSAVE_SW_BYTES, &sw, sizeof(sw));
	memcpy(img + size, &magic2, sizeof(magic2));
}

/* The mcontext of @f: every register, and for a fault its vector, error code and address. */
static void regs_to_sigcontext(const struct arch_uframe *f, const struct ksiginfo *info,
                               struct linux_sigcontext *sc)
{
	const struct arch_regs *r = &f->r;

	*sc = (struct linux_sigcontext){
		.r8 = r->r8,
		.r9 = r->r9,
		.r10 = r->r10,
		.r11 = r->r11,
		.r12 = r->r12,
		.r13 = r->r13,
		.r14 = r->r14,
		.r15 = r->r15,
		.rdi = r->rdi,
		.rsi = r->rsi,
		.rbp = r->rbp,
		.rbx = r->rbx,
		.rdx = r->rdx,
		.rax = r->rax,
		.rcx = r->rcx,
		.rsp = r->rsp,
		.rip = r->rip,
		.eflags = r->rflags,
		.cs = (uint16_t)r->cs,
		.ss = (uint16_t)r->ss,
	};
	if (r->vector < 32) {
		sc->trapno = r->vector;
		sc->err = r->error;
		if (r->vector == 14) /* #PF: CR2 (Intel SDM Vol. 3A, 6.15) */
			sc->cr2 = info->addr;
	}
}

/* Fill the frame proper (everything but the FPU image) for @req at @pl. */
static void build_frame(const struct arch_uframe *f, const struct sig_frame_req *req,
                        const struct sig_stack_place *pl, struct linux_rt_sigframe *fr)
{
	memset(fr, 0, sizeof(*fr));
	fr->pretcode = req->ka->sa_restorer;
	fr->uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	if (x86_fpu_uses_xsave())
		fr->uc.uc_flags |= UC_FP_XSTATE;
	signal_altstack_get(req->ts, f->r.rsp, &fr->uc.uc_stack);
	regs_to_sigcontext(f, req->info, &fr->uc.uc_mcontext);
	fr->uc.uc_mcontext.oldmask = req->mask;
	fr->uc.uc_mcontext.fpstate = pl->fpu;
	fr->uc.uc_sigmask = req->mask;
	sig_info_to_linux(req->info, &fr->info);
}

/* The handler's call: handler(sig, &info, &uc) with the stack at @frame, as after a call. */
static void point_at_handler(struct arch_uframe *f, const struct sig_frame_req *req,
                             uintptr_t frame)
{
	f->r.rdi = (uint64_t)req->sig;
	f->r.rsi = frame + offsetof(struct linux_rt_sigframe, info);
	f->r.rdx = frame + offsetof(struct linux_rt_sigframe, uc);
	f->r.rax = 0;
	f->r.rsp = frame;
	f->r.rip = req->ka->sa_handler;
	f->r.cs = X86_SEL_UCODE;
	f->r.ss = X86_SEL_UDATA;
	/* The ABI wants DF clear at a call; single-stepping does not follow into the handler. */
	f->r.rflags &= ~(X86_RFLAGS_DF | X86_RFLAGS_RF | X86_RFLAGS_TF);
}

int arch_signal_setup_frame(struct arch_uframe *f, const struct sig_frame_req *req)
{
	struct sig_stack_req sreq = {
		.sp = f->r.rsp,
		.ss_sp = req->ts->ss_sp,
		.ss_size = req->ts->ss_size,
		.ss_flags = req->ts->ss_flags,
		.want_onstack = req->ka->sa_flags & SA_ONSTACK,
		.frame_size = sizeof(struct linux_rt_sigframe),
		.fpu_size = fpu_frame_size(),
	};
	uint8_t img[TASK_FPU_SIZE] __aligned(64);
	struct linux_rt_sigframe fr;
	struct sig_stack_place pl;

	/* x86_64 handlers return through the restorer; libc always gives one (Linux refuses too). */
	if (!(req->ka->sa_flags & SA_RESTORER) || sreq.fpu_size > sizeof(img))
		return -EFAULT;
	if (sig_place_frame(&sreq, &pl))
		return -EFAULT;
	build_frame(f, req, &pl, &fr);
	fpu_to_frame(img);
	if (copy_to_user((void *)pl.fpu, img, sreq.fpu_size) ||
	    copy_to_user((void *)pl.frame, &fr, sizeof(fr)))
		return -EFAULT;
	if (req->ts->ss_flags & SS_AUTODISARM) {
		req->ts->ss_sp = 0;
		req->ts->ss_size = 0;
		req->ts->ss_flags = SS_DISABLE;
	}
	point_at_handler(f, req, pl.frame);
	x86_fpu_reset_current();
	return 0;
}

/* ---- rt_sigreturn ---- */

/* Whether @img (an FXSAVE image, and with XSAVE the header after it) is safe to load. */
static bool fpu_image_ok(const uint8_t *img, bool xsave)
{
	uint64_t header[XSAVE_HEADER_SIZE / 8];
	uint32_t mxcsr;

	memcpy(&mxcsr, img + FXSAVE_MXCSR, sizeof(mxcsr));
	if (mxcsr & ~mxcsr_mask())
		return false;
	if (!xsave)
		return true;
	/* Standard form only: XSTATE_BV within XCR0, the rest of the header zero (Vol. 1, 13.8.1). */
	memcpy(header, img + XSAVE_HEADER, sizeof(header));
	if (header[0] & ~xcr0())
		return false;
	for (size_t i = 1; i < ARRAY_SIZE(header); i++)
		if (header[i])
			return false;
	return true;
}

/*
 * Read the FPU state a frame points at into @img, ready for XRSTOR or
 * FXRSTOR. An XSAVE area without its markers counts as a bare FXSAVE image
 * (the x87 and SSE state; the rest starts clean). 0 or -EFAULT.
 */
static int fpu_from_frame(uintptr_t ufp, uint8_t *img)
{
	struct linux_fpx_sw_bytes sw;
	unsigned size = x86_fpu_image_size();
	bool xsave = x86_fpu_uses_xsave();
	uint64_t bv = XFEATURE_X87 | XFEATURE_SSE;
	uint32_t magic2 = 0;

	memset(img, 0, TASK_FPU_SIZE);
	if (ufp & 63 || copy_from_user(img, (const void *)ufp, FXSAVE_SIZE))
		return -EFAULT;
	memcpy(&sw, img + FXSAVE_SW_BYTES, sizeof(sw));
	if (xsave && sw.magic1 == FP_XSTATE_MAGIC1 && sw.xstate_size == size &&
	    sw.extended_size == size + FP_XSTATE_MAGIC2_SIZE) {
		if (copy_from_user(img, (const void *)ufp, size) ||
		    copy_from_user(&magic2, (const void *)(ufp + size), sizeof(magic2)))
			return -EFAULT;
	}
	if (xsave && magic2 != FP_XSTATE_MAGIC2) {
		memset(img + XSAVE_HEADER, 0, size - XSAVE_HEADER);
		memcpy(img + XSAVE_HEADER, &bv, sizeof(bv));
	}
	memset(img + FXSAVE_SW_BYTES, 0, FXSAVE_SIZE - FXSAVE_SW_BYTES);
	return fpu_image_ok(img, xsave) ? 0 : -EFAULT;
}

/* Load @img (checked by fpu_from_frame()) into this CPU's FPU. */
static void fpu_load(const uint8_t *img)
{
	if (x86_fpu_uses_xsave())
		__asm__ volatile("xrstor64 (%0)" : : "r"(img), "a"(-1), "d"(-1) : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" : : "r"(img) : "memory");
}

static bool user_addr(uint64_t a)
{
	return a < USER_LIMIT;
}

/* Load the registers of @sc into @f, keeping the kernel's say on segments and flags. */
static void sigcontext_to_regs(const struct linux_sigcontext *sc, struct arch_uframe *f)
{
	struct arch_regs *r = &f->r;

	r->r8 = sc->r8, r->r9 = sc->r9, r->r10 = sc->r10, r->r11 = sc->r11;
	r->r12 = sc->r12, r->r13 = sc->r13, r->r14 = sc->r14, r->r15 = sc->r15;
	r->rdi = sc->rdi, r->rsi = sc->rsi, r->rbp = sc->rbp, r->rbx = sc->rbx;
	r->rdx = sc->rdx, r->rax = sc->rax, r->rcx = sc->rcx, r->rsp = sc->rsp;
	r->rip = sc->rip;
	r->rflags = (r->rflags & ~X86_RFLAGS_USER) | (sc->eflags & X86_RFLAGS_USER);
	r->cs = X86_SEL_UCODE;
	r->ss = X86_SEL_UDATA;
	/* Not a system call any more: a forged rax must not look like one to restart. */
	r->error = (uint64_t)-1;
}

int arch_signal_return(struct arch_uframe *f, struct sig_return *out)
{
	/* The handler's ret popped pretcode: the ucontext starts at the stack pointer. */
	uintptr_t uc_addr = f->r.rsp;
	uint8_t img[TASK_FPU_SIZE] __aligned(64);
	struct linux_ucontext uc;
	bool have_fpu;

	if (!user_addr(uc_addr) || copy_from_user(&uc, (const void *)uc_addr, sizeof(uc)))
		return -EFAULT;
	if (!user_addr(uc.uc_mcontext.rip) || !user_addr(uc.uc_mcontext.rsp))
		return -EFAULT;
	/* Any other code segment would not be user code: Linux's IRET faults, so do we. */
	if ((uc.uc_mcontext.cs | 3) != X86_SEL_UCODE && (uc.uc_mcontext.cs | 3) != LINUX_USER_CS)
		return -EFAULT;
	have_fpu = uc.uc_mcontext.fpstate != 0;
	if (have_fpu && fpu_from_frame(uc.uc_mcontext.fpstate, img))
		return -EFAULT;
	sigcontext_to_regs(&uc.uc_mcontext, f);
	out->mask = uc.uc_sigmask;
	out->stack = uc.uc_stack;
	out->ret = (long)uc.uc_mcontext.rax;
	if (have_fpu)
		fpu_load(img);
	else
		x86_fpu_reset_current();
	return 0;
}

bool arch_signal_syscall_result(const struct arch_uframe *f, long *ret)
{
	if (arch_uframe_sysno(f) < 0)
		return false;
	*ret = (long)f->r.rax;
	return true;
}

void arch_signal_restart(struct arch_uframe *f)
{
	/* SYSCALL is two bytes (0f 05); RAX gets the number back (Intel SDM Vol. 2B). */
	f->r.rax = f->r.error;
	f->r.rip -= 2;
}
