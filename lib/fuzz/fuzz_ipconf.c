/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/net/ipconf.c, the ip= parser: any string is
 * parsed from an exact-size NUL-terminated heap copy; what it accepts is
 * consistent (a static configuration has an address and a contiguous
 * mask; names are NUL-terminated within their fields and hold only safe
 * bytes).
 */
#include <lib/net/ipconf.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const char *n, size_t cap)
{
	size_t len = strnlen(n, cap);

	if (len == cap)
		abort();
	for (size_t i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.",
		            n[i]))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct ipconf c;

	memcpy(s, data, size);
	s[size] = '\0';
	if (ipconf_parse(s, &c) == 0) {
		uint32_t inv = ~c.netmask;

		if (c.mode == IPCONF_STATIC && (!c.addr || !c.netmask || (inv & (inv + 1)) != 0))
			abort();
		check_name(c.hostname, sizeof(c.hostname));
		check_name(c.dev, sizeof(c.dev));
	}
	free(s);
	return 0;
}
