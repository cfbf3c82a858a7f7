// SPDX-License-Identifier: MIT
/*
 * The list /init runs: tools/initramfs.py writes one C file defining these
 * for each initramfs and links it with testinit.c.
 */
#pragma once

struct testinit_entry {
	const char *name;        /* printed in the "=== run" and "=== end" lines */
	const char *const *argv; /* argv[0] is the path; NULL-terminated */
	int timeout_s;           /* killed after this many seconds; 0: TESTINIT_TIMEOUT_S */
};

/* Ends with an entry whose name is NULL. */
extern const struct testinit_entry testinit_list[];
/* The number of entries, as text, for the first line. */
extern const char testinit_count_text[];
