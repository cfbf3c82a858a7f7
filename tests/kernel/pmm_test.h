/* SPDX-License-Identifier: MIT */
/*
 * Counters that the pmm suite's files (test_pmm.c, test_pmm_frames.c) read
 * before and after each test, to check that a test leaves the allocator
 * where it found it and that a bad free was counted.
 */
#pragma once

#include <stdint.h>

#include "mm/pmm.h"

/* Bytes the physical memory manager has free now, per-CPU caches included. */
static inline uint64_t pmm_test_free_bytes(void)
{
	struct pmm_stats st;

	pmm_stats(&st);
	return st.free;
}

/* Frees the physical memory manager has refused so far. */
static inline uint64_t pmm_test_bad_frees(void)
{
	struct pmm_stats st;

	pmm_stats(&st);
	return st.bad_frees;
}
