/* SPDX-License-Identifier: MIT */
/*
 * Linux's resource limits (asm-generic/resource.h, linux/resource.h):
 * the RLIMIT_* numbers, RLIM_INFINITY and the structures getrlimit(),
 * setrlimit() and prlimit64() exchange. Values and layouts only.
 */
#pragma once

#include <stdint.h>

#define RLIMIT_CPU        0
#define RLIMIT_FSIZE      1
#define RLIMIT_DATA       2
#define RLIMIT_STACK      3
#define RLIMIT_CORE       4
#define RLIMIT_RSS        5
#define RLIMIT_NPROC      6
#define RLIMIT_NOFILE     7
#define RLIMIT_MEMLOCK    8
#define RLIMIT_AS         9
#define RLIMIT_LOCKS      10
#define RLIMIT_SIGPENDING 11
#define RLIMIT_MSGQUEUE   12
#define RLIMIT_NICE       13
#define RLIMIT_RTPRIO     14
#define RLIMIT_RTTIME     15
#define RLIM_NLIMITS      16

/* getpriority/setpriority: what @who names. */
#define PRIO_PROCESS 0
#define PRIO_PGRP    1
#define PRIO_USER    2

#define RLIM_INFINITY (~0ull)

/* getrlimit()/setrlimit() on x86_64 and prlimit64(): two 64-bit values. */
struct rlimit64 {
	uint64_t rlim_cur; /* the soft limit */
	uint64_t rlim_max; /* the hard limit */
};

_Static_assert(sizeof(struct rlimit64) == 16, "Linux's struct rlimit64");

#define RUSAGE_SELF     0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD   1
