/* SPDX-License-Identifier: MIT */
/*
 * The table of sysent.h, expanded from kernel/syscall/syscalls.def: one
 * entry per Linux x86_64 number, holes left zero (name NULL) for the
 * numbers x86_64 never assigned.
 */
#include "lib/strace/sysent.h"

#include <stddef.h>

#include "lib/string.h"

#define SYSCALL(nr, nm, n, k0, k1, k2, k3, k4, k5, own)                                     \
	[nr] = { .name = #nm,                                                               \
		 .nargs = n,                                                                \
		 .owner = SYSOWN_##own,                                                     \
		 .kind = { SYSARG_##k0, SYSARG_##k1, SYSARG_##k2, SYSARG_##k3, SYSARG_##k4, \
		           SYSARG_##k5 } },
static const struct sysent sysent_table[SYSENT_COUNT] = {
#include "kernel/syscall/syscalls.def"
};
#undef SYSCALL

const struct sysent *sysent_lookup(long nr)
{
	if (nr < 0 || nr >= SYSENT_COUNT || !sysent_table[nr].name)
		return NULL;
	return &sysent_table[nr];
}

long sysent_find(const char *name)
{
	for (long nr = 0; nr < SYSENT_COUNT; nr++) {
		if (sysent_table[nr].name && strcmp(sysent_table[nr].name, name) == 0)
			return nr;
	}
	return -1;
}
