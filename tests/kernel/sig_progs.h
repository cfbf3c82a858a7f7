/* SPDX-License-Identifier: MIT */
/*
 * Small user programs for the signal tests with processes
 * (tests/kernel/test_signal_proc.c), written in the architecture's
 * assembly (tests/kernel/arch/x86_64/sig_progs.c) in the shape of
 * tests/kernel/proc_progs.h.
 */
#pragma once

#include "tests/kernel/proc_progs.h"

/* Spin in user mode forever (pause; jmp back). */
extern const struct proc_prog sig_prog_spin;
/* Load from address 0: SIGSEGV. */
extern const struct proc_prog sig_prog_null;
/*
 * A SIGUSR1 handler that only returns (through a restorer calling
 * rt_sigreturn), without SA_RESTART, then read(0, buf, 1): exits 4 when
 * read fails with EINTR, 1 when it reads one byte, 98 if sigaction failed,
 * 99 for anything else.
 */
extern const struct proc_prog sig_prog_read_eintr;
/* The same with SA_RESTART. */
extern const struct proc_prog sig_prog_read_restart;
