/* SPDX-License-Identifier: MIT */
/*
 * Copies between the kernel and user memory. Every call checks that the
 * whole user range lies below USER_TOP before touching it, opens SMAP only
 * for the copy itself, and turns a fault on a user address into -EFAULT
 * (an exception fix-up), never a kernel crash: a page the address space
 * can still provide (demand-zero, copy-on-write) is provided first. The
 * architecture implements them (kernel/arch/x86_64/cpu/uaccess.c).
 * Task context with interrupts on: a copy may sleep in the page-fault path.
 * Where the caller may not sleep (interrupts off, a spinlock held,
 * preemption off), a page not there yet is not faulted in: -EFAULT.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/uspace.h" /* USER_TOP */

/* Copy @n bytes from user @usrc to @dst. Returns 0 or -EFAULT (dst contents unspecified). */
int __must_check copy_from_user(void *dst, const void *usrc, size_t n);
/* Copy @n bytes from @src to user @udst. Returns 0 or -EFAULT. */
int __must_check copy_to_user(void *udst, const void *src, size_t n);
/* Zero @n bytes of user memory at @udst. Returns 0 or -EFAULT. */
int __must_check clear_user(void *udst, size_t n);
/*
 * Copy the NUL-terminated string at user @usrc into @dst (@size bytes).
 * Returns its length without the NUL (which is copied), -EFAULT, or
 * -ENAMETOOLONG when no NUL comes within @size bytes.
 */
long __must_check strncpy_from_user(char *dst, const char *usrc, size_t size);
/* True when [@addr, @addr + @n) lies inside [0, USER_TOP) without wrapping. */
bool user_range_ok(uintptr_t addr, size_t n);
