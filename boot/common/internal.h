/* SPDX-License-Identifier: MIT */
/*
 * Small helpers private to boot/common: page arithmetic and the errno
 * values the shared loader code returns (Linux numbering).
 */
#pragma once

#include <cairn/boot.h>
#include <cairn/errno.h>

#include <stdint.h>

static inline uint64_t ldr_page_down(uint64_t x)
{
	return x & ~(BOOT_PAGE_SIZE - 1);
}

static inline uint64_t ldr_page_up(uint64_t x)
{
	return (x + BOOT_PAGE_SIZE - 1) & ~(BOOT_PAGE_SIZE - 1);
}
