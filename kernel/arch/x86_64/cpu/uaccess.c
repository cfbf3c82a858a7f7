// SPDX-License-Identifier: MIT
/*
 * The checked copies between kernel and user memory (kernel/mm/uaccess.h)
 * and the exception table their instructions are listed in. The copies
 * themselves are in usercopy.S; trap.c sends a fault at a listed
 * instruction to its fix-up after giving the address space a chance to
 * provide the page.
 */
#include "mm/uaccess.h"

#include <cairn/errno.h>

#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "arch/x86_64/x86.h"

struct extable_entry {
	uintptr_t insn;  /* an instruction that may fault on a user address */
	uintptr_t fixup; /* where execution goes on instead */
};

/* The linker collects the entries of every object (linker.ld). */
extern const struct extable_entry __start_ex_table[], __stop_ex_table[];

long x86_user_copy(void *dst, const void *src, size_t n);
long x86_user_zero(void *dst, size_t n);
long x86_user_strncpy(char *dst, const char *src, size_t n);

/* A handful of entries: a linear search costs less than keeping them sorted. */
uintptr_t x86_extable_find(uintptr_t ip)
{
	const struct extable_entry *e;

	for (e = __start_ex_table; e < __stop_ex_table; e++)
		if (e->insn == ip)
			return e->fixup;
	return 0;
}

bool user_range_ok(uintptr_t addr, size_t n)
{
	return addr <= USER_TOP && n <= USER_TOP - addr;
}

int copy_from_user(void *dst, const void *usrc, size_t n)
{
	long r;

	if (!user_range_ok((uintptr_t)usrc, n))
		return -EFAULT;
	arch_user_access_begin();
	r = x86_user_copy(dst, usrc, n);
	arch_user_access_end();
	return (int)r;
}

int copy_to_user(void *udst, const void *src, size_t n)
{
	long r;

	if (!user_range_ok((uintptr_t)udst, n))
		return -EFAULT;
	arch_user_access_begin();
	r = x86_user_copy(udst, src, n);
	arch_user_access_end();
	return (int)r;
}

int clear_user(void *udst, size_t n)
{
	long r;

	if (!user_range_ok((uintptr_t)udst, n))
		return -EFAULT;
	arch_user_access_begin();
	r = x86_user_zero(udst, n);
	arch_user_access_end();
	return (int)r;
}

/*
 * Only the bytes below USER_TOP may be read: a string that runs into the
 * top is a bad pointer (-EFAULT) unless @size ran out first.
 */
long strncpy_from_user(char *dst, const char *usrc, size_t size)
{
	uintptr_t a = (uintptr_t)usrc;
	size_t n = size;
	long r;

	if (a >= USER_TOP || size == 0)
		return a >= USER_TOP ? -EFAULT : -ENAMETOOLONG;
	if (n > USER_TOP - a)
		n = USER_TOP - a;
	arch_user_access_begin();
	r = x86_user_strncpy(dst, usrc, n);
	arch_user_access_end();
	if (r < 0 || (size_t)r < n)
		return r;
	return n < size ? -EFAULT : -ENAMETOOLONG;
}
