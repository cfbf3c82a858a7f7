/* SPDX-License-Identifier: MIT */
/*
 * Cairn's own system calls, beside Linux's ABI: numbers from
 * CAIRN_SYS_BASE up, far above Linux's x86_64 table and its x32 range
 * (512..547), so a Linux kernel answers them with ENOSYS and a program can
 * tell which kernel it runs on. For tests: the syscall fuzzer (user/fuzz)
 * checks with cairn_memstat that the kernel's memory is back at its
 * baseline after a run. Listed in docs/syscalls.md.
 */
#pragma once

#include <stdint.h>

#define CAIRN_SYS_BASE    1024
#define CAIRN_SYS_MEMSTAT 1024 /* cairn_memstat(struct cairn_memstat *out): 0 or -EFAULT */
#define CAIRN_SYS_END     1025 /* one past the last */

#define CAIRN_MEMSTAT_VERSION 2 /* 2: heap_bytes */

/* What cairn_memstat fills in: counts only, never a kernel address. */
struct cairn_memstat {
	uint32_t version;         /* CAIRN_MEMSTAT_VERSION */
	uint32_t size;            /* sizeof(struct cairn_memstat) */
	uint64_t frames_free;     /* bytes of free physical memory, CPU caches drained first */
	uint64_t frames_total;    /* bytes of physical memory the allocator manages */
	uint64_t heap_live;       /* kernel heap blocks allocated and not freed */
	uint64_t heap_cached;     /* of those, blocks held in the heap's own caches */
	uint64_t heap_used_bytes; /* bytes in allocated heap blocks */
	uint64_t tasks;           /* kernel tasks that exist (threads, reapers, idle) */
	uint64_t heap_bytes; /* bytes of memory the kernel heap has mapped (it never shrinks) */
};

_Static_assert(sizeof(struct cairn_memstat) == 64, "cairn_memstat layout is ABI");

/*
 * Bytes of physical memory in use at @now and not at @base, leaving out
 * what the kernel heap grew by in between: the heap keeps the pages it
 * maps, so a peak of live objects leaves it larger without anything
 * having leaked (its live blocks are compared separately). A growth may
 * also need page tables for the new heap pages, one per 2 MiB and one
 * where it crosses a boundary, which are left out too.
 */
static inline long long cairn_memstat_frames_apart(const struct cairn_memstat *base,
                                                   const struct cairn_memstat *now)
{
	long long used = (long long)base->frames_free - (long long)now->frames_free;
	long long grown = (long long)now->heap_bytes - (long long)base->heap_bytes;
	long long tables = grown > 0 ? (grown + (2ll << 20) - 1) / (2ll << 20) + 1 : 0;

	used -= grown;
	if (used > 0)
		used -= (used < tables * 4096 ? used : tables * 4096);
	return used;
}
