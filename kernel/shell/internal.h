/* SPDX-License-Identifier: MIT */
/*
 * What the shell's files share and nothing else sees: the command table,
 * the arguments a command gets, output helpers and the boot-flow call
 * used by the commands that must run in the boot CPU's own flow.
 */
#pragma once

#include <stddef.h>

#include "shell/shell.h"

/* What a command is called with. Locks: [I] fixed while the command runs. */
struct shell_args {
	const struct shell_out *out; /* [I] where its output goes */
	int argc;                    /* [I] words, the command's name included */
	char **argv;                 /* [I] the words, argv[argc] is NULL */
};

#define SHELL_CMD_NOINTR (1u << 0) /* ^C does not stop it: it must finish what it began */

/* One command. Locks: [I] a constant table. */
struct shell_cmd {
	const char *name;                      /* [I] what the user types */
	const char *usage;                     /* [I] its arguments, "" for none */
	const char *help;                      /* [I] one line for `help` */
	int (*fn)(const struct shell_args *a); /* [I] runs in the command's own task */
	unsigned flags;                        /* [I] SHELL_CMD_* */
};

/* The command table, in the order `help` lists it (commands.c). */
extern const struct shell_cmd shell_cmds[];
extern const unsigned shell_ncmds;

/* Output to the command's terminal (or buffer). May sleep. */
void shell_write(const struct shell_args *a, const char *s, size_t n);
void shell_printf(const struct shell_args *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same for code that only has a struct shell_out. */
void shell_out_printf(const struct shell_out *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print "usage: <name> <usage>" and return SHELL_EXIT_SYNTAX. */
int shell_usage(const struct shell_args *a);

/* The commands that read the machine's state (commands_sys.c). */
int shell_cmd_mem(const struct shell_args *a);
int shell_cmd_ps(const struct shell_args *a);
int shell_cmd_cpus(const struct shell_args *a);
int shell_cmd_irqs(const struct shell_args *a);
int shell_cmd_acpi(const struct shell_args *a);
/* `lspci`: the PCI functions, their BARs and interrupts (commands_pci.c). */
int shell_cmd_lspci(const struct shell_args *a);
/* `run PATH [args]`: a user program in the foreground (commands_proc.c). */
int shell_cmd_run(const struct shell_args *a);
/* `strace on|off PID|all|NAME` (commands_strace.c). */
int shell_cmd_strace(const struct shell_args *a);

/*
 * Run @fn(@arg) in the boot CPU's boot flow (shell_serve_boot_flow()), or,
 * while nothing serves there, in a task pinned to CPU 0; one call at a
 * time. Returns what @fn returned, or -ENOMEM when the task could not be
 * spawned, -EFAULT when it crashed. Task context; sleeps until @fn returns.
 */
int shell_boot_call(int (*fn)(void *arg), void *arg);
