/* SPDX-License-Identifier: MIT */
/*
 * The system-call trace: each call of the chosen processes, with its
 * decoded arguments and result, as a log line like strace's
 *
 *   [pid 5] mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f...
 *
 * Chosen by `strace=PID`, `strace=all` or `strace=NAME` (the task name of
 * the program) on the kernel command line, or by the shell's `strace`.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Trace @spec from now on: "all", "off", a process id, or a program name.
 * Returns 0 or -EINVAL (empty, or a name too long). Any task context.
 */
int strace_set(const char *spec);

/* Describe what is traced ("off", "all", "pid 5", "name busybox") into @buf. */
void strace_describe(char *buf, size_t size);

/* Whether anything may be traced: a single load, for the dispatcher's fast path. */
bool strace_maybe_on(void);

/*
 * Run call @nr with @args through syscall_dispatch(), logging it when the
 * caller is traced. Returns the call's result. For syscall_entry().
 */
long strace_dispatch(long nr, const uint64_t args[6]);
