/* SPDX-License-Identifier: MIT */
/*
 * The kernel command line (boot_info.cmdline): words separated by spaces,
 * each "key" or "key=value". Documented options are listed in the README.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The whole command line as the loader passed it (/proc/cmdline). */
const char *cmdline_all(void);
/* The value of "key=value" ("" for a bare "key"), or NULL when @key is absent. */
const char *cmdline_get(const char *key);
/* True if @key appears, bare or with a value. */
bool cmdline_has(const char *key);
/* Copy the value @v up to the next space into @out (@size bytes, NUL-terminated). */
void cmdline_word(const char *v, char *out, size_t size);
