// SPDX-License-Identifier: MIT
/* Looking up words in the kernel command line. */
#include "core/cmdline.h"

#include <lib/string.h>

#include "core/kmain.h"

const char *cmdline_get(const char *key)
{
	const char *p = boot_info.cmdline;
	size_t klen = strlen(key);

	while (*p) {
		while (*p == ' ')
			p++;
		if (strncmp(p, key, klen) == 0 && (p[klen] == 0 || p[klen] == ' '))
			return "";
		if (strncmp(p, key, klen) == 0 && p[klen] == '=')
			return p + klen + 1;
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
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
