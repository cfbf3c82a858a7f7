/* SPDX-License-Identifier: MIT */
/*
 * Finding words in a kernel command line: words separated by spaces, each
 * "key" or "key=value". Shared by the kernel (kernel/core/cmdline.c) and
 * the boot paths, which read options such as nokaslr before the kernel runs.
 */
#pragma once

/* The value of "key=value" ("" for a bare "key") in @line, or NULL when @key is absent. */
const char *cmdline_find(const char *line, const char *key);
