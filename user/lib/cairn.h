// SPDX-License-Identifier: MIT
/*
 * Cairn's own calls for user programs (include/cairn/ipc.h is the ABI):
 * one inline wrapper per call, each returning what the kernel returned, a
 * value >= 0 or -errno, without touching errno. On Linux every one
 * answers -ENOSYS, which is how a program (a test) tells where it runs:
 * cairn_present(). Header-only; works with musl and glibc.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "../../include/cairn/cairn_sys.h"
#include "../../include/cairn/ipc.h"

static inline long cairn_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	register long r10 __asm__("r10") = a3;
	register long r8 __asm__("r8") = a4;
	register long r9 __asm__("r9") = a5;
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
	                 : "rcx", "r11", "memory");
	return ret;
}

#define CAIRN_SC(nr, a0, a1, a2, a3) \
	cairn_syscall6((nr), (long)(a0), (long)(a1), (long)(a2), (long)(a3), 0, 0)

/* Whether the kernel speaks Cairn's ABI (false on Linux: -ENOSYS). */
static inline int cairn_present(void)
{
	return CAIRN_SC(CAIRN_SYS_ABI_VERSION, 0, 0, 0, 0) >= 0;
}

/*
 * cairn_memstat() into @m with its version and size filled in: true when
 * the kernel answered (false on Linux). The tests compare two of these
 * with cairn_memstat_frames_apart() to find leaked kernel memory.
 */
static inline bool cairn_memstat_read(struct cairn_memstat *m)
{
	*m = (struct cairn_memstat){ .version = CAIRN_MEMSTAT_VERSION, .size = sizeof(*m) };
	return CAIRN_SC(CAIRN_SYS_MEMSTAT, m, 0, 0, 0) == 0;
}

static inline long cairn_abi_version(void)
{
	return CAIRN_SC(CAIRN_SYS_ABI_VERSION, 0, 0, 0, 0);
}

static inline long cairn_object_count(struct cairn_objcount *out)
{
	return CAIRN_SC(CAIRN_SYS_OBJECT_COUNT, out, sizeof(*out), 0, 0);
}

static inline long cairn_handle_dup(int h, uint32_t rights, uint32_t flags)
{
	return CAIRN_SC(CAIRN_SYS_HANDLE_DUP, h, rights, flags, 0);
}

static inline long cairn_handle_info(int h, struct cairn_handle_info *out)
{
	return CAIRN_SC(CAIRN_SYS_HANDLE_INFO, h, out, sizeof(*out), 0);
}

static inline long cairn_wait_many(struct cairn_wait_item *items, uint32_t n, int64_t deadline_ns)
{
	return CAIRN_SC(CAIRN_SYS_WAIT_MANY, items, n, deadline_ns, 0);
}

static inline long cairn_channel_create(int32_t out[2], uint32_t flags)
{
	return CAIRN_SC(CAIRN_SYS_CHANNEL_CREATE, out, flags, 0, 0);
}

static inline long cairn_channel_write(int h, const struct cairn_msg *m, uint32_t flags)
{
	return CAIRN_SC(CAIRN_SYS_CHANNEL_WRITE, h, m, flags, 0);
}

static inline long cairn_channel_read(int h, struct cairn_msg *m, uint32_t flags)
{
	return CAIRN_SC(CAIRN_SYS_CHANNEL_READ, h, m, flags, 0);
}

static inline long cairn_channel_call(int h, struct cairn_call *c, int64_t deadline_ns)
{
	return CAIRN_SC(CAIRN_SYS_CHANNEL_CALL, h, c, deadline_ns, 0);
}

static inline long cairn_vmo_create(uint64_t size, uint32_t flags)
{
	return CAIRN_SC(CAIRN_SYS_VMO_CREATE, size, flags, 0, 0);
}

static inline long cairn_vmo_read(int h, void *buf, uint64_t off, uint64_t len)
{
	return CAIRN_SC(CAIRN_SYS_VMO_READ, h, buf, off, len);
}

static inline long cairn_vmo_write(int h, const void *buf, uint64_t off, uint64_t len)
{
	return CAIRN_SC(CAIRN_SYS_VMO_WRITE, h, buf, off, len);
}

static inline long cairn_vmo_get_size(int h, uint64_t *size)
{
	return CAIRN_SC(CAIRN_SYS_VMO_GET_SIZE, h, size, 0, 0);
}

static inline long cairn_vmo_set_size(int h, uint64_t size)
{
	return CAIRN_SC(CAIRN_SYS_VMO_SET_SIZE, h, size, 0, 0);
}

static inline long cairn_process_self(uint32_t flags)
{
	return CAIRN_SC(CAIRN_SYS_PROCESS_SELF, flags, 0, 0, 0);
}

static inline long cairn_thread_self(uint32_t flags)
{
	return CAIRN_SC(CAIRN_SYS_THREAD_SELF, flags, 0, 0, 0);
}

static inline long cairn_task_kill(int h)
{
	return CAIRN_SC(CAIRN_SYS_TASK_KILL, h, 0, 0, 0);
}

static inline long cairn_irq_ack(int h)
{
	return CAIRN_SC(CAIRN_SYS_IRQ_ACK, h, 0, 0, 0);
}

static inline long cairn_ioport_read(int h, uint32_t off, uint32_t width)
{
	return CAIRN_SC(CAIRN_SYS_IOPORT_READ, h, off, width, 0);
}

static inline long cairn_ioport_write(int h, uint32_t off, uint32_t width, uint32_t value)
{
	return CAIRN_SC(CAIRN_SYS_IOPORT_WRITE, h, off, width, value);
}

/* The monotonic clock in ns, for deadlines (CLOCK_MONOTONIC is 1). */
static inline int64_t cairn_now_ns(void)
{
	struct {
		int64_t s, ns;
	} ts;

	cairn_syscall6(228 /* clock_gettime */, 1, (long)&ts, 0, 0, 0, 0);
	return ts.s * 1000000000ll + ts.ns;
}
