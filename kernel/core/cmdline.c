// SPDX-License-Identifier: MIT
/* Looking up words in the kernel command line. */
#include "core/cmdline.h"

#include <lib/cmdline/cmdline.h>

#include "core/kmain.h"

const char *cmdline_all(void)
{
	return boot_info.cmdline;
}

const char *cmdline_get(const char *key)
{
	return cmdline_find(boot_info.cmdline, key);
}

bool cmdline_has(const char *key)
{
	return cmdline_get(key) != NULL;
}

void cmdline_word(const char *v, char *out, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size && v[i] && v[i] != ' '; i++)
		out[i] = v[i];
	out[i] = 0;
}
