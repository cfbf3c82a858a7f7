// SPDX-License-Identifier: MIT
/* Looking up words in a command line; see cmdline.h. */
#include "lib/cmdline/cmdline.h"

#include <lib/string.h>

const char *cmdline_find(const char *line, const char *key)
{
	const char *p = line;
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
