/* SPDX-License-Identifier: MIT */
/*
 * Linux's x86_64 ABI of the readiness calls: struct pollfd (poll, ppoll),
 * the fd_set bit arrays of select and pselect6, struct epoll_event and the
 * epoll_ctl operations and flags, and the flags of pipe2 and eventfd2
 * (facts from Linux's uapi <asm-generic/poll.h>, <linux/eventpoll.h>,
 * <linux/posix_types.h> and eventfd(2)). The POLL* event bits themselves
 * are in kernel/fs/poll.h; EPOLLIN and friends have the same values.
 */
#pragma once

#include <stdint.h>

struct pollfd {
	int32_t fd;      /* negative: ignored, revents 0 */
	int16_t events;  /* POLL* asked for */
	int16_t revents; /* POLL* that happened */
};

_Static_assert(sizeof(struct pollfd) == 8, "pollfd is 8 bytes");

/* select's sets: bit n of word n / 64 stands for descriptor n. */
#define LINUX_FD_SETSIZE 1024

/* epoll_event is packed on x86_64 (EPOLL_PACKED in Linux's uapi). */
struct epoll_event {
	uint32_t events; /* EPOLL* */
	uint64_t data;   /* the caller's, given back as is */
} __attribute__((packed));

_Static_assert(sizeof(struct epoll_event) == 12, "epoll_event is packed on x86_64");

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3

#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP    (1u << 29)
#define EPOLLONESHOT   (1u << 30)
#define EPOLLET        (1u << 31)

#define EPOLL_CLOEXEC 02000000 /* O_CLOEXEC */

#define EFD_SEMAPHORE 1
#define EFD_CLOEXEC   02000000 /* O_CLOEXEC */
#define EFD_NONBLOCK  00004000 /* O_NONBLOCK */

/* fcntl commands of pipes (F_LINUX_SPECIFIC_BASE 1024 + 7, + 8). */
#define F_SETPIPE_SZ 1031
#define F_GETPIPE_SZ 1032

/* ioctl: bytes ready to read (pipes, FIFOs, eventfd has none). */
#define LINUX_FIONREAD 0x541b
