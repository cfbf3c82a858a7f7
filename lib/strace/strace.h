/* SPDX-License-Identifier: MIT */
/*
 * The system-call trace's formatter, pure: one call with its decoded
 * arguments, and its result with the errno's name, in strace's style:
 *
 *   mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000
 *   open("/etc/passwd", O_RDONLY) = -1 ENOSYS
 *
 * How each argument prints comes from the table (sysent.h). Strings are
 * read through a callback, so the kernel can read user memory safely and
 * the host tests can hand in plain memory.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/strace/names.h"
#include "lib/strace/sysent.h"

#define STRACE_STR_MAX 32 /* characters of a string argument shown before "..." */

/*
 * Read the NUL-terminated string at @uaddr into @buf (@size bytes with
 * the NUL): its length, or the truncated length when no NUL came within
 * @size - 1 bytes (the buffer still ends in NUL), or a negative errno when
 * it cannot be read at all.
 */
typedef long (*strace_read_str_fn)(void *ctx, uint64_t uaddr, char *buf, size_t size);

/*
 * Write "name(arg, arg, ...)" for call @nr with @args to @out (@size bytes,
 * always NUL-terminated when @size > 0). A number without an entry prints
 * as "syscall_NNN(...)" with six hexadecimal arguments. @read_str may be
 * NULL (strings then print as pointers). Returns the length it would have
 * had with room enough, as snprintf does.
 */
size_t strace_format_call(char *out, size_t size, long nr, const uint64_t args[6],
                          strace_read_str_fn read_str, void *ctx);

/*
 * Write " = RESULT" for call @nr's return value @ret: "-1 ENAME" for an
 * error (-4095..-1, and the kernel's restart codes), hexadecimal for calls
 * that return addresses (mmap, mremap, brk, shmat), decimal otherwise.
 */
size_t strace_format_result(char *out, size_t size, long nr, long ret);

/* The name of signal @sig ("SIGINT", "SIGRT_3" for 35) or NULL outside 1..64. */
const char *strace_signal_name(int sig, char buf[16]);
