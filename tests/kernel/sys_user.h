/* SPDX-License-Identifier: MIT */
/*
 * For kernel tests of system calls that copy user memory: give the test's
 * own task a user address space with one read-write region at
 * SYS_USER_BASE, so copy_to_user()/copy_from_user() reach real user pages,
 * and take it away again. The context switch keeps the space loaded on
 * whichever CPU runs the task (arch_task_switch()).
 */
#pragma once

#include <cairn/linux/mman.h>

#include "core/ktest.h"
#include "mm/uspace.h"
#include "sched/sched.h"
#include "sched/task.h"

#define SYS_USER_BASE  0x10000000ull
#define SYS_USER_BYTES (16ull * 4096)

/* Give the calling task a space with SYS_USER_BYTES read-write at SYS_USER_BASE. */
static inline struct uspace *sys_user_begin(void)
{
	struct uspace *s = NULL;

	EXPECT_EQ(uspace_create(&s), 0);
	EXPECT_EQ(uspace_mmap(s, SYS_USER_BASE, SYS_USER_BYTES, PROT_READ | PROT_WRITE,
	                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED),
	          (long)SYS_USER_BASE);
	preempt_disable();
	task_current()->space = s;
	uspace_activate(s);
	preempt_enable();
	return s;
}

/* Take the space away from the calling task and free it. */
static inline void sys_user_end(struct uspace *s)
{
	preempt_disable();
	task_current()->space = NULL;
	uspace_activate(NULL);
	preempt_enable();
	uspace_put(s);
}

/* A user pointer @off bytes into the region, as an argument register holds it. */
#define UPTR(off) ((uint64_t)(SYS_USER_BASE + (off)))
