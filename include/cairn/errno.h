/* SPDX-License-Identifier: MIT */
/*
 * Error numbers: Linux's x86_64 values, so that kernel functions' -errno
 * returns can become a Linux-compatible syscall ABI unchanged. The one
 * errno header of the tree: the kernel, both loaders, lib/ and (soon) user
 * programs include it, and the host tests include it beside the C
 * library's, whose x86_64 values are the same.
 */
#pragma once

#define EPERM           1
#define ENOENT          2
#define ESRCH           3
#define EINTR           4
#define EIO             5
#define ENXIO           6
#define E2BIG           7
#define ENOEXEC         8
#define EBADF           9
#define ECHILD          10
#define EAGAIN          11
#define ENOMEM          12
#define EACCES          13
#define EFAULT          14
#define ENOTBLK         15
#define EBUSY           16
#define EXDEV           18
#define EEXIST          17
#define ENODEV          19
#define ENOTDIR         20
#define EISDIR          21
#define EINVAL          22
#define ENFILE          23
#define EMFILE          24
#define ENOTTY          25
#define EFBIG           27
#define ENOSPC          28
#define ESPIPE          29
#define EROFS           30
#define EMLINK          31
#define EPIPE           32
#define EDOM            33
#define ERANGE          34
#define EDEADLK         35
#define ENAMETOOLONG    36
#define ENOSYS          38
#define ENOTEMPTY       39
#define ELOOP           40
#define ENODATA         61
#define EOVERFLOW       75
#define EBADFD          77 /* a descriptor, but not a handle of the kind a call needs (ipc.h) */
#define ELIBBAD         80
#define EBADMSG         74
#define ENOTSUP         95
#define EOPNOTSUPP      95 /* the same number on Linux */
#define ETIMEDOUT       110
/* The network's (Linux's asm-generic/errno.h values). */
#define ENOTSOCK        88
#define EDESTADDRREQ    89
#define EMSGSIZE        90
#define EPROTOTYPE      91
#define ENOPROTOOPT     92
#define EPROTONOSUPPORT 93
#define ESOCKTNOSUPPORT 94
#define EPFNOSUPPORT    96
#define EAFNOSUPPORT    97
#define EADDRINUSE      98
#define EADDRNOTAVAIL   99
#define ENETDOWN        100
#define ENETUNREACH     101
#define ENETRESET       102
#define ECONNABORTED    103
#define ECONNRESET      104
#define ENOBUFS         105
#define EISCONN         106
#define ENOTCONN        107
#define ESHUTDOWN       108
#define ETOOMANYREFS    109
#define ECONNREFUSED    111
#define EHOSTDOWN       112
#define EHOSTUNREACH    113
#define EALREADY        114
#define EINPROGRESS     115
#define EUCLEAN         117 /* "Structure needs cleaning": a corrupt file system */

/*
 * Kernel-internal: a system call interrupted by a signal returns one of
 * these and never lets it reach user mode; signal_deliver() turns it into
 * -EINTR or restarts the call (Linux's values and rules, docs/signals.md).
 */
#define ERESTARTSYS           512 /* restart under SA_RESTART or with no handler, else EINTR */
#define ERESTARTNOINTR        513 /* always restart */
#define ERESTARTNOHAND        514 /* restart only when no handler ran, else EINTR */
#define ENOIOCTLCMD           515 /* an ioctl handler declined; the caller tries the next or answers ENOTTY */
#define ERESTART_RESTARTBLOCK 516 /* as ERESTARTNOHAND (Cairn restarts the call itself) */
