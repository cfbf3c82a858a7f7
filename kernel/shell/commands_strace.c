/* SPDX-License-Identifier: MIT */
/*
 * The shell's `strace`: turn the system-call trace (kernel/syscall/strace.h)
 * on for a process, a program name or everything, or off; with no
 * arguments, say what is traced. The trace goes to the kernel log.
 */
#include <lib/string.h>

#include "shell/internal.h"
#include "syscall/strace.h"

int shell_cmd_strace(const struct shell_args *a)
{
	char what[48];

	if (a->argc == 1) {
		strace_describe(what, sizeof(what));
		shell_printf(a, "strace: %s\n", what);
		return 0;
	}
	if (strcmp(a->argv[1], "off") == 0 && a->argc <= 3)
		return strace_set("off") == 0 ? 0 : 1;
	if (strcmp(a->argv[1], "on") != 0 || a->argc != 3)
		return shell_usage(a);
	if (strcmp(a->argv[2], "off") == 0 || strace_set(a->argv[2]) != 0) {
		shell_printf(a, "strace: cannot trace \"%s\"\n", a->argv[2]);
		return 1;
	}
	strace_describe(what, sizeof(what));
	shell_printf(a, "strace: tracing %s\n", what);
	return 0;
}
