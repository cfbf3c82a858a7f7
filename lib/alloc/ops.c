/* SPDX-License-Identifier: MIT */
/*
 * The list of heap allocators, for code that runs all of them (host tests, KHB-1). Like
 * the firstfit and chunk allocators and the cairn adapters, it is never linked into the
 * kernel (lib/build.mk).
 */
#include <lib/alloc/alloc.h>

const struct alloc_ops *const alloc_all_ops[] = {
	&alloc_firstfit_ops, &alloc_chunk_ops, &alloc_cairn_tlsf_ops, &alloc_cairn_ops, NULL,
};
