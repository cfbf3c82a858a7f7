/* SPDX-License-Identifier: MIT */
/*
 * Error numbers: Linux's x86_64 values, so that kernel functions' -errno
 * returns can become a Linux-compatible syscall ABI unchanged. The one
 * errno header of the tree: the kernel, both loaders, lib/ and (soon) user
 * programs include it, and the host tests include it beside the C
 * library's, whose x86_64 values are the same.
 */
#pragma once

#define EPERM        1
#define ENOENT       2
#define ESRCH        3
#define EINTR        4
#define EIO          5
#define ENXIO        6
#define E2BIG        7
#define ENOEXEC      8
#define EBADF        9
#define ECHILD       10
#define EAGAIN       11
#define ENOMEM       12
#define EACCES       13
#define EFAULT       14
#define ENOTBLK      15
#define EBUSY        16
#define EXDEV        18
#define EEXIST       17
#define ENODEV       19
#define ENOTDIR      20
#define EISDIR       21
#define EINVAL       22
#define ENFILE       23
#define EMFILE       24
#define ENOTTY       25
#define EFBIG        27
#define ENOSPC       28
#define ESPIPE       29
#define EROFS        30
#define EMLINK       31
#define EPIPE        32
#define EDOM         33
#define ERANGE       34
#define EDEADLK      35
#define ENAMETOOLONG 36
#define ENOSYS       38
#define ENOTEMPTY    39
#define ELOOP        40
#define ENODATA      61
#define EOVERFLOW    75
#define ELIBBAD      80
#define EBADMSG      74
#define ENOTSUP      95
#define EOPNOTSUPP   95 /* the same number on Linux */
#define ETIMEDOUT    110
#define EUCLEAN      117 /* "Structure needs cleaning": a corrupt file system */

/*
 * Kernel-internal: a system call interrupted by a signal returns one of
 * these and never lets it reach user mode; signal_deliver() turns it into
 * -EINTR or restarts the call (Linux's values and rules, docs/signals.md).
 */
#define ERESTARTSYS           512 /* restart under SA_RESTART or with no handler, else EINTR */
#define ERESTARTNOINTR        513 /* always restart */
#define ERESTARTNOHAND        514 /* restart only when no handler ran, else EINTR */
#define ERESTART_RESTARTBLOCK 516 /* as ERESTARTNOHAND (Cairn restarts the call itself) */
