/* SPDX-License-Identifier: MIT */
/*
 * The kernel's own symbol table, embedded at link time (see tools/ksyms.py),
 * so backtraces name functions without a debugger. It holds link addresses;
 * under KASLR (docs/kaslr.md) lookups take the image's slide into account.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * Find the function containing @addr. Returns its name and stores the
 * offset into it, or returns NULL when @addr is outside the kernel text.
 */
const char *ksyms_lookup(uintptr_t addr, uintptr_t *offset);
/* Address of the function called @name, or 0. */
uintptr_t ksyms_address(const char *name);

/*
 * How far the image runs above its link address (CAIRN_KERNEL_LINK_BASE):
 * the KASLR slide, 0 with nokaslr. Computed from where the image is, so it
 * holds from the first instruction on every boot path.
 */
uintptr_t kernel_slide(void);
