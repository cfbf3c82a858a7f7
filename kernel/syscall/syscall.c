/* SPDX-License-Identifier: MIT */
/*
 * System-call dispatch: Linux's x86_64 numbers index a table of sys_*
 * functions built from syscalls.def. Numbers no lane implements, never
 * assigned or out of range answer -ENOSYS; the first call of each
 * assigned one is logged by name so a program's missing pieces show in
 * the log without flooding it.
 */
#include "syscall/syscall.h"

#include <cairn/cairn_sys.h>
#include <cairn/errno.h>
#include <cairn/ipc.h>
#include <cairn/linux/syscall_nr.h>

#include <lib/strace/sysent.h>

#include "arch/arch.h"
#include "core/log.h"
#include "syscall/internal.h"
#include "syscall/strace.h"

/* The table's numbers are Linux's: syscall_nr.h and syscalls.def must agree. */
#define SYSCALL(nr, name, n, k0, k1, k2, k3, k4, k5, owner) \
	_Static_assert(__NR_##name == (nr), "syscall_nr.h and syscalls.def disagree on " #name);
#include "syscall/syscalls.def"
#undef SYSCALL
_Static_assert(NR_SYSCALLS == SYSENT_COUNT, "syscall table sizes disagree");

#define SYSCALL_FN_NONE(name) NULL
#define SYSCALL_FN_SYS(name)  sys_##name
#define SYSCALL_FN_MM(name)   sys_##name
#define SYSCALL_FN_ARCH(name) sys_##name
#define SYSCALL_FN_SIG(name)  sys_##name
#define SYSCALL_FN_PROC(name) sys_##name

/* [I] The implementation of each number; NULL: -ENOSYS. */
static const syscall_fn syscall_table[NR_SYSCALLS] = {
#define SYSCALL(nr, name, n, k0, k1, k2, k3, k4, k5, owner) [nr] = SYSCALL_FN_##owner(name),
#include "syscall/syscalls.def"
#undef SYSCALL
};

/* Cairn's own calls: the table must cover CAIRN_SYS_BASE .. CAIRN_SYS_IPC_END - 1. */
#define CAIRN_CALL(nr, name, n)                                            \
	_Static_assert((nr) >= CAIRN_SYS_BASE && (nr) < CAIRN_SYS_IPC_END, \
	               #name " is not a Cairn call number");
#include "syscall/cairn_calls.def"
#undef CAIRN_CALL

/* [I] Cairn's calls by number - CAIRN_SYS_BASE; NULL: -ENOSYS. */
static const syscall_fn cairn_table[CAIRN_SYS_IPC_END - CAIRN_SYS_BASE] = {
#define CAIRN_CALL(nr, name, n) [(nr)-CAIRN_SYS_BASE] = sys_cairn_##name,
#include "syscall/cairn_calls.def"
#undef CAIRN_CALL
};

/* [a] Bit n: call n has been logged as not implemented. */
static uint64_t syscall_enosys_seen[(NR_SYSCALLS + 63) / 64];

bool syscall_enosys_logged(long nr)
{
	if (nr < 0 || nr >= NR_SYSCALLS)
		return false;
	return __atomic_load_n(&syscall_enosys_seen[nr / 64], __ATOMIC_RELAXED) &
	       (1ull << (nr % 64));
}

long syscall_enosys(long nr)
{
	const struct sysent *e = sysent_lookup(nr);
	uint64_t bit, old;

	/* Numbers without a name are not logged: a fuzzer would flood the log. */
	if (!e)
		return -ENOSYS;
	bit = 1ull << (nr % 64);
	old = __atomic_fetch_or(&syscall_enosys_seen[nr / 64], bit, __ATOMIC_RELAXED);
	if (!(old & bit))
		pr_info("syscall: %s (%ld) not implemented, returning ENOSYS", e->name, nr);
	return -ENOSYS;
}

long syscall_dispatch(long nr, const uint64_t args[6])
{
	syscall_fn fn;

	if (nr < 0 || nr >= NR_SYSCALLS) {
		if (nr < CAIRN_SYS_BASE || nr >= CAIRN_SYS_IPC_END)
			return -ENOSYS;
		fn = cairn_table[nr - CAIRN_SYS_BASE];
		return fn ? fn(args[0], args[1], args[2], args[3], args[4], args[5]) : -ENOSYS;
	}
	fn = syscall_table[nr];
	if (!fn)
		return syscall_enosys(nr);
	return fn(args[0], args[1], args[2], args[3], args[4], args[5]);
}

void syscall_entry(struct arch_uframe *f)
{
	uint64_t args[6];
	long nr = arch_uframe_sysno(f);

	for (int i = 0; i < 6; i++)
		args[i] = arch_uframe_arg(f, i);
	if (unlikely(strace_maybe_on()))
		arch_uframe_set_return(f, strace_dispatch(nr, args));
	else
		arch_uframe_set_return(f, syscall_dispatch(nr, args));
}

/* sys_wait()'s condition: the caller's, or a signal for the calling thread. */
struct sys_wait_ctx {
	bool (*cond)(void *ctx);
	void *ctx;
	bool signalled;
};

static bool sys_wait_cond(void *p)
{
	struct sys_wait_ctx *c = p;

	if (c->cond && c->cond(c->ctx))
		return true;
	if (signal_pending()) {
		c->signalled = true;
		return true;
	}
	return false;
}

int sys_wait(struct waitq *wq, bool (*cond)(void *ctx), void *ctx, uint64_t deadline_ns)
{
	struct sys_wait_ctx c = { .cond = cond, .ctx = ctx, .signalled = false };
	int err = waitq_wait(wq, sys_wait_cond, &c, WAIT_KILLABLE, deadline_ns);

	/* A kill (task_kill) ends the thread on its way out; report it as a signal. */
	if (err == -EINTR || (!err && c.signalled))
		return -ERESTARTSYS;
	return err;
}
