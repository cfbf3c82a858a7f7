/* SPDX-License-Identifier: MIT */
/*
 * Small user programs for the process tests (tests/kernel/test_proc*.c),
 * written in the architecture's assembly (tests/kernel/arch/x86_64/
 * proc_progs.c): position-independent code that test_proc wraps in an ELF
 * file and runs as a process. Each ends with exit_group(code) and the
 * tests check that code.
 */
#pragma once

#include <stddef.h>

struct proc_prog {
	const char *start, *end; /* the code bytes */
};

/* exit_group(42). */
extern const struct proc_prog proc_prog_exit42;
/* fork; the child exits 3; the parent wait4()s it and exits 10 + its code (13), 1 on error. */
extern const struct proc_prog proc_prog_fork_wait;
/* fork 8 children that exit 1..8; wait4(-1) until ECHILD; exit with the sum (36), 1 on error. */
extern const struct proc_prog proc_prog_fork_tree;
/* Check argc 3, argv[1] "b...", argv[3] NULL, envp[0] "X...", AT_PAGESZ 4096, rsp 16-aligned: 0 or the failed step. */
extern const struct proc_prog proc_prog_args;
/* fork and wait 1000 children that exit at once: exit 0, or 1 on an error. */
extern const struct proc_prog proc_prog_fork_many;
/* exit_group(getpid() & 0xff). */
extern const struct proc_prog proc_prog_getpid;
/* fork a child that forks a grandchild and exits at once; the grandchild exits 0 later: exit 0 */
extern const struct proc_prog proc_prog_orphan;
/*
 * clone a thread (CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|PARENT_SETTID|
 * CHILD_CLEARTID) on a stack in the program's own stack area that stores 77
 * and exits; the parent spins (sched_yield) until the CLEARTID word is 0
 * and exits with the stored value (77), or 1 on error.
 */
extern const struct proc_prog proc_prog_thread;
/* A child dies holding a robust futex in shared memory: the word becomes OWNER_DIED (exit 0). */
extern const struct proc_prog proc_prog_robust;
/* exit_group(geteuid() & 0xff). */
extern const struct proc_prog proc_prog_euid;
/* Become uid/gid 2000, then execve(argv[1], &argv[1], NULL): exits with exec's errno, 99 if the ids were refused. */
extern const struct proc_prog proc_prog_drop_exec;
/* Become uid/gid 2000, then open argv[1] read-only: exits 0 if it opened, else the errno (99: ids refused). */
extern const struct proc_prog proc_prog_drop_open;
