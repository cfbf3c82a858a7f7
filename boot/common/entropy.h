/* SPDX-License-Identifier: MIT */
/*
 * The CPU's entropy sources for KASLR (docs/kaslr.md): RDSEED and RDRAND
 * where CPUID lists them, and the time-stamp counter. Shared by both
 * loaders and by the kernel's direct-boot path, which moves itself.
 */
#pragma once

#include <lib/kaslr/kaslr.h>

/* Fill @ops (ctx, firmware: NULL) with the CPU's sources; lib/kaslr tries them in order. */
void boot_entropy_cpu_ops(struct kaslr_entropy_ops *ops);
