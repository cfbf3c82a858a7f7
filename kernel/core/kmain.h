/* SPDX-License-Identifier: MIT */
/* The generic kernel entry and what the rest of the kernel learns at boot. */
#pragma once

#include <cairn/boot.h>

#include <stdbool.h>
#include <stdint.h>

/* isa-debug-exit values: QEMU exits with (value << 1) | 1. */
#define CAIRN_VERSION "0.1" /* the banner, the first log line, uname */

#define KERNEL_EXIT_PASS 0x10 /* exit status 33 */
#define KERNEL_EXIT_FAIL 0x11 /* exit status 35 */

/* A copy of the boot information, kept by the kernel. [I] after kmain's start. */
extern struct boot_info boot_info;
/* True when the command line asked for the kernel tests. [I] */
extern bool kernel_test_mode;

__attribute__((noreturn)) void kmain(const struct boot_info *bi);

/* Physical memory through the direct map. */
static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)(boot_info.direct_map_base + pa);
}
