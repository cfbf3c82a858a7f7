/* SPDX-License-Identifier: MIT */
/*
 * Linux's wait4()/waitid() options, waitid()'s id types and the wait
 * status encoding (linux/wait.h, uapi; the status layout is the one
 * glibc's WIFEXITED()... macros decode). Values only.
 */
#pragma once

#define WNOHANG     0x00000001
#define WUNTRACED   0x00000002
#define WSTOPPED    WUNTRACED
#define WEXITED     0x00000004
#define WCONTINUED  0x00000008
#define WNOWAIT     0x01000000
#define __WNOTHREAD 0x20000000
#define __WALL      0x40000000
#define __WCLONE    0x80000000

#define P_ALL   0
#define P_PID   1
#define P_PGID  2
#define P_PIDFD 3

/* Status words: exited with code c, killed by signal s (0x80: core dumped), stopped. */
#define W_EXITCODE(c, s) ((((c)&0xff) << 8) | ((s)&0x7f))
#define W_STOPCODE(s)    ((((s)&0xff) << 8) | 0x7f)
#define W_CONTINUED      0xffff
#define W_COREFLAG       0x80
