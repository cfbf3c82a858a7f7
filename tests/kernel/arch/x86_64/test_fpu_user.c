// SPDX-License-Identifier: MIT
/*
 * The per-task state user threads depend on: AVX registers kept across
 * switches (XSAVE), FS and GS bases following their task, the frame
 * accessors, a fresh FPU for exec and the copy fork makes of the parent's
 * FPU and TLS state. Tasks that share a test are pinned to this CPU (the
 * boot CPU's flow), so while this flow runs they are fully switched out.
 */
#include <cairn/errno.h>

#include <arch/cpu.h>
#include <arch/msr.h>
#include <lib/string.h>

#include <stdint.h>

#include "arch/arch.h"
#include "arch/x86_64/x86.h"
#include "core/ktest.h"
#include "core/percpu.h"
#include "sched/task.h"
#include "sched/wait.h"

#define ROUNDS 200

static bool has_avx(void)
{
	uint32_t lo, hi;

	if (!x86_fpu_uses_xsave())
		return false;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (lo & 4) != 0;
}

static struct task_handle spawn_here(int (*fn)(void *), void *arg)
{
	struct task_spawn_opts o = { .prio = TASK_PRIO_DEFAULT, .cpu = (int)this_cpu_index() };
	struct task_handle h;

	o.affinity = 1ull << o.cpu;
	EXPECT_EQ(task_spawn_opts(&h, "fpu-test", fn, arg, &o), 0);
	return h;
}

static int join_value(struct task_handle h)
{
	struct task_result r;

	EXPECT_EQ(task_join(h, &r), 0);
	EXPECT_EQ(r.how, TASK_END_RETURNED);
	return r.value;
}

/* Fill YMM0 with a 32-byte pattern of @seed, yield, and check it is still there. */
static int ymm_keeper(void *arg)
{
	uint64_t seed = (uintptr_t)arg, in[4] __attribute__((aligned(32))), out[4];
	int bad = 0;

	for (int round = 0; round < ROUNDS; round++) {
		for (int i = 0; i < 4; i++)
			in[i] = seed * 0x9e3779b97f4a7c15ull + (uint64_t)(i + round);
		__asm__ volatile("vmovdqu %0, %%ymm0" : : "m"(in));
		task_yield();
		__asm__ volatile("vmovdqu %%ymm0, %0" : "=m"(out));
		bad += memcmp(in, out, sizeof(in)) != 0;
	}
	__asm__ volatile("vzeroupper");
	return bad;
}

TEST(fpu_user, avx_registers_kept_across_switches)
{
	struct task_handle a, b;

	if (!has_avx())
		ktest_skip("no AVX state in XCR0 (run with QEMU_CPU=max)");
	a = spawn_here(ymm_keeper, (void *)1);
	b = spawn_here(ymm_keeper, (void *)2);
	EXPECT_EQ(join_value(a), 0);
	EXPECT_EQ(join_value(b), 0);
}

static int tls_keeper(void *arg)
{
	uintptr_t fs = (uintptr_t)arg, gs = fs + 0x1000;
	struct task *self = task_current();
	int bad = 0;

	arch_task_set_tls(self, fs);
	x86_task_set_user_gs(self, gs);
	for (int round = 0; round < ROUNDS; round++) {
		task_yield();
		bad += x86_rdmsr(X86_MSR_FS_BASE) != fs || x86_rdmsr(X86_MSR_KERNEL_GS) != gs;
		bad += arch_task_tls(self) != fs || x86_task_user_gs(self) != gs;
	}
	return bad;
}

TEST(fpu_user, tls_bases_follow_their_task)
{
	struct task_handle a = spawn_here(tls_keeper, (void *)0x10000);
	struct task_handle b = spawn_here(tls_keeper, (void *)0x7f0000000000);

	EXPECT_EQ(join_value(a), 0);
	EXPECT_EQ(join_value(b), 0);
	/* This flow never set one: a kernel task runs with zero bases. */
	EXPECT_EQ(x86_rdmsr(X86_MSR_FS_BASE), 0);
	EXPECT_EQ(x86_rdmsr(X86_MSR_KERNEL_GS), 0);
}

TEST(fpu_user, frame_accessors_follow_the_linux_abi)
{
	struct arch_uframe f;

	arch_uframe_init(&f, 0x401000, 0x7ffe0000);
	EXPECT_EQ(arch_uframe_ip(&f), 0x401000);
	EXPECT_EQ(arch_uframe_sp(&f), 0x7ffe0000);
	EXPECT_EQ(arch_uframe_sysno(&f), -1);
	EXPECT_EQ(f.r.cs, X86_SEL_UCODE);
	EXPECT_EQ(f.r.ss, X86_SEL_UDATA);
	EXPECT_TRUE(f.r.rflags & X86_RFLAGS_IF);
	f.r.vector = X86_VEC_SYSCALL;
	f.r.error = 39;
	f.r.rdi = 1, f.r.rsi = 2, f.r.rdx = 3, f.r.r10 = 4, f.r.r8 = 5, f.r.r9 = 6;
	EXPECT_EQ(arch_uframe_sysno(&f), 39);
	for (int i = 0; i < 6; i++)
		EXPECT_EQ(arch_uframe_arg(&f, i), i + 1);
	arch_uframe_set_return(&f, -ENOSYS);
	EXPECT_EQ((long)f.r.rax, -ENOSYS);
	arch_uframe_set_sp(&f, 0x1000);
	arch_uframe_set_ip(&f, 0x2000);
	EXPECT_EQ(arch_uframe_sp(&f), 0x1000);
	EXPECT_EQ(arch_uframe_ip(&f), 0x2000);
}

static uint32_t mxcsr_get(void)
{
	uint32_t v;

	__asm__ volatile("stmxcsr %0" : "=m"(v));
	return v;
}

static void mxcsr_set(uint32_t v)
{
	__asm__ volatile("ldmxcsr %0" : : "m"(v));
}

/* exec: arch_uframe_init() on the caller's own frame resets its FPU and TLS. */
static int exec_like(void *arg)
{
	struct task *self = task_current();

	mxcsr_set(0x7f40);
	arch_task_set_tls(self, 0x5000);
	arch_uframe_init(arch_uframe(self), 0x400000, 0x800000);
	return (mxcsr_get() != 0x1f80) + (arch_task_tls(self) != 0) * 2;
}

TEST(fpu_user, exec_frame_resets_fpu_and_tls)
{
	EXPECT_EQ(join_value(spawn_here(exec_like, NULL)), 0);
}

struct fork_ctx {
	struct task *child; /* published by the child */
	bool go;
	struct waitq wq;
};

static bool ctx_go(void *arg)
{
	return __atomic_load_n(&((struct fork_ctx *)arg)->go, __ATOMIC_ACQUIRE);
}

/* The child: publish itself, sleep until the parent copied its frame, report what it got. */
static int fork_child(void *arg)
{
	struct fork_ctx *c = arg;

	__atomic_store_n(&c->child, task_current(), __ATOMIC_RELEASE);
	while (waitq_wait(&c->wq, ctx_go, c, 0, TIME_NEVER))
		;
	return (mxcsr_get() != 0x7f40) + (arch_task_tls(task_current()) != 0x6000) * 2;
}

/* fork: arch_uframe_copy() from the parent's own frame carries its FPU and TLS state. */
static int fork_parent(void *arg)
{
	struct fork_ctx c = { 0 };
	struct task *self = task_current();
	struct task_handle h;

	waitq_init(&c.wq, "fpu.fork");
	h = spawn_here(fork_child, &c);
	while (!__atomic_load_n(&c.child, __ATOMIC_ACQUIRE))
		task_yield();
	task_yield(); /* it runs on this CPU: after this, it is blocked in its wait */
	mxcsr_set(0x7f40);
	arch_task_set_tls(self, 0x6000);
	arch_uframe_copy(arch_uframe(c.child), arch_uframe(self));
	mxcsr_set(0x1f80);
	__atomic_store_n(&c.go, true, __ATOMIC_RELEASE);
	waitq_wake_all(&c.wq);
	return join_value(h);
}

TEST(fpu_user, fork_copy_carries_fpu_and_tls)
{
	EXPECT_EQ(join_value(spawn_here(fork_parent, NULL)), 0);
}
