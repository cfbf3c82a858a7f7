/* SPDX-License-Identifier: MIT */
/*
 * The list of heap allocators, for code that runs all of them (host tests, KHB-1).
 */
#include <lib/alloc/alloc.h>

const struct alloc_ops *const alloc_all_ops[] = {
	&alloc_firstfit_ops,
	&alloc_chunk_ops,
	&alloc_cairn_ops,
	NULL,
};
